package inherit

import (
	"fmt"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

// tableOps is one class's table, seen without its Go type: objects are
// passed as any holding a pointer to the table's type (an object's view at
// that level). Columns are named by their index in declaration order.
type tableOps interface {
	schema() retort.Schema
	name() string
	foreignKeys() []*retort.ForeignKey
	freeze()
	meta() []colMeta
	pk() []int
	auto() int    // the generated key column, or -1
	version() int // the version column (session.Versioned), or -1

	dests(x any, idx []int, dst []any) []any
	tolerantDests(x any, idx []int, dst []any, fixes *[]fixer) []any
	equal(a, b any, i int) bool
	// applyDefaults is retort.Table.ApplyDefaults.
	applyDefaults(x any)
	// applyOnUpdate is retort.Table.ApplyOnUpdate.
	applyOnUpdate(obj, snap any) bool
	// stamps is retort.Table.Stamps.
	stamps() (onInsert, onUpdate bool)
	changedIn(a, b any, idx []int) bool // some column of idx differs
	copyCol(dst, src any, i int)
	bind(x any, i int) (any, error)
	value(x any, i int) any
	setValue(x any, i int, v any) error
	isZero(x any, i int) bool
	setInt64(x any, i int, id int64) error

	insertArgs(xs []any) ([]any, error)
	insertItems(d retort.Dialect, xs []any) ([]retort.BatchItem, error)
	key(x any) (session.Key, bool)
	keyOf(values []any) (session.Key, error)
	keyIn(keys [][]any) (retort.Expr[bool], error)
}

// colMeta is what statements need to know of a column.
type colMeta struct {
	name   string
	pgCast string // the PostgreSQL cast of an array of its values, for unnest
	deep   bool   // a struct copy would share its value (pointer or []byte)
	pk     bool
	ro     bool // read-only (retort.ReadOnly, Generated): never written
	wi     int  // its place among the columns INSERTs write; -1 when ro
}

// writeCount is how many of the columns of ms INSERTs write.
func writeCount(ms []colMeta) int {
	n := 0
	for _, m := range ms {
		if !m.ro {
			n++
		}
	}
	return n
}

type tableOf[L any] struct {
	t *retort.Table[L]

	// set by freeze, at first use of the hierarchy
	cols   []retort.ColumnOf[L]
	metas  []colMeta
	pkIdx  []int
	autoIx int
	verIx  int
	keys   *session.Table[L]
	// all columns equal, and all but the key's: the two column sets
	// changedIn is asked about (a class's nonKey columns)
	eqAll, eqNonPK func(a, b *L) bool
}

func (o *tableOf[L]) schema() retort.Schema             { return o.t }
func (o *tableOf[L]) name() string                      { return o.t.Name() }
func (o *tableOf[L]) foreignKeys() []*retort.ForeignKey { return o.t.ForeignKeys() }

// freeze reads the table's columns, once they are all declared (at the
// hierarchy's first use). A plan rebuilt later (a class added) finds them
// read already.
func (o *tableOf[L]) freeze() {
	if o.cols != nil && len(o.cols) == len(o.t.Columns()) {
		return
	}
	o.cols = o.t.Columns()
	o.metas = make([]colMeta, len(o.cols))
	o.pkIdx = nil
	o.autoIx, o.verIx = -1, -1
	auto := o.t.AutoKey()
	ver := session.VersionColumn(o.t)
	wi := 0
	for i, c := range o.cols {
		info := c.Info()
		o.metas[i] = colMeta{name: info.Name, pgCast: info.ArrayCast(),
			deep: c.CopiesApart(), pk: info.PrimaryKey, ro: info.ReadOnly, wi: -1}
		if !info.ReadOnly {
			o.metas[i].wi = wi
			wi++
		}
		if info.PrimaryKey {
			o.pkIdx = append(o.pkIdx, i)
		}
		if auto != nil && auto.Name() == info.Name {
			o.autoIx = i
		}
		if ver != nil && ver.Name() == info.Name {
			o.verIx = i
		}
	}
	o.keys = session.TableMapper(o.t)
	var nonPK []retort.ColumnOf[L]
	for _, c := range o.cols {
		if !c.Info().PrimaryKey {
			nonPK = append(nonPK, c)
		}
	}
	o.eqAll, o.eqNonPK = retort.RowEqual(o.cols), retort.RowEqual(nonPK)
}

func (o *tableOf[L]) meta() []colMeta { return o.metas }
func (o *tableOf[L]) pk() []int       { return o.pkIdx }
func (o *tableOf[L]) auto() int       { return o.autoIx }
func (o *tableOf[L]) version() int    { return o.verIx }

func (o *tableOf[L]) dests(x any, idx []int, dst []any) []any {
	obj := x.(*L)
	for _, i := range idx {
		dst = append(dst, o.cols[i].Dest(obj))
	}
	return dst
}

func (o *tableOf[L]) tolerantDests(x any, idx []int, dst []any, fixes *[]fixer) []any {
	obj := x.(*L)
	for _, i := range idx {
		dst = append(dst, tolerant(o.cols[i].Dest(obj), fixes))
	}
	return dst
}

func (o *tableOf[L]) equal(a, b any, i int) bool { return o.cols[i].Equal(a.(*L), b.(*L)) }
func (o *tableOf[L]) applyOnUpdate(obj, snap any) bool {
	return o.t.ApplyOnUpdate(obj.(*L), snap.(*L))
}
func (o *tableOf[L]) stamps() (onInsert, onUpdate bool) { return o.t.Stamps() }
func (o *tableOf[L]) changedIn(a, b any, idx []int) bool {
	x, y := a.(*L), b.(*L)
	switch len(idx) {
	case len(o.cols):
		return !o.eqAll(x, y)
	case len(o.cols) - len(o.pkIdx):
		return !o.eqNonPK(x, y)
	}
	for _, i := range idx {
		if !o.cols[i].Equal(x, y) {
			return true
		}
	}
	return false
}

func (o *tableOf[L]) copyCol(dst, src any, i int) { o.cols[i].Copy(dst.(*L), src.(*L)) }
func (o *tableOf[L]) bind(x any, i int) (any, error) {
	return o.cols[i].Bind(x.(*L))
}
func (o *tableOf[L]) value(x any, i int) any             { return o.cols[i].Value(x.(*L)) }
func (o *tableOf[L]) applyDefaults(x any)                { o.t.ApplyDefaults(x.(*L)) }
func (o *tableOf[L]) setValue(x any, i int, v any) error { return o.cols[i].SetValue(x.(*L), v) }
func (o *tableOf[L]) isZero(x any, i int) bool           { return o.cols[i].IsZero(x.(*L)) }
func (o *tableOf[L]) setInt64(x any, i int, id int64) error {
	return o.cols[i].SetInt64(x.(*L), id)
}

func (o *tableOf[L]) typed(xs []any) []*L {
	ls := make([]*L, len(xs))
	for i, x := range xs {
		ls[i] = x.(*L)
	}
	return ls
}

// insertArgs encodes the objects for the PostgreSQL insert: one array per
// column, in declaration order, then (for a table with a generated key) the
// table's quoted name and the key column's name. Go-side defaults are
// applied and every value is checked first, as retort.Insert does.
func (o *tableOf[L]) insertArgs(xs []any) ([]any, error) {
	_, args, err := retort.Insert(o.t, o.typed(xs)...).SQL(retort.Postgres)
	return args, err
}

// insertItems returns one single-row INSERT per object (SQLite).
func (o *tableOf[L]) insertItems(d retort.Dialect, xs []any) ([]retort.BatchItem, error) {
	return retort.Insert(o.t, o.typed(xs)...).Items(d)
}

func (o *tableOf[L]) key(x any) (session.Key, bool) { return o.keys.KeyOfObject(x.(*L)) }
func (o *tableOf[L]) keyOf(values []any) (session.Key, error) {
	return o.keys.KeyOf(values)
}

// keyIn is the predicate "the key is one of keys" on this table's key
// columns; each key lists one value per key column.
func (o *tableOf[L]) keyIn(keys [][]any) (retort.Expr[bool], error) {
	pk := o.pkIdx
	if len(pk) == 1 {
		c := o.cols[pk[0]]
		if len(keys) == 1 {
			return c.EqValue(keys[0][0])
		}
		vals := make([]any, len(keys))
		for i, k := range keys {
			vals[i] = k[0]
		}
		return c.InValues(vals)
	}
	ors := make([]retort.Expr[bool], 0, len(keys))
	for _, k := range keys {
		if len(k) != len(pk) {
			return nil, fmt.Errorf("inherit: table %q has %d key columns, got %d values", o.t.Name(), len(pk), len(k))
		}
		ands := make([]retort.Expr[bool], len(pk))
		for j, i := range pk {
			p, err := o.cols[i].EqValue(k[j])
			if err != nil {
				return nil, err
			}
			ands[j] = p
		}
		ors = append(ors, retort.And(ands...))
	}
	return retort.Or(ors...), nil
}
