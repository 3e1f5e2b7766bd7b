// Command retort-bench runs Retort's benchmark workloads against
// hand-written driver code, GORM and bun, and prints a table per workload
// and one RESULT line per workload and implementation.
//
// Run it from the bench directory:
//
//	go run ./cmd/retort-bench -db sqlite
//	go run ./cmd/retort-bench -db "$RETORT_PG_URL" -workload three-profiles -n 7
//	go run ./cmd/retort-bench -db sqlite -small -n 1     # quick check that everything still works
//
// See BENCHMARKS.md for what the workloads do and what the numbers mean.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"

	"github.com/retort-orm/retort/bench"
)

func main() {
	db := flag.String("db", "sqlite", `database: "sqlite" (in memory) or a PostgreSQL URL`)
	workload := flag.String("workload", "all", "workloads to run, comma-separated: three-profiles, zoo, bulk-50k, micro (every micro-*), micro-insert, ...; or all")
	runs := flag.Int("n", 5, "measured runs of each implementation (after one warm-up run)")
	impls := flag.String("impl", "", "implementations to run besides raw, comma-separated (default: all)")
	small := flag.Bool("small", false, "run every workload at a small size (a check that the suite works, not for timing)")
	verbose := flag.Bool("v", false, "print every run")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	memprofile := flag.String("memprofile", "", "write an allocation profile of the whole run to this file")
	flag.Parse()

	target, err := bench.ParseTarget(*db)
	if err != nil {
		fail(err)
	}
	ws, err := bench.Find(*workload)
	if err != nil {
		fail(err)
	}
	opt := bench.Options{Runs: *runs, Warmup: 1, Size: bench.Full}
	if *small {
		opt.Size, opt.Warmup = bench.Small, 0
	}
	if *impls != "" {
		opt.Impls = strings.Split(*impls, ",")
	}
	if *verbose {
		opt.Log = os.Stderr
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fail(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	if *memprofile != "" {
		runtime.MemProfileRate = 4096
	}

	fmt.Printf("retort-bench: %s, %s/%s, %d CPUs, GOMAXPROCS %d; %d runs per implementation, alternating\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), opt.Runs)
	ctx := context.Background()
	failed := false
	for _, w := range ws {
		ms, err := bench.Run(ctx, w, target, opt)
		if err != nil {
			fmt.Fprintln(os.Stderr, "FAIL:", err)
			failed = true
			continue
		}
		bench.Report(os.Stdout, w, target, ms)
	}
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err != nil {
			fail(err)
		}
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			fail(err)
		}
		f.Close()
	}
	if failed {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "retort-bench:", err)
	os.Exit(2)
}
