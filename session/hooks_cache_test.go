package session_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// Note's table has hooks registered by TestHookRegisteredAfterFlush only.
type Note struct {
	ID   int64
	Text string
}

var (
	Notes = retort.NewTable[Note]("hook_note")
	_     = retort.Col(Notes, "id", func(m *Note) *int64 { return &m.ID }, retort.PrimaryKey())
	_     = retort.Col(Notes, "text", func(m *Note) *string { return &m.Text })
)

// A session keeps the hooks it looked up for a table, but a hook registered
// after its first flush still runs at its next one.
func TestHookRegisteredAfterFlush(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		env.Create(t, Notes)
		ctx := context.Background()
		s := session.New(env.DB)
		if err := session.Add(s, &Note{Text: "first"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		// Each subtest registers a hook of its own (hooks stay registered).
		var before, after []string
		session.BeforeInsert(Notes, func(_ context.Context, m *Note) error {
			before = append(before, m.Text)
			return nil
		})
		session.AfterInsert(Notes, func(_ context.Context, m *Note) error {
			after = append(after, m.Text)
			return nil
		})
		if err := session.Add(s, &Note{Text: "second"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"second"}, before); diff != "" {
			t.Errorf("before insert (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"second"}, after); diff != "" {
			t.Errorf("after insert (-want +got):\n%s", diff)
		}
	})
}
