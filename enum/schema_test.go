package enum_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/enum"
	"github.com/retort-orm/retort/internal/dbtest"
)

// An enumeration whose PostgreSQL type lives in a schema of its own
// ("schema.type"), used by a table of that schema and by one of the
// default schema.

var ticketSchema = fmt.Sprintf("rt_tickets_%d", os.Getpid())

type Severity string

type Ticket struct {
	ID       int64
	Severity Severity
}

var (
	Severities = enum.New(ticketSchema+".severity", enum.Value(Severity("low"), "Low"), enum.Value(Severity("high"), "High"))
	// A second declaration with one more value, as a later release would.
	SeveritiesV2 = enum.New(ticketSchema+".severity", enum.Value(Severity("low"), "Low"), enum.Value(Severity("high"), "High"),
		enum.Value(Severity("urgent"), "Urgent"))
)

func ticketTable(name string) (*retort.Table[Ticket], *retort.Column[Ticket, Severity]) {
	t := retort.NewTable[Ticket](name)
	retort.Col(t, "id", func(k *Ticket) *int64 { return &k.ID }, retort.PrimaryKey())
	sev := retort.ColType(t, "severity", func(k *Ticket) *Severity { return &k.Severity }, Severities)
	return t, sev
}

// TestEnumInSchema: on PostgreSQL the enum's type is created in its schema
// (with the schema), columns and array casts name it qualified, Sync adds a
// value to it there, and DropAll drops it once no table uses it; SQLite
// stores the values as text with a CHECK. Before, the type was created in
// the current schema under the whole name ("rt_tickets_1.severity") and
// the type of the schema was never found. A name with two dots panics.
func TestEnumInSchema(t *testing.T) {
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "schema.type") {
				t.Errorf("enum.New(\"a.b.c\"): panic %v, want one naming schema.type", r)
			}
		}()
		enum.New("a.b.c", enum.Value(Severity("x"), "X"))
	}()
	inSchema, sevIn := ticketTable(ticketSchema + ".ticket")
	plain, sevPlain := ticketTable("ticket")
	dbtest.RunWith(t, dbtest.Options{Schema: ticketSchema}, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, inSchema, plain)
		many := make([]*Ticket, 30)
		for i := range many {
			many[i] = &Ticket{ID: int64(i + 1), Severity: []Severity{"low", "high"}[i%2]}
		}
		for _, tbl := range []*retort.Table[Ticket]{inSchema, plain} {
			if err := retort.Insert(tbl, many...).Exec(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			t   *retort.Table[Ticket]
			sev *retort.Column[Ticket, Severity]
		}{{inSchema, sevIn}, {plain, sevPlain}} {
			n, err := retort.Select(c.t).Where(c.sev.Eq("high")).Count(ctx, env.DB)
			if err != nil || n != 15 {
				t.Errorf("%s: high tickets %d, %v; want 15", c.t.Name(), n, err)
			}
		}
		if env.Dialect != retort.Postgres {
			return
		}
		labels := func() []string { return pgLabelsIn(t, env.DB, ticketSchema, "severity") }
		if diff := cmp.Diff([]string{"low", "high"}, labels()); diff != "" {
			t.Errorf("the type in the schema (-want +got):\n%s", diff)
		}
		added, err := enum.Sync(ctx, env.DB, SeveritiesV2)
		if err != nil || len(added) != 1 || added[0] != "urgent" {
			t.Errorf("Sync: %v, %v; want [urgent]", added, err)
		}
		if diff := cmp.Diff([]string{"low", "high", "urgent"}, labels()); diff != "" {
			t.Errorf("after Sync (-want +got):\n%s", diff)
		}
		if err := retort.DropAll(ctx, env.DB, inSchema, plain); err != nil {
			t.Fatal(err)
		}
		if got := labels(); len(got) != 0 {
			t.Errorf("after DropAll: the type is still there: %v", got)
		}
	})
}
