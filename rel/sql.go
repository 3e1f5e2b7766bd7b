package rel

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

// chunkSize bounds the keys of one WHERE key IN (...) query: larger sets of
// owners are loaded with one query per chunk.
var chunkSize = 5000

// stmt is a SELECT being built and read: a root, whose columns come first,
// and relationships LEFT OUTER JOINed to it (nodes).
type stmt struct {
	s        *session.Session
	d        retort.Dialect
	populate bool
	used     map[string]bool
	list     strings.Builder // the nodes' columns, each after ", "
	joins    joinList
	order    []string // the nodes' ORDER BY terms
	nodes    []*node
	dests    []any
	names    []string // what each destination holds, for scan errors
}

// joinList is the JOIN clauses of a statement: SQL text, and the
// conditions of filtered relationships (ToMany.Where), which bring bind
// arguments and are written where the statement is.
type joinList struct{ parts []joinPart }

type joinPart struct {
	text             string
	where            filter
	stmt, table, ref string
}

func (l *joinList) WriteString(s string) { l.parts = append(l.parts, joinPart{text: s}) }

// cond adds the conditions of where on table, joined as ref, to the ON
// clause just written.
func (l *joinList) cond(where filter, stmt, table, ref string) {
	if len(where) > 0 {
		l.parts = append(l.parts, joinPart{where: where, stmt: stmt, table: table, ref: ref})
	}
}

func (l *joinList) writeTo(w *retort.Writer) {
	for _, p := range l.parts {
		if p.where != nil {
			p.where.write(w, p.stmt, p.table, p.ref)
			continue
		}
		w.WriteString(p.text)
	}
}

// node is one joined relationship in a statement.
type node struct {
	j       joiner
	part    part
	parent  int  // the node whose objects own this one's; -1: the root
	partial bool // the join has conditions (ToMany.Where)
	ncols   int
	scan    rowScanner
	cur     any // this row's object, nil when the join matched nothing
	targets []any
	seen    map[any]struct{}
	began   map[any]bool
}

// joiner is a relationship that can be joined into a statement.
type joiner interface {
	info() *base
	// join writes the LEFT OUTER JOIN clauses that reach the target's table
	// from the owner (referred to as ownerRef), the target's rows
	// restricted to those matching where, and returns the target's
	// reference.
	join(q *stmt, ownerRef string, where filter) string
	// part returns how the target's objects are read, their table joined as
	// ref (a class hierarchy's part joins its other tables).
	part(q *stmt, ref string) (part, error)
	// begin starts loading owner's relationship, partly when the join has
	// conditions; false when it is loaded already (then the statement
	// leaves it alone).
	begin(s *session.Session, owner any, partial, populate bool) bool
	add(owner, target any)
	end(owner any)
	// abort undoes begin after the statement failed: the relationship is
	// not loaded.
	abort(owner any)
	// nodeOrder is the ORDER BY terms that keep the target's rows in order.
	nodeOrder(ref string) []string
}

// rowScanner turns a row's columns of one node into an object.
type rowScanner interface {
	row() (any, error) // nil when the join matched nothing
}

// part is the columns of a statement that hold the objects of one node.
type part interface {
	cols() []string  // select-list expressions
	names() []string // table.column of each, for errors
	scanner(q *stmt, slots []any) (rowScanner, error)
}

// tablePart reads the objects of a table joined as ref.
type tablePart[T any] struct {
	t   *retort.Table[T]
	ref string
}

func (p tablePart[T]) cols() []string { return columnNames(p.t, p.ref) }

func (p tablePart[T]) names() []string { return columnNames(p.t, localName(p.t.Name())) }

func (p tablePart[T]) scanner(q *stmt, slots []any) (rowScanner, error) {
	return newNullScan(q, p.t, slots)
}

// targetPart returns how a joined statement reads the objects of T, whose
// table t is joined as ref: the table's columns, or, for a class hierarchy
// (package inherit), its part, which joins the class's other tables.
func targetPart[T any](q *stmt, t *retort.Table[T], ref string) (part, error) {
	pj, ok := mapperOf[T]().(polyJoiner)
	if !ok {
		return tablePart[T]{t: t, ref: ref}, nil
	}
	v, err := pj.JoinTarget(q.s, (*T)(nil), ref, q.ref, q.populate)
	if err != nil {
		return nil, err
	}
	pp, ok := v.(polyPart)
	if !ok {
		return nil, fmt.Errorf("rel: join %q: the mapper's part %T cannot be read", t.Name(), v)
	}
	q.joins.WriteString(pp.JoinClauses())
	return polyPartOf{pp}, nil
}

func newStmt(s *session.Session, populate bool) *stmt {
	return &stmt{s: s, d: s.Dialect(), populate: populate, used: map[string]bool{}}
}

// ref returns a reference for table unique in the statement: the table's
// name without its schema, or an alias when it is taken.
func (q *stmt) ref(table string) string {
	_, table = retort.SplitTable(table)
	if !q.used[table] {
		q.used[table] = true
		return table
	}
	for i := 2; ; i++ {
		r := table + "_" + strconv.Itoa(i)
		if !q.used[r] {
			q.used[r] = true
			return r
		}
	}
}

// fromItem is table as a FROM item referred to as ref.
func fromItem(table, ref string) string {
	if _, local := retort.SplitTable(table); local == ref {
		return retort.QuoteTable(table)
	}
	return retort.QuoteTable(table) + " AS " + retort.QuoteIdent(ref)
}

// localName is table's name without its schema: how SQL qualifies its
// columns when it has no alias.
func localName(table string) string {
	_, local := retort.SplitTable(table)
	return local
}

func qcol(ref, col string) string { return retort.QuoteIdent(ref) + "." + retort.QuoteIdent(col) }

// addJoins joins the joined steps (and, recursively, theirs) to the owner
// referred to as ownerRef. Their other steps run after the statement (see
// runSteps).
func (q *stmt) addJoins(parent int, ownerRef string, steps []*step) error {
	for _, st := range steps {
		if err := st.where.check(st.r.info().name); err != nil {
			return err
		}
		j := st.r.joiner()
		ref := j.join(q, ownerRef, st.where)
		p, err := j.part(q, ref)
		if err != nil {
			return err
		}
		cols := p.cols()
		n := &node{j: j, part: p, parent: parent, partial: len(st.where) > 0, ncols: len(cols), seen: map[any]struct{}{}, began: map[any]bool{}}
		for _, c := range cols {
			q.list.WriteString(", ")
			q.list.WriteString(c)
		}
		q.names = append(q.names, p.names()...)
		q.order = append(q.order, j.nodeOrder(ref)...)
		joined, _ := splitSteps(st.next)
		q.nodes = append(q.nodes, n)
		if err := q.addJoins(len(q.nodes)-1, ref, joined); err != nil {
			return err
		}
	}
	return nil
}

// prepare allocates the row's destinations: rootNames for the root's, then
// the nodes'. It returns the root's part.
func (q *stmt) prepare(rootNames []string) ([]any, error) {
	total := len(rootNames)
	for _, n := range q.nodes {
		total += n.ncols
	}
	q.dests = make([]any, total)
	q.names = append(rootNames[:len(rootNames):len(rootNames)], q.names...)
	off := len(rootNames)
	for _, n := range q.nodes {
		sc, err := n.part.scanner(q, q.dests[off:off+n.ncols])
		if err != nil {
			return nil, err
		}
		n.scan = sc
		off += n.ncols
	}
	return q.dests[:len(rootNames)], nil
}

// exec runs one statement; root reads each row's root part and returns its
// object.
func (q *stmt) exec(ctx context.Context, sqlText string, args []any, root func() (any, error)) error {
	item := retort.BatchItem{SQL: sqlText, Args: args, Rows: func(rows retort.Rows) error {
		for rows.Next() {
			if err := rows.Scan(q.dests...); err != nil {
				return q.scanError(err)
			}
			obj, err := root()
			if err != nil {
				return err
			}
			for _, n := range q.nodes {
				owner := obj
				if n.parent >= 0 {
					owner = q.nodes[n.parent].cur
				}
				t, err := n.scan.row()
				if err != nil {
					return err
				}
				n.cur = t
				if t != nil {
					if _, ok := n.seen[t]; !ok {
						n.seen[t] = struct{}{}
						n.targets = append(n.targets, t)
					}
				}
				if owner == nil {
					continue
				}
				b, ok := n.began[owner]
				if !ok {
					b = n.j.begin(q.s, owner, n.partial, q.populate)
					n.began[owner] = b
				}
				if b && t != nil {
					n.j.add(owner, t)
				}
			}
		}
		return rows.Err()
	}}
	return q.s.Query(ctx, item)
}

// finish completes the nodes' loads.
func (q *stmt) finish() {
	for _, n := range q.nodes {
		for owner, b := range n.began {
			if b {
				n.j.end(owner)
			}
		}
	}
}

// abort undoes the nodes' begun loads after the statement failed.
func (q *stmt) abort() {
	for _, n := range q.nodes {
		for owner, b := range n.began {
			if b {
				n.j.abort(owner)
			}
		}
	}
}

func (q *stmt) scanError(err error) error {
	var se *retort.ScanError
	if errors.As(err, &se) && se.Index >= 0 && se.Index < len(q.names) {
		return fmt.Errorf("rel: read %s: %w", q.names[se.Index], err)
	}
	return fmt.Errorf("rel: read: %w", err)
}

// rootScan reads the root's columns of each row into objects of T and
// registers them in the session.
type rootScan[T any] struct {
	cols     []retort.ColumnOf[T]
	m        session.Mapper
	s        *session.Session
	populate bool
	spare    *T
	slots    []any
}

func newRootScan[T any](q *stmt, t *retort.Table[T], slots []any) *rootScan[T] {
	r := &rootScan[T]{cols: t.Columns(), m: mapperOf[T](), s: q.s, populate: q.populate, spare: new(T), slots: slots}
	r.bind()
	return r
}

func (r *rootScan[T]) bind() {
	for i, c := range r.cols {
		r.slots[i] = c.Dest(r.spare)
	}
}

// take registers the row just scanned. scanned holds the row's values until
// the next row; obj is the session's object for the row.
func (r *rootScan[T]) take() (scanned, obj *T) {
	scanned = r.spare
	obj = r.s.Register(r.m, r.spare, r.populate).(*T)
	if obj == r.spare {
		r.spare = new(T)
		r.bind()
	}
	return scanned, obj
}

// columnNames returns t's columns qualified by ref.
func columnNames[T any](t *retort.Table[T], ref string) []string {
	cols := t.Columns()
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = qcol(ref, c.Name())
	}
	return out
}

// nullScan reads a joined table's columns, which are all NULL when the
// LEFT OUTER JOIN matched nothing: NOT NULL columns are scanned through
// holders that accept NULL.
type nullScan[T any] struct {
	cols     []retort.ColumnOf[T]
	m        session.Mapper
	s        *session.Session
	populate bool
	spare    *T
	slots    []any
	holds    []holder
	pk       int
}

func newNullScan[T any](q *stmt, t *retort.Table[T], slots []any) (*nullScan[T], error) {
	n := &nullScan[T]{cols: t.Columns(), m: mapperOf[T](), s: q.s, populate: q.populate, spare: new(T), slots: slots, pk: -1}
	pk := t.PrimaryKey()
	if len(pk) != 1 {
		return nil, fmt.Errorf("rel: join %q: a single-column primary key is needed", t.Name())
	}
	n.holds = make([]holder, len(n.cols))
	for i, c := range n.cols {
		if c.Name() == pk[0].Name() {
			n.pk = i
		}
		h := holdFor(c.Dest(n.spare), c.Info().Nullable)
		if h == nil {
			return nil, fmt.Errorf("rel: join %q: column %q has a type joined loading cannot read (%T)", t.Name(), c.Name(), c.Dest(n.spare))
		}
		n.holds[i] = h
		slots[i] = h.slot()
	}
	return n, nil
}

func (n *nullScan[T]) row() (any, error) {
	if n.holds[n.pk].null() {
		return nil, nil
	}
	for _, h := range n.holds {
		h.commit()
	}
	obj := n.s.Register(n.m, n.spare, n.populate)
	if obj == any(n.spare) {
		n.spare = new(T)
		for i, c := range n.cols {
			n.holds[i].rebind(c.Dest(n.spare))
			n.slots[i] = n.holds[i].slot()
		}
	}
	return obj, nil
}

// holder is a scan destination for a column of a joined table.
type holder interface {
	slot() any
	rebind(dest any)
	null() bool // the column was NULL (known for NOT NULL columns only)
	commit()    // move the value scanned into the object
}

// holdFor wraps dest, a column's destination in an object. Nullable columns
// accept NULL already; NOT NULL ones get a holder.
func holdFor(dest any, nullable bool) holder {
	if nullable {
		return &direct{d: dest}
	}
	switch d := dest.(type) {
	case interface{ Scan(any) error }:
		return &scanHold{inner: d}
	case *int:
		return &nativeHold[int]{dst: d}
	case *int8:
		return &nativeHold[int8]{dst: d}
	case *int16:
		return &nativeHold[int16]{dst: d}
	case *int32:
		return &nativeHold[int32]{dst: d}
	case *int64:
		return &nativeHold[int64]{dst: d}
	case *uint:
		return &nativeHold[uint]{dst: d}
	case *uint8:
		return &nativeHold[uint8]{dst: d}
	case *uint16:
		return &nativeHold[uint16]{dst: d}
	case *uint32:
		return &nativeHold[uint32]{dst: d}
	case *uint64:
		return &nativeHold[uint64]{dst: d}
	case *float32:
		return &nativeHold[float32]{dst: d}
	case *float64:
		return &nativeHold[float64]{dst: d}
	case *bool:
		return &nativeHold[bool]{dst: d}
	case *string:
		return &nativeHold[string]{dst: d}
	case *[]byte:
		return &nativeHold[[]byte]{dst: d}
	case *time.Time:
		return &nativeHold[time.Time]{dst: d}
	}
	return nil
}

// direct scans straight into the object (a NULL-able column).
type direct struct{ d any }

func (h *direct) slot() any       { return h.d }
func (h *direct) rebind(dest any) { h.d = dest }
func (h *direct) null() bool      { return false }
func (h *direct) commit()         {}

// nativeHold scans a NOT NULL built-in column through a pointer that NULL
// leaves nil.
type nativeHold[V any] struct {
	p   *V
	dst *V
}

func (h *nativeHold[V]) slot() any       { return &h.p }
func (h *nativeHold[V]) rebind(dest any) { h.dst = dest.(*V) }
func (h *nativeHold[V]) null() bool      { return h.p == nil }
func (h *nativeHold[V]) commit() {
	if h.p != nil {
		*h.dst = *h.p
	}
}

// scanHold passes non-NULL values to a column's own scanner.
type scanHold struct {
	inner  interface{ Scan(any) error }
	isNull bool
}

func (h *scanHold) slot() any       { return h }
func (h *scanHold) rebind(dest any) { h.inner = dest.(interface{ Scan(any) error }) }
func (h *scanHold) null() bool      { return h.isNull }
func (h *scanHold) commit()         {}

// Scan implements database/sql.Scanner.
func (h *scanHold) Scan(src any) error {
	if src == nil {
		h.isNull = true
		return nil
	}
	h.isNull = false
	return h.inner.Scan(src)
}

// inQuery is a statement whose root is the target table T filtered by a key
// IN (...), run once per chunk of keys.
type inQuery[T any, K comparable] struct {
	q        *stmt
	table    *retort.Table[T]
	ref      string
	lead     string // a leading column (the owner's key of a many-to-many), or ""
	leadDest any
	from     string
	in       func(keys []K) retort.Expr[bool]
	where    filter // conditions on the table's rows
	order    []string
}

// run reads the rows for keys; onRow receives each row's scanned values
// (valid until the next row) and the session's object.
func (iq *inQuery[T, K]) run(ctx context.Context, keys []K, onRow func(scanned, obj *T) error) error {
	q := iq.q
	var head strings.Builder
	head.WriteString("SELECT ")
	var names []string
	if iq.lead != "" {
		head.WriteString(iq.lead)
		head.WriteString(", ")
		names = append(names, iq.lead)
	}
	cols := columnNames(iq.table, iq.ref)
	head.WriteString(strings.Join(cols, ", "))
	names = append(names, cols...)
	head.WriteString(q.list.String())
	head.WriteString(" FROM ")
	head.WriteString(iq.from)
	tail := " ORDER BY " + strings.Join(append(iq.order[:len(iq.order):len(iq.order)], q.order...), ", ")
	slots, err := q.prepare(names)
	if err != nil {
		return err
	}
	if iq.lead != "" {
		slots[0] = iq.leadDest
		slots = slots[1:]
	}
	root := newRootScan(q, iq.table, slots)
	read := func() (any, error) {
		scanned, obj := root.take()
		return obj, onRow(scanned, obj)
	}
	size := chunkSize
	for start := 0; start < len(keys); start += size {
		part := keys[start:min(len(keys), start+size)]
		w := retort.NewWriter(q.d)
		w.WriteString(head.String())
		q.joins.writeTo(w)
		w.WriteString(" WHERE ")
		w.Write(iq.in(part))
		iq.where.write(w, "load "+strconv.Quote(iq.table.Name()), iq.table.Name(), iq.ref)
		w.WriteString(tail)
		if err := w.Err(); err != nil {
			return err
		}
		if err := q.exec(ctx, w.String(), w.Args(), read); err != nil {
			q.abort()
			return fmt.Errorf("rel: load %s: %w", iq.table.Name(), err)
		}
	}
	q.finish()
	return nil
}
