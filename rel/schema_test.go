package rel_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// Tables in a schema of their own ("schema.table"), named for this test
// process: an attached database on SQLite, a schema on PostgreSQL. The
// schema's name has a quote and a space in it.
var billing = fmt.Sprintf(`rt "billing" %d`, os.Getpid())

type BCustomer struct {
	ID       int64
	Name     string
	Invoices rel.Many[BInvoice]
	Labels   rel.Set[BLabel]
}

type BInvoice struct {
	ID         int64
	CustomerID int64
	Total      int64
	Customer   rel.One[BCustomer]
}

type BLabel struct {
	ID   int64
	Name string
}

// LocalCustomer has the same name as BCustomer's table, in the default
// schema.
type LocalCustomer struct {
	ID   int64
	Name string
}

var (
	BCustomers     = retort.NewTable[BCustomer](billing + ".customer")
	BCustomerID    = retort.Col(BCustomers, "id", func(c *BCustomer) *int64 { return &c.ID }, retort.PrimaryKey())
	BCustomerName  = retort.Col(BCustomers, "name", func(c *BCustomer) *string { return &c.Name }, retort.Unique())
	BInvoices      = retort.NewTable[BInvoice](billing + ".invoice")
	BInvoiceID     = retort.Col(BInvoices, "id", func(i *BInvoice) *int64 { return &i.ID }, retort.PrimaryKey())
	BInvoiceCust   = retort.Col(BInvoices, "customer_id", func(i *BInvoice) *int64 { return &i.CustomerID }).References(BCustomerID)
	BInvoiceTotal  = retort.Col(BInvoices, "total", func(i *BInvoice) *int64 { return &i.Total }, retort.Indexed())
	BLabels        = retort.NewTable[BLabel](billing + ".label")
	BLabelID       = retort.Col(BLabels, "id", func(l *BLabel) *int64 { return &l.ID }, retort.PrimaryKey())
	BLabelName     = retort.Col(BLabels, "name", func(l *BLabel) *string { return &l.Name })
	BCustInvoices  = rel.OneToMany(BInvoiceCust, BCustomerID, func(c *BCustomer) *rel.Many[BInvoice] { return &c.Invoices }, rel.OrderBy(rel.Asc(BInvoiceTotal)))
	BInvoiceOwner  = BCustInvoices.BackrefOne(func(i *BInvoice) *rel.One[BCustomer] { return &i.Customer })
	BCustLabels    = rel.ManyToMany(BCustomerID, BLabelID, billing+".customer_label", func(c *BCustomer) *rel.Set[BLabel] { return &c.Labels }, rel.OrderBy(rel.Asc(BLabelName)))
	LocalCustomers = retort.NewTable[LocalCustomer]("customer")
	LocalCustID    = retort.Col(LocalCustomers, "id", func(c *LocalCustomer) *int64 { return &c.ID }, retort.PrimaryKey())
	LocalCustName  = retort.Col(LocalCustomers, "name", func(c *LocalCustomer) *string { return &c.Name })

	billingTables = []retort.Schema{BCustomers, BInvoices, BLabels, BCustLabels.Table(), LocalCustomers}
)

// TestSchemaTables: tables named "schema.table" are created (with the
// schema, on PostgreSQL), written by the session in foreign-key order,
// read, joined, loaded through one-to-many, many-to-one and many-to-many
// relationships (select-in and joined), updated and deleted, next to a
// table of the same name in the default schema; CreateAll a second time
// and CheckSchema see them. Before, every statement quoted the whole name
// as one identifier ("rt ""billing"" 123.customer"), a table of the default
// schema that does not exist.
func TestSchemaTables(t *testing.T) {
	dbtest.RunWith(t, dbtest.Options{Schema: billing}, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, billingTables...)
		if err := retort.CreateAll(ctx, env.DB, billingTables...); err != nil {
			t.Fatalf("CreateAll again: %v", err)
		}
		if err := retort.CheckSchema(ctx, env.DB, billingTables...); err != nil {
			t.Fatalf("CheckSchema: %v", err)
		}
		s := session.New(env.DB)
		ann, bob := &BCustomer{ID: 1, Name: "ann"}, &BCustomer{ID: 2, Name: "bob"}
		red, blue := &BLabel{ID: 1, Name: "red"}, &BLabel{ID: 2, Name: "blue"}
		ann.Invoices.Add(&BInvoice{ID: 10, Total: 300}, &BInvoice{ID: 11, Total: 100})
		bob.Invoices.Add(&BInvoice{ID: 12, Total: 200})
		ann.Labels.Add(red, blue)
		bob.Labels.Add(red)
		for _, c := range []*BCustomer{ann, bob} {
			if err := session.Add(s, c); err != nil {
				t.Fatal(err)
			}
		}
		if err := session.Add(s, &LocalCustomer{ID: 1, Name: "local ann"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("commit: %v", err)
		}
		// The rows are in the schema's tables, read with hand-written SQL.
		for table, want := range map[string]int64{"customer": 2, "invoice": 3, "label": 2, "customer_label": 3} {
			if n := env.Int(t, "SELECT count(*) FROM "+retort.QuoteIdent(billing)+"."+retort.QuoteIdent(table)); n != want {
				t.Errorf("%s in the schema: %d rows, want %d", table, n, want)
			}
		}

		type line struct {
			Customer string
			Totals   []int64
			Labels   []string
		}
		report := func(cs []*BCustomer) []line {
			t.Helper()
			var out []line
			for _, c := range cs {
				l := line{Customer: c.Name}
				invs, err := c.Invoices.Get()
				if err != nil {
					t.Fatal(err)
				}
				for _, i := range invs {
					owner, err := i.Customer.Get()
					if err != nil || owner != c {
						t.Errorf("invoice %d's customer: %v, %v; want %s", i.ID, owner, err, c.Name)
					}
					l.Totals = append(l.Totals, i.Total)
				}
				for lb := range c.Labels.All() {
					l.Labels = append(l.Labels, lb.Name)
				}
				out = append(out, l)
			}
			return out
		}
		want := []line{{"ann", []int64{100, 300}, []string{"blue", "red"}}, {"bob", []int64{200}, []string{"red"}}}
		for _, load := range []struct {
			name string
			opts []session.QueryOption
		}{
			{"select-in", []session.QueryOption{rel.SelectIn(BCustInvoices).Then(rel.SelectIn(BInvoiceOwner)), rel.SelectIn(BCustLabels)}},
			{"joined", []session.QueryOption{rel.Joined(BCustInvoices), rel.Joined(BCustLabels)}},
		} {
			s := session.New(env.DB)
			cs, err := session.All(ctx, s, retort.Select(BCustomers).OrderBy(BCustomerName.Asc()), load.opts...)
			if err != nil {
				t.Fatalf("%s: %v", load.name, err)
			}
			if diff := cmp.Diff(want, report(cs)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", load.name, diff)
			}
		}

		// A join along the foreign key, and one with the default schema's
		// table of the same name (through an alias).
		invs, err := retort.Select(BInvoices).JoinFK(BCustomers).Where(BCustomerName.Eq("ann")).OrderBy(BInvoiceTotal.Desc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if len(invs) != 2 || invs[0].Total != 300 {
			t.Errorf("ann's invoices by join: %+v", invs)
		}
		lc := retort.Alias(LocalCustomers, "lc")
		n, err := retort.Select(BCustomers).Join(lc, retort.Aliased(lc, LocalCustID).EqCol(BCustomerID)).Count(ctx, env.DB)
		if err != nil || n != 1 {
			t.Errorf("join with the default schema's customer: %d, %v; want 1", n, err)
		}

		// Changes and deletes through the session, and statements.
		s = session.New(env.DB)
		got, err := session.Get(ctx, s, BCustomers, int64(2))
		if err != nil {
			t.Fatal(err)
		}
		got.Name = "robert"
		if err := session.Delete(s, got); err != nil {
			t.Fatal(err)
		}
		err = s.Commit(ctx)
		if err == nil || !strings.Contains(err.Error(), "customer") || !strings.Contains(strings.ToLower(err.Error()), "foreign key") {
			t.Fatalf("deleting a customer with an invoice: %v, want the foreign key's refusal", err)
		}
		s = session.New(env.DB)
		inv, err := session.Get(ctx, s, BInvoices, int64(12))
		if err != nil {
			t.Fatal(err)
		}
		inv.Total = 250
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := retort.Update(BInvoices).Set(BInvoiceTotal.To(260)).Where(BInvoiceID.Eq(12), BInvoiceTotal.Eq(250)).Exec(ctx, env.DB); err != nil || n != 1 {
			t.Errorf("update: %d, %v", n, err)
		}
		if err := retort.Insert(BLabels, &BLabel{ID: 2, Name: "green"}).OnConflict(BLabelID).DoUpdateSet(BLabelName.ToExpr(retort.Concat(retort.Excluded(BLabelName), BLabelName))).Exec(ctx, env.DB); err != nil {
			t.Errorf("upsert: %v", err)
		}
		if n, err := retort.Delete(BInvoices).Where(BInvoiceID.Eq(12)).Exec(ctx, env.DB); err != nil || n != 1 {
			t.Errorf("delete: %d, %v", n, err)
		}
		labels, err := retort.Select(BLabels).OrderBy(BLabelID.Asc()).All(ctx, env.DB)
		if err != nil || len(labels) != 2 || labels[1].Name != "greenblue" {
			t.Errorf("labels: %+v, %v", labels, err)
		}
		locals, err := retort.Select(LocalCustomers).All(ctx, env.DB)
		if err != nil || len(locals) != 1 || locals[0].Name != "local ann" {
			t.Errorf("the default schema's customer: %+v, %v", locals, err)
		}
		if err := retort.DropAll(ctx, env.DB, billingTables...); err != nil {
			t.Fatalf("DropAll: %v", err)
		}
		if err := retort.CheckSchema(ctx, env.DB, BCustomers); err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("CheckSchema after DropAll: %v, want the table missing", err)
		}
	})
}
