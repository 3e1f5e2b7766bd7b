package session_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// Pair has a key of two columns; Wide one of five (more than a Key gives
// back as values, still identifying rows).
type Pair struct {
	Left  string
	Right int32
	Note  string
}

type Wide struct {
	A, B, C, D, E int64
	Note          string
}

var (
	Pairs     = retort.NewTable[Pair]("pair")
	PairLeft  = retort.Col(Pairs, "left", func(p *Pair) *string { return &p.Left }, retort.PrimaryKey())
	PairRight = retort.Col(Pairs, "right", func(p *Pair) *int32 { return &p.Right }, retort.PrimaryKey())
	PairNote  = retort.Col(Pairs, "note", func(p *Pair) *string { return &p.Note })

	Wides    = retort.NewTable[Wide]("wide")
	_        = retort.Col(Wides, "a", func(w *Wide) *int64 { return &w.A }, retort.PrimaryKey())
	_        = retort.Col(Wides, "b", func(w *Wide) *int64 { return &w.B }, retort.PrimaryKey())
	_        = retort.Col(Wides, "c", func(w *Wide) *int64 { return &w.C }, retort.PrimaryKey())
	_        = retort.Col(Wides, "d", func(w *Wide) *int64 { return &w.D }, retort.PrimaryKey())
	_        = retort.Col(Wides, "e", func(w *Wide) *int64 { return &w.E }, retort.PrimaryKey())
	WideNote = retort.Col(Wides, "note", func(w *Wide) *string { return &w.Note })
)

// Composite keys: identity, Get, change tracking and deletion by a key of
// two columns and of five.
func TestCompositeKeys(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Pairs, Wides)
		s := session.New(env.DB)
		p1, p2 := &Pair{Left: "a", Right: 1, Note: "one"}, &Pair{Left: "a", Right: 2, Note: "two"}
		w1, w2 := &Wide{1, 2, 3, 4, 5, "w1"}, &Wide{1, 2, 3, 4, 6, "w2"}
		if err := session.AddAll(s, p1, p2); err != nil {
			t.Fatal(err)
		}
		if err := session.AddAll(s, w1, w2); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		env.Count.Reset()
		if got, err := session.Get(ctx, s, Pairs, "a", 2); err != nil || got != p2 {
			t.Errorf("Get(a, 2) = %p, %v; want p2 %p", got, err, p2)
		}
		if got, err := session.Get(ctx, s, Wides, 1, 2, 3, 4, 6); err != nil || got != w2 {
			t.Errorf("Get(1..6) = %p, %v; want w2 %p", got, err, w2)
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("Get of held objects: %d round trips, want 0", n)
		}
		m, _ := session.MapperOf[Pair]()
		k, _ := m.Key(p2)
		if diff := cmp.Diff([]any{"a", int32(2)}, k.Values()); diff != "" || k.String() != "pair(a, 2)" {
			t.Errorf("key %s values (-want +got):\n%s", k, diff)
		}
		wm, _ := session.MapperOf[Wide]()
		wk, _ := wm.Key(w2)
		if wk.Values() != nil || wk == (session.Key{}) {
			t.Errorf("five-column key: %#v, values %v", wk, wk.Values())
		}

		// A fresh session loads them, one object per row.
		s2 := session.New(env.DB)
		all, err := session.All(ctx, s2, retort.Select(Pairs).OrderBy(PairRight.Asc()))
		if err != nil || len(all) != 2 {
			t.Fatalf("all pairs: %v %v", all, err)
		}
		again, err := session.Get(ctx, s2, Pairs, "a", int32(1))
		if err != nil || again != all[0] {
			t.Errorf("Get after All = %p %v, want the loaded %p", again, err, all[0])
		}
		wides, err := session.All(ctx, s2, retort.Select(Wides))
		if err != nil || len(wides) != 2 {
			t.Fatalf("all wides: %v %v", wides, err)
		}
		all[1].Note = "changed"
		if err := session.Delete(s2, wides[0]); err != nil {
			t.Fatal(err)
		}
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := retort.Select(Pairs).Where(PairNote.Eq("changed")).All(ctx, env.DB)
		if err != nil || len(got) != 1 || got[0].Right != 2 {
			t.Errorf("updated pair: %v %v", got, err)
		}
		if n, _ := retort.Select(Wides).Count(ctx, env.DB); n != 1 {
			t.Errorf("wide rows after delete: %d, want 1", n)
		}
		if _, err := session.Get(ctx, session.New(env.DB), Pairs, "zz", 9); !errors.Is(err, retort.ErrNoRows) {
			t.Errorf("missing pair: %v, want ErrNoRows", err)
		}
		// Loading by a key of more than MaxKeyColumns columns is refused
		// with an error (queries still work, as above).
		if _, err := session.Get(ctx, session.New(env.DB), Wides, 1, 2, 3, 4, 6); err == nil || !strings.Contains(err.Error(), "more than 4 columns") {
			t.Errorf("Get by a five-column key: %v, want an error naming the limit", err)
		}
	})
}
