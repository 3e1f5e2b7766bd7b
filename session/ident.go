package session

// identMap is the identity map: Key -> state. Keys of one integer column,
// the common case, live in a map per table keyed by the integer, which Go
// hashes far faster than a whole Key; other keys in a map of Keys.
type identMap struct {
	ints  map[string]map[int64]*state
	other map[Key]*state
	lastT string // the table of the integer map used last, and that map
	last  map[int64]*state
}

// intsOf returns the integer map of table, made when create is set.
func (im *identMap) intsOf(table string, create bool) map[int64]*state {
	if im.last != nil && im.lastT == table {
		return im.last
	}
	m, ok := im.ints[table]
	if !ok {
		if !create {
			return nil
		}
		if im.ints == nil {
			im.ints = map[string]map[int64]*state{}
		}
		m = map[int64]*state{}
		im.ints[table] = m
	}
	im.lastT, im.last = table, m
	return m
}

func (im *identMap) get(k Key) (*state, bool) {
	if k.Val == nil {
		st, ok := im.intsOf(k.Table, false)[k.Int]
		return st, ok
	}
	st, ok := im.other[k]
	return st, ok
}

func (im *identMap) set(k Key, st *state) {
	if k.Val == nil {
		im.intsOf(k.Table, true)[k.Int] = st
		return
	}
	if im.other == nil {
		im.other = map[Key]*state{}
	}
	im.other[k] = st
}

// drop removes k if it maps to st.
func (im *identMap) drop(k Key, st *state) {
	if got, ok := im.get(k); !ok || got != st {
		return
	}
	if k.Val == nil {
		delete(im.intsOf(k.Table, false), k.Int)
		return
	}
	delete(im.other, k)
}

// reserve makes room for n more integer keys of table when that is more
// than the map holds (a flush inserting many rows): one allocation instead
// of growing step by step.
func (im *identMap) reserve(table string, n int) {
	m := im.intsOf(table, true)
	if n <= len(m) || n < 64 {
		return
	}
	grown := make(map[int64]*state, len(m)+n)
	for k, st := range m {
		grown[k] = st
	}
	im.ints[table] = grown
	im.lastT, im.last = table, grown
}
