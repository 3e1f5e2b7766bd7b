package inherit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
	zsqlite "zombiezen.com/go/sqlite"
)

// A flush of a hierarchy that the database refuses names the statement that
// failed (*retort.StatementError): the UPDATE or DELETE of one table; the
// INSERT of the subclass table on SQLite, of the hierarchy on PostgreSQL,
// where one statement writes every table and is named by the base table
// (PostgreSQL's own message names the subclass's trigger or constraint).
// After the trigger that refused it is dropped, the same unit of work
// commits.
func TestFlushErrorNamesTable(t *testing.T) {
	cases := []struct {
		name     string
		table    string // the trigger's
		refuse   string
		op       string
		pgTable  string // the table named on PostgreSQL, when not table
		change   func(t *testing.T, s *session.Session, fs []*Flight)
		inserted int // flights the change adds
		deleted  int // flights it deletes
	}{
		{"insert 1", "flight", "INSERT", "insert", "ticket", func(t *testing.T, s *session.Session, fs []*Flight) {
			add(t, s, newFlights(1)...)
		}, 1, 0},
		{"insert 3", "flight", "INSERT", "insert", "ticket", func(t *testing.T, s *session.Session, fs []*Flight) {
			add(t, s, newFlights(3)...)
		}, 3, 0},
		{"update", "flight", "UPDATE", "update", "", func(t *testing.T, s *session.Session, fs []*Flight) {
			fs[0].Boards = fs[0].Boards.Add(time.Hour)
			fs[0].Ref = "a0eebc99-9c0b-4ef8-bb6d-999999999999"
		}, 0, 0},
		{"delete 1", "flight", "DELETE", "delete from", "", func(t *testing.T, s *session.Session, fs []*Flight) {
			remove(t, s, fs[:1])
		}, 0, 1},
		{"delete 3 (base)", "ticket", "DELETE", "delete from", "", func(t *testing.T, s *session.Session, fs []*Flight) {
			remove(t, s, fs)
		}, 0, 3},
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, TicketClass.Tables()...)
		s := session.New(env.DB)
		add(t, s, newFlights(3)...)
		mustCommit(t, s)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				drop := env.Refuse(t, c.table, c.refuse)
				defer drop()
				s := session.New(env.DB)
				fs, err := inherit.All(ctx, s, inherit.Select(FlightClass).OrderBy(TicketID.Asc()))
				if err != nil || len(fs) != 3 {
					t.Fatalf("flights: %d, %v", len(fs), err)
				}
				c.change(t, s, fs)
				err = s.Commit(ctx)
				table := c.table
				if env.Dialect == retort.Postgres && c.pgTable != "" {
					table = c.pgTable
				}
				env.CheckStatementError(t, err, "session: flush: ", c.op, table, "P0001", zsqlite.ResultConstraintTrigger)
				if !strings.Contains(err.Error(), "refused by test") {
					t.Errorf("error %q, want it to hold the trigger's message", err)
				}
				drop()
				if err := s.Commit(ctx); err != nil {
					t.Fatalf("retry: %v", err)
				}
				// Put the three flights back for the next case.
				s = session.New(env.DB)
				left, err := inherit.All(ctx, s, inherit.Select(FlightClass).OrderBy(TicketID.Asc()))
				if err != nil {
					t.Fatal(err)
				}
				if want := 3 + c.inserted - c.deleted; len(left) != want {
					t.Fatalf("%d flights after the retry, want %d", len(left), want)
				}
				remove(t, s, left)
				add(t, s, newFlights(3)...)
				mustCommit(t, s)
			})
		}
	})
}

func newFlights(n int) []*Flight {
	out := make([]*Flight, n)
	for i := range out {
		out[i] = &Flight{Ticket: Ticket{Ref: fmt.Sprintf("a0eebc99-9c0b-4ef8-bb6d-%012d", i)},
			Day: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), Boards: time.Date(2026, 12, 7, 9, 30, i, 0, time.UTC)}
	}
	return out
}

func remove(t *testing.T, s *session.Session, fs []*Flight) {
	t.Helper()
	for _, f := range fs {
		if err := session.Delete(s, f); err != nil {
			t.Fatal(err)
		}
	}
}

// A value refused before any SQL is sent, in an UPDATE of a hierarchy's
// table, is a ColumnError named once.
func TestFlushValueErrorNamedOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, TicketClass.Tables()...)
		s := session.New(env.DB)
		f := newFlights(1)[0]
		add(t, s, f)
		mustCommit(t, s)
		f.Ref = "a\x00b"
		err := s.Commit(ctx)
		want := `session: flush: retort: table "ticket" column "ref": value "a\x00b": invalid text`
		if !errors.Is(err, retort.ErrInvalidText) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%v, want it to begin %q", err, want)
		}
	})
}

// A constraint of a subclass's table that refuses an INSERT is named by
// that table on both databases: on PostgreSQL, where one statement writes
// the whole hierarchy, by the table the server names in its error.
func TestInsertConstraintNamesSubclassTable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, TicketClass.Tables()...)
		if _, err := env.DB.Exec(ctx, `CREATE UNIQUE INDEX "ux_flight_boards" ON "flight" ("boards")`); err != nil {
			t.Fatal(err)
		}
		s := session.New(env.DB)
		add(t, s, newFlights(2)...)
		mustCommit(t, s)
		for _, n := range []int{1, 3} {
			s := session.New(env.DB)
			fs := newFlights(n)
			add(t, s, fs...)
			err := s.Commit(ctx)
			env.CheckStatementError(t, err, "session: flush: ", "insert", "flight", "23505", zsqlite.ResultConstraintUnique)
			for _, f := range fs {
				if f.ID != 0 {
					t.Errorf("flight %q has key %d after the failed flush", f.Ref, f.ID)
				}
			}
		}
	})
}
