package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/magic"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// The seed "Magic, a New ORM" (2011) with package magic: table names from
// type names, a surrogate key, relationship helpers that declare the
// foreign key or the association table, one call to set up.

// Parent has a set of children.
type Parent struct {
	magic.Entity
	Children rel.Set[Child]
}

// Child has a parent and a set of tags.
type Child struct {
	magic.Entity
	ParentID *int64
	Parent   rel.One[Parent]
	Tags     rel.Set[Tag]
}

// Tag has a name and a set of children.
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

func magicDemo(ctx context.Context, db retort.DB, out io.Writer) error {
	if err := retort.DropAll(ctx, db, magic.Tables()...); err != nil {
		return err
	}
	var names []string
	for _, t := range magic.Tables() {
		names = append(names, t.Info().Name)
	}
	fmt.Fprintf(out, "tables named by the types: %s\n", strings.Join(names, ", "))
	s, err := magic.Setup(ctx, db) // the ultra lazy's one call
	if err != nil {
		return err
	}
	t1, t2, t3 := &Tag{Name: "t1"}, &Tag{Name: "t2"}, &Tag{Name: "t3"}
	err = session.Add(s, &Parent{Children: rel.SetOf(
		&Child{Tags: rel.SetOf(t1, t2)},
		&Child{Tags: rel.SetOf(t1, t3)},
	)})
	if err != nil {
		return err
	}
	roundTrips.Reset()
	if err := s.Commit(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "one parent, two children, three tags, four links: %d statements in %d round trips\n", roundTrips.Statements(), roundTrips.RoundTrips())

	roundTrips.Reset()
	s = session.New(db)
	p1, err := session.First(ctx, s, retort.Select(Parents).OrderBy(magic.ID(Parents).Asc()),
		rel.SelectIn(ParentChildren).Then(rel.SelectIn(ChildTags)))
	if err != nil {
		return err
	}
	for c := range p1.Children.All() {
		var tags []string
		for t := range c.Tags.All() {
			tags = append(tags, t.Name)
		}
		fmt.Fprintf(out, "Child(%d) %v\n", c.ID, tags)
	}
	fmt.Fprintf(out, "read back with eager loading: %d round trips\n", roundTrips.RoundTrips())
	return nil
}
