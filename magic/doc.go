// Package magic is a small declarative layer over Retort, after the seed
// "Magic, a New ORM" (May 2011): table names from Go type names, a
// surrogate key, relationship helpers that declare the foreign-key column or
// the association table along with the relationship, and one call to set up
// the database. It is built only from the public API of the root package,
// session and rel: the point of the seed is that a toolkit lets you build
// the layer you want, and this is one.
//
// # Declaring
//
// A struct embeds [Entity] for its key; [Table] names the table after the
// type (Parent → parent, OrderItem → order_item) and declares "id":
//
//	type Parent struct {
//		magic.Entity
//		Children rel.Set[Child]
//	}
//
//	type Child struct {
//		magic.Entity
//		ParentID *int64
//		Parent   rel.One[Parent]
//		Tags     rel.Set[Tag]
//	}
//
//	type Tag struct {
//		magic.Entity
//		Name     string
//		Children rel.Set[Child]
//	}
//
//	var (
//		Parents  = magic.Table[Parent]()
//		Children = magic.Table[Child]()
//		Tags     = magic.Table[Tag]()
//		TagName  = retort.Col(Tags, "name", func(t *Tag) *string { return &t.Name }, retort.Size(50))
//
//		ParentChildren = magic.OneToMany(Parents, Children, "parent_id",
//			func(c *Child) **int64 { return &c.ParentID },
//			func(p *Parent) *rel.Set[Child] { return &p.Children })
//		ChildTags = magic.ManyToMany(Children, Tags, "child_tag",
//			func(c *Child) *rel.Set[Tag] { return &c.Tags })
//	)
//
// [OneToMany] and [ManyToOne] declare the foreign-key column (referring to
// the other table's key) and the relationship in one call; the second side
// reuses the column the first declared. Go has no way to add a field to a
// struct, so the column is stored in a field you declare (ParentID above).
// [ManyToMany] declares the association table. Everything returned is an
// ordinary retort table, column or rel relationship: use them with the rest
// of Retort as usual, and mix magic tables with tables declared by hand.
//
// # Setting up
//
// [Setup] creates every table declared with this package (in foreign-key
// order, skipping those that exist) and returns a session: the whole
// program's model, for quick starts, demos and tests. A program with
// several databases gives retort.CreateAll the tables each one needs.
//
// # Examples
//
// The package example runs the seed's parent, children and tags. Two more
// build helpers of the same kind, in the examples only, for the seed
// "Polymorphic Associations with SQLAlchemy": an ActiveRecord-style
// Addressable (addressable_id and addressable_type columns with no foreign
// key, on the session's relationship seam) and the normalized form (an
// association table every addressable table refers to by a real foreign
// key, with package rel's relationships).
package magic
