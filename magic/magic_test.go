package magic_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/magic"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

func TestSnakeCase(t *testing.T) {
	for _, c := range []struct{ in, want, why string }{
		{"Parent", "parent", "one word"},
		{"OrderItem", "order_item", "two words"},
		{"UserID", "user_id", "a trailing acronym is one word"},
		{"HTTPServer", "http_server", "a leading acronym ends before the capital of the next word"},
		{"Address2", "address2", "a digit stays with its word"},
		{"Address2Line", "address2_line", "a capital after a digit starts a word"},
		{"already_snake", "already_snake", "nothing to change"},
		{"X", "x", "one letter"},
		{"", "", "empty"},
		{"ÉtéBrûlant", "été_brûlant", "non-ASCII letters"},
	} {
		if got := magic.SnakeCase(c.in); got != c.want {
			t.Errorf("SnakeCase(%q) = %q, want %q (%s)", c.in, got, c.want, c.why)
		}
	}
}

type OrderItem struct{ magic.Entity }

type HTTPLog struct{ magic.Entity }

type box[T any] struct{ V T }

func TestTableName(t *testing.T) {
	got := []string{magic.TableName[Parent](), magic.TableName[OrderItem](), magic.TableName[HTTPLog](), magic.TableName[box[int]](), magic.TableName[int]()}
	want := []string{"parent", "order_item", "http_log", "box", "int"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("table names (-want +got):\n%s", diff)
	}
}

// TestDeclarations checks what the example's declarations made: names, the
// generated key, the foreign key declared once for both sides, the
// association table, and the registry Setup uses.
func TestDeclarations(t *testing.T) {
	if Parents.Name() != "parent" || Children.Name() != "child" || Tags.Name() != "tag" {
		t.Errorf("table names: %s %s %s", Parents.Name(), Children.Name(), Tags.Name())
	}
	if Tags.AutoKey() == nil || Tags.AutoKey().Name() != "id" || magic.ID(Tags) != Tags.AutoKey() {
		t.Errorf("tag key: auto %v, ID %v", Tags.AutoKey(), magic.ID(Tags))
	}
	var cols []string
	for _, c := range Children.Columns() {
		cols = append(cols, c.Name())
	}
	if diff := cmp.Diff([]string{"id", "parent_id"}, cols); diff != "" {
		t.Errorf("child columns: both sides share one parent_id (-want +got):\n%s", diff)
	}
	fks := Children.ForeignKeys()
	if len(fks) != 1 || fks[0].RefTable != "parent" || fks[0].RefColumns[0] != "id" {
		t.Errorf("child foreign keys: %+v", fks)
	}
	var names []string
	for _, s := range magic.Tables() {
		names = append(names, s.Info().Name)
	}
	for _, want := range []string{"parent", "child", "tag", "child_tag"} {
		if !slices.Contains(names, want) {
			t.Errorf("Tables() = %v, missing %s", names, want)
		}
	}
}

// The key field of an Entity is its ID, read and written through the
// column.
func TestEntityKey(t *testing.T) {
	var tag Tag
	magic.ID(Tags).Set(&tag, 42)
	if tag.ID != 42 || *tag.EntityID() != 42 {
		t.Errorf("tag.ID = %d", tag.ID)
	}
}

type Pair struct {
	A, B int64
}

type Labelled struct {
	Code string
}

type Holder struct {
	magic.Entity
	Ref *string
}

func panics(t *testing.T, what, want string, fn func()) {
	t.Helper()
	defer func() {
		r := recover()
		msg, _ := r.(string)
		if !strings.Contains(msg, want) {
			t.Errorf("%s: panic %v, want one containing %q", what, r, want)
		}
	}()
	fn()
}

// Declaration mistakes panic with a message naming the table and column.
func TestDeclarationErrors(t *testing.T) {
	pairs := retort.NewTable[Pair]("pair")
	retort.Col(pairs, "a", func(p *Pair) *int64 { return &p.A }, retort.PrimaryKey())
	retort.Col(pairs, "b", func(p *Pair) *int64 { return &p.B }, retort.PrimaryKey())
	panics(t, "composite key", `magic: table "pair": the primary key is not a single int64 column`, func() { magic.ID(pairs) })

	labels := retort.NewTable[Labelled]("labelled")
	retort.Col(labels, "code", func(l *Labelled) *string { return &l.Code }, retort.PrimaryKey())
	panics(t, "string key", `magic: table "labelled"`, func() { magic.ID(labels) })

	holders := magic.Table[Holder]()
	retort.NullCol(holders, "ref", func(h *Holder) **string { return &h.Ref })
	panics(t, "existing column of another type", "magic: column holder.ref exists and is not a NULL-able int64 column", func() {
		magic.ManyToOne(holders, Parents, "ref", func(h *Holder) **int64 { return nil }, func(h *Holder) *rel.One[Parent] { return nil })
	})
}

func tagNames(c *Child) []string {
	var out []string
	for t := range c.Tags.All() {
		out = append(out, t.Name)
	}
	return out
}

// TestSeed runs the seed's scenario on both databases, and Setup twice.
func TestSeed(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		if _, err := magic.Setup(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		s, err := magic.Setup(ctx, env.DB) // the tables exist: nothing to do
		if err != nil {
			t.Fatal(err)
		}
		t1, t2, t3 := &Tag{Name: "t1"}, &Tag{Name: "t2"}, &Tag{Name: "t3"}
		p := &Parent{Children: rel.SetOf(&Child{Tags: rel.SetOf(t1, t2)}, &Child{Tags: rel.SetOf(t1, t3)})}
		if err := session.Add(s, p); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if p.ID == 0 || t3.ID == 0 {
			t.Fatalf("keys not generated: parent %d, t3 %d", p.ID, t3.ID)
		}
		for c := range p.Children.All() {
			if c.ParentID == nil || *c.ParentID != p.ID {
				t.Errorf("%v: parent_id %v, want %d", c, c.ParentID, p.ID)
			}
		}
		var links int64
		rows, err := env.DB.Query(ctx, `SELECT count(*) FROM "child_tag"`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			if err := rows.Scan(&links); err != nil {
				t.Fatal(err)
			}
		}
		rows.Close()
		if links != 4 {
			t.Errorf("child_tag rows: %d, want 4", links)
		}

		env.Count.Reset()
		s = session.New(env.DB)
		got, err := session.First(ctx, s, retort.Select(Parents), rel.SelectIn(ParentChildren).Then(rel.SelectIn(ChildTags)))
		if err != nil {
			t.Fatal(err)
		}
		var report [][]string
		for c := range got.Children.All() {
			report = append(report, tagNames(c))
		}
		if diff := cmp.Diff([][]string{{"t1", "t2"}, {"t1", "t3"}}, report); diff != "" {
			t.Errorf("children's tags (-want +got):\n%s", diff)
		}
		if n := env.Count.RoundTrips(); n != 3 {
			t.Errorf("parent, children and tags took %d round trips, want 3", n)
		}
	})
}
