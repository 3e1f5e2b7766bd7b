package session_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// A BeforeFlush hook runs only for flushes that write something, and it may
// use the session: here it reads the tags (without autoflushing) and adds
// an audit tag, which the same flush writes. Flushing or ending the
// transaction from the hook fails with ErrInBeforeFlush, and nothing is lost.
func TestBeforeFlushHook(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Tags)
		calls := 0
		var seen []int          // tags the hook's query saw, call by call
		var misuse func() error // called by the hook when set
		hook := func(ctx context.Context, s *session.Session) error {
			calls++
			if misuse != nil {
				return misuse()
			}
			tags, err := session.All(ctx, s, retort.Select(Tags))
			if err != nil {
				return err
			}
			seen = append(seen, len(tags))
			return session.Add(s, &Tag{Label: "audit", Uses: int64(calls)})
		}
		s := session.New(env.DB, session.BeforeFlush(hook))
		stored := func() []Tag {
			t.Helper()
			all, err := session.All(ctx, session.New(env.DB), retort.Select(Tags).OrderBy(TagID.Asc()))
			if err != nil {
				t.Fatal(err)
			}
			var out []Tag
			for _, g := range all {
				out = append(out, Tag{Label: g.Label, Uses: g.Uses})
			}
			return out
		}

		a := &Tag{Label: "a"}
		if err := session.Add(s, a); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		want := []Tag{{Label: "a"}, {Label: "audit", Uses: 1}}
		if diff := cmp.Diff(want, stored()); diff != "" {
			t.Errorf("after the first commit (-want +got):\n%s", diff)
		}

		// Nothing to write: neither a query's autoflush nor Commit calls it.
		if _, err := session.All(ctx, s, retort.Select(Tags)); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if calls != 1 {
			t.Errorf("hook called %d times after flushes with nothing to write, want 1", calls)
		}

		// A change: the hook sees the two stored tags and adds a third.
		a.Uses = 5
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int{0, 2}, seen); diff != "" {
			t.Errorf("tags seen by the hook's queries (-want +got):\n%s", diff)
		}
		want = append(want, Tag{Label: "audit", Uses: 2})
		want[0].Uses = 5
		if diff := cmp.Diff(want, stored()); diff != "" {
			t.Errorf("after the change (-want +got):\n%s", diff)
		}

		// Flush, Commit, Rollback and Begin from the hook fail; the change
		// waiting is written once the hook behaves.
		a.Uses = 6
		for name, call := range map[string]func() error{
			"Flush":    func() error { return s.Flush(ctx) },
			"Commit":   func() error { return s.Commit(ctx) },
			"Rollback": func() error { return s.Rollback(ctx) },
			"Begin":    func() error { _, err := s.Begin(ctx); return err },
		} {
			misuse = call
			err := s.Commit(ctx)
			if !errors.Is(err, session.ErrInBeforeFlush) {
				t.Errorf("%s in the hook: Commit returned %v, want ErrInBeforeFlush", name, err)
			}
		}
		misuse = nil
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		want[0].Uses = 6
		want = append(want, Tag{Label: "audit", Uses: int64(calls)})
		if diff := cmp.Diff(want, stored()); diff != "" {
			t.Errorf("after the misuse (-want +got):\n%s", diff)
		}
		if calls != 7 {
			t.Errorf("hook called %d times, want 7", calls)
		}
	})
}
