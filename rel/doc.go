// Package rel adds relationships to Retort's session: references and
// collections between mapped objects, kept consistent in memory, saved and
// deleted with the unit of work, and loaded lazily or eagerly without N+1
// queries. It is SQLAlchemy's relationship() in typed Go: no reflection, no
// generated code.
//
// # Declaring
//
// A relationship is a field on the object and a package-level variable that
// ties the field to the columns:
//
//	type Boss struct {
//		ID        int64
//		Name      string
//		Employees rel.Many[Grunt]
//	}
//
//	type Grunt struct {
//		ID       int64
//		Name     string
//		BossID   *int64
//		Employer rel.One[Boss]
//	}
//
//	var (
//		GruntEmployer = rel.ManyToOne(GruntBossID, BossID, func(g *Grunt) *rel.One[Boss] { return &g.Employer })
//		BossEmployees = GruntEmployer.Backref(func(b *Boss) *rel.Many[Grunt] { return &b.Employees })
//	)
//
// [ManyToOne], [OneToMany] and [ManyToMany] infer their types from the
// columns and compile only when the foreign key and the primary key hold
// the same Go type (a NULL-able foreign key, declared with retort.NullCol,
// still has the key's type). [ManyToMany] also declares the association
// table; give [ToMany.Table] to retort.CreateAll. [ToOne.BackPopulates],
// [ToMany.BackPopulates] and the Backref methods link the two sides of a
// relationship. Options set cascades ([Cascade] with [Delete] and
// [DeleteOrphan]), the default loading strategy ([Loading]), the order of a
// collection ([OrderBy]) and the name in messages ([Name]).
//
// Relationships to the same table (a tree of nodes, an employee's manager)
// work like any other. Composite keys are not supported yet: a
// relationship's keys are single columns.
//
// # Fields
//
// [One] is a reference: [One.Set], [One.Get] (no SQL) and [One.Load] (SQL if
// needed). [Many] is a collection that keeps order and holds each object
// once ([Set] is the same type under the set name): [Many.Add],
// [Many.Remove], [Many.Len], [Many.All], [Many.Get] and [Many.Load]. Their
// zero values are usable; [OneOf] and [ManyOf] build them in struct
// literals. Reading a relationship that is not loaded and cannot be is an
// error matching [ErrNotLoaded], never a panic.
//
// When both sides are declared and linked, setting grunt.Employer moves the
// grunt from its previous boss's Employees to the new boss's, and adding a
// grunt to boss.Employees sets its Employer, at once, before any flush. The
// other side follows as soon as the object is known to the relationship: it
// was added to or loaded by a session, reached by a linked relationship, or
// changed through the relationship's own [ToOne.Set], [ToMany.Add] or
// [ToMany.Remove].
//
// # Unit of work
//
// Adding an object to a session adds the objects its relationships reach
// (the save-update cascade). At the flush, foreign keys get their targets'
// keys once those are inserted (in dependency order, in batches: on
// PostgreSQL the flush waits for a round trip only where a key it needs is
// generated), association rows are inserted for added many-to-many links and
// deleted for removed ones, objects removed from a one-to-many get a NULL
// foreign key or, with [DeleteOrphan], are deleted, and [Delete] deletes the
// related objects with their owner. Deleting an owner acts on what the
// database holds, not only on what is loaded: its children get a NULL
// foreign key (when it is NULL-able) or, with [Delete], are deleted; the
// flush loads a collection that is not loaded first, one query per
// relationship for all the deleted owners, unless the foreign key's ON
// DELETE (retort.OnDelete) does the same in the database. A NOT NULL
// foreign key without a cascade is left to the database, which refuses
// the delete while children remain. Once a flush has deleted an object, the
// collections (one-to-many and many-to-many) of the session's objects no
// longer hold it, as SQLAlchemy's collections after the commit expired
// them; a Rollback of those deletes (the transaction's or a savepoint's,
// or a failed commit's) puts it back in them, after the objects they hold.
//
// # Loading
//
// A relationship loads lazily by default: [One.Load] and [Many.Load] use the
// session that loaded the owner, and a many-to-one whose target the session
// already holds costs no SQL at all. Eager loading removes the N+1 queries:
//
//   - [SelectIn] loads a relationship for all the objects of a query with
//     one more query, WHERE key IN (...);
//   - [Joined] loads it in the query's own statement with a LEFT OUTER JOIN;
//   - [Raise] makes reading it unloaded an error, [Lazy] restores lazy
//     loading;
//   - [Load.Then] continues a path: orders, then their items, then each
//     item's product, in one option.
//   - [ToMany.Where] restricts a collection's eager load to the targets
//     matching conditions (SQLAlchemy's relationship.and_): SelectIn puts
//     them in its WHERE clause, Joined in its join's ON clause, and each
//     collection then holds that part of the relationship.
//
// An eager load leaves relationships already loaded as they are (no SQL
// for them), unless the query has session.PopulateExisting: then it reads
// them again, as it does the objects' columns; a collection keeps its
// unflushed additions and removals, to be written at the next flush.
// session.Refresh of one object reads its loaded collections again the
// same way (one query each; in full, if loaded in part).
//
// Targets that are classes of a joined-table hierarchy (package inherit)
// span several tables: SelectIn and lazy loads read them through their
// mapper (session.WhereLoader), and those collections keep the order the
// mapper returns rather than [OrderBy]'s; a Joined path LEFT JOINs the
// class's table and the mapper joins its base and subclass tables, in the
// same statement. Queries of a class hierarchy (inherit.All, First, One)
// load relationships as session.All does, defaults and Joined paths
// included: the class's query becomes the derived table the paths join to.
// A target of a subclass of the relationship's class is held as the T it
// embeds.
//
// The options are session.QueryOptions, given to session.All, One and First.
// Every table that owns relationships gets a session interceptor
// (session.Intercept) from this package, so a relationship's default
// strategy ([Loading]) applies to every session query of its owner's type,
// and Joined paths join into the query's own statement. [All], [Single] and
// [First] are the same functions under this package's name. Defaults apply
// to lazy reads too: a relationship whose default is [SelectInLoad] loads
// for every object of the owner's type in the session at the first Load.
package rel
