package retort

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Table maps the Go type T to one database table. Declare a table and its
// columns once, as package-level variables:
//
//	var (
//		Users    = retort.NewTable[User]("users")
//		UserID   = retort.Col(Users, "id", func(u *User) *int64 { return &u.ID }, retort.PrimaryKey())
//		UserName = retort.Col(Users, "name", func(u *User) *string { return &u.Name }, retort.Size(50))
//	)
//
// A Table is safe for concurrent use once its columns are declared.
type Table[T any] struct {
	name    string
	alias   string
	base    *Table[T] // the table an alias was made from
	cols    []ColumnOf[T]
	writes  []ColumnOf[T] // cols but the read-only ones: what INSERTs write
	pk      []ColumnOf[T]
	auto    ColumnOf[T]
	fks     []*ForeignKey
	uniques [][]string
	indexes []Index
	checks  []string
	// onUpdate lists the columns declared with UpdateDefault.
	onUpdate []ColumnOf[T]

	mu    sync.Mutex
	cache [3]*tableSQL
	ext   sync.Map
	// used: SQL has been built from the columns (the table's or an
	// alias's), so a column declared now would be missing from it.
	used atomic.Bool
}

// Index is a secondary index of a table.
type Index struct {
	Name    string
	Columns []string
	Unique  bool
}

var registry sync.Map // map[any]any: (*T)(nil) -> *Table[T]

// NewTable declares the table name for objects of type T. The first table
// declared for a type is the one [TableOf] (and the session) finds for it.
//
// A name with a dot names a table in a schema, as in GORM and bun:
// "billing.invoice" is the table invoice of PostgreSQL's schema billing
// (which [CreateAll] creates if missing), or of the SQLite database
// attached as billing ("main" and "temp" are always there). Statements
// write "billing"."invoice" and qualify its columns as "invoice"."id", so
// two tables of one name in different schemas meet in one statement only
// through an [Alias]. Foreign keys refer to the table by its whole name
// ([Column.References] does so), and on SQLite only to a table of the same
// schema (SQLite's own rule). A name with more than one dot, or an empty
// schema or name, panics.
func NewTable[T any](name string) *Table[T] {
	if schema, local, ok := strings.Cut(name, "."); ok && (schema == "" || local == "" || strings.Contains(local, ".")) {
		panic(fmt.Sprintf("retort: table name %q: give a schema and a table, \"schema.table\", with one dot", name))
	}
	t := &Table[T]{name: name}
	registry.LoadOrStore(any((*T)(nil)), t)
	return t
}

// TableOf returns the table first declared for T, or nil.
func TableOf[T any]() *Table[T] {
	if t, ok := registry.Load(any((*T)(nil))); ok {
		return t.(*Table[T])
	}
	return nil
}

// Name is the table's name in the database, with its schema if it was
// declared with one ("billing.invoice"): the name foreign keys, the
// session and error messages use. Write it into SQL with [QuoteTable].
func (t *Table[T]) Name() string { return t.name }

// Alias returns a copy of t that is referred to as alias in SQL, so a table
// can appear twice in one statement (a self-join). Use [Aliased] to get the
// alias's columns.
func Alias[T any](t *Table[T], alias string) *Table[T] {
	a := &Table[T]{name: t.name, alias: alias, base: t.origin()}
	return a
}

func (t *Table[T]) origin() *Table[T] {
	if t.base != nil {
		return t.base
	}
	return t
}

// ref is how SQL refers to the table: its alias if it has one, else its
// name without the schema.
func (t *Table[T]) ref() string {
	if t.alias != "" {
		return t.alias
	}
	return localName(t.name)
}

// Columns returns the table's columns in declaration order.
func (t *Table[T]) Columns() []ColumnOf[T] { return t.origin().cols }

// PrimaryKey returns the primary-key columns.
func (t *Table[T]) PrimaryKey() []ColumnOf[T] { return t.origin().pk }

// AutoKey returns the column whose values the database generates (an
// auto-incrementing integer primary key), or nil.
func (t *Table[T]) AutoKey() ColumnOf[T] { return t.origin().auto }

// ForeignKeys returns the table's foreign keys.
func (t *Table[T]) ForeignKeys() []*ForeignKey { return t.origin().fks }

// Extension returns a value stored under key by [Table.SetExtension]. The rel
// and inherit packages keep their per-table mapping here.
func (t *Table[T]) Extension(key any) (any, bool) { return t.origin().ext.Load(key) }

// SetExtension stores v under key. Keys should be unexported types of the
// package that sets them, as with context values.
func (t *Table[T]) SetExtension(key, v any) { t.origin().ext.Store(key, v) }

// Unique adds a UNIQUE constraint over several columns.
func (t *Table[T]) Unique(cols ...AnyColumn) *Table[T] {
	t.uniques = append(t.uniques, names(cols))
	return t
}

// Index adds a secondary index over cols, named ix_<table>_<cols>.
func (t *Table[T]) Index(cols ...AnyColumn) *Table[T] {
	n := names(cols)
	t.indexes = append(t.indexes, Index{Name: "ix_" + localName(t.name) + "_" + strings.Join(n, "_"), Columns: n})
	return t
}

// Check adds a table CHECK constraint; sql is trusted DDL written by the
// programmer, never user input.
func (t *Table[T]) Check(sql string) *Table[T] {
	t.checks = append(t.checks, sql)
	return t
}

func names(cols []AnyColumn) []string {
	n := make([]string, len(cols))
	for i, c := range cols {
		n[i] = c.Name()
	}
	return n
}

// AnyColumn is what every column has, whatever its types.
type AnyColumn interface {
	Expression
	// Name is the column's name.
	Name() string
	// TableName is the name of the column's table.
	TableName() string
	// Info describes the column for DDL and tools.
	Info() ColumnInfo
}

// ColumnInfo describes a column.
type ColumnInfo struct {
	Name       string
	Table      string
	SQLType    func(Dialect) string
	Nullable   bool
	PrimaryKey bool
	AutoKey    bool
	Unique     bool
	Index      bool
	Size       int
	DefaultSQL string
	Schema     SchemaType // non-nil when the column's Type needs DDL of its own
	ReadOnly   bool       // ReadOnly or Generated: Retort never writes it
	Generated  string     // the expression of a Generated column
}

// ArrayCast is the PostgreSQL cast of an array parameter that holds the
// column's values, for unnest and = ANY: T[], or text[]::T[] for a type the
// program creates (an enum), which pgx cannot encode in arrays and which
// PostgreSQL reads from text.
func (c ColumnInfo) ArrayCast() string {
	t := c.SQLType(Postgres)
	if c.castFromText() {
		return "text[]::" + t + "[]"
	}
	return t + "[]"
}

// castFromText reports whether the column's type is one the program
// creates (an enum): its arrays travel as text[].
func (c ColumnInfo) castFromText() bool {
	return c.Schema != nil && len(c.Schema.CreateTypeSQL(Postgres)) > 0
}

// ColumnOf is the view of a column of table T that does not depend on the
// column's value type: what statements, the session and relationships need to
// read, write, compare and copy a column of any object of T.
type ColumnOf[T any] interface {
	AnyColumn
	// Bind returns the column's value in obj ready for a driver, after the
	// checks a write makes (size, range, valid values).
	Bind(obj *T) (any, error)
	// Dest returns where a driver scans this column of obj.
	Dest(obj *T) any
	// Equal reports whether a and b hold equal values in this column.
	Equal(a, b *T) bool
	// Copy copies the column's value from src to dst without sharing
	// pointed-to values.
	Copy(dst, src *T)
	// CopiesApart reports whether a struct copy of an object shares this
	// column's value with the original, so that only Copy separates them.
	CopiesApart() bool
	// IsZero reports whether obj holds the zero value (or NULL) here.
	IsZero(obj *T) bool
	// SetInt64 stores a generated integer key into obj.
	SetInt64(obj *T, id int64) error
	// Value returns the column's value in obj, boxed (nil for NULL), for
	// map keys and messages.
	Value(obj *T) any
	// EqValue is the predicate column = v for a value whose type is only
	// known at run time (a key passed as any). Integer values of another
	// width are converted when they fit; other mismatches are an error
	// naming the table, column and value.
	EqValue(v any) (Expr[bool], error)
	// KeyInt returns the value as an int64 when the column holds a Go
	// integer, without boxing it.
	KeyInt(obj *T) (int64, bool)
	// InValues is the predicate column IN (vs), converting as EqValue does.
	InValues(vs []any) (Expr[bool], error)
	// SetValue stores v, which must hold the column's Go type (as returned
	// by Value), into obj.
	SetValue(obj *T, v any) error
	// applyDefault sets a Go-side default into obj when the field is zero.
	applyDefault(obj *T)
	// rebind is Dest reusing a destination of an earlier row.
	rebind(dest any, obj *T) any
	// hasDefault reports whether the column has a Go-side default.
	hasDefault() bool
	// stampUpdate sets the column's UpdateDefault value into obj when obj holds
	// snap's value there, reporting whether it did.
	stampUpdate(obj, snap *T) bool
	// onUpdateSet is the assignment of the column's UpdateDefault value.
	onUpdateSet() Assignment[T]
	// appendArray appends the column's values in objs as a PostgreSQL
	// array literal (see pgarray.go).
	appendArray(b []byte, objs []*T, auto bool) ([]byte, bool, error)
	// appendCopy appends the column's value in obj as a field of
	// PostgreSQL's COPY text format (see pgcopy.go).
	appendCopy(b []byte, obj *T) ([]byte, bool, error)
}

// Column is a typed column of table T holding values of Go type V. A
// NULL-able column (declared with [NullCol]) still has the non-pointer V, so
// that it compares with and references columns of V.
type Column[T, V any] struct {
	table    *Table[T]
	name     string
	get      func(*T) *V
	getNull  func(*T) **V
	typ      Type[V]
	native   bool
	opts     columnOptions
	defValue *V
	defFunc  func() V           // a Go-side default computed at each insert
	onUpdate func() V           // the value of UpdateDefault
	eq       func(a, b *T) bool // Equal without dispatch, for the common NOT NULL native columns
	clone    func(V) V          // the Type's Clone (Cloner), for Copy
}

// Col declares a NOT NULL column of t. get returns a pointer to the field that
// holds the column in an object: Retort scans into it and reads from it, with
// no reflection. V must be a built-in column type (see [DefaultType]); use
// [ColType] for others.
func Col[T, V any](t *Table[T], name string, get func(*T) *V, opts ...ColumnOption) *Column[T, V] {
	typ, ok := DefaultType[V]()
	if !ok {
		var zero V
		panic(fmt.Sprintf("retort: column %s.%s: no built-in type for %T; use ColType", t.name, name, zero))
	}
	return declare(t, name, get, nil, typ, opts)
}

// NullCol declares a NULL-able column whose field is a pointer: nil is NULL.
func NullCol[T, V any](t *Table[T], name string, get func(*T) **V, opts ...ColumnOption) *Column[T, V] {
	typ, ok := DefaultType[V]()
	if !ok {
		var zero V
		panic(fmt.Sprintf("retort: column %s.%s: no built-in type for %T; use NullColType", t.name, name, zero))
	}
	return declare(t, name, nil, get, typ, opts)
}

// ColType declares a NOT NULL column stored through typ.
func ColType[T, V any](t *Table[T], name string, get func(*T) *V, typ Type[V], opts ...ColumnOption) *Column[T, V] {
	return declare(t, name, get, nil, typ, opts)
}

// NullColType declares a NULL-able column stored through typ.
func NullColType[T, V any](t *Table[T], name string, get func(*T) **V, typ Type[V], opts ...ColumnOption) *Column[T, V] {
	return declare(t, name, nil, get, typ, opts)
}

func declare[T, V any](t *Table[T], name string, get func(*T) *V, getNull func(*T) **V, typ Type[V], opts []ColumnOption) *Column[T, V] {
	if t.base != nil {
		panic("retort: declare columns on the table, not on an alias")
	}
	if t.used.Load() {
		panic(fmt.Sprintf("retort: column %s.%s declared after the table was used in a statement; declare every column first, as package-level variables", t.name, name))
	}
	for _, c := range t.cols {
		if c.Name() == name {
			panic(fmt.Sprintf("retort: column %s.%s declared twice", t.name, name))
		}
	}
	c := &Column[T, V]{table: t, name: name, get: get, getNull: getNull, typ: typ}
	_, c.native = typ.(native)
	if cl, ok := typ.(Cloner[V]); ok {
		c.clone = cl.Clone
	}
	if c.native && getNull == nil {
		c.eq = nativeEqual(get)
	}
	for _, o := range opts {
		o.apply(&c.opts)
		if d, ok := o.(defaultOption); ok && d.value != nil {
			switch v := d.value.(type) {
			case V:
				c.defValue = &v
			case func() V:
				c.defFunc = v
			default:
				var zero V
				panic(fmt.Sprintf("retort: column %s.%s: Default of a %T, not a %T or a func() %[4]T", t.name, name, d.value, zero))
			}
		}
		if u, ok := o.(onUpdateOption); ok {
			switch v := u.value.(type) {
			case V:
				c.onUpdate = func() V { return v }
			case func() V:
				c.onUpdate = v
			default:
				var zero V
				panic(fmt.Sprintf("retort: column %s.%s: UpdateDefault of a %T, not a %T or a func() %[4]T", t.name, name, u.value, zero))
			}
			t.onUpdate = append(t.onUpdate, c)
		}
	}
	if c.opts.readOnly {
		switch {
		case c.opts.primaryKey:
			panic(fmt.Sprintf("retort: column %s.%s: a read-only column cannot be part of the primary key", t.name, name))
		case c.hasDefault() || c.onUpdate != nil:
			panic(fmt.Sprintf("retort: column %s.%s: a read-only column cannot have a Default or UpdateDefault", t.name, name))
		case c.opts.generated != "" && c.opts.defaultSQL != "":
			panic(fmt.Sprintf("retort: column %s.%s: a generated column cannot have a DefaultSQL", t.name, name))
		}
	} else {
		t.writes = append(t.writes, c)
	}
	t.cols = append(t.cols, c)
	if c.opts.primaryKey {
		t.pk = append(t.pk, c)
	}
	// A single integer primary key that is not also a foreign key is
	// generated by the database unless the column says otherwise.
	t.auto = nil
	if len(t.pk) == 1 {
		if pc, ok := t.pk[0].(interface{ autoCandidate() bool }); ok && pc.autoCandidate() {
			t.auto = t.pk[0]
		}
	}
	if c.opts.unique {
		t.uniques = append(t.uniques, []string{name})
	}
	if c.opts.index {
		t.indexes = append(t.indexes, Index{Name: "ix_" + localName(t.name) + "_" + name, Columns: []string{name}})
	}
	return c
}

func (c *Column[T, V]) autoCandidate() bool {
	return c.opts.autoInc != autoNever && c.getNull == nil && isInteger[V]() && !c.opts.isFK
}

// Name is the column's name.
func (c *Column[T, V]) Name() string { return c.name }

// TableName is the name of the column's table.
func (c *Column[T, V]) TableName() string { return c.table.name }

// Table is the column's table (or alias).
func (c *Column[T, V]) Table() *Table[T] { return c.table }

// Type is the column's Type.
func (c *Column[T, V]) Type() Type[V] { return c.typ }

// ValueType is the Type of the values of the expression; for a column, its
// Type. It makes a column an [Expr] of V.
func (c *Column[T, V]) ValueType() Type[V] { return c.typ }

// sqlType is the column's type in DDL and casts for d.
func (c *Column[T, V]) sqlType(d Dialect) string {
	if d == Postgres && c.opts.pgType != "" {
		return c.opts.pgType
	}
	return c.typ.SQLType(d, c.opts.size)
}

// Nullable reports whether the column accepts NULL.
func (c *Column[T, V]) Nullable() bool { return c.getNull != nil }

// Info describes the column.
func (c *Column[T, V]) Info() ColumnInfo {
	st, _ := c.typ.(SchemaType)
	orig := c.table.origin()
	return ColumnInfo{
		Name:       c.name,
		Table:      c.table.name,
		SQLType:    c.sqlType,
		Nullable:   c.getNull != nil,
		PrimaryKey: c.opts.primaryKey,
		AutoKey:    orig.auto != nil && orig.auto.Name() == c.name,
		Unique:     c.opts.unique,
		Index:      c.opts.index,
		Size:       c.opts.size,
		DefaultSQL: c.defaultDDL(),
		Schema:     st,
		ReadOnly:   c.opts.readOnly,
		Generated:  c.opts.generated,
	}
}

// WriteSQL writes the qualified column name.
func (c *Column[T, V]) WriteSQL(w *Writer) {
	if !w.bare {
		w.writeQualifier(c.table.ref())
		w.WriteByte('.')
	}
	w.WriteIdent(c.name)
}

// Aliased returns the column c as a column of the alias a (made by [Alias]
// from c's table).
func Aliased[T, V any](a *Table[T], c *Column[T, V]) *Column[T, V] {
	if a.origin() != c.table.origin() {
		panic(fmt.Sprintf("retort: column %s.%s is not a column of alias %s", c.table.name, c.name, a.ref()))
	}
	cc := *c
	cc.table = a
	return &cc
}

// Get returns the column's value in obj and whether it is non-NULL.
func (c *Column[T, V]) Get(obj *T) (V, bool) {
	if c.getNull != nil {
		p := *c.getNull(obj)
		if p == nil {
			var zero V
			return zero, false
		}
		return *p, true
	}
	return *c.get(obj), true
}

// Set stores v in obj's field.
func (c *Column[T, V]) Set(obj *T, v V) {
	if c.getNull != nil {
		p := new(V) // allocate only here: &v would make every call allocate
		*p = v
		*c.getNull(obj) = p
		return
	}
	*c.get(obj) = v
}

// SetNull stores NULL in obj's field; it does nothing on a NOT NULL column.
func (c *Column[T, V]) SetNull(obj *T) {
	if c.getNull != nil {
		*c.getNull(obj) = nil
	}
}

// Value implements [ColumnOf].
func (c *Column[T, V]) Value(obj *T) any {
	v, ok := c.Get(obj)
	if !ok {
		return nil
	}
	return v
}

// Bind implements [ColumnOf].
func (c *Column[T, V]) Bind(obj *T) (any, error) {
	v, ok := c.Get(obj)
	if !ok {
		return nil, nil
	}
	return c.encode(v)
}

// encode checks v against the column and encodes it for a write.
func (c *Column[T, V]) encode(v V) (any, error) {
	if err := c.check(v); err != nil {
		return nil, err
	}
	if c.native {
		if b, ok := any(v).([]byte); ok && b == nil && c.getNull == nil {
			return []byte{}, nil // nil is empty in a NOT NULL column, on both databases
		}
		return v, nil
	}
	if nt, ok := any(c.typ).(numericType); ok && nt.precision > 0 {
		// A value with more decimal places than the column's scale is
		// written rounded to it (half away from zero), as PostgreSQL
		// rounds it: SQLite would keep every digit in the row, and sums
		// and comparisons would differ between the databases. The object
		// keeps its value, as with PostgreSQL. Conditions compare with
		// the value as given (arg), on both.
		if d := any(v).(Decimal); int(d.scale) > nt.scale {
			if r, err := d.Rescale(nt.scale); err == nil {
				v = any(r).(V)
			}
		}
	}
	e, err := c.typ.Encode(v)
	if err != nil {
		return nil, &ColumnError{Table: c.table.name, Column: c.name, Value: v, Err: err}
	}
	return e, nil
}

// check makes the checks a write makes before encoding: the column's size,
// and the range of unsigned integers of the built-in types.
func (c *Column[T, V]) check(v V) error {
	if c.opts.size > 0 {
		if n, ok := runeLen(v); ok && n > c.opts.size {
			return &ColumnError{Table: c.table.name, Column: c.name, Value: v,
				Err: fmt.Errorf("%w: %d characters, the column holds %d", ErrTooLong, n, c.opts.size)}
		}
	}
	if c.native {
		switch u := any(v).(type) {
		case uint64:
			if u > 1<<63-1 {
				return &ColumnError{Table: c.table.name, Column: c.name, Value: v, Err: ErrOutOfRange}
			}
		case uint:
			if uint64(u) > 1<<63-1 {
				return &ColumnError{Table: c.table.name, Column: c.name, Value: v, Err: ErrOutOfRange}
			}
		case string:
			// PostgreSQL's text holds valid UTF-8 without NUL; SQLite is
			// held to the same, so that both keep the same values.
			if err := textError(u); err != nil {
				return &ColumnError{Table: c.table.name, Column: c.name, Value: v, Err: err}
			}
		case float64:
			if u != u {
				return nanError(c.table.name, c.name, v)
			}
		case float32:
			if u != u {
				return nanError(c.table.name, c.name, v)
			}
		case time.Time:
			// SQLite's text (TimeFormat) spells years 0-9999 and keeps
			// them in order; PostgreSQL is held to the same.
			if y := u.UTC().Year(); y < 0 || y > 9999 {
				return &ColumnError{Table: c.table.name, Column: c.name, Value: v,
					Err: fmt.Errorf("year %d in UTC: %w", y, ErrOutOfRange)}
			}
		}
	}
	return nil
}

// nanError refuses NaN: SQLite stores it as NULL (or refuses it in a NOT
// NULL column), and PostgreSQL is held to the same, as with text.
func nanError(table, column string, v any) error {
	return &ColumnError{Table: table, Column: column, Value: v,
		Err: fmt.Errorf("NaN, which SQLite stores as NULL, is given to neither database: %w", ErrOutOfRange)}
}

// textError says why s cannot be stored as text: a NUL byte, or bytes
// that are not UTF-8 (ErrInvalidText, with the offset); nil when it can.
func textError(s string) error {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return fmt.Errorf("%w: a NUL byte at offset %d (binary data belongs in a []byte field)", ErrInvalidText, i)
	}
	if utf8.ValidString(s) {
		return nil
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return fmt.Errorf("%w: not UTF-8 at offset %d (binary data belongs in a []byte field)", ErrInvalidText, i)
		}
		i += n
	}
	return nil
}

// arg encodes a value used in a predicate on d (no size check). Text
// PostgreSQL cannot carry is refused there, naming the column; SQLite
// compares with it (its rows may hold such text from other programs).
func (c *Column[T, V]) arg(d Dialect, v V) (any, error) {
	if c.native {
		switch u := any(v).(type) {
		case string:
			if d == Postgres {
				if err := textError(u); err != nil {
					return nil, &ColumnError{Table: c.table.name, Column: c.name, Value: v, Err: err}
				}
			}
		case uint64, uint, float64, float32:
			// Out of bigint's range, or NaN: refused as in a write, since
			// the two databases would compare it differently (SQLite binds
			// NaN as NULL; PostgreSQL finds NaN equal to NaN).
			if err := c.check(v); err != nil {
				return nil, err
			}
		}
		return v, nil
	}
	e, err := c.typ.Encode(v)
	if err != nil {
		return nil, &ColumnError{Table: c.table.name, Column: c.name, Value: v, Err: err}
	}
	return e, nil
}

func runeLen(v any) (int, bool) {
	switch s := v.(type) {
	case string:
		return len([]rune(s)), true
	case []byte:
		return len(s), true
	}
	return 0, false
}

// Dest implements [ColumnOf].
func (c *Column[T, V]) Dest(obj *T) any {
	// A column of another PostgreSQL type (PGType) is read through the
	// driver's database/sql form of its value: pgx has no binary decoding
	// of inet into a string.
	if c.native && c.opts.pgType == "" {
		if c.getNull != nil {
			return c.getNull(obj)
		}
		return c.get(obj)
	}
	return &typeScanner[T, V]{c: c, obj: obj}
}

// typeScanner decodes a driver value through a column's Type. It implements
// database/sql.Scanner, which both drivers accept as a scan destination, and
// [DecimalScanner].
type typeScanner[T, V any] struct {
	c   *Column[T, V]
	obj *T
}

// ScanDecimal implements [DecimalScanner]: a column of the built-in Decimal
// type takes d as Decode takes its text; other columns decode d's text.
func (s *typeScanner[T, V]) ScanDecimal(d Decimal) error {
	if nt, ok := any(s.c.typ).(numericType); ok {
		v, err := nt.fromDecimal(d)
		if err != nil {
			return err
		}
		s.c.Set(s.obj, any(v).(V))
		return nil
	}
	return s.Scan(d.String())
}

// rebind returns where a driver scans this column of obj, reusing dest, a
// destination this column returned for another object, when it can: a
// result read row by row allocates no scanner per row.
func (c *Column[T, V]) rebind(dest any, obj *T) any {
	if s, ok := dest.(*typeScanner[T, V]); ok && s.c == c {
		s.obj = obj
		return s
	}
	return c.Dest(obj)
}

func (s *typeScanner[T, V]) Scan(src any) error {
	if src == nil {
		if s.c.getNull == nil {
			return ErrNullValue
		}
		*s.c.getNull(s.obj) = nil
		return nil
	}
	v, err := s.c.typ.Decode(src)
	if err != nil {
		return err
	}
	s.c.Set(s.obj, v)
	return nil
}

// Equal implements [ColumnOf].
func (c *Column[T, V]) Equal(a, b *T) bool {
	if c.eq != nil {
		return c.eq(a, b)
	}
	if c.getNull == nil {
		return c.typ.Equal(*c.get(a), *c.get(b))
	}
	va, oka := c.Get(a)
	vb, okb := c.Get(b)
	if oka != okb {
		return false
	}
	return !oka || c.typ.Equal(va, vb)
}

// nativeEqual returns a comparison of the field get reaches for the common
// native types, or nil: change tracking compares every column of every
// loaded object at each flush, and this avoids two dynamic calls a column.
func nativeEqual[T, V any](get func(*T) *V) func(a, b *T) bool {
	switch g := any(get).(type) {
	case func(*T) *int64:
		return func(a, b *T) bool { return *g(a) == *g(b) }
	case func(*T) *int32:
		return func(a, b *T) bool { return *g(a) == *g(b) }
	case func(*T) *int:
		return func(a, b *T) bool { return *g(a) == *g(b) }
	case func(*T) *string:
		return func(a, b *T) bool { return *g(a) == *g(b) }
	case func(*T) *bool:
		return func(a, b *T) bool { return *g(a) == *g(b) }
	case func(*T) *float64:
		return func(a, b *T) bool { return *g(a) == *g(b) }
	}
	return nil
}

// Copy implements [ColumnOf].
func (c *Column[T, V]) Copy(dst, src *T) {
	v, ok := c.Get(src)
	if !ok {
		c.SetNull(dst)
		return
	}
	if c.clone != nil {
		v = c.clone(v)
	} else if b, isBytes := any(v).([]byte); isBytes && b != nil {
		v = any(slices.Clone(b)).(V)
	}
	c.Set(dst, v)
}

// CopiesApart reports whether a struct copy of an object would share this
// column's value with the copy, so that only Copy copies it apart: a
// NULL-able column (its field is a pointer), []byte, and a Type that is a
// [Cloner].
func (c *Column[T, V]) CopiesApart() bool {
	if c.getNull != nil || c.clone != nil {
		return true
	}
	var zero V
	_, isBytes := any(zero).([]byte)
	return isBytes
}

// IsZero implements [ColumnOf].
func (c *Column[T, V]) IsZero(obj *T) bool {
	v, ok := c.Get(obj)
	if !ok {
		return true
	}
	var zero V
	return c.typ.Equal(v, zero)
}

// SetInt64 implements [ColumnOf].
func (c *Column[T, V]) SetInt64(obj *T, id int64) error {
	if c.getNull != nil {
		p := new(V)
		if err := setInt(any(p), id); err != nil {
			return err
		}
		*c.getNull(obj) = p
		return nil
	}
	return setInt(any(c.get(obj)), id)
}

func (c *Column[T, V]) hasDefault() bool { return c.defValue != nil || c.defFunc != nil }

func (c *Column[T, V]) applyDefault(obj *T) {
	switch {
	case c.defValue == nil && c.defFunc == nil:
	case !c.IsZero(obj):
	case c.defFunc != nil:
		c.Set(obj, c.defFunc())
	default:
		c.Set(obj, *c.defValue)
	}
}

func (c *Column[T, V]) stampUpdate(obj, snap *T) bool {
	if c.onUpdate == nil || !c.Equal(obj, snap) {
		return false
	}
	c.Set(obj, c.onUpdate())
	return true
}

func (c *Column[T, V]) onUpdateSet() Assignment[T] { return c.To(c.onUpdate()) }

// Stamps reports whether writes of t's objects set columns the program
// left alone: inserts (a column declared with [Default] whose value is
// Go's, not DefaultSQL's) and updates ([UpdateDefault]). A session keeps
// such objects as they were before a flush, to put them back if it fails.
func (t *Table[T]) Stamps() (onInsert, onUpdate bool) {
	o := t.origin()
	for _, c := range o.cols {
		if c.hasDefault() {
			onInsert = true
			break
		}
	}
	return onInsert, len(o.onUpdate) > 0
}

// ApplyDefaults sets each column of obj declared with [Default] whose
// value is zero to its default, as every insert does. A session calls it
// before it writes a new object over the row of a deleted one with its key
// (an UPDATE).
func (t *Table[T]) ApplyDefaults(obj *T) {
	for _, c := range t.origin().cols {
		c.applyDefault(obj)
	}
}

// ApplyOnUpdate prepares obj for an UPDATE: each column declared with
// UpdateDefault whose value in obj is still the one in snap (the object as it was
// read or last written) is set to its UpdateDefault value. It reports whether it
// set any. A session calls it before it writes an UPDATE of obj.
func (t *Table[T]) ApplyOnUpdate(obj, snap *T) bool {
	set := false
	for _, c := range t.origin().onUpdate {
		if c.stampUpdate(obj, snap) {
			set = true
		}
	}
	return set
}

func (c *Column[T, V]) defaultDDL() string {
	if c.opts.defaultSQL != "" {
		return c.opts.defaultSQL
	}
	if c.defValue == nil {
		return ""
	}
	switch v := any(*c.defValue).(type) {
	case string:
		return quoteLiteral(v)
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return fmt.Sprint(v)
	case Decimal:
		return v.String()
	}
	return ""
}

// References declares that c is a foreign key to the key column pk. It only
// compiles when both columns hold the same Go type (a NULL-able column of V
// may reference a NOT NULL column of V). It returns c, so it can end a
// declaration.
func (c *Column[T, V]) References(pk interface {
	AnyColumn
	ValueType() Type[V]
}, opts ...ForeignKeyOption) *Column[T, V] {
	fk := &ForeignKey{
		Table:      c.table.name,
		Columns:    []string{c.name},
		RefTable:   pk.TableName(),
		RefColumns: []string{pk.Name()},
	}
	for _, o := range opts {
		o(fk)
	}
	c.opts.isFK = true
	t := c.table
	t.fks = append(t.fks, fk)
	if t.auto != nil && t.auto.Name() == c.name {
		t.auto = nil
	}
	return c
}

// References is the function form of [Column.References].
func References[T, P, K any](fk *Column[T, K], pk *Column[P, K], opts ...ForeignKeyOption) *ForeignKey {
	fk.References(pk, opts...)
	fks := fk.table.fks
	return fks[len(fks)-1]
}

// ForeignKey is a foreign-key constraint.
type ForeignKey struct {
	Name       string // empty: <table>_<cols>_fkey
	Table      string
	Columns    []string
	RefTable   string
	RefColumns []string
	OnDelete   string // "", "CASCADE", "SET NULL", "RESTRICT"
	OnUpdate   string
	// Deferred: the constraint is checked at COMMIT, not at each
	// statement (DEFERRABLE INITIALLY DEFERRED).
	Deferred bool
}

// ConstraintName is the constraint's name in DDL.
func (fk *ForeignKey) ConstraintName() string {
	if fk.Name != "" {
		return fk.Name
	}
	return localName(fk.Table) + "_" + strings.Join(fk.Columns, "_") + "_fkey"
}

// ForeignKeyOption configures a foreign key.
type ForeignKeyOption func(*ForeignKey)

// OnDelete sets the referential action on delete: "CASCADE", "SET NULL",
// "SET DEFAULT", "RESTRICT" or "NO ACTION".
func OnDelete(action string) ForeignKeyOption {
	checkAction(action)
	return func(fk *ForeignKey) { fk.OnDelete = action }
}

// Deferred makes the foreign key checked at COMMIT rather than at each
// statement (DEFERRABLE INITIALLY DEFERRED, on both databases), as
// SQLAlchemy's ForeignKey(deferrable=True, initially="DEFERRED"): inside a
// transaction a row may reference one written later, and rows may
// reference each other. A reference still missing at COMMIT fails the
// COMMIT, and the transaction is rolled back.
func Deferred() ForeignKeyOption {
	return func(fk *ForeignKey) { fk.Deferred = true }
}

// OnUpdate sets the referential action on update.
func OnUpdate(action string) ForeignKeyOption {
	checkAction(action)
	return func(fk *ForeignKey) { fk.OnUpdate = action }
}

// ConstraintName names the foreign-key constraint.
func ConstraintName(name string) ForeignKeyOption {
	return func(fk *ForeignKey) { fk.Name = name }
}

func checkAction(a string) {
	switch a {
	case "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION":
		return
	}
	panic(fmt.Sprintf("retort: unknown referential action %q", a))
}

// ColumnOption configures a column at declaration.
type ColumnOption interface{ apply(*columnOptions) }

type autoMode int

const (
	autoDefault autoMode = iota
	autoNever
)

type columnOptions struct {
	primaryKey bool
	unique     bool
	index      bool
	size       int
	defaultSQL string
	pgType     string
	autoInc    autoMode
	isFK       bool
	readOnly   bool   // ReadOnly or Generated: never written
	generated  string // Generated's expression
}

type optionFunc func(*columnOptions)

func (f optionFunc) apply(o *columnOptions) { f(o) }

// PrimaryKey makes the column (part of) the primary key. Declare it on several
// columns for a composite key. A single integer primary key that is not a
// foreign key is generated by the database (see [NoAutoIncrement]).
func PrimaryKey() ColumnOption { return optionFunc(func(o *columnOptions) { o.primaryKey = true }) }

// NoAutoIncrement keeps an integer primary key from being generated: the
// program supplies its values.
func NoAutoIncrement() ColumnOption {
	return optionFunc(func(o *columnOptions) { o.autoInc = autoNever })
}

// Size limits a string column to n characters (a []byte column to n bytes):
// varchar(n) in DDL, and writes of longer values fail before any SQL is sent.
func Size(n int) ColumnOption { return optionFunc(func(o *columnOptions) { o.size = n }) }

// Unique adds a UNIQUE constraint on the column.
func Unique() ColumnOption { return optionFunc(func(o *columnOptions) { o.unique = true }) }

// Indexed adds an index on the column.
func Indexed() ColumnOption { return optionFunc(func(o *columnOptions) { o.index = true }) }

// ReadOnly declares a column the database maintains (a trigger, a
// DEFAULT, a generated column made by a migration): Retort reads it but
// never writes it. INSERTs and UPDATEs leave it out, an assignment to it
// (Set, DoUpdateSet) is a [ColumnError] wrapping [ErrReadOnly], and a
// session reads its value back after each flush that inserts or updates
// the row (one query per table), so that the object shows what the
// database made; a change the program makes to the field is not written
// and is replaced by the database's value. [InsertQuery.Exec] and
// [InsertQuery.Items] do not read it back: query the rows, or use a
// session. It cannot be part of the primary key or have a Go-side default.
func ReadOnly() ColumnOption { return optionFunc(func(o *columnOptions) { o.readOnly = true }) }

// Generated declares a column the database computes from the row's other
// columns, as SQLAlchemy's Computed: CREATE TABLE writes it GENERATED
// ALWAYS AS (expr) STORED (PostgreSQL 12 and later, SQLite 3.31 and
// later), and it is [ReadOnly]. expr is trusted DDL written by the
// programmer, in SQL both databases read when the table is made on both.
//
//	retort.Col(Lines, "total", func(l *Line) *int64 { return &l.Total }, retort.Generated(`"qty" * "price"`))
func Generated(expr string) ColumnOption {
	return optionFunc(func(o *columnOptions) { o.readOnly, o.generated = true, expr })
}

// DefaultSQL sets a server-side DEFAULT expression in DDL, such as
// "CURRENT_TIMESTAMP". It is trusted DDL written by the programmer. Retort
// still writes the field's value on insert; the default serves rows written
// by other programs. To fill a zero field on Retort's inserts too, add
// Default with a value or a function (Default(time.Now)).
func DefaultSQL(expr string) ColumnOption {
	return optionFunc(func(o *columnOptions) { o.defaultSQL = expr })
}

// PGType sets the column's type on PostgreSQL, for a column whose type
// there is not the one Retort gives the Go type: uuid or jsonb for a
// string, inet, citext, a domain. It is used in DDL and in the casts of the
// arrays that carry many rows (unnest) and IN lists; values travel as the
// Go type gives them (a string as text) and the server converts them, as it
// does for one row. SQLite keeps the Go type's own type. name is trusted
// DDL written by the programmer: letters, digits, spaces, underscores,
// dots, commas and parentheses; anything else panics at declaration.
//
//	retort.Col(Orders, "ref", func(o *Order) *string { return &o.Ref }, retort.PGType("uuid"))
func PGType(name string) ColumnOption {
	if !validTypeName(name) {
		panic(fmt.Sprintf("retort: PGType(%q): not a type name", name))
	}
	return optionFunc(func(o *columnOptions) { o.pgType = name })
}

// validTypeName reports whether name can be written into SQL as a type:
// "uuid", "varchar(20)", "numeric(10, 2)", "public.my_domain".
func validTypeName(name string) bool {
	if name == "" || name[0] == ' ' || name[0] == '(' || name[0] >= '0' && name[0] <= '9' {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune(" _.,()", r):
		default:
			return false
		}
	}
	return true
}

type onUpdateOption struct{ value any }

func (onUpdateOption) apply(*columnOptions) {}

// UpdateDefault sets a Go-side value for UPDATEs, as SQLAlchemy's onupdate=
// does (Default is the one for INSERTs): when a session writes an UPDATE of
// an object (because some other column changed) and the program did not
// change this column, the field is set to v first; an Update statement
// that does not Set this column sets it to v too. v is the column's type,
// or a function returning it, called for each UPDATE:
// UpdateDefault(time.Now) keeps a modification time. A mismatch panics at
// declaration. Upserts (OnConflict) do not apply it, as in SQLAlchemy.
func UpdateDefault(v any) ColumnOption { return onUpdateOption{value: v} }

type defaultOption struct{ value any }

func (defaultOption) apply(*columnOptions) {}

// Default sets a Go-side default: when an object is inserted with the field at
// its zero value (or NULL), the field is set to v first, as SQLAlchemy's
// default= does. It is also the column's DEFAULT in DDL. v must have the
// column's type; a mismatch panics at declaration.
//
// v may also be a function returning the column's type, called once for
// each object inserted with the field at its zero value, as SQLAlchemy's
// default= with a callable: Default(time.Now) stamps a creation time, in Go,
// on every insert path. A function has no DDL default (add DefaultSQL for
// rows other programs write).
//
// Because Go cannot tell "not set" from the zero value, an explicit zero is
// replaced too: do not give a bool column Default(true), or a number column a
// default when 0 is a value users will store. Use a NULL-able column for
// those.
func Default(v any) ColumnOption { return defaultOption{value: v} }
