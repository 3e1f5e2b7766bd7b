package retort_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

type scAccount struct {
	ID   int64
	Name string
}

type scEntry struct {
	ID        int64
	AccountID int64
	Cents     int64
}

// TestSchemaNames: a table name's one dot separates the schema; other
// dotted names panic at declaration, naming the way to write them.
func TestSchemaNames(t *testing.T) {
	for _, name := range []string{"a.b.c", ".b", "a.", "."} {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), "schema.table") {
					t.Errorf("NewTable(%q): panic %v, want one naming schema.table", name, r)
				}
			}()
			retort.NewTable[scAccount](name)
		}()
	}
	got := []string{
		retort.QuoteTable("billing.invoice"), retort.QuoteTable(`we"ird sch.t"1`), retort.QuoteTable("plain"),
		retort.NewTable[scAccount]("s.acct").Name(),
	}
	schema, table := retort.SplitTable("billing.invoice")
	got = append(got, schema, table)
	schema, table = retort.SplitTable("plain")
	got = append(got, schema, table)
	want := []string{`"billing"."invoice"`, `"we""ird sch"."t""1"`, `"plain"`, "s.acct", "billing", "invoice", "", "plain"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestSchemaDDL: the statements creating tables in a schema, per dialect:
// PostgreSQL creates the schema and qualifies the table everywhere;
// SQLite qualifies the index's name, not its table, and REFERENCES names
// a table of the same database without its schema.
func TestSchemaDDL(t *testing.T) {
	accounts := retort.NewTable[scAccount]("ledger.account")
	accID := retort.Col(accounts, "id", func(a *scAccount) *int64 { return &a.ID }, retort.PrimaryKey())
	retort.Col(accounts, "name", func(a *scAccount) *string { return &a.Name }, retort.Indexed())
	entries := retort.NewTable[scEntry]("ledger.entry")
	retort.Col(entries, "id", func(e *scEntry) *int64 { return &e.ID }, retort.PrimaryKey())
	retort.Col(entries, "account_id", func(e *scEntry) *int64 { return &e.AccountID }).References(accID)
	retort.Col(entries, "cents", func(e *scEntry) *int64 { return &e.Cents })
	for _, d := range []retort.Dialect{retort.Postgres, retort.SQLite} {
		got := strings.Join(retort.CreateSQL(d, entries, accounts), ";\n") + ";\n" +
			strings.Join(retort.DropSQL(d, entries, accounts), ";\n") + ";\n"
		golden(t, "schema_ddl_"+d.String()+".sql", got)
	}
}

// TestSchemaForeignKeys: a table of the default schema referring to a
// table of another: PostgreSQL creates and checks the foreign key;
// SQLite, whose foreign keys stay within one database, has CreateAll
// refuse it with an error naming both tables, creating nothing. Many rows
// at once (COPY on PostgreSQL) go into the schema's table.
func TestSchemaForeignKeys(t *testing.T) {
	schema := fmt.Sprintf("rt_ledger_%d", os.Getpid())
	accounts := retort.NewTable[scAccount](schema + ".account")
	accID := retort.Col(accounts, "id", func(a *scAccount) *int64 { return &a.ID }, retort.PrimaryKey())
	accName := retort.Col(accounts, "name", func(a *scAccount) *string { return &a.Name })
	entries := retort.NewTable[scEntry]("entry")
	entryID := retort.Col(entries, "id", func(e *scEntry) *int64 { return &e.ID }, retort.PrimaryKey())
	retort.Col(entries, "account_id", func(e *scEntry) *int64 { return &e.AccountID }).References(accID)
	retort.Col(entries, "cents", func(e *scEntry) *int64 { return &e.Cents })
	dbtest.RunWith(t, dbtest.Options{Schema: schema}, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		many := make([]*scAccount, 2500)
		for i := range many {
			many[i] = &scAccount{Name: fmt.Sprint("acct ", i)}
		}
		err := retort.CreateAll(ctx, env.DB, accounts, entries)
		if env.Dialect == retort.SQLite {
			if err == nil || !strings.Contains(err.Error(), "entry") || !strings.Contains(err.Error(), schema+".account") {
				t.Fatalf("CreateAll: %v, want a refusal naming entry and %s.account", err, schema)
			}
			if err := retort.CheckSchema(ctx, env.DB, accounts, entries); err == nil || strings.Count(err.Error(), "does not exist") != 2 {
				t.Errorf("after the refusal: %v, want both tables missing", err)
			}
			if err := retort.CreateAll(ctx, env.DB, accounts); err != nil {
				t.Fatal(err)
			}
			if err := retort.Insert(accounts, many...).Exec(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
			if n, err := retort.Select(accounts).Count(ctx, env.DB); err != nil || n != 2500 {
				t.Errorf("accounts: %d, %v", n, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := retort.Insert(accounts, many...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if many[2499].ID == 0 || many[0].ID == many[2499].ID {
			t.Errorf("generated keys: %d, %d", many[0].ID, many[2499].ID)
		}
		if err := retort.Insert(entries, &scEntry{ID: 1, AccountID: many[7].ID, Cents: 5}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		err = retort.Insert(entries, &scEntry{ID: 2, AccountID: -1, Cents: 5}).Exec(ctx, env.DB)
		if err == nil || !strings.Contains(err.Error(), "entry_account_id_fkey") {
			t.Errorf("an entry of no account: %v, want the foreign key's refusal", err)
		}
		n, err := retort.Select(entries).JoinFK(accounts).Where(entryID.Eq(1), accName.Eq("acct 7")).Count(ctx, env.DB)
		if err != nil || n != 1 {
			t.Errorf("join across schemas: %d, %v; want 1", n, err)
		}
	})
}
