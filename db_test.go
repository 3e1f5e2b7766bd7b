package retort_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
	cmp.Comparer(func(a, b retort.Decimal) bool { return a.Equal(b) }),
}

func sampleUsers() []*User {
	return []*User{
		{Name: "ann", Email: ptr("ann@example.com"), Age: 41, Score: 9.5, Active: true, Avatar: []byte{0, 1, 2},
			Joined: time.Date(2020, 1, 2, 3, 4, 5, 600_000_000, time.UTC), Balance: retort.MustDecimal("1234.50"), Level: 3},
		{Name: "bob", Age: 29, Score: -1.25, Avatar: []byte{}, Joined: time.Date(2021, 6, 7, 8, 9, 10, 0, time.UTC),
			Balance: retort.MustDecimal("-0.01"), Nick: ptr("bobby")},
		{Name: "Béa", Email: ptr("bea@example.com"), Age: 35, Avatar: []byte("x"), Joined: time.Date(2019, 12, 31, 23, 59, 59, 0, time.UTC),
			Balance: retort.MustDecimal("0")},
	}
}

func TestInsertSelectRoundTrip(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)
		users := sampleUsers()
		if err := retort.Insert(Users, users...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if got := env.Count.RoundTrips(); env.Dialect == retort.Postgres && got != 1 {
			t.Errorf("insert of 3 rows took %d round trips on PostgreSQL, want 1", got)
		}
		for i, u := range users {
			if u.ID == 0 {
				t.Fatalf("user %d has no generated key", i)
			}
		}
		if users[1].Level != 1 {
			t.Errorf("Default(1) not applied to a zero level: %d", users[1].Level)
		}
		got, err := retort.Select(Users).OrderBy(UserID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(users, got, cmpOpts); diff != "" {
			t.Errorf("round trip mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestQueries(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)
		if err := retort.Insert(Users, sampleUsers()...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		names := func(q *retort.SelectQuery[User]) []string {
			t.Helper()
			us, err := q.OrderBy(UserName.Asc()).All(ctx, env.DB)
			if err != nil {
				t.Fatalf("query: %v", err)
			}
			out := []string{}
			for _, u := range us {
				out = append(out, u.Name)
			}
			return out
		}
		cases := []struct {
			name string
			q    *retort.SelectQuery[User]
			want []string
		}{
			{"eq", retort.Select(Users).Where(UserName.Eq("bob")), []string{"bob"}},
			{"ne", retort.Select(Users).Where(UserName.Ne("bob")), []string{"Béa", "ann"}},
			{"gt le", retort.Select(Users).Where(UserAge.Gt(29), UserAge.Le(35)), []string{"Béa"}},
			{"ge lt", retort.Select(Users).Where(UserAge.Ge(29), UserAge.Lt(35)), []string{"bob"}},
			{"in", retort.Select(Users).Where(UserName.In("ann", "bob", "zed")), []string{"ann", "bob"}},
			{"not in", retort.Select(Users).Where(UserName.NotIn("ann")), []string{"Béa", "bob"}},
			{"in empty", retort.Select(Users).Where(UserName.In()), []string{}},
			{"is null", retort.Select(Users).Where(UserEmail.IsNull()), []string{"bob"}},
			{"is not null", retort.Select(Users).Where(UserEmail.IsNotNull()), []string{"Béa", "ann"}},
			{"or", retort.Select(Users).Where(retort.Or(UserAge.Lt(30), UserAge.Gt(40))), []string{"ann", "bob"}},
			{"not", retort.Select(Users).Where(retort.Not(UserName.Eq("ann"))), []string{"Béa", "bob"}},
			{"like is case-sensitive", retort.Select(Users).Where(retort.Like(UserName, "b%")), []string{"bob"}},
			{"ilike", retort.Select(Users).Where(retort.ILike(UserName, "B%")), []string{"Béa", "bob"}},
			{"like escaped", retort.Select(Users).Where(retort.Like(UserName, retort.EscapeLike("a_n"))), []string{}},
			{"bool", retort.Select(Users).Where(UserActive.Eq(true)), []string{"ann"}},
			{"decimal", retort.Select(Users).Where(UserBalance.Gt(retort.MustDecimal("-0.005"))), []string{"Béa", "ann"}},
			{"time range", retort.Select(Users).Where(UserJoined.Between(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC))), []string{"ann", "bob"}},
			{"time lt", retort.Select(Users).Where(UserJoined.Lt(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))), []string{"Béa"}},
			{"float", retort.Select(Users).Where(UserScore.Lt(0)), []string{"bob"}},
			{"bytes", retort.Select(Users).Where(UserAvatar.Eq([]byte("x"))), []string{"Béa"}},
			{"raw", retort.Select(Users).Where(retort.Raw(`"users"."age" % ? = ?`, 2, 1)), []string{"Béa", "ann", "bob"}},
			{"limit offset", retort.Select(Users).Limit(1).Offset(1), []string{"ann"}},
			{"offset only", retort.Select(Users).Offset(2), []string{"bob"}},
		}
		for _, c := range cases {
			if diff := cmp.Diff(c.want, names(c.q)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.name, diff)
			}
		}

		n, err := retort.Select(Users).Where(UserAge.Gt(30)).Count(ctx, env.DB)
		if err != nil || n != 2 {
			t.Errorf("Count = %d, %v; want 2", n, err)
		}
		n, err = retort.Select(Users).Limit(2).Count(ctx, env.DB)
		if err != nil || n != 2 {
			t.Errorf("Count with limit = %d, %v; want 2", n, err)
		}
		u, err := retort.Select(Users).Where(UserName.Eq("bob")).One(ctx, env.DB)
		if err != nil || u.Name != "bob" {
			t.Errorf("One = %v, %v", u, err)
		}
		_, err = retort.Select(Users).Where(UserName.Eq("nobody")).One(ctx, env.DB)
		if !errors.Is(err, retort.ErrNoRows) || !errors.Is(err, sql.ErrNoRows) {
			t.Errorf("One of nothing: %v, want ErrNoRows (and sql.ErrNoRows)", err)
		}
		_, err = retort.Select(Users).One(ctx, env.DB)
		if !errors.Is(err, retort.ErrTooManyRows) {
			t.Errorf("One of three: %v, want ErrTooManyRows", err)
		}
		f, err := retort.Select(Users).OrderBy(UserAge.Desc()).First(ctx, env.DB)
		if err != nil || f.Name != "ann" {
			t.Errorf("First = %v, %v", f, err)
		}
		_, err = retort.Select(Users).Where(UserAge.Gt(100)).First(ctx, env.DB)
		if !errors.Is(err, retort.ErrNoRows) {
			t.Errorf("First of nothing: %v", err)
		}

		// Iter: stopping early releases the connection (the next query works).
		seen := 0
		for u, err := range retort.Select(Users).Iter(ctx, env.DB) {
			if err != nil {
				t.Fatal(err)
			}
			if u.Name == "" {
				t.Fatal("empty row")
			}
			seen++
			break
		}
		if seen != 1 {
			t.Errorf("iterated %d rows before break", seen)
		}
		if n, err := retort.Select(Users).Count(ctx, env.DB); err != nil || n != 3 {
			t.Errorf("count after early break: %d, %v", n, err)
		}
	})
}

func TestUpdateDelete(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)
		users := sampleUsers()
		if err := retort.Insert(Users, users...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		n, err := retort.Update(Users).Set(UserAge.To(50), UserNick.ToNull()).Where(UserName.In("ann", "bob")).Exec(ctx, env.DB)
		if err != nil || n != 2 {
			t.Fatalf("update: %d, %v", n, err)
		}
		bob, err := retort.Select(Users).Where(UserID.Eq(users[1].ID)).One(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if bob.Age != 50 || bob.Nick != nil {
			t.Errorf("after update bob = age %d nick %v", bob.Age, bob.Nick)
		}
		orders := []*Order{{UserID: users[0].ID, Total: retort.MustDecimal("5")}, {UserID: users[1].ID, Total: retort.MustDecimal("7.25")}}
		if err := retort.Insert(Orders, orders...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		n, err = retort.Delete(Users).Where(UserID.Eq(users[0].ID)).Exec(ctx, env.DB)
		if err != nil || n != 1 {
			t.Fatalf("delete: %d, %v", n, err)
		}
		left, err := retort.Select(Orders).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != 1 || left[0].UserID != users[1].ID {
			t.Errorf("ON DELETE CASCADE: orders left %+v", left)
		}
		if _, err := retort.Update(Users).Exec(ctx, env.DB); err == nil {
			t.Error("update with no SET: want an error")
		}
	})
}

// Generated keys are matched to objects by ordinal: every object gets the
// key of the row that holds its own values, across several chunks.
func TestInsertManyKeys(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)
		u := &User{Name: "owner", Avatar: []byte{}}
		if err := retort.Insert(Users, u).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		const n = 12001
		orders := make([]*Order, n)
		for i := range orders {
			orders[i] = &Order{UserID: u.ID, Total: retort.NewDecimal(int64(i), 2), Note: ptr(fmt.Sprint(i))}
		}
		orders[7].ID = 1_000_000 // an explicit key is kept
		env.Count.Reset()
		if err := retort.Insert(Orders, orders...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if env.Dialect == retort.Postgres {
			// Three chunks of at most 5,000 rows (BEGIN travels with the
			// first), then COMMIT.
			if got := env.Count.RoundTrips(); got != 4 {
				t.Errorf("round trips = %d, want 4", got)
			}
		}
		if orders[7].ID != 1_000_000 {
			t.Errorf("explicit key overwritten: %d", orders[7].ID)
		}
		got, err := retort.Select(Orders).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("%d rows, want %d", len(got), n)
		}
		byID := map[int64]*Order{}
		for _, o := range got {
			byID[o.ID] = o
		}
		for i, o := range orders {
			row := byID[o.ID]
			if row == nil || *row.Note != fmt.Sprint(i) {
				t.Fatalf("order %d got key %d, which holds %+v", i, o.ID, row)
			}
		}
	})
}

func TestBadValues(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)

		// Too long for Size(20): an error naming table, column and value, and no SQL sent.
		long := &User{Name: strings.Repeat("é", 21), Avatar: []byte{}}
		err := retort.Insert(Users, long).Exec(ctx, env.DB)
		var ce *retort.ColumnError
		if !errors.As(err, &ce) || !errors.Is(err, retort.ErrTooLong) || ce.Table != "users" || ce.Column != "name" {
			t.Fatalf("too long: %v", err)
		}
		if !strings.Contains(err.Error(), `"users"`) || !strings.Contains(err.Error(), `"name"`) || !strings.Contains(err.Error(), "ééé") {
			t.Errorf("message does not name table, column and value: %v", err)
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("%d round trips for a value rejected before sending", n)
		}
		if long.ID != 0 {
			t.Errorf("rejected object got a key: %d", long.ID)
		}
		if _, err := retort.Update(Users).Set(UserName.To(strings.Repeat("x", 21))).Exec(ctx, env.DB); !errors.Is(err, retort.ErrTooLong) {
			t.Errorf("update too long: %v", err)
		}
		if _, err := retort.Update(Users).Set(UserName.ToNull()).Exec(ctx, env.DB); !errors.Is(err, retort.ErrNullValue) {
			t.Errorf("NULL into NOT NULL: %v", err)
		}

		// A unique violation fails the whole insert; generated keys are cleared.
		a := &User{Name: "a", Email: ptr("same@example.com"), Avatar: []byte{}}
		b := &User{Name: "b", Email: ptr("same@example.com"), Avatar: []byte{}}
		err = retort.Insert(Users, a, b).Exec(ctx, env.DB)
		if err == nil {
			t.Fatal("duplicate email: want an error")
		}
		if a.ID != 0 || b.ID != 0 {
			t.Errorf("keys left on objects of a failed insert: %d %d", a.ID, b.ID)
		}
		if n, _ := retort.Select(Users).Count(ctx, env.DB); n != 0 {
			t.Errorf("failed insert left %d rows", n)
		}
		b.Email = ptr("other@example.com")
		if err := retort.Insert(Users, a, b).Exec(ctx, env.DB); err != nil {
			t.Fatalf("retry after fixing: %v", err)
		}

		// NULL read into a NOT NULL field, and a number too big for int8.
		if _, err := env.DB.Exec(ctx, `CREATE TABLE "loose" ("id" integer PRIMARY KEY, "name" text, "level" integer)`); err != nil {
			t.Fatal(err)
		}
		if _, err := env.DB.Exec(ctx, `INSERT INTO "loose" ("id", "name", "level") VALUES (1, NULL, 300)`); err != nil {
			t.Fatal(err)
		}
		type Loose struct {
			ID    int64
			Name  string
			Level int8
		}
		loose := retort.NewTable[Loose]("loose")
		retort.Col(loose, "id", func(l *Loose) *int64 { return &l.ID }, retort.PrimaryKey())
		retort.Col(loose, "name", func(l *Loose) *string { return &l.Name })
		level := retort.Col(loose, "level", func(l *Loose) *int8 { return &l.Level })
		_, err = retort.Select(loose).All(ctx, env.DB)
		if !errors.As(err, &ce) || ce.Column != "name" || !errors.Is(err, retort.ErrNullValue) {
			t.Errorf("NULL into string: %v", err)
		}
		if _, err := env.DB.Exec(ctx, `UPDATE "loose" SET "name" = 'x'`); err != nil {
			t.Fatal(err)
		}
		_, err = retort.Select(loose).Where(level.Gt(0)).All(ctx, env.DB)
		if !errors.As(err, &ce) || ce.Column != "level" || !errors.Is(err, retort.ErrOutOfRange) {
			t.Errorf("300 into int8: %v", err)
		}
	})
}

func TestCancelledContext(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		env.Create(t, allTables...)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := retort.Select(Users).All(ctx, env.DB)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("select: %v, want context.Canceled", err)
		}
		err = retort.Insert(Users, &User{Name: "x", Avatar: []byte{}}).Exec(ctx, env.DB)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("insert: %v, want context.Canceled", err)
		}
		if n, err := retort.Select(Users).Count(context.Background(), env.DB); err != nil || n != 0 {
			t.Errorf("after cancelled insert: %d rows, %v", n, err)
		}
	})
}

func TestTransactions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)
		count := func() int64 {
			t.Helper()
			n, err := retort.Select(Users).Count(ctx, env.DB)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		tx, err := env.DB.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := retort.Insert(Users, &User{Name: "kept", Avatar: []byte{}}).Exec(ctx, tx); err != nil {
			t.Fatal(err)
		}
		sp, err := tx.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := retort.Insert(Users, &User{Name: "undone", Avatar: []byte{}}).Exec(ctx, sp); err != nil {
			t.Fatal(err)
		}
		if err := sp.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		sp2, err := tx.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := retort.Insert(Users, &User{Name: "released", Avatar: []byte{}}).Exec(ctx, sp2); err != nil {
			t.Fatal(err)
		}
		if err := sp2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := retort.Select(Users).OrderBy(UserName.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range got {
			names = append(names, u.Name)
		}
		if diff := cmp.Diff([]string{"kept", "released"}, names); diff != "" {
			t.Errorf("after savepoints (-want +got):\n%s", diff)
		}

		err = retort.InTx(ctx, env.DB, func(tx retort.Tx) error {
			if err := retort.Insert(Users, &User{Name: "rolled back", Avatar: []byte{}}).Exec(ctx, tx); err != nil {
				return err
			}
			return errors.New("boom")
		})
		if err == nil || err.Error() != "boom" {
			t.Errorf("InTx returned %v", err)
		}
		if n := count(); n != 2 {
			t.Errorf("InTx error kept a row: %d rows", n)
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Errorf("rollback after commit: %v", err)
		}
	})
}

func TestCreateDropAll(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)
		// Creating again is a no-op, as create_all is.
		if err := retort.CreateAll(ctx, env.DB, allTables...); err != nil {
			t.Fatalf("second CreateAll: %v", err)
		}
		// The cycle works once both rows exist.
		l := &Left{}
		if err := retort.Insert(Lefts, l).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		r := &Right{LeftID: &l.ID}
		if err := retort.Insert(Rights, r).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if _, err := retort.Update(Lefts).Set(LeftRight.To(r.ID)).Where(LeftID.Eq(l.ID)).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		// A self-reference: a manager and a report.
		boss := &Employee{Name: "boss"}
		if err := retort.Insert(Employees, boss).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if err := retort.Insert(Employees, &Employee{Name: "worker", ManagerID: &boss.ID}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		err := retort.Insert(Employees, &Employee{Name: "orphan", ManagerID: ptr(int32(999))}).Exec(ctx, env.DB)
		if err == nil {
			t.Error("foreign key not enforced")
		}
		if err := retort.DropAll(ctx, env.DB, allTables...); err != nil {
			t.Fatalf("DropAll: %v", err)
		}
		if _, err := retort.Select(Users).Count(ctx, env.DB); err == nil {
			t.Error("users still exists after DropAll")
		}
		if err := retort.DropAll(ctx, env.DB, allTables...); err != nil {
			t.Errorf("DropAll of missing tables: %v", err)
		}
	})
}

func TestHostileNamesAndValues(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)
		evil := []*Hostile{
			{Key: `'; DROP TABLE users; --`, Value: `"); DELETE FROM "users"; --`},
			{Key: "nul\x00byte? no: unicode ☃", Value: `\' OR 1=1 --`},
		}
		evil[1].Key = "unicode ☃ and a ' quote"
		if err := retort.Insert(Hostiles, evil...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		got, err := retort.Select(Hostiles).Where(HostileKey.Eq(evil[0].Key)).One(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(evil[0], got); diff != "" {
			t.Errorf("hostile round trip (-want +got):\n%s", diff)
		}
		if _, err := retort.Select(Users).Count(ctx, env.DB); err != nil {
			t.Errorf("users table harmed: %v", err)
		}
		n, err := retort.Select(Hostiles).Where(retort.Like(HostileValue, "%OR 1=1%")).Count(ctx, env.DB)
		if err != nil || n != 1 {
			t.Errorf("LIKE over hostile value: %d, %v", n, err)
		}
	})
}

func TestEcho(t *testing.T) {
	for _, hide := range []bool{false, true} {
		var buf bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		var opts []retort.EchoOption
		if hide {
			opts = append(opts, retort.HideArgs())
		}
		dbtest.RunWith(t, dbtest.Options{Tracer: retort.Echo(logger, opts...)}, func(t *testing.T, env *dbtest.Env) {
			buf.Reset()
			ctx := context.Background()
			env.Create(t, Users)
			_, err := retort.Select(Users).Where(UserName.Eq("secret-value")).All(ctx, env.DB)
			if err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if !strings.Contains(out, `FROM \"users\" WHERE`) || !strings.Contains(out, "duration=") {
				t.Errorf("echo lacks SQL or duration:\n%s", out)
			}
			if strings.Contains(out, "secret-value") == hide {
				t.Errorf("HideArgs=%v but the value's presence is %v:\n%s", hide, !hide, out)
			}
		})
	}
}
