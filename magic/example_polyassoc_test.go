package magic_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"slices"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
)

// Polymorphic associations, ActiveRecord style (seed: "Polymorphic
// Associations with SQLAlchemy", May 2007, part I). Users and orders, two
// unrelated tables, both have addresses. Every address row says whose it is
// with two columns: addressable_type names the owner's table and
// addressable_id holds the owner's key. addressable_id can refer to any
// table, so it has no foreign key: the database cannot check it, and the
// session orders the writes because the relationship below says so.
//
// Addressable is the seed's "addressable interface", built on the
// session's public seam for relationships (session.Relationship): it saves
// an owner's addresses with the owner, fills their two columns once the
// owner has its key, loads them with one query for many owners, and lets an
// address find its owner.

// User has addresses (one-to-many).
type User struct {
	ID        int64
	Name      string
	Addresses []*Address
}

// Order has one address (one-to-one).
type Order struct {
	ID          int64
	Description string
	Address     *Address
}

// Address belongs to a user or an order.
type Address struct {
	ID              int64
	AddressableID   int64
	AddressableType string
	Street          string
	City            *string
	Country         *string

	member any // the owner, once known
}

var (
	Users    = retort.NewTable[User]("users")
	UserID   = retort.Col(Users, "id", func(u *User) *int64 { return &u.ID }, retort.PrimaryKey())
	UserName = retort.Col(Users, "name", func(u *User) *string { return &u.Name }, retort.Size(50))

	Orders           = retort.NewTable[Order]("orders")
	OrderID          = retort.Col(Orders, "id", func(o *Order) *int64 { return &o.ID }, retort.PrimaryKey())
	OrderDescription = retort.Col(Orders, "description", func(o *Order) *string { return &o.Description }, retort.Size(50))

	Addresses       = retort.NewTable[Address]("addresses")
	AddressID       = retort.Col(Addresses, "id", func(a *Address) *int64 { return &a.ID }, retort.PrimaryKey())
	AddressableID   = retort.Col(Addresses, "addressable_id", func(a *Address) *int64 { return &a.AddressableID }) // no References: any table
	AddressableType = retort.Col(Addresses, "addressable_type", func(a *Address) *string { return &a.AddressableType }, retort.Size(50))
	AddressStreet   = retort.Col(Addresses, "street", func(a *Address) *string { return &a.Street }, retort.Size(100))
	AddressCity     = retort.NullCol(Addresses, "city", func(a *Address) **string { return &a.City }, retort.Size(50))
	AddressCountry  = retort.NullCol(Addresses, "country", func(a *Address) **string { return &a.Country }, retort.Size(50))
	_               = Addresses.Index(AddressableType, AddressableID)

	// The seed's addressable(User, 'addresses', uselist=True) and
	// addressable(Order, 'address', uselist=False).
	UserAddresses = AddressableMany(UserID, func(u *User) *[]*Address { return &u.Addresses })
	OrderAddress  = AddressableOne(OrderID, func(o *Order) **Address { return &o.Address })
)

func (u *User) String() string  { return fmt.Sprintf("User(%s)", u.Name) }
func (o *Order) String() string { return fmt.Sprintf("Order(%s)", o.Description) }

// addressables maps an addressable_type to its owners' side.
var addressables = map[string]owners{}

// owners is what an address needs from its owner's side.
type owners interface {
	key(owner any) int64
	get(ctx context.Context, s *session.Session, id int64) (any, error)
}

// Addressable gives objects of T addresses, kept in a field of T.
type Addressable[T any] struct {
	typ     string // addressable_type: the owner's table name
	pk      *retort.Column[T, int64]
	list    func(*T) []*Address
	setList func(*T, []*Address)
}

// AddressableMany gives each T a list of addresses.
func AddressableMany[T any](pk *retort.Column[T, int64], field func(*T) *[]*Address) *Addressable[T] {
	return addressable(pk, func(o *T) []*Address { return *field(o) },
		func(o *T, as []*Address) { *field(o) = as })
}

// AddressableOne gives each T one address.
func AddressableOne[T any](pk *retort.Column[T, int64], field func(*T) **Address) *Addressable[T] {
	return addressable(pk, func(o *T) []*Address {
		if a := *field(o); a != nil {
			return []*Address{a}
		}
		return nil
	}, func(o *T, as []*Address) {
		*field(o) = nil
		if len(as) > 0 {
			*field(o) = as[0]
		}
	})
}

func addressable[T any](pk *retort.Column[T, int64], list func(*T) []*Address, setList func(*T, []*Address)) *Addressable[T] {
	a := &Addressable[T]{typ: pk.TableName(), pk: pk, list: list, setList: setList}
	addressables[a.typ] = a
	session.Relate(pk.Table(), a)
	return a
}

// Create is the seed's create_address: a new address belonging to owner,
// saved with it.
func (a *Addressable[T]) Create(owner *T) *Address {
	addr := &Address{AddressableType: a.typ, member: owner}
	a.setList(owner, append(a.list(owner), addr))
	return addr
}

// Load reads the addresses of owners, which the session s holds, with one
// query: WHERE addressable_type = <table> AND addressable_id IN (<keys>).
func (a *Addressable[T]) Load(ctx context.Context, s *session.Session, owners ...*T) error {
	byID := make(map[int64]*T, len(owners))
	ids := make([]int64, 0, len(owners))
	for _, o := range owners {
		id, _ := a.pk.Get(o)
		byID[id] = o
		ids = append(ids, id)
		a.setList(o, nil)
	}
	addrs, err := session.All(ctx, s, a.Query(ids...))
	if err != nil {
		return err
	}
	for _, addr := range addrs {
		o := byID[addr.AddressableID]
		addr.member = o
		a.setList(o, append(a.list(o), addr))
	}
	return nil
}

// Query selects the addresses of the owners with keys ids.
func (a *Addressable[T]) Query(ids ...int64) *retort.SelectQuery[Address] {
	return retort.Select(Addresses).Where(AddressableType.Eq(a.typ), AddressableID.In(ids...)).OrderBy(AddressID.Asc())
}

func (a *Addressable[T]) key(owner any) int64 {
	id, _ := a.pk.Get(owner.(*T))
	return id
}

func (a *Addressable[T]) get(ctx context.Context, s *session.Session, id int64) (any, error) {
	return session.Get(ctx, s, a.pk.Table(), id)
}

// The owner's side of the relationship: its addresses are saved and deleted
// with it.

func (a *Addressable[T]) Cascade(obj any, add func(session.Mapper, any)) {
	m, _ := session.MapperOf[Address]()
	for _, addr := range a.list(obj.(*T)) {
		addr.AddressableType, addr.member = a.typ, obj
		add(m, addr)
	}
}

func (a *Addressable[T]) CascadeDelete(obj any, del func(any)) {
	for _, addr := range a.list(obj.(*T)) {
		del(addr)
	}
}

func (a *Addressable[T]) Parents(any, func(any))       {}
func (a *Addressable[T]) Sync(any)                     {}
func (a *Addressable[T]) Removed(any, func(any))       {}
func (a *Addressable[T]) Attach(any, *session.Session) {}
func (a *Addressable[T]) Flushed(any)                  {}

// addressSide is the address's side: its owner is written first, and its
// key copied into addressable_id.
type addressSide struct{}

func (addressSide) Parents(obj any, visit func(any)) {
	if m := obj.(*Address).member; m != nil {
		visit(m)
	}
}

func (addressSide) Sync(obj any) {
	addr := obj.(*Address)
	if addr.member != nil {
		addr.AddressableID = addressables[addr.AddressableType].key(addr.member)
	}
}

func (addressSide) Cascade(any, func(session.Mapper, any)) {}
func (addressSide) Removed(any, func(any))                 {}
func (addressSide) CascadeDelete(any, func(any))           {}
func (addressSide) Attach(any, *session.Session)           {}
func (addressSide) Flushed(any)                            {}

func init() { session.Relate(Addresses, addressSide{}) }

// Member returns the address's owner, a *User or an *Order, as
// addressable_type says. An owner the session already holds costs no SQL.
func (a *Address) Member(ctx context.Context, s *session.Session) (any, error) {
	if a.member != nil {
		return a.member, nil
	}
	side, ok := addressables[a.AddressableType]
	if !ok {
		return nil, fmt.Errorf("address %d: unknown addressable_type %q", a.ID, a.AddressableType)
	}
	m, err := side.get(ctx, s, a.AddressableID)
	if err != nil {
		return nil, err
	}
	a.member = m
	return m, nil
}

func streets(as []*Address) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Street)
	}
	return out
}

// polyAssocAR runs the seed's test program on db, which must hold none of
// the tables.
func polyAssocAR(ctx context.Context, db retort.DB, out io.Writer) error {
	if err := retort.CreateAll(ctx, db, Users, Orders, Addresses); err != nil {
		return err
	}
	s := session.New(db)
	u1 := &User{Name: "bob"}
	o1 := &Order{Description: "order 1"}
	UserAddresses.Create(u1).Street = "123 anywhere street"
	UserAddresses.Create(u1).Street = "345 orchard ave"
	OrderAddress.Create(o1).Street = "444 park ave."
	if err := session.Add(s, u1); err != nil {
		return err
	}
	if err := session.Add(s, o1); err != nil {
		return err
	}
	if err := s.Commit(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "saved: bob's addresses have addressable_id %d (%s), the order's %d (%s)\n",
		u1.Addresses[0].AddressableID, u1.Addresses[0].AddressableType, o1.Address.AddressableID, o1.Address.AddressableType)

	// A new session: nothing loaded. The query for bob's addresses says
	// which table the key belongs to.
	s = session.New(db)
	sqlText, args, err := UserAddresses.Query(1).SQL(retort.SQLite)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, sqlText, args)
	bob, err := session.One(ctx, s, retort.Select(Users).Where(UserName.Eq("bob")))
	if err != nil {
		return err
	}
	if err := UserAddresses.Load(ctx, s, bob); err != nil {
		return err
	}
	if got := streets(bob.Addresses); !slices.Equal(got, []string{"123 anywhere street", "345 orchard ave"}) {
		return fmt.Errorf("bob's addresses: %q", got)
	}
	order, err := session.One(ctx, s, retort.Select(Orders).Where(OrderDescription.Eq("order 1")))
	if err != nil {
		return err
	}
	if err := OrderAddress.Load(ctx, s, order); err != nil {
		return err
	}
	if order.Address == nil || order.Address.Street != "444 park ave." {
		return fmt.Errorf("the order's address: %v", order.Address)
	}

	// From addresses to their members, in another new session: bob is
	// loaded once, then found in the identity map.
	s = session.New(db)
	all, err := session.All(ctx, s, retort.Select(Addresses).OrderBy(AddressID.Asc()))
	if err != nil {
		return err
	}
	var members []any
	for _, a := range all {
		m, err := a.Member(ctx, s)
		if err != nil {
			return err
		}
		members = append(members, m)
		fmt.Fprintln(out, "Street", a.Street, "Member", m)
	}
	fmt.Fprintln(out, "both of bob's addresses have the same *User:", members[0] == members[1])

	// Deleting the order deletes its address: the relationship cascades.
	s = session.New(db)
	order, err = session.One(ctx, s, retort.Select(Orders).Where(OrderDescription.Eq("order 1")))
	if err != nil {
		return err
	}
	if err := OrderAddress.Load(ctx, s, order); err != nil {
		return err
	}
	if err := session.Delete(s, order); err != nil {
		return err
	}
	if err := s.Commit(ctx); err != nil {
		return err
	}
	left, err := retort.Select(Addresses).Count(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "addresses left after deleting the order:", left)
	return nil
}

// Polymorphic associations, ActiveRecord style: an address row points at a
// user or an order through addressable_type and addressable_id.
func Example_polymorphicAssociations() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := polyAssocAR(ctx, db, os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// saved: bob's addresses have addressable_id 1 (users), the order's 1 (orders)
	// SELECT "addresses"."id", "addresses"."addressable_id", "addresses"."addressable_type", "addresses"."street", "addresses"."city", "addresses"."country" FROM "addresses" WHERE ("addresses"."addressable_type" = ?) AND ("addresses"."addressable_id" IN (?)) ORDER BY "addresses"."id" [users 1]
	// Street 123 anywhere street Member User(bob)
	// Street 345 orchard ave Member User(bob)
	// Street 444 park ave. Member Order(order 1)
	// both of bob's addresses have the same *User: true
	// addresses left after deleting the order: 2
}
