package rel_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// seedFamilies stores n parents with k children each, in one flush.
func seedFamilies(t *testing.T, env *dbtest.Env, n, k int) {
	t.Helper()
	ctx := context.Background()
	s := session.New(env.DB)
	for i := range n {
		p := &Parent{Name: fmt.Sprintf("p%03d", i)}
		for j := range k {
			p.Children.Add(&Child{Name: fmt.Sprintf("p%03d-c%02d", i, j)})
		}
		if err := session.Add(s, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func familyShape(t *testing.T, ps []*Parent) []string {
	t.Helper()
	var out []string
	for _, p := range ps {
		kids, err := p.Children.Get()
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		line := p.Name + ":"
		for _, c := range kids {
			line += " " + c.Name
			if par, err := c.Parent.Get(); err != nil || par != p {
				t.Fatalf("%s: Parent.Get() = %v, %v", c.Name, par, err)
			}
		}
		out = append(out, line)
	}
	return out
}

// TestStatementsOneToMany loads 100 parents with 10 children each: lazily
// (101 statements), with SelectIn (2) and Joined (1).
func TestStatementsOneToMany(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedFamilies(t, env, 100, 10)
		q := retort.Select(Parents).OrderBy(ParentName.Asc())
		cases := []struct {
			name string
			want int64
			load func(s *session.Session) ([]*Parent, error)
		}{
			{"lazy", 101, func(s *session.Session) ([]*Parent, error) {
				ps, err := session.All(ctx, s, q)
				if err != nil {
					return nil, err
				}
				for _, p := range ps {
					if _, err := p.Children.Get(); err == nil {
						return nil, fmt.Errorf("children of %s loaded before Load", p.Name)
					}
					if err := p.Children.Load(ctx); err != nil {
						return nil, err
					}
				}
				return ps, nil
			}},
			{"selectin", 2, func(s *session.Session) ([]*Parent, error) {
				return session.All(ctx, s, q, rel.SelectIn(ParentChildren))
			}},
			{"joined", 1, func(s *session.Session) ([]*Parent, error) {
				return rel.All(ctx, s, q, rel.Joined(ParentChildren))
			}},
			{"joined through session.All", 1, func(s *session.Session) ([]*Parent, error) {
				return session.All(ctx, s, q, rel.Joined(ParentChildren))
			}},
		}
		var first []string
		for _, c := range cases {
			s := session.New(env.DB)
			rec.take()
			env.Count.Reset()
			ps, err := c.load(s)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := env.Count.RoundTrips(); got != c.want {
				t.Errorf("%s: %d statements, want %d", c.name, got, c.want)
			}
			shape := familyShape(t, ps)
			if len(shape) != 100 {
				t.Fatalf("%s: %d parents", c.name, len(shape))
			}
			if first == nil {
				first = shape
				if n := ps[0].Children.Len(); n != 10 {
					t.Errorf("%s: %d children, want 10", c.name, n)
				}
			} else if diff := cmp.Diff(first, shape); diff != "" {
				t.Errorf("%s: different objects than lazy loading (-lazy +%s):\n%s", c.name, c.name, diff)
			}
		}
	})
}

// TestStatementsManyToMany loads 100 children with 10 tags each.
func TestStatementsManyToMany(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		tags := make([]*Tag, 20)
		for i := range tags {
			tags[i] = &Tag{Name: fmt.Sprintf("t%02d", i)}
		}
		for i := range 100 {
			c := &Child{Name: fmt.Sprintf("c%03d", i)}
			for j := range 10 {
				c.Tags.Add(tags[(i+j)%20])
			}
			if err := session.Add(s, c); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		q := retort.Select(Children).OrderBy(ChildName.Asc())
		shape := func(cs []*Child) []string {
			var out []string
			for _, c := range cs {
				ts, err := c.Tags.Get()
				if err != nil {
					t.Fatalf("%s: %v", c.Name, err)
				}
				line := c.Name + ":"
				for _, x := range ts {
					line += " " + x.Name
				}
				out = append(out, line)
			}
			return out
		}
		want := shape(mustAll(t)(session.All(ctx, session.New(env.DB), q, rel.SelectIn(ChildTags))))
		if want[0] != "c000: t00 t01 t02 t03 t04 t05 t06 t07 t08 t09" {
			t.Errorf("first child: %s", want[0])
		}
		cases := []struct {
			name string
			want int64
			load func(s *session.Session) ([]*Child, error)
		}{
			{"lazy", 101, func(s *session.Session) ([]*Child, error) {
				cs, err := session.All(ctx, s, q)
				for _, c := range cs {
					if err := c.Tags.Load(ctx); err != nil {
						return nil, err
					}
				}
				return cs, err
			}},
			{"selectin", 2, func(s *session.Session) ([]*Child, error) {
				return session.All(ctx, s, q, rel.SelectIn(ChildTags))
			}},
			{"joined", 1, func(s *session.Session) ([]*Child, error) {
				return rel.All(ctx, s, q, rel.Joined(ChildTags))
			}},
			{"joined through session.All", 1, func(s *session.Session) ([]*Child, error) {
				return session.All(ctx, s, q, rel.Joined(ChildTags))
			}},
		}
		for _, c := range cases {
			s := session.New(env.DB)
			env.Count.Reset()
			cs, err := c.load(s)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := env.Count.RoundTrips(); got != c.want {
				t.Errorf("%s: %d statements, want %d", c.name, got, c.want)
			}
			if diff := cmp.Diff(want, shape(cs)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.name, diff)
			}
		}
	})
}

func mustAll(t *testing.T) func(objs []*Child, err error) []*Child {
	return func(objs []*Child, err error) []*Child {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return objs
	}
}

// seedShop stores 10 users with 10 orders of 10 items each, over 5
// products.
func seedShop(t *testing.T, env *dbtest.Env) {
	t.Helper()
	ctx := context.Background()
	s := session.New(env.DB)
	products := make([]*Product, 5)
	for i := range products {
		products[i] = &Product{Name: fmt.Sprintf("prod%d", i), Price: float64(i) + 0.5}
	}
	for u := range 10 {
		user := &User{Name: fmt.Sprintf("u%d", u)}
		for o := range 10 {
			order := &Order{Note: fmt.Sprintf("u%d-o%d", u, o)}
			for i := range 10 {
				it := &Item{Qty: int32(i + 1)}
				it.Product.Set(products[(o+i)%5])
				order.Items.Add(it)
			}
			user.Orders.Add(order)
		}
		if err := session.Add(s, user); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func shopShape(t *testing.T, users []*User) []string {
	t.Helper()
	var out []string
	for _, u := range users {
		orders, err := u.Orders.Get()
		if err != nil {
			t.Fatalf("%s: %v", u.Name, err)
		}
		for _, o := range orders {
			items, err := o.Items.Get()
			if err != nil {
				t.Fatalf("%s: %v", o.Note, err)
			}
			line := o.Note + ":"
			for _, it := range items {
				line += fmt.Sprintf(" %d", it.Qty)
			}
			out = append(out, line)
		}
	}
	return out
}

// TestStatementsPath loads a two-level path, users → orders → items: lazily
// (1 + 10 + 100 statements), with SelectIn (3) and Joined (1).
func TestStatementsPath(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedShop(t, env)
		q := retort.Select(Users).OrderBy(UserName.Asc())
		cases := []struct {
			name string
			want int64
			load func(s *session.Session) ([]*User, error)
		}{
			{"lazy", 111, func(s *session.Session) ([]*User, error) {
				us, err := session.All(ctx, s, q)
				for _, u := range us {
					if err := u.Orders.Load(ctx); err != nil {
						return nil, err
					}
					for o := range u.Orders.All() {
						if err := o.Items.Load(ctx); err != nil {
							return nil, err
						}
					}
				}
				return us, err
			}},
			{"selectin", 3, func(s *session.Session) ([]*User, error) {
				return session.All(ctx, s, q, rel.SelectIn(UserOrders).Then(rel.SelectIn(OrderItems)))
			}},
			{"joined", 1, func(s *session.Session) ([]*User, error) {
				return rel.All(ctx, s, q, rel.Joined(UserOrders).Then(rel.Joined(OrderItems)))
			}},
			{"joined through session.All", 1, func(s *session.Session) ([]*User, error) {
				return session.All(ctx, s, q, rel.Joined(UserOrders).Then(rel.Joined(OrderItems)))
			}},
			{"joined then selectin", 2, func(s *session.Session) ([]*User, error) {
				return rel.All(ctx, s, q, rel.Joined(UserOrders).Then(rel.SelectIn(OrderItems)))
			}},
			{"selectin then joined", 2, func(s *session.Session) ([]*User, error) {
				return session.All(ctx, s, q, rel.SelectIn(UserOrders).Then(rel.Joined(OrderItems)))
			}},
		}
		var first []string
		for _, c := range cases {
			s := session.New(env.DB)
			env.Count.Reset()
			us, err := c.load(s)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := env.Count.RoundTrips(); got != c.want {
				t.Errorf("%s: %d statements, want %d", c.name, got, c.want)
			}
			shape := shopShape(t, us)
			if len(shape) != 100 {
				t.Fatalf("%s: %d orders, want 100", c.name, len(shape))
			}
			if first == nil {
				first = shape
			} else if diff := cmp.Diff(first, shape); diff != "" {
				t.Errorf("%s: (-lazy +got):\n%s", c.name, diff)
			}
		}
	})
}

// TestStatementsManyToOne loads orders → items → product. Products the
// session already holds cost no SQL, lazily or eagerly.
func TestStatementsManyToOne(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedShop(t, env)
		q := retort.Select(Orders).OrderBy(OrderNote.Asc())
		check := func(name string, os []*Order) {
			t.Helper()
			for _, o := range os {
				items, err := o.Items.Get()
				if err != nil || len(items) != 10 {
					t.Fatalf("%s: %s items %d, %v", name, o.Note, len(items), err)
				}
				for _, it := range items {
					p, err := it.Product.Get()
					if err != nil || p == nil || p.ID != it.ProductID {
						t.Fatalf("%s: item %d product %v, %v", name, it.ID, p, err)
					}
				}
			}
		}
		cases := []struct {
			name    string
			preload bool
			want    int64
			load    func(s *session.Session) ([]*Order, error)
		}{
			{"lazy, products loaded", true, 101, func(s *session.Session) ([]*Order, error) {
				os, err := session.All(ctx, s, q)
				for _, o := range os {
					if err := o.Items.Load(ctx); err != nil {
						return nil, err
					}
					for it := range o.Items.All() {
						if _, err := it.Product.Load(ctx); err != nil {
							return nil, err
						}
					}
				}
				return os, err
			}},
			{"lazy", false, 106, func(s *session.Session) ([]*Order, error) {
				os, err := session.All(ctx, s, q)
				for _, o := range os {
					if err := o.Items.Load(ctx); err != nil {
						return nil, err
					}
					for it := range o.Items.All() {
						if _, err := it.Product.Load(ctx); err != nil {
							return nil, err
						}
					}
				}
				return os, err
			}},
			{"selectin, products loaded", true, 2, func(s *session.Session) ([]*Order, error) {
				return session.All(ctx, s, q, rel.SelectIn(OrderItems).Then(rel.SelectIn(ItemProductR)))
			}},
			{"selectin", false, 3, func(s *session.Session) ([]*Order, error) {
				return session.All(ctx, s, q, rel.SelectIn(OrderItems).Then(rel.SelectIn(ItemProductR)))
			}},
			{"joined", false, 1, func(s *session.Session) ([]*Order, error) {
				return session.All(ctx, s, q, rel.Joined(OrderItems).Then(rel.Joined(ItemProductR)))
			}},
		}
		for _, c := range cases {
			s := session.New(env.DB)
			if c.preload {
				if _, err := session.All(ctx, s, retort.Select(Products)); err != nil {
					t.Fatal(err)
				}
			}
			env.Count.Reset()
			os, err := c.load(s)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := env.Count.RoundTrips(); got != c.want {
				t.Errorf("%s: %d statements, want %d", c.name, got, c.want)
			}
			if len(os) != 100 {
				t.Fatalf("%s: %d orders", c.name, len(os))
			}
			check(c.name, os)
			// Reading a product with Get once items are loaded costs nothing
			// either way.
			env.Count.Reset()
			check(c.name, os)
			if n := env.Count.RoundTrips(); n != 0 {
				t.Errorf("%s: reading loaded relationships took %d statements", c.name, n)
			}
		}
	})
}

// TestChunks: a huge set of owners is loaded with one query per chunk of
// keys.
func TestChunks(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedFamilies(t, env, 100, 2)
		defer rel.SetChunkSize(30)()
		s := session.New(env.DB)
		env.Count.Reset()
		ps, err := session.All(ctx, s, retort.Select(Parents).OrderBy(ParentName.Asc()), rel.SelectIn(ParentChildren))
		if err != nil {
			t.Fatal(err)
		}
		if n := env.Count.RoundTrips(); n != 5 {
			t.Errorf("%d statements, want 1 + 4 chunks", n)
		}
		if got := familyShape(t, ps); len(got) != 100 || got[99] != "p099: p099-c00 p099-c01" {
			t.Errorf("last parent: %q", got[len(got)-1])
		}
	})
}
