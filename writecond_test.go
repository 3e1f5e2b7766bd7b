package retort_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
)

// TestWriteCondition: a condition written for a table joined under an
// alias names the alias, except inside a subquery that reads the table
// itself; a column of another table is an error naming it.
func TestWriteCondition(t *testing.T) {
	cond := retort.And(OrderTotal.Gt(retort.NewDecimal(5, 0)),
		retort.In(OrderID, retort.Select1(OrderID).From(Orders).Where(OrderNote.IsNull())),
		retort.Exists(retort.Select(Users).Where(UserID.EqCol(OrderUserID))))
	for _, c := range []struct {
		d    retort.Dialect
		ref  string
		want string
	}{
		{retort.Postgres, "orders", `$1 (("orders"."total" > $2) AND ("orders"."id" IN (SELECT "orders"."id" FROM "orders" WHERE "orders"."note" IS NULL)) AND (EXISTS (SELECT 1 FROM "users" WHERE "users"."id" = "orders"."user_id")))`},
		{retort.Postgres, "orders_2", `$1 (("orders_2"."total" > $2) AND ("orders_2"."id" IN (SELECT "orders"."id" FROM "orders" WHERE "orders"."note" IS NULL)) AND (EXISTS (SELECT 1 FROM "users" WHERE "users"."id" = "orders_2"."user_id")))`},
		{retort.SQLite, "o", `? (("o"."total" > ?) AND ("o"."id" IN (SELECT "orders"."id" FROM "orders" WHERE "orders"."note" IS NULL)) AND (EXISTS (SELECT 1 FROM "users" WHERE "users"."id" = "o"."user_id")))`},
	} {
		w := retort.NewWriter(c.d)
		w.WriteArg("first")
		w.WriteString(" (")
		w.WriteCondition("join", "orders", c.ref, cond)
		w.WriteString(")")
		if err := w.Err(); err != nil {
			t.Fatalf("%s as %s: %v", c.d, c.ref, err)
		}
		if diff := cmp.Diff(c.want, w.String()); diff != "" {
			t.Errorf("%s as %s (-want +got):\n%s", c.d, c.ref, diff)
		}
	}

	w := retort.NewWriter(retort.Postgres)
	w.WriteCondition("join users", "orders", "orders_2", retort.And(OrderTotal.Gt(retort.NewDecimal(5, 0)), UserName.Eq("x")))
	if err := w.Err(); err == nil || !strings.Contains(err.Error(), `join users: column "users"."name" refers to table "users", which is not in the FROM clause`) {
		t.Errorf("a column of another table: %v", err)
	}
}

// TestWriteQuery: a query built elsewhere keeps its arguments, numbered
// first; after other arguments it is an error on PostgreSQL only.
func TestWriteQuery(t *testing.T) {
	sqlText, args, err := retort.Select(Users).Where(UserName.Eq("ann")).SQL(retort.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	w := retort.NewWriter(retort.Postgres)
	w.WriteString("SELECT * FROM (")
	w.WriteQuery(sqlText, args)
	w.WriteString(") AS q WHERE q.age > ")
	w.WriteArg(3)
	if w.Err() != nil || !strings.HasSuffix(w.String(), "$2") || !cmp.Equal(w.Args(), []any{"ann", 3}) {
		t.Errorf("%s %v %v", w.String(), w.Args(), w.Err())
	}
	w = retort.NewWriter(retort.Postgres)
	w.WriteArg(1)
	w.WriteQuery(sqlText, args)
	if w.Err() == nil {
		t.Error("a numbered query after an argument: no error")
	}
	w = retort.NewWriter(retort.SQLite)
	w.WriteArg(1)
	w.WriteQuery("SELECT ?", []any{2})
	if w.Err() != nil || !cmp.Equal(w.Args(), []any{1, 2}) {
		t.Errorf("SQLite: %v %v", w.Args(), w.Err())
	}
}
