package session_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// The seed's three-profiles workload with plain tables (package inherit runs
// it with joined-table inheritance): bosses, and grunts with a many-to-one
// foreign key to their boss.

type PBoss struct {
	ID          int64
	Name        string
	GolfAverage retort.Decimal
}

type PGrunt struct {
	ID         int64
	Name       string
	Savings    retort.Decimal
	EmployerID int64
}

var (
	PBosses    = retort.NewTable[PBoss]("p_boss")
	PBossID    = retort.Col(PBosses, "id", func(b *PBoss) *int64 { return &b.ID }, retort.PrimaryKey())
	PBossName  = retort.Col(PBosses, "name", func(b *PBoss) *string { return &b.Name }, retort.Size(50), retort.Indexed())
	PBossGolf  = retort.ColType(PBosses, "golf_average", func(b *PBoss) *retort.Decimal { return &b.GolfAverage }, retort.Numeric(10, 2))
	PGrunts    = retort.NewTable[PGrunt]("p_grunt")
	PGruntID   = retort.Col(PGrunts, "id", func(g *PGrunt) *int64 { return &g.ID }, retort.PrimaryKey())
	PGruntName = retort.Col(PGrunts, "name", func(g *PGrunt) *string { return &g.Name }, retort.Size(50))
	PGruntSave = retort.ColType(PGrunts, "savings", func(g *PGrunt) *retort.Decimal { return &g.Savings }, retort.Numeric(10, 2))
	PGruntBoss = retort.Col(PGrunts, "employer_id", func(g *PGrunt) *int64 { return &g.EmployerID }).References(PBossID)
)

type profileCounts struct {
	flushRoundTrips, reportRoundTrips int64
	grunts                            int
	checksum                          string
}

// threeProfiles runs the workload: bosses flushed once; grunts assigned 100
// at a time, each batch preceded by a query for its boss by name (which
// autoflushes the previous batch); commit; then a report of every grunt with
// its employer's name, employers coming from the identity map.
func threeProfiles(ctx context.Context, db retort.DB, count *retort.Counter, bosses, grunts, perFlush int) (profileCounts, error) {
	var pc profileCounts
	s := session.New(db)
	for i := range bosses {
		if err := session.Add(s, &PBoss{Name: fmt.Sprintf("boss %d", i), GolfAverage: retort.NewDecimal(int64(7000+i), 2)}); err != nil {
			return pc, err
		}
	}
	if err := s.Flush(ctx); err != nil {
		return pc, err
	}
	for start := 0; start < grunts; start += perFlush {
		boss, err := session.One(ctx, s, retort.Select(PBosses).Where(PBossName.Eq(fmt.Sprintf("boss %d", (start/perFlush)%bosses))))
		if err != nil {
			return pc, err
		}
		for i := start; i < min(grunts, start+perFlush); i++ {
			g := &PGrunt{Name: fmt.Sprintf("grunt %d", i), Savings: retort.NewDecimal(int64(i), 2), EmployerID: boss.ID}
			if err := session.Add(s, g); err != nil {
				return pc, err
			}
		}
	}
	if err := s.Commit(ctx); err != nil {
		return pc, err
	}
	pc.flushRoundTrips = count.RoundTrips()
	count.Reset()
	all, err := session.All(ctx, s, retort.Select(PGrunts).OrderBy(PGruntID.Asc()))
	if err != nil {
		return pc, err
	}
	sum := retort.NewDecimal(0, 2)
	names := 0
	for _, g := range all {
		boss, err := session.Get(ctx, s, PBosses, g.EmployerID)
		if err != nil {
			return pc, err
		}
		names += len(boss.Name)
		if sum, err = sum.Add(g.Savings); err != nil {
			return pc, err
		}
	}
	pc.reportRoundTrips = count.RoundTrips()
	pc.grunts = len(all)
	pc.checksum = fmt.Sprintf("%s/%d", sum, names)
	return pc, nil
}

func TestThreeProfiles(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, PBosses, PGrunts)
		pc, err := threeProfiles(ctx, env.DB, env.Count, 1000, 10000, 100)
		if err != nil {
			t.Fatal(err)
		}
		// The savings sum (0.00 + ... + 99.99) and the employers' name lengths (10
		// one-digit and 90 two-digit bosses, 100 grunts each): no work skipped.
		if pc.grunts != 10000 || pc.checksum != "499950.00/69000" {
			t.Errorf("report: %d grunts, checksum %s", pc.grunts, pc.checksum)
		}
		t.Logf("%s: %d round trips for the writes, %d for the report", env.Dialect, pc.flushRoundTrips, pc.reportRoundTrips)
		if pc.reportRoundTrips != 1 {
			t.Errorf("report took %d round trips, want 1 (employers come from the identity map)", pc.reportRoundTrips)
		}
		if env.Dialect == retort.Postgres {
			// BEGIN with the bosses (1); 100 boss queries, each carrying the
			// previous 100 grunts (100); the last grunts with COMMIT (1).
			if pc.flushRoundTrips != 102 {
				t.Errorf("writes took %d round trips on PostgreSQL, want 102", pc.flushRoundTrips)
			}
		}
	})
}
