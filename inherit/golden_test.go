package inherit_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

type goldenCase struct {
	name, why string
	build     func(d retort.Dialect) ([]retort.BatchItem, error)
}

func query(sql func(retort.Dialect) (string, []any, error)) func(retort.Dialect) ([]retort.BatchItem, error) {
	return func(d retort.Dialect) ([]retort.BatchItem, error) {
		s, args, err := sql(d)
		return []retort.BatchItem{{SQL: s, Args: args}}, err
	}
}

func insert(objs ...any) func(retort.Dialect) ([]retort.BatchItem, error) {
	return func(d retort.Dialect) ([]retort.BatchItem, error) { return EmployeeClass.Mapper().Insert(d, objs) }
}

func people(objs ...any) func(retort.Dialect) ([]retort.BatchItem, error) {
	return func(d retort.Dialect) ([]retort.BatchItem, error) { return PersonClass.Mapper().Insert(d, objs) }
}

var goldenCases = []goldenCase{
	{"polymorphic base", "every subclass table LEFT JOINed, with a flag per table",
		query(inherit.Select(EmployeeClass).SQL)},
	{"polymorphic select-in", "the base table only; follow-ups load the subclasses",
		query(inherit.Select(EmployeeClass).SelectIn().SQL)},
	{"subclass with predicates", "base and subclass columns in one WHERE, order, limit, offset",
		query(inherit.Select(BossClass).Where(EmployeeName.Eq("Bob"), BossGolfAverage.Lt(retort.MustDecimal("90"))).OrderBy(BossGolfAverage.Desc()).Limit(10).Offset(5).SQL)},
	{"middle class", "Manager: person and manager joined, executive LEFT JOINed",
		query(inherit.Select(ManagerClass).Where(ManagerBudget.Gt(10)).SQL)},
	{"deepest class", "three tables joined along the key",
		query(inherit.Select(ExecutiveClass).SQL)},
	{"insert bosses", "PostgreSQL: one statement, base rows with keys from the sequence, boss rows joined by ordinal; SQLite: one base INSERT a row (fewer than 50 generated keys), then the boss rows in one",
		insert(&Boss{Employee: Employee{Name: "b1"}, GolfAverage: retort.MustDecimal("80")}, &Boss{Employee: Employee{Name: "b2"}})},
	{"insert mixed", "employee, boss and grunt rows of one flush: one statement on PostgreSQL",
		insert(&Employee{Name: "e"}, &Boss{Employee: Employee{Name: "b"}}, &Grunt{Employee: Employee{Name: "g"}, EmployerID: ptr(int64(7))})},
	{"insert three levels", "an executive writes person, manager and executive rows; the intern's own key field is filled from the base key",
		people(&Executive{Manager: Manager{Person: Person{Name: "x"}, Title: ptr("CEO")}, Perks: []byte{}}, &Intern{Person: Person{Name: "i"}})},
}

func formatItems(b *strings.Builder, items []retort.BatchItem) {
	for _, it := range items {
		b.WriteString(it.SQL)
		b.WriteString(";\n")
		fmt.Fprintf(b, "-- args: %v\n", it.Args)
	}
}

func TestGoldenSQL(t *testing.T) {
	for _, d := range []retort.Dialect{retort.Postgres, retort.SQLite} {
		var b strings.Builder
		for _, c := range goldenCases {
			fmt.Fprintf(&b, "-- %s: %s\n", c.name, c.why)
			items, err := c.build(d)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			formatItems(&b, items)
			b.WriteString("\n")
		}
		golden(t, "statements_"+d.String()+".sql", b.String())
	}
}

// TestGoldenSession records what a session sends on SQLite: updates of
// the changed tables only, the select-in follow-ups, deletes.
func TestGoldenSession(t *testing.T) {
	ctx := context.Background()
	rec := &recorder{}
	env := dbtest.OpenSQLite(t, dbtest.Options{Tracer: rec})
	env.Create(t, append(EmployeeClass.Tables(), PersonClass.Tables()...)...)
	rec.take()
	var b strings.Builder
	step := func(name string, fn func() error) {
		t.Helper()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fmt.Fprintf(&b, "-- %s\n", name)
		for _, s := range rec.take() {
			b.WriteString(s + ";\n")
		}
		b.WriteString("\n")
	}
	s := session.New(env.DB)
	boss := &Boss{Employee: Employee{Name: "Bob"}}
	grunt := &Grunt{Employee: Employee{Name: "Gus"}, Employer: boss}
	x := &Executive{Manager: Manager{Person: Person{Name: "Xena"}}, Perks: []byte{}}
	step("insert: base rows, then subclass rows, per table", func() error {
		for _, err := range []error{session.Add(s, boss), session.Add(s, grunt), session.Add(s, x)} {
			if err != nil {
				return err
			}
		}
		return s.Commit(ctx)
	})
	step("update: only the tables whose columns changed", func() error {
		boss.GolfAverage = retort.MustDecimal("70")
		grunt.Name = "Gustav"
		x.Budget, x.Bonus = 5, retort.MustDecimal("1")
		return s.Commit(ctx)
	})
	step("select-in: the base query, then one query per subclass present", func() error {
		_, err := inherit.Select(PersonClass).SelectIn().Poly(ctx, env.DB)
		if err != nil {
			return err
		}
		_, err = inherit.Select(EmployeeClass).SelectIn().Poly(ctx, env.DB)
		return err
	})
	step("delete: subclass rows first", func() error {
		for _, err := range []error{session.Delete(s, grunt), session.Delete(s, x)} {
			if err != nil {
				return err
			}
		}
		return s.Commit(ctx)
	})
	golden(t, "session_sqlite.sql", b.String())
}
