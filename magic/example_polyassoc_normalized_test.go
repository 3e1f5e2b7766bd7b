package magic_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"slices"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
)

// Polymorphic associations, normalized (seed: "Polymorphic Associations with
// SQLAlchemy", May 2007, part II: "How to Really Do This"). The association
// becomes a row of its own, in address_associations, with a type column;
// addresses refer to their association, and every addressable table
// (customers, purchases) refers to its association too, each by a real
// foreign key the database enforces. The relationships are ordinary ones of
// package rel; HasAddresses adds the seed's "make it pretty" properties.
//
// (The seed's tables are users, orders and addresses; the names differ here
// only because the ActiveRecord-style example in this package has them.)

// AddressAssoc is an association: one owner's set of addresses. Customers
// and Purchases are the reverse sides of their many-to-ones, holding the
// one owner (the seed's _backref_users and _backref_orders).
type AddressAssoc struct {
	ID        int64
	Type      string
	Addresses rel.Many[PostalAddress]
	Customers rel.Many[Customer]
	Purchases rel.Many[Purchase]
}

// PostalAddress belongs to an association.
type PostalAddress struct {
	ID          int64
	AssocID     *int64
	Street      string
	City        *string
	Country     *string
	Association rel.One[AddressAssoc]
}

// Customer has addresses.
type Customer struct {
	ID      int64
	Name    string
	AssocID *int64
	Assoc   rel.One[AddressAssoc]
}

// Purchase has one address.
type Purchase struct {
	ID          int64
	Description string
	AssocID     *int64
	Assoc       rel.One[AddressAssoc]
}

var (
	AddressAssocs = retort.NewTable[AddressAssoc]("address_associations")
	AssocID       = retort.Col(AddressAssocs, "assoc_id", func(a *AddressAssoc) *int64 { return &a.ID }, retort.PrimaryKey())
	AssocType     = retort.Col(AddressAssocs, "type", func(a *AddressAssoc) *string { return &a.Type }, retort.Size(50))

	PostalAddresses    = retort.NewTable[PostalAddress]("postal_addresses")
	PostalAddressID    = retort.Col(PostalAddresses, "id", func(p *PostalAddress) *int64 { return &p.ID }, retort.PrimaryKey())
	PostalAddressAssoc = retort.NullCol(PostalAddresses, "assoc_id", func(p *PostalAddress) **int64 { return &p.AssocID }).References(AssocID)
	PostalStreet       = retort.Col(PostalAddresses, "street", func(p *PostalAddress) *string { return &p.Street }, retort.Size(100))
	PostalCity         = retort.NullCol(PostalAddresses, "city", func(p *PostalAddress) **string { return &p.City }, retort.Size(50))
	PostalCountry      = retort.NullCol(PostalAddresses, "country", func(p *PostalAddress) **string { return &p.Country }, retort.Size(50))

	Customers     = retort.NewTable[Customer]("customers")
	CustomerID    = retort.Col(Customers, "id", func(c *Customer) *int64 { return &c.ID }, retort.PrimaryKey())
	CustomerName  = retort.Col(Customers, "name", func(c *Customer) *string { return &c.Name }, retort.Size(50))
	CustomerAssoc = retort.NullCol(Customers, "assoc_id", func(c *Customer) **int64 { return &c.AssocID }).References(AssocID)

	Purchases           = retort.NewTable[Purchase]("purchases")
	PurchaseID          = retort.Col(Purchases, "id", func(p *Purchase) *int64 { return &p.ID }, retort.PrimaryKey())
	PurchaseDescription = retort.Col(Purchases, "description", func(p *Purchase) *string { return &p.Description }, retort.Size(50))
	PurchaseAssoc       = retort.NullCol(Purchases, "assoc_id", func(p *Purchase) **int64 { return &p.AssocID }).References(AssocID)

	// The association's addresses, and each address's association.
	AssocAddresses     = rel.OneToMany(PostalAddressAssoc, AssocID, func(a *AddressAssoc) *rel.Many[PostalAddress] { return &a.Addresses })
	AddressAssociation = AssocAddresses.BackrefOne(func(p *PostalAddress) *rel.One[AddressAssoc] { return &p.Association })

	// The seed's addressable(User, 'addresses', uselist=True) and
	// addressable(Order, 'address', uselist=False).
	CustomerAddresses = hasAddresses(CustomerID, CustomerAssoc,
		func(c *Customer) *rel.One[AddressAssoc] { return &c.Assoc },
		func(a *AddressAssoc) *rel.Many[Customer] { return &a.Customers })
	PurchaseAddress = hasAddresses(PurchaseID, PurchaseAssoc,
		func(p *Purchase) *rel.One[AddressAssoc] { return &p.Assoc },
		func(a *AddressAssoc) *rel.Many[Purchase] { return &a.Purchases })
)

func (c *Customer) String() string { return fmt.Sprintf("Customer(%s)", c.Name) }
func (p *Purchase) String() string { return fmt.Sprintf("Purchase(%s)", p.Description) }

// associated maps an association's type to its owners' side.
var associated = map[string]interface {
	member(ctx context.Context, a *AddressAssoc) (any, error)
}{}

// HasAddresses gives objects of T addresses through an association.
type HasAddresses[T any] struct {
	typ   string // the association's type: the owner's table
	pk    *retort.Column[T, int64]
	field func(*T) *rel.One[AddressAssoc]
	back  func(*AddressAssoc) *rel.Many[T]
}

// hasAddresses declares T's many-to-one to its association along fk (the
// seed's "address_rel" with its backref) and returns the helper.
func hasAddresses[T any](pk, fk *retort.Column[T, int64], field func(*T) *rel.One[AddressAssoc], back func(*AddressAssoc) *rel.Many[T]) *HasAddresses[T] {
	rel.ManyToOne(fk, AssocID, field).Backref(back)
	h := &HasAddresses[T]{typ: pk.TableName(), pk: pk, field: field, back: back}
	associated[h.typ] = h
	return h
}

// Addresses returns owner's addresses, creating its association on first
// use: the seed's list property. For a saved owner it loads the association
// and its addresses if needed.
func (h *HasAddresses[T]) Addresses(ctx context.Context, owner *T) (*rel.Many[PostalAddress], error) {
	one := h.field(owner)
	var assoc *AddressAssoc
	if one.Loaded() || !h.pk.IsZero(owner) {
		var err error
		if assoc, err = one.Load(ctx); err != nil {
			return nil, err
		}
	}
	if assoc == nil {
		assoc = &AddressAssoc{Type: h.typ, Addresses: rel.ManyOf[PostalAddress]()}
		one.Set(assoc)
	}
	if err := assoc.Addresses.Load(ctx); err != nil {
		return nil, err
	}
	return &assoc.Addresses, nil
}

// Address returns owner's address, or nil: the seed's scalar property.
func (h *HasAddresses[T]) Address(ctx context.Context, owner *T) (*PostalAddress, error) {
	as, err := h.Addresses(ctx, owner)
	if err != nil {
		return nil, err
	}
	list, err := as.Get()
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
}

// SetAddress makes addr owner's only address: the scalar property's setter.
func (h *HasAddresses[T]) SetAddress(ctx context.Context, owner *T, addr *PostalAddress) error {
	as, err := h.Addresses(ctx, owner)
	if err != nil {
		return err
	}
	as.Replace(addr)
	return nil
}

func (h *HasAddresses[T]) member(ctx context.Context, a *AddressAssoc) (any, error) {
	owners := h.back(a)
	if err := owners.Load(ctx); err != nil {
		return nil, err
	}
	list, err := owners.Get()
	if err != nil {
		return nil, err
	}
	if len(list) != 1 {
		return nil, fmt.Errorf("association %d (%s) has %d owners", a.ID, a.Type, len(list))
	}
	return list[0], nil
}

// Member returns the address's owner, through its association's type.
func (p *PostalAddress) Member(ctx context.Context) (any, error) {
	a, err := p.Association.Load(ctx)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, fmt.Errorf("address %d has no association", p.ID)
	}
	side, ok := associated[a.Type]
	if !ok {
		return nil, fmt.Errorf("association %d: unknown type %q", a.ID, a.Type)
	}
	return side.member(ctx, a)
}

func postalStreets(as []*PostalAddress) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Street)
	}
	return out
}

// polyAssocNormalized runs the seed's test program on db, which must hold
// none of the tables.
func polyAssocNormalized(ctx context.Context, db retort.DB, out io.Writer) error {
	tables := []retort.Schema{AddressAssocs, PostalAddresses, Customers, Purchases}
	if err := retort.CreateAll(ctx, db, tables...); err != nil {
		return err
	}
	for _, t := range tables {
		for _, fk := range t.Info().ForeignKeys {
			fmt.Fprintf(out, "%s.%s references %s.%s\n", fk.Table, fk.Columns[0], fk.RefTable, fk.RefColumns[0])
		}
	}

	s := session.New(db)
	u1 := &Customer{Name: "bob"}
	o1 := &Purchase{Description: "order 1"}
	bobs, err := CustomerAddresses.Addresses(ctx, u1)
	if err != nil {
		return err
	}
	bobs.Add(&PostalAddress{Street: "123 anywhere street"}, &PostalAddress{Street: "345 orchard ave"})
	if err := PurchaseAddress.SetAddress(ctx, o1, &PostalAddress{Street: "444 park ave."}); err != nil {
		return err
	}
	if err := session.Add(s, u1); err != nil {
		return err
	}
	if err := session.Add(s, o1); err != nil {
		return err
	}
	if err := s.Commit(ctx); err != nil {
		return err
	}
	assocs, err := retort.Select(AddressAssocs).OrderBy(AssocID.Asc()).All(ctx, db)
	if err != nil {
		return err
	}
	for _, a := range assocs {
		fmt.Fprintf(out, "association %d: %s\n", a.ID, a.Type)
	}

	// A new session: nothing loaded.
	s = session.New(db)
	bob, err := session.One(ctx, s, retort.Select(Customers).Where(CustomerName.Eq("bob")))
	if err != nil {
		return err
	}
	bobs, err = CustomerAddresses.Addresses(ctx, bob)
	if err != nil {
		return err
	}
	list, err := bobs.Get()
	if err != nil {
		return err
	}
	if got := postalStreets(list); !slices.Equal(got, []string{"123 anywhere street", "345 orchard ave"}) {
		return fmt.Errorf("bob's addresses: %q", got)
	}
	order, err := session.One(ctx, s, retort.Select(Purchases).Where(PurchaseDescription.Eq("order 1")))
	if err != nil {
		return err
	}
	addr, err := PurchaseAddress.Address(ctx, order)
	if err != nil {
		return err
	}
	if addr == nil || addr.Street != "444 park ave." {
		return fmt.Errorf("the order's address: %v", addr)
	}

	// From addresses to their members, in another new session; the
	// associations are loaded with the addresses, in one more query.
	s = session.New(db)
	all, err := session.All(ctx, s, retort.Select(PostalAddresses).OrderBy(PostalAddressID.Asc()), rel.SelectIn(AddressAssociation))
	if err != nil {
		return err
	}
	for _, a := range all {
		m, err := a.Member(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, "Street", a.Street, "Member", m)
	}

	// The database refuses an address whose association does not exist.
	_, err = db.Exec(ctx, `INSERT INTO "postal_addresses" ("assoc_id", "street") VALUES (99, 'nowhere')`)
	fmt.Fprintln(out, "an address of association 99 is refused:", err != nil)
	return nil
}

// Polymorphic associations, normalized: an association table that every
// addressable table refers to by a real foreign key.
func Example_polymorphicAssociationsNormalized() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := polyAssocNormalized(ctx, db, os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// postal_addresses.assoc_id references address_associations.assoc_id
	// customers.assoc_id references address_associations.assoc_id
	// purchases.assoc_id references address_associations.assoc_id
	// association 1: customers
	// association 2: purchases
	// Street 123 anywhere street Member Customer(bob)
	// Street 345 orchard ave Member Customer(bob)
	// Street 444 park ave. Member Purchase(order 1)
	// an address of association 99 is refused: true
}
