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

// Carts have UUID keys that inserts make (Default(NewUUID)); their items
// refer to them.

type Cart struct {
	ID    retort.UUID
	Owner string
	Items rel.Many[CartItem]
}

type CartItem struct {
	ID     retort.UUID
	CartID retort.UUID
	SKU    string
	Cart   rel.One[Cart]
}

var (
	Carts      = retort.NewTable[Cart]("cart")
	CartID     = retort.Col(Carts, "id", func(c *Cart) *retort.UUID { return &c.ID }, retort.PrimaryKey(), retort.Default(retort.NewUUID))
	CartOwner  = retort.Col(Carts, "owner", func(c *Cart) *string { return &c.Owner })
	CartItems  = retort.NewTable[CartItem]("cart_item")
	_          = retort.Col(CartItems, "id", func(i *CartItem) *retort.UUID { return &i.ID }, retort.PrimaryKey(), retort.Default(retort.NewUUID))
	CartItemFK = retort.Col(CartItems, "cart_id", func(i *CartItem) *retort.UUID { return &i.CartID }).References(CartID)
	CartItemSK = retort.Col(CartItems, "sku", func(i *CartItem) *string { return &i.SKU })

	CartToItems = rel.OneToMany(CartItemFK, CartID, func(c *Cart) *rel.Many[CartItem] { return &c.Items },
		rel.OrderBy(rel.Asc(CartItemSK)))
	ItemToCart = rel.ManyToOne(CartItemFK, CartID, func(i *CartItem) *rel.One[Cart] { return &i.Cart })
)

// TestUUIDKeysThroughRelationships: one flush inserts carts and their items
// with keys made by Default(NewUUID); each item's foreign key is its cart's
// key, made in the same flush; SelectIn and Joined loading by UUID keys
// give the same carts and items on both databases, in 2 and 1 round trips.
func TestUUIDKeysThroughRelationships(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Carts, CartItems)
		s := session.New(env.DB)
		var carts []*Cart
		for i := range 3 {
			c := &Cart{Owner: fmt.Sprint("owner ", i)}
			for j := range 2 + i {
				c.Items.Add(&CartItem{SKU: fmt.Sprintf("sku-%d-%d", i, j)})
			}
			if err := session.Add(s, c); err != nil {
				t.Fatal(err)
			}
			carts = append(carts, c)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		type line struct{ Cart, Owner, SKU string }
		var want []line
		for _, c := range carts {
			if c.ID.IsZero() {
				t.Fatalf("cart %q has no key", c.Owner)
			}
			items, _ := c.Items.Get()
			for _, it := range items {
				if it.ID.IsZero() || it.CartID != c.ID {
					t.Fatalf("item %s: key %s, cart %s; want cart %s", it.SKU, it.ID, it.CartID, c.ID)
				}
				want = append(want, line{c.ID.String(), c.Owner, it.SKU})
			}
		}
		for _, load := range []struct {
			name  string
			opt   session.QueryOption
			trips int64
		}{{"selectin", rel.SelectIn(CartToItems), 2}, {"joined", rel.Joined(CartToItems), 1}} {
			env.Count.Reset()
			got, err := session.All(ctx, session.New(env.DB), retort.Select(Carts).OrderBy(CartOwner.Asc()), load.opt)
			if err != nil {
				t.Fatalf("%s: %v", load.name, err)
			}
			if n := env.Count.RoundTrips(); n != load.trips {
				t.Errorf("%s: %d round trips, want %d", load.name, n, load.trips)
			}
			var lines []line
			for _, c := range got {
				items, err := c.Items.Get()
				if err != nil {
					t.Fatalf("%s: %v", load.name, err)
				}
				for _, it := range items {
					lines = append(lines, line{c.ID.String(), c.Owner, it.SKU})
				}
			}
			if diff := cmp.Diff(want, lines); diff != "" {
				t.Errorf("%s (-flushed +loaded):\n%s", load.name, diff)
			}
		}
		s2 := session.New(env.DB)
		items, err := session.All(ctx, s2, retort.Select(CartItems).OrderBy(CartItemSK.Asc()), rel.SelectIn(ItemToCart))
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			c, err := it.Cart.Get()
			if err != nil || c.ID != it.CartID {
				t.Errorf("item %s: cart %v, %v", it.SKU, c, err)
			}
		}
	})
}
