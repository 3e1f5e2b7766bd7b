package bench_test

import (
	"context"
	"flag"
	"os"
	"testing"

	"github.com/retort-orm/retort/bench"
)

// The workloads as Go benchmarks, one per workload, database and
// implementation, with the round trips of the last run as a metric:
//
//	go test -run '^$' -bench . -benchmem                        (SQLite)
//	../scripts/with-postgres go test -run '^$' -bench . -benchmem   (SQLite and PostgreSQL)
//	go test -run '^$' -bench 'three-profiles/sqlite' -benchmem -cpuprofile cpu.out
//
// The runner (cmd/retort-bench) interleaves implementations and prints the
// tables of BENCHMARKS.md; these benchmarks are for profiling one case.

var small = flag.Bool("small", false, "run the benchmarks at the small size")

func targets(tb testing.TB) []bench.Target {
	ts := []bench.Target{{Kind: "sqlite"}}
	if url := os.Getenv("RETORT_PG_URL"); url != "" {
		ts = append(ts, bench.Target{Kind: "postgres", URL: url})
	} else {
		tb.Logf("RETORT_PG_URL is not set: PostgreSQL skipped (run under scripts/with-postgres)")
	}
	return ts
}

func BenchmarkWorkloads(b *testing.B) {
	ctx := context.Background()
	size := bench.Full
	if *small {
		size = bench.Small
	}
	for _, w := range bench.Workloads() {
		for _, target := range targets(b) {
			for _, impl := range w.ImplsOn(target) {
				b.Run(w.Name+"/"+target.Kind+"/"+impl, func(b *testing.B) {
					c, err := w.Open(ctx, impl, target, size)
					if err != nil {
						b.Fatal(err)
					}
					defer c.Close()
					var want *bench.Check
					if w.Expect != nil {
						want = w.Expect(size)
					}
					b.ReportAllocs()
					for b.Loop() {
						b.StopTimer()
						if err := c.Reset(ctx); err != nil {
							b.Fatal(err)
						}
						c.ResetTrips()
						b.StartTimer()
						got, err := c.Run(ctx)
						if err != nil {
							b.Fatal(err)
						}
						if want != nil && got != *want {
							b.Fatalf("got %s, want %s", got, *want)
						}
					}
					b.ReportMetric(float64(c.Trips()), "roundtrips/op")
				})
			}
		}
	}
}

// TestWorkloads runs every workload once at the small size through the
// runner, which checks every implementation's result.
func TestWorkloads(t *testing.T) {
	ctx := context.Background()
	for _, target := range targets(t) {
		for _, w := range bench.Workloads() {
			t.Run(target.Kind+"/"+w.Name, func(t *testing.T) {
				ms, err := bench.Run(ctx, w, target, bench.Options{Runs: 1, Size: bench.Small})
				if err != nil {
					t.Fatal(err)
				}
				if len(ms) != len(w.ImplsOn(target)) {
					t.Fatalf("%d implementations measured, want %d", len(ms), len(w.ImplsOn(target)))
				}
				for _, m := range ms {
					if m.RoundTrips <= 0 {
						t.Errorf("%s: %d round trips counted", m.Impl, m.RoundTrips)
					}
				}
				if w.Name == "three-profiles" {
					checkProfileTrips(t, target, ms)
				}
			})
		}
	}
}

func TestParseTarget(t *testing.T) {
	for in, want := range map[string]string{
		"sqlite":                      "sqlite",
		"postgres://u@h:5432/db":      "postgres",
		"host=localhost dbname=bench": "postgres",
	} {
		got, err := bench.ParseTarget(in)
		if err != nil || got.Kind != want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want kind %s", in, got, err, want)
		}
	}
	if _, err := bench.ParseTarget("mysql://x"); err == nil {
		t.Error("ParseTarget accepted mysql://x")
	}
}

// checkProfileTrips checks the counters against round trips worked out by
// hand, so that no implementation is counted differently from the others.
func checkProfileTrips(t *testing.T, target bench.Target, ms []*bench.Measurement) {
	s := bench.Small
	batches := int64(s.Grunts / s.Batch)
	rows := int64(s.Bosses + s.Grunts)
	// Retort's multi-row INSERTs on SQLite hold up to 500 rows; fewer than
	// 50 rows of generated keys go one INSERT a row.
	chunks := func(n int) int64 { return int64((n + 499) / 500) }
	generated := func(n int) int64 {
		if n < 50 {
			return int64(n)
		}
		return chunks(n)
	}
	inserts := generated(s.Bosses) + batches*generated(s.Batch)
	subclassInserts := chunks(s.Bosses) + batches*chunks(s.Batch) // keys given
	want := map[string]int64{
		// BEGIN, one INSERT per row, a query per batch, COMMIT, the report.
		bench.Raw: rows + batches + 3,
		// BEGIN, multi-row INSERTs, a query per batch, COMMIT, the report.
		bench.Retort: inserts + batches + 3,
		// Each object is two rows: employee, and boss or grunt.
		bench.RetortInherit: inserts + subclassInserts + batches + 3,
		// BEGIN, the bosses, a query and an INSERT per batch, COMMIT, the
		// report (GORM: two queries, Preload).
		bench.GORM: 2*batches + 5,
		bench.Bun:  2*batches + 4,
	}
	if target.Postgres() {
		want[bench.Raw] = 2*batches + 4
		// BEGIN travels with the first statement, each flush with the
		// next query, the last with COMMIT; then the report.
		want[bench.Retort] = batches + 2
		want[bench.RetortInherit] = batches + 2
	}
	for _, m := range ms {
		if m.RoundTrips != want[m.Impl] {
			t.Errorf("%s: %d round trips, want %d", m.Impl, m.RoundTrips, want[m.Impl])
		}
	}
}
