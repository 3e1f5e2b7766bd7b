package inherit

import (
	"context"
	"errors"
	"fmt"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

// Query is a SELECT of the objects of a class and its subclasses. Its
// methods return a new query, so a query can be kept and refined.
//
// The class's tables are joined along the shared key, so predicates and
// ORDER BY terms may use the columns of the class and of its ancestors
// alike: Select(Bosses).Where(EmployeeName.Eq("Boss 1"), BossGolf.Lt(x)).
// Rows of subclasses are loaded whole, as their most specific class, by one
// of two strategies:
//
//   - joined (the default): one query that LEFT JOINs every subclass table.
//     The WHERE clause may use subclass columns too.
//   - select-in ([Query.SelectIn]): a query of the class's own tables, then
//     one query per subclass present in the result, loading that subclass's
//     tables for the keys found (WHERE key IN ...).
type Query[T any, D comparable] struct {
	c        *Class[T, D]
	where    []retort.Expr[bool]
	order    []retort.Ordering
	limit    int64
	offset   int64
	selectIn bool
}

// Select starts a query for objects of class c (and of its subclasses).
func Select[T any, D comparable](c *Class[T, D]) *Query[T, D] {
	return &Query[T, D]{c: c, limit: -1}
}

func (q *Query[T, D]) clone() *Query[T, D] {
	c := *q
	c.where = q.where[:len(q.where):len(q.where)]
	c.order = q.order[:len(q.order):len(q.order)]
	return &c
}

// Where adds conditions, joined with AND.
func (q *Query[T, D]) Where(conds ...retort.Expr[bool]) *Query[T, D] {
	c := q.clone()
	c.where = append(c.where, conds...)
	return c
}

// OrderBy adds ORDER BY terms.
func (q *Query[T, D]) OrderBy(terms ...retort.Ordering) *Query[T, D] {
	c := q.clone()
	c.order = append(c.order, terms...)
	return c
}

// Limit sets LIMIT n (one row per object: the joins follow the key).
func (q *Query[T, D]) Limit(n int64) *Query[T, D] {
	c := q.clone()
	c.limit = n
	return c
}

// Offset sets OFFSET n.
func (q *Query[T, D]) Offset(n int64) *Query[T, D] {
	c := q.clone()
	c.offset = n
	return c
}

// SelectIn loads subclass rows with one follow-up query per subclass present
// (SQLAlchemy's selectin_polymorphic) instead of LEFT JOINs. Predicates may
// then use only the columns of the class and its ancestors.
func (q *Query[T, D]) SelectIn() *Query[T, D] {
	c := q.clone()
	c.selectIn = true
	return c
}

// Joined loads subclass rows through LEFT JOINs in the one query (the
// default; SQLAlchemy's with_polymorphic("*")).
func (q *Query[T, D]) Joined() *Query[T, D] {
	c := q.clone()
	c.selectIn = false
	return c
}

func (q *Query[T, D]) spec() *spec {
	return &spec{p: q.c.n.h.plan(), q: q.c.n, where: q.where, order: q.order, limit: q.limit, offset: q.offset, selectIn: q.selectIn}
}

// SQL compiles the query's first statement for d.
func (q *Query[T, D]) SQL(d retort.Dialect) (string, []any, error) { return q.spec().sql(d) }

// All runs the query on db, without a session, and returns one *T per row:
// for a row of a subclass of T, a pointer to the T embedded in the subclass
// object, which is loaded whole (use [Query.Poly] for the subclass objects
// themselves).
func (q *Query[T, D]) All(ctx context.Context, db retort.DB) ([]*T, error) {
	sp := q.spec()
	objs, err := sp.run(ctx, plainRun(ctx, db))
	if err != nil {
		return nil, err
	}
	return viewsOf[T](sp, objs)
}

// Poly runs the query on db, without a session, and returns each row as its
// most specific class: a *Boss, a *Grunt, or a *Employee. Use a type switch:
//
//	for _, e := range staff {
//		switch e := e.(type) {
//		case *Boss:
//			...
//		case *Grunt:
//			...
//		}
//	}
func (q *Query[T, D]) Poly(ctx context.Context, db retort.DB) ([]any, error) {
	return q.spec().run(ctx, plainRun(ctx, db))
}

// First runs the query with LIMIT 1 and returns its object, or an error
// matching retort.ErrNoRows.
func (q *Query[T, D]) First(ctx context.Context, db retort.DB) (*T, error) {
	objs, err := q.Limit(1).All(ctx, db)
	if err != nil {
		return nil, err
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("inherit: first %s: %w", q.c, retort.ErrNoRows)
	}
	return objs[0], nil
}

// One runs the query and returns its only object: an error matching
// retort.ErrNoRows when there is none, retort.ErrTooManyRows when there are
// several.
func (q *Query[T, D]) One(ctx context.Context, db retort.DB) (*T, error) {
	objs, err := q.Limit(2).All(ctx, db)
	if err != nil {
		return nil, err
	}
	return one(q.c.String(), objs)
}

func one[T any](what string, objs []*T) (*T, error) {
	switch len(objs) {
	case 0:
		return nil, fmt.Errorf("inherit: one %s: %w", what, retort.ErrNoRows)
	case 1:
		return objs[0], nil
	}
	return nil, fmt.Errorf("inherit: one %s: %w", what, retort.ErrTooManyRows)
}

// All runs q through the session s: pending changes are flushed first, in
// the same round trip on PostgreSQL (autoflush), and every object is
// identity-mapped, so that a row already loaded comes back as the object
// loaded before. It returns one *T per row, as [Query.All] does. Options are
// the session's query options (PopulateExisting, loaders); loaders receive
// the *T values.
//
// The query runs through session.RunAny, so that package rel loads the
// relationships of T as it does for session.All: their default strategies
// apply, and Joined paths are joined into the query's own statement.
func All[T any, D comparable](ctx context.Context, s *session.Session, q *Query[T, D], opts ...session.QueryOption) ([]*T, error) {
	sp := q.spec()
	objs, err := session.RunAny(ctx, s, q.c.t, &joinRoot{sp: sp, s: s}, configure(opts),
		func(ctx context.Context, s *session.Session, _ any, cfg session.QueryConfig) ([]any, error) {
			return allAny(ctx, s, sp, cfg)
		})
	if err != nil {
		return nil, err
	}
	out := make([]*T, len(objs))
	for i, obj := range objs {
		t, ok := obj.(*T)
		if !ok {
			return nil, fmt.Errorf("inherit: select %s: got a %T, not a %T", q.c, obj, t)
		}
		out[i] = t
	}
	return out, nil
}

// Poly runs q through the session s, as [All] does, and returns each row as
// its most specific class (see [Query.Poly]). Loaders receive those objects.
// Relationships' default strategies do not apply (the objects are of
// several classes), and package rel's Joined options load as SelectIn.
func Poly[T any, D comparable](ctx context.Context, s *session.Session, q *Query[T, D], opts ...session.QueryOption) ([]any, error) {
	sp := q.spec()
	cfg := configure(opts)
	objs, err := sp.run(ctx, sessionRun(ctx, s, sp.p, cfg.PopulateExisting))
	if err != nil {
		return nil, err
	}
	if len(cfg.Loaders) > 0 && len(objs) > 0 {
		if err := s.RunLoaders(ctx, cfg.Loaders, objs); err != nil {
			return nil, err
		}
	}
	return objs, nil
}

// First is [All] with LIMIT 1, returning the object or an error matching
// retort.ErrNoRows.
func First[T any, D comparable](ctx context.Context, s *session.Session, q *Query[T, D], opts ...session.QueryOption) (*T, error) {
	objs, err := All(ctx, s, q.Limit(1), opts...)
	if err != nil {
		return nil, err
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("inherit: first %s: %w", q.c, retort.ErrNoRows)
	}
	return objs[0], nil
}

// One is [All] expecting exactly one object.
func One[T any, D comparable](ctx context.Context, s *session.Session, q *Query[T, D], opts ...session.QueryOption) (*T, error) {
	objs, err := All(ctx, s, q.Limit(2), opts...)
	if err != nil {
		return nil, err
	}
	return one(q.c.String(), objs)
}

// Get returns the object of class c (or of a subclass, as a pointer to the T
// it embeds) whose base key is key. An object already in the session's
// identity map costs no SQL; otherwise the session flushes and loads it, as
// its most specific class. A missing row, or a row of another class, is an
// error matching retort.ErrNoRows.
//
// session.Get works too for the exact class of the row (session.Get of a
// Bosses key that is a Boss); use Get or [GetPoly] when the row may be of a
// subclass.
func Get[T any, D comparable](ctx context.Context, s *session.Session, c *Class[T, D], key ...any) (*T, error) {
	obj, err := GetPoly(ctx, s, c, key...)
	if err != nil {
		return nil, err
	}
	p := c.n.h.plan()
	return p.classOf(obj).view(obj, c.n).(*T), nil
}

// GetPoly is [Get] returning the object as its most specific class.
func GetPoly[T any, D comparable](ctx context.Context, s *session.Session, c *Class[T, D], key ...any) (any, error) {
	p := c.n.h.plan()
	k, err := p.baseOps.keyOf(key)
	if err != nil {
		return nil, fmt.Errorf("inherit: get %s: %w", c, err)
	}
	obj, ok := s.Lookup(k)
	if !ok {
		cond, err := p.keyCondition([]session.Key{k})
		if err != nil {
			return nil, err
		}
		sp := &spec{p: p, q: p.base, where: []retort.Expr[bool]{cond}, limit: -1}
		objs, err := sp.run(ctx, sessionRun(ctx, s, p, false))
		if err != nil {
			return nil, err
		}
		if len(objs) == 0 {
			return nil, fmt.Errorf("inherit: get %s %s: %w", c, k, retort.ErrNoRows)
		}
		obj = objs[0]
	}
	n := p.classOf(obj)
	if n == nil || !n.under(c.n) {
		return nil, fmt.Errorf("inherit: get %s %s: the row is a %T: %w", c, k, obj, retort.ErrNoRows)
	}
	return obj, nil
}

func configure(opts []session.QueryOption) session.QueryConfig {
	var c session.QueryConfig
	for _, o := range opts {
		o.ConfigureQuery(&c)
	}
	return c
}

// viewsOf turns the loaded objects into *T views.
func viewsOf[T any](sp *spec, objs []any) ([]*T, error) {
	out := make([]*T, len(objs))
	for i, obj := range objs {
		n := sp.p.classOf(obj)
		if n == nil || !n.under(sp.q) {
			return nil, fmt.Errorf("inherit: select %s: the session holds this row as a %T, which is not a %s (was it loaded with a query of its table alone?)", sp.q, obj, sp.q.typeName)
		}
		out[i] = n.view(obj, sp.q).(*T)
	}
	return out, nil
}

// spec is a query without its Go types.
type spec struct {
	p             *plan
	q             *node
	where         []retort.Expr[bool]
	order         []retort.Ordering
	limit, offset int64
	selectIn      bool
}

func (sp *spec) shape() *shape {
	if sp.selectIn {
		return sp.p.path[sp.q.index]
	}
	return sp.p.joined[sp.q.index]
}

func (sp *spec) sql(d retort.Dialect) (string, []any, error) {
	return sp.sqlWith(d, sp.shape().prefix)
}

// sqlWith compiles the query with prefix, its SELECT ... FROM ... JOIN.
func (sp *spec) sqlWith(d retort.Dialect, prefix string) (string, []any, error) {
	w := retort.NewWriter(d)
	w.WriteString(prefix)
	if len(sp.where) > 0 {
		w.WriteString(" WHERE ")
		if len(sp.where) == 1 {
			sp.where[0].WriteSQL(w)
		} else {
			retort.And(sp.where...).WriteSQL(w)
		}
	}
	for i, o := range sp.order {
		if i == 0 {
			w.WriteString(" ORDER BY ")
		} else {
			w.WriteString(", ")
		}
		o.WriteSQL(w)
	}
	w.WriteLimit(sp.limit, sp.offset)
	return w.String(), w.Args(), w.Err()
}

// runner is how a query's statements are sent, and what becomes of the
// objects read: plain (on a DB) or through a session (autoflush for the
// first statement, identity map for the objects).
type runner struct {
	d        retort.Dialect
	first    func(item retort.BatchItem) error
	next     func(item retort.BatchItem) error
	s        *session.Session
	m        session.Mapper
	populate bool
}

func plainRun(ctx context.Context, db retort.DB) *runner {
	run := func(item retort.BatchItem) error { return retort.RunItem(ctx, db, item) }
	return &runner{d: db.Dialect(), first: run, next: run}
}

func sessionRun(ctx context.Context, s *session.Session, p *plan, populate bool) *runner {
	return &runner{
		d:        s.Dialect(),
		first:    func(item retort.BatchItem) error { return s.Query(ctx, item) },
		next:     func(item retort.BatchItem) error { return retort.RunItem(ctx, s.DB(), item) },
		s:        s,
		m:        p.nodes[0].h.m,
		populate: populate,
	}
}

// register identity-maps obj; it returns the session's object for its row.
func (r *runner) register(obj any) any {
	if r.s == nil {
		return obj
	}
	return r.s.Register(r.m, obj, r.populate)
}

// pendingRow is a row of the select-in strategy whose subclass tables are
// still to load.
type pendingRow struct {
	idx  int // in the result
	obj  any // the queried class's part, loaded
	cls  *node
	done any // the whole object, once loaded
}

// run executes the query and returns its objects, each as its most specific
// class.
func (sp *spec) run(ctx context.Context, r *runner) ([]any, error) {
	sqlText, args, err := sp.sql(r.d)
	if err != nil {
		return nil, err
	}
	sh := sp.shape()
	l := &loader{p: sp.p, sh: sh, reuse: !sp.selectIn}
	var out []any
	var pending []pendingRow
	item := retort.BatchItem{SQL: sqlText, Args: args, Rows: func(rows retort.Rows) error {
		for rows.Next() {
			obj, cls, err := l.scan(rows)
			if err != nil {
				return err
			}
			if cls != sp.q && sp.selectIn {
				if r.s != nil && !r.populate {
					if k, ok := sp.p.baseOps.key(sp.q.view(obj, sp.p.base)); ok {
						if got, ok := r.s.Lookup(k); ok {
							out = append(out, got)
							continue
						}
					}
				}
				pending = append(pending, pendingRow{idx: len(out), obj: obj, cls: cls})
				out = append(out, nil)
				continue
			}
			got := r.register(obj)
			if got != obj && cls == sp.q && l.reuse {
				cls.reset(obj)
				l.objQ = obj
			}
			out = append(out, got)
		}
		return rows.Err()
	}}
	if err := r.first(item); err != nil {
		return nil, fmt.Errorf("inherit: select %s: %w", sp.q, err)
	}
	if len(pending) > 0 {
		if err := sp.follow(r, pending); err != nil {
			return nil, err
		}
		for _, pr := range pending {
			out[pr.idx] = r.register(pr.done)
		}
	}
	return out, nil
}

// follow runs the select-in follow-up queries: for each subclass present,
// its tables below the queried class, for the keys of its rows.
func (sp *spec) follow(r *runner, pending []pendingRow) error {
	p := sp.p
	bops := p.baseOps
	bpk := bops.pk()
	byClass := map[*node][]int{}
	for i, pr := range pending {
		byClass[pr.cls] = append(byClass[pr.cls], i)
	}
	chunk := len(pending)
	if r.d != retort.Postgres {
		chunk = deleteChunk
	}
	for _, cls := range p.order {
		rows := byClass[cls]
		if len(rows) == 0 {
			continue
		}
		f := p.followShape(sp.q, cls)
		index := make(map[session.Key]int, len(rows))
		for start := 0; start < len(rows); start += chunk {
			part := rows[start:min(len(rows), start+chunk)]
			keys := make([][]any, len(part))
			for j, i := range part {
				base := sp.q.view(pending[i].obj, p.base)
				k, _ := bops.key(base)
				index[k] = i
				vals := make([]any, len(bpk))
				for x, c := range bpk {
					vals[x] = bops.value(base, c)
				}
				keys[j] = vals
			}
			cond, err := cls.ops.keyIn(keys)
			if err != nil {
				return err
			}
			w := retort.NewWriter(r.d)
			w.WriteString(f.prefix)
			w.WriteString(" WHERE ")
			cond.WriteSQL(w)
			if err := w.Err(); err != nil {
				return err
			}
			var dests []any
			item := retort.BatchItem{SQL: w.String(), Args: w.Args(), Rows: func(rs retort.Rows) error {
				for rs.Next() {
					obj := cls.newObj()
					lv := cls.levels(obj)
					dests = cls.ops.dests(lv[cls.depth], cls.ops.pk(), dests[:0])
					for _, c := range f.chain {
						dests = c.ops.dests(lv[c.depth], p.info[c.index].nonKey, dests)
					}
					if err := rs.Scan(dests...); err != nil {
						return scanError(f.tables, f.cols, err)
					}
					if !p.info[cls.index].shared {
						for j, i := range cls.ops.pk() {
							if err := bops.setValue(lv[0], bpk[j], cls.ops.value(lv[cls.depth], i)); err != nil {
								return err
							}
						}
					}
					k, _ := bops.key(lv[0])
					i, ok := index[k]
					if !ok {
						continue
					}
					sp.q.assign(lv[sp.q.depth], pending[i].obj)
					if err := p.syncKeys(cls, &lv); err != nil {
						return err
					}
					pending[i].done = obj
				}
				return rs.Err()
			}}
			if err := r.next(item); err != nil {
				return fmt.Errorf("inherit: select %s: %w", cls, err)
			}
		}
	}
	for _, pr := range pending {
		if pr.done == nil {
			base := sp.q.view(pr.obj, p.base)
			k, _ := bops.key(base)
			return fmt.Errorf("inherit: select %s: row %s is a %s but has no row in its table", sp.q, k, pr.cls)
		}
	}
	return nil
}

// loader reads rows of a shape into objects.
type loader struct {
	p     *plan
	sh    *shape
	reuse bool  // objQ may be reused across rows
	objQ  any   // the queried class's object for the next row
	tmp   []any // by position in sh.desc: the subclass objects being filled
	flags []bool
	dests []any
	fixes []fixer
}

// scan reads one row: the object and its class. With LEFT JOINed subclass
// tables the object is complete; otherwise, for a row of a subclass, only
// the queried class's part is loaded (the object is of the queried class).
func (l *loader) scan(rows retort.Rows) (any, *node, error) {
	dests := l.prepare(l.dests[:0], false)
	l.dests = dests
	if err := rows.Scan(dests...); err != nil {
		l.fixes = l.fixes[:0]
		return nil, nil, scanError(l.sh.tables, l.sh.cols, err)
	}
	return l.complete()
}

// prepare appends the destinations of a row to dests: the queried class's
// columns (tolerant of NULL when tolerant is set, as in a LEFT JOIN), then
// each subclass's flag and columns.
func (l *loader) prepare(dests []any, tolerant bool) []any {
	p, sh, q := l.p, l.sh, l.sh.q
	if l.objQ == nil {
		l.objQ = q.newObj()
	}
	if l.tmp == nil && len(sh.desc) > 0 {
		l.tmp = make([]any, len(sh.desc))
		l.flags = make([]bool, len(sh.desc))
	}
	l.fixes = l.fixes[:0]
	lq := q.levels(l.objQ)
	for _, c := range sh.path {
		if tolerant {
			dests = c.ops.tolerantDests(lq[c.depth], p.info[c.index].nonKey, dests, &l.fixes)
		} else {
			dests = c.ops.dests(lq[c.depth], p.info[c.index].nonKey, dests)
		}
	}
	for j, c := range sh.desc {
		if l.tmp[j] == nil {
			l.tmp[j] = c.newObj()
		}
		dests = append(dests, &l.flags[j])
		dests = c.ops.tolerantDests(l.tmp[j], p.info[c.index].nonKey, dests, &l.fixes)
	}
	return dests
}

// complete turns the row scanned into the destinations of prepare into the
// object and its class.
func (l *loader) complete() (any, *node, error) {
	p, sh, q := l.p, l.sh, l.sh.q
	for _, f := range l.fixes {
		f.fix()
	}
	l.fixes = l.fixes[:0]
	lq := q.levels(l.objQ)
	cls, _ := p.h.classOf(p, lq[0])
	disc := p.baseOps.meta()[p.discIx].name
	if cls == nil {
		k, _ := p.baseOps.key(lq[0])
		return nil, nil, &retort.ColumnError{Table: p.baseOps.name(), Column: disc, Value: p.discValue(lq[0]),
			Err: fmt.Errorf("%w (row %s)", ErrUnknownType, k)}
	}
	if !cls.under(q) {
		k, _ := p.baseOps.key(lq[0])
		return nil, nil, &retort.ColumnError{Table: p.baseOps.name(), Column: disc, Value: p.discValue(lq[0]),
			Err: fmt.Errorf("%w: row %s is a %s, which is not a %s", ErrUnknownType, k, cls, q.typeName)}
	}
	// A row has a row in the tables of its class and in no other.
	for j, c := range sh.desc {
		if l.flags[j] != cls.under(c) {
			k, _ := p.baseOps.key(lq[0])
			if l.flags[j] {
				return nil, nil, fmt.Errorf("inherit: row %s is a %s but also has a row in table %q", k, cls, c.ops.name())
			}
			return nil, nil, fmt.Errorf("inherit: row %s is a %s but has no row in table %q", k, cls, c.ops.name())
		}
	}
	if cls == q || len(sh.desc) == 0 {
		obj := l.objQ
		l.objQ = nil
		if cls == q {
			lv := q.levels(obj)
			if err := p.syncKeys(q, &lv); err != nil {
				return nil, nil, err
			}
		}
		return obj, cls, nil
	}
	// A subclass row: its own columns are in its object; move in those of
	// the classes between it and q, then q's part (which holds the base).
	j := sh.pos[cls.index]
	obj := l.tmp[j]
	l.tmp[j] = nil
	lv := cls.levels(obj)
	for c := cls.parent; c != q; c = c.parent {
		t := l.tmp[sh.pos[c.index]]
		c.assign(lv[c.depth], t)
		c.reset(t)
	}
	q.assign(lv[q.depth], l.objQ)
	q.reset(l.objQ)
	if err := p.syncKeys(cls, &lv); err != nil {
		return nil, nil, err
	}
	return obj, cls, nil
}

// scanError names the column a driver could not scan.
func scanError(tables, cols []string, err error) error {
	var se *retort.ScanError
	if errors.As(err, &se) && se.Index >= 0 && se.Index < len(cols) {
		return &retort.ColumnError{Table: tables[se.Index], Column: cols[se.Index], Err: se.Err}
	}
	return fmt.Errorf("inherit: scan: %w", err)
}
