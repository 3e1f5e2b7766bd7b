package session_test

import (
	"context"
	"errors"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/postgres"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
)

// TestNilContext passes a nil context.Context to queries, writes, flushes
// and commits, through the session and straight to the database: each
// returns an error matching retort.ErrNilContext and nothing is written; a
// Rollback with it still ends the transaction. Before, each panicked in the
// driver (a nil pointer dereference).
func TestNilContext(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Authors, Books)
		var nilCtx context.Context
		s := session.New(env.DB)
		a := &Author{Name: "kept"}
		if err := session.Add(s, a); err != nil {
			t.Fatal(err)
		}
		for name, f := range map[string]func() error{
			"retort All":    func() error { _, err := retort.Select(Authors).All(nilCtx, env.DB); return err },
			"retort Insert": func() error { return retort.Insert(Authors, &Author{Name: "x"}).Exec(nilCtx, env.DB) },
			"Begin":         func() error { _, err := env.DB.Begin(nilCtx); return err },
			"Open": func() error {
				if env.Dialect == retort.Postgres {
					_, err := postgres.Open(nilCtx, env.URL)
					return err
				}
				_, err := sqlite.Open(nilCtx, ":memory:")
				return err
			},
			"Flush":       func() error { return s.Flush(nilCtx) },
			"Commit":      func() error { return s.Commit(nilCtx) },
			"session All": func() error { _, err := session.All(nilCtx, s, retort.Select(Authors)); return err },
			"Get":         func() error { _, err := session.Get(nilCtx, s, Authors, int64(1)); return err },
			"ExecUpdate": func() error {
				_, err := session.ExecUpdate(nilCtx, s, retort.Update(Authors).Set(AuthorName.To("y")))
				return err
			},
			"ExecDelete": func() error { _, err := session.ExecDelete(nilCtx, s, retort.Delete(Authors)); return err },
			"Iter": func() error {
				for _, err := range session.Iter(nilCtx, s, retort.Select(Authors)) {
					return err
				}
				return nil
			},
		} {
			if err := mustFail(t, name, f); err != nil && !errors.Is(err, retort.ErrNilContext) {
				t.Errorf("%s: %v, want ErrNilContext", name, err)
			}
		}
		if n, err := retort.Select(Authors).Count(ctx, env.DB); err != nil || n != 0 {
			t.Errorf("%d authors written, %v; want none", n, err)
		}
		// The session goes on with a context; a Rollback with nil ends its
		// transaction.
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.Rollback(nilCtx); err != nil {
			t.Errorf("Rollback(nil): %v", err)
		}
		if s.InTransaction() {
			t.Error("the transaction is still open after Rollback(nil)")
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := retort.Select(Authors).Count(ctx, env.DB); err != nil || n != 1 {
			t.Errorf("%d authors after the commit, %v; want 1", n, err)
		}
	})
}
