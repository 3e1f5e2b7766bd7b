package rel

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

// step is a relationship to load and how, with the steps of its targets.
type step struct {
	r    relImpl
	how  Strategy
	next []*step
}

// splitSteps separates the steps to join from the others. A Joined step
// whose targets cannot be joined (a class hierarchy's) loads as SelectIn.
func splitSteps(steps []*step) (joined, others []*step) {
	for _, st := range steps {
		if st.how == JoinedLoad && st.r.joinable() {
			joined = append(joined, st)
		} else {
			others = append(others, st)
		}
	}
	return joined, others
}

// runSteps loads steps for objs. Loading is idempotent: relationships
// already loaded (by a join of the same statement, or before) cost no SQL,
// and their targets still get the nested steps.
func runSteps(ctx context.Context, s *session.Session, objs []any, steps []*step, populate bool) error {
	if len(objs) == 0 {
		return nil
	}
	for _, st := range steps {
		if !st.r.owns(objs[0]) {
			return fmt.Errorf("rel: %s does not start at %T objects", st.r.info().name, objs[0])
		}
		switch st.how {
		case LazyLoad, RaiseLoad:
			st.r.mark(objs, st.how)
			continue
		}
		joined, _ := splitSteps(st.next)
		targets, err := st.r.loadIn(ctx, s, objs, joined, populate)
		if err != nil {
			return err
		}
		if err := runSteps(ctx, s, targets, st.next, populate); err != nil {
			return err
		}
	}
	return nil
}

// Load is a query option that loads a relationship (and, with
// [Load.Then], relationships of its targets) for the objects a query
// returns. Give it to session.All, One and First, or to [All], [One] and
// [Single] and [First], which can also join.
type Load[O, T any] struct{ st *step }

// Path is a loading option that starts at objects of O: a *Load[O, T] for
// any T. [Load.Then] takes them.
type Path[O any] interface {
	path() *step
	from(*O)
}

func newLoad[O, T any](r Relation[O, T], how Strategy) *Load[O, T] {
	return &Load[O, T]{st: &step{r: r.impl(), how: how}}
}

// SelectIn loads r for all the objects a query returns with one more query,
// WHERE key IN (...) (one per chunk of thousands of keys). A many-to-one
// whose targets the session already holds needs no query for them.
func SelectIn[O, T any](r Relation[O, T]) *Load[O, T] { return newLoad(r, SelectInLoad) }

// Joined loads r with a LEFT OUTER JOIN in the query's own statement when
// the query runs through [All], [Single] or [First]: parents and children come
// back in one statement, and each parent once. Nested Joined paths join
// further. Through session.All (which runs its statement before any option
// can join) it loads like [SelectIn], with one more query in which its
// nested Joined paths are joined.
func Joined[O, T any](r Relation[O, T]) *Load[O, T] { return newLoad(r, JoinedLoad) }

// Lazy makes r load lazily for the objects a query returns, whatever its
// default strategy.
func Lazy[O, T any](r Relation[O, T]) *Load[O, T] { return newLoad(r, LazyLoad) }

// Raise makes reading r unloaded an error matching [ErrNotLoaded] for the
// objects a query returns, whatever its default strategy.
func Raise[O, T any](r Relation[O, T]) *Load[O, T] { return newLoad(r, RaiseLoad) }

// Then adds paths that continue from l's targets: orders, then their items,
// then each item's product is
//
//	rel.SelectIn(UserOrders).Then(rel.SelectIn(OrderItems).Then(rel.SelectIn(ItemProduct)))
//
// The compiler checks that each path starts where the previous one ends.
// Then returns a new option; l is unchanged. Paths after [Lazy] or [Raise]
// are ignored.
func (l *Load[O, T]) Then(next ...Path[T]) *Load[O, T] {
	st := *l.st
	st.next = slices.Clip(st.next)
	for _, n := range next {
		st.next = append(st.next, n.path())
	}
	return &Load[O, T]{st: &st}
}

func (l *Load[O, T]) path() *step { return l.st }
func (l *Load[O, T]) from(*O)     {}

// ConfigureQuery implements session.QueryOption.
func (l *Load[O, T]) ConfigureQuery(c *session.QueryConfig) { c.Loaders = append(c.Loaders, l) }

// Load implements session.Loader.
func (l *Load[O, T]) Load(ctx context.Context, s *session.Session, objs []any) error {
	return runSteps(ctx, s, objs, []*step{l.st}, false)
}

// All runs q through the session as session.All does, and loads
// relationships: those of the options (this package's, with Joined paths
// joined into q's statement) and those of T whose default strategy is
// SelectInLoad or JoinedLoad. Other options (session.PopulateExisting,
// loaders of other packages) work as with session.All.
//
// With joins, q becomes a derived table: SELECT ... FROM (q numbered with
// row_number()) LEFT OUTER JOIN ..., so that its WHERE, ORDER BY, LIMIT and
// OFFSET apply to the parents, not to the joined rows.
func All[T any](ctx context.Context, s *session.Session, q *retort.SelectQuery[T], opts ...session.QueryOption) ([]*T, error) {
	var cfg session.QueryConfig
	for _, o := range opts {
		o.ConfigureQuery(&cfg)
	}
	var steps []*step
	var others []session.Loader
	named := map[relImpl]bool{}
	for _, l := range cfg.Loaders {
		if p, ok := l.(interface{ path() *step }); ok {
			steps = append(steps, p.path())
			named[p.path().r] = true
			continue
		}
		others = append(others, l)
	}
	for _, r := range relsOf(q.Table()) {
		if how := r.info().strategy; !named[r] && (how == SelectInLoad || how == JoinedLoad) {
			steps = append(steps, &step{r: r, how: how})
		}
	}
	joined, _ := splitSteps(steps)
	var out []*T
	var err error
	if len(joined) == 0 {
		var sopts []session.QueryOption
		if cfg.PopulateExisting {
			sopts = append(sopts, session.PopulateExisting())
		}
		out, err = session.All(ctx, s, q, sopts...)
	} else {
		out, err = allJoined(ctx, s, q, joined, cfg.PopulateExisting)
	}
	if err != nil || len(out) == 0 {
		return out, err
	}
	objs := make([]any, len(out))
	for i, o := range out {
		objs[i] = o
	}
	if err := runSteps(ctx, s, objs, steps, cfg.PopulateExisting); err != nil {
		return nil, err
	}
	if err := s.RunLoaders(ctx, others, objs); err != nil {
		return nil, err
	}
	return out, nil
}

// Single is [All] expecting exactly one object (session.One's counterpart:
// [One] is the reference type): an error matching retort.ErrNoRows or
// retort.ErrTooManyRows otherwise.
func Single[T any](ctx context.Context, s *session.Session, q *retort.SelectQuery[T], opts ...session.QueryOption) (*T, error) {
	objs, err := All(ctx, s, q.Limit(2), opts...)
	if err != nil {
		return nil, err
	}
	switch len(objs) {
	case 0:
		return nil, fmt.Errorf("rel: single %q: %w", q.Table().Name(), retort.ErrNoRows)
	case 1:
		return objs[0], nil
	}
	return nil, fmt.Errorf("rel: single %q: %w", q.Table().Name(), retort.ErrTooManyRows)
}

// First is [All] with LIMIT 1, returning the object or an error matching
// retort.ErrNoRows.
func First[T any](ctx context.Context, s *session.Session, q *retort.SelectQuery[T], opts ...session.QueryOption) (*T, error) {
	objs, err := All(ctx, s, q.Limit(1), opts...)
	if err != nil {
		return nil, err
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("rel: first %q: %w", q.Table().Name(), retort.ErrNoRows)
	}
	return objs[0], nil
}

// rootRef is the reference of the numbered query in a joined statement.
const rootRef = "retort_q"

// allJoined runs q with steps joined, in one statement.
func allJoined[T any](ctx context.Context, s *session.Session, q *retort.SelectQuery[T], steps []*step, populate bool) ([]*T, error) {
	t := q.Table()
	sqlText, args, err := q.SQL(s.Dialect())
	if err != nil {
		return nil, err
	}
	for _, st := range steps {
		if !st.r.owns(new(T)) {
			return nil, fmt.Errorf("rel: %s does not start at %T objects", st.r.info().name, new(T))
		}
	}
	st := newStmt(s, populate)
	st.used[rootRef] = true
	st.used["retort_s"] = true
	st.addJoins(-1, rootRef, steps)
	cols := columnNames(t, rootRef)
	slots, err := st.prepare(append([]string{qcol(rootRef, "retort_n")}, cols...))
	if err != nil {
		return nil, err
	}
	var n int64
	slots[0] = &n
	root := newRootScan(st, t, slots[1:])
	var out []*T
	prev := int64(-1)
	var cur *T
	read := func() (any, error) {
		if n != prev {
			prev = n
			_, cur = root.take()
			out = append(out, cur)
		}
		return cur, nil
	}
	var b strings.Builder
	b.WriteString("SELECT " + qcol(rootRef, "retort_n") + ", " + strings.Join(cols, ", "))
	b.WriteString(st.list.String())
	b.WriteString(` FROM (SELECT row_number() OVER () AS "retort_n", "retort_s".* FROM (`)
	b.WriteString(sqlText)
	b.WriteString(`) AS "retort_s") AS "retort_q"`)
	b.WriteString(st.joins.String())
	b.WriteString(" ORDER BY " + strings.Join(append([]string{qcol(rootRef, "retort_n")}, st.order...), ", "))
	if err := st.exec(ctx, b.String(), args, read); err != nil {
		return nil, fmt.Errorf("rel: query %q: %w", t.Name(), err)
	}
	st.finish()
	return out, nil
}
