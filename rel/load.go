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
	r     relImpl
	how   Strategy
	where filter // conditions on the targets (ToMany.Where)
	next  []*step
}

// splitSteps separates the steps to join from the others. A Joined step
// whose targets cannot be joined (a class hierarchy's, or one with
// conditions, which may use the hierarchy's other tables) loads as SelectIn.
func splitSteps(steps []*step) (joined, others []*step) {
	for _, st := range steps {
		if st.how == JoinedLoad && st.r.joinable() && (len(st.where) == 0 || !st.r.hierarchy()) {
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
		if err := st.where.check(st.r.info().name); err != nil {
			return err
		}
		joined, _ := splitSteps(st.next)
		targets, err := st.r.loadIn(ctx, s, objs, joined, st.where, populate)
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
// returns. Give it to session.All, One and First (or [All], [Single] and
// [First], the same functions).
type Load[O, T any] struct{ st *step }

// Path is a loading option that starts at objects of O: a *Load[O, T] for
// any T. [Load.Then] takes them.
type Path[O any] interface {
	path() *step
	from(*O)
}

func newLoad[O, T any](r Relation[O, T], how Strategy) *Load[O, T] {
	st := &step{r: r.impl(), how: how}
	if f, ok := r.(interface{ conds() filter }); ok {
		st.where = f.conds()
	}
	return &Load[O, T]{st: st}
}

// SelectIn loads r for all the objects a query returns with one more query,
// WHERE key IN (...) (one per chunk of thousands of keys). A many-to-one
// whose targets the session already holds needs no query for them.
func SelectIn[O, T any](r Relation[O, T]) *Load[O, T] { return newLoad(r, SelectInLoad) }

// Joined loads r with a LEFT OUTER JOIN in the query's own statement:
// parents and children come back in one statement, and each parent once.
// Nested Joined paths join further. It works through session.All, One and
// First (and [All], [Single], [First], which are the same): this package
// installs a session interceptor (session.Intercept) on every table that
// owns relationships. After a [SelectIn] path, a Joined path is joined into
// that path's query.
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

// All is session.All: every session query of objects whose table owns
// relationships runs through this package (see [Joined]), so session.All,
// One and First load relationships as All, [Single] and [First] do. It is
// kept for programs that read better naming the package that loads.
//
// With this package's options, Joined paths are joined into q's statement,
// other paths load after it; relationships of T whose default strategy
// ([Loading]) is SelectInLoad or JoinedLoad load too, unless an option names
// them. Other options (session.PopulateExisting, loaders of other packages)
// work as usual.
func All[T any](ctx context.Context, s *session.Session, q *retort.SelectQuery[T], opts ...session.QueryOption) ([]*T, error) {
	return session.All(ctx, s, q, opts...)
}

// intercept is the session interceptor of every table that owns
// relationships: it takes this package's options out of cfg's loaders, adds
// the relationships' default strategies, joins the Joined paths into q's
// statement (or lets next run it), then loads the other paths and runs the
// other loaders.
func intercept[T any](ctx context.Context, s *session.Session, q *retort.SelectQuery[T], cfg session.QueryConfig, next session.QueryFunc[T]) ([]*T, error) {
	if _, ok := whereLoader[T](); ok {
		return next(ctx, s, q, cfg) // a class hierarchy's: session.All refuses it
	}
	steps, others := queryPlan(cfg.Loaders, relsOf(q.Table()))
	if len(steps) == 0 {
		return next(ctx, s, q, cfg)
	}
	joined, _ := splitSteps(steps)
	var out []*T
	var err error
	if len(joined) == 0 {
		plain := cfg
		plain.Loaders = nil
		out, err = next(ctx, s, q, plain)
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

// queryPlan separates this package's paths among loaders from the other
// loaders, and adds the eager default strategies of rels (the relationships
// of the queried objects) that no path names.
func queryPlan(loaders []session.Loader, rels []relImpl) (steps []*step, others []session.Loader) {
	var named map[relImpl]bool
	for _, l := range loaders {
		if p, ok := l.(interface{ path() *step }); ok {
			st := p.path()
			steps = append(steps, st)
			if named == nil {
				named = map[relImpl]bool{}
			}
			named[st.r] = true
			continue
		}
		others = append(others, l)
	}
	for _, r := range rels {
		if how := r.info().strategy; !named[r] && (how == SelectInLoad || how == JoinedLoad) {
			steps = append(steps, &step{r: r, how: how})
		}
	}
	return steps, others
}

// Single is session.One (named so because [One] is the reference type):
// exactly one object, or an error matching retort.ErrNoRows or
// retort.ErrTooManyRows. Relationships load as with [All].
func Single[T any](ctx context.Context, s *session.Session, q *retort.SelectQuery[T], opts ...session.QueryOption) (*T, error) {
	return session.One(ctx, s, q, opts...)
}

// First is session.First: [All] with LIMIT 1, returning the object or an
// error matching retort.ErrNoRows.
func First[T any](ctx context.Context, s *session.Session, q *retort.SelectQuery[T], opts ...session.QueryOption) (*T, error) {
	return session.First(ctx, s, q, opts...)
}

// rootRef is the reference of the numbered query in a joined statement.
const rootRef = "retort_q"

// allJoined runs q with steps joined, in one statement.
func allJoined[T any](ctx context.Context, s *session.Session, q *retort.SelectQuery[T], steps []*step, populate bool) ([]*T, error) {
	t := q.Table()
	if err := startAt[T](steps); err != nil {
		return nil, err
	}
	sqlText, args, err := q.SQL(s.Dialect())
	if err != nil {
		return nil, err
	}
	cols := columnNames(t, rootRef)
	objs, err := runJoined(ctx, s, t.Name(), sqlText, args, cols, cols, steps, populate,
		func(st *stmt, slots []any) func() (any, error) {
			root := newRootScan(st, t, slots)
			return func() (any, error) {
				_, obj := root.take()
				return obj, nil
			}
		})
	if err != nil {
		return nil, err
	}
	out := make([]*T, len(objs))
	for i, o := range objs {
		out[i] = o.(*T)
	}
	return out, nil
}

// startAt checks that every step starts at objects of T.
func startAt[T any](steps []*step) error {
	for _, st := range steps {
		if !st.r.owns(new(T)) {
			return fmt.Errorf("rel: %s does not start at %T objects", st.r.info().name, new(T))
		}
	}
	return nil
}

// runJoined runs the query sqlText (with args) as a derived table, numbered,
// with steps LEFT OUTER JOINed to it, in one statement, and returns its
// objects, each once. cols are the query's columns to read, qualified by
// rootRef (names names them for errors); newRoot binds slots to them and
// returns what reads each new row's object.
func runJoined(ctx context.Context, s *session.Session, table, sqlText string, args []any, cols, names []string, steps []*step,
	populate bool, newRoot func(st *stmt, slots []any) func() (any, error)) ([]any, error) {
	st := newStmt(s, populate)
	st.used[rootRef] = true
	st.used["retort_s"] = true
	if err := st.addJoins(-1, rootRef, steps); err != nil {
		return nil, err
	}
	slots, err := st.prepare(append([]string{qcol(rootRef, "retort_n")}, names...))
	if err != nil {
		return nil, err
	}
	var n int64
	slots[0] = &n
	take := newRoot(st, slots[1:])
	var out []any
	prev := int64(-1)
	var cur any
	read := func() (any, error) {
		if n != prev {
			prev = n
			obj, err := take()
			if err != nil {
				return nil, err
			}
			cur = obj
			out = append(out, cur)
		}
		return cur, nil
	}
	w := retort.NewWriter(s.Dialect())
	w.WriteString("SELECT " + qcol(rootRef, "retort_n") + ", " + strings.Join(cols, ", "))
	w.WriteString(st.list.String())
	w.WriteString(` FROM (SELECT row_number() OVER () AS "retort_n", "retort_s".* FROM (`)
	w.WriteQuery(sqlText, args)
	w.WriteString(`) AS "retort_s") AS "retort_q"`)
	st.joins.writeTo(w)
	w.WriteString(" ORDER BY " + strings.Join(append([]string{qcol(rootRef, "retort_n")}, st.order...), ", "))
	if err := w.Err(); err != nil {
		return nil, fmt.Errorf("rel: query %q: %w", table, err)
	}
	if err := st.exec(ctx, w.String(), w.Args(), read); err != nil {
		st.abort()
		return nil, fmt.Errorf("rel: query %q: %w", table, err)
	}
	st.finish()
	return out, nil
}
