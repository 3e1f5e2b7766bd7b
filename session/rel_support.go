package session

import "slices"

// Objects returns the persistent objects of the session that m maps, in the
// order they entered it. Package rel uses it to load a relationship for every
// object of a type at once (a relationship whose default strategy is eager,
// read lazily).
func (s *Session) Objects(m Mapper) []any {
	var sts []*state
	for _, st := range s.objs {
		if st.m == m && st.status == Persistent {
			sts = append(sts, st)
		}
	}
	slices.SortFunc(sts, func(a, b *state) int { return a.seq - b.seq })
	out := make([]any, len(sts))
	for i, st := range sts {
		out[i] = st.obj
	}
	return out
}
