package retort_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

var dialects = []retort.Dialect{retort.Postgres, retort.SQLite}

func TestGoldenDDL(t *testing.T) {
	for _, d := range dialects {
		var b strings.Builder
		b.WriteString("-- CreateSQL\n")
		for _, s := range retort.CreateSQL(d, allTables...) {
			b.WriteString(s + ";\n")
		}
		b.WriteString("\n-- DropSQL\n")
		for _, s := range retort.DropSQL(d, allTables...) {
			b.WriteString(s + ";\n")
		}
		golden(t, "ddl_"+d.String()+".sql", b.String())
	}
}

// A statement case: a name, why it is here, and how to build it.
type stmtCase struct {
	name, why string
	build     func(d retort.Dialect) (string, []any, error)
}

var when = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

var stmtCases = []stmtCase{
	{"select all", "the cached column list", retort.Select(Users).SQL},
	{"select where", "typed predicates, AND of several conditions, order, limit, offset",
		retort.Select(Users).Where(UserName.Eq("bob"), UserAge.Gt(30), UserEmail.IsNotNull()).OrderBy(UserName.Asc(), UserID.Desc()).Limit(10).Offset(20).SQL},
	{"offset without limit", "SQLite needs LIMIT -1 before OFFSET", retort.Select(Users).Offset(5).SQL},
	{"in", "one array parameter on PostgreSQL, a list on SQLite", retort.Select(Users).Where(UserID.In(1, 2, 3)).SQL},
	{"not in empty", "an empty NOT IN matches everything", retort.Select(Users).Where(UserID.NotIn()).SQL},
	{"in empty", "an empty IN matches nothing", retort.Select(Users).Where(UserID.In()).SQL},
	{"or not", "nesting is parenthesised", retort.Select(Users).Where(retort.Or(UserAge.Lt(18), retort.Not(UserActive.Eq(true)))).SQL},
	{"like", "LIKE with an escape character", retort.Select(Users).Where(retort.Like(UserName, "b%"), retort.ILike(UserName, "%OB")).SQL},
	{"between and time", "time values are bind parameters", retort.Select(Users).Where(UserJoined.Between(when, when.Add(time.Hour))).SQL},
	{"decimal", "Decimal is sent as text", retort.Select(Users).Where(UserBalance.Ge(retort.MustDecimal("10.50"))).SQL},
	{"null check", "IS NULL takes no argument", retort.Select(Employees).Where(EmpManager.IsNull()).SQL},
	{"self join alias", "an alias quotes its own name", func(d retort.Dialect) (string, []any, error) {
		m := retort.Alias(Employees, "manager")
		return retort.Select(m).Where(retort.Aliased(m, EmpName).Eq("ann")).SQL(d)
	}},
	{"raw", "a raw predicate still binds its values", retort.Select(Users).Where(retort.Raw("lower(name) = ?", "bob")).SQL},
	{"update", "SET names are bare, WHERE is qualified", retort.Update(Users).Set(UserName.To("ann"), UserNick.ToNull(), retort.Set(UserAge, 41)).Where(UserID.Eq(7)).SQL},
	{"delete", "DELETE with a condition", retort.Delete(Orders).Where(OrderUserID.In(1, 2)).SQL},
	{"insert generated key", "PostgreSQL draws keys in a CTE and returns (ordinal, key); SQLite inserts the rows in one statement, RETURNING the keys",
		retort.Insert(Orders, &Order{UserID: 1, Total: retort.MustDecimal("9.99")}, &Order{ID: 40, UserID: 2, Note: ptr("gift")}).SQL},
	{"insert generated keys", "every key to be generated (Items, as Exec and the session send it): PostgreSQL sends no array of keys, draws each with nextval in ordinal order and returns the keys alone (matched by sorting); SQLite sends fewer than 50 such rows one statement a row",
		itemSQL(retort.Insert(Orders, &Order{UserID: 1, Total: retort.MustDecimal("9.99")}, &Order{UserID: 2, Note: ptr("gift")}))},
	{"insert composite key", "no generated key: a plain INSERT ... SELECT FROM unnest; on PostgreSQL most columns travel as array literals",
		retort.Insert(Taggings, &Tagging{OrderID: 1, Tag: "red", Weight: 3}, &Tagging{OrderID: 1, Tag: `a "b" \ c,{d}`, Weight: 4}).SQL},
	{"insert one row without generated key", "one row (Items, as Exec and the session send it): a plain INSERT ... VALUES",
		itemSQL(retort.Insert(Taggings, &Tagging{OrderID: 1, Tag: "red", Weight: 3}))},
	{"insert one row generated key", "one row: INSERT ... VALUES without the key column, RETURNING the key on PostgreSQL",
		itemSQL(retort.Insert(Orders, &Order{UserID: 1, Total: retort.MustDecimal("9.99"), Note: ptr("gift")}))},
	{"insert one row given key", "one row whose key is given: every column, nothing returned",
		itemSQL(retort.Insert(Orders, &Order{ID: 40, UserID: 2, Total: retort.MustDecimal("-0.50")}))},
	{"injection by value", "a value is never part of the SQL text", retort.Select(Users).Where(UserName.Eq("x'); DROP TABLE users; --")).SQL},
	{"injection by name", "names are quoted with inner quotes doubled", retort.Select(Hostiles).Where(HostileValue.Eq("v")).SQL},
}

// itemSQL is the statements (joined by ";\n") and arguments (all, in order)
// of an insert's batch items.
func itemSQL[T any](q *retort.InsertQuery[T]) func(retort.Dialect) (string, []any, error) {
	return func(d retort.Dialect) (string, []any, error) {
		items, err := q.Items(d)
		if err != nil {
			return "", nil, err
		}
		var sqls []string
		var args []any
		for _, it := range items {
			sqls = append(sqls, it.SQL)
			args = append(args, it.Args...)
		}
		return strings.Join(sqls, ";\n"), args, nil
	}
}

func TestGoldenStatements(t *testing.T) {
	for _, d := range dialects {
		var b strings.Builder
		for _, c := range stmtCases {
			sql, args, err := c.build(d)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			fmt.Fprintf(&b, "-- %s: %s\n%s\n-- args: %s\n\n", c.name, c.why, sql, formatArgs(args))
		}
		golden(t, "statements_"+d.String()+".sql", b.String())
	}
}

func formatArgs(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			parts[i] = fmt.Sprintf("%q", v)
		case time.Time:
			parts[i] = v.Format(time.RFC3339)
		case []any:
			parts[i] = "[" + formatArgs(v) + "]"
		case nil:
			parts[i] = "NULL"
		default:
			parts[i] = fmt.Sprintf("%v (%T)", v, v)
		}
	}
	return strings.Join(parts, ", ")
}
