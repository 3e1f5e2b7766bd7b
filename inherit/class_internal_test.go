package inherit

import (
	"testing"

	"github.com/retort-orm/retort"
)

type coBase struct {
	ID   int64
	Kind string
}

type coA struct {
	coBase
	X int64
}

type coB struct {
	coBase
	Y string
}

var (
	coBases  = retort.NewTable[coBase]("inherit_co_base")
	coBaseID = retort.Col(coBases, "id", func(b *coBase) *int64 { return &b.ID }, retort.PrimaryKey())
	coKind   = retort.Col(coBases, "kind", func(b *coBase) *string { return &b.Kind })
	coAs     = retort.NewTable[coA]("inherit_co_a")
	_        = retort.Col(coAs, "id", func(a *coA) *int64 { return &a.ID }, retort.PrimaryKey()).References(coBaseID)
	_        = retort.Col(coAs, "x", func(a *coA) *int64 { return &a.X })
	coBs     = retort.NewTable[coB]("inherit_co_b")
	_        = retort.Col(coBs, "id", func(b *coB) *int64 { return &b.ID }, retort.PrimaryKey()).References(coBaseID)
	_        = retort.Col(coBs, "y", func(b *coB) *string { return &b.Y })
)

// classOf tries the class it found last first: through runs of one class,
// changes of class and objects of no class, it answers as a search of
// every class in declaration order does.
func TestClassOfRuns(t *testing.T) {
	root := New(coBases, coKind, "base")
	a := Sub(root, coAs, func(a *coA) *coBase { return &a.coBase }, "a")
	b := Sub(root, coBs, func(b *coB) *coBase { return &b.coBase }, "b")
	p := root.n.h.plan()
	search := func(obj any) *node {
		for _, n := range p.nodes {
			if n.is(obj) {
				return n
			}
		}
		return nil
	}
	objs := []any{&coA{}, &coA{}, &coB{}, &coB{}, &coA{}, &coBase{}, new(int), &coB{}, &coBase{}, "not a class", &coA{}}
	want := []*node{a.n, a.n, b.n, b.n, a.n, root.n, nil, b.n, root.n, nil, a.n}
	for i, obj := range objs {
		got := p.classOf(obj)
		if got != want[i] || got != search(obj) {
			t.Errorf("object %d (%T): classOf = %v, want %v", i, obj, got, want[i])
		}
	}
}
