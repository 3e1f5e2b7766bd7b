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

// TestRowSwitch deletes an object and adds a new one with its key in one
// flush: the new object takes over the row with one UPDATE (SQLAlchemy's
// "row switch"), so the books referencing it, whose foreign key cascades
// deletes, are kept. Before, the flush failed: "new object author(1) has
// the key of an object already in the session".
func TestRowSwitch(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		old := &Author{ID: 1, Name: "ann", Email: ptr("ann@example.com")}
		if err := session.Add(s, old); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, &Book{ID: 10, AuthorID: 1, Title: "Dune", Pages: 412}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := session.Delete(s, old); err != nil {
			t.Fatal(err)
		}
		repl := &Author{ID: 1, Name: "bea"}
		if err := session.Add(s, repl); err != nil {
			t.Fatal(err)
		}
		rec.take()
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("commit of a delete and a new object with its key: %v", err)
		}
		if sql := strings.Join(rec.take(), "\n"); !strings.Contains(sql, `UPDATE "author"`) || strings.Contains(sql, "DELETE") || strings.Contains(sql, "INSERT") {
			t.Errorf("the switch sent, want one UPDATE and no DELETE or INSERT:\n%s", sql)
		}
		want := Author{ID: 1, Name: "bea", Version: 2}
		if diff := cmp.Diff(want, *repl); diff != "" {
			t.Errorf("the new object after the flush (-want +got):\n%s", diff)
		}
		got, err := retort.Select(Authors).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]Author{want}, deref(got)); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		if n, err := retort.Select(Books).Count(ctx, env.DB); err != nil || n != 1 {
			t.Errorf("books after the switch: %d, %v; want the one", n, err)
		}
		if st := s.StatusOf(repl); st != session.Persistent {
			t.Errorf("the new object is %v, want persistent", st)
		}
		if st := s.StatusOf(old); st != session.Detached {
			t.Errorf("the deleted object is %v, want detached", st)
		}
		if a, err := session.Get(ctx, s, Authors, int64(1)); err != nil || a != repl {
			t.Errorf("Get(1) = %p, %v; want the new object %p", a, err, repl)
		}
		// Its snapshot is the row: a change is one UPDATE at the next
		// version.
		repl.Name = "cy"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if repl.Version != 3 {
			t.Errorf("version after an update = %d, want 3", repl.Version)
		}

		// The row changed under the session: the switch is stale, and the
		// flush fails leaving both objects as they were.
		if err := session.Delete(s, repl); err != nil {
			t.Fatal(err)
		}
		third := &Author{ID: 1, Name: "dee"}
		if err := session.Add(s, third); err != nil {
			t.Fatal(err)
		}
		if _, err := retort.Update(Authors).Set(AuthorVersion.To(9)).Where(AuthorID.Eq(1)).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(ctx); !errors.Is(err, session.ErrStale) {
			t.Fatalf("switch over a row another writer changed: %v, want ErrStale", err)
		}
		if a, b := s.StatusOf(repl), s.StatusOf(third); a != session.Deleted || b != session.Pending {
			t.Errorf("after the failed flush: deleted object %v, new object %v; want deleted, pending", a, b)
		}
		if third.Version != 0 || third.Name != "dee" {
			t.Errorf("the new object after the failed flush: %+v", *third)
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRowSwitchRollback: a switch rolled back leaves the row as it was and
// the objects as they were when the transaction began (the old one marked
// for deletion, the new one pending), so a later commit switches again.
func TestRowSwitchRollback(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, tables...)
		s := session.New(env.DB)
		old := &Author{ID: 1, Name: "ann"}
		if err := session.Add(s, old); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := session.Delete(s, old); err != nil {
			t.Fatal(err)
		}
		repl := &Author{ID: 1, Name: "bea"}
		if err := session.Add(s, repl); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if a, b := s.StatusOf(old), s.StatusOf(repl); a != session.Deleted || b != session.Pending {
			t.Errorf("after rollback: deleted object %v, new object %v; want deleted, pending", a, b)
		}
		if got, err := retort.Select(Authors).One(ctx, env.DB); err != nil || got.Name != "ann" || got.Version != 1 {
			t.Errorf("row after rollback = %+v, %v; want ann at version 1", got, err)
		}
		if old.Name != "ann" || old.Version != 1 {
			t.Errorf("deleted object after rollback = %+v", *old)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("commit after rollback: %v", err)
		}
		got, err := retort.Select(Authors).One(ctx, env.DB)
		if err != nil || got.Name != "bea" || got.Version != 2 || repl.Version != 2 {
			t.Errorf("row after commit = %+v, %v (object at version %d); want bea at version 2", got, err, repl.Version)
		}
	})
}

func deref[T any](ps []*T) []T {
	out := make([]T, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// Slot records its hooks' calls: a switch is an insert of the new object as
// far as hooks and defaults go, and no delete of the old one.
type Slot struct {
	ID    int64
	Label string
	Shelf string // Default "main"
}

var (
	Slots     = retort.NewTable[Slot]("slot")
	SlotID    = retort.Col(Slots, "id", func(s *Slot) *int64 { return &s.ID }, retort.PrimaryKey())
	SlotLabel = retort.Col(Slots, "label", func(s *Slot) *string { return &s.Label })
	SlotShelf = retort.Col(Slots, "shelf", func(s *Slot) *string { return &s.Shelf }, retort.Default("main"))

	slotLog []string
)

func init() {
	logHook := func(what string) func(context.Context, *Slot) error {
		return func(_ context.Context, s *Slot) error {
			slotLog = append(slotLog, what+" "+s.Label)
			return nil
		}
	}
	session.BeforeInsert(Slots, logHook("before insert"))
	session.AfterInsert(Slots, logHook("after insert"))
	session.BeforeUpdate(Slots, logHook("before update"))
	session.AfterUpdate(Slots, logHook("after update"))
	session.BeforeDelete(Slots, logHook("before delete"))
	session.AfterDelete(Slots, logHook("after delete"))
}

func TestRowSwitchHooksAndDefaults(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Slots)
		s := session.New(env.DB)
		old := &Slot{ID: 1, Label: "a", Shelf: "top"}
		if err := session.Add(s, old); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		slotLog = nil
		if err := session.Delete(s, old); err != nil {
			t.Fatal(err)
		}
		repl := &Slot{ID: 1, Label: "b"}
		if err := session.Add(s, repl); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"before insert b", "after insert b"}, slotLog); diff != "" {
			t.Errorf("hooks (-want +got):\n%s", diff)
		}
		want := Slot{ID: 1, Label: "b", Shelf: "main"}
		if diff := cmp.Diff(want, *repl); diff != "" {
			t.Errorf("the new object (-want +got):\n%s", diff)
		}
		got, err := retort.Select(Slots).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]Slot{want}, deref(got)); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	})
}

// Tally has a generated column: after a switch, the new object holds the
// database's value of it, read back as after an update.
type Tally struct {
	ID    int64
	Qty   int64
	Price int64
	Total int64 // qty * price, the database's
}

var (
	Tallies    = retort.NewTable[Tally]("tally")
	TallyID    = retort.Col(Tallies, "id", func(t *Tally) *int64 { return &t.ID }, retort.PrimaryKey())
	TallyQty   = retort.Col(Tallies, "qty", func(t *Tally) *int64 { return &t.Qty })
	TallyPrice = retort.Col(Tallies, "price", func(t *Tally) *int64 { return &t.Price })
	TallyTotal = retort.Col(Tallies, "total", func(t *Tally) *int64 { return &t.Total }, retort.Generated(`"qty" * "price"`))
)

func TestRowSwitchReadsBack(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Tallies)
		s := session.New(env.DB)
		old := &Tally{ID: 1, Qty: 2, Price: 3}
		if err := session.Add(s, old); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if old.Total != 6 {
			t.Fatalf("total after insert = %d, want 6", old.Total)
		}
		if err := session.Delete(s, old); err != nil {
			t.Fatal(err)
		}
		repl := &Tally{ID: 1, Qty: 5, Price: 7}
		if err := session.Add(s, repl); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if repl.Total != 35 {
			t.Errorf("the new object's total after the switch = %d, want 35 (read back)", repl.Total)
		}
		if s.IsModified(repl) {
			t.Error("the new object is modified after the switch: its snapshot lacks the value read back")
		}
	})
}
