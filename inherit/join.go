package inherit

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

// This file is the seam through which package rel joins the objects of a
// hierarchy into its statements, without either package importing the
// other: rel declares the interfaces it needs, and the values here have the
// methods. Two cases:
//
//   - a class as the target of a joined relationship (Grunt → Boss): the
//     mapper's JoinTarget reads the class's objects from tables rel LEFT
//     JOINs, one reference per table;
//   - a class as the root of a query with joined relationships
//     (inherit.All of Grunts, loading their employers): All runs its query
//     through session.RunAny, where rel's interceptor finds a joinRoot and
//     uses the query, its columns aliased, as a derived table.

// joinPart reads the objects of one class (and of its subclasses) from
// columns of a larger SELECT. Package rel uses it through interfaces of its
// own, so its methods are exported.
type joinPart struct {
	l        loader
	s        *session.Session
	m        session.Mapper
	populate bool
	present  bool // the first slot is a flag telling whether a row was joined
	as       *node
	clauses  string
	cols     []string
	names    []string
	slots    []any
	flag     bool
	spare    []any
}

// JoinClauses returns the LEFT OUTER JOIN clauses that reach the class's
// other tables (ancestors and subclasses) from its own table.
func (jp *joinPart) JoinClauses() string { return jp.clauses }

// JoinColumns returns the select-list expressions the part reads, in order.
func (jp *joinPart) JoinColumns() []string { return jp.cols }

// JoinNames names each column of JoinColumns as table.column, for errors.
func (jp *joinPart) JoinNames() []string { return jp.names }

// JoinBind makes slots, one per column of JoinColumns, the row's scan
// destinations. After each JoinRow they are bound for the next row.
func (jp *joinPart) JoinBind(slots []any) {
	jp.slots = slots
	jp.bind()
}

func (jp *joinPart) bind() {
	dests := jp.spare[:0]
	if jp.present {
		dests = append(dests, &jp.flag)
	}
	dests = jp.l.prepare(dests, true)
	copy(jp.slots, dests)
	jp.spare = dests
}

// JoinRow turns the row just scanned into the session's object for it (seen
// as the class asked for), or nil when the LEFT OUTER JOIN matched no row.
func (jp *joinPart) JoinRow() (any, error) {
	if jp.present && !jp.flag {
		return nil, nil // every column was NULL: the destinations stay bound
	}
	obj, cls, err := jp.l.complete()
	if err != nil {
		jp.bind()
		return nil, err
	}
	got := jp.s.Register(jp.m, obj, jp.populate)
	if got != obj {
		jp.recycle(obj, cls)
	}
	jp.bind()
	n := jp.l.p.classOf(got)
	if n == nil || !n.under(jp.as) {
		return nil, fmt.Errorf("inherit: join %s: the session holds row %v as a %T, which is not a %s", jp.as, jp.key(got), got, jp.as.typeName)
	}
	return n.view(got, jp.as), nil
}

// recycle keeps obj, read but not kept (the session had the row), for the
// next row.
func (jp *joinPart) recycle(obj any, cls *node) {
	l := &jp.l
	if cls == l.sh.q {
		if l.objQ == nil {
			cls.reset(obj)
			l.objQ = obj
		}
		return
	}
	if j := l.sh.pos[cls.index]; j >= 0 && l.tmp[j] == nil {
		cls.reset(obj)
		l.tmp[j] = obj
	}
}

func (jp *joinPart) key(obj any) string {
	k, _ := jp.m.Key(obj)
	return k.String()
}

// JoinTarget returns a part (a *joinPart) reading the objects of typ's class (a nil
// pointer such as (*Boss)(nil)), and of its subclasses, in a SELECT that
// already joins the class's own table as ref: its clauses LEFT JOIN the
// other tables, each under the reference alias returns for its name. The
// objects are registered in s. Package rel calls it for joined loading.
func (m *mapper) JoinTarget(s *session.Session, typ any, ref string, alias func(table string) string, populate bool) (any, error) {
	p := m.h.plan()
	q := p.nodeOf(typ)
	if q == nil {
		return nil, fmt.Errorf("inherit: join %T: not a class of the hierarchy of %q", typ, p.baseOps.name())
	}
	sh := p.joined[q.index]
	refs := make([]string, len(p.nodes))
	refs[q.index] = ref
	var b strings.Builder
	for _, c := range sh.path {
		if c != q {
			refs[c.index] = alias(c.ops.name())
			joinRef(&b, c, refs[c.index], q, ref)
		}
	}
	for _, c := range sh.desc {
		refs[c.index] = alias(c.ops.name())
		joinRef(&b, c, refs[c.index], q, ref)
	}
	jp := &joinPart{l: loader{p: p, sh: sh}, s: s, m: m, populate: populate, present: true, as: q, clauses: b.String()}
	pk := q.ops.meta()[q.ops.pk()[0]].name
	jp.cols = append(jp.cols, "("+qref(ref, pk)+" IS NOT NULL)")
	jp.names = append(jp.names, q.ops.name()+".(row present)")
	col := func(c *node, name string) {
		jp.cols = append(jp.cols, qref(refs[c.index], name))
		jp.names = append(jp.names, c.ops.name()+"."+name)
	}
	for _, c := range sh.path {
		for _, i := range p.info[c.index].nonKey {
			col(c, c.ops.meta()[i].name)
		}
	}
	for _, c := range sh.desc {
		jp.cols = append(jp.cols, "("+qref(refs[c.index], c.ops.meta()[c.ops.pk()[0]].name)+" IS NOT NULL)")
		jp.names = append(jp.names, c.ops.name()+".(row present)")
		for _, i := range p.info[c.index].nonKey {
			col(c, c.ops.meta()[i].name)
		}
	}
	return jp, nil
}

// nodeOf returns the class whose Go type is typ's, or nil.
func (p *plan) nodeOf(typ any) *node {
	for _, n := range p.nodes {
		if n.is(typ) {
			return n
		}
	}
	return nil
}

// qref is col qualified by ref, a table's name (without its schema) or alias.
func qref(ref, col string) string {
	return retort.QuoteIdent(localName(ref)) + "." + retort.QuoteIdent(col)
}

// localName is table's name without its schema.
func localName(table string) string {
	_, local := retort.SplitTable(table)
	return local
}

// joinRef writes a LEFT OUTER JOIN of c's table as ref on its key matching
// the key of q's table, referred to as qRef.
func joinRef(b *strings.Builder, c *node, ref string, q *node, qRef string) {
	b.WriteString(" LEFT OUTER JOIN ")
	b.WriteString(retort.QuoteTable(c.ops.name()))
	if ref != localName(c.ops.name()) {
		b.WriteString(" AS ")
		b.WriteString(retort.QuoteIdent(ref))
	}
	b.WriteString(" ON ")
	for j, i := range c.ops.pk() {
		if j > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(qref(ref, c.ops.meta()[i].name))
		b.WriteString(" = ")
		b.WriteString(qref(qRef, q.ops.meta()[q.ops.pk()[j]].name))
	}
}

// joinRoot is a query of a class, run through session.RunAny so that
// package rel can join relationships into it. Its methods are what rel
// needs; programs do not use it.
type joinRoot struct {
	sp *spec
	s  *session.Session
}

// JoinSQL returns the query (polymorphic: subclass tables LEFT JOINed) with
// every column aliased: the columns of the queried class's own table under
// their names (its key under the base key's values), the others as
// retort_c<n>, so that the query can be a derived table that relationships
// join to by the class's column names.
func (r *joinRoot) JoinSQL(d retort.Dialect) (string, []any, error) {
	sp := *r.sp
	sp.selectIn = false
	sh := sp.shape()
	return sp.sqlWith(d, sh.aliased())
}

// JoinPart returns a part (a *joinPart) reading the query's objects from the derived
// table ref (see JoinSQL), as the queried class, registered in the session.
func (r *joinRoot) JoinPart(ref string, populate bool) (any, error) {
	p := r.sp.p
	sh := p.joined[r.sp.q.index]
	jp := &joinPart{l: loader{p: p, sh: sh}, s: r.s, m: p.nodes[0].h.m, populate: populate, as: r.sp.q}
	for i, a := range sh.alias {
		jp.cols = append(jp.cols, qref(ref, a))
		jp.names = append(jp.names, sh.tables[i]+"."+sh.cols[i])
	}
	return jp, nil
}

// aliased returns the shape's SELECT with the aliases of JoinSQL, built
// once.
func (sh *shape) aliased() string {
	sh.once.Do(func() {
		b := strings.Builder{}
		b.WriteString("SELECT ")
		for i, e := range sh.exprs {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(e)
			b.WriteString(" AS ")
			b.WriteString(retort.QuoteIdent(sh.alias[i]))
		}
		b.WriteString(sh.from)
		sh.aliasedPrefix = b.String()
	})
	return sh.aliasedPrefix
}

// aliasOf names column i of a shape of class q whose column is col of table
// t (n the class of t): q's own columns keep their names, the base key
// takes the names of q's key, the rest are numbered.
func aliasOf(p *plan, q, n *node, col, i int) string {
	if n == q {
		return q.ops.meta()[col].name
	}
	if n == p.base && q != p.base {
		for j, k := range p.baseOps.pk() {
			if k == col {
				return q.ops.meta()[q.ops.pk()[j]].name
			}
		}
	}
	return "retort_c" + strconv.Itoa(i)
}

// AllAny runs a class's query for package rel's joined loading; see
// session.RunAny. It is All without types.
func allAny(ctx context.Context, s *session.Session, sp *spec, cfg session.QueryConfig) ([]any, error) {
	objs, err := sp.run(ctx, sessionRun(ctx, s, sp.p, cfg.PopulateExisting))
	if err != nil {
		return nil, err
	}
	for i, obj := range objs {
		n := sp.p.classOf(obj)
		if n == nil || !n.under(sp.q) {
			return nil, fmt.Errorf("inherit: select %s: the session holds this row as a %T, which is not a %s (was it loaded with a query of its table alone?)", sp.q, obj, sp.q.typeName)
		}
		objs[i] = n.view(obj, sp.q)
	}
	if len(cfg.Loaders) > 0 && len(objs) > 0 {
		if err := s.RunLoaders(ctx, cfg.Loaders, objs); err != nil {
			return nil, err
		}
	}
	return objs, nil
}

// JoinView returns obj, an object of the hierarchy, seen as typ's class (a
// nil pointer such as (*Staffer)(nil)): a pointer to the typ it embeds.
// False when obj is not of that class or of a subclass. Package rel uses it
// for relationships whose target class has subclasses.
func (m *mapper) JoinView(obj, typ any) (any, bool) {
	p := m.h.plan()
	n, as := p.classOf(obj), p.nodeOf(typ)
	if n == nil || as == nil || !n.under(as) {
		return nil, false
	}
	return n.view(obj, as), true
}
