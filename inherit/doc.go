// Package inherit maps class hierarchies with joined-table inheritance: a
// base table holds the columns every class shares and a discriminator
// column naming each row's class; each subclass has a table of its own whose
// primary key is also a foreign key to the base table's. It is SQLAlchemy's
// joined-table inheritance, written the Go way: a subclass is a struct that
// embeds its parent.
//
// # Declaring
//
// Declare each table and its columns as usual, then the classes. A subclass
// table's key column reaches the embedded key field, and references the base
// key:
//
//	type Employee struct {
//		ID   int64
//		Name string
//		Type string // the discriminator, set by the mapper
//	}
//
//	type Boss struct {
//		Employee
//		GolfAverage retort.Decimal
//	}
//
//	var (
//		Employees    = retort.NewTable[Employee]("employee")
//		EmployeeID   = retort.Col(Employees, "id", func(e *Employee) *int64 { return &e.ID }, retort.PrimaryKey())
//		EmployeeName = retort.Col(Employees, "name", func(e *Employee) *string { return &e.Name })
//		EmployeeType = retort.Col(Employees, "type", func(e *Employee) *string { return &e.Type })
//
//		Bosses   = retort.NewTable[Boss]("boss")
//		BossID   = retort.Col(Bosses, "id", func(b *Boss) *int64 { return &b.ID }, retort.PrimaryKey()).References(EmployeeID)
//		BossGolf = retort.ColType(Bosses, "golf_average", func(b *Boss) *retort.Decimal { return &b.GolfAverage }, retort.Numeric(10, 2))
//
//		EmployeeClass = inherit.New(Employees, EmployeeType, "employee")
//		BossClass     = inherit.Sub(EmployeeClass, Bosses, func(b *Boss) *Employee { return &b.Employee }, "boss")
//	)
//
// [New] declares the root ([Abstract] a root without rows of its own); [Sub]
// declares a subclass of any class, so hierarchies can be deeper (Employee →
// Manager → Executive). The discriminator's Go type is the column's: a
// string, an integer, or an enumeration's named type from package enum; the
// compiler checks each class's value against it. [Class.Tables] lists the
// hierarchy's tables for retort.CreateAll.
//
// # Saving
//
// The classes share one session mapper, registered for every class's Go
// type, so session.Add, Delete, Commit and the rest work on *Employee,
// *Boss and *Grunt alike. The mapper sets each new row's discriminator, and
// a flush writes the new objects of all the hierarchy's classes together:
//
//   - PostgreSQL: one statement per flush (per 5,000 objects) writes the
//     base rows and every subclass table's rows, as data-modifying CTEs over
//     unnest()ed arrays; keys come from the base table's sequence and are
//     matched to objects by ordinal. With autoflush it travels in the same
//     round trip as the query that triggered it.
//   - SQLite: multi-row INSERTs (up to 500 rows each; fewer than 50 base
//     rows of generated keys go one INSERT a row), the base rows first,
//     then each subclass table's rows; the base rows' generated keys are
//     written into their subclass rows before those run.
//
// An update writes only the tables whose columns changed; a delete removes
// subclass rows before base rows, and where the hierarchy's tables
// reference its own rows (a staffer's manager is a staffer) each table's
// rows go leaves first, by the key values they hold in the database, so
// that deletes in several statements never remove a row still referenced.
// A new object with the key of an object of its class deleted in the same
// flush takes over its rows with UPDATEs (the session's row switch); of
// another class, it is an error: flush the delete first.
// The identity map keys every object by the
// base key: [Get] of an Employee key that is a Boss returns that *Boss (as
// the *Employee it embeds), [GetPoly] returns the *Boss itself.
//
// Relationships and hooks registered on a class's table (session.Relate,
// package rel, session.BeforeInsert, ...) see the objects of that class and
// of its subclasses, as the table's Go type. The mapper is also a
// session.WhereLoader: a package that loads objects of a class by a
// predicate of its own should load through it, to read every table.
//
// [All], [First] and [One] run through session.RunAny, so package rel
// loads relationships for them as for session.All: default strategies
// apply, and a Joined path is joined into the query's own statement (the
// query, its columns aliased, becomes a derived table). A Joined path whose
// target is a class of a hierarchy is one statement too: rel LEFT JOINs the
// class's table, and the mapper joins its base and subclass tables
// (JoinTarget). [Poly] does not apply default strategies, and loads Joined
// paths as SelectIn does.
//
// # Querying
//
// [Select] queries a class: its tables are joined along the key, and
// predicates may use the columns of the class and of its ancestors alike,
// each typed:
//
//	inherit.Select(BossClass).Where(EmployeeName.Eq("Boss 1"), BossGolf.Lt(retort.MustDecimal("90")))
//
// Rows of subclasses come back whole, as their most specific class. [Poly]
// (and [Query.Poly] without a session) returns them as []any to use with a
// type switch:
//
//	staff, err := inherit.Poly(ctx, s, inherit.Select(EmployeeClass))
//	for _, e := range staff {
//		switch e := e.(type) {
//		case *Boss:
//			fmt.Println("boss", e.Name, e.GolfAverage)
//		case *Employee:
//			fmt.Println("employee", e.Name)
//		}
//	}
//
// [All] returns []*T: for a subclass row, a pointer to the T embedded in the
// loaded subclass object. Two strategies load subclass rows, as in
// SQLAlchemy: by default one query LEFT JOINs every subclass table;
// [Query.SelectIn] instead runs the class's query, then one query per
// subclass present (WHERE key IN ...). A discriminator value that no class
// declares is an error wrapping [ErrUnknownType] inside a retort.ColumnError
// naming the table, the column and the value.
//
// # Limits
//
// Go has no subtype polymorphism for struct pointers: a *Boss is not an
// *Employee. A relationship whose target is a base class (a field of type
// rel.One[Employee] or rel.Many[Employee]) holds *Employee values: for a
// Boss row, loaded by package rel, the *Employee its *Boss embeds, which rel
// maps back to the *Boss for the session. A new Boss cannot be saved
// through such a reference (the session would see a new Employee): add it
// to the session first, or point relationships at the class they need
// (Grunt → Boss). session.Get and session.All on a hierarchy type work for rows of
// exactly that type and read one table only; use [Get], [GetPoly] and this
// package's queries, which know the hierarchy. Likewise a relationship
// loader that reads only the target's table (rather than through
// session.WhereLoader) leaves the base fields of a subclass target empty;
// load the targets with this package first, and the relationship finds
// them in the identity map.
package inherit
