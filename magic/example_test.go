package magic_test

import (
	"context"
	"fmt"
	"log"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/magic"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
)

// The seed's model: a parent has children, a child has a parent and a set
// of tags, a tag a set of children. No table names, no key columns, no
// association table: the helpers declare them.

type Parent struct {
	magic.Entity
	Children rel.Set[Child]
}

type Child struct {
	magic.Entity
	ParentID *int64 // the column one_to_many declares lives here
	Parent   rel.One[Parent]
	Tags     rel.Set[Tag]
}

type Tag struct {
	magic.Entity
	Name     string
	Children rel.Set[Child]
}

var (
	Parents  = magic.Table[Parent]()
	Children = magic.Table[Child]()
	Tags     = magic.Table[Tag]()
	TagName  = retort.Col(Tags, "name", func(t *Tag) *string { return &t.Name }, retort.Size(50))

	ParentChildren = magic.OneToMany(Parents, Children, "parent_id",
		func(c *Child) **int64 { return &c.ParentID },
		func(p *Parent) *rel.Set[Child] { return &p.Children })
	ChildParent = magic.ManyToOne(Children, Parents, "parent_id",
		func(c *Child) **int64 { return &c.ParentID },
		func(c *Child) *rel.One[Parent] { return &c.Parent }).BackPopulates(ParentChildren)
	ChildTags = magic.ManyToMany(Children, Tags, "child_tag",
		func(c *Child) *rel.Set[Tag] { return &c.Tags }, rel.OrderBy(rel.Asc(TagName)))
	TagChildren = ChildTags.Backref(func(t *Tag) *rel.Set[Child] { return &t.Children })
)

// String names a child by its key, as the seed prints it.
func (c *Child) String() string { return fmt.Sprintf("Child(%d)", c.ID) }

// The seed's Magic example: declare, set the database up in one call, save a
// parent with its children and their tags, read them back.
func Example() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range retort.CreateSQL(retort.SQLite, Children, ChildTags.Table()) {
		fmt.Println(stmt)
	}

	s, err := magic.Setup(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	t1, t2, t3 := &Tag{Name: "t1"}, &Tag{Name: "t2"}, &Tag{Name: "t3"}
	err = session.Add(s, &Parent{Children: rel.SetOf(
		&Child{Tags: rel.SetOf(t1, t2)},
		&Child{Tags: rel.SetOf(t1, t3)},
	)})
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}

	s = session.New(db)
	p1, err := session.First(ctx, s, retort.Select(Parents).OrderBy(magic.ID(Parents).Asc()),
		rel.SelectIn(ParentChildren).Then(rel.SelectIn(ChildTags)))
	if err != nil {
		log.Fatal(err)
	}
	for child := range p1.Children.All() {
		var names []string
		for t := range child.Tags.All() {
			names = append(names, t.Name)
		}
		fmt.Println(child, names)
	}
	// The reverse sides load lazily, through the session that loaded them:
	// the children of t1 are the objects already in memory.
	c1, err := p1.Children.Get()
	if err != nil {
		log.Fatal(err)
	}
	tags, err := c1[0].Tags.Get()
	if err != nil {
		log.Fatal(err)
	}
	first := tags[0]
	if err := first.Children.Load(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(first.Name, "tags", first.Children.Len(), "children; the first is the same object:", first.Children.Contains(c1[0]))
	parent, err := c1[1].Parent.Load(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("the parent of", c1[1], "is p1:", parent == p1)
	// Output:
	// CREATE TABLE "child" (
	// 	"id" INTEGER PRIMARY KEY,
	// 	"parent_id" INTEGER,
	// 	CONSTRAINT "child_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "parent" ("id")
	// )
	// CREATE TABLE "child_tag" (
	// 	"child_id" INTEGER NOT NULL,
	// 	"tag_id" INTEGER NOT NULL,
	// 	PRIMARY KEY ("child_id", "tag_id"),
	// 	CONSTRAINT "child_tag_child_id_fkey" FOREIGN KEY ("child_id") REFERENCES "child" ("id") ON DELETE CASCADE,
	// 	CONSTRAINT "child_tag_tag_id_fkey" FOREIGN KEY ("tag_id") REFERENCES "tag" ("id") ON DELETE CASCADE
	// )
	// Child(1) [t1 t2]
	// Child(2) [t1 t3]
	// t1 tags 2 children; the first is the same object: true
	// the parent of Child(2) is p1: true
}
