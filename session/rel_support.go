package session

// Objects returns the persistent objects of the session that m maps, in the
// order they entered it. Package rel uses it to load a relationship for every
// object of a type at once (a relationship whose default strategy is eager,
// read lazily).
func (s *Session) Objects(m Mapper) []any {
	var out []any
	for _, st := range s.states() {
		if st.in && st.mi.m == m && st.status == Persistent {
			out = append(out, st.obj)
		}
	}
	return out
}
