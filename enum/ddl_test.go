package enum_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
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

// TestGoldenDDL: the DDL of tables using enums, per dialect. Employee, Worker
// and Contract share employee_type, which is created and dropped once; diary's
// enum has a name and values that need quoting.
func TestGoldenDDL(t *testing.T) {
	for _, d := range []retort.Dialect{retort.Postgres, retort.SQLite} {
		var b strings.Builder
		b.WriteString("-- CreateSQL\n")
		for _, s := range retort.CreateSQL(d, Employees, Workers, Contracts, Entries) {
			b.WriteString(s + ";\n")
		}
		b.WriteString("\n-- DropSQL\n")
		for _, s := range retort.DropSQL(d, Employees, Workers, Contracts, Entries) {
			b.WriteString(s + ";\n")
		}
		golden(t, "ddl_"+d.String()+".sql", b.String())
	}
}

// TestGoldenStatements: statements filtering on enum columns bind the codes.
func TestGoldenStatements(t *testing.T) {
	for _, d := range []retort.Dialect{retort.Postgres, retort.SQLite} {
		var b strings.Builder
		for _, c := range []struct {
			name string
			sql  func(retort.Dialect) (string, []any, error)
		}{
			{"eq", retort.Select(Workers).Where(WorkerType.Eq(PartTime)).SQL},
			{"in", retort.Select(Workers).Where(WorkerType.In(FullTime, Contractor), WorkerPriority.In(Low, Urgent)).SQL},
			{"update", retort.Update(Workers).Set(WorkerType.To(Contractor)).Where(WorkerPriority.Eq(Normal)).SQL},
		} {
			sql, args, err := c.sql(d)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			b.WriteString("-- " + c.name + "\n" + sql + "\n-- args: " + formatArgs(args) + "\n\n")
		}
		golden(t, "statements_"+d.String()+".sql", b.String())
	}
}

func formatArgs(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			parts[i] = fmt.Sprintf("%q", v)
		case []any:
			parts[i] = "[" + formatArgs(v) + "]"
		default:
			parts[i] = fmt.Sprintf("%v (%T)", v, v)
		}
	}
	return strings.Join(parts, ", ")
}
