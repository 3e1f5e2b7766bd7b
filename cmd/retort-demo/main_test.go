package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/retort-orm/retort/internal/dbtest"
)

// runDemo runs the demo with args and returns what it printed.
func runDemo(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("retort-demo %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

// wantLines are lines every run of every scenario prints, whatever the
// database.
var wantLines = []string{
	"== Basics: tables, inserts, typed queries, updates, deletes ==",
	"  ann  ann@example.com     24.99",
	"    5 zoos and 112 animals (100 ticks)",
	"    San Diego Zoo: Tiger, Millipede; Hua Mei's mother is Bai Yun",
	"  *Contracted cy, Contractor, through Acme Temps",
	"report: 100 lines in 1 statements, 1 round trips",
	"  Grunt 99, savings 57839.81, works for Boss 9 (golf average 40)",
	"Child(2) [t1 t3]",
	"read back with eager loading: 3 round trips",
	"  Street 444 park ave. Member Invoice(order 1)",
	"  Street 345 orchard ave Member Client(bob)",
	"  a location of a missing association is refused by the database",
}

func checkOutput(t *testing.T, out string) {
	t.Helper()
	for _, w := range wantLines {
		if !strings.Contains(out, w) {
			t.Errorf("the demo's output lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

// smallProfiles makes the three-profiles workload small for the test.
func smallProfiles(t *testing.T) {
	b, g, n := profileBosses, profileGrunts, profileBatch
	profileBosses, profileGrunts, profileBatch = 20, 100, 10
	t.Cleanup(func() { profileBosses, profileGrunts, profileBatch = b, g, n })
}

// TestDemo runs every scenario on SQLite and, twice (each scenario starts
// by dropping its tables), on PostgreSQL, with -echo.
func TestDemo(t *testing.T) {
	smallProfiles(t)
	t.Run("sqlite", func(t *testing.T) {
		out, _ := runDemo(t)
		checkOutput(t, out)
		if !strings.HasPrefix(out, "database: SQLite :memory:") {
			t.Errorf("the demo does not say which database it uses: %.40q", out)
		}
	})
	t.Run("sqlite file", func(t *testing.T) {
		path := t.TempDir() + "/demo.db"
		runDemo(t, "-db", path, "-run", "zoo,polyassoc")
		out, _ := runDemo(t, "-db", path, "-run", "zoo,polyassoc") // again, on the tables left behind
		if !strings.Contains(out, "Street 444 park ave. Member Invoice(order 1)") {
			t.Errorf("second run on a file: %s", out)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		url := dbtest.PostgresURL(t)
		for range 2 {
			out, echo := runDemo(t, "-db", url, "-echo")
			checkOutput(t, out)
			if !strings.Contains(out, "database: PostgreSQL, schema retort_demo") {
				t.Errorf("the demo does not say which database it uses")
			}
			if !strings.Contains(echo, `msg="retort: sql"`) || !strings.Contains(echo, "INSERT INTO") {
				t.Errorf("-echo printed no SQL on stderr:\n%.500s", echo)
			}
		}
	})
}

func TestDemoFlags(t *testing.T) {
	out, _ := runDemo(t, "-list")
	for _, name := range []string{"basics", "zoo", "enum", "profiles", "magic", "polyassoc"} {
		if !strings.Contains(out, name+" ") {
			t.Errorf("-list lacks %s:\n%s", name, out)
		}
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-run", "nosuch"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), `no scenario "nosuch"`) {
		t.Errorf("-run nosuch: %v", err)
	}
	err = run(context.Background(), []string{"-db", "postgres://u:secret@[::1"}, &stdout, &stderr)
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("malformed URL: %v (the password must not appear)", err)
	}
}
