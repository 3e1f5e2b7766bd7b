package inherit

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/delorder"
	"github.com/retort-orm/retort/session"
)

// mapper is the session.Mapper of a whole hierarchy: the session keeps
// objects of every class under one identity table (the base table), so that
// an Employee key finds the *Boss, and hands the flush one mixed list of new
// objects, written base table first.
type mapper struct{ h *hierarchy }

var (
	_ session.Mapper      = (*mapper)(nil)
	_ session.WhereLoader = (*mapper)(nil)
	_ session.RowSwitcher = (*mapper)(nil)
)

// classTable presents n's table to the session: relationships and hooks
// registered on it see the objects of n and its subclasses, as n's type.
func classTable(p *plan, n *node) retort.Schema {
	return session.ClassTable(n.ops.schema(), func(obj any) (any, bool) {
		if n.is(obj) {
			return obj, true
		}
		c := p.classOf(obj)
		if c == nil || !c.under(n) {
			return nil, false
		}
		return c.view(obj, n), true
	})
}

func (m *mapper) IdentityTable() string { return m.h.plan().baseOps.name() }

func (m *mapper) Tables() []retort.Schema { return m.h.plan().tables }

func (m *mapper) Key(obj any) (session.Key, bool) {
	p := m.h.plan()
	n := p.classOf(obj)
	if n == nil {
		return session.Key{}, false
	}
	return p.baseOps.key(n.view(obj, p.base))
}

func (m *mapper) KeyOf(values []any) (session.Key, error) { return m.h.plan().baseOps.keyOf(values) }

func (m *mapper) Snapshot(obj any) any {
	p := m.h.plan()
	n := p.classOf(obj)
	snap := n.clone(obj)
	lo, ls := n.levels(obj), n.levels(snap)
	for c := n; c != nil; c = c.parent {
		for i, meta := range c.ops.meta() {
			if meta.deep {
				c.ops.copyCol(ls[c.depth], lo[c.depth], i)
			}
		}
	}
	return snap
}

func (m *mapper) Restore(obj, snap any) {
	p := m.h.plan()
	n, ns := p.classOf(obj), p.classOf(snap)
	if n == nil || ns == nil {
		return
	}
	common := n
	for !ns.under(common) {
		common = common.parent
	}
	lo, ls := n.levels(obj), ns.levels(snap)
	for c := common; c != nil; c = c.parent {
		for i := range c.ops.meta() {
			c.ops.copyCol(lo[c.depth], ls[c.depth], i)
		}
	}
}

func (m *mapper) Changed(obj, snap any) bool {
	p := m.h.plan()
	n := p.classOf(obj)
	if n == nil || !n.is(snap) {
		return true
	}
	if p.info[n.index].whole && n.same(obj, snap) {
		return false // every field equal, columns included
	}
	for c := n; ; c = c.parent {
		// A subclass table's key is the base key (update ignores it too).
		if c.ops.changedIn(obj, snap, p.info[c.index].nonKey) {
			return true
		}
		if c.up == nil {
			return false
		}
		obj, snap = c.up(obj), c.up(snap)
	}
}

// prepare checks the objects and sets what the mapper owns: each base row's
// discriminator and, with a version column, the first version.
func (p *plan) prepare(objs []any) ([]*node, error) {
	classes := make([]*node, len(objs))
	bops := p.baseOps
	ver := bops.version()
	for i, obj := range objs {
		n := p.classOf(obj)
		if n == nil {
			return nil, fmt.Errorf("inherit: insert %q: %T is not a class of the hierarchy", bops.name(), obj)
		}
		if n.abstract {
			return nil, fmt.Errorf("inherit: insert %q: %s is abstract: insert one of its subclasses", bops.name(), n)
		}
		base := n.view(obj, p.base)
		if err := bops.setValue(base, p.discIx, n.value); err != nil {
			return nil, fmt.Errorf("inherit: insert %q: %w", bops.name(), err)
		}
		if ver >= 0 && bops.isZero(base, ver) {
			if err := bops.setInt64(base, ver, 1); err != nil {
				return nil, err
			}
		}
		classes[i] = n
	}
	return classes, nil
}

func (m *mapper) Insert(d retort.Dialect, objs []any) ([]retort.BatchItem, error) {
	p := m.h.plan()
	classes, err := p.prepare(objs)
	if err != nil {
		return nil, err
	}
	if d == retort.Postgres {
		var items []retort.BatchItem
		for start := 0; start < len(objs); start += pgChunk {
			end := min(len(objs), start+pgChunk)
			it, err := p.insertPG(objs[start:end], classes[start:end])
			if err != nil {
				return nil, err
			}
			items = append(items, it)
		}
		return items, nil
	}
	return p.insertRows(d, objs, classes)
}

// Stamps implements session.Stamper: some table of the hierarchy sets
// defaults on insert or update.
func (m *mapper) Stamps() (onInsert, onUpdate bool) {
	for _, n := range m.h.plan().nodes {
		i, u := n.ops.stamps()
		onInsert, onUpdate = onInsert || i, onUpdate || u
	}
	return onInsert, onUpdate
}

// ReadsBack implements the session's ReadBacker: some table of the
// hierarchy has read-only columns.
func (m *mapper) ReadsBack() bool {
	for _, n := range m.h.plan().nodes {
		for _, c := range n.ops.meta() {
			if c.ro {
				return true
			}
		}
	}
	return false
}

// CopyReadOnly implements the session's ReadBacker: src is a row of the
// same class as dst, just read.
func (m *mapper) CopyReadOnly(dst, src any) {
	p := m.h.plan()
	n := p.classOf(dst)
	if n == nil || p.classOf(src) != n {
		return
	}
	ld, ls := n.levels(dst), n.levels(src)
	for c := n; c != nil; c = c.parent {
		for i, meta := range c.ops.meta() {
			if meta.ro {
				c.ops.copyCol(ld[c.depth], ls[c.depth], i)
			}
		}
	}
}

// SwitchRow implements session.RowSwitcher: a new object takes over the
// row of a deleted object of the same class (an UPDATE of each table's
// changed columns); its discriminator and Default values are set as an
// insert sets them. An object of another class cannot: its rows are in
// other tables.
func (m *mapper) SwitchRow(obj, snap any) error {
	p := m.h.plan()
	n, was := p.classOf(obj), p.classOf(snap)
	if n == nil || was == nil {
		return fmt.Errorf("inherit: %q: %T is not a class of the hierarchy", p.baseOps.name(), obj)
	}
	if n != was {
		return fmt.Errorf("inherit: a new %s cannot take over the row of a deleted %s with its key: flush the delete first", n, was)
	}
	lv := n.levels(obj)
	if err := p.baseOps.setValue(lv[0], p.discIx, n.value); err != nil {
		return fmt.Errorf("inherit: %q: %w", p.baseOps.name(), err)
	}
	for c := n; c != nil; c = c.parent {
		c.ops.applyDefaults(lv[c.depth])
	}
	return p.syncKeys(n, &lv)
}

func (m *mapper) Update(d retort.Dialect, obj, snap any) ([]retort.BatchItem, error) {
	return m.h.plan().update(d, obj, snap)
}

func (m *mapper) Delete(d retort.Dialect, objs, snaps []any) ([]retort.BatchItem, error) {
	return m.h.plan().delete(d, snaps)
}

func (m *mapper) ClearGenerated(obj any) {
	p := m.h.plan()
	n := p.classOf(obj)
	if n == nil {
		return
	}
	bops := p.baseOps
	lv := n.levels(obj)
	if a := bops.auto(); a >= 0 {
		zero := p.base.newObj()
		bops.copyCol(lv[0], zero, a)
		_ = p.syncKeys(n, &lv)
	}
}

// Load fetches objects by key, each as its most specific class, in one
// query (the LEFT JOIN strategy).
func (m *mapper) Load(ctx context.Context, db retort.DB, keys []session.Key) ([]any, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	p := m.h.plan()
	cond, err := p.keyCondition(keys)
	if err != nil {
		return nil, err
	}
	sp := &spec{p: p, q: p.base, where: []retort.Expr[bool]{cond}, limit: -1}
	return sp.run(ctx, plainRun(ctx, db))
}

// LoadWhere implements session.WhereLoader: the objects of typ's class
// (and its subclasses) matching where, each as its most specific class, in
// one query (the LEFT JOIN strategy).
func (m *mapper) LoadWhere(ctx context.Context, db retort.DB, typ any, where retort.Expr[bool]) ([]any, error) {
	p := m.h.plan()
	var q *node
	for _, n := range p.nodes {
		if n.is(typ) {
			q = n
		}
	}
	if q == nil {
		return nil, fmt.Errorf("inherit: load %T: not a class of the hierarchy of %q", typ, p.baseOps.name())
	}
	sp := &spec{p: p, q: q, limit: -1}
	if where != nil {
		sp.where = []retort.Expr[bool]{where}
	}
	return sp.run(ctx, plainRun(ctx, db))
}

// keyCondition is "the base key is one of keys".
func (p *plan) keyCondition(keys []session.Key) (retort.Expr[bool], error) {
	n := len(p.baseOps.pk())
	if n > session.MaxKeyColumns {
		return nil, fmt.Errorf("inherit: load %q: keys of more than %d columns", p.baseOps.name(), session.MaxKeyColumns)
	}
	vals := make([][]any, len(keys))
	for i, k := range keys {
		vals[i] = session.KeyValues(k, n)
	}
	return p.baseOps.keyIn(vals)
}

// update writes the changed columns of obj, one UPDATE per table that has
// changes.
func (p *plan) update(d retort.Dialect, obj, snap any) ([]retort.BatchItem, error) {
	n := p.classOf(obj)
	if n == nil || !n.is(snap) {
		return nil, fmt.Errorf("inherit: update %q: %T is not a class of the hierarchy", p.baseOps.name(), obj)
	}
	bops := p.baseOps
	lo, ls := n.levels(obj), n.levels(snap)
	for _, i := range bops.pk() {
		if !bops.equal(lo[0], ls[0], i) {
			return nil, &retort.ColumnError{Table: bops.name(), Column: bops.meta()[i].name, Value: bops.value(lo[0], i),
				Err: fmt.Errorf("a persistent object's primary key cannot change (was %v)", bops.value(ls[0], i))}
		}
	}
	if !bops.equal(lo[0], ls[0], p.discIx) {
		return nil, &retort.ColumnError{Table: bops.name(), Column: bops.meta()[p.discIx].name, Value: bops.value(lo[0], p.discIx),
			Err: fmt.Errorf("%w: the class of a persistent object cannot change (it is %s)", ErrClassChange, n)}
	}
	ver := bops.version()
	changed := make([][]int, n.depth+1)
	anyChange := false
	diff := func(c *node) {
		changed[c.depth] = changed[c.depth][:0]
		meta := c.ops.meta()
		for _, i := range p.info[c.index].nonKey {
			if i == p.discIx && c == p.base || i == ver && c == p.base || meta[i].ro {
				continue
			}
			if !c.ops.equal(lo[c.depth], ls[c.depth], i) {
				changed[c.depth] = append(changed[c.depth], i)
				anyChange = true
			}
		}
	}
	for c := n; c != nil; c = c.parent {
		diff(c)
		// A table that gets an UPDATE gets its UpdateDefault columns too.
		if len(changed[c.depth]) > 0 && c.ops.applyOnUpdate(lo[c.depth], ls[c.depth]) {
			diff(c)
		}
	}
	if !anyChange {
		return nil, nil
	}
	key, _ := bops.key(ls[0])
	var items []retort.BatchItem
	for c := n; c != nil; c = c.parent {
		cols := changed[c.depth]
		versioned := c == p.base && ver >= 0
		if len(cols) == 0 && !versioned {
			continue
		}
		x := lo[c.depth]
		w := retort.NewWriter(d)
		w.WriteString("UPDATE ")
		w.WriteTable(c.ops.name())
		w.WriteString(" SET ")
		for j, i := range cols {
			if j > 0 {
				w.WriteString(", ")
			}
			v, err := c.ops.bind(x, i)
			if err != nil {
				return nil, err // a ColumnError, naming the table
			}
			w.WriteIdent(c.ops.meta()[i].name)
			w.WriteString(" = ")
			w.WriteArg(v)
		}
		var newVersion int64
		if versioned {
			old, _ := retort.Int64Of(bops.value(ls[0], ver))
			newVersion = old + 1
			if len(cols) > 0 {
				w.WriteString(", ")
			}
			w.WriteIdent(bops.meta()[ver].name)
			w.WriteString(" = ")
			w.WriteArg(newVersion)
		}
		if err := p.writeKeyMatch(w, c, ls[0]); err != nil {
			return nil, err
		}
		if versioned {
			w.WriteString(" AND ")
			w.WriteIdent(bops.meta()[ver].name)
			w.WriteString(" = ")
			old, _ := bops.bind(ls[0], ver)
			w.WriteArg(old)
		}
		if err := w.Err(); err != nil {
			return nil, err
		}
		base := lo[0]
		items = append(items, retort.BatchItem{SQL: w.String(), Args: w.Args(), Op: "update", Table: c.ops.name(), Result: func(r retort.Result) error {
			if r.RowsAffected != 1 {
				return &session.StaleError{Op: "update", Key: key, Matched: r.RowsAffected, Expected: 1}
			}
			if versioned {
				return bops.setInt64(base, ver, newVersion)
			}
			return nil
		}})
	}
	return items, nil
}

// ErrClassChange is wrapped when a flush finds that the discriminator of a
// persistent object was changed: an object's class is fixed when it is
// inserted.
var ErrClassChange = errors.New("class change")

// writeKeyMatch writes " WHERE key = base's key" against c's key columns.
func (p *plan) writeKeyMatch(w *retort.Writer, c *node, base any) error {
	w.WriteString(" WHERE ")
	bpk := p.baseOps.pk()
	for j, i := range c.ops.pk() {
		if j > 0 {
			w.WriteString(" AND ")
		}
		v, err := p.baseOps.bind(base, bpk[j])
		if err != nil {
			return err
		}
		w.WriteIdent(c.ops.meta()[i].name)
		w.WriteString(" = ")
		w.WriteArg(v)
	}
	return nil
}

// deleteChunk bounds the keys of one DELETE ... IN on SQLite.
const deleteChunk = 500

// delete removes the rows of snaps' objects, subclass tables first: one
// statement per table (per chunk of keys on SQLite) when the key has one
// column, one per row otherwise or when the base table has a version column.
// selfRef is a foreign key of a hierarchy's table to a table of the same
// hierarchy (a staffer's manager, a lead's mentor), other than a subclass
// table's key referencing its parent's: from columns of c's table, to
// columns of r's.
type selfRef struct {
	c, r     *node
	from, to []int
}

// selfRefs finds the hierarchy's references to itself, once per plan; ok
// is false when one cannot be ordered by (columns not found, too many).
func selfRefs(p *plan) (refs []selfRef, ok bool) {
	for _, c := range p.nodes {
		for _, fk := range c.ops.foreignKeys() {
			i := slices.IndexFunc(p.nodes, func(n *node) bool { return n.ops.name() == fk.RefTable })
			if i < 0 {
				continue
			}
			r := p.nodes[i]
			from, to := columnIndexes(c.ops, fk.Columns), columnIndexes(r.ops, fk.RefColumns)
			if c != r && c.under(r) && slices.Equal(from, c.ops.pk()) && slices.Equal(to, r.ops.pk()) {
				continue // a subclass row's key referencing its own row in the parent table
			}
			if from == nil || to == nil || len(from) != len(to) || len(from) > delorder.MaxColumns {
				return nil, false
			}
			refs = append(refs, selfRef{c: c, r: r, from: from, to: to})
		}
	}
	return refs, true
}

// deleteOrder is the order to delete the rows of snaps (objects of
// classes) in when the hierarchy's tables reference its tables (p.selfRefs):
// a row after every row among them that references it (package delorder),
// so that deletes in several statements (SQLite's chunks of keys, one
// statement a row under a version column) never remove a row still
// referenced. ok is false when no reordering is needed or possible: no
// such references, a cycle, values that cannot be compared.
func (p *plan) deleteOrder(snaps []any, classes []*node) (order []int32, ok bool) {
	if len(snaps) < 2 || len(p.selfRefs) == 0 || !p.selfRefsOK {
		return nil, false
	}
	g := delorder.New(len(snaps))
	for _, ref := range p.selfRefs {
		fromKeys, toKeys := make([]delorder.Key, len(snaps)), make([]delorder.Key, len(snaps))
		for j, s := range snaps {
			var ok bool
			if classes[j].under(ref.c) {
				if fromKeys[j], ok = opsKey(ref.c.ops, classes[j].view(s, ref.c), ref.from); !ok {
					return nil, false
				}
			}
			if classes[j].under(ref.r) {
				if toKeys[j], ok = opsKey(ref.r.ops, classes[j].view(s, ref.r), ref.to); !ok {
					return nil, false
				}
			}
		}
		g.Link(fromKeys, toKeys)
	}
	return g.Order()
}

// columnIndexes returns the indexes of the columns of these names in o; nil
// if one is not found.
func columnIndexes(o tableOps, names []string) []int {
	out := make([]int, 0, len(names))
	for _, n := range names {
		i := slices.IndexFunc(o.meta(), func(m colMeta) bool { return m.name == n })
		if i < 0 {
			return nil
		}
		out = append(out, i)
	}
	return out
}

// opsKey returns the values of the columns idx of x (a view at o's level)
// as a delorder.Key (see delorder.KeyOf).
func opsKey(o tableOps, x any, idx []int) (delorder.Key, bool) {
	return delorder.KeyOf(len(idx), func(j int) any { return o.value(x, idx[j]) })
}

func (p *plan) delete(d retort.Dialect, snaps []any) ([]retort.BatchItem, error) {
	bops := p.baseOps
	classes := make([]*node, len(snaps))
	for i, s := range snaps {
		if classes[i] = p.classOf(s); classes[i] == nil {
			return nil, fmt.Errorf("inherit: delete from %q: %T is not a class of the hierarchy", bops.name(), s)
		}
	}
	if order, ok := p.deleteOrder(snaps, classes); ok {
		snaps = slices.Clone(snaps)
		delorder.Permute(snaps, order)
		delorder.Permute(classes, order)
	}
	var items []retort.BatchItem
	for k := len(p.order) - 1; k >= 0; k-- {
		c := p.order[k]
		var bases []any
		for i, s := range snaps {
			if classes[i].under(c) {
				bases = append(bases, classes[i].view(s, p.base))
			}
		}
		if len(bases) == 0 {
			continue
		}
		versioned := c == p.base && bops.version() >= 0
		if len(bops.pk()) > 1 || versioned {
			for _, b := range bases {
				w := retort.NewWriter(d)
				w.WriteString("DELETE FROM ")
				w.WriteTable(c.ops.name())
				if err := p.writeKeyMatch(w, c, b); err != nil {
					return nil, err
				}
				if versioned {
					ver := bops.version()
					v, err := bops.bind(b, ver)
					if err != nil {
						return nil, err
					}
					w.WriteString(" AND ")
					w.WriteIdent(bops.meta()[ver].name)
					w.WriteString(" = ")
					w.WriteArg(v)
				}
				key, _ := bops.key(b)
				items = append(items, retort.BatchItem{SQL: w.String(), Args: w.Args(), Op: "delete from", Table: c.ops.name(), Result: func(r retort.Result) error {
					if r.RowsAffected != 1 {
						return &session.StaleError{Op: "delete", Key: key, Matched: r.RowsAffected, Expected: 1}
					}
					return nil
				}})
			}
			continue
		}
		chunk := len(bases)
		if d != retort.Postgres {
			chunk = deleteChunk
		}
		bpk := bops.pk()[0]
		col := c.ops.meta()[c.ops.pk()[0]].name
		for start := 0; start < len(bases); start += chunk {
			part := bases[start:min(len(bases), start+chunk)]
			keys := make([]any, len(part))
			for i, b := range part {
				v, err := bops.bind(b, bpk)
				if err != nil {
					return nil, err
				}
				keys[i] = v
			}
			w := retort.NewWriter(d)
			w.WriteString("DELETE FROM ")
			w.WriteTable(c.ops.name())
			w.WriteString(" WHERE ")
			w.WriteIdent(col)
			w.WriteIn(keys)
			n := int64(len(part))
			table := c.ops.name()
			items = append(items, retort.BatchItem{SQL: w.String(), Args: w.Args(), Op: "delete from", Table: table, Result: func(r retort.Result) error {
				if r.RowsAffected != n {
					return &session.StaleError{Op: "delete from " + table, Key: session.Key{Table: bops.name()}, Matched: r.RowsAffected, Expected: n}
				}
				return nil
			}})
		}
	}
	return items, nil
}
