package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

var errNoImpl = errors.New("bench: no such implementation")

// Workload is one benchmark, implemented by several libraries.
type Workload struct {
	Name  string
	About string
	// Impls lists the implementations, raw first.
	Impls []string
	// PostgresOnly lists those of Impls that run on PostgreSQL only.
	PostgresOnly []string
	// Open opens one implementation on target.
	Open func(ctx context.Context, impl string, target Target, size Size) (*Case, error)
	// Expect is the Check every implementation must return, when the
	// workload can compute it without any implementation (nil otherwise:
	// the implementations must then agree with each other).
	Expect func(Size) *Check
}

var allImpls = []string{Raw, Retort, GORM, Bun}

// ImplsOn returns the implementations of w that run on target.
func (w Workload) ImplsOn(target Target) []string {
	if target.Postgres() {
		return w.Impls
	}
	var out []string
	for _, impl := range w.Impls {
		if !slices.Contains(w.PostgresOnly, impl) {
			out = append(out, impl)
		}
	}
	return out
}

// Workloads lists every workload in the order the runner runs them.
func Workloads() []Workload {
	ws := []Workload{
		{
			Name:   "three-profiles",
			About:  "bosses, then grunts in batches each preceded by a query for the boss by name, in one transaction; then a report of every grunt with its boss",
			Impls:  []string{Raw, Retort, RetortInherit, GORM, Bun},
			Open:   openProfiles,
			Expect: func(s Size) *Check { c := expectProfiles(s); return &c },
		},
		{
			Name:  "zoo",
			About: "the 2007 Storm/SQLAlchemy/Geniusql suite: insert, properties, expressions, aggregates, editing, multiview",
			Impls: allImpls,
			Open:  openZoo,
		},
		{
			Name:         "bulk-50k",
			About:        "insert rows of three columns (keys generated and written back) in one transaction, then select them all",
			Impls:        []string{Raw, RawCopy, Retort, GORM, Bun},
			PostgresOnly: []string{RawCopy},
			Open:         openBulk,
			Expect:       func(s Size) *Check { c := expectBulk(s); return &c },
		},
	}
	for _, m := range microWorkloads {
		ws = append(ws, Workload{Name: m.name, About: m.about, Impls: allImpls, Open: m.open, Expect: m.expect})
	}
	return ws
}

// Measurement is one implementation's runs of one workload.
type Measurement struct {
	Impl       string
	Note       string
	Times      []time.Duration
	RoundTrips int64  // of the last run (every run sends the same)
	Allocs     uint64 // median of runs
	Check      Check
}

// Median is the median run time.
func (m *Measurement) Median() time.Duration { return median(m.Times) }

func median[T int64 | uint64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Options configure Run.
type Options struct {
	Runs   int      // measured runs per implementation
	Warmup int      // unmeasured runs per implementation first
	Impls  []string // only these implementations (all when empty)
	Size   Size
	Log    io.Writer // progress, or nil
}

// Run opens every implementation of w and runs them alternately: run 1 of
// each, then run 2 of each (in a rotated order), and so on. Every run is
// checked.
func Run(ctx context.Context, w Workload, target Target, opt Options) ([]*Measurement, error) {
	var cases []*Case
	var ms []*Measurement
	defer func() {
		for _, c := range cases {
			c.Close()
		}
	}()
	for _, impl := range w.ImplsOn(target) {
		if len(opt.Impls) > 0 && !slices.Contains(opt.Impls, impl) && impl != Raw {
			continue
		}
		c, err := w.Open(ctx, impl, target, opt.Size)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: open: %w", w.Name, impl, err)
		}
		cases = append(cases, c)
		ms = append(ms, &Measurement{Impl: impl, Note: c.Note})
	}
	var want *Check
	if w.Expect != nil {
		want = w.Expect(opt.Size)
	}
	allocs := make([][]uint64, len(cases))
	for r := -opt.Warmup; r < opt.Runs; r++ {
		for k := range cases {
			i := (k + max(r, 0)) % len(cases) // rotate the order between runs
			c, m := cases[i], ms[i]
			if err := c.Reset(ctx); err != nil {
				return nil, fmt.Errorf("%s/%s: reset: %w", w.Name, m.Impl, err)
			}
			runtime.GC()
			c.ResetTrips()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			got, err := c.Run(ctx)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if err != nil {
				return nil, fmt.Errorf("%s/%s: %w", w.Name, m.Impl, err)
			}
			if want != nil && got != *want {
				return nil, fmt.Errorf("%s/%s: %w: got %s, want %s", w.Name, m.Impl, errCheck, got, *want)
			}
			if m.Check != (Check{}) && got != m.Check {
				return nil, fmt.Errorf("%s/%s: %w: run gave %s, an earlier run %s", w.Name, m.Impl, errCheck, got, m.Check)
			}
			m.Check = got
			m.RoundTrips = c.Trips()
			if r >= 0 {
				m.Times = append(m.Times, elapsed)
				allocs[i] = append(allocs[i], after.Mallocs-before.Mallocs)
			}
			if opt.Log != nil {
				fmt.Fprintf(opt.Log, "  %s %s run %d: %v, %d round trips\n", w.Name, m.Impl, r+1, elapsed.Round(time.Microsecond), m.RoundTrips)
			}
		}
	}
	for i, m := range ms {
		m.Allocs = median(allocs[i])
		if m.Check != ms[0].Check {
			return nil, fmt.Errorf("%s: %w: %s gave %s, %s gave %s", w.Name, errCheck, m.Impl, m.Check, ms[0].Impl, ms[0].Check)
		}
	}
	return ms, nil
}

// Report prints the human table and the RESULT lines of one workload.
func Report(out io.Writer, w Workload, target Target, ms []*Measurement) {
	var raw time.Duration
	for _, m := range ms {
		if m.Impl == Raw {
			raw = m.Median()
		}
	}
	fmt.Fprintf(out, "\n== %s on %s: %s\n", w.Name, target.Kind, w.About)
	if len(ms) > 0 {
		fmt.Fprintf(out, "   %d runs each, alternating; every run checked: %s\n", len(ms[0].Times), ms[0].Check)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "impl\tmedian ms\tmin ms\tmax ms\tround trips\tallocs\tratio to raw\t")
	for _, m := range ms {
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2f\t%d\t%d\t%.2f\t\n", m.Impl, ms2(m.Median()), ms2(slices.Min(m.Times)), ms2(slices.Max(m.Times)),
			m.RoundTrips, m.Allocs, ratio(m.Median(), raw))
	}
	tw.Flush()
	for _, m := range ms {
		if m.Note != "" {
			fmt.Fprintf(out, "   %s: %s\n", m.Impl, m.Note)
		}
	}
	for _, m := range ms {
		fmt.Fprintf(out, "RESULT workload=%s impl=%s db=%s median_ms=%.3f round_trips=%d allocs=%d ratio_to_raw=%.3f\n",
			w.Name, m.Impl, target.Kind, ms2(m.Median()), m.RoundTrips, m.Allocs, ratio(m.Median(), raw))
	}
}

func ms2(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ratio(d, raw time.Duration) float64 {
	if raw == 0 {
		return 0
	}
	return float64(d) / float64(raw)
}

// Find returns the workloads named by a comma-separated list ("" or "all":
// every workload; "micro": every micro workload).
func Find(names string) ([]Workload, error) {
	all := Workloads()
	if names == "" || names == "all" {
		return all, nil
	}
	var out []Workload
	for _, n := range strings.Split(names, ",") {
		n = strings.TrimSpace(n)
		found := false
		for _, w := range all {
			if w.Name == n || (n == "micro" && strings.HasPrefix(w.Name, "micro-")) {
				out = append(out, w)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("bench: no workload %q", n)
		}
	}
	return out, nil
}
