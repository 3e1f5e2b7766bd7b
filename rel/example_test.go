package rel_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
)

// The examples use the models declared in model_test.go: the seed's
// Parent, Child and Tag; Boss and Grunt; User, Order, Item and Product.

// open returns an in-memory SQLite database with every example table,
// counting statements in c.
func open(ctx context.Context, c *retort.Counter) *sqlite.DB {
	var opts []sqlite.Option
	if c != nil {
		opts = append(opts, sqlite.WithTracer(c))
	}
	db, err := sqlite.Open(ctx, ":memory:", opts...)
	if err != nil {
		log.Fatal(err)
	}
	if err := retort.CreateAll(ctx, db, allTables...); err != nil {
		log.Fatal(err)
	}
	return db
}

// staff stores three bosses with three grunts each.
func staff(ctx context.Context, db retort.DB) {
	s := session.New(db)
	for _, b := range []string{"ann", "bob", "cy"} {
		boss := &Boss{Name: b}
		for i := 1; i <= 3; i++ {
			boss.Employees.Add(&Grunt{Name: fmt.Sprintf("%s-%d", b, i)})
		}
		if err := session.Add(s, boss); err != nil {
			log.Fatal(err)
		}
	}
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
}

// The seed's "Magic" model: a parent with children, each with a set of tags.
// Adding the parent saves everything it reaches; reading it back loads the
// children and their tags with one query per relationship.
func Example() {
	ctx := context.Background()
	db := open(ctx, nil)
	defer db.Close()

	s := session.New(db)
	t1, t2, t3 := &Tag{Name: "t1"}, &Tag{Name: "t2"}, &Tag{Name: "t3"}
	p := &Parent{Name: "p1", Children: rel.ManyOf(
		&Child{Name: "c1", Tags: rel.SetOf(t1, t2)},
		&Child{Name: "c2", Tags: rel.SetOf(t1, t3)},
	)}
	if err := session.Add(s, p); err != nil {
		log.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}

	s = session.New(db)
	p1, err := session.First(ctx, s, retort.Select(Parents),
		rel.SelectIn(ParentChildren).Then(rel.SelectIn(ChildTags)))
	if err != nil {
		log.Fatal(err)
	}
	for c := range p1.Children.All() {
		fmt.Print(c.Name, ":")
		for t := range c.Tags.All() {
			fmt.Print(" ", t.Name)
		}
		fmt.Println()
	}
	// Output:
	// c1: t1 t2
	// c2: t1 t3
}

// SelectIn loads a relationship for every object of a query with one more
// query, instead of one per object.
func ExampleSelectIn() {
	ctx := context.Background()
	var count retort.Counter
	db := open(ctx, &count)
	defer db.Close()
	staff(ctx, db)

	count.Reset()
	s := session.New(db)
	bosses, err := session.All(ctx, s, retort.Select(Bosses).OrderBy(BossName.Asc()), rel.SelectIn(BossEmployees))
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range bosses {
		fmt.Println(b.Name, b.Employees.Len())
	}
	fmt.Println("statements:", count.RoundTrips())
	// Output:
	// ann 3
	// bob 3
	// cy 3
	// statements: 2
}

// Joined loads a relationship in the query's own statement, with a LEFT
// OUTER JOIN; session.All returns each boss once, and LIMIT counts bosses.
func ExampleJoined() {
	ctx := context.Background()
	var count retort.Counter
	db := open(ctx, &count)
	defer db.Close()
	staff(ctx, db)

	count.Reset()
	s := session.New(db)
	bosses, err := session.All(ctx, s, retort.Select(Bosses).OrderBy(BossName.Desc()).Limit(2), rel.Joined(BossEmployees))
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range bosses {
		fmt.Print(b.Name, ":")
		for g := range b.Employees.All() {
			fmt.Print(" ", g.Name)
		}
		fmt.Println()
	}
	fmt.Println("statements:", count.RoundTrips())
	// Output:
	// cy: cy-1 cy-2 cy-3
	// bob: bob-1 bob-2 bob-3
	// statements: 1
}

// A reference loads lazily, through the session that loaded its owner; a
// target the session already holds costs no SQL.
func ExampleOne_Load() {
	ctx := context.Background()
	var count retort.Counter
	db := open(ctx, &count)
	defer db.Close()
	staff(ctx, db)

	s := session.New(db)
	g, err := session.Get(ctx, s, Grunts, int64(4))
	if err != nil {
		log.Fatal(err)
	}
	count.Reset()
	boss, err := g.Employer.Load(ctx) // one query
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.Name, "works for", boss.Name, "- statements:", count.RoundTrips())

	other, err := session.Get(ctx, s, Grunts, int64(5))
	if err != nil {
		log.Fatal(err)
	}
	count.Reset()
	boss, err = other.Employer.Load(ctx) // the same boss: no query
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(other.Name, "works for", boss.Name, "- statements:", count.RoundTrips())
	// Output:
	// bob-1 works for bob - statements: 1
	// bob-2 works for bob - statements: 0
}

// Raise forbids lazy loads: reading the relationship unloaded is an error.
func ExampleRaise() {
	ctx := context.Background()
	db := open(ctx, nil)
	defer db.Close()
	staff(ctx, db)

	s := session.New(db)
	boss, err := session.First(ctx, s, retort.Select(Bosses).OrderBy(BossName.Asc()), rel.Raise(BossEmployees))
	if err != nil {
		log.Fatal(err)
	}
	err = boss.Employees.Load(ctx)
	fmt.Println(errors.Is(err, rel.ErrNotLoaded))
	fmt.Println(err)
	// Output:
	// true
	// rel: boss.employees of boss(1) is not loaded: the relationship raises on lazy loads (rel.RaiseLoad or rel.Raise): load it eagerly with rel.SelectIn or rel.Joined
}

// Then continues a path: users, their orders, the orders' items and each
// item's product, with one query per relationship.
func ExampleLoad_Then() {
	ctx := context.Background()
	var count retort.Counter
	db := open(ctx, &count)
	defer db.Close()

	s := session.New(db)
	pen, ink := &Product{Name: "pen"}, &Product{Name: "ink"}
	ann := &User{Name: "ann", Orders: rel.ManyOf(
		&Order{Note: "first", Items: rel.ManyOf(&Item{Qty: 2, Product: rel.OneOf(pen)}, &Item{Qty: 1, Product: rel.OneOf(ink)})},
		&Order{Note: "second", Items: rel.ManyOf(&Item{Qty: 5, Product: rel.OneOf(ink)})},
	)}
	if err := session.Add(s, ann); err != nil {
		log.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}

	count.Reset()
	s = session.New(db)
	users, err := session.All(ctx, s, retort.Select(Users),
		rel.SelectIn(UserOrders).Then(rel.SelectIn(OrderItems).Then(rel.SelectIn(ItemProductR))))
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range users {
		for o := range u.Orders.All() {
			fmt.Print(u.Name, " ", o.Note, ":")
			for it := range o.Items.All() {
				p, err := it.Product.Get()
				if err != nil {
					log.Fatal(err)
				}
				fmt.Print(" ", it.Qty, " ", p.Name)
			}
			fmt.Println()
		}
	}
	fmt.Println("statements:", count.RoundTrips())
	// Output:
	// ann first: 2 pen 1 ink
	// ann second: 5 ink
	// statements: 4
}

// With both sides linked, moving a grunt to another boss updates both
// bosses' collections at once, before anything is flushed.
func ExampleToOne_BackPopulates() {
	ctx := context.Background()
	db := open(ctx, nil)
	defer db.Close()
	staff(ctx, db)

	s := session.New(db)
	bosses, err := session.All(ctx, s, retort.Select(Bosses).OrderBy(BossName.Asc()), rel.SelectIn(BossEmployees))
	if err != nil {
		log.Fatal(err)
	}
	ann, bob := bosses[0], bosses[1]
	g, err := ann.Employees.Get()
	if err != nil {
		log.Fatal(err)
	}
	g[0].Employer.Set(bob)
	fmt.Println(ann.Name, ann.Employees.Len(), bob.Name, bob.Employees.Len())
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(g[0].Name, "boss_id:", *g[0].BossID == bob.ID)
	// Output:
	// ann 2 bob 4
	// ann-1 boss_id: true
}

// DeleteOrphan deletes an object removed from its owner's collection; the
// items of the order go with it (OrderItems cascades Delete).
func ExampleCascade() {
	ctx := context.Background()
	db := open(ctx, nil)
	defer db.Close()

	s := session.New(db)
	u := &User{Name: "ann", Orders: rel.ManyOf(
		&Order{Note: "keep"},
		&Order{Note: "drop", Items: rel.ManyOf(&Item{Qty: 1, Product: rel.OneOf(&Product{Name: "pen"})})},
	)}
	if err := session.Add(s, u); err != nil {
		log.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	orders, _ := u.Orders.Get()
	u.Orders.Remove(orders[1])
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	left, err := retort.Select(Orders).All(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	items, err := retort.Select(Items).Count(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(left), left[0].Note, items)
	// Output:
	// 1 keep 0
}

// Deleting a user whose orders were never loaded deletes them all the
// same, with their items: the commit loads the orders of the deleted user
// (DeleteOrphan implies Delete), then the items of those orders, one query
// each, before its DELETEs (on SQLite each statement is a round trip:
// BEGIN, two SELECTs, three DELETEs, COMMIT).
func ExampleCascade_notLoaded() {
	ctx := context.Background()
	var count retort.Counter
	db := open(ctx, &count)
	defer db.Close()

	s := session.New(db)
	for _, name := range []string{"ann", "bob"} {
		u := &User{Name: name, Orders: rel.ManyOf(
			&Order{Note: name + "-1", Items: rel.ManyOf(&Item{Qty: 1, Product: rel.OneOf(&Product{Name: name + "-pen"})})},
			&Order{Note: name + "-2", Items: rel.ManyOf(&Item{Qty: 2, Product: rel.OneOf(&Product{Name: name + "-ink"})})},
		)}
		if err := session.Add(s, u); err != nil {
			log.Fatal(err)
		}
	}
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}

	s = session.New(db)
	ann, err := session.One(ctx, s, retort.Select(Users).Where(UserName.Eq("ann")))
	if err != nil {
		log.Fatal(err)
	}
	if err := session.Delete(s, ann); err != nil {
		log.Fatal(err)
	}
	count.Reset()
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("round trips:", count.RoundTrips())
	orders, err := retort.Select(Orders).All(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	items, err := retort.Select(Items).Count(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(orders), orders[0].Note, orders[1].Note, items)
	// Output:
	// round trips: 7
	// 2 bob-1 bob-2 2
}

// Where loads part of a collection: each boss's employees whose names end
// in 2 or 3, in the statements of an unfiltered load. The condition's value
// is a bind parameter; a Joined path puts it in the join's ON clause.
func ExampleToMany_Where() {
	ctx := context.Background()
	var count retort.Counter
	db := open(ctx, &count)
	defer db.Close()
	staff(ctx, db)

	count.Reset()
	s := session.New(db)
	late := BossEmployees.Where(retort.Or(retort.Like(GruntName, "%-2"), retort.Like(GruntName, "%-3")))
	bosses, err := session.All(ctx, s, retort.Select(Bosses).OrderBy(BossName.Asc()), rel.SelectIn(late))
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range bosses {
		fmt.Println(b.Name, gruntNames(b))
	}
	fmt.Println("statements:", count.RoundTrips())

	count.Reset()
	cy, err := session.First(ctx, session.New(db), retort.Select(Bosses).Where(BossName.Eq("cy")),
		rel.Joined(BossEmployees.Where(GruntName.Ne("cy-2"))))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cy.Name, gruntNames(cy), "statements:", count.RoundTrips())
	// Output:
	// ann [ann-2 ann-3]
	// bob [bob-2 bob-3]
	// cy [cy-2 cy-3]
	// statements: 2
	// cy [cy-1 cy-3] statements: 1
}
