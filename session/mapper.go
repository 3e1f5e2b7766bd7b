package session

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/delorder"
	"github.com/retort-orm/retort/internal/rowcmp"
)

// Key identifies a row: the identity table's name and the primary-key
// values. Two objects with equal Keys are the same row. A single integer key
// is held in Int (no boxing); a single key of another type in Val; a key of
// several columns in Val as an array of their values ([2]any up to
// [MaxKeyColumns]any). Keys are compared often (the identity map): they are
// kept small.
type Key struct {
	Table string
	Int   int64
	Val   any
}

// MaxKeyColumns is the most primary-key columns a Key can give back as
// values ([Key.Values]); keys of more columns still identify rows.
const MaxKeyColumns = 4

// longKey holds a key of more than MaxKeyColumns columns, as text.
type longKey string

// Values returns the key's column values; nil for a key of more than
// MaxKeyColumns columns.
func (k Key) Values() []any {
	switch v := k.Val.(type) {
	case nil:
		return []any{k.Int}
	case [2]any:
		return v[:]
	case [3]any:
		return v[:]
	case [4]any:
		return v[:]
	case longKey:
		return nil
	default:
		return []any{v}
	}
}

// String renders the key for messages.
func (k Key) String() string {
	if lk, ok := k.Val.(longKey); ok {
		return k.Table + "(" + strings.ReplaceAll(string(lk)[1:], "\x00", ", ") + ")"
	}
	s := k.Table + "("
	for i, v := range k.Values() {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(v)
	}
	return s + ")"
}

// keyOf makes the Key of a row of table from its key columns' values.
func keyOf(table string, vals []any) Key {
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			vals[i] = string(b) // []byte is not comparable
		}
	}
	k := Key{Table: table}
	switch len(vals) {
	case 1:
		k.Val = vals[0]
	case 2:
		k.Val = [2]any(vals)
	case 3:
		k.Val = [3]any(vals)
	case 4:
		k.Val = [4]any(vals)
	default:
		var b strings.Builder
		for _, v := range vals {
			fmt.Fprintf(&b, "\x00%T:%v", v, v)
		}
		k.Val = longKey(b.String())
	}
	return k
}

// Mapper persists objects of one Go type. The session makes one for every
// table declared with retort.NewTable; package inherit supplies its own for
// class hierarchies (RegisterMapper). Objects are passed as any holding the
// mapped pointer type.
type Mapper interface {
	// IdentityTable scopes identity keys: the base table of a hierarchy.
	IdentityTable() string
	// Tables are the tables the mapper writes, in insert order.
	Tables() []retort.Schema
	// Key returns obj's identity key; false while its key is still to be
	// generated.
	Key(obj any) (Key, bool)
	// KeyOf builds a key from primary-key values given by a caller.
	KeyOf(values []any) (Key, error)
	// Snapshot copies obj's column values (sharing no pointers with obj).
	Snapshot(obj any) any
	// Restore copies the column values of snap back into obj.
	Restore(obj, snap any)
	// Changed reports whether obj's column values differ from snap.
	Changed(obj, snap any) bool
	// Insert returns statements inserting objs; their callbacks write
	// generated keys into the objects.
	Insert(d retort.Dialect, objs []any) ([]retort.BatchItem, error)
	// Update returns statements writing obj's changes since snap; the
	// callbacks report a stale row (no row matched) as an error matching
	// ErrStale.
	Update(d retort.Dialect, obj, snap any) ([]retort.BatchItem, error)
	// Delete returns statements deleting objs (whose snapshots are snaps).
	Delete(d retort.Dialect, objs, snaps []any) ([]retort.BatchItem, error)
	// ClearGenerated resets keys the database generated, after a rollback.
	ClearGenerated(obj any)
	// Load fetches the objects with the given keys (at most one query).
	Load(ctx context.Context, db retort.DB, keys []Key) ([]any, error)
}

// Stamper is implemented by a Mapper whose Insert or Update set columns
// the program left alone (retort.Default, retort.UpdateDefault). Before
// such a write the session copies the object (Snapshot), and if the flush
// fails it puts the copy back (Restore), so that the object is as it was
// before the flush: the retry makes its defaults again.
type Stamper interface {
	Stamps() (onInsert, onUpdate bool)
}

var mappers sync.Map // (*T)(nil) -> Mapper

// RegisterMapper makes m the mapper of objects of type *T.
func RegisterMapper[T any](m Mapper) { mappers.Store(any((*T)(nil)), m) }

// MapperOf returns the mapper for *T: a registered one, or one made for the
// table declared for T. It reports an error when T has no table.
func MapperOf[T any]() (Mapper, error) {
	if m, ok := mappers.Load(any((*T)(nil))); ok {
		return m.(Mapper), nil
	}
	t := retort.TableOf[T]()
	if t == nil {
		var zero T
		return nil, fmt.Errorf("session: no table is declared for %T (use retort.NewTable)", zero)
	}
	if len(t.PrimaryKey()) == 0 {
		// Without a key the session cannot tell rows apart: an object
		// could be neither updated nor known to be inserted already.
		return nil, fmt.Errorf("session: table %q has no primary key; a session needs one to tell its rows apart (retort.Insert, Update and Delete work without)", t.Name())
	}
	m, _ := mappers.LoadOrStore(any((*T)(nil)), TableMapper(t))
	return m.(Mapper), nil
}

// TableMapper returns the mapper of a plain table. Package inherit builds on
// it.
func TableMapper[T any](t *retort.Table[T]) *Table[T] {
	m := &Table[T]{t: t, pk: t.PrimaryKey(), tables: []retort.Schema{t}, equal: retort.RowEqual(t.Columns())}
	for i, c := range t.Columns() {
		if c.CopiesApart() {
			m.deep = append(m.deep, c)
		}
		if c.Info().ReadOnly {
			if m.readOnly == nil {
				m.readOnly = make([]bool, len(t.Columns()))
			}
			m.readOnly[i] = true
		}
	}
	m.whole.Store(len(m.deep) == 0 && rowcmp.Comparable[T]())
	if len(m.pk) == 1 && !m.pk[0].Info().Nullable {
		m.key64, m.int64Key = m.pk[0].(*retort.Column[T, int64])
		for i, c := range t.Columns() {
			if c == m.pk[0] {
				m.keyIndex = i // its place in a query's select list
			}
		}
	}
	return m
}

// orderDeletes puts the rows of sts in an order the table's foreign keys to
// itself allow deleting them in (package delorder): a row after every row
// among them that references it. The order is worked out from the
// snapshots, the values in the database, and otherwise keeps the order of
// sts. Rows whose references form a cycle, or whose key values cannot be
// compared, are left in the order they are.
func (m *Table[T]) orderDeletes(sts []*state) {
	if len(sts) < 2 {
		return
	}
	var g *delorder.Graph
	for _, fk := range m.t.ForeignKeys() {
		if fk.RefTable != m.t.Name() {
			continue
		}
		from, to := m.columns(fk.Columns), m.columns(fk.RefColumns)
		if from == nil || to == nil || len(from) != len(to) || len(from) > delorder.MaxColumns {
			return
		}
		fromKeys, toKeys := make([]delorder.Key, len(sts)), make([]delorder.Key, len(sts))
		for i, st := range sts {
			var ok1, ok2 bool
			fromKeys[i], ok1 = keyValues(st.snap.(*T), from)
			toKeys[i], ok2 = keyValues(st.snap.(*T), to)
			if !ok1 || !ok2 {
				return
			}
		}
		if g == nil {
			g = delorder.New(len(sts))
		}
		g.Link(fromKeys, toKeys)
	}
	if g == nil {
		return
	}
	if order, ok := g.Order(); ok {
		delorder.Permute(sts, order)
	}
}

// columns returns the table's columns of these names; nil if one is not
// found.
func (m *Table[T]) columns(names []string) []retort.ColumnOf[T] {
	out := make([]retort.ColumnOf[T], 0, len(names))
	for _, n := range names {
		i := slices.IndexFunc(m.t.Columns(), func(c retort.ColumnOf[T]) bool { return c.Name() == n })
		if i < 0 {
			return nil
		}
		out = append(out, m.t.Columns()[i])
	}
	return out
}

// keyValues returns the values of cols in obj as a delorder.Key (see
// delorder.KeyOf).
func keyValues[T any](obj *T, cols []retort.ColumnOf[T]) (delorder.Key, bool) {
	return delorder.KeyOf(len(cols), func(i int) any { return cols[i].Value(obj) })
}

// Table is the Mapper of one table.
type Table[T any] struct {
	t      *retort.Table[T]
	pk     []retort.ColumnOf[T]
	deep   []retort.ColumnOf[T] // columns whose values a struct copy would share
	tables []retort.Schema
	equal  func(a, b *T) bool // all columns equal (retort.RowEqual)
	// whole: an object equal to its snapshot by == is unchanged (T is
	// comparable and no column's value is copied apart); cleared if ==
	// panics (an interface field holding an incomparable value).
	whole atomic.Bool
	// int64Key: the key is one NOT NULL int64 column; KeyOf of an int64
	// needs no probe object.
	int64Key bool
	// key64 is that column, which KeyOfObject reads with no interface
	// call.
	key64    *retort.Column[T, int64]
	keyIndex int // key64's place among the table's columns
	// readOnly marks the columns the database maintains (retort.ReadOnly,
	// retort.Generated) by their place; nil when there are none.
	readOnly []bool
	updates  sync.Map // updateShape -> UPDATE text
}

// RetortTable is the mapped table.
func (m *Table[T]) RetortTable() *retort.Table[T] { return m.t }

// IdentityTable implements Mapper.
func (m *Table[T]) IdentityTable() string { return m.t.Name() }

// Tables implements Mapper.
func (m *Table[T]) Tables() []retort.Schema { return m.tables }

// Key implements Mapper.
func (m *Table[T]) Key(obj any) (Key, bool) { return m.KeyOfObject(obj.(*T)) }

// KeyOfObject is Key for a typed object.
func (m *Table[T]) KeyOfObject(o *T) (Key, bool) {
	k := Key{Table: m.t.Name()}
	if c := m.key64; c != nil {
		n, _ := c.Get(o)
		if n == 0 && m.t.AutoKey() != nil {
			return k, false // to be generated (the only column that can be is the key)
		}
		k.Int = n
		return k, true
	}
	if auto := m.t.AutoKey(); auto != nil && auto.IsZero(o) {
		return k, false
	}
	if len(m.pk) == 0 {
		return k, false
	}
	if len(m.pk) == 1 {
		if n, ok := m.pk[0].KeyInt(o); ok {
			k.Int = n
			return k, true
		}
	}
	vals := make([]any, len(m.pk))
	for i, c := range m.pk {
		vals[i] = c.Value(o)
	}
	return keyOf(k.Table, vals), true
}

// KeyOf implements Mapper: the values are converted to the key columns'
// types (integers of another width are accepted when they fit).
func (m *Table[T]) KeyOf(values []any) (Key, error) {
	if len(values) != len(m.pk) {
		return Key{}, fmt.Errorf("session: table %q has %d key columns, got %d values", m.t.Name(), len(m.pk), len(values))
	}
	if m.int64Key {
		if n, ok := values[0].(int64); ok {
			return Key{Table: m.t.Name(), Int: n}, nil // what the probe below gives
		}
	}
	var probe T
	for i, c := range m.pk {
		if err := c.SetValue(&probe, values[i]); err != nil {
			return Key{}, err
		}
	}
	k, _ := m.KeyOfObject(&probe)
	return k, nil
}

// Snapshot implements Mapper.
func (m *Table[T]) Snapshot(obj any) any {
	o := obj.(*T)
	snap := new(T)
	*snap = *o
	for _, c := range m.deep {
		c.Copy(snap, o)
	}
	return snap
}

// snapshotStates is Snapshot for the objects of many states, in one
// allocation, set in the states (no list of objects or of snapshots is
// made).
func (m *Table[T]) snapshotStates(sts []*state) {
	buf := make([]T, len(sts))
	for i, st := range sts {
		o := st.obj.(*T)
		buf[i] = *o
		for _, c := range m.deep {
			c.Copy(&buf[i], o)
		}
		st.snap = &buf[i]
	}
}

// Restore implements Mapper.
func (m *Table[T]) Restore(obj, snap any) {
	o, s := obj.(*T), snap.(*T)
	for _, c := range m.t.Columns() {
		c.Copy(o, s)
	}
}

// Changed implements Mapper.
func (m *Table[T]) Changed(obj, snap any) bool {
	return !m.equal(obj.(*T), snap.(*T))
}

// appendChanged implements changeBatcher.
func (m *Table[T]) appendChanged(dst, sts []*state, mi *mapperInfo) ([]*state, int) {
	i := 0
	if m.whole.Load() {
		var ok bool
		dst, i, ok = appendUnequal(dst, sts, mi, m.equal)
		if ok {
			return dst, i
		}
		m.whole.Store(false) // sts[i] made == panic; the rest go below
	}
	for ; i < len(sts) && inRun(sts[i], mi); i++ {
		if st := sts[i]; !m.equal(st.obj.(*T), st.snap.(*T)) {
			dst = append(dst, st)
		}
	}
	return dst, i
}

// inRun reports whether st continues a run of mi's persistent objects.
func inRun(st *state, mi *mapperInfo) bool {
	return st.mi == mi && st.in && st.status == Persistent
}

// appendUnequal is appendChanged's loop when T's values can be compared
// whole: one deferred recover for the whole run, not one per object (as
// Changed pays through retort.RowEqual). Only objects that == finds
// different are compared column by column (a field that is no column may
// differ). It stops at the first state not in the run and returns how many
// it compared; if == panics, ok is false and n is that object's index.
func appendUnequal[T any](dst, sts []*state, mi *mapperInfo, equal func(a, b *T) bool) (out []*state, n int, ok bool) {
	i := 0
	defer func() {
		if recover() != nil {
			out, n, ok = dst, i, false
		}
	}()
	for ; i < len(sts); i++ {
		st := sts[i]
		if !inRun(st, mi) {
			break
		}
		a, b := st.obj.(*T), st.snap.(*T)
		if any(*a) != any(*b) && !equal(a, b) {
			dst = append(dst, st)
		}
	}
	return dst, i, true
}

func (m *Table[T]) batchMapper() Mapper { return m }

// ReadsBack implements ReadBacker.
func (m *Table[T]) ReadsBack() bool { return m.readOnly != nil }

// CopyReadOnly implements ReadBacker.
func (m *Table[T]) CopyReadOnly(dst, src any) {
	d, s := dst.(*T), src.(*T)
	for i, c := range m.t.Columns() {
		if m.readOnly[i] {
			c.Copy(d, s)
		}
	}
}

// Stamps implements [Stamper].
func (m *Table[T]) Stamps() (onInsert, onUpdate bool) { return m.t.Stamps() }

// ChangedColumns lists the columns of obj that differ from snap.
func (m *Table[T]) ChangedColumns(obj, snap *T) []retort.ColumnOf[T] {
	var out []retort.ColumnOf[T]
	for _, c := range m.t.Columns() {
		if !c.Equal(obj, snap) {
			out = append(out, c)
		}
	}
	return out
}

func typed[T any](objs []any) []*T {
	out := make([]*T, len(objs))
	for i, o := range objs {
		out[i] = o.(*T)
	}
	return out
}

// Insert implements Mapper.
func (m *Table[T]) Insert(d retort.Dialect, objs []any) ([]retort.BatchItem, error) {
	ts := typed[T](objs)
	if err := m.firstVersion(ts); err != nil {
		return nil, err
	}
	return retort.Insert(m.t, ts...).Items(d)
}

// firstVersion gives objects without a version the first one.
func (m *Table[T]) firstVersion(ts []*T) error {
	if v := versionOf(m.t); v != nil {
		for _, o := range ts {
			if v.IsZero(o) {
				if err := v.SetInt64(o, 1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// InsertReturning implements [ReturningInserter]: one INSERT ... RETURNING
// (retort's Insert(...).Returning()), whose rows give the objects their
// generated keys and read-only columns. A row goes to the object of its
// key; when every key is generated, the keys, ascending, go to the objects
// in order (each row of the VALUES list draws its key in turn, as the
// multi-row inserts of package retort assume). Objects mixing given and
// generated keys, or whose values outnumber the parameters a statement
// takes, are not handled (ok is false).
func (m *Table[T]) InsertReturning(d retort.Dialect, objs []any) (items []retort.BatchItem, ok bool, err error) {
	ts := typed[T](objs)
	auto := m.t.AutoKey()
	generated := 0
	for _, o := range ts {
		if auto != nil && auto.IsZero(o) {
			generated++
		}
	}
	if generated > 0 && generated < len(ts) || len(ts)*len(m.t.Columns()) > d.MaxParams() {
		return nil, false, nil
	}
	if err := m.firstVersion(ts); err != nil {
		return nil, true, err
	}
	var rows []*T
	it, err := retort.Insert(m.t, ts...).Returning().Item(d, func(row *T) error {
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return nil, true, err
	}
	it.Op, it.Table = "insert", m.t.Name()
	read := it.Rows
	it.Rows = func(r retort.Rows) error {
		rows = rows[:0]
		if err := read(r); err != nil {
			return err
		}
		if len(rows) != len(ts) {
			return fmt.Errorf("%d rows returned for %d objects", len(rows), len(ts))
		}
		if generated > 0 {
			keyOf := func(row *T) int64 { k, _ := auto.KeyInt(row); return k }
			slices.SortFunc(rows, func(a, b *T) int { return cmp.Compare(keyOf(a), keyOf(b)) })
			for i, o := range ts {
				auto.Copy(o, rows[i])
				m.CopyReadOnly(o, rows[i])
			}
			return nil
		}
		byKey := make(map[Key]*T, len(ts))
		for _, o := range ts {
			k, _ := m.KeyOfObject(o)
			byKey[k] = o
		}
		for _, row := range rows {
			k, _ := m.KeyOfObject(row)
			o := byKey[k]
			if o == nil {
				return fmt.Errorf("a row returned with key %v, of no object inserted", k)
			}
			delete(byKey, k)
			m.CopyReadOnly(o, row)
		}
		return nil
	}
	return []retort.BatchItem{it}, true, nil
}

// Update implements Mapper.
func (m *Table[T]) Update(d retort.Dialect, obj, snap any) ([]retort.BatchItem, error) {
	o, s := obj.(*T), snap.(*T)
	cols := m.t.Columns()
	var mask uint64
	var changedBuf [8]retort.ColumnOf[T]
	changed := changedBuf[:0]
	diff := func() {
		mask, changed = 0, changed[:0]
		for i, c := range cols {
			if m.readOnly != nil && m.readOnly[i] {
				continue // never written: read back after the flush
			}
			if !c.Equal(o, s) {
				changed = append(changed, c)
				if i < 64 {
					mask |= 1 << i
				}
			}
		}
	}
	diff()
	if len(changed) == 0 {
		return nil, nil
	}
	for _, c := range m.pk {
		if !c.Equal(o, s) {
			return nil, &retort.ColumnError{Table: m.t.Name(), Column: c.Name(), Value: c.Value(o),
				Err: fmt.Errorf("a persistent object's primary key cannot change (was %v)", c.Value(s))}
		}
	}
	if m.t.ApplyOnUpdate(o, s) { // UpdateDefault columns the program left alone
		diff()
	}
	version := versionOf(m.t)
	key, _ := m.KeyOfObject(s)
	stale := func(r retort.Result) error {
		if r.RowsAffected != 1 {
			return &StaleError{Op: "update", Key: key, Matched: r.RowsAffected, Expected: 1}
		}
		return nil
	}
	// The arguments: the changed columns' new values, the new version, then
	// the key and the old version the row must still have.
	args := make([]any, 0, len(changed)+len(m.pk)+2)
	for _, c := range changed {
		if c == version {
			continue // set below
		}
		v, err := c.Bind(o)
		if err != nil {
			return nil, err // a ColumnError, naming the table
		}
		args = append(args, v)
	}
	if version != nil {
		old, _ := retort.Int64Of(version.Value(s))
		args = append(args, old+1)
	}
	for _, c := range m.pk {
		v, err := c.Bind(s)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	if version != nil {
		v, err := version.Bind(s)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	// The text depends only on the dialect and the columns changed: it is
	// made once per shape (tables of up to 64 columns).
	shape := updateShape{d, mask}
	item := retort.BatchItem{Args: args, Result: stale, Op: "update", Table: m.t.Name()}
	if m.updatesReturn(d) {
		item.Result, item.Rows = nil, m.readReturned(o, key)
	}
	if text, ok := m.updates.Load(shape); ok && len(cols) <= 64 {
		item.SQL = text.(string)
		return []retort.BatchItem{item}, nil
	}
	text, err := m.updateText(d, changed, version, args)
	if err != nil {
		return nil, err
	}
	if len(cols) <= 64 {
		m.updates.Store(shape, text)
	}
	item.SQL = text
	return []retort.BatchItem{item}, nil
}

// updatesReturn reports whether m's UPDATEs on d return the read-only
// columns (RETURNING, read by readReturned): on PostgreSQL, for a table
// with such columns, which then need no query after the flush. SQLite
// reads them back after the flush, which costs it no round trip.
func (m *Table[T]) updatesReturn(d retort.Dialect) bool {
	return d == retort.Postgres && m.readOnly != nil
}

// readReturned reads the row an UPDATE of o returned: its read-only
// columns go into o; a count other than one row is a StaleError.
func (m *Table[T]) readReturned(o *T, key Key) func(retort.Rows) error {
	return func(rows retort.Rows) error {
		row := new(T)
		var dests []any
		for i, c := range m.t.Columns() {
			if m.readOnly[i] {
				dests = append(dests, c.Dest(row))
			}
		}
		var n int64
		for rows.Next() {
			if err := rows.Scan(dests...); err != nil {
				return err
			}
			n++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if n != 1 {
			return &StaleError{Op: "update", Key: key, Matched: n, Expected: 1}
		}
		m.CopyReadOnly(o, row)
		return nil
	}
}

// updateText writes the UPDATE of the changed columns (and version) whose
// arguments are args, in Update's order.
func (m *Table[T]) updateText(d retort.Dialect, changed []retort.ColumnOf[T], version retort.ColumnOf[T], args []any) (string, error) {
	w := retort.NewWriter(d)
	w.WriteString("UPDATE ")
	w.WriteTable(m.t.Name())
	w.WriteString(" SET ")
	i := 0
	set := func(c retort.ColumnOf[T]) {
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteIdent(c.Name())
		w.WriteString(" = ")
		w.WriteArg(args[i])
		i++
	}
	for _, c := range changed {
		if c != version {
			set(c)
		}
	}
	if version != nil {
		set(version)
	}
	w.WriteString(" WHERE ")
	where := m.pk
	if version != nil {
		where = append(slices.Clip(where), version)
	}
	for j, c := range where {
		if j > 0 {
			w.WriteString(" AND ")
		}
		c.WriteSQL(w)
		w.WriteString(" = ")
		w.WriteArg(args[i])
		i++
	}
	if m.updatesReturn(d) {
		w.WriteString(" RETURNING ")
		n := 0
		for k, c := range m.t.Columns() {
			if m.readOnly[k] {
				if n > 0 {
					w.WriteString(", ")
				}
				n++
				w.WriteIdent(c.Name())
			}
		}
	}
	return w.String(), w.Err()
}

// updateShape identifies the text of an UPDATE: the dialect and the columns
// changed (bit i for column i).
type updateShape struct {
	d    retort.Dialect
	mask uint64
}

func (m *Table[T]) checkableUpdates() bool { return true }

// RevertVersion copies the version column of snap back into obj.
func (m *Table[T]) RevertVersion(obj, snap any) {
	if v := versionOf(m.t); v != nil {
		v.Copy(obj.(*T), snap.(*T))
	}
}

// Updated sets the version column of obj to the one its UPDATE wrote, once
// the flush succeeded.
func (m *Table[T]) Updated(obj, snap any) error {
	version := versionOf(m.t)
	if version == nil {
		return nil
	}
	old, _ := retort.Int64Of(version.Value(snap.(*T)))
	return version.SetInt64(obj.(*T), old+1)
}

// writeKeyMatch writes WHERE key = snapshot's key [AND version = old].
func (m *Table[T]) writeKeyMatch(w *retort.Writer, s *T, version retort.ColumnOf[T]) error {
	w.WriteString(" WHERE ")
	cols := m.pk
	if version != nil {
		cols = append(slices.Clip(cols), version)
	}
	for i, c := range cols {
		if i > 0 {
			w.WriteString(" AND ")
		}
		v, err := c.Bind(s)
		if err != nil {
			return err
		}
		c.WriteSQL(w)
		w.WriteString(" = ")
		w.WriteArg(v)
	}
	return nil
}

// deleteChunk bounds the keys of one DELETE ... IN on SQLite.
const deleteChunk = 500

// Delete implements Mapper: one statement for many rows when the table has a
// single-column key and no version column, one per row otherwise.
func (m *Table[T]) Delete(d retort.Dialect, objs, snaps []any) ([]retort.BatchItem, error) {
	items, checks, err := m.deleteItems(d, snaps)
	if err != nil {
		return nil, err
	}
	clientChecked(items, checks)
	return items, nil
}

// clientChecked gives each of items a Result that checks its row count
// against checks[i].
func clientChecked(items []retort.BatchItem, checks []staleCheck) {
	for i := range items {
		c := checks[i]
		items[i].Result = func(r retort.Result) error {
			if r.RowsAffected != c.n {
				return &StaleError{Op: c.op, Key: c.key, Matched: r.RowsAffected, Expected: c.n}
			}
			return nil
		}
	}
}

// plainTable implements plainTabler.
func (m *Table[T]) plainTable() Mapper { return m }

// deleteItems implements deleteChecker: the DELETE statements of the rows
// of snaps, without Results, and the row count each must match.
func (m *Table[T]) deleteItems(d retort.Dialect, snaps []any) ([]retort.BatchItem, []staleCheck, error) {
	if len(m.pk) == 0 {
		return nil, nil, fmt.Errorf("session: delete from %q: the table has no primary key", m.t.Name())
	}
	version := versionOf(m.t)
	var items []retort.BatchItem
	var checks []staleCheck
	if len(m.pk) == 1 && version == nil {
		pk := m.pk[0]
		chunk := len(snaps)
		if d == retort.SQLite {
			chunk = deleteChunk
		}
		for start := 0; start < len(snaps); start += chunk {
			part := snaps[start:min(len(snaps), start+chunk)]
			keys := make([]any, len(part))
			for i, s := range part {
				v, err := pk.Bind(s.(*T))
				if err != nil {
					return nil, nil, err
				}
				keys[i] = v
			}
			w := retort.NewWriter(d)
			w.WriteString("DELETE FROM ")
			w.WriteTable(m.t.Name())
			w.WriteString(" WHERE ")
			pk.WriteSQL(w)
			w.WriteIn(keys)
			items = append(items, retort.BatchItem{SQL: w.String(), Args: w.Args(), Op: "delete from", Table: m.t.Name()})
			c := staleCheck{"delete", Key{Table: m.t.Name()}, int64(len(part))}
			if len(part) == 1 {
				c.key, _ = m.KeyOfObject(part[0].(*T))
			}
			checks = append(checks, c)
		}
		return items, checks, nil
	}
	for _, s := range snaps {
		st := s.(*T)
		w := retort.NewWriter(d)
		w.WriteString("DELETE FROM ")
		w.WriteTable(m.t.Name())
		if err := m.writeKeyMatch(w, st, version); err != nil {
			return nil, nil, err
		}
		key, _ := m.KeyOfObject(st)
		items = append(items, retort.BatchItem{SQL: w.String(), Args: w.Args(), Op: "delete from", Table: m.t.Name()})
		checks = append(checks, staleCheck{"delete", key, 1})
	}
	return items, checks, nil
}

// ClearGenerated implements Mapper.
func (m *Table[T]) ClearGenerated(obj any) {
	if auto := m.t.AutoKey(); auto != nil {
		var zero T
		auto.Copy(obj.(*T), &zero)
	}
}

// Load implements Mapper.
func (m *Table[T]) Load(ctx context.Context, db retort.DB, keys []Key) ([]any, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var cond retort.Expr[bool]
	if len(m.pk) == 1 {
		vals := make([]any, len(keys))
		for i, k := range keys {
			vals[i] = k.Val
			if vals[i] == nil {
				vals[i] = k.Int
			}
		}
		var err error
		if cond, err = inValues(m.pk[0], vals); err != nil {
			return nil, err
		}
	} else {
		var ors []retort.Expr[bool]
		for _, k := range keys {
			var ands []retort.Expr[bool]
			for i, c := range m.pk {
				vals := k.Values()
				if i >= len(vals) {
					return nil, fmt.Errorf("session: load %q: keys of more than %d columns", m.t.Name(), MaxKeyColumns)
				}
				p, err := c.EqValue(vals[i])
				if err != nil {
					return nil, err
				}
				ands = append(ands, p)
			}
			ors = append(ors, retort.And(ands...))
		}
		cond = retort.Or(ors...)
	}
	objs, err := retort.Select(m.t).Where(cond).All(ctx, db)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(objs))
	for i, o := range objs {
		out[i] = o
	}
	return out, nil
}

// inValues is c IN (vals) for values held as any.
func inValues[T any](c retort.ColumnOf[T], vals []any) (retort.Expr[bool], error) {
	if len(vals) == 1 {
		return c.EqValue(vals[0])
	}
	return c.InValues(vals)
}

// SwitchRow implements [RowSwitcher]: obj's Default columns are set.
func (m *Table[T]) SwitchRow(obj, snap any) error {
	m.t.ApplyDefaults(obj.(*T))
	return nil
}
