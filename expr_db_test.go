package retort_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

// exFixture inserts the sample users, their orders and taggings, and a
// three-level employee tree.
type exFixture struct {
	users  []*User // ann, bob, Béa
	orders []*Order
	emps   []*Employee // boss, mid (reports to boss), leaf (reports to mid)
}

func exSetup(t *testing.T, env *dbtest.Env) exFixture {
	t.Helper()
	ctx := context.Background()
	env.Create(t, allTables...)
	f := exFixture{users: sampleUsers()}
	if err := retort.Insert(Users, f.users...).Exec(ctx, env.DB); err != nil {
		t.Fatal(err)
	}
	ann, bob := f.users[0], f.users[1]
	f.orders = []*Order{
		{UserID: ann.ID, Total: retort.MustDecimal("5.00")},
		{UserID: ann.ID, Total: retort.MustDecimal("20.00"), Note: ptr("gift")},
		{UserID: bob.ID, Total: retort.MustDecimal("7.25")},
	}
	if err := retort.Insert(Orders, f.orders...).Exec(ctx, env.DB); err != nil {
		t.Fatal(err)
	}
	tags := []*Tagging{{OrderID: f.orders[0].ID, Tag: "red", Weight: 1}, {OrderID: f.orders[1].ID, Tag: "red", Weight: 2}, {OrderID: f.orders[1].ID, Tag: "big", Weight: 3}}
	if err := retort.Insert(Taggings, tags...).Exec(ctx, env.DB); err != nil {
		t.Fatal(err)
	}
	boss := &Employee{ID: 1, Name: "boss"}
	mid := &Employee{ID: 2, Name: "mid", ManagerID: ptr[int32](1)}
	leaf := &Employee{ID: 3, Name: "leaf", ManagerID: ptr[int32](2)}
	f.emps = []*Employee{boss, mid, leaf}
	if err := retort.Insert(Employees, f.emps...).Exec(ctx, env.DB); err != nil {
		t.Fatal(err)
	}
	env.Count.Reset()
	return f
}

// result is a value and an error, so that try(q.All(ctx, db)).must(t) reads a
// result in one expression.
type result[V any] struct {
	v   V
	err error
}

func try[V any](v V, err error) result[V] { return result[V]{v, err} }

// must returns the value, failing the test on an error.
func (r result[V]) must(t *testing.T) V {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

func userNames(us []*User) []string {
	out := []string{}
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}

func TestExprJoins(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		f := exSetup(t, env)
		ann, bob, bea := f.users[0], f.users[1], f.users[2]

		got := try(retort.Select(Users).Join(Orders, OrderUserID.EqCol(UserID)).Where(OrderTotal.Gt(retort.MustDecimal("6"))).
			Distinct().OrderBy(UserID.Asc()).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]string{"ann", "bob"}, userNames(got)); diff != "" {
			t.Errorf("join (-want +got):\n%s", diff)
		}
		// Whole objects come back complete through a join.
		if diff := cmp.Diff(ann, got[0], cmpOpts); diff != "" {
			t.Errorf("joined object (-want +got):\n%s", diff)
		}
		n := try(retort.Select(Users).JoinFK(Orders).Count(ctx, env.DB)).must(t)
		if n != 3 {
			t.Errorf("count of joined rows = %d, want 3", n)
		}
		n = try(retort.Select(Users).JoinFK(Orders).Distinct().Count(ctx, env.DB)).must(t)
		if n != 2 {
			t.Errorf("count of distinct joined users = %d, want 2", n)
		}

		// A projection takes columns of both tables; a left join reads the
		// missing side as nil.
		rows := try(retort.Select2(UserName, retort.Nullable(OrderTotal)).From(Users).LeftJoinFK(Orders).
			OrderBy(UserID.Asc(), OrderID.Asc()).All(ctx, env.DB)).must(t)
		want := []retort.Row2[string, *retort.Decimal]{
			{"ann", ptr(retort.MustDecimal("5"))}, {"ann", ptr(retort.MustDecimal("20"))}, {"bob", ptr(retort.MustDecimal("7.25"))}, {bea.Name, nil},
		}
		if diff := cmp.Diff(want, rows, cmpOpts); diff != "" {
			t.Errorf("left join (-want +got):\n%s", diff)
		}

		// Three tables along their foreign keys.
		tags := try(retort.Select2(UserName, TaggingTag).From(Users).JoinFK(Orders).JoinFK(Taggings).
			Where(TaggingWeight.Ge(2)).OrderBy(TaggingTag.Asc()).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]retort.Row2[string, string]{{"ann", "big"}, {"ann", "red"}}, tags); diff != "" {
			t.Errorf("three tables (-want +got):\n%s", diff)
		}

		// Self-joins through aliases, both directions.
		m := retort.Alias(Employees, "m")
		managers := try(retort.Select2(EmpName, retort.Aliased(m, EmpName)).From(Employees).JoinFK(m).OrderBy(EmpID.Asc()).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]retort.Row2[string, string]{{"mid", "boss"}, {"leaf", "mid"}}, managers); diff != "" {
			t.Errorf("employee and manager (-want +got):\n%s", diff)
		}
		s := retort.Alias(Employees, "s")
		subs := try(retort.Select2(EmpName, retort.CountOf(retort.Aliased(s, EmpID))).From(Employees).
			LeftJoin(s, retort.Aliased(s, EmpManager).EqCol(EmpID)).GroupBy(EmpID, EmpName).OrderBy(EmpID.Asc()).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]retort.Row2[string, int64]{{"boss", 1}, {"mid", 1}, {"leaf", 0}}, subs); diff != "" {
			t.Errorf("subordinate counts (-want +got):\n%s", diff)
		}
		bosses := try(retort.Select(m).Join(Employees, EmpManager.EqCol(retort.Aliased(m, EmpID))).Where(EmpName.Eq("leaf")).All(ctx, env.DB)).must(t)
		if len(bosses) != 1 || bosses[0].Name != "mid" {
			t.Errorf("Select of an alias joined to its table: %+v", bosses)
		}
		_ = bob
	})
}

func TestExprFunctions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		exSetup(t, env)

		arith := try(retort.Select4(UserName, retort.Add(UserAge, retort.Val[int32](1)), retort.Div(UserAge, retort.Val[int32](2)), retort.Mul(UserScore, retort.Val(2.0))).
			Where(retort.Gt(retort.Sub(UserAge, retort.Val[int32](30)), retort.Val[int32](0))).OrderBy(UserID.Asc()).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]retort.Row4[string, int32, int32, float64]{{"ann", 42, 20, 19}, {"Béa", 36, 17, 0}}, arith); diff != "" {
			t.Errorf("arithmetic (-want +got):\n%s", diff)
		}

		strs := try(retort.Select4(retort.Upper(UserName), retort.Length(UserName), retort.Coalesce(UserNick, UserEmail, retort.Val("-")), retort.Concat(retort.Lower(UserName), retort.Val("!"))).
			OrderBy(UserID.Asc()).All(ctx, env.DB)).must(t)
		// SQLite's upper and lower change ASCII letters only.
		wantStrs := []retort.Row4[string, int64, string, string]{
			{"ANN", 3, "ann@example.com", "ann!"}, {"BOB", 3, "bobby", "bob!"}, {"BéA", 3, "bea@example.com", "béa!"},
		}
		if env.Dialect == retort.Postgres {
			wantStrs[2].A = "BÉA"
		}
		if diff := cmp.Diff(wantStrs, strs); diff != "" {
			t.Errorf("string functions (-want +got):\n%s", diff)
		}

		kinds := try(retort.Select2(UserName, retort.Case(retort.When(UserAge.Lt(30), retort.Val("young")), retort.When(UserAge.Lt(40), retort.Val("middle"))).Else(retort.Val("old"))).
			OrderBy(UserID.Asc()).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]retort.Row2[string, string]{{"ann", "old"}, {"bob", "young"}, {"Béa", "middle"}}, kinds); diff != "" {
			t.Errorf("case (-want +got):\n%s", diff)
		}
		noElse := try(retort.Select1(retort.Nullable(retort.Case(retort.When(UserAge.Lt(30), retort.Val[int64](1))))).OrderBy(UserID.Asc()).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]*int64{nil, ptr[int64](1), nil}, noElse); diff != "" {
			t.Errorf("case without else (-want +got):\n%s", diff)
		}

		escaped := try(retort.Select2(UserName, retort.SQL[int64](`"users"."age" * ? + ?`, 2, 1)).Where(retort.SQL[bool](`"users"."name" <> ?`, "bob")).OrderBy(UserID.Asc()).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]retort.Row2[string, int64]{{"ann", 83}, {"Béa", 71}}, escaped); diff != "" {
			t.Errorf("escape hatch (-want +got):\n%s", diff)
		}

		cmps := try(retort.Select1(UserName).Where(retort.Eq(retort.Lower(UserName), retort.Val("béa"))).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]string{"Béa"}, cmps); diff != "" {
			t.Errorf("Eq of expressions (-want +got):\n%s", diff)
		}
		cmps = try(retort.Select1(UserName).Where(retort.Ne(UserName, retort.Val("ann")), retort.Le(UserAge, retort.Val[int32](35)), retort.Ge(UserAge, retort.Val[int32](29)),
			retort.Lt(UserJoined, retort.Val(time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)))).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]string{"Béa"}, cmps); diff != "" {
			t.Errorf("comparisons of expressions (-want +got):\n%s", diff)
		}
		dec := try(retort.Select1(UserName).Where(retort.Gt(UserBalance, retort.ValAs(retort.MustDecimal("1.50"), retort.Numeric(12, 2))), retort.IsNotNull(UserEmail), retort.IsNull(UserNick)).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]string{"ann"}, dec); diff != "" {
			t.Errorf("decimal literal and IS NULL (-want +got):\n%s", diff)
		}
		lits := try(retort.Select4(retort.Val(int64(7)), retort.Val("x"), retort.Val(true), retort.Val(retort.MustDecimal("2.50"))).One(ctx, env.DB)).must(t)
		if diff := cmp.Diff(retort.Row4[int64, string, bool, retort.Decimal]{7, "x", true, retort.MustDecimal("2.5")}, lits, cmpOpts); diff != "" {
			t.Errorf("literals (-want +got):\n%s", diff)
		}
		mod := try(retort.Select2(retort.Mod(UserAge, retort.Val[int32](10)), retort.Abs(UserScore)).Where(UserName.Eq("bob")).One(ctx, env.DB)).must(t)
		if diff := cmp.Diff(retort.Row2[int32, float64]{9, 1.25}, mod); diff != "" {
			t.Errorf("mod, abs (-want +got):\n%s", diff)
		}
	})
}

func TestExprAggregates(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		exSetup(t, env)

		agg := try(retort.Select5(retort.Count(), retort.CountDistinct(UserLevel), retort.Sum(UserAge), retort.Avg(UserAge), retort.Max(UserJoined)).From(Users).One(ctx, env.DB)).must(t)
		want := retort.Row5[int64, int64, int64, float64, time.Time]{3, 2, 105, 35, time.Date(2021, 6, 7, 8, 9, 10, 0, time.UTC)}
		if diff := cmp.Diff(want, agg, cmpOpts); diff != "" {
			t.Errorf("aggregates (-want +got):\n%s", diff)
		}
		more := try(retort.Select5(retort.CountOf(UserEmail), retort.SumFloat(UserScore), retort.SumDecimal(UserBalance), retort.Min(UserBalance), retort.Min(UserName)).One(ctx, env.DB)).must(t)
		wantMore := retort.Row5[int64, float64, retort.Decimal, retort.Decimal, string]{2, 8.25, retort.MustDecimal("1234.49"), retort.MustDecimal("-0.01"), "Béa"}
		if diff := cmp.Diff(wantMore, more, cmpOpts); diff != "" {
			t.Errorf("more aggregates (-want +got):\n%s", diff)
		}
		avgDec := try(retort.Select1(retort.AvgDecimal(OrderTotal)).One(ctx, env.DB)).must(t)
		if want := retort.MustDecimal("10.75"); !avgDec.Equal(want) {
			t.Errorf("AvgDecimal = %s, want %s", avgDec, want)
		}
		// A mean with more fraction digits than a Decimal holds (PostgreSQL
		// gives 411.49666666666666666667) is rounded to the column's scale,
		// or, unconstrained, to as many digits as fit.
		avgBal := try(retort.Select2(retort.AvgDecimal(UserBalance), retort.AvgDecimal(retort.SQLAs(retort.Numeric(0, 0), `"users"."balance" / 3`))).From(Users).One(ctx, env.DB)).must(t)
		if want := retort.MustDecimal("411.50"); !avgBal.A.Equal(want) {
			t.Errorf("AvgDecimal(balance) = %s, want %s", avgBal.A, want)
		}
		if want := retort.MustDecimal("137.165555555555556"); env.Dialect == retort.Postgres && !avgBal.B.Equal(want) {
			t.Errorf("AvgDecimal(balance / 3) = %s, want %s", avgBal.B, want)
		}

		type stat struct {
			Name   string
			Orders int64
			Total  retort.Decimal
		}
		stats := try(retort.SelectInto(
			retort.Into(UserName, func(s *stat) *string { return &s.Name }),
			retort.Into(retort.Count(), func(s *stat) *int64 { return &s.Orders }),
			retort.Into(retort.SumDecimal(OrderTotal), func(s *stat) *retort.Decimal { return &s.Total }),
		).From(Users).JoinFK(Orders).GroupBy(UserName).Having(retort.Gt(retort.Count(), retort.Val[int64](0))).OrderBy(retort.Desc(retort.Count())).All(ctx, env.DB)).must(t)
		wantStats := []stat{{"ann", 2, retort.MustDecimal("25")}, {"bob", 1, retort.MustDecimal("7.25")}}
		if diff := cmp.Diff(wantStats, stats, cmpOpts); diff != "" {
			t.Errorf("group by into a struct (-want +got):\n%s", diff)
		}
		having := try(retort.Select2(OrderUserID, retort.Count()).GroupBy(OrderUserID).Having(retort.Gt(retort.Count(), retort.Val[int64](1))).All(ctx, env.DB)).must(t)
		if len(having) != 1 || having[0].B != 2 {
			t.Errorf("having: %+v", having)
		}
		levels := try(retort.Select1(UserLevel).Distinct().OrderBy(UserLevel.Asc()).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]int8{1, 3}, levels); diff != "" {
			t.Errorf("distinct (-want +got):\n%s", diff)
		}

		// Over no rows: NULL is an error unless asked for.
		none := UserAge.Gt(100)
		_, err := retort.Select1(retort.Max(UserAge)).Where(none).One(ctx, env.DB)
		if !errors.Is(err, retort.ErrNullValue) || !strings.Contains(err.Error(), "Nullable") {
			t.Errorf("max over no rows: %v, want ErrNullValue naming Nullable", err)
		}
		empty := try(retort.Select3(retort.Nullable(retort.Max(UserAge)), retort.Coalesce(retort.Sum(UserAge), retort.Val[int64](0)), retort.Count()).Where(none).One(ctx, env.DB)).must(t)
		if empty.A != nil || empty.B != 0 || empty.C != 0 {
			t.Errorf("aggregates over no rows: %+v", empty)
		}
		if _, err := retort.Select1(UserName).Where(none).One(ctx, env.DB); !errors.Is(err, retort.ErrNoRows) {
			t.Errorf("One of nothing: %v", err)
		}
		if _, err := retort.Select1(UserName).One(ctx, env.DB); !errors.Is(err, retort.ErrTooManyRows) {
			t.Errorf("One of three: %v", err)
		}
		first := try(retort.Select1(UserName).OrderBy(UserAge.Desc()).First(ctx, env.DB)).must(t)
		if first != "ann" {
			t.Errorf("First = %q", first)
		}
		seen := 0
		for name, err := range retort.Select1(UserName).Iter(ctx, env.DB) {
			if err != nil || name == "" {
				t.Fatalf("Iter: %q, %v", name, err)
			}
			seen++
			break
		}
		if seen != 1 {
			t.Errorf("Iter stopped after %d rows", seen)
		}
	})
}

func TestExprSubqueries(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		exSetup(t, env)
		names := func(q *retort.SelectQuery[User]) []string {
			t.Helper()
			return userNames(try(q.OrderBy(UserID.Asc()).All(ctx, env.DB)).must(t))
		}
		cases := []struct {
			name string
			q    *retort.SelectQuery[User]
			want []string
		}{
			{"in", retort.Select(Users).Where(retort.In(UserID, retort.Select1(OrderUserID).Where(OrderTotal.Gt(retort.MustDecimal("6"))))), []string{"ann", "bob"}},
			{"not in", retort.Select(Users).Where(retort.NotIn(UserID, retort.Select1(OrderUserID))), []string{"Béa"}},
			{"exists", retort.Select(Users).Where(retort.Exists(retort.Select(Orders).Where(OrderUserID.EqCol(UserID), OrderNote.IsNotNull()))), []string{"ann"}},
			{"not exists", retort.Select(Users).Where(retort.NotExists(retort.Select1(OrderID).Where(OrderUserID.EqCol(UserID)))), []string{"Béa"}},
			{"scalar in a predicate", retort.Select(Users).Where(retort.Ge(retort.Scalar(retort.Select1(retort.Count()).From(Orders).Where(OrderUserID.EqCol(UserID))), retort.Val[int64](1))), []string{"ann", "bob"}},
			{"in a union", retort.Select(Users).Where(retort.Exists(retort.Select1(OrderID).Where(OrderUserID.EqCol(UserID)).Union(retort.Select1(TaggingOrder).Where(TaggingTag.Eq("none"))))), []string{"ann", "bob"}},
		}
		for _, c := range cases {
			if diff := cmp.Diff(c.want, names(c.q)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.name, diff)
			}
		}

		n := retort.Scalar(retort.Select1(retort.Count()).From(Orders).Where(OrderUserID.EqCol(UserID)))
		counts := try(retort.Select2(UserName, n).OrderBy(UserID.Asc()).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]retort.Row2[string, int64]{{"ann", 2}, {"bob", 1}, {"Béa", 0}}, counts); diff != "" {
			t.Errorf("scalar in a projection (-want +got):\n%s", diff)
		}
		biggest := retort.Scalar(retort.Select1(retort.Max(OrderTotal)).From(Orders).Where(OrderUserID.EqCol(UserID)))
		maxes := try(retort.Select2(UserName, retort.Nullable(biggest)).OrderBy(UserID.Asc()).All(ctx, env.DB)).must(t)
		if maxes[0].B == nil || !maxes[0].B.Equal(retort.MustDecimal("20")) || maxes[2].B != nil {
			t.Errorf("nullable scalar: %+v", maxes)
		}

		tbl, uid, cnt := retort.Derived2(retort.Select2(OrderUserID, retort.Count()).GroupBy(OrderUserID), "t")
		derived := try(retort.Select2(UserName, cnt).From(Users).Join(tbl, UserID.EqCol(uid)).Where(retort.Gt(cnt, retort.Val[int64](1))).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]retort.Row2[string, int64]{{"ann", 2}}, derived); diff != "" {
			t.Errorf("derived table (-want +got):\n%s", diff)
		}
		_, total := retort.Derived1(retort.Select1(retort.SumDecimal(OrderTotal)), "s")
		sum := try(retort.Select1(total).One(ctx, env.DB)).must(t) // FROM the derived table, found from its column
		if !sum.Equal(retort.MustDecimal("32.25")) {
			t.Errorf("derived sum = %s", sum)
		}
		// A wrong subquery is an error before any SQL is sent.
		env.Count.Reset()
		_, err := retort.Select(Users).Where(retort.In(UserID, retort.Select1(OrderUserID).From(Users))).All(ctx, env.DB)
		if err == nil || !strings.Contains(err.Error(), `"orders"."user_id"`) || env.Count.RoundTrips() != 0 {
			t.Errorf("subquery on the wrong table: %v after %d round trips", err, env.Count.RoundTrips())
		}
	})
}

func TestExprSetOperations(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		exSetup(t, env)
		people := retort.Select1(UserName)
		staff := retort.Select1(EmpName)
		bobs := retort.Select1(retort.Val("bob"))
		check := func(name string, q *retort.SetQuery[string], want []string) {
			t.Helper()
			got := try(q.OrderBy(retort.Asc(retort.Position(1))).All(ctx, env.DB)).must(t)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", name, diff)
			}
		}
		check("union", people.Union(staff).Union(bobs), []string{"Béa", "ann", "bob", "boss", "leaf", "mid"})
		check("union all", people.UnionAll(bobs).UnionAll(bobs), []string{"Béa", "ann", "bob", "bob", "bob"})
		check("intersect", people.Intersect(bobs), []string{"bob"})
		check("except", people.Except(bobs), []string{"Béa", "ann"})
		// Left to right on both databases: (people ∪ staff) ∩ bobs.
		check("union then intersect", people.Union(staff).Intersect(bobs), []string{"bob"})
		check("except then union", people.Except(bobs).Union(bobs), []string{"Béa", "ann", "bob"})

		pairs := try(retort.Select2(UserName, UserAge).Where(UserAge.Lt(30)).Union(retort.Select2(EmpName, EmpID)).
			OrderBy(retort.Desc(retort.Position(2))).Limit(2).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]retort.Row2[string, int32]{{"bob", 29}, {"leaf", 3}}, pairs); diff != "" {
			t.Errorf("union of rows, ordered and limited (-want +got):\n%s", diff)
		}
		byName := try(people.Union(staff).OrderBy(UserName.Desc()).First(ctx, env.DB)).must(t)
		if byName != "mid" {
			t.Errorf("union ordered by column name: first = %q", byName)
		}
	})
}

func TestExprLocking(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		f := exSetup(t, env)
		if env.Dialect == retort.SQLite {
			for _, q := range []*retort.SelectQuery[Order]{retort.Select(Orders).ForUpdate(), retort.Select(Orders).SkipLocked(), retort.Select(Orders).NoWait()} {
				_, err := q.All(ctx, env.DB)
				if err == nil || !strings.Contains(err.Error(), "not supported by SQLite") {
					t.Errorf("lock on SQLite: %v", err)
				}
			}
			if _, err := retort.Select1(OrderID).ForUpdate().All(ctx, env.DB); err == nil {
				t.Error("projection lock on SQLite: no error")
			}
			if n := env.Count.RoundTrips(); n != 0 {
				t.Errorf("%d round trips for statements that cannot be built", n)
			}
			return
		}
		tx1 := try(env.DB.Begin(ctx)).must(t)
		defer tx1.Rollback(ctx)
		first := try(retort.Select(Orders).OrderBy(OrderID.Asc()).Limit(1).ForUpdate().One(ctx, tx1)).must(t)
		if first.ID != f.orders[0].ID {
			t.Fatalf("locked order %d, want %d", first.ID, f.orders[0].ID)
		}
		tx2 := try(env.DB.Begin(ctx)).must(t)
		defer tx2.Rollback(ctx)
		// A queue worker skips the locked row and takes the next one.
		next := try(retort.Select(Orders).OrderBy(OrderID.Asc()).Limit(1).SkipLocked().One(ctx, tx2)).must(t)
		if next.ID != f.orders[1].ID {
			t.Errorf("SKIP LOCKED took order %d, want %d", next.ID, f.orders[1].ID)
		}
		ids := try(retort.Select1(OrderID).OrderBy(OrderID.Asc()).SkipLocked().All(ctx, tx2)).must(t)
		if diff := cmp.Diff([]int64{f.orders[1].ID, f.orders[2].ID}, ids); diff != "" {
			t.Errorf("projection SKIP LOCKED (-want +got):\n%s", diff)
		}
		tx3 := try(env.DB.Begin(ctx)).must(t)
		defer tx3.Rollback(ctx)
		_, err := retort.Select(Orders).Where(OrderID.Eq(first.ID)).NoWait().All(ctx, tx3)
		if err == nil || !strings.Contains(err.Error(), "lock") {
			t.Errorf("NOWAIT on a locked row: %v, want a lock error", err)
		}
		shared := try(retort.Select1(UserName).Where(UserID.Eq(f.users[0].ID)).ForShare().One(ctx, tx2)).must(t)
		if shared != "ann" {
			t.Errorf("FOR SHARE read %q", shared)
		}
	})
}

func TestExprUpsert(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		f := exSetup(t, env)
		ann := f.users[0]

		// DO NOTHING: the duplicate is skipped and keeps a zero key, the new
		// ones get theirs, on both sides of the duplicate.
		dup := &User{Avatar: []byte{}, Name: "ann2", Email: ptr("ann@example.com")}
		fresh1 := &User{Avatar: []byte{}, Name: "dan", Email: ptr("dan@example.com")}
		fresh2 := &User{Avatar: []byte{}, Name: "eve", Email: ptr("eve@example.com")}
		env.Count.Reset()
		if err := retort.Insert(Users, fresh1, dup, fresh2).OnConflict(UserEmail).DoNothing().Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if env.Dialect == retort.Postgres && env.Count.RoundTrips() != 1 {
			t.Errorf("upsert of 3 rows took %d round trips on PostgreSQL, want 1", env.Count.RoundTrips())
		}
		if dup.ID != 0 {
			t.Errorf("skipped object got key %d, want 0", dup.ID)
		}
		for _, u := range []*User{fresh1, fresh2} {
			got := try(retort.Select1(UserName).Where(UserID.Eq(u.ID)).One(ctx, env.DB)).must(t)
			if got != u.Name {
				t.Errorf("key %d of %s reads back %q", u.ID, u.Name, got)
			}
		}
		if name := try(retort.Select1(UserName).Where(UserEmail.Eq("ann@example.com")).One(ctx, env.DB)).must(t); name != "ann" {
			t.Errorf("DO NOTHING changed the existing row: %q", name)
		}

		// DO UPDATE: the existing row takes the new name and adds the ages;
		// the object receives the existing row's key.
		again := &User{Avatar: []byte{}, Name: "anne", Email: ptr("ann@example.com"), Age: 1}
		newer := &User{Avatar: []byte{}, Name: "fay", Email: ptr("fay@example.com"), Age: 20}
		if err := retort.Insert(Users, newer, again).OnConflict(UserEmail).
			DoUpdateSet(UserName.ToExpr(retort.Excluded(UserName)), UserAge.ToExpr(retort.Add(UserAge, retort.Excluded(UserAge)))).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if again.ID != ann.ID {
			t.Errorf("updated object got key %d, want the existing row's %d", again.ID, ann.ID)
		}
		row := try(retort.Select2(UserName, UserAge).Where(UserID.Eq(ann.ID)).One(ctx, env.DB)).must(t)
		if diff := cmp.Diff(retort.Row2[string, int32]{"anne", 42}, row); diff != "" {
			t.Errorf("updated row (-want +got):\n%s", diff)
		}
		if newer.ID == 0 || newer.ID == ann.ID {
			t.Errorf("inserted object got key %d", newer.ID)
		}
		if n := try(retort.Select(Users).Count(ctx, env.DB)).must(t); n != 6 {
			t.Errorf("%d users after the upserts, want 6", n)
		}

		// No generated key: a composite primary key.
		o := f.orders[0].ID
		if err := retort.Insert(Taggings, &Tagging{OrderID: o, Tag: "red", Weight: 10}, &Tagging{OrderID: o, Tag: "new", Weight: 4}).
			OnConflict(TaggingOrder, TaggingTag).DoUpdateSet(TaggingWeight.ToExpr(retort.Add(TaggingWeight, retort.Excluded(TaggingWeight)))).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if err := retort.Insert(Taggings, &Tagging{OrderID: o, Tag: "new", Weight: 99}).OnConflict().DoNothing().Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		weights := try(retort.Select2(TaggingTag, TaggingWeight).Where(TaggingOrder.Eq(o)).OrderBy(TaggingTag.Asc()).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]retort.Row2[string, uint16]{{"new", 4}, {"red", 11}}, weights); diff != "" {
			t.Errorf("composite-key upsert (-want +got):\n%s", diff)
		}

		// An upsert that fails leaves generated keys zero.
		bad := &User{Avatar: []byte{}, Name: "gus", Email: ptr("gus@example.com")}
		clash := &User{Avatar: []byte{}, Name: "hal", Email: ptr("hal@example.com"), ID: ann.ID} // primary key clash, not covered
		if err := retort.Insert(Users, bad, clash).OnConflict(UserEmail).DoNothing().Exec(ctx, env.DB); err == nil {
			t.Error("primary-key clash not reported")
		}
		if bad.ID != 0 {
			t.Errorf("failed upsert left key %d", bad.ID)
		}
		if n := try(retort.Select(Users).Where(UserName.Eq("gus")).Count(ctx, env.DB)).must(t); n != 0 {
			t.Errorf("failed upsert inserted %d rows", n)
		}
	})
}

// TestUpsertItems runs upserts through Items and RunItems, as a program
// batching its own statements does: the ON CONFLICT clause goes with them
// (it used to be dropped, making a plain INSERT) and keys come back as Exec
// writes them.
func TestUpsertItems(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		f := exSetup(t, env)
		ann := f.users[0]
		run := func(q *retort.InsertQuery[User]) {
			t.Helper()
			items, err := q.Items(env.DB.Dialect())
			if err != nil {
				t.Fatal(err)
			}
			if err := retort.RunItems(ctx, env.DB, items); err != nil {
				t.Fatal(err)
			}
		}
		dup := &User{Avatar: []byte{}, Name: "ann2", Email: ptr("ann@example.com")}
		fresh := &User{Avatar: []byte{}, Name: "dan", Email: ptr("dan@example.com")}
		run(retort.Insert(Users, dup).OnConflict(UserEmail).DoNothing())
		run(retort.Insert(Users, fresh, dup).OnConflict(UserEmail).DoNothing())
		if dup.ID != 0 || fresh.ID == 0 {
			t.Errorf("DO NOTHING: keys %d (skipped, want 0) and %d (inserted)", dup.ID, fresh.ID)
		}
		again := &User{Avatar: []byte{}, Name: "anne", Email: ptr("ann@example.com"), Age: 1}
		run(retort.Insert(Users, again).OnConflict(UserEmail).DoUpdateSet(UserName.ToExpr(retort.Excluded(UserName))))
		if again.ID != ann.ID {
			t.Errorf("DO UPDATE: key %d, want the existing row's %d", again.ID, ann.ID)
		}
		names := try(retort.Select1(UserName).OrderBy(UserID.Asc()).All(ctx, env.DB)).must(t)
		want := []string{"anne"}
		for _, u := range f.users[1:] {
			want = append(want, u.Name)
		}
		want = append(want, "dan")
		if diff := cmp.Diff(want, names); diff != "" {
			t.Errorf("names (-want +got):\n%s", diff)
		}
	})
}

func TestExprReturning(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		f := exSetup(t, env)
		updated := try(retort.Update(Users).Set(UserAge.ToExpr(retort.Add(UserAge, retort.Val[int32](1)))).Where(UserAge.Gt(30)).Returning().All(ctx, env.DB)).must(t)
		if len(updated) != 2 {
			t.Fatalf("update returned %d objects", len(updated))
		}
		for _, u := range updated {
			want := *f.users[0]
			if u.Name == "Béa" {
				want = *f.users[2]
			}
			want.Age++
			if diff := cmp.Diff(&want, u, cmpOpts); diff != "" {
				t.Errorf("returned object (-want +got):\n%s", diff)
			}
		}
		rows := try(retort.Returning2(retort.Update(Users).Set(UserNick.To("x")).Where(UserName.Eq("bob")), UserID, retort.Upper(UserNick)).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]retort.Row2[int64, string]{{f.users[1].ID, "X"}}, rows); diff != "" {
			t.Errorf("update returning rows (-want +got):\n%s", diff)
		}
		if _, err := retort.Delete(Taggings).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		gone := try(retort.Returning1(retort.Delete(Orders).Where(OrderTotal.Lt(retort.MustDecimal("10"))), OrderID).All(ctx, env.DB)).must(t)
		if len(gone) != 2 {
			t.Errorf("delete returned %v", gone)
		}
		order := try(retort.Delete(Orders).Returning().One(ctx, env.DB)).must(t)
		if diff := cmp.Diff(f.orders[1], order, cmpOpts); diff != "" {
			t.Errorf("deleted object (-want +got):\n%s", diff)
		}
		three := try(retort.Returning3(retort.Update(Employees).Set(EmpName.To("top")).Where(EmpManager.IsNull()), EmpID, EmpName, retort.Nullable(EmpManager)).One(ctx, env.DB)).must(t)
		if diff := cmp.Diff(retort.Row3[int32, string, *int32]{1, "top", nil}, three); diff != "" {
			t.Errorf("returning three (-want +got):\n%s", diff)
		}
		env.Count.Reset()
		if _, err := retort.Returning1(retort.Delete(Users), OrderID).All(ctx, env.DB); err == nil || env.Count.RoundTrips() != 0 {
			t.Errorf("RETURNING a column of another table: %v after %d round trips", err, env.Count.RoundTrips())
		}
	})
}

// TestExprBuildErrors checks that what the compiler cannot check fails
// before any SQL is sent.
func TestExprBuildErrors(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		exSetup(t, env)
		runs := []struct {
			name, want string
			run        func() error
		}{
			{"predicate on a table not in FROM", `refers to table "orders", which is not in the FROM clause`, func() error {
				_, err := retort.Select(Users).Where(OrderTotal.Gt(retort.MustDecimal("1"))).All(ctx, env.DB)
				return err
			}},
			{"projection of a table not in FROM", `"orders"."id" refers to table "orders"`, func() error {
				_, err := retort.Select2(UserName, OrderID).From(Users).All(ctx, env.DB)
				return err
			}},
			{"count with a foreign predicate", `"orders"`, func() error {
				_, err := retort.Select(Users).Where(OrderID.Eq(1)).Count(ctx, env.DB)
				return err
			}},
			{"update with a foreign predicate", `update "users"`, func() error {
				_, err := retort.Update(Users).Set(UserAge.To(1)).Where(OrderID.Eq(1)).Exec(ctx, env.DB)
				return err
			}},
			{"delete with a foreign predicate", `delete from "users"`, func() error {
				_, err := retort.Delete(Users).Where(EmpID.Eq(1)).Exec(ctx, env.DB)
				return err
			}},
			{"join without a foreign key", "there is none", func() error {
				_, err := retort.Select(Users).JoinFK(Employees).All(ctx, env.DB)
				return err
			}},
			{"join with two foreign keys", "2 could be meant", func() error {
				_, err := retort.Select(Lefts).JoinFK(Rights).All(ctx, env.DB)
				return err
			}},
			{"a table twice", "appears twice", func() error {
				_, err := retort.Select(Employees).Join(Employees, EmpManager.EqCol(EmpID)).All(ctx, env.DB)
				return err
			}},
			{"upsert setting another table's expression", `"employee"`, func() error {
				return retort.Insert(Users, &User{Avatar: []byte{}, Name: "x"}).OnConflict(UserEmail).DoUpdateSet(UserName.ToExpr(EmpName)).Exec(ctx, env.DB)
			}},
		}
		for _, r := range runs {
			err := r.run()
			if err == nil || !strings.Contains(err.Error(), r.want) {
				t.Errorf("%s: %v, want an error containing %q", r.name, err, r.want)
			}
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("%d round trips for statements that cannot be built", n)
		}
	})
}

// TestLongInList matches a column against 40,000 values, more than the
// 32,766 variables SQLite allows in a statement: SQLite receives such a
// list as one JSON array (json_each), PostgreSQL as one array parameter.
// Strings that JSON must escape match as they are; a list JSON cannot carry
// unchanged (a string with NUL) goes as variables, one a value.
func TestLongInList(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		createAlways(t, env, "bigint GENERATED BY DEFAULT AS IDENTITY")
		codes := []string{`plain`, `"quoted"`, `back\slash`, "tab\tnew\nline\x01", `é中🙂`, `\u0041`, "del\x7f", `]`, `,`, ``}
		var rows []*Always
		for i, c := range codes {
			rows = append(rows, &Always{Code: c, N: int64(i)})
		}
		if err := retort.Insert(Alwayss, rows...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		junk := func(n int) []string {
			out := make([]string, n)
			for i := range out {
				out[i] = fmt.Sprintf("junk %d", i)
			}
			return out
		}
		count := func(p retort.Expr[bool]) int64 {
			t.Helper()
			n, err := retort.Select(Alwayss).Where(p).Count(ctx, env.DB)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		want := append(junk(40000-len(codes)+2), codes[:len(codes)-2]...) // all but "," and ""
		if n := count(AlwaysCode.In(want...)); n != int64(len(codes)-2) {
			t.Errorf("IN of 40,000 strings: %d rows, want %d", n, len(codes)-2)
		}
		if n := count(AlwaysCode.NotIn(want...)); n != 2 {
			t.Errorf("NOT IN of 40,000 strings: %d rows, want 2", n)
		}
		ids := make([]int64, 40000)
		for i := range ids {
			ids[i] = int64(-i) // no such key but 0, which no row has
		}
		ids[0], ids[1], ids[2] = math.MinInt64, rows[3].ID, rows[7].ID
		if n := count(AlwaysID.In(ids...)); n != 2 {
			t.Errorf("IN of 40,000 keys: %d rows, want 2", n)
		}
		if env.Dialect == retort.SQLite { // PostgreSQL's text cannot hold NUL
			nul := append(junk(12000), "nul\x00", codes[0])
			if n := count(AlwaysCode.In(nul...)); n != 1 {
				t.Errorf("IN of 12,002 strings, one with NUL: %d rows, want 1", n)
			}
		}
	})
}

// An operand with operators of its own (a predicate, raw SQL) is written
// in parentheses, so that it binds as the Go expression says: ann is
// active, bob and Béa are not; ann is 41, bob 29, Béa 35.
func TestOperandsGrouped(t *testing.T) {
	annOrBob := retort.Or(UserName.Eq("ann"), UserName.Eq("bob"))
	cases := []struct {
		name string
		p    retort.Expr[bool]
		want []string
	}{
		{"active = (ann OR bob)", retort.Eq[bool](UserActive, annOrBob), []string{"ann", "Béa"}},
		{"(ann OR bob) <> active", retort.Ne[bool](annOrBob, UserActive), []string{"bob"}},
		{"(ann OR bob) IS NULL", retort.IsNull(annOrBob), []string{}},
		{"(ann OR bob) IS NOT NULL", retort.IsNotNull(annOrBob), []string{"ann", "bob", "Béa"}},
		{"(age > 30) = false", retort.Eq(UserAge.Gt(30), retort.Val(false)), []string{"bob"}},
		{"NOT EXISTS (...) = false", retort.Eq(retort.NotExists(retort.Select(Orders).Where(OrderUserID.EqCol(UserID))), retort.Val(false)), []string{"ann", "bob"}},
		{"(raw age + 1) * 2 = 84", retort.Eq(retort.Mul(retort.SQL[int32](`"users"."age" + 1`), retort.Val[int32](2)), retort.Val[int32](84)), []string{"ann"}},
		{"raw OR = active", retort.Eq[bool](retort.Raw(`"users"."age" < 30 OR "users"."age" > 40`), UserActive), []string{"ann", "Béa"}},
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		exSetup(t, env)
		for _, c := range cases {
			got, err := retort.Select(Users).Where(c.p).OrderBy(UserID.Asc()).All(ctx, env.DB)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			if diff := cmp.Diff(c.want, userNames(got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.name, diff)
			}
		}
	})
}
