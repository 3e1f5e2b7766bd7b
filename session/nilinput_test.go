package session_test

import (
	"context"
	"errors"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// TestNilInputs passes nil where a session, a query, an object or a
// database belongs: each call returns an error and none panics. Before,
// Merge of a nil object, All/First/One/Iter of a nil query, any call on a
// nil *Session and a flush or query of a session made with New(nil)
// panicked with a nil pointer dereference.
func TestNilInputs(t *testing.T) {
	ctx := context.Background()
	calls := func(s *session.Session) map[string]func() error {
		return map[string]func() error{
			"Merge nil": func() error { _, err := session.Merge(ctx, s, (*Author)(nil)); return err },
			"All nil":   func() error { _, err := session.All[Author](ctx, s, nil); return err },
			"First nil": func() error { _, err := session.First[Author](ctx, s, nil); return err },
			"One nil":   func() error { _, err := session.One[Author](ctx, s, nil); return err },
			"Iter nil": func() error {
				for _, err := range session.Iter[Author](ctx, s, nil) {
					return err
				}
				return nil
			},
		}
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		env.Create(t, Authors, Books)
		s := session.New(env.DB)
		for name, f := range calls(s) {
			mustFail(t, name, f)
		}
		if n := s.Len(); n != 0 {
			t.Errorf("the session holds %d objects after the refused calls, want 0", n)
		}
		// The session still works.
		if err := session.Add(s, &Author{Name: "after"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("nil session", func(t *testing.T) {
		var s *session.Session
		for name, f := range calls(s) {
			mustFail(t, name, f)
		}
		mustFail(t, "Add", func() error { return session.Add(s, &Author{}) })
		mustFail(t, "Flush", func() error { return s.Flush(ctx) })
		mustFail(t, "Commit", func() error { return s.Commit(ctx) })
		mustFail(t, "Get", func() error { _, err := session.Get(ctx, s, Authors, int64(1)); return err })
	})
	t.Run("nil DB", func(t *testing.T) {
		s := session.New(nil)
		a := &Author{Name: "kept"}
		if err := session.Add(s, a); err != nil {
			t.Fatal(err) // holding objects needs no database
		}
		for name, f := range map[string]func() error{
			"Flush":  func() error { return s.Flush(ctx) },
			"Commit": func() error { return s.Commit(ctx) },
			"All":    func() error { _, err := session.All(ctx, s, retort.Select(Authors)); return err },
			"Get":    func() error { _, err := session.Get(ctx, s, Authors, int64(7)); return err },
			"Iter": func() error {
				for _, err := range session.Iter(ctx, s, retort.Select(Authors)) {
					return err
				}
				return nil
			},
		} {
			if err := mustFail(t, name, f); err != nil && !errors.Is(err, session.ErrNoDB) {
				t.Errorf("%s: %v, want ErrNoDB", name, err)
			}
		}
		if !s.Contains(a) {
			t.Errorf("the session lost its object")
		}
	})
}

// mustFail calls f, the call called name, and returns its error; a panic or
// no error fails t.
func mustFail(t *testing.T, name string, f func() error) error {
	t.Helper()
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("%s panicked: %v", name, p)
			}
		}()
		err = f()
	}()
	if err == nil {
		t.Errorf("%s: no error", name)
	}
	return err
}
