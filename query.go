package retort

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/retort-orm/retort/internal/pgseq"
)

// tableSQL is the SQL of a table that does not depend on a query: built once
// per dialect and reused by every statement.
type tableSQL struct {
	columns    []string // column names in declaration order
	selectList string   // "t"."a", "t"."b"
	from       string   // "t" or "t" AS "alias"
	insert     string   // the batch INSERT statement
	insertHead string   // insert up to where ON CONFLICT goes
	// insertHeadGen is insertHead for rows whose generated keys are all
	// drawn by the statement (OVERRIDING SYSTEM VALUE, see insertCTE).
	insertHeadGen string
	insertIsRow   bool // insert takes one row's values (SQLite)
	// insertGen is PostgreSQL's batch INSERT for rows whose generated keys
	// are all still to be drawn (see insertGenSQL). Empty without a
	// generated key.
	insertGen string
	// PostgreSQL's INSERT of one row: VALUES, without the generated key
	// column and RETURNING it (or every column when the table has no
	// generated key); insertOneKeyed has every column, for a row whose key
	// is given.
	insertOne      string
	insertOneKeyed string
	multi          sync.Map // SQLite's multi-row INSERTs by row count (mapping.go)
}

func (t *Table[T]) sql(d Dialect) *tableSQL {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.cache[d]; s != nil {
		return s
	}
	o := t.origin()
	o.used.Store(true)
	s := &tableSQL{}
	w := NewWriter(d)
	for i, c := range o.cols {
		s.columns = append(s.columns, c.Name())
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteIdent(t.ref())
		w.WriteByte('.')
		w.WriteIdent(c.Name())
	}
	s.selectList = w.String()
	s.from = QuoteTable(t.name)
	if t.alias != "" {
		s.from += " AS " + QuoteIdent(t.alias)
	}
	if t == o {
		s.insert, s.insertHead, s.insertIsRow = o.insertSQL(d)
		if d == Postgres {
			s.insertOne, s.insertOneKeyed = o.insertOneSQL()
			if o.auto != nil {
				s.insertGen = o.insertGenSQL()
				_, s.insertHeadGen = o.insertCTE(true)
			}
		}
	}
	t.cache[d] = s
	return s
}

// SelectQuery is a SELECT of whole objects of T. Its methods return a new
// query, so a query can be kept and refined.
type SelectQuery[T any] struct {
	t    *Table[T]
	core selectCore
}

// Select starts a query for objects of t.
func Select[T any](t *Table[T]) *SelectQuery[T] {
	return &SelectQuery[T]{t: t, core: selectCore{from: t, limit: -1}}
}

func (q *SelectQuery[T]) clone() *SelectQuery[T] {
	return &SelectQuery[T]{t: q.t, core: q.core.clone()}
}

// Table is the queried table.
func (q *SelectQuery[T]) Table() *Table[T] { return q.t }

// Where adds conditions, joined with AND.
func (q *SelectQuery[T]) Where(conds ...Expr[bool]) *SelectQuery[T] {
	c := q.clone()
	c.core.where = append(c.core.where, conds...)
	return c
}

// OrderBy adds ORDER BY terms.
func (q *SelectQuery[T]) OrderBy(terms ...Ordering) *SelectQuery[T] {
	c := q.clone()
	c.core.order = append(c.core.order, terms...)
	return c
}

// Limit sets LIMIT n.
func (q *SelectQuery[T]) Limit(n int64) *SelectQuery[T] {
	c := q.clone()
	c.core.limit = n
	return c
}

// Offset sets OFFSET n.
func (q *SelectQuery[T]) Offset(n int64) *SelectQuery[T] {
	c := q.clone()
	c.core.offset = n
	return c
}

// SQL compiles the query for d.
func (q *SelectQuery[T]) SQL(d Dialect) (string, []any, error) {
	w := NewWriter(d)
	q.write(w)
	return w.String(), w.Args(), w.Err()
}

func (q *SelectQuery[T]) write(w *Writer) {
	q.core.write(w, false, q.writeList)
}

// writeList writes the table's columns, qualified by its name or alias.
func (q *SelectQuery[T]) writeList(w *Writer) { w.WriteString(q.t.sql(w.d).selectList) }

// writeSubquery writes the query nested in another statement (EXISTS): its
// select list does not matter, so it is 1.
func (q *SelectQuery[T]) writeSubquery(w *Writer) {
	q.core.write(w, false, func(w *Writer) { w.WriteString("1") })
}

func writeWhere(w *Writer, where []Expr[bool]) {
	if len(where) == 0 {
		return
	}
	w.WriteString(" WHERE ")
	if len(where) == 1 {
		where[0].WriteSQL(w)
		return
	}
	And(where...).WriteSQL(w)
}

// All runs the query and returns every object.
func (q *SelectQuery[T]) All(ctx context.Context, db DB) ([]*T, error) {
	var out []*T
	for obj, err := range q.Iter(ctx, db) {
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, nil
}

// One runs the query and returns its only object: an error matching
// [ErrNoRows] when there is none, [ErrTooManyRows] when there are several.
func (q *SelectQuery[T]) One(ctx context.Context, db DB) (*T, error) {
	var found *T
	for obj, err := range q.Iter(ctx, db) {
		if err != nil {
			return nil, err
		}
		if found != nil {
			return nil, fmt.Errorf("retort: select one %q: %w", q.t.name, ErrTooManyRows)
		}
		found = obj
	}
	if found == nil {
		return nil, fmt.Errorf("retort: select one %q: %w", q.t.name, ErrNoRows)
	}
	return found, nil
}

// First runs the query with LIMIT 1 and returns the object, or an error
// matching [ErrNoRows].
func (q *SelectQuery[T]) First(ctx context.Context, db DB) (*T, error) {
	for obj, err := range q.Limit(1).Iter(ctx, db) {
		return obj, err
	}
	return nil, fmt.Errorf("retort: select first %q: %w", q.t.name, ErrNoRows)
}

// Count returns the number of rows the query matches (with joins, the number
// of joined rows unless the query is Distinct). ORDER BY and locking are left
// out.
func (q *SelectQuery[T]) Count(ctx context.Context, db DB) (int64, error) {
	w := NewWriter(db.Dialect())
	core := q.core.clone()
	core.order, core.lock = nil, lockClause{}
	if core.limit >= 0 || core.offset > 0 || core.distinct {
		w.WriteString("SELECT count(*) FROM (")
		core.write(w, true, func(w *Writer) {
			if core.distinct {
				q.writeList(w)
			} else {
				w.WriteString("1 AS one")
			}
		})
		w.WriteString(") AS sub")
	} else {
		core.write(w, false, func(w *Writer) { w.WriteString("count(*)") })
	}
	if err := w.Err(); err != nil {
		return 0, err
	}
	rows, err := db.Query(ctx, w.String(), w.Args()...)
	if err != nil {
		return 0, fmt.Errorf("retort: count %q: %w", q.t.name, err)
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("retort: count %q: %w", q.t.name, err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("retort: count %q: %w", q.t.name, err)
	}
	return n, nil
}

// Iter runs the query and yields objects one at a time, for results too large
// to hold in memory. Stopping the loop early closes the result. An error is
// yielded once, as the last pair.
//
// While the loop runs on a transaction, that transaction refuses writes
// and Commit with ErrRowsOpen (on PostgreSQL, every statement), sending
// nothing; a Rollback ends the loop with an error. Run on a DB, the loop
// holds a connection of its own and other statements use others.
func (q *SelectQuery[T]) Iter(ctx context.Context, db DB) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		sqlText, args, err := q.SQL(db.Dialect())
		if err != nil {
			yield(nil, err)
			return
		}
		rows, err := db.Query(ctx, sqlText, args...)
		if err != nil {
			yield(nil, stmtError("select", q.t.name, err))
			return
		}
		defer rows.Close()
		s := q.t.sql(db.Dialect())
		cols := q.t.origin().cols
		dests := make([]any, len(cols))
		for rows.Next() {
			obj := new(T)
			for i, c := range cols {
				dests[i] = c.rebind(dests[i], obj)
			}
			if err := rows.Scan(dests...); err != nil {
				yield(nil, columnScanError(q.t.name, s.columns, err))
				return
			}
			if !yield(obj, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(nil, stmtError("select", q.t.name, err))
		}
	}
}

// InsertQuery inserts objects of T.
type InsertQuery[T any] struct {
	t        *Table[T]
	objs     []*T
	conflict *conflict[T] // ON CONFLICT, or nil
}

// Insert prepares an INSERT of objs into t. Run it with Exec.
func Insert[T any](t *Table[T], objs ...*T) *InsertQuery[T] {
	return &InsertQuery[T]{t: t.origin(), objs: objs}
}

// pgInsertChunk is how many rows one PostgreSQL INSERT carries. Arrays have no
// bind-parameter limit; the chunk bounds memory and statement size.
const pgInsertChunk = 5000

// insertSQL builds the table's batch INSERT for d.
//
// PostgreSQL: the rows travel as one array per column and are unnested, so the
// statement text is the same for any number of rows. When the table has a
// generated key, this statement is for rows of which some carry their own
// key: the missing keys are drawn from the sequence in a CTE that also
// carries each row's ordinal, and the statement returns (ordinal, key)
// pairs (see insertCTE). Rows whose keys are all to be generated go by
// insertGenSQL instead.
//
// SQLite: a single-row INSERT, from which Items and Exec make multi-row
// VALUES statements (see sqliteMultiRow); a single row's generated key comes
// from last_insert_rowid().
//
// It also returns the statement's head: the INSERT up to where an ON CONFLICT
// clause goes (see [InsertQuery.OnConflict]).
func (t *Table[T]) insertSQL(d Dialect) (insert, head string, isRow bool) {
	var b strings.Builder
	cols := t.writes
	if d == SQLite {
		b.WriteString("INSERT INTO ")
		appendTable(&b, t.name)
		b.WriteString(" (")
		for i, c := range cols {
			if i > 0 {
				b.WriteString(", ")
			}
			appendIdent(&b, c.Name())
		}
		b.WriteString(") VALUES (")
		for i := range cols {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
		}
		b.WriteString(")")
		return b.String(), b.String(), true
	}
	unnest := func() {
		b.WriteString("unnest(")
		for i, c := range cols {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("$" + strconv.Itoa(i+1) + "::" + c.Info().ArrayCast())
		}
		b.WriteString(")")
	}
	if t.auto == nil {
		b.WriteString("INSERT INTO ")
		appendTable(&b, t.name)
		b.WriteString(" (")
		for i, c := range cols {
			if i > 0 {
				b.WriteString(", ")
			}
			appendIdent(&b, c.Name())
		}
		b.WriteString(") SELECT * FROM ")
		unnest()
		return b.String(), b.String(), false
	}
	insert, head = t.insertCTE(false)
	return insert, head, false
}

// insertCTE builds PostgreSQL's batch INSERT for a table with a generated
// key where some rows may carry their own key, and its head (up to where ON
// CONFLICT goes). One CTE unnests the rows and draws the missing keys; it is
// materialized, so each row's key is drawn once and the INSERT and the
// (ordinal, key) pairs returned read the same rows. Keys are matched to
// objects by ordinal, never by trusting the order of RETURNING rows. The
// key column travels as an array like the others and a given key is kept
// (COALESCE). The sequence is looked up once (an uncorrelated subquery runs
// once, as an InitPlan); pg_get_serial_sequence per row cost 5-8x more. Its
// table and column are the statement's last two parameters.
//
// With drawn, every key is drawn here and the INSERT says OVERRIDING SYSTEM
// VALUE, so that a key column GENERATED ALWAYS AS IDENTITY takes the value
// drawn from its own sequence (PostgreSQL refuses any value but DEFAULT
// there otherwise, and INSERT ... SELECT cannot say DEFAULT). Without it,
// a key given by the program still meets PostgreSQL's refusal, as in the
// one-row INSERT.
func (t *Table[T]) insertCTE(drawn bool) (insert, head string) {
	var b strings.Builder
	key := QuoteIdent(t.auto.Name())
	b.WriteString(`WITH "v" AS MATERIALIZED (SELECT `)
	t.writeSelectList(&b, "u", `COALESCE("u".`+key+", "+t.nextval(len(t.writes))+") AS "+key)
	b.WriteString(`, "u"."retort_ord" FROM `)
	t.writeUnnest(&b, nil)
	b.WriteString(`), "i" AS (INSERT INTO `)
	appendTable(&b, t.name)
	b.WriteString(" (")
	t.writeColumns(&b, nil)
	b.WriteString(") ")
	if drawn {
		b.WriteString(overriding)
	}
	b.WriteString("SELECT ")
	t.writeSelectList(&b, "v", "")
	b.WriteString(` FROM "v"`)
	head = b.String()
	b.WriteString(` RETURNING 1) SELECT "v"."retort_ord", "v".` + key + ` FROM "v"`)
	return b.String(), head
}

// insertGenSQL builds PostgreSQL's batch INSERT for rows whose generated
// keys are all still to be drawn: the key column is left out of the arrays
// and drawn by nextval alone, in the order of the rows' ordinals, and the
// statement returns the keys only. The select list is evaluated in ORDER BY
// order (PostgreSQL's SELECT reference, since 9.6: output expressions not
// used by ORDER BY are evaluated after the sort; here the planner needs no
// sort at all, unnest WITH ORDINALITY being ordered already), so the keys
// ascend with the ordinals and are matched to the objects by sorting them
// (sortedKeys), as the COPY path does with keys drawn ahead (pgCopyItems)
// and SQLAlchemy's "insertmanyvalues" does for SERIAL keys. That assumes
// the sequence ascends, as serial and identity sequences do by default.
// Against the materialized CTE of insertCTE it costs the server about 60 us
// less per 100 rows of three columns (BENCHMARKS.md, item 35). The
// sequence's table and column are the statement's last two parameters. It
// overrides the system value, as insertCTE does when every key is drawn.
func (t *Table[T]) insertGenSQL() string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	appendTable(&b, t.name)
	b.WriteString(" (")
	t.writeColumns(&b, nil)
	b.WriteString(") " + overriding + "SELECT ")
	// The arrays are $1 and on, one per column but the key; a table whose
	// only column is the key sends the row count instead (one parameter).
	t.writeSelectList(&b, "u", t.nextval(max(len(t.writes)-1, 1)))
	b.WriteString(" FROM ")
	t.writeUnnest(&b, t.auto)
	b.WriteString(` ORDER BY "u"."retort_ord" RETURNING `)
	appendIdent(&b, t.auto.Name())
	return b.String()
}

// writeSelectList writes t's columns qualified by alias, in declaration
// order; key, when not empty, stands in for the generated key's column.
func (t *Table[T]) writeSelectList(b *strings.Builder, alias, key string) {
	for i, c := range t.writes {
		if i > 0 {
			b.WriteString(", ")
		}
		if key != "" && c == t.auto {
			b.WriteString(key)
			continue
		}
		appendIdent(b, alias)
		b.WriteByte('.')
		appendIdent(b, c.Name())
	}
}

// overriding lets an INSERT write the keys it draws with nextval into a key
// column GENERATED ALWAYS AS IDENTITY; other columns ignore it
// (PostgreSQL 10 and later).
const overriding = "OVERRIDING SYSTEM VALUE "

// nextval is the expression drawing one key from the sequence of t's
// generated key, whose table and column are parameters n+1 and n+2 (see
// pgseq.Nextval).
func (t *Table[T]) nextval(n int) string { return pgseq.Nextval(n+1, n+2) }

// writeUnnest writes the unnest of one array parameter per column of t but
// skip, numbered from $1, WITH ORDINALITY AS "u" (columns..., "retort_ord").
// When skip is t's only column, there is no array: $1 is the number of
// rows, counted by generate_series.
func (t *Table[T]) writeUnnest(b *strings.Builder, skip ColumnOf[T]) {
	if len(t.writes) == 1 && t.writes[0] == skip {
		b.WriteString(`generate_series(1, $1::bigint) AS "u" ("retort_ord")`)
		return
	}
	b.WriteString("unnest(")
	n := 0
	for _, c := range t.writes {
		if c == skip {
			continue
		}
		if n > 0 {
			b.WriteString(", ")
		}
		n++
		b.WriteString("$" + strconv.Itoa(n) + "::" + c.Info().ArrayCast())
	}
	b.WriteString(`) WITH ORDINALITY AS "u" (`)
	for _, c := range t.writes {
		if c != skip {
			appendIdent(b, c.Name())
			b.WriteString(", ")
		}
	}
	b.WriteString(`"retort_ord")`)
}

// insertOneSQL builds PostgreSQL's single-row INSERT statements: a plain
// INSERT ... VALUES costs the server less than unnesting arrays in a CTE.
// With a generated key, the first leaves the key column out (its default
// draws the key) and returns the key; the second names every column, for a
// row whose key is given.
func (t *Table[T]) insertOneSQL() (one, keyed string) {
	build := func(skipAuto bool) string {
		var b strings.Builder
		b.WriteString("INSERT INTO ")
		appendTable(&b, t.name)
		b.WriteString(" (")
		var skip ColumnOf[T]
		if skipAuto {
			skip = t.auto
		}
		n := t.writeColumns(&b, skip)
		b.WriteString(") VALUES (")
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("$" + strconv.Itoa(i+1))
		}
		b.WriteString(")")
		if n == 0 { // the key is the only column
			b.Reset()
			b.WriteString("INSERT INTO ")
			appendTable(&b, t.name)
			b.WriteString(" DEFAULT VALUES")
		}
		if skipAuto {
			b.WriteString(" RETURNING ")
			appendIdent(&b, t.auto.Name())
		}
		return b.String()
	}
	if t.auto == nil {
		return build(false), ""
	}
	return build(true), build(false)
}

// oneRow returns PostgreSQL's statement for inserting the single encoded
// row r, its arguments, and whether it returns a generated key.
func (q *InsertQuery[T]) oneRow(s *tableSQL, r []any) (string, []any, bool) {
	t := q.t
	if t.auto == nil {
		return s.insertOne, r, false
	}
	ai := indexOf(t.writes, t.auto)
	if r[ai] != nil {
		return s.insertOneKeyed, r, false
	}
	args := make([]any, 0, len(r)-1)
	args = append(args, r[:ai]...)
	return s.insertOne, append(args, r[ai+1:]...), true
}

// single reports whether the PostgreSQL insert of n rows uses the one-row
// statement.
func (q *InsertQuery[T]) single(s *tableSQL, n int) bool {
	return n == 1 && !s.insertIsRow && q.conflict == nil
}

// SQL returns the statement Exec sends for several rows (for the first chunk
// of rows, on PostgreSQL: the arrays of every column; for the first row, on
// SQLite). It holds for any rows; on PostgreSQL, Exec and Items send
// cheaper statements where they can: a plain INSERT ... VALUES for a single
// row, and a statement without the array of keys for a chunk of rows whose
// generated keys are all still to be drawn (see Items for both). When every
// generated key is to be drawn, the statements they send (upserts too) say
// OVERRIDING SYSTEM VALUE, so that a key column GENERATED ALWAYS AS
// IDENTITY takes the keys drawn from its sequence.
func (q *InsertQuery[T]) SQL(d Dialect) (string, []any, error) {
	s := q.t.sql(d)
	rows, err := q.encode()
	if err != nil {
		return "", nil, err
	}
	if q.conflict != nil {
		return q.conflictSQL(d, rows)
	}
	if len(rows) == 0 {
		return s.insert, nil, nil
	}
	if s.insertIsRow {
		return s.insert, rows[0], nil
	}
	args, err := q.pgArgs(q.objs[:min(len(rows), pgInsertChunk)], false)
	return s.insert, args, err
}

// prepare checks that no object is nil and applies Go defaults.
func (q *InsertQuery[T]) prepare() error {
	var defaults []ColumnOf[T]
	for _, c := range q.t.cols {
		if c.hasDefault() {
			defaults = append(defaults, c)
		}
	}
	for i, obj := range q.objs {
		if obj == nil {
			return stmtError("insert", q.t.name, fmt.Errorf("object %d is nil", i))
		}
		for _, c := range defaults {
			c.applyDefault(obj)
		}
	}
	return nil
}

// encode applies Go defaults and encodes every value of every object, so that
// a bad value is reported before any SQL is sent.
func (q *InsertQuery[T]) encode() ([][]any, error) {
	cols := q.t.writes
	rows := make([][]any, len(q.objs))
	flat := make([]any, len(q.objs)*len(cols))
	for i, obj := range q.objs {
		if obj == nil {
			return nil, stmtError("insert", q.t.name, fmt.Errorf("object %d is nil", i))
		}
		row := flat[i*len(cols) : (i+1)*len(cols) : (i+1)*len(cols)]
		for j, c := range cols {
			c.applyDefault(obj)
			if c == q.t.auto && c.IsZero(obj) {
				continue // NULL: the database generates it
			}
			v, err := c.Bind(obj)
			if err != nil {
				return nil, stmtError("insert", q.t.name, err)
			}
			row[j] = v
		}
		rows[i] = row
	}
	return rows, nil
}

// pgArgs returns the parameters of PostgreSQL's insert of objs (prepared):
// one array per column, an array literal where the values have a text form
// (see appendArray), and the table and key column names for the sequence.
// Every value is checked first.
//
// With gen (see insertGen), the key column is left out: every key of objs
// is to be generated. A table whose only column is its key then sends the
// number of rows instead of arrays.
func (q *InsertQuery[T]) pgArgs(objs []*T, gen bool) ([]any, error) {
	t := q.t
	cols := t.writes
	args := make([]any, 0, len(cols)+2)
	var buf []byte
	for _, c := range cols {
		auto := c == t.auto
		if auto && gen {
			continue
		}
		var ok bool
		var err error
		buf, ok, err = c.appendArray(buf[:0], objs, auto)
		if err != nil {
			return nil, stmtError("insert", t.name, err)
		}
		if ok {
			args = append(args, string(buf))
			continue
		}
		arr := make([]any, len(objs))
		for i, obj := range objs {
			if auto && c.IsZero(obj) {
				continue // NULL: the database generates it
			}
			v, err := c.Bind(obj)
			if err != nil {
				return nil, stmtError("insert", t.name, err)
			}
			arr[i] = v
		}
		args = append(args, arr)
	}
	if gen && len(cols) == 1 && cols[0] == t.auto { // no arrays: the row count (see writeUnnest)
		args = append(args, int64(len(objs)))
	}
	if t.auto != nil {
		args = append(args, QuoteTable(t.name), t.auto.Name())
	}
	return args, nil
}

// pgChunk is one statement of PostgreSQL's insert of many rows.
type pgChunk struct {
	sql  string
	args []any
	gen  bool // insertGen: the statement returns the keys only, ascending
}

// pgChunks returns PostgreSQL's insert of q's objects (prepared), one
// statement per chunk of rows: insertGen when every key of the chunk is to
// be generated, insert otherwise.
func (q *InsertQuery[T]) pgChunks(s *tableSQL) ([]pgChunk, error) {
	out := make([]pgChunk, 0, (len(q.objs)+pgInsertChunk-1)/pgInsertChunk)
	for start := 0; start < len(q.objs); start += pgInsertChunk {
		objs := q.objs[start:min(len(q.objs), start+pgInsertChunk)]
		gen := s.insertGen != "" && q.allGenerated(objs)
		args, err := q.pgArgs(objs, gen)
		if err != nil {
			return nil, err
		}
		c := pgChunk{sql: s.insert, args: args, gen: gen}
		if gen {
			c.sql = s.insertGen
		}
		out = append(out, c)
	}
	return out, nil
}

// allGenerated reports whether every object of objs has a zero generated key.
func (q *InsertQuery[T]) allGenerated(objs []*T) bool {
	for _, o := range objs {
		if !q.t.auto.IsZero(o) {
			return false
		}
	}
	return true
}

// Exec inserts the objects and writes generated keys back into them. Several
// statements run in one transaction (a savepoint if db is one). If it fails,
// nothing is inserted and generated keys written so far are cleared.
func (q *InsertQuery[T]) Exec(ctx context.Context, db DB) (err error) {
	if len(q.objs) == 0 {
		return nil
	}
	t := q.t
	d := db.Dialect()
	s := t.sql(d)
	// Every value is checked and encoded before any SQL is sent.
	var rows [][]any
	var chunks []pgChunk
	var copied []BatchItem // PostgreSQL's COPY of many rows
	if s.insertIsRow || q.conflict != nil || q.single(s, len(q.objs)) {
		rows, err = q.encode()
	} else if err = q.prepare(); err == nil {
		ok := false
		if len(q.objs) >= pgCopyMinRows {
			copied, ok, err = q.pgCopyItems(s)
		}
		if err == nil && !ok {
			chunks, err = q.pgChunks(s)
		}
	}
	if err != nil {
		return err
	}
	if t.auto != nil {
		var generated []*T
		for _, obj := range q.objs {
			if t.auto.IsZero(obj) {
				generated = append(generated, obj)
			}
		}
		defer func() {
			if err != nil {
				var zero T
				for _, obj := range generated {
					t.auto.Copy(obj, &zero)
				}
			}
		}()
	}
	var multi []BatchItem // SQLite's multi-row INSERTs, when the rows go so
	if s.insertIsRow && q.conflict == nil {
		multi, _ = q.sqliteMultiRow(s, rows)
	}
	run := func(db DB) error {
		if q.conflict != nil {
			return q.execConflict(ctx, db, rows)
		}
		if s.insertIsRow {
			if multi != nil {
				if err := RunItems(ctx, db, multi); err != nil {
					return stmtError("insert", t.name, err)
				}
				return nil
			}
			for i, r := range rows {
				res, err := db.Exec(ctx, s.insert, r...)
				if err != nil {
					return stmtError("insert", t.name, err)
				}
				if t.auto != nil && r[indexOf(t.writes, t.auto)] == nil {
					if err := t.auto.SetInt64(q.objs[i], res.LastInsertID); err != nil {
						return stmtError("insert", t.name, err)
					}
				}
			}
			return nil
		}
		if copied != nil {
			if err := RunItems(ctx, db, copied); err != nil {
				return stmtError("insert", t.name, err)
			}
			return nil
		}
		if rows != nil { // one row
			sqlText, args, returns := q.oneRow(s, rows[0])
			if !returns {
				if _, err := db.Exec(ctx, sqlText, args...); err != nil {
					return stmtError("insert", t.name, err)
				}
				return nil
			}
			r, err := db.Query(ctx, sqlText, args...)
			if err != nil {
				return stmtError("insert", t.name, err)
			}
			err = q.assignKey(r, q.objs[0])
			if cerr := r.Close(); err == nil && cerr != nil {
				err = stmtError("insert", t.name, cerr)
			}
			return err
		}
		for k, c := range chunks {
			start := k * pgInsertChunk
			objs := q.objs[start:min(len(q.objs), start+pgInsertChunk)]
			if t.auto == nil {
				if _, err := db.Exec(ctx, c.sql, c.args...); err != nil {
					return stmtError("insert", t.name, err)
				}
				continue
			}
			if err := q.readKeys(ctx, db, c, objs); err != nil {
				return err
			}
		}
		return nil
	}
	_, inTx := db.(Tx)
	// One statement needs no transaction of its own (SQLite too makes each
	// statement atomic), unless it returns keys: a failure reading them must
	// leave nothing written (see sqlite.Tx.CommitBatch).
	single := len(q.objs) == 1 || (!s.insertIsRow && copied == nil && len(q.objs) <= pgInsertChunk) || len(multi) == 1 && multi[0].Rows == nil
	if inTx || single {
		return run(db)
	}
	return InTx(ctx, db, func(tx Tx) error { return run(tx) })
}

// readKeys runs one chunk of PostgreSQL's insert and writes the keys it
// returns into objs.
func (q *InsertQuery[T]) readKeys(ctx context.Context, db DB, c pgChunk, objs []*T) error {
	t := q.t
	r, err := db.Query(ctx, c.sql, c.args...)
	if err != nil {
		return stmtError("insert", t.name, err)
	}
	defer r.Close()
	if c.gen {
		return q.assignGenKeys(r, objs)
	}
	return q.assignKeys(r, objs, false)
}

func indexOf[T any](cols []ColumnOf[T], c ColumnOf[T]) int {
	for i, x := range cols {
		if x == c {
			return i
		}
	}
	return -1
}

// Assignment is one SET term of an UPDATE.
type Assignment[T any] struct {
	column string
	write  func(w *Writer)
}

// To is the assignment column = v, for Update.Set.
func (c *Column[T, V]) To(v V) Assignment[T] {
	return Assignment[T]{column: c.name, write: func(w *Writer) {
		c.checkWritable(w)
		a, err := c.encode(v)
		if err != nil {
			w.SetError(err)
		}
		w.WriteArg(a)
	}}
}

// ToNull is the assignment column = NULL; on a NOT NULL column it is an error
// before any SQL is sent.
func (c *Column[T, V]) ToNull() Assignment[T] {
	return Assignment[T]{column: c.name, write: func(w *Writer) {
		c.checkWritable(w)
		if c.getNull == nil {
			w.SetError(&ColumnError{Table: c.table.name, Column: c.name, Err: ErrNullValue})
		}
		w.WriteString("NULL")
	}}
}

// ToExpr is the assignment column = e, for example a column plus one.
func (c *Column[T, V]) ToExpr(e Expr[V]) Assignment[T] {
	return Assignment[T]{column: c.name, write: func(w *Writer) { c.checkWritable(w); e.WriteSQL(w) }}
}

// checkWritable refuses an assignment to a read-only column.
func (c *Column[T, V]) checkWritable(w *Writer) {
	if c.opts.readOnly {
		w.SetError(&ColumnError{Table: c.table.name, Column: c.name, Err: ErrReadOnly})
	}
}

// Set is the function form of [Column.To].
func Set[T, V any](c *Column[T, V], v V) Assignment[T] { return c.To(v) }

// UpdateQuery is an UPDATE of rows of T.
type UpdateQuery[T any] struct {
	t     *Table[T]
	sets  []Assignment[T]
	where []Expr[bool]
}

// Update starts an UPDATE of t.
func Update[T any](t *Table[T]) *UpdateQuery[T] { return &UpdateQuery[T]{t: t.origin()} }

// Set adds assignments.
func (q *UpdateQuery[T]) Set(a ...Assignment[T]) *UpdateQuery[T] {
	c := *q
	c.sets = append(q.sets[:len(q.sets):len(q.sets)], a...)
	return &c
}

// Where adds conditions, joined with AND.
func (q *UpdateQuery[T]) Where(conds ...Expr[bool]) *UpdateQuery[T] {
	c := *q
	c.where = append(q.where[:len(q.where):len(q.where)], conds...)
	return &c
}

// SQL compiles the statement for d.
func (q *UpdateQuery[T]) SQL(d Dialect) (string, []any, error) {
	w := NewWriter(d)
	q.returning(w, nil)
	return w.String(), w.Args(), w.Err()
}

// returning writes the statement, then RETURNING and list when list is not
// nil, while the statement's table is in scope.
func (q *UpdateQuery[T]) returning(w *Writer, list func(w *Writer)) {
	if len(q.sets) == 0 {
		w.SetError(fmt.Errorf("retort: update %q: no columns set", q.t.name))
	}
	w.pushScope(q.stmtName(), false)
	defer w.popScope()
	w.declare(localName(q.t.name))
	w.WriteString("UPDATE ")
	w.WriteTable(q.t.name)
	w.WriteString(" SET ")
	for i, a := range q.sets {
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteIdent(a.column)
		w.WriteString(" = ")
		a.write(w)
	}
	// Columns declared with UpdateDefault that the statement does not set.
	for _, c := range q.t.onUpdate {
		if !slices.ContainsFunc(q.sets, func(a Assignment[T]) bool { return a.column == c.Name() }) {
			a := c.onUpdateSet()
			w.WriteString(", ")
			w.WriteIdent(a.column)
			w.WriteString(" = ")
			a.write(w)
		}
	}
	writeWhere(w, q.where)
	writeReturning(w, list)
}

func (q *UpdateQuery[T]) stmtName() string { return fmt.Sprintf("update %q", q.t.name) }

// Table is the table the statement updates.
func (q *UpdateQuery[T]) Table() *Table[T] { return q.t }

// SetColumns returns the names of the columns the statement sets: those
// of its assignments, in order, then the columns declared with
// UpdateDefault that it does not set itself.
func (q *UpdateQuery[T]) SetColumns() []string {
	out := make([]string, 0, len(q.sets)+len(q.t.onUpdate))
	for _, a := range q.sets {
		out = append(out, a.column)
	}
	for _, c := range q.t.onUpdate {
		if !slices.Contains(out, c.Name()) {
			out = append(out, c.Name())
		}
	}
	return out
}

// Exec runs the UPDATE and returns the number of rows changed.
func (q *UpdateQuery[T]) Exec(ctx context.Context, db DB) (int64, error) {
	return execStatement(ctx, db, "update", q.t.name, q.SQL)
}

// DeleteQuery is a DELETE of rows of T.
type DeleteQuery[T any] struct {
	t     *Table[T]
	where []Expr[bool]
}

// Delete starts a DELETE from t. Without Where it deletes every row.
func Delete[T any](t *Table[T]) *DeleteQuery[T] { return &DeleteQuery[T]{t: t.origin()} }

// Where adds conditions, joined with AND.
func (q *DeleteQuery[T]) Where(conds ...Expr[bool]) *DeleteQuery[T] {
	c := *q
	c.where = append(q.where[:len(q.where):len(q.where)], conds...)
	return &c
}

// SQL compiles the statement for d.
func (q *DeleteQuery[T]) SQL(d Dialect) (string, []any, error) {
	w := NewWriter(d)
	q.returning(w, nil)
	return w.String(), w.Args(), w.Err()
}

// returning writes the statement, then RETURNING and list when list is not
// nil.
func (q *DeleteQuery[T]) returning(w *Writer, list func(w *Writer)) {
	w.pushScope(q.stmtName(), false)
	defer w.popScope()
	w.declare(localName(q.t.name))
	w.WriteString("DELETE FROM ")
	w.WriteTable(q.t.name)
	writeWhere(w, q.where)
	writeReturning(w, list)
}

// Table is the table the statement deletes from.
func (q *DeleteQuery[T]) Table() *Table[T] { return q.t }

func (q *DeleteQuery[T]) stmtName() string { return fmt.Sprintf("delete from %q", q.t.name) }

// Exec runs the DELETE and returns the number of rows deleted.
func (q *DeleteQuery[T]) Exec(ctx context.Context, db DB) (int64, error) {
	return execStatement(ctx, db, "delete from", q.t.name, q.SQL)
}

func execStatement(ctx context.Context, db DB, op, table string, build func(Dialect) (string, []any, error)) (int64, error) {
	sqlText, args, err := build(db.Dialect())
	if err != nil {
		return 0, err
	}
	res, err := db.Exec(ctx, sqlText, args...)
	if err != nil {
		return 0, stmtError(op, table, err)
	}
	return res.RowsAffected, nil
}

// writeColumns writes the names of t's columns but skip (none when nil),
// separated by commas, and returns how many it wrote.
func (t *Table[T]) writeColumns(b *strings.Builder, skip ColumnOf[T]) int {
	n := 0
	for _, c := range t.writes {
		if skip != nil && c == skip {
			continue
		}
		if n > 0 {
			b.WriteString(", ")
		}
		appendIdent(b, c.Name())
		n++
	}
	return n
}
