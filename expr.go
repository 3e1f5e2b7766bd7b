package retort

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Expression is anything that renders into a statement: columns, predicates,
// literals, functions. Values are always written as bind parameters.
type Expression interface {
	// WriteSQL writes the expression's SQL text and arguments to w.
	WriteSQL(w *Writer)
}

// Expr is an expression whose values have the Go type V. Columns are Exprs;
// predicates are Expr[bool]. The type parameter is what lets the compiler
// reject UserName.Eq(5) or a string column compared with an int column.
type Expr[V any] interface {
	Expression
	// ValueType is how values of the expression are decoded when selected.
	ValueType() Type[V]
}

// Writer accumulates SQL text and bind arguments for one dialect.
//
// While a statement is written, the Writer knows which tables are in its FROM
// clause (its scope). A qualified name written with [Writer.WriteIdent], '.'
// and [Writer.WriteIdent] again (as columns write themselves) whose qualifier
// is not in scope records an error, so that a predicate on a table missing
// from the FROM clause fails when the statement is built, before any SQL is
// sent.
type Writer struct {
	d    Dialect
	sb   strings.Builder
	args []any
	err  error
	bare bool // write column names without their table
	// renamed: a scope renames a table (WriteCondition); without one,
	// columns write their qualifier as it is.
	renamed bool

	scope      *scope
	lastIdent  string // the identifier just written, while afterIdent
	afterIdent bool
	badQual    string // a qualifier not in scope, reported with the next identifier
	qualBad    bool
}

// scope is the set of names a statement (or subquery) can qualify columns
// with: the references of the sources in its FROM clause.
type scope struct {
	stmt    string   // the statement, for messages: `select "users"`
	refs    []string // table references (aliases or names)
	visible int      // how many of refs are visible; -1: all
	parent  *scope   // the enclosing statement, for correlated subqueries
	outer   *scope   // the scope to restore when this one ends
	// renames maps a table's name to the reference it has in the
	// statement (WriteCondition): columns of the table are qualified by it.
	renames map[string]string
}

func (s *scope) has(ref string) bool {
	for ; s != nil; s = s.parent {
		refs := s.refs
		if s.visible >= 0 && s.visible < len(refs) {
			refs = refs[:s.visible]
		}
		for _, r := range refs {
			if r == ref {
				return true
			}
		}
	}
	return false
}

// joinedLater reports whether ref is in the statement's FROM clause but
// joined after the join condition being written.
func (s *scope) joinedLater(ref string) bool {
	if s.visible < 0 {
		return false
	}
	for _, r := range s.refs[s.visible:] {
		if r == ref {
			return true
		}
	}
	return false
}

// pushScope starts the scope of a statement or subquery. A correlated
// subquery sees the enclosing statement's tables; an isolated one (a derived
// table, a part of a UNION) does not.
func (w *Writer) pushScope(stmt string, isolated bool) {
	s := &scope{stmt: stmt, visible: -1, outer: w.scope}
	if !isolated {
		s.parent = w.scope
	}
	w.scope = s
}

// popScope ends the scope started by the matching pushScope.
func (w *Writer) popScope() { w.scope = w.scope.outer }

// declare adds a source reference to the current scope; a reference already
// there is an error (a table twice in FROM needs an alias).
func (w *Writer) declare(ref string) {
	s := w.scope
	for _, r := range s.refs {
		if r == ref {
			w.SetError(fmt.Errorf("retort: %s: %q appears twice in the FROM clause; use retort.Alias for the second", s.stmt, ref))
			return
		}
	}
	s.refs = append(s.refs, ref)
}

// writeQualifier writes the qualifier of a column of the table referred to
// as ref: ref itself, or, when the innermost scope that knows ref renamed
// it (WriteCondition), the reference it has in the statement.
func (w *Writer) writeQualifier(ref string) {
	for s := w.scope; w.renamed && s != nil; s = s.parent {
		if to, ok := s.renames[ref]; ok {
			w.WriteIdent(to)
			return
		}
		if slices.Contains(s.refs, ref) {
			break
		}
	}
	w.WriteIdent(ref)
}

// WriteCondition writes cond, a condition on the rows of table alone, in a
// statement that refers to table as ref (an alias when the statement has
// the table twice): the columns of table are qualified by ref, and a column
// of any other table (outside a subquery of cond) is an error naming it,
// recorded as SetError does; stmt names the statement in that message.
// Packages that build statements around a caller's condition use it, as
// package rel does for a relationship's conditions ([rel.ToMany.Where]).
func (w *Writer) WriteCondition(stmt, table, ref string, cond Expression) {
	w.pushScope(stmt, true)
	w.declare(ref)
	if local := localName(table); local != ref {
		w.scope.renames = map[string]string{local: ref}
		w.renamed = true
	}
	cond.WriteSQL(w)
	w.popScope()
}

// WriteQuery appends sql, a statement built for w's dialect by another
// Writer (or a query's SQL method), with its bind arguments args. On
// PostgreSQL, whose placeholders are numbered, it must come before any
// other argument of w; after one, it records an error.
func (w *Writer) WriteQuery(sql string, args []any) {
	if w.d == Postgres && len(w.args) > 0 && len(args) > 0 {
		w.SetError(errors.New("retort: WriteQuery after other bind arguments: the query's placeholders would be misnumbered"))
		return
	}
	w.text()
	w.sb.WriteString(sql)
	w.args = append(w.args, args...)
}

// NewWriter returns a Writer for d.
func NewWriter(d Dialect) *Writer {
	// Room for a typical statement: its text then grows at most once or twice.
	w := &Writer{d: d}
	w.sb.Grow(256)
	return w
}

// Dialect is the dialect being written.
func (w *Writer) Dialect() Dialect { return w.d }

// WriteString appends SQL text verbatim. Never pass it values: use WriteArg.
func (w *Writer) WriteString(s string) {
	w.text()
	w.sb.WriteString(s)
}

// WriteByte appends one byte of SQL text. A '.' right after an identifier
// makes that identifier a qualifier, checked against the statement's FROM
// clause.
func (w *Writer) WriteByte(c byte) error {
	if c == '.' && w.afterIdent && w.scope != nil && !w.scope.has(w.lastIdent) {
		w.afterIdent = false
		w.badQual, w.qualBad = w.lastIdent, true
		return w.sb.WriteByte(c)
	}
	w.text()
	return w.sb.WriteByte(c)
}

// WriteIdent appends a quoted identifier.
func (w *Writer) WriteIdent(name string) {
	if w.qualBad {
		w.qualBad = false
		if w.scope.joinedLater(w.badQual) {
			w.SetError(fmt.Errorf("retort: %s: join condition uses column %s.%s, but %q is joined after it",
				w.scope.stmt, QuoteIdent(w.badQual), QuoteIdent(name), w.badQual))
		} else {
			w.SetError(fmt.Errorf("retort: %s: column %s.%s refers to table %q, which is not in the FROM clause (add it with From or Join)",
				w.scope.stmt, QuoteIdent(w.badQual), QuoteIdent(name), w.badQual))
		}
	}
	appendIdent(&w.sb, name)
	w.lastIdent, w.afterIdent = name, true
}

// WriteTable appends a table's quoted name, with its schema if it has
// one (see [QuoteTable]). It is no qualifier: write columns' qualifiers
// with WriteIdent.
func (w *Writer) WriteTable(name string) {
	w.text()
	appendTable(&w.sb, name)
}

// text notes that something other than an identifier was written.
func (w *Writer) text() {
	w.afterIdent = false
	if w.qualBad {
		w.qualBad = false
		w.SetError(fmt.Errorf("retort: %s: table %q is not in the FROM clause (add it with From or Join)", w.scope.stmt, w.badQual))
	}
}

// WriteArg appends a placeholder and records v as its bind argument.
func (w *Writer) WriteArg(v any) {
	w.text()
	w.args = append(w.args, v)
	w.writePlaceholder(len(w.args))
}

func (w *Writer) writePlaceholder(n int) {
	if w.d == Postgres {
		w.sb.WriteByte('$')
		w.sb.WriteString(strconv.Itoa(n))
		return
	}
	w.sb.WriteByte('?')
}

// SetError records err; the first one recorded is returned when the statement
// is built, before any SQL is sent.
func (w *Writer) SetError(err error) {
	if w.err == nil {
		w.err = err
	}
}

// Err returns the first error recorded.
func (w *Writer) Err() error { return w.err }

// String returns the SQL written so far.
func (w *Writer) String() string { return w.sb.String() }

// Args returns the bind arguments written so far.
func (w *Writer) Args() []any { return w.args }

// Write writes e.
func (w *Writer) Write(e Expression) { e.WriteSQL(w) }

// Ordering is an ORDER BY term.
//
// Where NULLs sort differs between the databases: PostgreSQL puts them
// after every value (last in ascending order, first in descending), SQLite
// before every value. [Ordering.NullsFirst] and [Ordering.NullsLast] say
// where they go, the same on both.
type Ordering struct {
	expr  Expression
	desc  bool
	nulls nullsPlace
}

// nullsPlace is where an ordering puts NULLs: the database's default,
// first or last.
type nullsPlace uint8

const (
	_ nullsPlace = iota // the database's default
	nullsFirst
	nullsLast
)

// NullsFirst returns the term with NULLs before every value (NULLS FIRST),
// on both databases.
func (o Ordering) NullsFirst() Ordering { o.nulls = nullsFirst; return o }

// NullsLast returns the term with NULLs after every value (NULLS LAST), on
// both databases.
func (o Ordering) NullsLast() Ordering { o.nulls = nullsLast; return o }

// WriteSQL writes the term.
func (o Ordering) WriteSQL(w *Writer) {
	o.expr.WriteSQL(w)
	if o.desc {
		w.WriteString(" DESC")
	}
	switch o.nulls {
	case nullsFirst:
		w.WriteString(" NULLS FIRST")
	case nullsLast:
		w.WriteString(" NULLS LAST")
	}
}

// Asc orders by the column ascending.
func (c *Column[T, V]) Asc() Ordering { return Ordering{expr: c} }

// Desc orders by the column descending.
func (c *Column[T, V]) Desc() Ordering { return Ordering{expr: c, desc: true} }

// Asc orders by e ascending.
func Asc(e Expression) Ordering { return Ordering{expr: e} }

// Desc orders by e descending.
func Desc(e Expression) Ordering { return Ordering{expr: e, desc: true} }

// boolType is the Type of predicates.
var boolType, _ = DefaultType[bool]()

// pred is a predicate written by a function.
type pred func(w *Writer)

func (p pred) WriteSQL(w *Writer)  { p(w) }
func (pred) ValueType() Type[bool] { return boolType }
func (p pred) String() string      { return "predicate" }
func (pred) grouped() bool         { return true }

// predOf is a predicate that knows the table of its first column, so that a
// projection of it can find its FROM clause.
func predOf(src Source, write func(w *Writer)) Expr[bool] {
	return expr[bool]{typ: boolType, write: write, src: src, group: true}
}

// exprs converts predicates to expressions.
func exprs(ps []Expr[bool]) []Expression {
	out := make([]Expression, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out
}
func writeParen(w *Writer, e Expression) {
	w.WriteByte('(')
	e.WriteSQL(w)
	w.WriteByte(')')
}

func (c *Column[T, V]) compare(op string, v V) Expr[bool] {
	return predOf(c.table, func(w *Writer) {
		c.WriteSQL(w)
		w.WriteString(op)
		a, err := c.arg(w.d, v)
		if err != nil {
			w.SetError(err)
		}
		w.WriteArg(a)
	})
}

// Eq is column = v.
func (c *Column[T, V]) Eq(v V) Expr[bool] { return c.compare(" = ", v) }

// Ne is column <> v.
func (c *Column[T, V]) Ne(v V) Expr[bool] { return c.compare(" <> ", v) }

// Lt is column < v.
func (c *Column[T, V]) Lt(v V) Expr[bool] { return c.compare(" < ", v) }

// Le is column <= v.
func (c *Column[T, V]) Le(v V) Expr[bool] { return c.compare(" <= ", v) }

// Gt is column > v.
func (c *Column[T, V]) Gt(v V) Expr[bool] { return c.compare(" > ", v) }

// Ge is column >= v.
func (c *Column[T, V]) Ge(v V) Expr[bool] { return c.compare(" >= ", v) }

// Between is column BETWEEN lo AND hi.
func (c *Column[T, V]) Between(lo, hi V) Expr[bool] {
	return predOf(c.table, func(w *Writer) {
		c.WriteSQL(w)
		w.WriteString(" BETWEEN ")
		for i, v := range [2]V{lo, hi} {
			if i == 1 {
				w.WriteString(" AND ")
			}
			a, err := c.arg(w.d, v)
			if err != nil {
				w.SetError(err)
			}
			w.WriteArg(a)
		}
	})
}

// In is column IN (vs...). On PostgreSQL it is written = ANY($1) with one
// array parameter, so the statement text does not depend on len(vs). On
// SQLite each value is a variable, but a list of 10,000 values or more
// (SQLite allows 32,766 variables) of integers or strings goes as one JSON
// array read by json_each. An empty list matches nothing.
func (c *Column[T, V]) In(vs ...V) Expr[bool] { return c.in(false, vs) }

// NotIn is column NOT IN (vs...). An empty list matches every row.
func (c *Column[T, V]) NotIn(vs ...V) Expr[bool] { return c.in(true, vs) }

func (c *Column[T, V]) in(not bool, vs []V) Expr[bool] {
	return predOf(c.table, func(w *Writer) {
		if len(vs) == 0 {
			if not {
				w.WriteString("1 = 1")
			} else {
				w.WriteString("1 = 0")
			}
			return
		}
		args := make([]any, len(vs))
		for i, v := range vs {
			a, err := c.arg(w.d, v)
			if err != nil {
				w.SetError(err)
			}
			args[i] = a
		}
		c.WriteSQL(w)
		if w.d == Postgres {
			// A list of values pgx cannot encode as the column's type (an
			// enum) says its type; others take the column's.
			if info := c.Info(); info.castFromText() {
				if not {
					w.WriteString(" <> ALL(")
				} else {
					w.WriteString(" = ANY(")
				}
				w.WriteArg(args)
				w.WriteString("::" + info.ArrayCast() + ")")
				return
			}
		}
		writeInList(w, not, args)
	})
}

// WriteIn writes, after a left operand, its test for membership in vs: on
// PostgreSQL " = ANY($n)" with vs as one array parameter (the text does not
// depend on len(vs)), elsewhere " IN (?, ?, ...)". vs must not be empty.
func (w *Writer) WriteIn(vs []any) { writeInList(w, false, vs) }

// writeInList writes " = ANY($n)" / " IN (?, ?)" after the left operand.
func writeInList(w *Writer, not bool, args []any) {
	if w.d == Postgres {
		if not {
			w.WriteString(" <> ALL(")
		} else {
			w.WriteString(" = ANY(")
		}
		w.WriteArg(args)
		w.WriteByte(')')
		return
	}
	if not {
		w.WriteString(" NOT IN (")
	} else {
		w.WriteString(" IN (")
	}
	if len(args) >= sqliteJSONIn {
		if list, ok := jsonList(args); ok {
			w.WriteString(`SELECT "value" FROM json_each(`)
			w.WriteArg(list)
			w.WriteString("))")
			return
		}
	}
	for i, a := range args {
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteArg(a)
	}
	w.WriteByte(')')
}

// sqliteJSONIn is the shortest list that SQLite's IN receives as one JSON
// array (json_each) rather than one variable a value: SQLite allows 32,766
// variables in a statement, and a list that long is slow to compile.
const sqliteJSONIn = 10000

// jsonList writes vs as a JSON array when every value is an integer or a
// string that JSON carries unchanged (valid UTF-8 without NUL), the kinds
// SQLite's json_each gives back as the same INTEGER or TEXT a bound value
// would be; ok is false otherwise.
func jsonList(vs []any) (list string, ok bool) {
	b := make([]byte, 0, 8*len(vs))
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		switch x := v.(type) {
		case uint64, uint:
			return "", false // may exceed int64: JSON would give SQLite a REAL
		case string:
			if !utf8.ValidString(x) || strings.IndexByte(x, 0) >= 0 {
				return "", false
			}
			b = appendJSONString(b, x)
		default:
			var ok bool
			if b, ok = appendInteger(b, v); !ok {
				return "", false
			}
		}
	}
	return string(append(b, ']')), true
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, the rest as it is (s is valid UTF-8).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// IsNull is column IS NULL.
func (c *Column[T, V]) IsNull() Expr[bool] {
	return predOf(c.table, func(w *Writer) { c.WriteSQL(w); w.WriteString(" IS NULL") })
}

// IsNotNull is column IS NOT NULL.
func (c *Column[T, V]) IsNotNull() Expr[bool] {
	return predOf(c.table, func(w *Writer) { c.WriteSQL(w); w.WriteString(" IS NOT NULL") })
}

// EqCol is column = other, for join conditions; both sides must hold the same
// Go type.
func (c *Column[T, V]) EqCol(other Expr[V]) Expr[bool] {
	return predOf(c.table, func(w *Writer) { c.WriteSQL(w); w.WriteString(" = "); other.WriteSQL(w) })
}

// And is the conjunction of ps; with none it is true.
func And(ps ...Expr[bool]) Expr[bool] { return junction(" AND ", "1 = 1", ps) }

// Or is the disjunction of ps; with none it is false.
func Or(ps ...Expr[bool]) Expr[bool] { return junction(" OR ", "1 = 0", ps) }

func junction(op, empty string, ps []Expr[bool]) Expr[bool] {
	return predOf(sourceOf(exprs(ps)...), func(w *Writer) {
		if len(ps) == 0 {
			w.WriteString(empty)
			return
		}
		if len(ps) == 1 {
			ps[0].WriteSQL(w)
			return
		}
		for i, p := range ps {
			if i > 0 {
				w.WriteString(op)
			}
			writeParen(w, p)
		}
	})
}

// Not negates p.
func Not(p Expr[bool]) Expr[bool] {
	return predOf(sourceOf(p), func(w *Writer) { w.WriteString("NOT "); writeParen(w, p) })
}

// Like is e LIKE pattern, case-sensitive on both databases (Retort turns on
// SQLite's case_sensitive_like). It only compiles for string-like
// expressions. Use [EscapeLike] to match user text literally.
func Like[S ~string](e Expr[S], pattern string) Expr[bool] {
	return predOf(sourceOf(e), func(w *Writer) {
		writeOperand(w, e)
		w.WriteString(" LIKE ")
		writePattern(w, e, pattern)
		w.WriteString(` ESCAPE '\'`)
	})
}

// NotLike is e NOT LIKE pattern.
func NotLike[S ~string](e Expr[S], pattern string) Expr[bool] {
	return Not(Like(e, pattern))
}

// ILike is a case-insensitive LIKE: ILIKE on PostgreSQL, LIKE over lower() of
// both sides on SQLite.
func ILike[S ~string](e Expr[S], pattern string) Expr[bool] {
	return predOf(sourceOf(e), func(w *Writer) {
		if w.d == Postgres {
			writeOperand(w, e)
			w.WriteString(" ILIKE ")
			writePattern(w, e, pattern)
		} else {
			w.WriteString("lower(")
			e.WriteSQL(w)
			w.WriteString(") LIKE lower(")
			writePattern(w, e, pattern)
			w.WriteString(")")
		}
		w.WriteString(` ESCAPE '\'`)
	})
}

// writePattern writes a LIKE pattern as a parameter. PostgreSQL's text
// cannot carry a NUL or invalid UTF-8: such a pattern is refused as the
// column's values are (a ColumnError when e is a column); SQLite takes it.
// A pattern ending in a lone escape character is refused on both.
func writePattern(w *Writer, e any, pattern string) {
	if w.d == Postgres {
		if err := textError(pattern); err != nil {
			w.SetError(patternError(e, pattern, err))
		}
	}
	if n := len(pattern) - len(strings.TrimRight(pattern, `\`)); n%2 == 1 {
		// PostgreSQL refuses it when the query runs; SQLite matched
		// nothing. Both are held to an error before anything is sent.
		w.SetError(patternError(e, pattern, errLikeEscape))
	}
	w.WriteArg(pattern)
}

var errLikeEscape = errors.New(`the LIKE pattern ends with the escape character \ (write \\ for a backslash; EscapeLike does)`)

// patternError is err about a LIKE pattern: a ColumnError when e is a column.
func patternError(e any, pattern string, err error) error {
	if c, ok := e.(AnyColumn); ok {
		return &ColumnError{Table: c.TableName(), Column: c.Name(), Value: pattern, Err: err}
	}
	return fmt.Errorf("retort: LIKE pattern %q: %w", pattern, err)
}

// EscapeLike escapes %, _ and \ in s so that it matches itself in a LIKE
// pattern.
func EscapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// Raw is a predicate written as trusted SQL with ? placeholders for args,
// which are bind parameters: Raw("lower(name) = ?", "bob"). See [SQL] for
// expressions of other types.
func Raw(sql string, args ...any) Expr[bool] {
	return pred(func(w *Writer) { writeRaw(w, sql, args) })
}
