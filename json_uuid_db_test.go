package retort_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// Dims is a struct stored as JSON.
type Dims struct {
	W    float64 `json:"w"`
	H    float64 `json:"h"`
	Unit string  `json:"unit,omitempty"`
}

// extUUID stands for a UUID type of another package (google/uuid's).
type extUUID [16]byte

// Product has a UUID key that inserts generate, JSON columns of a map, a
// struct and a NULL-able slice, and a NULL-able UUID of another type.
type Product struct {
	ID    retort.UUID
	Name  string
	Attrs map[string]any
	Dims  Dims
	Tags  *[]string
	Maker *extUUID
}

var (
	Products     = retort.NewTable[Product]("product")
	ProductID    = retort.Col(Products, "id", func(p *Product) *retort.UUID { return &p.ID }, retort.PrimaryKey(), retort.Default(retort.NewUUID))
	ProductName  = retort.Col(Products, "name", func(p *Product) *string { return &p.Name })
	ProductAttrs = retort.ColType(Products, "attrs", func(p *Product) *map[string]any { return &p.Attrs }, retort.JSON[map[string]any]())
	ProductDims  = retort.ColType(Products, "dims", func(p *Product) *Dims { return &p.Dims }, retort.JSON[Dims]())
	ProductTags  = retort.NullColType(Products, "tags", func(p *Product) **[]string { return &p.Tags }, retort.JSON[[]string]())
	ProductMaker = retort.NullColType(Products, "maker", func(p *Product) **extUUID { return &p.Maker }, retort.UUIDType[extUUID]())
)

func product(i int) *Product {
	p := &Product{
		Name:  fmt.Sprint("product ", i),
		Attrs: map[string]any{"color": []string{"red", "green", "blue"}[i%3], "weight": float64(i) / 4, "new": i%2 == 0},
		Dims:  Dims{W: float64(i), H: 2.5},
	}
	if i%4 != 0 {
		p.Tags = &[]string{"t" + fmt.Sprint(i%5), "all"}
	}
	if i%3 == 0 {
		m := extUUID(retort.NewUUID())
		p.Maker = &m
	}
	return p
}

// TestJSONAndUUIDColumns: JSON and UUID columns round-trip on every insert
// path (1, 3 and 2,100 rows: one row, arrays or multi-row VALUES, COPY on
// PostgreSQL), keys made by Default(NewUUID) in the order of the objects;
// CheckSchema accepts the DDL; predicates on both kinds of columns find
// their rows; a session's Get by a UUID key costs no round trip for an
// object it holds and one for a new session.
func TestJSONAndUUIDColumns(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Products)
		if err := retort.CheckSchema(ctx, env.DB, Products); err != nil {
			t.Fatalf("CheckSchema: %v", err)
		}
		var all []*Product
		for _, n := range []int{1, 3, 2100} {
			objs := make([]*Product, n)
			for i := range objs {
				objs[i] = product(len(all) + i)
			}
			given := retort.NewUUID()
			objs[n-1].ID = given
			if err := retort.Insert(Products, objs...).Exec(ctx, env.DB); err != nil {
				t.Fatalf("insert %d rows: %v", n, err)
			}
			for i, o := range objs {
				if o.ID.IsZero() {
					t.Fatalf("%d rows: object %d has no key", n, i)
				}
				if i > 0 && i < n-1 && o.ID.String() <= objs[i-1].ID.String() {
					t.Fatalf("%d rows: keys out of order: %s after %s", n, o.ID, objs[i-1].ID)
				}
			}
			if objs[n-1].ID != given {
				t.Errorf("%d rows: the given key was replaced", n)
			}
			all = append(all, objs...)
		}
		got, err := retort.Select(Products).OrderBy(ProductName.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(all)
		slices.SortFunc(want, func(a, b *Product) int { return strings.Compare(a.Name, b.Name) })
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("rows (-inserted +read):\n%s", diff)
		}

		p7 := all[7]
		for _, c := range []struct {
			name string
			pred retort.Expr[bool]
			want int
		}{
			{"uuid key", ProductID.Eq(p7.ID), 1},
			{"uuid key in", ProductID.In(p7.ID, all[8].ID, retort.NewUUID()), 2},
			{"uuid of another type", ProductMaker.Eq(*all[9].Maker), 1},
			{"json struct", ProductDims.Eq(Dims{W: 7, H: 2.5}), 1},
			{"json map", ProductAttrs.Eq(map[string]any{"weight": 1.75, "new": false, "color": "green"}), 1},
			{"json slice", ProductTags.Eq([]string{"t2", "all"}), 316},
		} {
			n, err := retort.Select(Products).Where(c.pred).Count(ctx, env.DB)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			} else if n != int64(c.want) {
				t.Errorf("%s: %d rows, want %d", c.name, n, c.want)
			}
		}

		s := session.New(env.DB)
		p := &Product{Name: "session", Attrs: map[string]any{}}
		if err := session.Add(s, p); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if p.ID.IsZero() {
			t.Fatal("a session's insert made no key")
		}
		env.Count.Reset()
		same, err := session.Get(ctx, s, Products, p.ID)
		if err != nil || same != p {
			t.Errorf("Get from the identity map: %p, %v; want %p", same, err, p)
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("Get of a held object: %d round trips, want 0", n)
		}
		other, err := session.Get(ctx, session.New(env.DB), Products, p7.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(p7, other); diff != "" {
			t.Errorf("Get in a new session (-inserted +read):\n%s", diff)
		}
		if n := env.Count.RoundTrips(); n != 1 {
			t.Errorf("Get in a new session: %d round trips, want 1", n)
		}
	})
}

// TestJSONChangedInPlace: a JSON value changed in place (a map entry, a
// struct field, a slice element behind a pointer) is found by the next
// flush and written; an untouched object is not written; a map built in
// another key order is the same value.
func TestJSONChangedInPlace(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Products)
		objs := []*Product{product(1), product(2), product(3)}
		if err := retort.Insert(Products, objs...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		load := func(s *session.Session) []*Product {
			t.Helper()
			got, err := session.All(ctx, s, retort.Select(Products).OrderBy(ProductName.Asc()))
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		s := session.New(env.DB)
		got := load(s)
		// The same content built anew, keys inserted in another order.
		got[0].Attrs = map[string]any{"weight": got[0].Attrs["weight"], "new": got[0].Attrs["new"], "color": got[0].Attrs["color"]}
		if n := commitCounted(t, env, s); n != 0 {
			t.Errorf("commit with no change: %d round trips, want 0", n)
		}

		got[0].Attrs["color"] = "violet"
		got[1].Dims.Unit = "cm"
		(*got[2].Tags)[0] = "changed"
		if n := commitCounted(t, env, s); n == 0 {
			t.Fatal("changes made in place were not written")
		}
		again := load(session.New(env.DB))
		if diff := cmp.Diff(got, again); diff != "" {
			t.Errorf("stored (-changed in memory +read):\n%s", diff)
		}
		if n := commitCounted(t, env, s); n != 0 {
			t.Errorf("commit after the changes were written: %d round trips, want 0", n)
		}
	})
}

// TestJSONAndUUIDErrors: values JSON cannot hold are ColumnErrors naming
// the table and column, wrapping encoding/json's error or ErrInvalidText,
// and write nothing; stored text that is not the column's JSON shape or not
// a UUID is a ColumnError on read; SQLite refuses text that is not JSON.
func TestJSONAndUUIDErrors(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Products)
		for _, c := range []struct {
			name   string
			mod    func(p *Product)
			column string
			is     error
		}{
			{"NaN", func(p *Product) { p.Dims.W = math.NaN() }, "dims", nil},
			{"channel", func(p *Product) { p.Attrs["c"] = make(chan int) }, "attrs", nil},
			{"NUL", func(p *Product) { p.Tags = &[]string{"a\x00b"} }, "tags", retort.ErrInvalidText},
		} {
			for _, n := range []int{1, 3, 2100} {
				objs := make([]*Product, n)
				for i := range objs {
					objs[i] = product(i)
				}
				c.mod(objs[n-1])
				err := retort.Insert(Products, objs...).Exec(ctx, env.DB)
				var ce *retort.ColumnError
				if !errors.As(err, &ce) || ce.Table != "product" || ce.Column != c.column {
					t.Errorf("%s, %d rows: %v, want a ColumnError for product.%s", c.name, n, err, c.column)
					continue
				}
				if c.is != nil && !errors.Is(err, c.is) {
					t.Errorf("%s, %d rows: %v does not wrap %v", c.name, n, err, c.is)
				}
			}
		}
		if n, err := retort.Select(Products).Count(ctx, env.DB); err != nil || n != 0 {
			t.Errorf("after refused inserts: %d rows, %v; want 0", n, err)
		}

		if err := retort.Insert(Products, product(0)).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			set, column string
			is          error
		}{
			{`"dims" = '[1, 2]'`, "dims", nil},
			{`"maker" = '12345'`, "maker", retort.ErrInvalidUUID},
		} {
			if env.Dialect == retort.Postgres && c.column == "maker" {
				continue // uuid holds only UUIDs
			}
			if _, err := env.DB.Exec(ctx, `UPDATE "product" SET `+c.set); err != nil {
				t.Fatal(err)
			}
			_, err := retort.Select(Products).All(ctx, env.DB)
			var ce *retort.ColumnError
			if !errors.As(err, &ce) || ce.Table != "product" || ce.Column != c.column || c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("read after SET %s: %v, want a ColumnError for product.%s", c.set, err, c.column)
			}
			if _, err := env.DB.Exec(ctx, `DELETE FROM "product"`); err != nil {
				t.Fatal(err)
			}
			if err := retort.Insert(Products, product(0)).Exec(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
		}
		if env.Dialect == retort.SQLite {
			if _, err := env.DB.Exec(ctx, `UPDATE "product" SET "attrs" = '{not json'`); err == nil {
				t.Error("SQLite stored text that is not JSON in a JSON column")
			}
		}
	})
}

// commitCounted commits s and returns the round trips the commit took.
func commitCounted(t *testing.T, env *dbtest.Env, s *session.Session) int64 {
	t.Helper()
	env.Count.Reset()
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	return env.Count.RoundTrips()
}
