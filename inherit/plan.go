package inherit

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/retort-orm/retort"
)

// plan is a hierarchy's resolved mapping: column positions, statement text
// and the tables in insert order. It is built at first use and rebuilt when a
// class is added.
type plan struct {
	h       *hierarchy
	nodes   []*node // by node.index: declaration order
	order   []*node // insert order: parents, and referenced tables, first
	base    *node
	baseOps tableOps
	discIx  int
	byValue map[any]*node
	tables  []retort.Schema // what the mapper's Tables returns, in order
	info    []tableInfo     // by node.index
	joined  []*shape        // by node.index: polymorphic query, subclass tables LEFT JOINed
	path    []*shape        // by node.index: the class's own tables only (select-in)

	// selfRefs: the hierarchy's references to its own rows, which order
	// its deletes (deleteOrder); selfRefsOK is false when they cannot.
	selfRefs   []selfRef
	selfRefsOK bool

	last atomic.Pointer[node] // the class classOf found last

	mu      sync.Mutex
	inserts map[string]string       // PostgreSQL insert text by the set of tables written
	follow  map[[2]int]*followShape // select-in follow-up query by (queried class, row class)
}

// tableInfo is the column layout of one class's table.
type tableInfo struct {
	all    []int // every column
	nonKey []int // the columns a subclass table adds (every column for the base)
	shared bool  // the key fields are the base's (the accessors reach the embedded fields)
	// whole: the class's objects can be compared with their snapshots by
	// == first (node.same is set and no table of the class has a column
	// whose snapshot is a deep copy, which == would always find different)
	whole bool
}

func buildPlan(h *hierarchy) *plan {
	p := &plan{h: h, nodes: append([]*node(nil), h.nodes...), byValue: map[any]*node{},
		inserts: map[string]string{}, follow: map[[2]int]*followShape{}}
	p.base = p.nodes[0]
	p.baseOps = p.base.ops
	for _, n := range p.nodes {
		n.ops.freeze()
		if !n.abstract {
			p.byValue[n.value] = n
		}
	}
	bops := p.baseOps
	if len(bops.pk()) == 0 {
		panic(fmt.Sprintf("inherit: base table %q has no primary key", bops.name()))
	}
	p.discIx = -1
	for i, m := range bops.meta() {
		if m.name == h.disc {
			p.discIx = i
		}
	}
	if p.discIx < 0 {
		panic(fmt.Sprintf("inherit: discriminator column %q is not declared on table %q", h.disc, bops.name()))
	}
	p.info = make([]tableInfo, len(p.nodes))
	for _, n := range p.nodes {
		ti := &p.info[n.index]
		for i, m := range n.ops.meta() {
			ti.all = append(ti.all, i)
			if n == p.base || !m.pk {
				ti.nonKey = append(ti.nonKey, i)
			}
		}
		if n == p.base {
			ti.shared = true
			continue
		}
		if len(n.ops.pk()) != len(bops.pk()) {
			panic(fmt.Sprintf("inherit: class %s: table %q has %d primary-key columns; it needs %d, matching table %q",
				n.typeName, n.ops.name(), len(n.ops.pk()), len(bops.pk()), bops.name()))
		}
		if n.ops.auto() >= 0 {
			k := n.ops.meta()[n.ops.auto()].name
			panic(fmt.Sprintf("inherit: class %s: the key %s.%s must not be generated: declare it with References to the key of %q",
				n.typeName, n.ops.name(), k, bops.name()))
		}
		ti.shared = sharesKey(p, n)
	}
	for _, n := range p.nodes {
		whole := n.same != nil
		for c := n; c != nil && whole; c = c.parent {
			for _, m := range c.ops.meta() {
				whole = whole && !m.deep
			}
		}
		p.info[n.index].whole = whole
	}
	p.order = insertOrder(p)
	p.selfRefs, p.selfRefsOK = selfRefs(p)
	p.tables = make([]retort.Schema, len(p.order))
	for i, n := range p.order {
		p.tables[i] = classTable(p, n)
	}
	p.joined = make([]*shape, len(p.nodes))
	p.path = make([]*shape, len(p.nodes))
	for _, n := range p.nodes {
		p.joined[n.index] = newShape(p, n, true)
		p.path[n.index] = newShape(p, n, false)
	}
	return p
}

// sharesKey reports whether n's key accessors reach the base's key fields,
// by writing a key through the base and reading it back through n's table.
// Only an integer key can be probed; other keys are copied at every write.
func sharesKey(p *plan, n *node) bool {
	bpk, pk := p.baseOps.pk(), n.ops.pk()
	if len(bpk) != 1 {
		return false
	}
	obj := n.newObj()
	lv := n.levels(obj)
	const probe = 987654321
	if err := p.baseOps.setInt64(lv[0], bpk[0], probe); err != nil {
		return false
	}
	got, ok := retort.Int64Of(n.ops.value(lv[n.depth], pk[0]))
	return ok && got == probe
}

// insertOrder sorts the classes' tables so that a table comes after its
// parent class's table and after the hierarchy's tables it references
// (grunt after boss), keeping declaration order otherwise; a cycle of
// references falls back to declaration order.
func insertOrder(p *plan) []*node {
	byName := map[string]*node{}
	for _, n := range p.nodes {
		byName[n.ops.name()] = n
	}
	placed := make([]bool, len(p.nodes))
	var out []*node
	ready := func(n *node, strict bool) bool {
		if n.parent != nil && !placed[n.parent.index] {
			return false
		}
		if !strict {
			return true
		}
		for _, fk := range n.ops.schema().Info().ForeignKeys {
			if r, ok := byName[fk.RefTable]; ok && r != n && !placed[r.index] {
				return false
			}
		}
		return true
	}
	for len(out) < len(p.nodes) {
		found := false
		for _, strict := range []bool{true, false} {
			for _, n := range p.nodes {
				if !placed[n.index] && ready(n, strict) {
					placed[n.index] = true
					out = append(out, n)
					found = true
					break
				}
			}
			if found {
				break
			}
		}
	}
	return out
}

// classOf returns the class of obj, or nil.
func (p *plan) classOf(obj any) *node {
	// Objects come in runs of one class (a flush compares a table's
	// objects in the order they entered the session): the class found
	// last is tried first. It was the first class of its Go type, so it is
	// what the search below would find.
	if n := p.last.Load(); n != nil && n.is(obj) {
		return n
	}
	for _, n := range p.nodes {
		if n.is(obj) {
			p.last.Store(n)
			return n
		}
	}
	return nil
}

// discValue reads the discriminator from an object's base part.
func (p *plan) discValue(base any) any { return p.baseOps.value(base, p.discIx) }

// syncKeys copies the base key into the key fields of the subclass tables
// that do not share them.
func (p *plan) syncKeys(n *node, lv *views) error {
	for c := n; c != p.base; c = c.parent {
		if p.info[c.index].shared {
			continue
		}
		for j, i := range c.ops.pk() {
			if err := c.ops.setValue(lv[c.depth], i, p.baseOps.value(lv[0], p.baseOps.pk()[j])); err != nil {
				return err
			}
		}
	}
	return nil
}

// qualified writes col qualified by table's name without its schema.
func qualified(b *strings.Builder, table, col string) {
	b.WriteString(retort.QuoteIdent(localName(table)))
	b.WriteByte('.')
	b.WriteString(retort.QuoteIdent(col))
}

// joinOn writes the condition matching n's key with the key of other.
func joinOn(b *strings.Builder, n, other *node) {
	for j, i := range n.ops.pk() {
		if j > 0 {
			b.WriteString(" AND ")
		}
		qualified(b, n.ops.name(), n.ops.meta()[i].name)
		b.WriteString(" = ")
		qualified(b, other.ops.name(), other.ops.meta()[other.ops.pk()[j]].name)
	}
}

// shape is the SELECT of a class: its tables joined along the key. A
// polymorphic shape also LEFT JOINs every subclass table, each with a flag
// telling whether the row has a row there.
type shape struct {
	q      *node
	prefix string   // SELECT list FROM ... JOIN ...
	exprs  []string // the select list's expressions
	alias  []string // an alias for each (see joinRoot.JoinSQL)
	from   string   // " FROM ... JOIN ..."
	path   []*node  // the base ... q
	desc   []*node  // q's subclasses, in insert order (polymorphic shape only)
	pos    []int    // by node.index: position in desc, or -1
	tables []string // the table of each selected column, for errors
	cols   []string // and its name

	once sync.Once
	// aliasedPrefix is prefix with the aliases, built at first use.
	aliasedPrefix string
}

func newShape(p *plan, q *node, poly bool) *shape {
	s := &shape{q: q, pos: make([]int, len(p.nodes))}
	for c := q; c != nil; c = c.parent {
		s.path = append([]*node{c}, s.path...)
	}
	for i := range s.pos {
		s.pos[i] = -1
	}
	if poly {
		for _, n := range p.order {
			if n != q && n.under(q) {
				s.pos[n.index] = len(s.desc)
				s.desc = append(s.desc, n)
			}
		}
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	add := func(expr, table, name, alias string) {
		if len(s.exprs) > 0 {
			b.WriteString(", ")
		}
		b.WriteString(expr)
		s.exprs = append(s.exprs, expr)
		s.alias = append(s.alias, alias)
		s.tables = append(s.tables, table)
		s.cols = append(s.cols, name)
	}
	col := func(n *node, i int) {
		name := n.ops.meta()[i].name
		add(qref(n.ops.name(), name), n.ops.name(), name, aliasOf(p, q, n, i, len(s.exprs)))
	}
	for _, n := range s.path {
		for _, i := range p.info[n.index].nonKey {
			col(n, i)
		}
	}
	for _, n := range s.desc {
		add("("+qref(n.ops.name(), n.ops.meta()[n.ops.pk()[0]].name)+" IS NOT NULL)", n.ops.name(), "(row present)",
			"retort_c"+strconv.Itoa(len(s.exprs)))
		for _, i := range p.info[n.index].nonKey {
			col(n, i)
		}
	}
	fromStart := b.Len()
	b.WriteString(" FROM ")
	b.WriteString(retort.QuoteTable(p.base.ops.name()))
	for _, n := range s.path[1:] {
		b.WriteString(" JOIN ")
		b.WriteString(retort.QuoteTable(n.ops.name()))
		b.WriteString(" ON ")
		joinOn(&b, n, p.base)
	}
	for _, n := range s.desc {
		b.WriteString(" LEFT JOIN ")
		b.WriteString(retort.QuoteTable(n.ops.name()))
		b.WriteString(" ON ")
		joinOn(&b, n, p.base)
	}
	s.prefix = b.String()
	s.from = s.prefix[fromStart:]
	return s
}

// followShape is the select-in follow-up query loading the tables of class
// d below the queried class q, for rows of class d.
type followShape struct {
	d      *node
	chain  []*node // the classes below q down to d, top first
	prefix string  // SELECT ... FROM ... JOIN ... (WHERE follows)
	tables []string
	cols   []string
}

func (p *plan) followShape(q, d *node) *followShape {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := [2]int{q.index, d.index}
	if f := p.follow[k]; f != nil {
		return f
	}
	f := &followShape{d: d}
	for c := d; c != q; c = c.parent {
		f.chain = append([]*node{c}, f.chain...)
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	for j, i := range d.ops.pk() {
		if j > 0 {
			b.WriteString(", ")
		}
		qualified(&b, d.ops.name(), d.ops.meta()[i].name)
		f.tables = append(f.tables, d.ops.name())
		f.cols = append(f.cols, d.ops.meta()[i].name)
	}
	for _, c := range f.chain {
		for _, i := range p.info[c.index].nonKey {
			b.WriteString(", ")
			qualified(&b, c.ops.name(), c.ops.meta()[i].name)
			f.tables = append(f.tables, c.ops.name())
			f.cols = append(f.cols, c.ops.meta()[i].name)
		}
	}
	b.WriteString(" FROM ")
	b.WriteString(retort.QuoteTable(d.ops.name()))
	for _, c := range f.chain {
		if c == d {
			continue
		}
		b.WriteString(" JOIN ")
		b.WriteString(retort.QuoteTable(c.ops.name()))
		b.WriteString(" ON ")
		joinOn(&b, c, d)
	}
	f.prefix = b.String()
	p.follow[k] = f
	return f
}
