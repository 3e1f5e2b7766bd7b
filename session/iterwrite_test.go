package session_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// TestFlushWhileIterating flushes and commits inside a loop over Iter on
// the session's transaction: both are refused with ErrRowsOpen before
// anything starts, the loop reads every row, and the commit after it
// writes each change once. Before, SQLite ran the flush (the loop then read
// the rows it inserted, without end) and PostgreSQL failed it with "conn
// busy" and rolled the transaction back.
func TestFlushWhileIterating(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Authors, Books)
		s := session.New(env.DB)
		for i := range 3 {
			if err := session.Add(s, &Author{Name: fmt.Sprint("a", i)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Flush(ctx); err != nil { // the transaction is open
			t.Fatal(err)
		}
		var seen []string
		for a, err := range session.Iter(ctx, s, retort.Select(Authors).OrderBy(AuthorID.Asc())) {
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, a.Name)
			if err := session.Add(s, &Author{Name: a.Name + "x"}); err != nil {
				t.Fatal(err)
			}
			email := a.Name + "@example.com"
			a.Email = &email
			env.Count.Reset()
			if err := s.Flush(ctx); !errors.Is(err, retort.ErrRowsOpen) {
				t.Errorf("flush inside the loop: %v, want ErrRowsOpen", err)
			}
			if err := s.Commit(ctx); !errors.Is(err, retort.ErrRowsOpen) {
				t.Errorf("commit inside the loop: %v, want ErrRowsOpen", err)
			}
			if n := env.Count.RoundTrips(); n != 0 {
				t.Errorf("%d round trips for refused flushes, want 0", n)
			}
			if !s.InTransaction() {
				t.Errorf("the transaction ended inside the loop")
			}
		}
		if want := []string{"a0", "a1", "a2"}; !cmp.Equal(seen, want) {
			t.Errorf("the loop read %q, want %q", seen, want)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		type row struct {
			Name  string
			Email string
		}
		var got []row
		for a, err := range retort.Select(Authors).OrderBy(AuthorName.Asc()).Iter(ctx, env.DB) {
			if err != nil {
				t.Fatal(err)
			}
			r := row{Name: a.Name}
			if a.Email != nil {
				r.Email = *a.Email
			}
			got = append(got, r)
		}
		want := []row{{"a0", "a0@example.com"}, {"a0x", ""}, {"a1", "a1@example.com"}, {"a1x", ""}, {"a2", "a2@example.com"}, {"a2x", ""}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rows after commit (-want +got):\n%s", diff)
		}

		// With no transaction open, Iter reads on a connection of its own
		// and the flushes inside the loop run on another one.
		n := 0
		for a, err := range session.Iter(ctx, s, retort.Select(Authors)) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n > len(want) {
				t.Fatalf("the loop read %d rows, more than the table held", n)
			}
			if err := session.Add(s, &Author{Name: a.Name + "y"}); err != nil {
				t.Fatal(err)
			}
			if err := s.Flush(ctx); err != nil {
				t.Fatalf("flush inside a loop outside a transaction: %v", err)
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if c, err := retort.Select(Authors).Count(ctx, env.DB); n != len(want) || err != nil || c != int64(2*len(want)) {
			t.Errorf("read %d rows, then %d rows, %v; want %d, then %d", n, c, err, len(want), 2*len(want))
		}
	})
}
