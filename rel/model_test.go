package rel_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
)

// The seed's "Magic" model: Parent has Children, a Child has a Parent and a
// set of Tags, a Tag a set of Children.

type Parent struct {
	ID       int64
	Name     string
	Children rel.Many[Child]
}

type Child struct {
	ID       int64
	Name     string
	ParentID *int64
	Parent   rel.One[Parent]
	Tags     rel.Set[Tag]
}

type Tag struct {
	ID       int64
	Name     string
	Children rel.Set[Child]
}

var (
	Parents    = retort.NewTable[Parent]("parent")
	ParentID   = retort.Col(Parents, "id", func(p *Parent) *int64 { return &p.ID }, retort.PrimaryKey())
	ParentName = retort.Col(Parents, "name", func(p *Parent) *string { return &p.Name }, retort.Size(50))

	Children      = retort.NewTable[Child]("child")
	ChildID       = retort.Col(Children, "id", func(c *Child) *int64 { return &c.ID }, retort.PrimaryKey())
	ChildName     = retort.Col(Children, "name", func(c *Child) *string { return &c.Name }, retort.Size(50))
	ChildParentID = retort.NullCol(Children, "parent_id", func(c *Child) **int64 { return &c.ParentID })

	Tags    = retort.NewTable[Tag]("tag")
	TagID   = retort.Col(Tags, "id", func(t *Tag) *int64 { return &t.ID }, retort.PrimaryKey())
	TagName = retort.Col(Tags, "name", func(t *Tag) *string { return &t.Name }, retort.Size(50))

	ParentChildren = rel.OneToMany(ChildParentID, ParentID, func(p *Parent) *rel.Many[Child] { return &p.Children })
	ChildParent    = ParentChildren.BackrefOne(func(c *Child) *rel.One[Parent] { return &c.Parent })
	ChildTags      = rel.ManyToMany(ChildID, TagID, "child_tag", func(c *Child) *rel.Set[Tag] { return &c.Tags }, rel.OrderBy(rel.Asc(TagName)))
	TagChildren    = ChildTags.Backref(func(t *Tag) *rel.Set[Child] { return &t.Children })
)

// Boss and Grunt: the three-profiles seed's employer relationship, declared
// from both sides and linked.

type Boss struct {
	ID        int64
	Name      string
	Employees rel.Many[Grunt]
}

type Grunt struct {
	ID       int64
	Name     string
	BossID   *int64
	Employer rel.One[Boss]
}

var (
	Bosses    = retort.NewTable[Boss]("boss")
	BossID    = retort.Col(Bosses, "id", func(b *Boss) *int64 { return &b.ID }, retort.PrimaryKey())
	BossName  = retort.Col(Bosses, "name", func(b *Boss) *string { return &b.Name })
	Grunts    = retort.NewTable[Grunt]("grunt")
	GruntID   = retort.Col(Grunts, "id", func(g *Grunt) *int64 { return &g.ID }, retort.PrimaryKey())
	GruntName = retort.Col(Grunts, "name", func(g *Grunt) *string { return &g.Name })
	GruntBoss = retort.NullCol(Grunts, "boss_id", func(g *Grunt) **int64 { return &g.BossID }).References(BossID)

	GruntEmployer = rel.ManyToOne(GruntBoss, BossID, func(g *Grunt) *rel.One[Boss] { return &g.Employer }, rel.Name("grunt.employer"))
	BossEmployees = rel.OneToMany(GruntBoss, BossID, func(b *Boss) *rel.Many[Grunt] { return &b.Employees },
		rel.OrderBy(rel.Asc(GruntName)), rel.Name("boss.employees")).BackPopulates(GruntEmployer)
)

// Node is a tree.

type Node struct {
	ID       int64
	ParentID *int64
	Name     string
	Parent   rel.One[Node]
	Children rel.Many[Node]
}

var (
	Nodes        = retort.NewTable[Node]("node")
	NodeID       = retort.Col(Nodes, "id", func(n *Node) *int64 { return &n.ID }, retort.PrimaryKey())
	NodeParentID = retort.NullCol(Nodes, "parent_id", func(n *Node) **int64 { return &n.ParentID })
	NodeName     = retort.Col(Nodes, "name", func(n *Node) *string { return &n.Name })

	NodeChildren = rel.OneToMany(NodeParentID, NodeID, func(n *Node) *rel.Many[Node] { return &n.Children },
		rel.OrderBy(rel.Asc(NodeName)), rel.Cascade(rel.Delete))
	NodeParent = NodeChildren.BackrefOne(func(n *Node) *rel.One[Node] { return &n.Parent })
)

// Users have orders (a one-to-many without a reverse field, deleting
// orphans), orders have items (deleted with the order), an item refers to a
// product.

type User struct {
	ID     int64
	Name   string
	Orders rel.Many[Order]
}

type Order struct {
	ID     int64
	UserID int64
	Note   string
	Items  rel.Many[Item]
}

type Item struct {
	ID        int64
	OrderID   int64
	ProductID int64
	Qty       int32
	Product   rel.One[Product]
}

type Product struct {
	ID    int64
	Name  string
	Price float64
	Cost  retort.Decimal
}

var (
	Users    = retort.NewTable[User]("users")
	UserID   = retort.Col(Users, "id", func(u *User) *int64 { return &u.ID }, retort.PrimaryKey())
	UserName = retort.Col(Users, "name", func(u *User) *string { return &u.Name })

	Orders    = retort.NewTable[Order]("orders")
	OrderID   = retort.Col(Orders, "id", func(o *Order) *int64 { return &o.ID }, retort.PrimaryKey())
	OrderUser = retort.Col(Orders, "user_id", func(o *Order) *int64 { return &o.UserID })
	OrderNote = retort.Col(Orders, "note", func(o *Order) *string { return &o.Note })

	Items       = retort.NewTable[Item]("item")
	ItemID      = retort.Col(Items, "id", func(i *Item) *int64 { return &i.ID }, retort.PrimaryKey())
	ItemOrder   = retort.Col(Items, "order_id", func(i *Item) *int64 { return &i.OrderID })
	ItemProduct = retort.Col(Items, "product_id", func(i *Item) *int64 { return &i.ProductID })
	ItemQty     = retort.Col(Items, "qty", func(i *Item) *int32 { return &i.Qty })

	Products     = retort.NewTable[Product]("product")
	ProductID    = retort.Col(Products, "id", func(p *Product) *int64 { return &p.ID }, retort.PrimaryKey())
	ProductName  = retort.Col(Products, "name", func(p *Product) *string { return &p.Name })
	ProductPrice = retort.Col(Products, "price", func(p *Product) *float64 { return &p.Price })
	ProductCost  = retort.ColType(Products, "cost", func(p *Product) *retort.Decimal { return &p.Cost }, retort.Numeric(8, 2))

	UserOrders   = rel.OneToMany(OrderUser, UserID, func(u *User) *rel.Many[Order] { return &u.Orders }, rel.Cascade(rel.DeleteOrphan))
	OrderItems   = rel.OneToMany(ItemOrder, OrderID, func(o *Order) *rel.Many[Item] { return &o.Items }, rel.Cascade(rel.Delete))
	ItemProductR = rel.ManyToOne(ItemProduct, ProductID, func(i *Item) *rel.One[Product] { return &i.Product })
)

// Authors and books: a one-to-many loaded with SELECT IN by default, whose
// reverse raises instead of loading lazily.

type Author struct {
	ID    int64
	Name  string
	Books rel.Many[Book]
}

type Book struct {
	ID       int64
	AuthorID int64
	Title    string
	Author   rel.One[Author]
}

var (
	Authors    = retort.NewTable[Author]("author")
	AuthorID   = retort.Col(Authors, "id", func(a *Author) *int64 { return &a.ID }, retort.PrimaryKey())
	AuthorName = retort.Col(Authors, "name", func(a *Author) *string { return &a.Name })
	Books      = retort.NewTable[Book]("book")
	BookID     = retort.Col(Books, "id", func(b *Book) *int64 { return &b.ID }, retort.PrimaryKey())
	BookAuthor = retort.Col(Books, "author_id", func(b *Book) *int64 { return &b.AuthorID })
	BookTitle  = retort.Col(Books, "title", func(b *Book) *string { return &b.Title })

	AuthorBooks = rel.OneToMany(BookAuthor, AuthorID, func(a *Author) *rel.Many[Book] { return &a.Books },
		rel.Loading(rel.SelectInLoad), rel.OrderBy(rel.Asc(BookTitle)))
	BookWriter = AuthorBooks.BackrefOne(func(b *Book) *rel.One[Author] { return &b.Author }, rel.Loading(rel.RaiseLoad))
)

// Person has friends: a self-referential many-to-many.

type Person struct {
	ID      int64
	Name    string
	Friends rel.Many[Person]
}

var (
	People        = retort.NewTable[Person]("person")
	PersonID      = retort.Col(People, "id", func(p *Person) *int64 { return &p.ID }, retort.PrimaryKey())
	PersonName    = retort.Col(People, "name", func(p *Person) *string { return &p.Name })
	PersonFriends = rel.ManyToMany(PersonID, PersonID, "friendship", func(p *Person) *rel.Many[Person] { return &p.Friends },
		rel.AssocColumns("person_id", "friend_id"), rel.OrderBy(rel.Asc(PersonName)))
)

// Countries and cities: string keys the program supplies.

type Country struct {
	Code   string
	Name   string
	Cities rel.Many[City]
}

type City struct {
	ID      int64
	Country string
	Name    string
	Founded time.Time
	In      rel.One[Country]
}

var (
	Countries   = retort.NewTable[Country]("country")
	CountryCode = retort.Col(Countries, "code", func(c *Country) *string { return &c.Code }, retort.PrimaryKey(), retort.Size(2))
	CountryName = retort.Col(Countries, "name", func(c *Country) *string { return &c.Name })
	Cities      = retort.NewTable[City]("city")
	CityID      = retort.Col(Cities, "id", func(c *City) *int64 { return &c.ID }, retort.PrimaryKey())
	CityCountry = retort.Col(Cities, "country", func(c *City) *string { return &c.Country }, retort.Size(2))
	CityName    = retort.Col(Cities, "name", func(c *City) *string { return &c.Name })
	CityFounded = retort.Col(Cities, "founded", func(c *City) *time.Time { return &c.Founded })

	CityIn        = rel.ManyToOne(CityCountry, CountryCode, func(c *City) *rel.One[Country] { return &c.In })
	CountryCities = CityIn.Backref(func(c *Country) *rel.Many[City] { return &c.Cities }, rel.OrderBy(rel.Desc(CityName)))
)

var allTables = []retort.Schema{
	Parents, Children, Tags, ChildTags.Table(),
	Bosses, Grunts, Nodes,
	Users, Orders, Items, Products,
	Authors, Books,
	People, PersonFriends.Table(),
	Countries, Cities,
}

// recorder keeps the SQL of every round trip.
type recorder struct {
	mu  sync.Mutex
	sql []string
}

func (r *recorder) Trace(_ context.Context, ev retort.TraceEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sql = append(r.sql, ev.SQL)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.sql
	r.sql = nil
	return out
}

// run runs fn on both databases with every table created.
func run(t *testing.T, fn func(t *testing.T, env *dbtest.Env, rec *recorder)) {
	t.Helper()
	rec := &recorder{}
	dbtest.RunWith(t, dbtest.Options{Tracer: rec}, func(t *testing.T, env *dbtest.Env) {
		env.Create(t, allTables...)
		rec.take()
		fn(t, env, rec)
	})
}

func ptr[V any](v V) *V { return &v }
