package session_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
	zsqlite "zombiezen.com/go/sqlite"
)

// A flush refused by the database names the statement that failed: its
// operation and table, in a *retort.StatementError, whichever statement of
// the flush it is and however its rows travel (one row; arrays of 1,000
// rows; 2,000 rows by COPY on PostgreSQL, multi-row INSERTs on SQLite; an
// UPDATE; a DELETE). A trigger refuses one operation on one table; after
// it is dropped the same unit of work commits.
func TestFlushErrorNamesStatement(t *testing.T) {
	cases := []struct {
		table, op  string // the trigger's
		newParents int
	}{
		{"fault_parent", "insert", 1},
		{"fault_child", "insert", 1},
		{"fault_parent", "insert", 1000},
		{"fault_child", "insert", 1000},
		{"fault_parent", "update", 1},
		{"fault_child", "delete from", 1},
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, faultTables...)
		seedFault(t, env.DB, 20)
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s %s %d", c.op, c.table, c.newParents), func(t *testing.T) {
				drop := env.Refuse(t, c.table, strings.Fields(strings.ToUpper(c.op))[0])
				defer drop()
				s := session.New(env.DB)
				w := prepareWork(t, ctx, s, c.newParents)
				f := before(t, env.DB, s, faultMaxID, w.all())
				err := s.Commit(ctx)
				env.CheckStatementError(t, err, "session: flush: ", c.op, c.table, "P0001", zsqlite.ResultConstraintTrigger)
				f.unchanged(t, c.op+" "+c.table)
				drop()
				if err := s.Commit(ctx); err != nil {
					t.Fatalf("retry: %v", err)
				}
				w.committed(t, s, env.DB)
			})
		}
	})
}

// LegacyRef maps a string onto a column that an existing schema declares
// uuid, without retort.PGType: PostgreSQL refuses the arrays of such an
// insert when it prepares the statement, before it runs anything.
type LegacyRef struct {
	ID  int64
	Ref string
}

var (
	LegacyRefs   = retort.NewTable[LegacyRef]("legacy_ref")
	LegacyRefID  = retort.Col(LegacyRefs, "id", func(r *LegacyRef) *int64 { return &r.ID }, retort.PrimaryKey())
	LegacyRefRef = retort.Col(LegacyRefs, "ref", func(r *LegacyRef) *string { return &r.Ref })
)

// A statement pgx fails to prepare, in a flush's round trip behind BEGIN
// and other statements, is the one its error names: pgx reports the
// failure for every statement of the round trip.
func TestFlushPrepareErrorNamesStatement(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		skipUnlessPostgres(t, env, "SQLite prepares no types")
		ctx := context.Background()
		env.Create(t, faultTables...)
		seedFault(t, env.DB, 3)
		if _, err := env.DB.Exec(ctx, `CREATE TABLE legacy_ref (id bigserial PRIMARY KEY, ref uuid NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		s := session.New(env.DB)
		parents, err := session.All(ctx, s, retort.Select(FaultParents))
		if err != nil {
			t.Fatal(err)
		}
		parents[0].Balance++
		for i := range 3 {
			if err := session.Add(s, &LegacyRef{Ref: fmt.Sprintf("00000000-0000-0000-0000-00000000000%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		err = s.Commit(ctx)
		env.CheckStatementError(t, err, "session: flush: ", "insert", "legacy_ref", "42804", 0)
	})
}

// A value refused before any SQL is sent, by an INSERT or an UPDATE of a
// flush, is a ColumnError named once: the flush, then the table, column and
// value.
func TestFlushValueErrorNamedOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, faultTables...)
		seedFault(t, env.DB, 3)
		s := session.New(env.DB)
		ps, err := session.All(ctx, s, retort.Select(FaultParents).OrderBy(FaultParentID.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("x", 61)
		check := func(what string, err error) {
			t.Helper()
			want := fmt.Sprintf(`session: flush: retort: table "fault_parent" column "name": value %q: value too long`, long)
			if !errors.Is(err, retort.ErrTooLong) || err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("%s: %v, want it to begin %q", what, err, want)
			}
		}
		old := ps[0].Name
		ps[0].Name = long
		check("update", s.Commit(ctx))
		ps[0].Name = old
		if err := session.Add(s, &FaultParent{Name: long}); err != nil {
			t.Fatal(err)
		}
		check("insert", s.Commit(ctx))
	})
}
