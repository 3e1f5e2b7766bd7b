package retort

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/retort-orm/retort/internal/pgseq"
)

// pgCopyMinRows is the fewest rows of one insert that PostgreSQL receives
// by COPY ... FROM STDIN, their generated keys drawn first by one query,
// instead of as unnest()ed arrays. COPY inserts rows in groups and parses
// less; the price is a round trip for the keys and one for the COPY.
// Measured here with pgx, each insert in its own transaction (medians of
// 31): 1,000 rows 4.8 against 3.9 ms, 2,000 rows 7.9 against 9.6, 5,000
// rows 10.7 against 19.6, 50,000 rows 79 against 145 (BENCHMARKS.md).
const pgCopyMinRows = 2000

// pgCopyItems returns q's insert as COPY for PostgreSQL: when keys are to
// be generated, a query drawing them from the key's sequence (one per
// row, given to the rows in order, ascending), then the COPY of every
// row with its key. Every value is checked and written out now, before
// any SQL is sent; ok is false when a value has no COPY text here (the
// caller sends unnest statements instead).
func (q *InsertQuery[T]) pgCopyItems(s *tableSQL) (items []BatchItem, ok bool, err error) {
	t := q.t
	gen := false
	if t.auto != nil {
		zero := 0
		for _, o := range q.objs {
			if t.auto.IsZero(o) {
				zero++
			}
		}
		switch zero {
		case 0:
		case len(q.objs):
			gen = true
		default:
			return nil, false, nil // some keys given, some to draw
		}
	}
	// The rows' text: with gen, each row starts with the tab that follows
	// its key, written once the key is known.
	var text []byte
	ends := make([]int, len(q.objs))
	for i, obj := range q.objs {
		first := true
		for _, c := range t.writes {
			if gen && c == t.auto {
				continue
			}
			if gen || !first {
				text = append(text, '\t')
			}
			first = false
			if text, ok, err = c.appendCopy(text, obj); err != nil || !ok {
				if err != nil {
					err = stmtError("insert", t.name, err)
				}
				return nil, false, err
			}
		}
		text = append(text, '\n')
		ends[i] = len(text)
	}
	n := len(q.objs)
	counted := func(r Result) error {
		if r.RowsAffected != int64(n) {
			return stmtError("insert", t.name, fmt.Errorf("COPY wrote %d rows of %d", r.RowsAffected, n))
		}
		return nil
	}
	if !gen {
		later := func(copy bool) ([]BatchItem, error) {
			if !copy {
				return q.pgUnnestItems(s)
			}
			return []BatchItem{{SQL: t.copySQL(false), CopyData: text, Result: counted, Op: "insert", Table: t.name}}, nil
		}
		return []BatchItem{{Later: later, Op: "insert", Table: t.name}}, true, nil
	}
	var keys []int64
	draw := BatchItem{
		Op:    "insert",
		Table: t.name,
		SQL:   pgDrawKeys,
		Args:  []any{QuoteTable(t.name), t.auto.Name(), int64(n)},
		Rows: func(r Rows) error {
			var err error
			keys, err = q.drawnKeys(r, n)
			return err
		},
	}
	later := func(copy bool) ([]BatchItem, error) {
		if len(keys) != n {
			return nil, stmtError("insert", t.name, fmt.Errorf("%d keys drawn for %d rows", len(keys), n))
		}
		if !copy {
			return q.pgUnnestItems(s)
		}
		data := make([]byte, 0, len(text)+n*8)
		start := 0
		for i, k := range keys {
			data = strconv.AppendInt(data, k, 10)
			data = append(data, text[start:ends[i]]...)
			start = ends[i]
		}
		return []BatchItem{{SQL: t.copySQL(true), CopyData: data, Result: counted, Op: "insert", Table: t.name}}, nil
	}
	return []BatchItem{draw, {Later: later, Op: "insert", Table: t.name}}, true, nil
}

// pgDrawKeys draws $3 values from the sequence of table $1's column $2.
var pgDrawKeys = `SELECT ` + pgseq.Nextval(1, 2) + ` FROM generate_series(1, $3)`

// drawnKeys reads the n keys pgDrawKeys drew, writes them into q's objects
// in ascending order and returns them.
func (q *InsertQuery[T]) drawnKeys(r Rows, n int) ([]int64, error) {
	return q.sortedKeys(r, q.objs, make([]int64, 0, n), "drawn")
}

// pgUnnestItems is the insert as unnest statements, for a driver that
// cannot COPY.
func (q *InsertQuery[T]) pgUnnestItems(s *tableSQL) ([]BatchItem, error) {
	chunks, err := q.pgChunks(s)
	if err != nil {
		return nil, err
	}
	items := make([]BatchItem, len(chunks))
	for k, c := range chunks {
		start := k * pgInsertChunk
		objs := q.objs[start:min(len(q.objs), start+pgInsertChunk)]
		items[k] = BatchItem{SQL: c.sql, Args: c.args, Op: "insert", Table: q.t.name}
		switch {
		case q.t.auto == nil:
		case c.gen:
			items[k].Rows = func(r Rows) error { return q.assignGenKeys(r, objs) }
		default:
			items[k].Rows = func(r Rows) error { return q.assignKeys(r, objs, false) }
		}
	}
	return items, nil
}

// copySQL is t's COPY ... FROM STDIN of every column; with gen, the
// generated key's column comes first.
func (t *Table[T]) copySQL(gen bool) string {
	var b strings.Builder
	b.WriteString("COPY ")
	appendTable(&b, t.name)
	b.WriteString(" (")
	if gen {
		appendIdent(&b, t.auto.Name())
		if len(t.writes) > 1 {
			b.WriteString(", ")
		}
		t.writeColumns(&b, t.auto)
	} else {
		t.writeColumns(&b, nil)
	}
	b.WriteString(") FROM STDIN")
	return b.String()
}

// appendCopy implements ColumnOf.
func (c *Column[T, V]) appendCopy(b []byte, obj *T) ([]byte, bool, error) {
	v, ok := c.Get(obj)
	if !ok {
		return append(b, `\N`...), true, nil
	}
	if c.native {
		if err := c.check(v); err != nil {
			return b, false, err
		}
		b, ok = appendCopyField(b, v)
		return b, ok, nil
	}
	if nt, isNumeric := any(c.typ).(numericType); isNumeric {
		d := any(v).(Decimal)
		if err := nt.check(d); err != nil {
			return b, false, &ColumnError{Table: c.table.name, Column: c.name, Value: v, Err: err}
		}
		return d.appendTo(b), true, nil
	}
	e, err := c.encode(v)
	if err != nil {
		return b, false, err
	}
	b, ok = appendCopyField(b, e)
	return b, ok, nil
}

// appendCopyField appends v as a field of COPY's text format: NULL is \N,
// and a backslash, newline, carriage return or tab in text is escaped with
// a backslash. Numbers, booleans and decimals are spelled as in an array
// literal. It reports false for a value of another type.
func appendCopyField(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, `\N`...), true
	case string:
		for {
			i := strings.IndexAny(x, "\\\n\r\t")
			if i < 0 {
				break
			}
			b = append(b, x[:i]...)
			switch x[i] {
			case '\\':
				b = append(b, `\\`...)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			}
			x = x[i+1:]
		}
		return append(b, x...), true
	}
	return appendArrayElem(b, v)
}
