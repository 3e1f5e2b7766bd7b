package inherit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/pgseq"
)

// pgChunk is how many objects one PostgreSQL insert statement carries; the
// rows travel as arrays, so it bounds memory, not parameters.
const pgChunk = 5000

// rowsByTable splits objs by table: for each class's table (by node index),
// the objects' views at that level and, for subclass tables, the 1-based
// position of each object in objs.
func (p *plan) rowsByTable(objs []any, classes []*node) (views [][]any, ords [][]int64) {
	views = make([][]any, len(p.nodes))
	ords = make([][]int64, len(p.nodes))
	views[p.base.index] = make([]any, 0, len(objs))
	for i, obj := range objs {
		n := classes[i]
		lv := n.levels(obj)
		for c := n; c != nil; c = c.parent {
			views[c.index] = append(views[c.index], lv[c.depth])
			if c != p.base {
				ords[c.index] = append(ords[c.index], int64(i+1))
			}
		}
	}
	return views, ords
}

// insertPG returns the one statement that inserts objs (of any classes of
// the hierarchy) into every table they use, on PostgreSQL: the base rows
// travel as one array per column and are unnested with their ordinals; keys
// are drawn from the base table's sequence in a CTE; each table's INSERT is
// a data-modifying CTE joining its rows to the keys by ordinal; the
// statement returns (ordinal, key) pairs, so keys are matched to objects by
// ordinal, never by the order of returned rows. Foreign keys from subclass
// tables to the base table are checked at the end of the statement, when
// every row is in.
func (p *plan) insertPG(objs []any, classes []*node) (retort.BatchItem, error) {
	views, ords := p.rowsByTable(objs, classes)
	var present []*node
	var sig strings.Builder
	for _, n := range p.order {
		if len(views[n.index]) > 0 {
			present = append(present, n)
			sig.WriteString(strconv.Itoa(n.index))
			sig.WriteByte(',')
		}
	}
	// When every base row's key is to be generated, no array of keys is
	// sent (as package retort does): the server draws each with nextval.
	bops := p.baseOps
	auto := bops.auto()
	gen := auto >= 0
	for _, x := range views[p.base.index] {
		if gen && !bops.isZero(x, auto) {
			gen = false
			break
		}
	}
	if gen {
		sig.WriteString("gen")
	}
	sqlText := p.insertText(sig.String(), present, gen)
	args, err := bops.insertArgs(views[p.base.index])
	if err != nil {
		return retort.BatchItem{}, err
	}
	if gen {
		at := bops.meta()[auto].wi // the arrays are of the columns written
		args = append(args[:at:at], args[at+1:]...)
	}
	for _, n := range present[1:] {
		a, err := n.ops.insertArgs(views[n.index])
		if err != nil {
			return retort.BatchItem{}, err
		}
		args = append(args, ords[n.index])
		meta := n.ops.meta()
		for _, i := range p.info[n.index].nonKey {
			if !meta[i].ro {
				args = append(args, a[meta[i].wi])
			}
		}
	}
	// One statement writes every table of the hierarchy: its errors name
	// the base table (PostgreSQL's own message names the constraint).
	item := retort.BatchItem{SQL: sqlText, Args: args, Op: "insert", Table: bops.name()}
	if auto < 0 {
		item.Rows = func(r retort.Rows) error {
			for r.Next() {
				var n int64
				if err := r.Scan(&n); err != nil {
					return fmt.Errorf("inherit: insert %q: %w", bops.name(), err)
				}
				if n != int64(len(objs)) {
					return fmt.Errorf("inherit: insert %q: %d rows for %d objects", bops.name(), n, len(objs))
				}
			}
			return r.Err()
		}
		return item, nil
	}
	item.Rows = func(r retort.Rows) error {
		for r.Next() {
			var ord, id int64
			if err := r.Scan(&ord, &id); err != nil {
				return fmt.Errorf("inherit: insert %q: %w", bops.name(), err)
			}
			if ord < 1 || ord > int64(len(objs)) {
				return fmt.Errorf("inherit: insert %q: key for row %d of %d", bops.name(), ord, len(objs))
			}
			n := classes[ord-1]
			lv := n.levels(objs[ord-1])
			if err := bops.setInt64(lv[0], auto, id); err != nil {
				return fmt.Errorf("inherit: insert %q: %w", bops.name(), err)
			}
			if err := p.syncKeys(n, &lv); err != nil {
				return fmt.Errorf("inherit: insert %q: %w", bops.name(), err)
			}
		}
		return r.Err()
	}
	return item, nil
}

// insertText returns (building once) the PostgreSQL insert for the tables
// present, base first.
func (p *plan) insertText(sig string, present []*node, gen bool) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.inserts[sig]; ok {
		return s
	}
	s := p.buildInsert(present, gen)
	p.inserts[sig] = s
	return s
}

// buildInsert builds insertPG's statement; with gen, the base rows' keys
// are all generated and their column is not among the arrays.
func (p *plan) buildInsert(present []*node, gen bool) string {
	var b strings.Builder
	id := func(s string) { b.WriteString(retort.QuoteIdent(s)) }
	bops := p.baseOps
	cols := bops.meta()
	arg := 0
	param := func(cast string) {
		arg++
		b.WriteString("$" + strconv.Itoa(arg) + "::" + cast)
	}
	// One materialized CTE unnests the base rows and draws their generated
	// keys (a given key is kept): each row's key is drawn once, and the
	// base INSERT, the subclass INSERTs (joined by ordinal) and the
	// (ordinal, key) pairs returned all read the same rows.
	auto := bops.auto()
	n := writeCount(cols) // arrays of base columns
	if gen {
		n--
	}
	// The sequence is looked up once (an InitPlan), not once per row.
	nextval := pgseq.Nextval(n+1, n+2)
	b.WriteString(`WITH "v" AS MATERIALIZED (SELECT `)
	for i, c := range cols {
		if c.ro {
			continue // never written
		}
		if i == auto && gen {
			b.WriteString(nextval + " AS ")
		} else if i == auto {
			b.WriteString(`COALESCE("u".`)
			id(c.name)
			b.WriteString(", " + nextval + ") AS ")
		} else {
			b.WriteString(`"u".`)
		}
		id(c.name)
		b.WriteString(", ")
	}
	b.WriteString(`"u"."retort_ord" FROM unnest(`)
	for i, c := range cols {
		if i == auto && gen || c.ro {
			continue
		}
		if arg > 0 {
			b.WriteString(", ")
		}
		param(c.pgCast)
	}
	b.WriteString(`) WITH ORDINALITY AS "u" (`)
	for i, c := range cols {
		if i == auto && gen || c.ro {
			continue
		}
		id(c.name)
		b.WriteString(", ")
	}
	b.WriteString(`"retort_ord")), "i0" AS (INSERT INTO `)
	if auto >= 0 {
		arg += 2
	}
	b.WriteString(retort.QuoteTable(bops.name()))
	b.WriteString(" (")
	first := true
	for _, c := range cols {
		if c.ro {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		id(c.name)
	}
	b.WriteString(") ")
	if gen {
		// Every key is drawn here: a key column GENERATED ALWAYS AS
		// IDENTITY takes it (as package retort's insert does).
		b.WriteString("OVERRIDING SYSTEM VALUE ")
	}
	b.WriteString("SELECT ")
	first = true
	for _, c := range cols {
		if c.ro {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(`"v".`)
		id(c.name)
	}
	b.WriteString(` FROM "v")`)
	for t, n := range present[1:] {
		meta := n.ops.meta()
		var nonKey []int // the subclass's columns written
		for _, i := range p.info[n.index].nonKey {
			if !meta[i].ro {
				nonKey = append(nonKey, i)
			}
		}
		b.WriteString(`, "i` + strconv.Itoa(t+1) + `" AS (INSERT INTO `)
		b.WriteString(retort.QuoteTable(n.ops.name()))
		b.WriteString(" (")
		for j, i := range n.ops.pk() {
			if j > 0 {
				b.WriteString(", ")
			}
			id(meta[i].name)
		}
		for _, i := range nonKey {
			b.WriteString(", ")
			id(meta[i].name)
		}
		b.WriteString(") SELECT ")
		for j, i := range bops.pk() {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(`"v".`)
			id(cols[i].name)
		}
		for _, i := range nonKey {
			b.WriteString(`, "s".`)
			id(meta[i].name)
		}
		b.WriteString(" FROM unnest(")
		param("bigint[]")
		for _, i := range nonKey {
			b.WriteString(", ")
			param(meta[i].pgCast)
		}
		b.WriteString(`) AS "s" ("retort_ord"`)
		for _, i := range nonKey {
			b.WriteString(", ")
			id(meta[i].name)
		}
		b.WriteString(`) JOIN "v" ON "v"."retort_ord" = "s"."retort_ord")`)
	}
	if auto >= 0 {
		b.WriteString(` SELECT "v"."retort_ord", "v".`)
		id(cols[auto].name)
		b.WriteString(` FROM "v"`)
	} else {
		b.WriteString(` SELECT count(*) FROM "v"`)
	}
	return b.String()
}

// insertRows returns SQLite's INSERTs (where statements cost no round
// trip): the base rows, then the rows of each subclass table in insert
// order, each table's rows in as few statements as package retort makes
// (multi-row VALUES). Each base statement, once run, writes its rows' keys
// (generated or not) into the pending subclass statements of its objects.
func (p *plan) insertRows(d retort.Dialect, objs []any, classes []*node) ([]retort.BatchItem, error) {
	views, _ := p.rowsByTable(objs, classes)
	bops := p.baseOps
	items, err := bops.insertItems(d, views[p.base.index])
	if err != nil {
		return nil, err
	}
	// rowsOf lists, for each row of a table's items in order, the arguments
	// of its statement and where its values start.
	type rowAt struct {
		args []any
		off  int
	}
	rowsOf := func(its []retort.BatchItem, ncol int) []rowAt {
		var out []rowAt
		for _, it := range its {
			for off := 0; off+ncol <= len(it.Args); off += ncol {
				out = append(out, rowAt{it.Args, off})
			}
		}
		return out
	}
	ncol := writeCount(bops.meta())
	n := 0
	for _, it := range items {
		n += len(it.Args) / ncol
	}
	if n != len(objs) {
		return nil, fmt.Errorf("inherit: insert %q: statements for %d rows, not %d", bops.name(), n, len(objs))
	}
	// pending[i] lists the key arguments to fill in object i's subclass rows.
	type keyArgs struct {
		row rowAt
		pk  []int // where the key's values go among the row's arguments
	}
	pending := make([][]keyArgs, len(objs))
	subRows := make([][]rowAt, len(p.nodes))
	for _, n := range p.order[1:] {
		if len(views[n.index]) == 0 {
			continue
		}
		sub, err := n.ops.insertItems(d, views[n.index])
		if err != nil {
			return nil, err
		}
		subRows[n.index] = rowsOf(sub, writeCount(n.ops.meta()))
		if len(subRows[n.index]) != len(views[n.index]) {
			return nil, fmt.Errorf("inherit: insert %q: statements for %d rows, not %d", n.ops.name(), len(subRows[n.index]), len(views[n.index]))
		}
		items = append(items, sub...)
	}
	pos := make([]int, len(p.nodes)) // next row of each table
	for i := range objs {
		for c := classes[i]; c != p.base; c = c.parent {
			meta := c.ops.meta()
			at := make([]int, len(c.ops.pk()))
			for j, col := range c.ops.pk() {
				at[j] = meta[col].wi // a key column is never read-only
			}
			pending[i] = append(pending[i], keyArgs{row: subRows[c.index][pos[c.index]], pk: at})
			pos[c.index]++
		}
	}
	bpk := bops.pk()
	// fill writes the base keys of objects [from, to) into their pending
	// subclass rows.
	fill := func(from, to int) error {
		for i := from; i < to; i++ {
			if len(pending[i]) == 0 {
				continue
			}
			lv := classes[i].levels(objs[i])
			if err := p.syncKeys(classes[i], &lv); err != nil {
				return fmt.Errorf("inherit: insert %q: %w", bops.name(), err)
			}
			for _, s := range pending[i] {
				for j, col := range s.pk {
					v, err := bops.bind(lv[0], bpk[j])
					if err != nil {
						return err
					}
					s.row.args[s.row.off+col] = v
				}
			}
		}
		return nil
	}
	first := 0
	for k := 0; first < len(objs); k++ { // the base items come first
		it := &items[k]
		from, to := first, first+len(it.Args)/ncol
		first = to
		if rows := it.Rows; rows != nil {
			it.Rows = func(r retort.Rows) error {
				if err := rows(r); err != nil {
					return err
				}
				return fill(from, to)
			}
			continue
		}
		res := it.Result
		it.Result = func(r retort.Result) error {
			if res != nil {
				if err := res(r); err != nil {
					return err
				}
			}
			return fill(from, to)
		}
	}
	return items, nil
}
