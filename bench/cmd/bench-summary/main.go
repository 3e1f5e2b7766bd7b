// Command bench-summary reads the RESULT lines of several retort-bench
// outputs and prints, per database, a Markdown table of the medians across
// them: for each workload and implementation, the median of the runs'
// median times, the median ratio to raw, round trips and allocations.
//
//	go run ./cmd/bench-summary out-1.txt out-2.txt out-3.txt
package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

type key struct{ db, workload, impl string }

type values struct {
	ms, ratio     []float64
	trips, allocs []float64
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bench-summary FILE...")
		os.Exit(2)
	}
	results := map[key]*values{}
	var order []key
	for _, name := range os.Args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench-summary:", err)
			os.Exit(1)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "RESULT ") {
				continue
			}
			fields := map[string]string{}
			for _, kv := range strings.Fields(line)[1:] {
				k, v, _ := strings.Cut(kv, "=")
				fields[k] = v
			}
			k := key{fields["db"], fields["workload"], fields["impl"]}
			v := results[k]
			if v == nil {
				v = &values{}
				results[k] = v
				order = append(order, k)
			}
			v.ms = append(v.ms, num(fields["median_ms"]))
			v.ratio = append(v.ratio, num(fields["ratio_to_raw"]))
			v.trips = append(v.trips, num(fields["round_trips"]))
			v.allocs = append(v.allocs, num(fields["allocs"]))
		}
		f.Close()
	}
	db := ""
	for _, k := range order {
		if k.db != db {
			db = k.db
			fmt.Printf("\n%s, medians of %d invocations:\n\n", db, len(results[k].ms))
			fmt.Println("| workload | impl | median ms | each invocation's median ms | ratio to raw | round trips | allocs |")
			fmt.Println("|---|---|---:|---|---:|---:|---:|")
		}
		v := results[k]
		each := make([]string, len(v.ms))
		for i, m := range v.ms {
			each[i] = strconv.FormatFloat(m, 'f', 1, 64)
		}
		fmt.Printf("| %s | %s | %.1f | %s | %.2f | %.0f | %.0f |\n", k.workload, k.impl, median(v.ms), strings.Join(each, ", "),
			median(v.ratio), median(v.trips), median(v.allocs))
	}
}

func num(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return f
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
