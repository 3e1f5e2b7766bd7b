package retort_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	zsqlite "zombiezen.com/go/sqlite"
)

// Memo is a table for statements the database refuses.
type Memo struct {
	ID   int64
	Body string
}

var (
	Memos    = retort.NewTable[Memo]("memo")
	MemoID   = retort.Col(Memos, "id", func(m *Memo) *int64 { return &m.ID }, retort.PrimaryKey())
	MemoBody = retort.Col(Memos, "body", func(m *Memo) *string { return &m.Body }, retort.Size(20))
)

// TestStatementErrors: a statement the database refuses is a
// *retort.StatementError naming its operation and table, worded
// `retort: <op> "<table>": ` once, on every path of Insert (one row, 3 rows,
// 2,100 rows: COPY on PostgreSQL, multi-row INSERTs on SQLite; an upsert),
// Update, Delete and Select; errors.As still reaches the database's error.
// A value refused before any SQL is sent stays a ColumnError, named once.
func TestStatementErrors(t *testing.T) {
	memos := func(n int) []*Memo {
		out := make([]*Memo, n)
		for i := range out {
			out[i] = &Memo{Body: fmt.Sprint("memo ", i)}
		}
		return out
	}
	cases := []struct {
		name   string
		refuse string // the operation a trigger refuses
		op     string
		run    func(ctx context.Context, db retort.DB) error
		pg     string
		sqlite zsqlite.ResultCode
	}{
		{"insert one row", "INSERT", "insert", func(ctx context.Context, db retort.DB) error {
			return retort.Insert(Memos, memos(1)...).Exec(ctx, db)
		}, "P0001", zsqlite.ResultConstraintTrigger},
		{"insert 3 rows", "INSERT", "insert", func(ctx context.Context, db retort.DB) error {
			return retort.Insert(Memos, memos(3)...).Exec(ctx, db)
		}, "P0001", zsqlite.ResultConstraintTrigger},
		{"insert 2,100 rows", "INSERT", "insert", func(ctx context.Context, db retort.DB) error {
			return retort.Insert(Memos, memos(2100)...).Exec(ctx, db)
		}, "P0001", zsqlite.ResultConstraintTrigger},
		{"upsert", "UPDATE", "insert", func(ctx context.Context, db retort.DB) error {
			return retort.Insert(Memos, &Memo{ID: 1, Body: "again"}, &Memo{ID: 2, Body: "two"}).
				OnConflict(MemoID).DoUpdateSet(MemoBody.ToExpr(retort.SQL[string]("excluded.body"))).Exec(ctx, db)
		}, "P0001", zsqlite.ResultConstraintTrigger},
		{"update", "UPDATE", "update", func(ctx context.Context, db retort.DB) error {
			_, err := retort.Update(Memos).Set(MemoBody.To("changed")).Where(MemoID.Eq(1)).Exec(ctx, db)
			return err
		}, "P0001", zsqlite.ResultConstraintTrigger},
		{"delete", "DELETE", "delete from", func(ctx context.Context, db retort.DB) error {
			_, err := retort.Delete(Memos).Where(MemoID.Eq(1)).Exec(ctx, db)
			return err
		}, "P0001", zsqlite.ResultConstraintTrigger},
		{"select", "", "select", func(ctx context.Context, db retort.DB) error {
			_, err := retort.Select(Memos).Where(retort.Gt(retort.Abs(retort.Val(int64(math.MinInt64))), retort.Val[int64](0))).All(ctx, db)
			return err
		}, "22003", zsqlite.ResultError},
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Memos)
		if err := retort.Insert(Memos, &Memo{ID: 1, Body: "first"}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if c.refuse != "" {
					defer env.Refuse(t, "memo", c.refuse)()
				}
				env.CheckStatementError(t, c.run(ctx, env.DB), "", c.op, "memo", c.pg, c.sqlite)
				got, err := retort.Select(Memos).All(ctx, env.DB)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 1 || got[0].Body != "first" {
					t.Errorf("rows after the refused statement: %d, the first %+v", len(got), got[0])
				}
			})
		}
		t.Run("value refused before SQL", func(t *testing.T) {
			err := retort.Insert(Memos, &Memo{Body: strings.Repeat("x", 21)}).Exec(ctx, env.DB)
			var ce *retort.ColumnError
			if !errors.As(err, &ce) || !errors.Is(err, retort.ErrTooLong) {
				t.Fatalf("want a ColumnError matching ErrTooLong: %v", err)
			}
			if want := `retort: table "memo" column "body": `; !strings.HasPrefix(err.Error(), want) || strings.Count(err.Error(), "memo") != 1 {
				t.Errorf("error %q, want it to begin %q and name the table once", err, want)
			}
		})
	})
}

// TestInvalidText: a string with a NUL byte or bytes that are not UTF-8,
// which PostgreSQL's text cannot store, is refused before any SQL is sent,
// on both databases and every write path (one row, 3 rows, 2,100 rows, an
// upsert, an UPDATE), by a ColumnError naming the table, the column and the
// value and matching ErrInvalidText; nothing is written. Predicates carry
// such values on SQLite, whose rows may hold them from other programs; on
// PostgreSQL, which cannot, they are the same ColumnError, LIKE and ILIKE
// patterns too, and a Val compared with no column an error naming the
// value (before, the server's "invalid byte sequence", SQLSTATE 22021).
func TestInvalidText(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Memos)
		if err := retort.Insert(Memos, &Memo{ID: 1, Body: "first"}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"a\x00b", "a\xffb", "\xc3\x28", "\xed\xa0\x80"} {
			writes := map[string]func() error{
				"insert 1": func() error { return retort.Insert(Memos, &Memo{Body: bad}).Exec(ctx, env.DB) },
				"insert 3": func() error {
					return retort.Insert(Memos, &Memo{Body: "x"}, &Memo{Body: "y"}, &Memo{Body: bad}).Exec(ctx, env.DB)
				},
				"insert 2,100": func() error {
					ms := make([]*Memo, 2100)
					for i := range ms {
						ms[i] = &Memo{Body: fmt.Sprint(i)}
					}
					ms[2000].Body = bad
					return retort.Insert(Memos, ms...).Exec(ctx, env.DB)
				},
				"upsert": func() error {
					return retort.Insert(Memos, &Memo{ID: 1, Body: bad}).OnConflict(MemoID).DoUpdateSet(MemoBody.To(bad)).Exec(ctx, env.DB)
				},
				"update": func() error {
					_, err := retort.Update(Memos).Set(MemoBody.To(bad)).Where(MemoID.Eq(1)).Exec(ctx, env.DB)
					return err
				},
			}
			for name, write := range writes {
				err := write()
				var ce *retort.ColumnError
				if !errors.Is(err, retort.ErrInvalidText) || !errors.As(err, &ce) || ce.Table != "memo" || ce.Column != "body" || ce.Value != bad {
					t.Errorf("%s %q: %v, want a ColumnError of memo.body holding the value, matching ErrInvalidText", name, bad, err)
				}
			}
			got, err := retort.Select(Memos).Where(MemoBody.Ne(bad)).All(ctx, env.DB)
			if env.Dialect == retort.SQLite && err == nil {
				var n int64
				n, err = retort.Select(Memos).Where(retort.Or(retort.Like(MemoBody, bad), retort.ILike(MemoBody, bad))).Count(ctx, env.DB)
				if err == nil && n != 0 {
					t.Errorf("LIKE %q on SQLite matched %d rows", bad, n)
				}
			}
			if env.Dialect == retort.Postgres {
				for name, where := range map[string]retort.Expr[bool]{
					"Ne": MemoBody.Ne(bad), "In": MemoBody.In("x", bad), "Between": MemoBody.Between(bad, "z"),
					"Like": retort.Like(MemoBody, bad+"%"), "ILike": retort.ILike(MemoBody, "%"+bad),
				} {
					_, err := retort.Select(Memos).Where(where).All(ctx, env.DB)
					var ce *retort.ColumnError
					if !errors.Is(err, retort.ErrInvalidText) || !errors.As(err, &ce) || ce.Column != "body" {
						t.Errorf("%s with %q on PostgreSQL: %v, want a ColumnError of memo.body matching ErrInvalidText", name, bad, err)
					}
				}
				// A Val compared with no column, or with an expression
				// of one: no column to name, the error still says why.
				for name, where := range map[string]retort.Expr[bool]{
					"Val = Val": retort.Eq(retort.Val(bad), retort.Val("x")), "lower(body) = Val": retort.Eq(retort.Lower(MemoBody), retort.Val(bad)),
				} {
					_, err := retort.Select(Memos).Where(where).All(ctx, env.DB)
					if !errors.Is(err, retort.ErrInvalidText) || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
						t.Errorf("%s with %q on PostgreSQL: %v, want an error naming the value, matching ErrInvalidText", name, bad, err)
					}
				}
				got, err = retort.Select(Memos).All(ctx, env.DB)
			}
			if err != nil {
				t.Fatalf("a predicate with %q: %v", bad, err)
			}
			if len(got) != 1 || got[0].Body != "first" {
				t.Fatalf("after the refused writes of %q: %d rows", bad, len(got))
			}
		}
	})
}
