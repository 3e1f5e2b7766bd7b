package retort_test

// Limits: inserts far beyond each database's bind-parameter limit, a million
// rows read with flat memory, and object graphs too deep or too wide for a
// recursive flush.

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// limRow has seven columns, so that 100,000 rows carry 700,000 values:
// more than ten times PostgreSQL's 65,535 bind parameters and twenty times
// SQLite's 32,766 (20,000 rows, 140,000 values, on SQLite under the race
// detector).
type limRow struct {
	ID    int64
	Seq   int64
	Name  string
	Score float64
	Flag  bool
	Note  *string
	Small int32
}

var (
	limRows     = retort.NewTable[limRow]("lim_row")
	limRowID    = retort.Col(limRows, "id", func(r *limRow) *int64 { return &r.ID }, retort.PrimaryKey())
	limRowSeq   = retort.Col(limRows, "seq", func(r *limRow) *int64 { return &r.Seq }, retort.Unique())
	limRowName  = retort.Col(limRows, "name", func(r *limRow) *string { return &r.Name })
	limRowScore = retort.Col(limRows, "score", func(r *limRow) *float64 { return &r.Score })
	limRowFlag  = retort.Col(limRows, "flag", func(r *limRow) *bool { return &r.Flag })
	limRowNote  = retort.NullCol(limRows, "note", func(r *limRow) **string { return &r.Note })
	limRowSmall = retort.Col(limRows, "small", func(r *limRow) *int32 { return &r.Small })
)

// raceEnabled reports whether the test binary was built with -race. The
// race detector slows the pure-Go SQLite (C translated to Go, every memory
// access checked) some thirty to fifty times, so under it the SQLite runs
// of these tests use smaller sizes, still beyond the limits they test.
var raceEnabled = sync.OnceValue(func() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
})

// limSize is n, or small for SQLite under the race detector.
func limSize(t *testing.T, env *dbtest.Env, n, small int) int {
	if env.Dialect == retort.SQLite && raceEnabled() {
		t.Logf("race detector on: %d instead of %d on SQLite", small, n)
		return small
	}
	return n
}

func limMakeRows(offset, n int) []*limRow {
	rows := make([]*limRow, n)
	for i := range rows {
		n := int64(offset + i)
		r := &limRow{Seq: n, Name: fmt.Sprintf("row %d", n), Score: float64(n) / 4, Flag: n%3 == 0, Small: int32(n % 1000)}
		if n%2 == 0 {
			r.Note = ptr(fmt.Sprint("note ", n))
		}
		rows[i] = r
	}
	return rows
}

// limCheckKeys reads the table back and checks that every object got the
// key of the row holding its values, and that keys are distinct.
func limCheckKeys(t *testing.T, db retort.DB, objs []*limRow) {
	t.Helper()
	ctx := context.Background()
	byID := make(map[int64]*limRow, len(objs))
	for r, err := range retort.Select(limRows).Iter(ctx, db) {
		if err != nil {
			t.Fatal(err)
		}
		byID[r.ID] = r
	}
	if len(byID) != len(objs) {
		t.Fatalf("%d rows in the table, want %d", len(byID), len(objs))
	}
	seen := make(map[int64]bool, len(objs))
	for _, o := range objs {
		if o.ID == 0 || seen[o.ID] {
			t.Fatalf("object %d: key %d (zero or repeated)", o.Seq, o.ID)
		}
		seen[o.ID] = true
		got := byID[o.ID]
		if got == nil || got.Seq != o.Seq || got.Name != o.Name || got.Score != o.Score || got.Flag != o.Flag ||
			got.Small != o.Small || (got.Note == nil) != (o.Note == nil) || (o.Note != nil && *got.Note != *o.Note) {
			t.Fatalf("object seq %d got key %d, whose row is %+v", o.Seq, o.ID, got)
		}
	}
}

// 100,000 rows of seven columns through retort.Insert and through a session
// flush: chunked under each database's limit, every object with its key.
func TestLimitInsertBeyondBindLimit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, limRows)
		size := limSize(t, env, 100000, 10000)
		if n := size * len(limRows.Columns()); n <= 2*env.Dialect.MaxParams() {
			t.Fatalf("%d values do not exceed twice the limit of %d", n, env.Dialect.MaxParams())
		}

		rows := limMakeRows(0, size)
		start := time.Now()
		if err := retort.Insert(limRows, rows...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: retort.Insert of %d rows: %v, %d round trips, %d statements", env.Dialect, len(rows),
			time.Since(start).Round(time.Millisecond), env.Count.RoundTrips(), env.Count.Statements())
		limCheckKeys(t, env.DB, rows)

		if _, err := retort.Delete(limRows).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		rows = limMakeRows(size, size)
		s := session.New(env.DB)
		if err := session.AddAll(s, rows...); err != nil {
			t.Fatal(err)
		}
		env.Count.Reset()
		start = time.Now()
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: session flush of %d objects: %v, %d round trips, %d statements", env.Dialect, len(rows),
			time.Since(start).Round(time.Millisecond), env.Count.RoundTrips(), env.Count.Statements())
		limCheckKeys(t, env.DB, rows)
		// The identity map holds each object under its key.
		for _, r := range rows[:1000] {
			got, err := session.Get(ctx, s, limRows, r.ID)
			if err != nil || got != r {
				t.Fatalf("Get(%d) = %p, %v; want the flushed object %p", r.ID, got, err, r)
			}
		}
	})
}

// limSeq is a table of a million rows made by the database itself.
type limSeq struct {
	ID   int64
	N    int64
	Text string
}

var (
	limSeqs    = retort.NewTable[limSeq]("lim_seq")
	limSeqID   = retort.Col(limSeqs, "id", func(r *limSeq) *int64 { return &r.ID }, retort.PrimaryKey(), retort.NoAutoIncrement())
	limSeqN    = retort.Col(limSeqs, "n", func(r *limSeq) *int64 { return &r.N })
	limSeqText = retort.Col(limSeqs, "text", func(r *limSeq) *string { return &r.Text })
)

// Iterating over 1,000,000 rows (generated by the database) with
// retort.Select(...).Iter keeps the heap flat: after a GC at every tenth of
// the rows, the live heap has grown by less than 4 bytes a row (holding the
// rows would take over 50: an object of 32 bytes, a string of 10 to 14, a
// slice entry), and at most 4 MiB.
func TestLimitIterateMillionRows(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, limSeqs)
		limMillion := int64(limSize(t, env, 1000000, 50000))
		limHeapGrowth := min(4*limMillion, 4<<20)
		fill := `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
			INSERT INTO "lim_seq" ("id", "n", "text") SELECT x, x * 2, 'row ' || x FROM c`
		if env.Dialect == retort.Postgres {
			fill = `INSERT INTO "lim_seq" ("id", "n", "text") SELECT g, g * 2, 'row ' || g FROM generate_series(1, $1::int) AS g`
		}
		start := time.Now()
		if _, err := env.DB.Exec(ctx, fill, limMillion); err != nil {
			t.Fatal(err)
		}
		filled := time.Since(start)

		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base, allocBase := ms.HeapAlloc, ms.TotalAlloc
		peak := base
		var rows, sum int64
		start = time.Now()
		for r, err := range retort.Select(limSeqs).OrderBy(limSeqID.Asc()).Iter(ctx, env.DB) {
			if err != nil {
				t.Fatal(err)
			}
			rows++
			if r.ID != rows || r.N != 2*rows || len(r.Text) < 5 {
				t.Fatalf("row %d: %+v", rows, r)
			}
			sum += r.N
			if rows%(limMillion/10) == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		read := time.Since(start)
		runtime.ReadMemStats(&ms)
		if rows != limMillion || sum != limMillion*(limMillion+1) {
			t.Fatalf("read %d rows, sum %d", rows, sum)
		}
		growth := int64(peak) - int64(base)
		t.Logf("%s: filled in %v; read %d rows in %v; live heap %d KiB at start, growth at most %d KiB; %.0f bytes allocated per row",
			env.Dialect, filled.Round(time.Millisecond), rows, read.Round(time.Millisecond), base>>10, growth>>10,
			float64(ms.TotalAlloc-allocBase)/float64(rows))
		if growth > limHeapGrowth {
			t.Errorf("the live heap grew by %d KiB while iterating, more than %d KiB: rows are being kept", growth>>10, limHeapGrowth>>10)
		}
	})
}

// limNode is a self-referencing table for deep and wide object graphs.
type limNode struct {
	ID       int64
	ParentID *int64
	Name     string
	Parent   *limNode // followed by limParentRel, not a column
}

var (
	limNodes      = retort.NewTable[limNode]("lim_node")
	limNodeID     = retort.Col(limNodes, "id", func(n *limNode) *int64 { return &n.ID }, retort.PrimaryKey())
	limNodeParent = retort.NullCol(limNodes, "parent_id", func(n *limNode) **int64 { return &n.ParentID }, retort.Indexed()).References(limNodeID)
	limNodeName   = retort.Col(limNodes, "name", func(n *limNode) *string { return &n.Name })
	_             = func() bool { session.Relate(limNodes, limParentRel{}); return true }()
)

// limParentRel is a minimal many-to-one from a node to its parent, for
// these tests (package rel has the real ones): it cascades the parent,
// orders it first and copies its key.
type limParentRel struct{}

func (limParentRel) Cascade(obj any, add func(session.Mapper, any)) {
	if p := obj.(*limNode).Parent; p != nil {
		m, _ := session.MapperOf[limNode]()
		add(m, p)
	}
}

func (limParentRel) Parents(obj any, visit func(any)) {
	if p := obj.(*limNode).Parent; p != nil {
		visit(p)
	}
}

func (limParentRel) Sync(obj any) {
	if n := obj.(*limNode); n.Parent != nil {
		id := n.Parent.ID
		n.ParentID = &id
	}
}

func (limParentRel) Removed(any, func(any))       {}
func (limParentRel) CascadeDelete(any, func(any)) {}
func (limParentRel) Attach(any, *session.Session) {}
func (limParentRel) Flushed(any)                  {}

// A chain of 10,000 nodes, each the parent of the next, is flushed by adding
// only the last one (the rest cascade in): no stack overflow, every foreign
// key filled, and the database holds one chain of that depth. Then the whole
// chain is deleted in one flush. Its ordering is linear in its length (the
// log gives the time; speed is not asserted in tests); on PostgreSQL each
// level waits for its parent's generated key: one round trip per node.
func TestLimitDeepGraph(t *testing.T) {
	limDeepChain(t, 10000)
}

// limDeepChain flushes and deletes a chain of limDepth nodes.
func limDeepChain(t *testing.T, limDepth int) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, limNodes)
		nodes := make([]*limNode, limDepth)
		for i := range nodes {
			nodes[i] = &limNode{Name: fmt.Sprint("level ", i)}
			if i > 0 {
				nodes[i].Parent = nodes[i-1]
			}
		}
		s := session.New(env.DB)
		if err := session.Add(s, nodes[len(nodes)-1]); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		t.Logf("%s: flushed a chain of %d nodes in %v, %d round trips", env.Dialect, limDepth, took.Round(time.Millisecond), env.Count.RoundTrips())
		for i, n := range nodes {
			if n.ID == 0 || (i > 0 && (n.ParentID == nil || *n.ParentID != nodes[i-1].ID)) || (i == 0 && n.ParentID != nil) {
				t.Fatalf("node %d: id %d parent_id %v", i, n.ID, n.ParentID)
			}
		}
		// The database walks the chain from its leaf to its root.
		q := `WITH RECURSIVE up(id, parent_id, depth) AS (
				SELECT id, parent_id, 1 FROM lim_node WHERE id = ?
				UNION ALL SELECT n.id, n.parent_id, up.depth + 1 FROM lim_node n JOIN up ON n.id = up.parent_id)
			SELECT max(depth) FROM up`
		if env.Dialect == retort.Postgres {
			q = `WITH RECURSIVE up(id, parent_id, depth) AS (
				SELECT id, parent_id, 1 FROM lim_node WHERE id = $1
				UNION ALL SELECT n.id, n.parent_id, up.depth + 1 FROM lim_node n JOIN up ON n.id = up.parent_id)
			SELECT max(depth)::bigint FROM up`
		}
		rows, err := env.DB.Query(ctx, q, nodes[len(nodes)-1].ID)
		if err != nil {
			t.Fatal(err)
		}
		var depth int64
		for rows.Next() {
			if err := rows.Scan(&depth); err != nil {
				t.Fatal(err)
			}
		}
		rows.Close()
		if depth != int64(limDepth) {
			t.Errorf("the database's chain is %d deep, want %d", depth, limDepth)
		}
		for _, n := range nodes {
			if err := session.Delete(s, n); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("deleting the chain: %v", err)
		}
		if n, err := retort.Select(limNodes).Count(ctx, env.DB); err != nil || n != 0 {
			t.Errorf("%d nodes left, %v", n, err)
		}
	})
}

// One parent with 50,000 children, added through the children only, flushes
// in one go with every child pointing at the parent.
func TestLimitWideGraph(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, limNodes)
		root := &limNode{Name: "root"}
		width := int64(limSize(t, env, 50000, 10000))
		kids := make([]*limNode, width)
		for i := range kids {
			kids[i] = &limNode{Name: fmt.Sprint("child ", i), Parent: root}
		}
		s := session.New(env.DB)
		if err := session.AddAll(s, kids...); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: flushed 1 parent and %d children in %v, %d round trips", env.Dialect, width, time.Since(start).Round(time.Millisecond), env.Count.RoundTrips())
		n, err := retort.Select(limNodes).Where(limNodeParent.Eq(root.ID)).Count(ctx, env.DB)
		if err != nil || n != width {
			t.Errorf("%d children of the root in the database, %v", n, err)
		}
		for i, k := range kids {
			if k.ID == 0 || k.ParentID == nil || *k.ParentID != root.ID {
				t.Fatalf("child %d: id %d parent_id %v, root %d", i, k.ID, k.ParentID, root.ID)
			}
		}
	})
}
