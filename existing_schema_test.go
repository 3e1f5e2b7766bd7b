package retort_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

// Always maps a table made by a migration rather than by CreateTable: on
// PostgreSQL its key is GENERATED ALWAYS AS IDENTITY, which refuses any
// value but DEFAULT unless the INSERT says OVERRIDING SYSTEM VALUE.
type Always struct {
	ID   int64
	Code string
	N    int64
}

var (
	Alwayss    = retort.NewTable[Always]("always_key")
	AlwaysID   = retort.Col(Alwayss, "id", func(a *Always) *int64 { return &a.ID }, retort.PrimaryKey())
	AlwaysCode = retort.Col(Alwayss, "code", func(a *Always) *string { return &a.Code }, retort.Unique())
	AlwaysN    = retort.Col(Alwayss, "n", func(a *Always) *int64 { return &a.N })
)

// createAlways makes always_key: by hand on PostgreSQL (CreateTable says BY
// DEFAULT), with key as the key column's type and default, and by
// CreateTable on SQLite, which has no identity columns.
func createAlways(t *testing.T, env *dbtest.Env, key string, before ...string) {
	t.Helper()
	if env.Dialect == retort.SQLite {
		env.Create(t, Alwayss)
		return
	}
	for _, stmt := range append(before, `CREATE TABLE "always_key" (
		"id" `+key+` PRIMARY KEY,
		"code" text NOT NULL UNIQUE,
		"n" bigint NOT NULL)`) {
		if _, err := env.DB.Exec(context.Background(), stmt); err != nil {
			t.Fatal(err)
		}
	}
}

// checkAlwaysRows compares always_key's rows, by key, with want.
func checkAlwaysRows(t *testing.T, env *dbtest.Env, want []*Always) {
	t.Helper()
	rows, err := retort.Select(Alwayss).OrderBy(AlwaysID.Asc()).All(context.Background(), env.DB)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

// TestInsertIdentityAlways inserts rows without keys into a table whose key
// is GENERATED ALWAYS AS IDENTITY on PostgreSQL, through every form of
// insert: one row, a batch from arrays, COPY, Items, an upsert. Keys come
// back in order. A key the program gives is still refused on PostgreSQL,
// and the batch that carries it inserts nothing.
func TestInsertIdentityAlways(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		createAlways(t, env, "bigint GENERATED ALWAYS AS IDENTITY")
		var all []*Always
		batch := func(n int) []*Always {
			objs := make([]*Always, n)
			for i := range objs {
				objs[i] = &Always{Code: fmt.Sprintf("c%d", len(all)+i), N: int64(len(all) + i)}
			}
			all = append(all, objs...)
			return objs
		}
		for _, n := range []int{1, 3, 2100} { // one row, arrays, COPY
			if err := retort.Insert(Alwayss, batch(n)...).Exec(ctx, env.DB); err != nil {
				t.Fatalf("%d rows: %v", n, err)
			}
		}
		items, err := retort.Insert(Alwayss, batch(4)...).Items(env.DB.Dialect())
		if err != nil {
			t.Fatal(err)
		}
		if err := retort.RunItems(ctx, env.DB, items); err != nil {
			t.Fatalf("items: %v", err)
		}
		// An upsert: two rows update existing ones (keeping their keys),
		// one is new.
		up := []*Always{{Code: "c0", N: -1}, {Code: "new", N: -2}, {Code: "c2", N: -3}}
		if err := retort.Insert(Alwayss, up...).OnConflict(AlwaysCode).
			DoUpdateSet(AlwaysN.ToExpr(retort.Excluded(AlwaysN))).Exec(ctx, env.DB); err != nil {
			t.Fatalf("upsert: %v", err)
		}
		all[0].N, all[2].N = -1, -3
		newKey := int64(len(all) + 1)
		if env.Dialect == retort.Postgres {
			newKey = up[1].ID // the upsert draws a key for each row, so it skips some
		}
		all = append(all, &Always{ID: newKey, Code: "new", N: -2})
		wantKeys := []int64{1, newKey, 3}
		for i, u := range up {
			if u.ID != wantKeys[i] {
				t.Errorf("upsert row %d: key %d, want %d", i, u.ID, wantKeys[i])
			}
		}
		for i, a := range all[:len(all)-1] {
			if a.ID != int64(i+1) {
				t.Fatalf("row %d: key %d, want %d", i, a.ID, i+1)
			}
		}

		// A key given by the program, in a batch with one to be drawn.
		given := []*Always{{ID: 100000, Code: "given", N: 1}, {Code: "drawn", N: 2}}
		err = retort.Insert(Alwayss, given...).Exec(ctx, env.DB)
		if env.Dialect == retort.Postgres {
			if err == nil || !strings.Contains(err.Error(), `"always_key"`) || !strings.Contains(err.Error(), "428C9") {
				t.Fatalf("given key into GENERATED ALWAYS: error %v, want PostgreSQL's 428C9 naming the table", err)
			}
			if given[1].ID != 0 {
				t.Errorf("key %d left in an object whose insert failed", given[1].ID)
			}
		} else {
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, given[0], given[1])
		}
		checkAlwaysRows(t, env, all)
	})
}

// TestInsertSequenceNotOwned inserts into a table whose key's default is
// nextval of a sequence the column does not own (a sequence shared by
// several tables, as some schemas have): pg_get_serial_sequence finds none,
// and the statements find the sequence through the default instead. Keys
// drawn in between by another user of the sequence are skipped.
func TestInsertSequenceNotOwned(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		createAlways(t, env, `bigint DEFAULT nextval('shared_ids')`, `CREATE SEQUENCE "shared_ids"`)
		other := func() { // another table drawing from the same sequence
			if env.Dialect == retort.Postgres {
				if _, err := env.DB.Exec(ctx, `SELECT nextval('shared_ids')`); err != nil {
					t.Fatal(err)
				}
			}
		}
		var all []*Always
		var want []int64
		next := int64(1)
		for _, n := range []int{1, 3, 2100, 4} { // one row, arrays, COPY, Items
			objs := make([]*Always, n)
			for i := range objs {
				objs[i] = &Always{Code: fmt.Sprintf("c%d", len(all)+i)}
				want = append(want, next)
				next++
			}
			all = append(all, objs...)
			ins := retort.Insert(Alwayss, objs...)
			var err error
			if n == 4 {
				var items []retort.BatchItem
				if items, err = ins.Items(env.DB.Dialect()); err == nil {
					err = retort.RunItems(ctx, env.DB, items)
				}
			} else {
				err = ins.Exec(ctx, env.DB)
			}
			if err != nil {
				t.Fatalf("%d rows: %v", n, err)
			}
			other()
			if env.Dialect == retort.Postgres {
				next++
			}
		}
		up := &Always{Code: "new"}
		if err := retort.Insert(Alwayss, up).OnConflict(AlwaysCode).DoNothing().Exec(ctx, env.DB); err != nil {
			t.Fatalf("upsert: %v", err)
		}
		all, want = append(all, up), append(want, next)
		var got []int64
		for _, a := range all {
			got = append(got, a.ID)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("keys written back (-want +got):\n%s", diff)
		}
		checkAlwaysRows(t, env, all)
	})
}

// Account has columns whose PostgreSQL types are not the ones Retort gives
// a Go string: uuid, jsonb and inet, declared with PGType.
type Account struct {
	ID   int64
	Ref  string
	Doc  string
	Addr *string
}

var (
	Accounts    = retort.NewTable[Account]("account")
	AccountID   = retort.Col(Accounts, "id", func(a *Account) *int64 { return &a.ID }, retort.PrimaryKey())
	AccountRef  = retort.Col(Accounts, "ref", func(a *Account) *string { return &a.Ref }, retort.PGType("uuid"), retort.Unique())
	AccountDoc  = retort.Col(Accounts, "doc", func(a *Account) *string { return &a.Doc }, retort.PGType("jsonb"))
	AccountAddr = retort.NullCol(Accounts, "addr", func(a *Account) **string { return &a.Addr }, retort.PGType("inet"))
)

// TestPGType writes strings into uuid, jsonb and inet columns by every
// path (one row, arrays, COPY, an upsert, an update) and finds them with
// = and IN. Without the type, PostgreSQL refused the arrays ("column "ref"
// is of type uuid but expression is of type text") and IN lists ("operator
// does not exist: uuid = text"). SQLite keeps TEXT.
func TestPGType(t *testing.T) {
	ddl := retort.CreateSQL(retort.Postgres, Accounts)[0]
	for _, want := range []string{`"ref" uuid NOT NULL`, `"doc" jsonb NOT NULL`, `"addr" inet,`} {
		if !strings.Contains(ddl, want) {
			t.Errorf("DDL lacks %s:\n%s", want, ddl)
		}
	}
	if ddl := retort.CreateSQL(retort.SQLite, Accounts)[0]; !strings.Contains(ddl, `"ref" TEXT NOT NULL`) {
		t.Errorf("SQLite DDL:\n%s", ddl)
	}
	// An IN list leaves its type to the server: a string column mapped
	// without PGType onto a uuid column keeps working.
	if sql, _, err := retort.Select(Alwayss).Where(AlwaysCode.In("a", "b")).SQL(retort.Postgres); err != nil || !strings.HasSuffix(sql, `"code" = ANY($1)`) {
		t.Errorf("IN list: %s, %v", sql, err)
	}
	for _, bad := range []string{"uuid; DROP TABLE account", "", "text[]", `"uuid"`, "1int", "int -- x"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("PGType(%q) did not panic", bad)
				}
			}()
			retort.PGType(bad)
		}()
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Accounts)
		var all []*Account
		batch := func(n int) []*Account {
			objs := make([]*Account, n)
			for i := range objs {
				k := len(all) + i
				objs[i] = &Account{Ref: fmt.Sprintf("a0eebc99-9c0b-4ef8-bb6d-%012x", k), Doc: fmt.Sprintf(`{"k": %d}`, k)}
				if k%2 == 0 {
					addr := fmt.Sprintf("10.0.%d.%d", k/256, k%256)
					objs[i].Addr = &addr
				}
			}
			all = append(all, objs...)
			return objs
		}
		for _, n := range []int{1, 3, 2100} { // one row, arrays, COPY
			if err := retort.Insert(Accounts, batch(n)...).Exec(ctx, env.DB); err != nil {
				t.Fatalf("%d rows: %v", n, err)
			}
		}
		// An upsert of two rows by their uuid, and an update by one.
		up := []*Account{{Ref: all[1].Ref, Doc: `{"k": "up"}`}, {Ref: all[2].Ref, Doc: `{"k": "up"}`}}
		if err := retort.Insert(Accounts, up...).OnConflict(AccountRef).
			DoUpdateSet(AccountDoc.ToExpr(retort.Excluded(AccountDoc))).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		all[1].Doc, all[2].Doc = `{"k": "up"}`, `{"k": "up"}`
		addr := "192.168.0.1"
		if _, err := retort.Update(Accounts).Set(AccountAddr.To(addr)).Where(AccountRef.Eq(all[3].Ref)).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		all[3].Addr = &addr
		got, err := retort.Select(Accounts).OrderBy(AccountID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range got { // pgx's binary format spells an inet with its prefix length
			if a.Addr != nil {
				addr := strings.TrimSuffix(*a.Addr, "/32")
				a.Addr = &addr
			}
		}
		if diff := cmp.Diff(all, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		n, err := retort.Select(Accounts).Where(AccountRef.In(all[0].Ref, all[5].Ref, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")).Count(ctx, env.DB)
		if err != nil || n != 2 {
			t.Errorf("uuid IN: %d, %v; want 2", n, err)
		}
		n, err = retort.Select(Accounts).Where(retort.And(AccountRef.NotIn(all[0].Ref), AccountAddr.In(addr, "10.0.0.0"))).Count(ctx, env.DB)
		if err != nil || n != 1 {
			t.Errorf("inet IN: %d, %v; want 1", n, err)
		}
	})
}

// Legacy maps a table made by hand, with the mismatches CheckSchema
// reports: a column missing, a nullable column for a plain field, a NOT
// NULL column without a default left unmapped, and on
// PostgreSQL a date column declared as time.Time and a uuid held in a
// string without PGType. Its other columns differ from Retort's types in
// ways that work (integer for int64, varchar for string, a domain over
// text) and are not reported.
type Legacy struct {
	ID    int64
	N     int64
	Name  string
	Email string
	Born  time.Time
	Ref   string
	Note  string
	Gone  string
	Stamp time.Time
	Kind  string
}

var (
	Legacies = retort.NewTable[Legacy]("legacy")
	_        = retort.Col(Legacies, "id", func(l *Legacy) *int64 { return &l.ID }, retort.PrimaryKey())
	_        = retort.Col(Legacies, "n", func(l *Legacy) *int64 { return &l.N })
	_        = retort.Col(Legacies, "name", func(l *Legacy) *string { return &l.Name })
	_        = retort.Col(Legacies, "email", func(l *Legacy) *string { return &l.Email })
	_        = retort.Col(Legacies, "born", func(l *Legacy) *time.Time { return &l.Born })
	_        = retort.Col(Legacies, "ref", func(l *Legacy) *string { return &l.Ref })
	_        = retort.Col(Legacies, "note", func(l *Legacy) *string { return &l.Note })
	_        = retort.Col(Legacies, "gone", func(l *Legacy) *string { return &l.Gone })
	_        = retort.ColType(Legacies, "stamp", func(l *Legacy) *time.Time { return &l.Stamp }, retort.Timestamp())
	_        = retort.Col(Legacies, "kind", func(l *Legacy) *string { return &l.Kind }, retort.PGType("legacy_kind"))

	Missing = retort.NewTable[Always]("missing_table")
	_       = retort.Col(Missing, "id", func(a *Always) *int64 { return &a.ID }, retort.PrimaryKey())
	_       = retort.Col(Missing, "code", func(a *Always) *string { return &a.Code })
)

// TestCheckSchema checks tables CreateAll made (no mismatch, on both
// databases) and Legacy, made by hand, whose mismatches it lists in order.
func TestCheckSchema(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		made := []retort.Schema{Visits, Accounts, Parcels, Alwayss, tyStamps}
		env.Create(t, made...)
		if err := retort.CheckSchema(ctx, env.DB, made...); err != nil {
			t.Errorf("tables CreateAll made: %v", err)
		}
		ddl := `CREATE TABLE "legacy" ("id" integer PRIMARY KEY, "n" integer NOT NULL, "name" varchar(20) NOT NULL,
			"email" TEXT NOT NULL, "born" date NOT NULL, "ref" uuid NOT NULL, "note" text, "stamp" timestamp NOT NULL,
			"extra" integer NOT NULL, "counted" integer NOT NULL DEFAULT 0, "aside" text, "kind" text NOT NULL)`
		if env.Dialect == retort.Postgres {
			if _, err := env.DB.Exec(ctx, `CREATE DOMAIN "email_address" AS text CHECK (VALUE LIKE '%@%')`); err != nil {
				t.Fatal(err)
			}
			ddl = strings.Replace(ddl, `"email" TEXT`, `"email" email_address`, 1)
		} else {
			ddl = strings.NewReplacer(" date", " DATE", " uuid", " TEXT", " timestamp", " TIMESTAMP").Replace(ddl)
		}
		if _, err := env.DB.Exec(ctx, ddl); err != nil {
			t.Fatal(err)
		}
		err := retort.CheckSchema(ctx, env.DB, Legacies, Missing)
		var se *retort.SchemaError
		if !errors.As(err, &se) {
			t.Fatalf("CheckSchema: %v, want a *SchemaError", err)
		}
		want := []retort.SchemaMismatch{
			{Table: "legacy", Column: "note", Reason: "allows NULL, which its field cannot hold: declare it with NullCol"},
			{Table: "legacy", Column: "gone", Reason: "does not exist"},
			{Table: "legacy", Column: "extra", Reason: "is NOT NULL without a default and not mapped: inserts fail; map it, or give it a default"},
			{Table: "missing_table", Reason: "does not exist"},
		}
		if env.Dialect == retort.Postgres {
			want = slices.Insert(want, 2, retort.SchemaMismatch{Table: "legacy", Column: "kind", Reason: "Retort's type legacy_kind does not exist in the database"})
			want = append([]retort.SchemaMismatch{
				{Table: "legacy", Column: "born", Reason: "is date, declared timestamptz: values written many at once would be shifted by the server's TimeZone; declare it with retort.Date()"},
				{Table: "legacy", Column: "ref", Reason: `is uuid, declared text, which PostgreSQL does not assign to it: declare it with retort.PGType("uuid") or a Type of that type`},
			}, want...)
		}
		if diff := cmp.Diff(want, se.Mismatches); diff != "" {
			t.Errorf("mismatches (-want +got):\n%s", diff)
		}
		t.Log(err)
	})
}
