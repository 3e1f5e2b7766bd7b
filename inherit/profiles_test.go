package inherit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// The "three profiles" workload of the seed (A Tale of Three Profiles,
// 2010): create bosses, then grunts assigned to bosses a batch at a time,
// with a query for the boss by name before each batch (whose autoflush sends
// the previous batch), commit, then a report of every grunt with its
// employer's name and golf average.

type profileSize struct{ bosses, grunts, batch int }

var fullProfile = profileSize{bosses: 1000, grunts: 10000, batch: 100}

// reportLine is one line of the report.
type reportLine struct {
	grunt    string
	savings  retort.Decimal
	employer string
	golf     retort.Decimal
}

// profileTrips is what the workload cost.
type profileTrips struct {
	load, loadStatements     int64 // inserts, queries, BEGIN and COMMIT
	report, reportStatements int64
	loadTime, reportTime     time.Duration
}

func golfOf(i int) retort.Decimal    { return retort.NewDecimal(int64(40+(i*37)%111), 0) }
func savingsOf(i int) retort.Decimal { return retort.NewDecimal(int64(5000000+(i*7919)%10000000), 2) }
func employerOf(i, batch int) string { return fmt.Sprintf("Boss %d", i/batch+1) }

// threeProfiles runs the workload through Retort's session.
func threeProfiles(ctx context.Context, db retort.DB, count *retort.Counter, size profileSize) ([]reportLine, profileTrips, error) {
	var trips profileTrips
	count.Reset()
	start := time.Now()
	s := session.New(db)
	for i := range size.bosses {
		b := &Boss{Employee: Employee{Name: fmt.Sprintf("Boss %d", i)}, GolfAverage: golfOf(i)}
		if err := session.Add(s, b); err != nil {
			return nil, trips, err
		}
	}
	grunts := make([]*Grunt, size.grunts)
	for i := range grunts {
		grunts[i] = &Grunt{Employee: Employee{Name: fmt.Sprintf("Grunt %d", i)}, Savings: savingsOf(i)}
	}
	for k := 0; len(grunts) > 0; k++ {
		boss, err := inherit.First(ctx, s, inherit.Select(BossClass).Where(EmployeeName.Eq(fmt.Sprintf("Boss %d", k+1))))
		if err != nil {
			return nil, trips, err
		}
		n := min(size.batch, len(grunts))
		for _, g := range grunts[:n] {
			g.Employer = boss
			if err := session.Add(s, g); err != nil {
				return nil, trips, err
			}
		}
		grunts = grunts[n:]
	}
	if err := s.Commit(ctx); err != nil {
		return nil, trips, err
	}
	trips.load, trips.loadStatements, trips.loadTime = count.RoundTrips(), count.Statements(), time.Since(start)

	count.Reset()
	start = time.Now()
	all, err := inherit.All(ctx, s, inherit.Select(GruntClass).OrderBy(EmployeeID.Asc()))
	if err != nil {
		return nil, trips, err
	}
	report := make([]reportLine, 0, len(all))
	for _, g := range all {
		boss, err := session.Get(ctx, s, Bosses, *g.EmployerID) // in the identity map: no SQL
		if err != nil {
			return nil, trips, err
		}
		report = append(report, reportLine{g.Name, g.Savings, boss.Name, boss.GolfAverage})
	}
	trips.report, trips.reportStatements, trips.reportTime = count.RoundTrips(), count.Statements(), time.Since(start)
	return report, trips, nil
}

// checkReport verifies every line of the report.
func checkReport(t testing.TB, size profileSize, report []reportLine) {
	t.Helper()
	if len(report) != size.grunts {
		t.Fatalf("report has %d lines, want %d", len(report), size.grunts)
	}
	for i, l := range report {
		boss := employerOf(i, size.batch)
		var b int
		fmt.Sscanf(boss, "Boss %d", &b)
		if l.grunt != fmt.Sprintf("Grunt %d", i) || !l.savings.Equal(savingsOf(i)) || l.employer != boss || !l.golf.Equal(golfOf(b)) {
			t.Fatalf("report line %d = %+v; want grunt %d, savings %s, employer %s, golf %s", i, l, i, savingsOf(i), boss, golfOf(b))
		}
	}
}

// TestThreeProfiles runs the full workload on both databases and asserts
// its round trips: on PostgreSQL one per batch (the autoflush travels with
// the boss query), one for the last batch with COMMIT, one for the report;
// the report's employers are in the identity map and cost nothing.
func TestThreeProfiles(t *testing.T) {
	size := fullProfile
	if testing.Short() {
		size = profileSize{bosses: 100, grunts: 1000, batch: 100}
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, EmployeeClass.Tables()...)
		report, trips, err := threeProfiles(ctx, env.DB, env.Count, size)
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, size, report)
		batches := int64((size.grunts + size.batch - 1) / size.batch)
		t.Logf("%s: load %d round trips (%d statements) in %v; report %d round trips (%d statements) in %v",
			env.Dialect, trips.load, trips.loadStatements, trips.loadTime, trips.report, trips.reportStatements, trips.reportTime)
		if env.Dialect == retort.Postgres {
			// batches: BEGIN, the bosses and the first query, then each
			// query with the previous batch; 1: the last batch with COMMIT.
			if want := batches + 1; trips.load != want {
				t.Errorf("load took %d round trips, want %d", trips.load, want)
			}
			// BEGIN, the boss insert, a query and a grunt insert per batch, COMMIT.
			if want := 2*batches + 3; trips.loadStatements != want {
				t.Errorf("load sent %d statements, want %d", trips.loadStatements, want)
			}
		} else {
			// Multi-row INSERTs of up to 500 rows, one for the base table
			// and one for the subclass table per chunk: the bosses, then
			// each batch of grunts; a query per batch, BEGIN and COMMIT.
			chunks := func(n int) int64 { return int64((n + 499) / 500) }
			want := 2*chunks(size.bosses) + 2*batches*chunks(size.batch) + batches + 2
			if trips.loadStatements != want {
				t.Errorf("load sent %d statements, want %d", trips.loadStatements, want)
			}
		}
		if trips.report != 1 || trips.reportStatements != 1 {
			t.Errorf("report took %d round trips (%d statements), want 1: employers come from the identity map", trips.report, trips.reportStatements)
		}
	})
}
