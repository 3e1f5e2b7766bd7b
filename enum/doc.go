// Package enum declares enumerations: a fixed set of values named by Go
// constants, each with a description for users, stored as a native ENUM type
// on PostgreSQL and as a column with a CHECK constraint elsewhere. It is the
// Go form of SQLAlchemy's "Enum Recipe".
//
// # Declaring
//
// An enumeration is a named Go type, its constants, and one declaration that
// lists each value with its description, in order:
//
//	type EmployeeType string
//
//	const (
//		PartTime   EmployeeType = "P"
//		FullTime   EmployeeType = "F"
//		Contractor EmployeeType = "C"
//	)
//
//	var EmployeeTypes = enum.New("employee_type",
//		enum.Value(PartTime, "Part Time"),
//		enum.Value(FullTime, "Full Time"),
//		enum.Value(Contractor, "Contractor"),
//	)
//
// Application code uses the constants, so it cannot name a value that does
// not exist. Short codes such as "P" keep a text column small where there is
// no native ENUM. [NewInt] declares an enumeration of integers instead.
//
// # Using the values
//
// [Enum.All] iterates (value, description) pairs in declaration order, for a
// dropdown; [Enum.Values], [Enum.Description], [Enum.Valid] and [Enum.Parse]
// do what their names say. Parse's error names the enumeration and lists the
// valid values, and matches [ErrUnknown].
//
// The type's String method stays the user's to write; [Enum.String] gives
// the description in one line. [Enum.MarshalText], [Enum.UnmarshalText],
// [Enum.EncodeJSON] and [Enum.DecodeJSON] let the type implement the
// encoding interfaces in one line each, refusing unknown values:
//
//	func (t EmployeeType) String() string                { return EmployeeTypes.String(t) }
//	func (t EmployeeType) MarshalText() ([]byte, error)  { return EmployeeTypes.MarshalText(t) }
//	func (t *EmployeeType) UnmarshalText(b []byte) error { return EmployeeTypes.UnmarshalText(t, b) }
//
// # Columns
//
// *[Enum] is a [retort.Type], so a column is declared with [retort.ColType]
// (or [retort.NullColType]) and stays typed: EmpType.Eq(PartTime) and
// EmpType.In(PartTime, Contractor) compile, EmpType.Eq("P") with an untyped
// string compiles too (it is a constant of the column's type), and a string
// variable does not.
//
//	EmpType = retort.ColType(Employees, "type", func(e *Employee) *EmployeeType { return &e.Type }, EmployeeTypes)
//
// The DDL that [retort.CreateAll] emits:
//
//   - PostgreSQL, string enum: CREATE TYPE "employee_type" AS ENUM ('P', 'F', 'C')
//     before the tables (in a DO block that skips an existing type, so
//     CreateAll can run again), the column typed "employee_type", and
//     DROP TYPE IF EXISTS after the tables in [retort.DropAll].
//   - SQLite, string enum: a TEXT column with
//     CHECK ("type" IN ('P', 'F', 'C')).
//   - Integer enum, both databases: an integer column with
//     CHECK ("priority" IN (1, 2, 3)).
//
// Writing a value the enumeration does not declare fails before any SQL is
// sent, with a [retort.ColumnError] naming the table, the column and the
// value. Reading one (a row written by another program) fails with an error
// that names the table, the column, the value and the valid values; it is
// never silently the zero value.
//
// Order: PostgreSQL sorts a native enum in declaration order; SQLite sorts
// the stored text (or number).
//
// # Adding values
//
// Adding a constant to the declaration changes what CreateAll makes for a new
// database. For an existing PostgreSQL database, [Sync] adds the missing
// labels with ALTER TYPE ... ADD VALUE (see its documentation about
// transactions). SQLite's CHECK constraint, and the CHECK of an integer enum,
// cannot be altered in place; Sync says so with an error.
//
// # Discriminators
//
// An enumeration can tell the rows of joined-table inheritance apart: the
// column is an ordinary typed column, and code that works for any value type
// reads [Enum.Name], [Enum.Labels] and [Enum.Members].
package enum
