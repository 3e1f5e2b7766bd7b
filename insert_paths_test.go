package retort_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

// KeyOnly has no column but its generated key: its one-row INSERT has no
// values to give (DEFAULT VALUES on PostgreSQL).
type KeyOnly struct{ ID int64 }

var (
	KeyOnlys  = retort.NewTable[KeyOnly]("key_only")
	KeyOnlyID = retort.Col(KeyOnlys, "id", func(k *KeyOnly) *int64 { return &k.ID }, retort.PrimaryKey())
)

// TestInsertOneRow covers the one-row INSERT ... VALUES of PostgreSQL (and
// SQLite's, which every insert uses): a generated key returned, a given key
// kept, a table without generated key, a table with nothing but its key;
// one round trip each, through Exec and through Items.
func TestInsertOneRow(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, append(allTables, KeyOnlys)...)
		u := &User{Name: "ann", Joined: time.Date(2021, 5, 6, 7, 8, 9, 0, time.UTC), Balance: retort.MustDecimal("-12.34")}
		env.Count.Reset()
		if err := retort.Insert(Users, u).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if u.ID != 1 {
			t.Errorf("generated key %d, want 1", u.ID)
		}
		if n := env.Count.RoundTrips(); n != 1 {
			t.Errorf("one-row insert took %d round trips, want 1", n)
		}

		given := &Order{ID: 40, UserID: u.ID, Total: retort.MustDecimal("9.99")}
		if err := retort.Insert(Orders, given).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		drawn := &Order{UserID: u.ID, Total: retort.MustDecimal("0.01"), Note: ptr("x")}
		items, err := retort.Insert(Orders, drawn).Items(env.DB.Dialect())
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 {
			t.Fatalf("%d items for one row, want 1", len(items))
		}
		if err := retort.RunItems(ctx, env.DB, items); err != nil {
			t.Fatal(err)
		}
		if given.ID != 40 || drawn.ID == 0 || drawn.ID == 40 {
			t.Errorf("keys: given %d (want 40), drawn %d (want a new one)", given.ID, drawn.ID)
		}
		orders, err := retort.Select(Orders).OrderBy(OrderID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		want := []*Order{drawn, given}
		if drawn.ID > given.ID { // SQLite continues after the largest key
			want = []*Order{given, drawn}
		}
		if diff := cmp.Diff(want, orders, cmpOpts); diff != "" {
			t.Errorf("orders (-want +got):\n%s", diff)
		}

		tg := &Tagging{OrderID: 40, Tag: "red", Weight: 7}
		if err := retort.Insert(Taggings, tg).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		tags, err := retort.Select(Taggings).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*Tagging{tg}, tags); diff != "" {
			t.Errorf("taggings (-want +got):\n%s", diff)
		}

		for want := int64(1); want <= 2; want++ {
			k := &KeyOnly{}
			if err := retort.Insert(KeyOnlys, k).Exec(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
			if k.ID != want {
				t.Errorf("key-only row got key %d, want %d", k.ID, want)
			}
		}

		// A failed one-row insert clears the key it did not get.
		dup := &Order{UserID: 999, Total: retort.MustDecimal("1")} // no such user
		if err := retort.Insert(Orders, dup).Exec(ctx, env.DB); err == nil {
			t.Fatal("insert violating a foreign key succeeded")
		}
		if dup.ID != 0 {
			t.Errorf("failed insert left key %d", dup.ID)
		}
	})
}

// TestInsertKeyOnlyRows inserts several rows into a table whose only column
// is its generated key (PostgreSQL: no array to unnest, the row count
// instead), through Exec and through Items: every object gets its own new
// key.
func TestInsertKeyOnlyRows(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, KeyOnlys)
		var all []*KeyOnly
		for _, n := range []int{2, 3, 60} {
			for _, items := range []bool{false, true} {
				keys := make([]*KeyOnly, n)
				for i := range keys {
					keys[i] = &KeyOnly{}
				}
				ins := retort.Insert(KeyOnlys, keys...)
				var err error
				if items {
					var its []retort.BatchItem
					if its, err = ins.Items(env.DB.Dialect()); err == nil {
						err = retort.RunItems(ctx, env.DB, its)
					}
				} else {
					err = ins.Exec(ctx, env.DB)
				}
				if err != nil {
					t.Fatalf("%d rows (items: %v): %v", n, items, err)
				}
				all = append(all, keys...)
			}
		}
		rows, err := retort.Select(KeyOnlys).OrderBy(KeyOnlyID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]*KeyOnly, len(all))
		for i := range want {
			want[i] = &KeyOnly{ID: int64(i + 1)}
		}
		if diff := cmp.Diff(want, all); diff != "" {
			t.Errorf("keys written back (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	})
}

// TestInsertArrayLiteralRoundTrip inserts several rows at once (on
// PostgreSQL, columns as array literals) whose values test the literal's
// quoting and number formats, and reads them back unchanged.
func TestInsertArrayLiteralRoundTrip(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)
		names := []string{`"`, `\`, `a,b`, `{x}`, `NULL`, ``, ` pad `, "tab\tnew\nline", `é中🙂`, `\"\\`, `'`, `{"a":1}`}
		scores := []float64{math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 5e-324, math.MaxFloat64, 0.1, 1e21, -123.456, 8, 1, 2, 3}
		balances := []string{"-0.01", "9999999999.99", "-9999999999.99", "0", "0.10", "12.3", "-7", "1", "2", "3", "4", "5"}
		var users []*User
		for i, n := range names {
			u := &User{
				Name: n, Age: int32(i*1000003 - 5), Score: scores[i], Active: i%2 == 0, Avatar: []byte{byte(i), 0, '\\'},
				Joined:  time.Date(2000+i, 1, 2, 3, 4, 5, 123456000, time.UTC),
				Balance: retort.MustDecimal(balances[i]), Level: int8(-128 + i),
			}
			if i == 0 {
				u.Email = ptr("NULL") // the text, not NULL
			} else if i%3 == 1 {
				u.Email = ptr(`e"` + n)
			}
			if i == 0 {
				u.Age, u.Level = math.MinInt32, math.MaxInt8
			}
			if i == 1 {
				u.Age = math.MaxInt32
			}
			users = append(users, u)
		}
		env.Count.Reset()
		if err := retort.Insert(Users, users...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if n := env.Count.RoundTrips(); env.Dialect == retort.Postgres && n != 1 {
			t.Errorf("insert of %d rows took %d round trips on PostgreSQL, want 1", len(users), n)
		}
		got, err := retort.Select(Users).OrderBy(UserID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(users, got, cmpOpts, cmpopts.EquateNaNs()); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
		if env.Dialect == retort.Postgres && !math.Signbit(got[2].Score) { // SQLite keeps no negative zero
			t.Errorf("-0 came back as %v", got[2].Score)
		}
	})
}

// TestInsertManyRowsChecksValues: a bad value in any row of a several-row
// insert is an error naming the column before any SQL is sent.
func TestInsertManyRowsChecksValues(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)
		long := &User{Name: strings.Repeat("x", 21)}
		wide := &User{Name: "w", Balance: retort.MustDecimal("10000000000")} // numeric(12,2)
		nan := &User{Name: "n", Score: math.NaN()}                           // SQLite would store NULL
		for _, c := range []struct {
			bad  *User
			want error
		}{{long, retort.ErrTooLong}, {wide, retort.ErrDecimalRange}, {nan, retort.ErrOutOfRange}} {
			for _, rows := range [][]*User{{c.bad}, {{Name: "ok"}, {Name: "ok2"}, c.bad}} {
				env.Count.Reset()
				err := retort.Insert(Users, rows...).Exec(ctx, env.DB)
				var ce *retort.ColumnError
				if !errors.Is(err, c.want) || !errors.As(err, &ce) {
					t.Errorf("insert of %d rows with a bad value: %v, want a ColumnError matching %v", len(rows), err, c.want)
				}
				if n := env.Count.RoundTrips(); n != 0 {
					t.Errorf("%d round trips before the error, want 0", n)
				}
			}
		}
		_, err := retort.Update(Users).Set(UserScore.To(math.NaN())).Exec(ctx, env.DB)
		var ce *retort.ColumnError
		if !errors.Is(err, retort.ErrOutOfRange) || !errors.As(err, &ce) || ce.Table != "users" || ce.Column != "score" {
			t.Errorf("update setting NaN: %v, want a ColumnError on users.score matching ErrOutOfRange", err)
		}
		n, err := retort.Select(Users).Count(ctx, env.DB)
		if err != nil || n != 0 {
			t.Errorf("%d rows, %v after refused writes; want none", n, err)
		}
	})
}

// TestInsertGeneratedAndGivenChunks inserts more rows than one PostgreSQL
// statement carries, so that a chunk whose keys are all generated (sent
// without an array of keys) and a chunk holding a given key (sent with it)
// run in one Exec, in both orders; every object must get the key of its own
// row.
func TestInsertGeneratedAndGivenChunks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)
		u := &User{Name: "ann", Joined: time.Date(2021, 5, 6, 7, 8, 9, 0, time.UTC)}
		if err := retort.Insert(Users, u).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		const n = 5003 // one more chunk than 5,000 rows on PostgreSQL
		var all []*Order
		for round, given := range []int{n - 1, 0} { // the given key in the second chunk, then in the first
			objs := make([]*Order, n)
			for i := range objs {
				objs[i] = &Order{UserID: u.ID, Total: retort.NewDecimal(int64(round*n+i), 2)}
			}
			objs[given].ID = int64(1_000_000 + round)
			if err := retort.Insert(Orders, objs...).Exec(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
			if objs[given].ID != int64(1_000_000+round) {
				t.Errorf("round %d: given key became %d", round, objs[given].ID)
			}
			all = append(all, objs...)
		}
		seen := map[int64]bool{}
		for _, o := range all {
			if o.ID == 0 || seen[o.ID] {
				t.Fatalf("key %d missing or repeated", o.ID)
			}
			seen[o.ID] = true
		}
		got, err := retort.Select(Orders).OrderBy(OrderID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]*Order{}
		for _, o := range got {
			byID[o.ID] = o
		}
		if len(got) != len(all) {
			t.Fatalf("%d rows read, %d inserted", len(got), len(all))
		}
		for _, o := range all {
			if diff := cmp.Diff(o, byID[o.ID], cmpOpts); diff != "" {
				t.Fatalf("row of key %d (-object +row):\n%s", o.ID, diff)
			}
		}
	})
}
