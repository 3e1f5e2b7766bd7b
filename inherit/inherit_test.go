package inherit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

var decimalEq = cmp.Comparer(func(a, b retort.Decimal) bool { return a.Equal(b) })

// statements splits recorded round trips into statements, leaving out
// transaction control.
func statements(trips []string) []string {
	var out []string
	for _, trip := range trips {
		for _, s := range strings.Split(trip, ";\n") {
			switch {
			case strings.HasPrefix(s, "BEGIN"), s == "COMMIT", s == "ROLLBACK", strings.HasPrefix(s, "SAVEPOINT"), strings.HasPrefix(s, "RELEASE"):
				continue
			}
			out = append(out, s)
		}
	}
	return out
}

// verbs is each statement's first words: "INSERT INTO \"boss\"", "UPDATE
// \"employee\"", "WITH" (the PostgreSQL insert), "SELECT".
func verbs(stmts []string) []string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		f := strings.Fields(s)
		switch {
		case len(f) >= 3 && (f[0] == "INSERT" || f[0] == "DELETE"):
			out[i] = strings.Join(f[:3], " ")
		case len(f) >= 2 && f[0] == "UPDATE":
			out[i] = strings.Join(f[:2], " ")
		default:
			out[i] = f[0]
		}
	}
	return out
}

func mustCommit(t *testing.T, s *session.Session) {
	t.Helper()
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// employeesByKey reads every employee row (the base table's), by key.
func employeesByKey(t *testing.T, db retort.DB) map[int64]Employee {
	t.Helper()
	emps, err := retort.Select(Employees).All(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]Employee{}
	for _, x := range emps {
		got[x.ID] = *x
	}
	return got
}

func add[T any](t *testing.T, s *session.Session, objs ...*T) {
	t.Helper()
	for _, o := range objs {
		if err := session.Add(s, o); err != nil {
			t.Fatal(err)
		}
	}
}

// staff inserts an employee, two bosses and two grunts (one per boss).
func staff(t *testing.T, env *dbtest.Env) (*Employee, []*Boss, []*Grunt) {
	t.Helper()
	s := session.New(env.DB)
	e := &Employee{Name: "Ann"}
	b := []*Boss{
		{Employee: Employee{Name: "Bob"}, GolfAverage: retort.MustDecimal("88.50")},
		{Employee: Employee{Name: "Bea"}, GolfAverage: retort.MustDecimal("101.25")},
	}
	g := []*Grunt{
		{Employee: Employee{Name: "Gus"}, Savings: retort.MustDecimal("1234.56"), Employer: b[0]},
		{Employee: Employee{Name: "Gil"}, Savings: retort.MustDecimal("0.01"), Employer: b[1]},
	}
	add(t, s, e)
	add(t, s, b...)
	add(t, s, g...)
	mustCommit(t, s)
	return e, b, g
}

func TestInsertWritesEveryTable(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		e, b, g := staff(t, env)
		if e.ID == 0 || b[0].ID == 0 || g[0].ID == 0 || b[0].ID == g[0].ID {
			t.Fatalf("keys: employee %d boss %d grunt %d", e.ID, b[0].ID, g[0].ID)
		}
		if g[0].EmployerID == nil || *g[0].EmployerID != b[0].ID {
			t.Errorf("grunt employer_id = %v, want the boss's key %d", g[0].EmployerID, b[0].ID)
		}
		emps, err := retort.Select(Employees).OrderBy(EmployeeID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		var got []Employee
		for _, x := range emps {
			got = append(got, *x)
		}
		want := []Employee{
			{ID: e.ID, Name: "Ann", Type: "employee"},
			{ID: b[0].ID, Name: "Bob", Type: "boss"},
			{ID: b[1].ID, Name: "Bea", Type: "boss"},
			{ID: g[0].ID, Name: "Gus", Type: "grunt"},
			{ID: g[1].ID, Name: "Gil", Type: "grunt"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("employee rows (-want +got):\n%s", diff)
		}
		bosses, err := retort.Select(Bosses).OrderBy(BossID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if len(bosses) != 2 || bosses[0].ID != b[0].ID || !bosses[0].GolfAverage.Equal(b[0].GolfAverage) || bosses[1].ID != b[1].ID {
			t.Errorf("boss rows: %+v", bosses)
		}
		grunts, err := retort.Select(Grunts).OrderBy(GruntID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if len(grunts) != 2 || grunts[1].ID != g[1].ID || !grunts[1].Savings.Equal(g[1].Savings) || *grunts[1].EmployerID != b[1].ID {
			t.Errorf("grunt rows: %+v", grunts)
		}
	})
}

// A base table whose key is GENERATED ALWAYS AS IDENTITY on PostgreSQL (a
// schema from a migration, not from CreateTable): a flush of objects of
// several classes whose keys are all drawn writes every table, and a flush
// with a key the program gave meets PostgreSQL's refusal (SQLSTATE 428C9),
// as a one-row INSERT would.
func TestInsertIdentityAlways(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		if env.Dialect == retort.Postgres {
			if _, err := env.DB.Exec(ctx, `ALTER TABLE "employee" ALTER COLUMN "id" SET GENERATED ALWAYS`); err != nil {
				t.Fatal(err)
			}
		}
		s := session.New(env.DB)
		b := &Boss{Employee: Employee{Name: "Bob"}, GolfAverage: retort.MustDecimal("80.00")}
		g := &Grunt{Employee: Employee{Name: "Gus"}, Savings: retort.MustDecimal("5.00"), Employer: b}
		e := &Employee{Name: "Eve"}
		add(t, s, b)
		add(t, s, g)
		add(t, s, e)
		mustCommit(t, s)
		got := employeesByKey(t, env.DB)
		want := map[int64]Employee{
			b.ID: {ID: b.ID, Name: "Bob", Type: "boss"},
			g.ID: {ID: g.ID, Name: "Gus", Type: "grunt"},
			e.ID: {ID: e.ID, Name: "Eve", Type: "employee"},
		}
		if diff := cmp.Diff(want, got); diff != "" || b.ID == 0 || g.ID == 0 || e.ID == 0 {
			t.Errorf("employee rows (-want +got):\n%s", diff)
		}
		if g.EmployerID == nil || *g.EmployerID != b.ID {
			t.Errorf("grunt's employer_id %v, want the boss's key %d", g.EmployerID, b.ID)
		}

		s = session.New(env.DB)
		given := &Boss{Employee: Employee{ID: 500, Name: "Gia"}, GolfAverage: retort.MustDecimal("70.00")}
		drawn := &Boss{Employee: Employee{Name: "Dan"}, GolfAverage: retort.MustDecimal("90.00")}
		add(t, s, given)
		add(t, s, drawn)
		err := s.Commit(ctx)
		if env.Dialect == retort.SQLite {
			if err != nil {
				t.Fatal(err)
			}
			return
		}
		if err == nil || !strings.Contains(err.Error(), "428C9") {
			t.Fatalf("a given key into GENERATED ALWAYS: error %v, want SQLSTATE 428C9", err)
		}
		if drawn.ID != 0 {
			t.Errorf("key %d left in an object whose insert failed", drawn.ID)
		}
		if n, err := retort.Select(Employees).Count(ctx, env.DB); err != nil || n != 3 {
			t.Errorf("%d employee rows after the failed flush (%v), want 3", n, err)
		}
	})
}

// A base table whose key's default is nextval of a sequence it does not
// own (pg_get_serial_sequence finds none): the one statement that writes
// every table finds the sequence through the default.
func TestInsertSequenceNotOwned(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		if env.Dialect == retort.Postgres {
			for _, stmt := range []string{
				`ALTER TABLE "employee" ALTER COLUMN "id" DROP IDENTITY`,
				`CREATE SEQUENCE "shared_ids" START 100`,
				`ALTER TABLE "employee" ALTER COLUMN "id" SET DEFAULT nextval('shared_ids')`,
			} {
				if _, err := env.DB.Exec(ctx, stmt); err != nil {
					t.Fatal(err)
				}
			}
		}
		s := session.New(env.DB)
		b := &Boss{Employee: Employee{Name: "Bob"}, GolfAverage: retort.MustDecimal("80.00")}
		g := &Grunt{Employee: Employee{Name: "Gus"}, Savings: retort.MustDecimal("5.00"), Employer: b}
		add(t, s, b)
		add(t, s, g)
		mustCommit(t, s)
		if b.ID == 0 || g.ID == 0 || b.ID == g.ID || env.Dialect == retort.Postgres && (b.ID < 100 || g.ID < 100) {
			t.Fatalf("keys: boss %d, grunt %d", b.ID, g.ID)
		}
		grunts, err := retort.Select(Grunts).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if len(grunts) != 1 || grunts[0].ID != g.ID || grunts[0].EmployerID == nil || *grunts[0].EmployerID != b.ID {
			t.Errorf("grunt rows: %+v", grunts)
		}
	})
}

// A flush mixing a given key with generated ones: on PostgreSQL the
// statement then carries the array of keys (generated keys alone travel
// without it); every object gets the key of its own rows.
func TestInsertGivenAndGeneratedKeys(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		given := &Boss{Employee: Employee{ID: 500, Name: "Gia"}, GolfAverage: retort.MustDecimal("70.00")}
		drawn := &Boss{Employee: Employee{Name: "Dan"}, GolfAverage: retort.MustDecimal("90.00")}
		g := &Grunt{Employee: Employee{Name: "Gus"}, Savings: retort.MustDecimal("5.00"), Employer: given}
		add(t, s, drawn)
		add(t, s, given)
		add(t, s, g)
		mustCommit(t, s)
		if given.ID != 500 || drawn.ID == 0 || drawn.ID == 500 || g.ID == 0 || g.ID == 500 || g.ID == drawn.ID {
			t.Fatalf("keys: given %d (want 500), drawn %d, grunt %d", given.ID, drawn.ID, g.ID)
		}
		got := employeesByKey(t, env.DB)
		want := map[int64]Employee{
			500:      {ID: 500, Name: "Gia", Type: "boss"},
			drawn.ID: {ID: drawn.ID, Name: "Dan", Type: "boss"},
			g.ID:     {ID: g.ID, Name: "Gus", Type: "grunt"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("employee rows (-want +got):\n%s", diff)
		}
		bosses, err := retort.Select(Bosses).Where(BossID.Eq(500)).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if len(bosses) != 1 || !bosses[0].GolfAverage.Equal(given.GolfAverage) {
			t.Errorf("boss 500's rows: %+v", bosses)
		}
		grunts, err := retort.Select(Grunts).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if len(grunts) != 1 || grunts[0].ID != g.ID || grunts[0].EmployerID == nil || *grunts[0].EmployerID != 500 {
			t.Errorf("grunt rows: %+v", grunts)
		}
	})
}

// One flush of many objects of several classes: on PostgreSQL one
// statement writes every table; on SQLite the base rows go first, one
// INSERT a row below 50 rows of generated keys and one multi-row INSERT ...
// RETURNING from 50 on, then one multi-row INSERT per subclass table. Every
// object, whatever its class, gets the key of its own rows.
func TestInsertBatchedPerTable(t *testing.T) {
	for _, n := range []int{3, 20} { // 10 and 61 base rows
		t.Run(fmt.Sprint(n, " of each class"), func(t *testing.T) {
			runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
				ctx := context.Background()
				s := session.New(env.DB)
				boss := &Boss{Employee: Employee{Name: "Boss"}}
				add(t, s, boss)
				if err := s.Flush(ctx); err != nil {
					t.Fatal(err)
				}
				rec.take()
				env.Count.Reset()
				byName := map[string]*Employee{}
				for i := range n {
					b := &Boss{Employee: Employee{Name: fmt.Sprint("b", i)}, GolfAverage: retort.NewDecimal(int64(i), 0)}
					g := &Grunt{Employee: Employee{Name: fmt.Sprint("g", i)}, EmployerID: &boss.ID}
					e := &Employee{Name: fmt.Sprint("e", i)}
					add(t, s, b)
					add(t, s, g)
					add(t, s, e)
					byName[b.Name], byName[g.Name], byName[e.Name] = &b.Employee, &g.Employee, e
				}
				last := &Grunt{Employee: Employee{Name: "last"}, Employer: boss}
				add(t, s, last)
				byName[last.Name] = &last.Employee
				if err := s.Flush(ctx); err != nil {
					t.Fatal(err)
				}
				got := verbs(statements(rec.take()))
				var want []string
				if env.Dialect == retort.Postgres {
					want = []string{"WITH"}
					if trips := env.Count.RoundTrips(); trips != 1 {
						t.Errorf("round trips = %d, want 1", trips)
					}
				} else {
					base := 1 // one multi-row INSERT
					if rows := 3*n + 1; rows < 50 {
						base = rows // one INSERT a row
					}
					for range base {
						want = append(want, `INSERT INTO "employee"`)
					}
					want = append(want, `INSERT INTO "boss"`, `INSERT INTO "grunt"`)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("statements (-want +got):\n%s", diff)
				}
				mustCommit(t, s)
				rows, err := retort.Select(Employees).All(ctx, env.DB)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rows {
					if e, ok := byName[r.Name]; ok && (e.ID != r.ID || e.Type != r.Type) {
						t.Errorf("%s: object has key %d type %q, its row %d %q", r.Name, e.ID, e.Type, r.ID, r.Type)
					}
				}
				if len(rows) != 3*n+2 {
					t.Errorf("employees = %d; want %d", len(rows), 3*n+2)
				}
				c, err := retort.Select(Grunts).Where(GruntEmployer.Eq(boss.ID)).Count(ctx, env.DB)
				if err != nil || c != int64(n+1) {
					t.Errorf("grunts of the boss = %d, %v; want %d", c, err, n+1)
				}
				c, err = retort.Select(Bosses).Where(BossGolfAverage.Eq(retort.NewDecimal(int64(n-1), 0))).Count(ctx, env.DB)
				if err != nil || c != 1 {
					t.Errorf("bosses with golf average %d = %d, %v; want 1", n-1, c, err)
				}
			})
		})
	}
}

func TestPolymorphicStrategies(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		e, b, g := staff(t, env)
		want := []any{
			&Employee{ID: e.ID, Name: "Ann", Type: "employee"},
			&Boss{Employee: Employee{ID: b[0].ID, Name: "Bob", Type: "boss"}, GolfAverage: retort.MustDecimal("88.5")},
			&Boss{Employee: Employee{ID: b[1].ID, Name: "Bea", Type: "boss"}, GolfAverage: retort.MustDecimal("101.25")},
			&Grunt{Employee: Employee{ID: g[0].ID, Name: "Gus", Type: "grunt"}, Savings: retort.MustDecimal("1234.56"), EmployerID: ptr(b[0].ID)},
			&Grunt{Employee: Employee{ID: g[1].ID, Name: "Gil", Type: "grunt"}, Savings: retort.MustDecimal("0.01"), EmployerID: ptr(b[1].ID)},
		}
		for _, tc := range []struct {
			name  string
			q     *inherit.Query[Employee, string]
			trips int64
		}{
			{"joined", inherit.Select(EmployeeClass), 1},
			{"select-in", inherit.Select(EmployeeClass).SelectIn(), 3}, // employee, then boss, then grunt
		} {
			t.Run(tc.name, func(t *testing.T) {
				env.Count.Reset()
				got, err := tc.q.OrderBy(EmployeeID.Asc()).Poly(ctx, env.DB)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got, decimalEq); diff != "" {
					t.Errorf("Poly (-want +got):\n%s", diff)
				}
				if n := env.Count.RoundTrips(); n != tc.trips {
					t.Errorf("round trips = %d, want %d", n, tc.trips)
				}
				// All returns *Employee: the embedded part of each object.
				all, err := tc.q.OrderBy(EmployeeName.Desc()).All(ctx, env.DB)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, x := range all {
					names = append(names, x.Name+"/"+x.Type)
				}
				if diff := cmp.Diff([]string{"Gus/grunt", "Gil/grunt", "Bob/boss", "Bea/boss", "Ann/employee"}, names); diff != "" {
					t.Errorf("All (-want +got):\n%s", diff)
				}
				// Through a session the objects are identity-mapped.
				s := session.New(env.DB)
				first, err := inherit.Poly(ctx, s, tc.q.Where(EmployeeName.In("Bob", "Gil")).OrderBy(EmployeeID.Asc()))
				if err != nil {
					t.Fatal(err)
				}
				again, err := inherit.Poly(ctx, s, tc.q.OrderBy(EmployeeID.Asc()))
				if err != nil {
					t.Fatal(err)
				}
				if len(first) != 2 || len(again) != 5 || again[1] != first[0] || again[4] != first[1] {
					t.Errorf("second query did not return the objects of the first: %v %v", first, again)
				}
				if _, ok := again[1].(*Boss); !ok {
					t.Errorf("again[1] is a %T", again[1])
				}
			})
		}
	})
}

// Predicates and order may use base and subclass columns alike.
func TestSubclassQuery(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		_, b, g := staff(t, env)
		for _, selectIn := range []bool{false, true} {
			q := inherit.Select(BossClass).Where(retort.Like(EmployeeName, "B%"), BossGolfAverage.Gt(retort.MustDecimal("90")))
			if selectIn {
				q = q.SelectIn()
			}
			got, err := q.All(ctx, env.DB)
			if err != nil {
				t.Fatal(err)
			}
			want := []*Boss{{Employee: Employee{ID: b[1].ID, Name: "Bea", Type: "boss"}, GolfAverage: retort.MustDecimal("101.25")}}
			if diff := cmp.Diff(want, got, decimalEq); diff != "" {
				t.Errorf("bosses (-want +got):\n%s", diff)
			}
			one, err := inherit.Select(GruntClass).Where(GruntSavings.Lt(retort.MustDecimal("1")), EmployeeName.Ne("x")).One(ctx, env.DB)
			if err != nil || one.ID != g[1].ID || one.Name != "Gil" || *one.EmployerID != b[1].ID {
				t.Errorf("One grunt = %+v, %v", one, err)
			}
			_, err = inherit.Select(BossClass).Where(EmployeeName.Eq("Gus")).First(ctx, env.DB)
			if !errors.Is(err, retort.ErrNoRows) {
				t.Errorf("First of no boss: %v, want ErrNoRows", err)
			}
			_, err = inherit.Select(BossClass).One(ctx, env.DB)
			if !errors.Is(err, retort.ErrTooManyRows) {
				t.Errorf("One of two bosses: %v, want ErrTooManyRows", err)
			}
		}
		page, err := inherit.Select(GruntClass).OrderBy(GruntSavings.Desc()).Limit(1).Offset(1).All(ctx, env.DB)
		if err != nil || len(page) != 1 || page[0].Name != "Gil" {
			t.Errorf("second grunt by savings: %v, %v", page, err)
		}
		page, err = inherit.Select(GruntClass).OrderBy(GruntSavings.Desc()).Offset(1).All(ctx, env.DB)
		if err != nil || len(page) != 1 || page[0].Name != "Gil" {
			t.Errorf("offset without limit: %v, %v", page, err)
		}
	})
}

func TestIdentityMap(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		b := &Boss{Employee: Employee{Name: "Bob"}, GolfAverage: retort.MustDecimal("80")}
		add(t, s, b)
		mustCommit(t, s)
		env.Count.Reset()
		emp, err := inherit.Get(ctx, s, EmployeeClass, b.ID)
		if err != nil || emp != &b.Employee {
			t.Errorf("Get(Employee, boss id) = %p, %v; want the boss's embedded Employee %p", emp, err, &b.Employee)
		}
		poly, err := inherit.GetPoly(ctx, s, EmployeeClass, int(b.ID)) // an int key for an int64 column
		if err != nil || poly != any(b) {
			t.Errorf("GetPoly = %v, %v; want the *Boss", poly, err)
		}
		same, err := session.Get(ctx, s, Bosses, b.ID)
		if err != nil || same != b {
			t.Errorf("session.Get(Bosses) = %p, %v; want %p", same, err, b)
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("gets of a loaded object took %d round trips", n)
		}
		if _, err := inherit.Get(ctx, s, GruntClass, b.ID); !errors.Is(err, retort.ErrNoRows) {
			t.Errorf("Get(Grunt, boss id): %v, want ErrNoRows", err)
		}
		if _, err := inherit.Get(ctx, s, EmployeeClass, "x"); err == nil {
			t.Error("Get with a string key: want an error")
		}

		// A new session loads the row as its most specific class, once.
		s2 := session.New(env.DB)
		env.Count.Reset()
		got, err := inherit.GetPoly(ctx, s2, EmployeeClass, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		b2, ok := got.(*Boss)
		if !ok || b2.Name != "Bob" || !b2.GolfAverage.Equal(b.GolfAverage) || b2.Type != "boss" {
			t.Fatalf("loaded %#v", got)
		}
		if n := env.Count.RoundTrips(); n != 1 {
			t.Errorf("load took %d round trips", n)
		}
		all, err := inherit.All(ctx, s2, inherit.Select(BossClass))
		if err != nil || len(all) != 1 || all[0] != b2 {
			t.Errorf("query after Get: %v, %v; want the loaded object", all, err)
		}
		if _, err := inherit.GetPoly(ctx, s2, EmployeeClass, int64(1<<40)); !errors.Is(err, retort.ErrNoRows) {
			t.Errorf("GetPoly of a missing key: %v, want ErrNoRows", err)
		}
		// Changes through a view are changes of the object.
		emp2, _ := inherit.Get(ctx, s2, EmployeeClass, b.ID)
		emp2.Name = "Robert"
		if !s2.IsModified(b2) {
			t.Error("renaming through the Employee view did not modify the boss")
		}
		mustCommit(t, s2)
		name, err := retort.Select1(EmployeeName).From(Employees).Where(EmployeeID.Eq(b.ID)).One(ctx, env.DB)
		if err != nil || name != "Robert" {
			t.Errorf("name after commit = %q, %v", name, err)
		}
	})
}

func TestUpdateTouchesChangedTables(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		b := &Boss{Employee: Employee{Name: "Bob"}, GolfAverage: retort.MustDecimal("80")}
		add(t, s, b)
		mustCommit(t, s)
		flush := func() []string {
			t.Helper()
			rec.take()
			if err := s.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			return verbs(statements(rec.take()))
		}
		b.GolfAverage = retort.MustDecimal("79.5")
		if diff := cmp.Diff([]string{`UPDATE "boss"`}, flush()); diff != "" {
			t.Errorf("golf changed (-want +got):\n%s", diff)
		}
		b.Name = "Robert"
		if diff := cmp.Diff([]string{`UPDATE "employee"`}, flush()); diff != "" {
			t.Errorf("name changed (-want +got):\n%s", diff)
		}
		b.Name, b.GolfAverage = "Rob", retort.MustDecimal("70")
		if diff := cmp.Diff([]string{`UPDATE "boss"`, `UPDATE "employee"`}, flush()); diff != "" {
			t.Errorf("both changed (-want +got):\n%s", diff)
		}
		if got := flush(); len(got) != 0 {
			t.Errorf("nothing changed, yet: %v", got)
		}
		mustCommit(t, s)
		got, err := inherit.Select(BossClass).One(ctx, env.DB)
		if err != nil || got.Name != "Rob" || !got.GolfAverage.Equal(retort.MustDecimal("70")) {
			t.Errorf("after updates: %+v, %v", got, err)
		}

		// The class of a persistent object is fixed.
		b.Type = "grunt"
		err = s.Flush(ctx)
		if !errors.Is(err, inherit.ErrClassChange) {
			t.Fatalf("flush after changing the discriminator: %v, want ErrClassChange", err)
		}
		var ce *retort.ColumnError
		if !errors.As(err, &ce) || ce.Table != "employee" || ce.Column != "type" || ce.Value != "grunt" {
			t.Errorf("error %v does not name table, column and value", err)
		}
		b.Type = "boss"
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("commit after fixing the discriminator: %v", err)
		}
	})
}

func TestDeleteSubclassRowsFirst(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		b := &Boss{Employee: Employee{Name: "Bob"}}
		g := &Grunt{Employee: Employee{Name: "Gus"}, Employer: b}
		g2 := &Grunt{Employee: Employee{Name: "Gil"}}
		e := &Employee{Name: "Ann"}
		add(t, s, b)
		add(t, s, g, g2)
		add(t, s, e)
		mustCommit(t, s)
		for _, err := range []error{session.Delete(s, g), session.Delete(s, b), session.Delete(s, e), session.Delete(s, g2)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		rec.take()
		mustCommit(t, s)
		want := []string{`DELETE FROM "grunt"`, `DELETE FROM "boss"`, `DELETE FROM "employee"`}
		if diff := cmp.Diff(want, verbs(statements(rec.take()))); diff != "" {
			t.Errorf("deletes (-want +got):\n%s", diff)
		}
		for _, tb := range []retort.Schema{Employees, Bosses, Grunts} {
			var n int64
			rows, err := env.DB.Query(ctx, "SELECT count(*) FROM "+retort.QuoteIdent(tb.Info().Name))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				if err := rows.Scan(&n); err != nil {
					t.Fatal(err)
				}
			}
			rows.Close()
			if n != 0 {
				t.Errorf("%s has %d rows left", tb.Info().Name, n)
			}
		}
		if got := s.StatusOf(b); got != session.Detached {
			t.Errorf("deleted boss is %v", got)
		}
	})
}

// Employee → Manager → Executive, with an integer discriminator, a NULL-able
// column, bytes, and an Intern whose key field is its own.
func TestMultiLevel(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		p := &Person{Name: "Pat"}
		m := &Manager{Person: Person{Name: "Max"}, Budget: 1000}
		x := &Executive{Manager: Manager{Person: Person{Name: "Xena"}, Budget: 9000, Title: ptr("CEO")}, Bonus: retort.MustDecimal("12.50"), Perks: []byte("car")}
		in := &Intern{Person: Person{Name: "Ian"}, School: "MIT"}
		add(t, s, p)
		add(t, s, m)
		add(t, s, x)
		add(t, s, in)
		mustCommit(t, s)
		if x.Kind != 3 || m.Kind != 2 || p.Kind != 1 || in.Kind != 4 {
			t.Errorf("discriminators %d %d %d %d", p.Kind, m.Kind, x.Kind, in.Kind)
		}
		if in.InternID != in.ID || in.ID == 0 {
			t.Errorf("intern key field %d, person id %d", in.InternID, in.ID)
		}
		want := []any{
			&Person{ID: p.ID, Name: "Pat", Kind: 1},
			&Manager{Person: Person{ID: m.ID, Name: "Max", Kind: 2}, Budget: 1000},
			&Executive{Manager: Manager{Person: Person{ID: x.ID, Name: "Xena", Kind: 3}, Budget: 9000, Title: ptr("CEO")}, Bonus: retort.MustDecimal("12.5"), Perks: []byte("car")},
			&Intern{Person: Person{ID: in.ID, Name: "Ian", Kind: 4}, InternID: in.ID, School: "MIT"},
		}
		for _, q := range []*inherit.Query[Person, int16]{inherit.Select(PersonClass), inherit.Select(PersonClass).SelectIn()} {
			got, err := q.OrderBy(PersonID.Asc()).Poly(ctx, env.DB)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, decimalEq); diff != "" {
				t.Errorf("Poly (-want +got):\n%s", diff)
			}
		}
		// A middle class: managers and executives, as *Manager.
		for i, q := range []*inherit.Query[Manager, int16]{inherit.Select(ManagerClass), inherit.Select(ManagerClass).SelectIn()} {
			s2 := session.New(env.DB)
			mgrs, err := inherit.All(ctx, s2, q.Where(ManagerBudget.Gt(10)).OrderBy(PersonName.Asc()))
			if err != nil {
				t.Fatal(err)
			}
			if len(mgrs) != 2 || mgrs[0].Name != "Max" || mgrs[1].Name != "Xena" || *mgrs[1].Title != "CEO" {
				t.Fatalf("managers: %+v", mgrs)
			}
			exec, err := inherit.GetPoly(ctx, s2, PersonClass, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			if xe, ok := exec.(*Executive); !ok || &xe.Manager != mgrs[1] || string(xe.Perks) != "car" {
				t.Errorf("the executive %#v is not behind the *Manager the query returned", exec)
			}
			// Deep subclass predicates need the joined strategy.
			if i == 0 {
				got, err := inherit.All(ctx, s2, q.Where(ExecutiveBonus.Gt(retort.MustDecimal("1"))))
				if err != nil || len(got) != 1 || got[0] != mgrs[1] {
					t.Errorf("managers with a bonus: %v, %v", got, err)
				}
			}
		}

		// Updates go to the tables that changed; deletes remove every level.
		x.Bonus = retort.MustDecimal("20")
		x.Budget = 10
		x.Title = nil
		rec.take()
		mustCommit(t, s)
		if diff := cmp.Diff([]string{`UPDATE "executive"`, `UPDATE "manager"`}, verbs(statements(rec.take()))); diff != "" {
			t.Errorf("executive update (-want +got):\n%s", diff)
		}
		got, err := inherit.Select(ExecutiveClass).One(ctx, env.DB)
		if err != nil || got.Budget != 10 || got.Title != nil || !got.Bonus.Equal(retort.MustDecimal("20")) {
			t.Errorf("executive after update: %+v, %v", got, err)
		}
		if err := session.Delete(s, x); err != nil {
			t.Fatal(err)
		}
		if err := session.Delete(s, in); err != nil {
			t.Fatal(err)
		}
		rec.take()
		mustCommit(t, s)
		if diff := cmp.Diff([]string{`DELETE FROM "intern"`, `DELETE FROM "executive"`, `DELETE FROM "manager"`, `DELETE FROM "person"`}, verbs(statements(rec.take()))); diff != "" {
			t.Errorf("deletes (-want +got):\n%s", diff)
		}
		left, err := inherit.Select(PersonClass).OrderBy(PersonID.Asc()).Poly(ctx, env.DB)
		if err != nil || len(left) != 2 {
			t.Errorf("after deletes: %v, %v", left, err)
		}
	})
}

func TestUnknownDiscriminator(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		if _, err := env.DB.Exec(ctx, `INSERT INTO "employee" ("id", "name", "type") VALUES (100, 'Zed', 'alien')`); err != nil {
			t.Fatal(err)
		}
		for _, q := range []*inherit.Query[Employee, string]{inherit.Select(EmployeeClass), inherit.Select(EmployeeClass).SelectIn()} {
			_, err := q.Poly(ctx, env.DB)
			if !errors.Is(err, inherit.ErrUnknownType) {
				t.Fatalf("Poly: %v, want ErrUnknownType", err)
			}
			var ce *retort.ColumnError
			if !errors.As(err, &ce) || ce.Table != "employee" || ce.Column != "type" || ce.Value != "alien" {
				t.Errorf("error %q does not name table, column and value", err)
			}
		}
		if _, err := env.DB.Exec(ctx, `UPDATE "employee" SET "type" = 'boss' WHERE "id" = 100`); err != nil {
			t.Fatal(err)
		}
		for _, q := range []*inherit.Query[Employee, string]{inherit.Select(EmployeeClass), inherit.Select(EmployeeClass).SelectIn()} {
			_, err := q.Poly(ctx, env.DB)
			if err == nil || !strings.Contains(err.Error(), `no row in`) {
				t.Errorf("a boss without a boss row: %v", err)
			}
		}
		// A grunt query that meets a boss row cannot return it.
		if _, err := env.DB.Exec(ctx, `INSERT INTO "grunt" ("id", "savings") VALUES (100, 1)`); err != nil {
			t.Fatal(err)
		}
		_, err := inherit.Select(GruntClass).All(ctx, env.DB)
		if !errors.Is(err, inherit.ErrUnknownType) || !strings.Contains(err.Error(), "not a") {
			t.Errorf("grunt row whose type is boss: %v", err)
		}
	})
}

// A failed flush leaves every object as it was: keys cleared, still pending.
func TestFailedFlushRestores(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		b := &Boss{Employee: Employee{Name: "Bob"}}
		g := &Grunt{Employee: Employee{Name: "Gus"}, EmployerID: ptr(int64(999999))} // no such boss
		add(t, s, b)
		add(t, s, g)
		if err := s.Flush(ctx); err == nil {
			t.Fatal("flush with a dangling employer_id succeeded")
		}
		if b.ID != 0 || g.ID != 0 {
			t.Errorf("keys after a failed flush: boss %d grunt %d", b.ID, g.ID)
		}
		if s.StatusOf(b) != session.Pending || s.StatusOf(g) != session.Pending {
			t.Errorf("status after a failed flush: %v %v", s.StatusOf(b), s.StatusOf(g))
		}
		g.EmployerID = nil
		g.Employer = b
		mustCommit(t, s)
		got, err := inherit.Select(GruntClass).One(ctx, env.DB)
		if err != nil || got.ID != g.ID || *got.EmployerID != b.ID {
			t.Errorf("after retry: %+v, %v", got, err)
		}
		// A value that does not fit fails before any SQL.
		rec.take()
		add(t, s, &Boss{Employee: Employee{Name: strings.Repeat("x", 101)}})
		err = s.Flush(ctx)
		var ce *retort.ColumnError
		if !errors.As(err, &ce) || ce.Table != "employee" || ce.Column != "name" {
			t.Errorf("too long a name: %v", err)
		}
		if got := statements(rec.take()); len(got) != 0 {
			t.Errorf("SQL sent for a bad value: %v", got)
		}
	})
}

// Hooks registered on a class's table run for its subclasses' objects too.
func TestHooksSeeSubclasses(t *testing.T) {
	var seen []string
	session.BeforeInsert(People, func(_ context.Context, p *Person) error {
		seen = append(seen, "person:"+p.Name)
		return nil
	})
	session.AfterUpdate(Managers, func(_ context.Context, m *Manager) error {
		seen = append(seen, "manager:"+m.Name)
		return nil
	})
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		seen = nil
		s := session.New(env.DB)
		x := &Executive{Manager: Manager{Person: Person{Name: "Xena"}}, Perks: []byte{}}
		add(t, s, x)
		add(t, s, &Intern{Person: Person{Name: "Ian"}})
		mustCommit(t, s)
		x.Budget = 5
		mustCommit(t, s)
		if diff := cmp.Diff([]string{"person:Xena", "person:Ian", "manager:Xena"}, seen); diff != "" {
			t.Errorf("hooks (-want +got):\n%s", diff)
		}
	})
}

func TestAbstractAndVersioned(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		if _, ok := AnimalClass.Value(); ok {
			t.Error("abstract class has a value")
		}
		if v, ok := DogClass.Value(); !ok || v != "dog" {
			t.Errorf("DogClass.Value() = %q, %v", v, ok)
		}
		s := session.New(env.DB)
		add(t, s, &Animal{Name: "blob"})
		err := s.Flush(ctx)
		if err == nil || !strings.Contains(err.Error(), "abstract") {
			t.Errorf("inserting an abstract class: %v", err)
		}
		s = session.New(env.DB)
		d := &Dog{Animal: Animal{Name: "Rex"}, Bark: "woof"}
		add(t, s, d)
		mustCommit(t, s)
		if d.Version != 1 || d.Kind != "dog" {
			t.Errorf("after insert: version %d kind %q", d.Version, d.Kind)
		}
		d.Bark = "WOOF"
		rec.take()
		mustCommit(t, s)
		if diff := cmp.Diff([]string{`UPDATE "dog"`, `UPDATE "animal"`}, verbs(statements(rec.take()))); diff != "" {
			t.Errorf("a versioned subclass update bumps the base version (-want +got):\n%s", diff)
		}
		if d.Version != 2 {
			t.Errorf("version after update = %d", d.Version)
		}
		// Another writer bumps the version: the next flush is stale.
		if _, err := retort.Update(Animals).Set(AnimalVersion.To(7)).Where(AnimalID.Eq(d.ID)).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		d.Name = "Max"
		if err := s.Flush(ctx); !errors.Is(err, session.ErrStale) {
			t.Errorf("stale update: %v, want ErrStale", err)
		}
		s = session.New(env.DB)
		got, err := inherit.First(ctx, s, inherit.Select(DogClass))
		if err != nil || got.Version != 7 || got.Bark != "WOOF" {
			t.Fatalf("dog: %+v, %v", got, err)
		}
		if err := session.Delete(s, got); err != nil {
			t.Fatal(err)
		}
		mustCommit(t, s)
		if n, _ := retort.Select(Animals).Count(ctx, env.DB); n != 0 {
			t.Errorf("%d animals left", n)
		}
	})
}

// An enumeration's named type is a discriminator like any other.
func TestEnumDiscriminator(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		car := &Car{Vehicle: Vehicle{Wheels: 4}, Seats: 5}
		truck := &Truck{Vehicle: Vehicle{Wheels: 18}, Load: retort.MustDecimal("12.5")}
		add(t, s, car)
		add(t, s, truck)
		mustCommit(t, s)
		if car.Kind != CarKind || truck.Kind != TruckKind {
			t.Errorf("kinds %q %q", car.Kind, truck.Kind)
		}
		want := []any{
			&Car{Vehicle: Vehicle{ID: car.ID, Kind: CarKind, Wheels: 4}, Seats: 5},
			&Truck{Vehicle: Vehicle{ID: truck.ID, Kind: TruckKind, Wheels: 18}, Load: retort.MustDecimal("12.5")},
		}
		for _, q := range []*inherit.Query[Vehicle, VehicleKind]{inherit.Select(VehicleClass), inherit.Select(VehicleClass).SelectIn()} {
			got, err := q.Where(VehicleKindOf.In(CarKind, TruckKind)).OrderBy(VehicleID.Asc()).Poly(ctx, env.DB)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, decimalEq); diff != "" {
				t.Errorf("vehicles (-want +got):\n%s", diff)
			}
		}
		if v, ok := CarClass.Value(); !ok || v != CarKind {
			t.Errorf("CarClass.Value() = %q, %v", v, ok)
		}
		// A value the enumeration declares but no class uses.
		if _, err := env.DB.Exec(ctx, `INSERT INTO "vehicle" ("id", "kind", "wheels") VALUES (99, 'bus', 6)`); err != nil {
			t.Fatal(err)
		}
		_, err := inherit.Select(VehicleClass).Poly(ctx, env.DB)
		var ce *retort.ColumnError
		if !errors.Is(err, inherit.ErrUnknownType) || !errors.As(err, &ce) || ce.Table != "vehicle" || ce.Column != "kind" || ce.Value != BusKind {
			t.Errorf("a bus: %v", err)
		}
	})
}

func mustPanic(t *testing.T, want string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		p := recover()
		if p == nil {
			t.Errorf("no panic; want one mentioning %q", want)
			return
		}
		if msg := fmt.Sprint(p); !strings.Contains(msg, want) {
			t.Errorf("panic %q does not mention %q", msg, want)
		}
	}()
	fn()
}

// Mistakes in declarations are programmer errors: they panic at
// declaration, or at the hierarchy's first use for what needs every column.
func TestDeclarationErrors(t *testing.T) {
	type base struct {
		ID   int64
		Kind string
	}
	type sub struct {
		base
		X int64
	}
	type other struct{ ID int64 }
	bases := retort.NewTable[base]("decl_base")
	retort.Col(bases, "id", func(b *base) *int64 { return &b.ID }, retort.PrimaryKey())
	kind := retort.Col(bases, "kind", func(b *base) *string { return &b.Kind })
	others := retort.NewTable[other]("decl_other")
	otherID := retort.Col(others, "id", func(o *other) *int64 { return &o.ID }, retort.PrimaryKey())
	_ = otherID
	subs := retort.NewTable[sub]("decl_sub")
	retort.Col(subs, "id", func(s *sub) *int64 { return &s.ID }, retort.PrimaryKey()) // no References: generated
	embed := func(s *sub) *base { return &s.base }

	mustPanic(t, `is not a column of table "decl_base"`, func() {
		inherit.New(bases, retort.Aliased(retort.Alias(bases, "b2"), kind), "b")
	})
	root := inherit.New(bases, kind, "base")
	mustPanic(t, `same discriminator value base`, func() { inherit.Sub(root, subs, embed, "base") })
	c := inherit.Sub(root, subs, embed, "sub")
	mustPanic(t, `already a class of this hierarchy`, func() { inherit.Sub(root, subs, embed, "sub2") })
	mustPanic(t, `must not be generated: declare it with References`, func() { c.Tables() })
}

// The session's plain functions refuse what only package inherit can do,
// with an error rather than a panic: a base-class Get whose row is a
// subclass object, and a query that would read one table of a class.
func TestSessionFunctionsRefuseHierarchies(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		b := &Boss{Employee: Employee{Name: "Bea"}, GolfAverage: retort.MustDecimal("71")}
		add(t, s, b)
		mustCommit(t, s)
		if _, err := session.Get(ctx, s, Employees, b.ID); err == nil || !strings.Contains(err.Error(), "inherit") {
			t.Errorf("session.Get(Employees, boss id) in the identity map: %v, want an error naming package inherit", err)
		}
		if _, err := session.Get(ctx, session.New(env.DB), Employees, b.ID); err == nil {
			t.Error("session.Get(Employees, boss id) loaded: want an error")
		}
		env.Count.Reset()
		if _, err := session.All(ctx, s, retort.Select(Bosses)); err == nil || !strings.Contains(err.Error(), "inherit") {
			t.Errorf("session.All(Select(Bosses)): %v, want an error naming package inherit", err)
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("the refused query sent %d round trips", n)
		}
	})
}
