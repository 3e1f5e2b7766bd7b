package retort_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/retort-orm/retort"
)

// exprCases are the constructs of the expression language, each with the
// reason it is here. Their SQL and arguments for both dialects are in
// testdata/expr_postgres.sql and testdata/expr_sqlite.sql; a case whose
// statement cannot be built records its error there instead.
var exprCases = []stmtCase{
	// Joins.
	{"join", "an inner join on a typed condition; the query still returns users",
		retort.Select(Users).Join(Orders, OrderUserID.EqCol(UserID)).Where(OrderTotal.Gt(retort.MustDecimal("10"))).Distinct().SQL},
	{"left join", "a left join; the joined column is read through Nullable",
		retort.Select2(UserName, retort.Nullable(OrderTotal)).From(Users).LeftJoin(Orders, OrderUserID.EqCol(UserID)).OrderBy(UserName.Asc()).SQL},
	{"join along the foreign key", "JoinFK finds orders.user_id -> users.id from either side",
		retort.Select2(UserName, OrderID).From(Orders).JoinFK(Users).SQL},
	{"join along the foreign key, reversed", "the same key seen from the referenced table",
		retort.Select2(UserName, OrderID).From(Users).JoinFK(Orders).SQL},
	{"three tables", "a join condition may use any table to its left",
		retort.Select2(UserName, TaggingTag).From(Users).JoinFK(Orders).JoinFK(Taggings).SQL},
	{"self join along the foreign key", "a self-referencing key is followed to the referenced row (the manager)",
		func(d retort.Dialect) (string, []any, error) {
			m := retort.Alias(Employees, "m")
			return retort.Select2(EmpName, retort.Aliased(m, EmpName)).From(Employees).JoinFK(m).SQL(d)
		}},
	{"self join on a condition", "subordinates: the other direction, spelled out",
		func(d retort.Dialect) (string, []any, error) {
			s := retort.Alias(Employees, "s")
			return retort.Select2(EmpName, retort.Nullable(retort.Aliased(s, EmpName))).From(Employees).
				LeftJoin(s, retort.Aliased(s, EmpManager).EqCol(EmpID)).SQL(d)
		}},

	// Typed expressions.
	{"literals and arithmetic", "values are parameters, cast on PostgreSQL so their type is known",
		retort.Select2(UserName, retort.Add(UserAge, retort.Val[int32](1))).
			Where(retort.Gt(retort.Mul(UserScore, retort.Val(2.0)), retort.Sub(retort.Val(10.0), retort.Div(UserScore, retort.Val(4.0))))).SQL},
	{"string functions", "lower, upper, length, concat, coalesce, abs",
		retort.Select4(retort.Lower(UserName), retort.Upper(retort.Coalesce(UserNick, retort.Val("none"))), retort.Length(UserName), retort.Concat(UserName, retort.Val("!"))).
			Where(retort.Eq(retort.Lower(UserName), retort.Val("bob")), retort.Lt(retort.Abs(UserScore), retort.Val(5.0)), retort.Ge(retort.Mod(UserAge, retort.Val[int32](7)), retort.Val[int32](2))).SQL},
	{"case", "a typed CASE with an ELSE",
		retort.Select2(UserName, retort.Case(retort.When(UserAge.Lt(18), retort.Val("minor")), retort.When(UserAge.Lt(65), retort.Val("adult"))).Else(retort.Val("senior"))).SQL},
	{"grouped operands", "a predicate or raw SQL as an operand goes in parentheses",
		retort.Select(Users).Where(retort.Eq[bool](UserActive, retort.Or(UserName.Eq("ann"), UserName.Eq("bob"))),
			retort.IsNull(retort.Not(UserActive)), retort.Gt(retort.Mul(retort.SQL[int32](`"users"."age" + 1`), retort.Val[int32](2)), UserAge)).SQL},
	{"escape hatch", "retort.SQL still binds its arguments",
		retort.Select1(retort.SQL[int64](`"users"."age" * ? + ?`, 2, 1)).From(Users).Where(retort.SQL[bool](`"users"."name" <> ?`, "x")).SQL},
	{"decimal literal", "a Decimal value is sent as text",
		retort.Select1(UserName).Where(retort.Gt(UserBalance, retort.ValAs(retort.MustDecimal("1.50"), retort.Numeric(12, 2)))).SQL},
	{"is null", "IS NULL on any expression",
		retort.Select1(UserName).Where(retort.IsNull(retort.Lower(retort.Coalesce(UserNick, UserEmail))), retort.IsNotNull(UserName)).SQL},

	// Projections and aggregates.
	{"aggregates", "sums and averages are cast on PostgreSQL so both databases return int64 and float64",
		retort.Select5(retort.Count(), retort.CountDistinct(UserAge), retort.Sum(UserAge), retort.Avg(UserScore), retort.Max(UserJoined)).From(Users).SQL},
	{"more aggregates", "count of a column, float sum, decimal sum and average, min",
		retort.Select5(retort.CountOf(UserEmail), retort.SumFloat(UserScore), retort.SumDecimal(UserBalance), retort.AvgDecimal(UserBalance), retort.Min(UserName)).SQL},
	{"group by having", "aggregates over groups, filtered and ordered",
		retort.Select2(UserName, retort.Count()).From(Users).JoinFK(Orders).GroupBy(UserName).
			Having(retort.Gt(retort.Count(), retort.Val[int64](1))).OrderBy(retort.Desc(retort.Count()), UserName.Asc()).Limit(10).SQL},
	{"nulls first and last", "where NULLs sort, the same on both databases",
		retort.Select1(UserName).OrderBy(UserNick.Asc().NullsFirst(), retort.Desc(retort.Lower(UserName)).NullsLast()).SQL},
	{"distinct", "SELECT DISTINCT of a projection", retort.Select1(UserAge).Distinct().OrderBy(UserAge.Asc()).SQL},
	{"select into", "rows read into the caller's struct through field accessors",
		retort.SelectInto(
			retort.Into(UserName, func(s *userStat) *string { return &s.Name }),
			retort.Into(retort.Count(), func(s *userStat) *int64 { return &s.Orders }),
		).From(Users).JoinFK(Orders).GroupBy(UserName).SQL},
	{"no from", "a projection of values only has no FROM clause", retort.Select2(retort.Val(1), retort.Val("a")).SQL},

	// Subqueries.
	{"in subquery", "IN typed by the subquery's single column",
		retort.Select(Users).Where(retort.In(UserID, retort.Select1(OrderUserID).Where(OrderTotal.Gt(retort.MustDecimal("100"))))).SQL},
	{"not in subquery", "NOT IN", retort.Select(Users).Where(retort.NotIn(UserID, retort.Select1(OrderUserID))).SQL},
	{"exists", "a correlated EXISTS sees the outer table",
		retort.Select(Users).Where(retort.Exists(retort.Select(Orders).Where(OrderUserID.EqCol(UserID), OrderNote.IsNotNull()))).SQL},
	{"not exists", "NOT EXISTS of a projection",
		retort.Select(Users).Where(retort.NotExists(retort.Select1(OrderID).Where(OrderUserID.EqCol(UserID)))).SQL},
	{"scalar subquery", "a correlated count in the select list and in a predicate",
		func(d retort.Dialect) (string, []any, error) {
			n := retort.Scalar(retort.Select1(retort.Count()).From(Orders).Where(OrderUserID.EqCol(UserID)))
			return retort.Select2(UserName, n).Where(retort.Gt(n, retort.Val[int64](0))).SQL(d)
		}},
	{"derived table", "a grouped projection joined as a table",
		func(d retort.Dialect) (string, []any, error) {
			t, uid, n := retort.Derived2(retort.Select2(OrderUserID, retort.Count()).GroupBy(OrderUserID), "t")
			return retort.Select2(UserName, n).From(Users).Join(t, UserID.EqCol(uid)).Where(retort.Gt(n, retort.Val[int64](1))).SQL(d)
		}},

	// Set operations.
	{"union", "two projections of the same row type, ordered by result column",
		retort.Select2(UserName, UserAge).Where(UserAge.Lt(30)).Union(retort.Select2(EmpName, EmpID)).OrderBy(retort.Asc(retort.Position(1))).Limit(5).SQL},
	{"union all, except", "applied left to right", retort.Select1(UserName).UnionAll(retort.Select1(EmpName)).Except(retort.Select1(HostileValue)).SQL},
	{"intersect after union", "PostgreSQL binds INTERSECT tighter, so the union is parenthesised there",
		retort.Select1(UserName).Union(retort.Select1(EmpName)).Intersect(retort.Select1(HostileKey)).OrderBy(UserName.Desc()).SQL},

	// Locking.
	{"for update", "PostgreSQL locks the rows; SQLite refuses before sending anything",
		retort.Select(Users).Where(UserID.Eq(1)).ForUpdate().SQL},
	{"skip locked", "a job queue's lock", retort.Select(Orders).OrderBy(OrderID.Asc()).Limit(1).SkipLocked().SQL},
	{"nowait", "fail at once instead of waiting", retort.Select1(UserName).ForShare().NoWait().SQL},

	// Upserts and RETURNING.
	{"upsert do nothing", "skipped rows return no key, so their objects keep a zero key",
		retort.Insert(Users, &User{Name: "ann", Email: ptr("a@x")}).OnConflict(UserEmail).DoNothing().SQL},
	{"upsert do update", "updated rows are matched to their objects by the conflict columns",
		retort.Insert(Users, &User{Name: "ann", Email: ptr("a@x")}).OnConflict(UserEmail).
			DoUpdateSet(UserName.ToExpr(retort.Excluded(UserName)), UserAge.ToExpr(retort.Add(UserAge, retort.Val[int32](1))), UserLevel.To(5)).SQL},
	{"upsert without generated key", "a composite key: no key to return",
		retort.Insert(Taggings, &Tagging{OrderID: 1, Tag: "red", Weight: 2}).OnConflict(TaggingOrder, TaggingTag).
			DoUpdateSet(TaggingWeight.ToExpr(retort.Add(TaggingWeight, retort.Excluded(TaggingWeight)))).SQL},
	{"upsert any conflict", "DO NOTHING without conflict columns", retort.Insert(Taggings, &Tagging{OrderID: 1, Tag: "red"}).OnConflict().DoNothing().SQL},
	{"update returning objects", "RETURNING every column", retort.Update(Users).Set(UserAge.To(1)).Where(UserName.Eq("bob")).Returning().SQL},
	{"update returning rows", "RETURNING typed expressions",
		retort.Returning2(retort.Update(Users).Set(UserAge.ToExpr(retort.Add(UserAge, retort.Val[int32](1)))), UserID, UserAge).SQL},
	{"delete returning", "RETURNING one column", retort.Returning1(retort.Delete(Orders).Where(OrderTotal.Lt(retort.MustDecimal("1"))), OrderID).SQL},

	// Errors reported when the statement is built.
	{"error: table not in FROM", "a predicate on orders in a query of users", retort.Select(Users).Where(OrderTotal.Gt(retort.MustDecimal("1"))).SQL},
	{"error: projected column not in FROM", "the FROM clause is users", retort.Select2(UserName, OrderID).From(Users).SQL},
	{"error: join condition ahead of its table", "a join condition may not use a table joined later",
		retort.Select1(UserName).From(Users).Join(Orders, TaggingOrder.EqCol(OrderID)).Join(Taggings, TaggingOrder.EqCol(OrderID)).SQL},
	{"error: update of another table", "the WHERE of an UPDATE of users names orders",
		retort.Update(Users).Set(UserAge.To(1)).Where(OrderID.Eq(1)).SQL},
	{"error: no foreign key", "users and employee are not related", retort.Select(Users).JoinFK(Employees).SQL},
	{"error: two foreign keys", "left_side and right_side reference each other", retort.Select(Lefts).JoinFK(Rights).SQL},
	{"error: table twice", "a self-join needs an alias", retort.Select(Employees).Join(Employees, EmpManager.EqCol(EmpID)).SQL},
	{"error: ordered part of a union", "order the whole instead",
		retort.Select1(UserName).OrderBy(UserName.Asc()).Union(retort.Select1(EmpName)).SQL},
	{"error: do update without columns", "DO UPDATE needs a conflict target",
		retort.Insert(Users, &User{Name: "x"}).OnConflict().DoUpdateSet(UserAge.To(1)).SQL},
	{"error: lock with group by", "PostgreSQL cannot lock grouped rows",
		retort.Select2(UserName, retort.Count()).GroupBy(UserName).ForUpdate().SQL},
}

type userStat struct {
	Name   string
	Orders int64
}

func TestGoldenExpressions(t *testing.T) {
	for _, d := range dialects {
		var b strings.Builder
		for _, c := range exprCases {
			sql, args, err := c.build(d)
			wantErr := strings.HasPrefix(c.name, "error: ")
			switch {
			case err != nil && (wantErr || isSQLiteLock(d, c.name)):
				fmt.Fprintf(&b, "-- %s: %s\n-- error: %v\n\n", c.name, c.why, err)
			case err != nil:
				t.Errorf("%s (%s): %v", c.name, d, err)
			case wantErr:
				t.Errorf("%s (%s): built without an error:\n%s", c.name, d, sql)
			default:
				fmt.Fprintf(&b, "-- %s: %s\n%s\n-- args: %s\n\n", c.name, c.why, sql, formatArgs(args))
			}
		}
		golden(t, "expr_"+d.String()+".sql", b.String())
	}
}

// isSQLiteLock reports whether case name is a lock, which SQLite refuses.
func isSQLiteLock(d retort.Dialect, name string) bool {
	return d == retort.SQLite && (name == "for update" || name == "skip locked" || name == "nowait")
}

var _ = time.Time{}
