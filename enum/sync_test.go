package enum_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/enum"
	"github.com/retort-orm/retort/internal/dbtest"
)

func mustExec(t *testing.T, db retort.DB, sql string) {
	t.Helper()
	if _, err := db.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestSync: the database has an older declaration of employee_type; Sync
// adds the missing values in declaration order, and rows using them can then
// be written and read.
func TestSync(t *testing.T) {
	env := dbtest.OpenPostgres(t, dbtest.Options{})
	ctx := context.Background()
	mustExec(t, env.DB, `CREATE TYPE "employee_type" AS ENUM ('F')`)
	env.Create(t, Workers) // the existing type is left as it is
	if diff := cmp.Diff([]string{"F"}, pgLabels(t, env.DB, "employee_type")); diff != "" {
		t.Fatalf("labels before Sync (-want +got):\n%s", diff)
	}
	if _, err := env.DB.Exec(ctx, `INSERT INTO "worker" ("name", "type", "priority") VALUES ('bob', 'P', 1)`); err == nil {
		t.Fatal("the old type accepted 'P'")
	}

	added, err := enum.Sync(ctx, env.DB, EmployeeTypes)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]EmployeeType{PartTime, Contractor}, added); diff != "" {
		t.Errorf("added mismatch (-want +got):\n%s", diff)
	}
	// P was added before F, C after it: the type sorts as declared.
	if diff := cmp.Diff([]string{"P", "F", "C"}, pgLabels(t, env.DB, "employee_type")); diff != "" {
		t.Errorf("labels after Sync (-want +got):\n%s", diff)
	}
	seedStaff(t, env.DB)
	got, err := retort.Select(Workers).Where(WorkerType.Eq(PartTime)).OrderBy(WorkerName.Asc()).All(ctx, env.DB)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"bob", "di"}, names(got)); diff != "" {
		t.Errorf("part-timers mismatch (-want +got):\n%s", diff)
	}
	// A second Sync has nothing to do.
	env.Count.Reset()
	added, err = enum.Sync(ctx, env.DB, EmployeeTypes)
	if err != nil || len(added) != 0 {
		t.Errorf("second Sync = %v, %v; want nothing added", added, err)
	}
	if n := env.Count.RoundTrips(); n != 1 {
		t.Errorf("second Sync took %d round trips, want 1 (the read)", n)
	}
	if err := retort.Insert(Workers, &Worker{Name: "eve", Type: Contractor, Priority: Low}).Exec(ctx, env.DB); err != nil {
		skipUnboundEnumArray(t, err)
		t.Fatal(err)
	}
}

// TestSyncQuoting: values with quotes and dollar signs survive ALTER TYPE.
func TestSyncQuoting(t *testing.T) {
	env := dbtest.OpenPostgres(t, dbtest.Options{})
	mustExec(t, env.DB, `CREATE TYPE "mood ""quoted""" AS ENUM ('$enum_$')`)
	added, err := enum.Sync(context.Background(), env.DB, Moods)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Mood{"it's fine", "$enum$"}, added); diff != "" {
		t.Errorf("added mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Moods.Labels(), pgLabels(t, env.DB, `mood "quoted"`)); diff != "" {
		t.Errorf("labels mismatch (-want +got):\n%s", diff)
	}
}

// TestSyncCreatesType: with no type at all, Sync creates it.
func TestSyncCreatesType(t *testing.T) {
	env := dbtest.OpenPostgres(t, dbtest.Options{})
	ctx := context.Background()
	added, err := enum.Sync(ctx, env.DB, EmployeeTypes)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(EmployeeTypes.Values(), added); diff != "" {
		t.Errorf("added mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"P", "F", "C"}, pgLabels(t, env.DB, "employee_type")); diff != "" {
		t.Errorf("labels mismatch (-want +got):\n%s", diff)
	}
	// Something else by that name is reported, not altered.
	mustExec(t, env.DB, `CREATE TABLE "priority_like" ("x" integer)`)
	other := enum.New("priority_like", enum.Value(Code("a"), "A"))
	if _, err := enum.Sync(ctx, env.DB, other); err == nil || !strings.Contains(err.Error(), `"priority_like" exists in the current schema and is not an enum type`) {
		t.Errorf("Sync over a table's row type: %v", err)
	}
}

// TestSyncInTransaction documents PostgreSQL's rule: since PostgreSQL 12,
// ALTER TYPE ... ADD VALUE runs in a transaction, but the new value cannot be
// used before the transaction commits (older servers refuse the ALTER).
func TestSyncInTransaction(t *testing.T) {
	env := dbtest.OpenPostgres(t, dbtest.Options{})
	ctx := context.Background()
	mustExec(t, env.DB, `CREATE TYPE "employee_type" AS ENUM ('F')`)
	env.Create(t, Workers)
	tx, err := env.DB.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	added, err := enum.Sync(ctx, tx, EmployeeTypes)
	if err != nil {
		if strings.Contains(err.Error(), "cannot run inside a transaction block") {
			t.Skipf("PostgreSQL before 12: %v", err)
		}
		t.Fatal(err)
	}
	if len(added) != 2 {
		t.Errorf("added %v in the transaction, want P and C", added)
	}
	_, err = tx.Exec(ctx, `INSERT INTO "worker" ("name", "type", "priority") VALUES ('bob', 'P', 1)`)
	if err == nil || !strings.Contains(err.Error(), "unsafe use of new value") {
		t.Errorf("using a value added in the same transaction: %v, want PostgreSQL's \"unsafe use of new value\"", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// The rollback took the new values with it; Sync outside a transaction
	// adds them for good.
	if diff := cmp.Diff([]string{"F"}, pgLabels(t, env.DB, "employee_type")); diff != "" {
		t.Errorf("labels after rollback (-want +got):\n%s", diff)
	}
	if _, err := enum.Sync(ctx, env.DB, EmployeeTypes); err != nil {
		t.Fatal(err)
	}
	mustExec(t, env.DB, `INSERT INTO "worker" ("name", "type", "priority") VALUES ('bob', 'P', 1)`)
}

// TestSyncUnsupported: where the values are a CHECK constraint, Sync says it
// cannot help and changes nothing.
func TestSyncUnsupported(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Workers)
		added, err := enum.Sync(ctx, env.DB, Priorities)
		want := "enum: sync priority: unsupported operation: an integer enum is a CHECK constraint, not a PostgreSQL type"
		if env.Dialect == retort.SQLite {
			want = "enum: sync priority: unsupported operation: on sqlite an enum is a CHECK constraint, which cannot be altered without rebuilding the table"
		}
		if !errors.Is(err, errors.ErrUnsupported) || len(added) != 0 || err.Error() != want {
			t.Errorf("Sync of an integer enum = %v, %v; want %q", added, err, want)
		}
		if env.Dialect != retort.SQLite {
			return
		}
		_, err = enum.Sync(ctx, env.DB, EmployeeTypes)
		want = "enum: sync employee_type: unsupported operation: on sqlite an enum is a CHECK constraint, which cannot be altered without rebuilding the table"
		if !errors.Is(err, errors.ErrUnsupported) || err.Error() != want {
			t.Errorf("Sync on SQLite = %v, want %q", err, want)
		}
	})
}
