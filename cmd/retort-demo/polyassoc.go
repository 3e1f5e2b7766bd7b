package main

import (
	"context"
	"fmt"
	"io"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// The seed "Polymorphic Associations with SQLAlchemy" (2007): two unrelated
// kinds of owner (the seed's users and orders; accounts and invoices here,
// and clients and sales, since the basics scenario has users and orders)
// share one kind of address. Part I, ActiveRecord style: the address names
// its owner's table and key, with no foreign key. Part II, normalized: an
// association table that addresses and owners refer to by real foreign
// keys. Both print the seed's "Street ... Member ..." report.

// Part I.

// Account has addresses.
type Account struct {
	ID        int64
	Name      string
	Addresses []*Address
}

// Invoice has one address.
type Invoice struct {
	ID          int64
	Description string
	Address     *Address
}

// Address belongs to an account or an invoice, as AddressableType says.
type Address struct {
	ID              int64
	AddressableID   int64
	AddressableType string
	Street          string
	member          any
}

var (
	Accounts    = retort.NewTable[Account]("account")
	AccountID   = retort.Col(Accounts, "id", func(a *Account) *int64 { return &a.ID }, retort.PrimaryKey())
	AccountName = retort.Col(Accounts, "name", func(a *Account) *string { return &a.Name }, retort.Size(50))

	Invoices           = retort.NewTable[Invoice]("invoice")
	InvoiceID          = retort.Col(Invoices, "id", func(i *Invoice) *int64 { return &i.ID }, retort.PrimaryKey())
	InvoiceDescription = retort.Col(Invoices, "description", func(i *Invoice) *string { return &i.Description }, retort.Size(50))

	Addresses       = retort.NewTable[Address]("address")
	AddressID       = retort.Col(Addresses, "id", func(a *Address) *int64 { return &a.ID }, retort.PrimaryKey())
	AddressableID   = retort.Col(Addresses, "addressable_id", func(a *Address) *int64 { return &a.AddressableID })
	AddressableType = retort.Col(Addresses, "addressable_type", func(a *Address) *string { return &a.AddressableType }, retort.Size(50))
	AddressStreet   = retort.Col(Addresses, "street", func(a *Address) *string { return &a.Street }, retort.Size(100))

	AccountAddresses = addressable(AccountID, func(a *Account) []*Address { return a.Addresses },
		func(a *Account, as []*Address) { a.Addresses = as })
	InvoiceAddress = addressable(InvoiceID, func(i *Invoice) []*Address {
		if i.Address == nil {
			return nil
		}
		return []*Address{i.Address}
	}, func(i *Invoice, as []*Address) {
		i.Address = nil
		if len(as) > 0 {
			i.Address = as[0]
		}
	})
)

func (a *Account) String() string { return fmt.Sprintf("Account(%s)", a.Name) }
func (i *Invoice) String() string { return fmt.Sprintf("Invoice(%s)", i.Description) }

// owner is an addressable table's side, for Address.Member and the flush.
type owner interface {
	key(obj any) int64
	get(ctx context.Context, s *session.Session, id int64) (any, error)
}

var owners = map[string]owner{}

// Addressable is the seed's addressable interface for T: a relationship
// the session follows (an owner's addresses are saved with it), and a
// loader.
type Addressable[T any] struct {
	typ  string
	pk   *retort.Column[T, int64]
	list func(*T) []*Address
	set  func(*T, []*Address)
}

func addressable[T any](pk *retort.Column[T, int64], list func(*T) []*Address, set func(*T, []*Address)) *Addressable[T] {
	a := &Addressable[T]{typ: pk.TableName(), pk: pk, list: list, set: set}
	owners[a.typ] = a
	session.Relate(pk.Table(), a)
	return a
}

// Create is the seed's create_address.
func (a *Addressable[T]) Create(o *T, street string) {
	a.set(o, append(a.list(o), &Address{AddressableType: a.typ, Street: street, member: o}))
}

// Load reads the addresses of owners with one query.
func (a *Addressable[T]) Load(ctx context.Context, s *session.Session, os ...*T) error {
	by := map[int64]*T{}
	var ids []int64
	for _, o := range os {
		id, _ := a.pk.Get(o)
		by[id] = o
		ids = append(ids, id)
		a.set(o, nil)
	}
	addrs, err := session.All(ctx, s, retort.Select(Addresses).Where(AddressableType.Eq(a.typ), AddressableID.In(ids...)).OrderBy(AddressID.Asc()))
	if err != nil {
		return err
	}
	for _, ad := range addrs {
		o := by[ad.AddressableID]
		ad.member = o
		a.set(o, append(a.list(o), ad))
	}
	return nil
}

func (a *Addressable[T]) key(obj any) int64 { id, _ := a.pk.Get(obj.(*T)); return id }

func (a *Addressable[T]) get(ctx context.Context, s *session.Session, id int64) (any, error) {
	return session.Get(ctx, s, a.pk.Table(), id)
}

func (a *Addressable[T]) Cascade(obj any, add func(session.Mapper, any)) {
	m, _ := session.MapperOf[Address]()
	for _, ad := range a.list(obj.(*T)) {
		ad.AddressableType, ad.member = a.typ, obj
		add(m, ad)
	}
}

func (a *Addressable[T]) CascadeDelete(obj any, del func(any)) {
	for _, ad := range a.list(obj.(*T)) {
		del(ad)
	}
}

func (a *Addressable[T]) Parents(any, func(any))       {}
func (a *Addressable[T]) Sync(any)                     {}
func (a *Addressable[T]) Removed(any, func(any))       {}
func (a *Addressable[T]) Attach(any, *session.Session) {}
func (a *Addressable[T]) Flushed(any)                  {}

// addressSide writes an address after its owner, with its owner's key.
type addressSide struct{}

func (addressSide) Parents(obj any, visit func(any)) {
	if m := obj.(*Address).member; m != nil {
		visit(m)
	}
}

func (addressSide) Sync(obj any) {
	if a := obj.(*Address); a.member != nil {
		a.AddressableID = owners[a.AddressableType].key(a.member)
	}
}

func (addressSide) Cascade(any, func(session.Mapper, any)) {}
func (addressSide) Removed(any, func(any))                 {}
func (addressSide) CascadeDelete(any, func(any))           {}
func (addressSide) Attach(any, *session.Session)           {}
func (addressSide) Flushed(any)                            {}

func init() { session.Relate(Addresses, addressSide{}) }

// Member returns the address's owner.
func (a *Address) Member(ctx context.Context, s *session.Session) (any, error) {
	if a.member == nil {
		o, ok := owners[a.AddressableType]
		if !ok {
			return nil, fmt.Errorf("address %d: unknown addressable_type %q", a.ID, a.AddressableType)
		}
		m, err := o.get(ctx, s, a.AddressableID)
		if err != nil {
			return nil, err
		}
		a.member = m
	}
	return a.member, nil
}

// Part II.

// AddressAssoc is an association; Clients and Sales hold its one owner.
type AddressAssoc struct {
	ID        int64
	Type      string
	Locations rel.Many[Location]
	Clients   rel.Many[Client]
	Sales     rel.Many[Sale]
}

// Location is an address of part II.
type Location struct {
	ID          int64
	AssocID     *int64
	Street      string
	Association rel.One[AddressAssoc]
}

// Client has addresses.
type Client struct {
	ID      int64
	Name    string
	AssocID *int64
	Assoc   rel.One[AddressAssoc]
}

// Sale has one address.
type Sale struct {
	ID          int64
	Description string
	AssocID     *int64
	Assoc       rel.One[AddressAssoc]
}

var (
	AddressAssocs = retort.NewTable[AddressAssoc]("address_association")
	AssocID       = retort.Col(AddressAssocs, "assoc_id", func(a *AddressAssoc) *int64 { return &a.ID }, retort.PrimaryKey())
	AssocType     = retort.Col(AddressAssocs, "type", func(a *AddressAssoc) *string { return &a.Type }, retort.Size(50))

	Locations      = retort.NewTable[Location]("location")
	LocationID     = retort.Col(Locations, "id", func(l *Location) *int64 { return &l.ID }, retort.PrimaryKey())
	LocationAssoc  = retort.NullCol(Locations, "assoc_id", func(l *Location) **int64 { return &l.AssocID }).References(AssocID)
	LocationStreet = retort.Col(Locations, "street", func(l *Location) *string { return &l.Street }, retort.Size(100))

	Clients     = retort.NewTable[Client]("client")
	ClientID    = retort.Col(Clients, "id", func(c *Client) *int64 { return &c.ID }, retort.PrimaryKey())
	ClientName  = retort.Col(Clients, "name", func(c *Client) *string { return &c.Name }, retort.Size(50))
	ClientAssoc = retort.NullCol(Clients, "assoc_id", func(c *Client) **int64 { return &c.AssocID }).References(AssocID)

	Sales           = retort.NewTable[Sale]("sale")
	SaleID          = retort.Col(Sales, "id", func(s *Sale) *int64 { return &s.ID }, retort.PrimaryKey())
	SaleDescription = retort.Col(Sales, "description", func(s *Sale) *string { return &s.Description }, retort.Size(50))
	SaleAssoc       = retort.NullCol(Sales, "assoc_id", func(s *Sale) **int64 { return &s.AssocID }).References(AssocID)

	AssocLocations      = rel.OneToMany(LocationAssoc, AssocID, func(a *AddressAssoc) *rel.Many[Location] { return &a.Locations })
	LocationAssociation = AssocLocations.BackrefOne(func(l *Location) *rel.One[AddressAssoc] { return &l.Association })

	ClientAddresses = hasAddresses(ClientID, ClientAssoc, func(c *Client) *rel.One[AddressAssoc] { return &c.Assoc },
		func(a *AddressAssoc) *rel.Many[Client] { return &a.Clients })
	SaleAddress = hasAddresses(SaleID, SaleAssoc, func(s *Sale) *rel.One[AddressAssoc] { return &s.Assoc },
		func(a *AddressAssoc) *rel.Many[Sale] { return &a.Sales })
)

func (c *Client) String() string { return fmt.Sprintf("Client(%s)", c.Name) }
func (s *Sale) String() string   { return fmt.Sprintf("Sale(%s)", s.Description) }

var associated = map[string]func(ctx context.Context, a *AddressAssoc) (any, error){}

// HasAddresses gives T addresses through its association.
type HasAddresses[T any] struct {
	typ   string
	pk    *retort.Column[T, int64]
	field func(*T) *rel.One[AddressAssoc]
}

func hasAddresses[T any](pk, fk *retort.Column[T, int64], field func(*T) *rel.One[AddressAssoc], back func(*AddressAssoc) *rel.Many[T]) *HasAddresses[T] {
	rel.ManyToOne(fk, AssocID, field).Backref(back)
	h := &HasAddresses[T]{typ: pk.TableName(), pk: pk, field: field}
	associated[h.typ] = func(ctx context.Context, a *AddressAssoc) (any, error) {
		m := back(a)
		if err := m.Load(ctx); err != nil {
			return nil, err
		}
		list, err := m.Get()
		if err != nil || len(list) != 1 {
			return nil, fmt.Errorf("association %d: %d owners (%v)", a.ID, len(list), err)
		}
		return list[0], nil
	}
	return h
}

// Addresses returns owner's addresses, creating the association on first
// use.
func (h *HasAddresses[T]) Addresses(ctx context.Context, o *T) (*rel.Many[Location], error) {
	one := h.field(o)
	var a *AddressAssoc
	if one.Loaded() || !h.pk.IsZero(o) {
		var err error
		if a, err = one.Load(ctx); err != nil {
			return nil, err
		}
	}
	if a == nil {
		a = &AddressAssoc{Type: h.typ, Locations: rel.ManyOf[Location]()}
		one.Set(a)
	}
	if err := a.Locations.Load(ctx); err != nil {
		return nil, err
	}
	return &a.Locations, nil
}

// Member returns the location's owner.
func (l *Location) Member(ctx context.Context) (any, error) {
	a, err := l.Association.Load(ctx)
	if err != nil || a == nil {
		return nil, fmt.Errorf("location %d: no association (%v)", l.ID, err)
	}
	return associated[a.Type](ctx, a)
}

func polyAssoc(ctx context.Context, db retort.DB, out io.Writer) error {
	fmt.Fprintln(out, "Part I, ActiveRecord style (address.addressable_type and addressable_id, no foreign key):")
	if err := recreate(ctx, db, Accounts, Invoices, Addresses); err != nil {
		return err
	}
	s := session.New(db)
	bob := &Account{Name: "bob"}
	inv := &Invoice{Description: "order 1"}
	AccountAddresses.Create(bob, "123 anywhere street")
	AccountAddresses.Create(bob, "345 orchard ave")
	InvoiceAddress.Create(inv, "444 park ave.")
	if err := session.Add(s, bob); err != nil {
		return err
	}
	if err := session.Add(s, inv); err != nil {
		return err
	}
	if err := s.Commit(ctx); err != nil {
		return err
	}
	s = session.New(db)
	again, err := session.One(ctx, s, retort.Select(Accounts).Where(AccountName.Eq("bob")))
	if err != nil {
		return err
	}
	if err := AccountAddresses.Load(ctx, s, again); err != nil {
		return err
	}
	if len(again.Addresses) != 2 || again.Addresses[1].Street != "345 orchard ave" {
		return fmt.Errorf("bob's addresses: %v", again.Addresses)
	}
	s = session.New(db)
	all, err := session.All(ctx, s, retort.Select(Addresses).OrderBy(AddressID.Asc()))
	if err != nil {
		return err
	}
	for _, a := range all {
		m, err := a.Member(ctx, s)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, "  Street", a.Street, "Member", m)
	}

	fmt.Fprintln(out, "Part II, normalized (address_association, referred to by real foreign keys):")
	if err := recreate(ctx, db, AddressAssocs, Locations, Clients, Sales); err != nil {
		return err
	}
	s = session.New(db)
	cl := &Client{Name: "bob"}
	sale := &Sale{Description: "order 1"}
	ls, err := ClientAddresses.Addresses(ctx, cl)
	if err != nil {
		return err
	}
	ls.Add(&Location{Street: "123 anywhere street"}, &Location{Street: "345 orchard ave"})
	ls, err = SaleAddress.Addresses(ctx, sale)
	if err != nil {
		return err
	}
	ls.Replace(&Location{Street: "444 park ave."})
	if err := session.Add(s, cl); err != nil {
		return err
	}
	if err := session.Add(s, sale); err != nil {
		return err
	}
	if err := s.Commit(ctx); err != nil {
		return err
	}
	s = session.New(db)
	locs, err := session.All(ctx, s, retort.Select(Locations).OrderBy(LocationID.Asc()), rel.SelectIn(LocationAssociation))
	if err != nil {
		return err
	}
	for _, l := range locs {
		m, err := l.Member(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, "  Street", l.Street, "Member", m)
	}
	if _, err := db.Exec(ctx, `INSERT INTO "location" ("assoc_id", "street") VALUES (99, 'nowhere')`); err == nil {
		return fmt.Errorf("a location of a missing association was accepted")
	}
	fmt.Fprintln(out, "  a location of a missing association is refused by the database")
	return nil
}
