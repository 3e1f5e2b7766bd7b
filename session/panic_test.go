package session_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/postgres"
	"github.com/retort-orm/retort/session"
)

// A Fuse's BeforeInsert hook panics for a fuse marked so.
type Fuse struct {
	ID    int64
	Name  string
	Blows bool
}

var (
	Fuses  = retort.NewTable[Fuse]("fuse")
	FuseID = retort.Col(Fuses, "id", func(f *Fuse) *int64 { return &f.ID }, retort.PrimaryKey())
	_      = retort.Col(Fuses, "name", func(f *Fuse) *string { return &f.Name })
	_      = retort.Col(Fuses, "blows", func(f *Fuse) *bool { return &f.Blows })
)

func init() {
	session.BeforeInsert(Fuses, func(_ context.Context, f *Fuse) error {
		if f.Blows {
			panic("fuse blown: " + f.Name)
		}
		return nil
	})
}

// TestFlushPanicRollsBack: a panic inside a flush (here in a hook, after
// the flush has begun its transaction and sent a statement) goes on to the
// caller, but first the flush fails as it would on an error: the
// transaction is rolled back, its connection is back in the pool, nothing
// is written, and the objects are as before, so that the session can go
// on (as a server that recovers panics would use it).
func TestFlushPanicRollsBack(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Fuses)
		s := session.New(env.DB)
		early := &Fuse{Name: "early"}
		if err := session.Add(s, early); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(ctx); err != nil { // the transaction is open now
			t.Fatal(err)
		}
		blown := &Fuse{Name: "blown", Blows: true}
		if err := session.Add(s, blown); err != nil {
			t.Fatal(err)
		}
		if got := commitPanic(ctx, s); fmt.Sprint(got) != "fuse blown: blown" {
			t.Fatalf("the commit: panic %v, want the hook's", got)
		}
		if s.InTransaction() {
			t.Error("after the panic the session is still in its transaction")
		}
		if pg, ok := env.DB.(*postgres.DB); ok {
			if n := pg.Pool().Stat().AcquiredConns(); n != 0 {
				t.Errorf("after the panic %d connections are still taken from the pool", n)
			}
		}
		if n, err := retort.Select(Fuses).Count(ctx, env.DB); err != nil || n != 0 {
			t.Errorf("after the panic: %d rows, %v; want none", n, err)
		}
		if early.ID != 0 || blown.ID != 0 {
			t.Errorf("keys kept after the rollback: %d, %d", early.ID, blown.ID)
		}
		blown.Blows = false
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("the retry: %v", err)
		}
		if n, err := retort.Select(Fuses).Count(ctx, env.DB); err != nil || n != 2 {
			t.Errorf("after the retry: %d rows, %v; want 2", n, err)
		}
	})
}

// A Receipt's AfterInsert hook fails for a receipt marked so.
type Receipt struct {
	ID   int64
	Note string
	Fail bool
}

var (
	Receipts = retort.NewTable[Receipt]("receipt")
	_        = retort.Col(Receipts, "id", func(r *Receipt) *int64 { return &r.ID }, retort.PrimaryKey())
	_        = retort.Col(Receipts, "note", func(r *Receipt) *string { return &r.Note })
	_        = retort.Col(Receipts, "fail", func(r *Receipt) *bool { return &r.Fail })
)

var errAfterInsert = fmt.Errorf("after insert refused")

func init() {
	session.AfterInsert(Receipts, func(_ context.Context, r *Receipt) error {
		if r.Fail && r.Note == "panics" {
			panic("after insert: " + r.Note)
		}
		if r.Fail {
			return errAfterInsert
		}
		return nil
	})
}

// TestHookFailsAfterCommit: when COMMIT travels with the flush's
// statements and an AfterInsert hook then fails (returns an error, or
// panics), the rows are committed: Commit reports the hook's error (the
// panic goes on), but the session keeps the objects as committed
// (persistent, with their keys), so that a second Commit does not insert
// them again.
func TestHookFailsAfterCommit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Receipts)
		s := session.New(env.DB)
		r := &Receipt{Note: "r", Fail: true}
		if err := session.Add(s, r); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); !errors.Is(err, errAfterInsert) {
			t.Fatalf("Commit: %v, want the hook's error", err)
		}
		if n, err := retort.Select(Receipts).Count(ctx, env.DB); err != nil || n != 1 {
			t.Fatalf("after the commit: %d rows, %v; want 1 (it was committed)", n, err)
		}
		if r.ID == 0 || s.InTransaction() {
			t.Errorf("after the commit: key %d, in a transaction %v", r.ID, s.InTransaction())
		}
		r.Fail = false
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := retort.Select(Receipts).Count(ctx, env.DB); err != nil || n != 1 {
			t.Errorf("after a second commit: %d rows, %v; want 1 (no second INSERT)", n, err)
		}

		// The same when the hook panics.
		p := &Receipt{Note: "panics", Fail: true}
		if err := session.Add(s, p); err != nil {
			t.Fatal(err)
		}
		if got := commitPanic(ctx, s); fmt.Sprint(got) != "after insert: panics" {
			t.Fatalf("Commit: panic %v, want the hook's", got)
		}
		p.Fail = false
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := retort.Select(Receipts).Count(ctx, env.DB); err != nil || n != 2 || p.ID == 0 {
			t.Errorf("after the panic and a second commit: %d rows, %v, key %d; want 2 rows", n, err, p.ID)
		}
	})
}

// commitPanic commits s and returns what it panicked with, or nil.
func commitPanic(ctx context.Context, s *session.Session) (p any) {
	defer func() { p = recover() }()
	_ = s.Commit(ctx)
	return nil
}
