package rel

import (
	"context"
	"fmt"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

// Joined loading of class hierarchies (package inherit). Neither package
// imports the other: the interfaces below are what this package needs, and
// inherit's values have their methods.

// polyJoiner is a mapper whose objects span several tables and that can
// read them in a joined statement (package inherit's).
type polyJoiner interface {
	// JoinTarget returns a polyPart reading the objects of typ's class (a
	// nil pointer such as (*Boss)(nil)) and of its subclasses, whose own
	// table the statement joins as ref; alias gives a reference unique in
	// the statement for each other table it joins. Objects are registered
	// in s.
	JoinTarget(s *session.Session, typ any, ref string, alias func(table string) string, populate bool) (any, error)
	// JoinView returns obj seen as typ's class (a pointer to the struct of
	// that class it embeds), or false.
	JoinView(obj, typ any) (any, bool)
}

// asTarget returns obj, an object the session holds, as a *T: itself, or,
// for a class hierarchy whose object is of a subclass of T, the T it
// embeds.
func asTarget[T any](obj any) (*T, bool) {
	if t, ok := obj.(*T); ok {
		return t, true
	}
	if pj, ok := mapperOf[T]().(polyJoiner); ok {
		if v, ok := pj.JoinView(obj, (*T)(nil)); ok {
			t, ok := v.(*T)
			return t, ok
		}
	}
	return nil, false
}

// sessionObject returns the object s holds for t: t itself, or, when t is
// the T embedded in an object of a subclass (a *Staffer inside a *Chief),
// that object, which is what the session knows.
func sessionObject[T any](s *session.Session, t *T) any {
	if s == nil {
		return t
	}
	m := mapperOf[T]()
	if _, ok := m.(polyJoiner); !ok {
		return t
	}
	k, ok := m.Key(t)
	if !ok {
		return t
	}
	obj, ok := s.Lookup(k)
	if !ok || obj == any(t) {
		return t
	}
	if v, ok := asTarget[T](obj); ok && v == t {
		return obj
	}
	return t
}

// polyPart is the columns of a joined statement holding a hierarchy's
// objects.
type polyPart interface {
	JoinClauses() string // LEFT OUTER JOINs of the class's other tables
	JoinColumns() []string
	JoinNames() []string
	JoinBind(slots []any)
	// JoinRow returns the session's object for the row just scanned (nil
	// when the join matched nothing) and binds the slots for the next row.
	JoinRow() (any, error)
}

// polyRoot is a query of a class hierarchy (package inherit's All), run
// through session.RunAny.
type polyRoot interface {
	// JoinSQL returns the query, its columns aliased so that those of the
	// class's own table have their names.
	JoinSQL(d retort.Dialect) (string, []any, error)
	// JoinPart returns a polyPart reading the query's objects from the
	// derived table ref.
	JoinPart(ref string, populate bool) (any, error)
}

// polyPartOf is a polyPart as a node's part.
type polyPartOf struct{ p polyPart }

func (p polyPartOf) cols() []string  { return p.p.JoinColumns() }
func (p polyPartOf) names() []string { return p.p.JoinNames() }
func (p polyPartOf) scanner(_ *stmt, slots []any) (rowScanner, error) {
	p.p.JoinBind(slots)
	return p, nil
}
func (p polyPartOf) row() (any, error) { return p.p.JoinRow() }

// interceptAny is the session.AnyInterceptor of t, a table that owns
// relationships: for a query of t's class hierarchy (package inherit), it
// does what intercept does for session.All.
func interceptAny[O any](t *retort.Table[O]) session.AnyInterceptor {
	return func(ctx context.Context, s *session.Session, q any, cfg session.QueryConfig, next session.AnyQueryFunc) ([]any, error) {
		root, ok := q.(polyRoot)
		if !ok {
			return next(ctx, s, q, cfg)
		}
		steps, others := queryPlan(cfg.Loaders, relsOf(t))
		if len(steps) == 0 {
			return next(ctx, s, q, cfg)
		}
		joined, _ := splitSteps(steps)
		var out []any
		var err error
		if len(joined) == 0 {
			plain := cfg
			plain.Loaders = nil
			out, err = next(ctx, s, q, plain)
		} else {
			out, err = allJoinedPoly[O](ctx, s, t.Name(), root, joined, cfg.PopulateExisting)
		}
		if err != nil || len(out) == 0 {
			return out, err
		}
		if err := runSteps(ctx, s, out, steps, cfg.PopulateExisting); err != nil {
			return nil, err
		}
		if err := s.RunLoaders(ctx, others, out); err != nil {
			return nil, err
		}
		return out, nil
	}
}

// allJoinedPoly runs root, a query of a class hierarchy's objects of O,
// with steps joined, in one statement.
func allJoinedPoly[O any](ctx context.Context, s *session.Session, table string, root polyRoot, steps []*step, populate bool) ([]any, error) {
	if err := startAt[O](steps); err != nil {
		return nil, err
	}
	sqlText, args, err := root.JoinSQL(s.Dialect())
	if err != nil {
		return nil, err
	}
	v, err := root.JoinPart(rootRef, populate)
	if err != nil {
		return nil, err
	}
	pp, ok := v.(polyPart)
	if !ok {
		return nil, fmt.Errorf("rel: query %q: the query's part %T cannot be read", table, v)
	}
	return runJoined(ctx, s, table, sqlText, args, pp.JoinColumns(), pp.JoinNames(), steps, populate,
		func(_ *stmt, slots []any) func() (any, error) {
			pp.JoinBind(slots)
			return pp.JoinRow
		})
}
