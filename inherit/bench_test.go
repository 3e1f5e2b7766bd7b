package inherit_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/internal/pgseq"
)

// The baseline: a hand-written pgx program doing the three-profiles
// workload with the statements Retort sends, in the same round trips
// (TestBaselineSendsRetortsStatements checks that the texts are the same).
// It keeps its bosses in a map by key, as the session's identity map does.

var (
	// The key is drawn as package retort draws it (pgseq.Nextval: the
	// sequence found once per statement).
	baseInsert = `WITH "v" AS MATERIALIZED (SELECT ` + pgseq.Nextval(3, 4) + ` AS "id", "u"."name", "u"."type", "u"."retort_ord" ` +
		`FROM unnest($1::varchar(100)[], $2::varchar(50)[]) WITH ORDINALITY AS "u" ("name", "type", "retort_ord")), ` +
		`"i0" AS (INSERT INTO "employee" ("id", "name", "type") OVERRIDING SYSTEM VALUE SELECT "v"."id", "v"."name", "v"."type" FROM "v"), `
	pgxInsertBosses = baseInsert +
		`"i1" AS (INSERT INTO "boss" ("id", "golf_average") SELECT "v"."id", "s"."golf_average" FROM unnest($5::bigint[], $6::numeric(10,2)[]) AS "s" ("retort_ord", "golf_average") JOIN "v" ON "v"."retort_ord" = "s"."retort_ord") ` +
		`SELECT "v"."retort_ord", "v"."id" FROM "v"`
	pgxInsertGrunts = baseInsert +
		`"i1" AS (INSERT INTO "grunt" ("id", "savings", "employer_id") SELECT "v"."id", "s"."savings", "s"."employer_id" FROM unnest($5::bigint[], $6::numeric(12,2)[], $7::bigint[]) AS "s" ("retort_ord", "savings", "employer_id") JOIN "v" ON "v"."retort_ord" = "s"."retort_ord") ` +
		`SELECT "v"."retort_ord", "v"."id" FROM "v"`
	pgxBossByName = `SELECT "employee"."id", "employee"."name", "employee"."type", "boss"."golf_average" FROM "employee" JOIN "boss" ON "boss"."id" = "employee"."id" WHERE "employee"."name" = $1 LIMIT $2`
	pgxReport     = `SELECT "employee"."id", "employee"."name", "employee"."type", "grunt"."savings", "grunt"."employer_id" FROM "employee" JOIN "grunt" ON "grunt"."id" = "employee"."id" ORDER BY "employee"."id"`
)

type pgxBoss struct {
	id   int64
	name string
	golf retort.Decimal
}

type pgxGrunt struct {
	id       int64
	name     string
	savings  retort.Decimal
	employer *pgxBoss
}

// pgxProfiles runs the workload on conn; it returns the report and the
// round trips of the load and of the report.
func pgxProfiles(ctx context.Context, conn *pgx.Conn, size profileSize) ([]reportLine, int64, int64, error) {
	var trips int64
	bosses := make([]*pgxBoss, size.bosses)
	byID := make(map[int64]*pgxBoss, size.bosses)
	for i := range bosses {
		bosses[i] = &pgxBoss{name: fmt.Sprintf("Boss %d", i), golf: golfOf(i)}
	}
	grunts := make([]*pgxGrunt, size.grunts)
	for i := range grunts {
		grunts[i] = &pgxGrunt{name: fmt.Sprintf("Grunt %d", i), savings: savingsOf(i)}
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	{
		n := len(bosses)
		names, types, ords, golf := make([]string, n), make([]string, n), make([]int64, n), make([]string, n)
		for i, x := range bosses {
			names[i], types[i], ords[i], golf[i] = x.name, "boss", int64(i+1), x.golf.String()
		}
		b.Queue(pgxInsertBosses, names, types, `"employee"`, "id", ords, golf).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var ord, id int64
				if err := rows.Scan(&ord, &id); err != nil {
					return err
				}
				bosses[ord-1].id = id
				byID[id] = bosses[ord-1]
			}
			return rows.Err()
		})
	}
	queueGrunts := func(b *pgx.Batch, gs []*pgxGrunt) {
		n := len(gs)
		names, types, ords, savings, employers := make([]string, n), make([]string, n), make([]int64, n), make([]string, n), make([]int64, n)
		for i, g := range gs {
			names[i], types[i], ords[i], savings[i], employers[i] = g.name, "grunt", int64(i+1), g.savings.String(), g.employer.id
		}
		b.Queue(pgxInsertGrunts, names, types, `"employee"`, "id", ords, savings, employers).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var ord, id int64
				if err := rows.Scan(&ord, &id); err != nil {
					return err
				}
				gs[ord-1].id = id
			}
			return rows.Err()
		})
	}
	var prev []*pgxGrunt
	for k := 0; k*size.batch < len(grunts); k++ {
		if prev != nil {
			b = &pgx.Batch{}
			queueGrunts(b, prev)
		}
		var boss *pgxBoss
		b.Queue(pgxBossByName, fmt.Sprintf("Boss %d", k+1), int64(1)).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id int64
				var name, typ, golf string
				if err := rows.Scan(&id, &name, &typ, &golf); err != nil {
					return err
				}
				boss = byID[id] // already loaded: keep that object
			}
			return rows.Err()
		})
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			return nil, 0, 0, err
		}
		trips++
		if boss == nil {
			return nil, 0, 0, fmt.Errorf("boss %d not found", k+1)
		}
		prev = grunts[k*size.batch : min(len(grunts), (k+1)*size.batch)]
		for _, g := range prev {
			g.employer = boss
		}
	}
	b = &pgx.Batch{}
	queueGrunts(b, prev)
	b.Queue("COMMIT")
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return nil, 0, 0, err
	}
	trips++

	rows, err := conn.Query(ctx, pgxReport)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	report := make([]reportLine, 0, len(grunts))
	for rows.Next() {
		var id int64
		var name, typ, savings string
		var employer *int64
		if err := rows.Scan(&id, &name, &typ, &savings, &employer); err != nil {
			return nil, 0, 0, err
		}
		d, err := retort.ParseDecimal(savings)
		if err != nil {
			return nil, 0, 0, err
		}
		boss := byID[*employer]
		report = append(report, reportLine{name, d, boss.name, boss.golf})
	}
	return report, trips, 1, rows.Err()
}

// TestBaselineSendsRetortsStatements checks that the hand-written baseline
// and Retort send the same statement texts, and that both produce the
// same report in the same number of round trips.
func TestBaselineSendsRetortsStatements(t *testing.T) {
	ctx := context.Background()
	size := profileSize{bosses: 5, grunts: 7, batch: 3}
	rec := &recorder{}
	env := dbtest.OpenPostgres(t, dbtest.Options{Tracer: rec})
	env.Create(t, EmployeeClass.Tables()...)
	rec.take()
	report, trips, err := threeProfiles(ctx, env.DB, env.Count, size)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range statements(rec.take()) {
		if !slices.Contains(got, s) {
			got = append(got, s)
		}
	}
	want := []string{pgxInsertBosses, pgxBossByName, pgxInsertGrunts, pgxReport}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Retort's statements differ from the baseline's (-baseline +retort):\n%s", diff)
	}
	truncate(t, env)
	conn, err := pgx.Connect(ctx, env.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	base, load, rep, err := pgxProfiles(ctx, conn, size)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(report, base, cmp.AllowUnexported(reportLine{}), decimalEq); diff != "" {
		t.Errorf("reports differ (-retort +baseline):\n%s", diff)
	}
	if load != trips.load || rep != trips.report {
		t.Errorf("round trips: retort %d+%d, baseline %d+%d", trips.load, trips.report, load, rep)
	}
}

func truncate(t testing.TB, env *dbtest.Env) {
	t.Helper()
	ctx := context.Background()
	if env.Dialect == retort.Postgres {
		if _, err := env.DB.Exec(ctx, `TRUNCATE "grunt", "boss", "employee" RESTART IDENTITY`); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, tb := range []string{"grunt", "boss", "employee"} {
		if _, err := env.DB.Exec(ctx, "DELETE FROM "+retort.QuoteIdent(tb)); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkThreeProfiles runs the full workload (1,000 bosses, 10,000
// grunts in batches of 100, then the report) with Retort's session on both
// databases, and with the hand-written pgx baseline on PostgreSQL. Run:
//
//	scripts/with-postgres go test ./inherit -run '^$' -bench ThreeProfiles -benchmem -benchtime 5x
func BenchmarkThreeProfiles(b *testing.B) {
	size := fullProfile
	ctx := context.Background()
	retortRun := func(b *testing.B, env *dbtest.Env) {
		env.Create(b, EmployeeClass.Tables()...)
		var trips profileTrips
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			truncate(b, env)
			b.StartTimer()
			report, tr, err := threeProfiles(ctx, env.DB, env.Count, size)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			checkReport(b, size, report)
			b.StartTimer()
			trips = tr
		}
		b.ReportMetric(float64(trips.load+trips.report), "roundtrips/op")
		b.ReportMetric(float64(trips.loadStatements+trips.reportStatements), "stmts/op")
	}
	b.Run("postgres/retort", func(b *testing.B) { retortRun(b, dbtest.OpenPostgres(b, dbtest.Options{})) })
	b.Run("postgres/pgx", func(b *testing.B) {
		env := dbtest.OpenPostgres(b, dbtest.Options{})
		env.Create(b, EmployeeClass.Tables()...)
		conn, err := pgx.Connect(ctx, env.URL)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close(ctx)
		var trips int64
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			truncate(b, env)
			b.StartTimer()
			report, load, rep, err := pgxProfiles(ctx, conn, size)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			checkReport(b, size, report)
			b.StartTimer()
			trips = load + rep
		}
		b.ReportMetric(float64(trips), "roundtrips/op")
	})
	b.Run("sqlite/retort", func(b *testing.B) { retortRun(b, dbtest.OpenSQLite(b, dbtest.Options{})) })
}
