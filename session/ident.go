package session

// identMap is the identity map: Key -> state. Keys of one integer column,
// the common case, live in an intIndex per table; other keys in a map of
// Keys.
type identMap struct {
	ints  map[string]*intIndex
	other map[Key]*state
	lastT string // the table of the integer index used last, and that index
	last  *intIndex
}

// intsOf returns the integer index of table, made when create is set (nil
// otherwise when there is none).
func (im *identMap) intsOf(table string, create bool) *intIndex {
	if im.last != nil && im.lastT == table {
		return im.last
	}
	x, ok := im.ints[table]
	if !ok {
		if !create {
			return nil
		}
		if im.ints == nil {
			im.ints = map[string]*intIndex{}
		}
		x = &intIndex{}
		im.ints[table] = x
	}
	im.lastT, im.last = table, x
	return x
}

func (im *identMap) get(k Key) (*state, bool) {
	if k.Val == nil {
		return im.intsOf(k.Table, false).get(k.Int)
	}
	st, ok := im.other[k]
	return st, ok
}

func (im *identMap) set(k Key, st *state) {
	if k.Val == nil {
		im.intsOf(k.Table, true).set(k.Int, st)
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
		im.intsOf(k.Table, false).del(k.Int)
		return
	}
	delete(im.other, k)
}

// reserve makes room for n more integer keys of table (a flush inserting
// many rows, a query's rows): one allocation instead of growing step by
// step.
func (im *identMap) reserve(table string, n int) {
	im.intsOf(table, true).reserve(n)
}

// intIndex maps one table's integer keys to states. Keys a database
// generates are dense (a sequence counts up), so those within a window
// are found by position in a slice: no hashing, and the states of
// neighbouring keys are neighbours in memory. A three-profiles run spent
// about 4 ms of its 39 ms of client CPU in map[int64] lookups and inserts
// of 11,000 keys, most of it in cache misses (BENCHMARKS.md). Keys outside
// the window, where taking them in would leave it less than half full, go
// to a map.
type intIndex struct {
	base   int64
	dense  []*state // dense[k-base] is k's state, nil when k is not there
	n      int      // the non-nil states in dense
	sparse map[int64]*state
}

// denseLimit bounds the keys the window takes, leaving room to compute
// spans without overflow.
const denseLimit = 1 << 62

// denseSlack is how much larger than twice its states the window may
// grow: a small table's keys need not be dense at all.
const denseSlack = 1024

func (x *intIndex) len() int {
	if x == nil {
		return 0
	}
	return x.n + len(x.sparse)
}

func (x *intIndex) get(k int64) (*state, bool) {
	if x == nil {
		return nil, false
	}
	if i := uint64(k - x.base); i < uint64(len(x.dense)) {
		if st := x.dense[i]; st != nil {
			return st, true
		}
	}
	if len(x.sparse) == 0 {
		return nil, false
	}
	st, ok := x.sparse[k]
	return st, ok
}

func (x *intIndex) set(k int64, st *state) {
	if i := uint64(k - x.base); i < uint64(len(x.dense)) || x.widen(k) {
		i = uint64(k - x.base)
		if x.dense[i] == nil {
			x.n++
			if len(x.sparse) > 0 {
				delete(x.sparse, k) // set there before the window took it in
			}
		}
		x.dense[i] = st
		return
	}
	if x.sparse == nil {
		x.sparse = map[int64]*state{}
	}
	x.sparse[k] = st
}

func (x *intIndex) del(k int64) {
	if i := uint64(k - x.base); i < uint64(len(x.dense)) && x.dense[i] != nil {
		x.dense[i] = nil
		x.n--
		return
	}
	delete(x.sparse, k)
}

// reserve makes room for n more keys above the window, where a sequence
// puts them, when the window would take them; for an empty window, room for
// n keys from the first one set on.
func (x *intIndex) reserve(n int) {
	if n <= cap(x.dense)-len(x.dense) {
		return
	}
	if len(x.dense) == 0 {
		if n >= 64 {
			x.dense = make([]*state, 0, n)
		}
		return
	}
	if int64(len(x.dense)+n) > 2*int64(x.n+n)+denseSlack {
		return
	}
	grown := make([]*state, len(x.dense), max(len(x.dense)+n, 2*cap(x.dense)))
	copy(grown, x.dense)
	x.dense = grown
}

// widen grows the window to take in k when that keeps it at least half
// full, and reports whether it did. Growing up takes the slice's spare
// capacity first; a new slice at least doubles, so that keys set in order
// cost amortized constant time.
func (x *intIndex) widen(k int64) bool {
	if k <= -denseLimit || k >= denseLimit {
		return false
	}
	if len(x.dense) == 0 {
		x.base = k
	}
	lo, hi := x.base, x.base+int64(len(x.dense))-1
	lo, hi = min(lo, k), max(hi, k)
	span := hi - lo + 1
	if span > 2*int64(x.n+1)+denseSlack {
		return false
	}
	if k >= x.base {
		if span <= int64(cap(x.dense)) {
			x.dense = x.dense[:span] // beyond len, capacity holds only nils
			return true
		}
		grown := make([]*state, span, max(span, 2*int64(cap(x.dense))))
		copy(grown, x.dense)
		x.dense = grown
		return true
	}
	// Growing down: the room left over goes below.
	size := max(span, 2*int64(len(x.dense)))
	grown := make([]*state, size)
	newBase := hi - size + 1
	copy(grown[x.base-newBase:], x.dense)
	x.base, x.dense = newBase, grown
	return true
}
