package enum_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/enum"
	"github.com/retort-orm/retort/sqlite"
)

// EmployeeType is the seed's enumeration. One-letter codes keep the column
// small where the database has no native ENUM type.
type EmployeeType string

const (
	PartTime   EmployeeType = "P"
	FullTime   EmployeeType = "F"
	Contractor EmployeeType = "C"
)

// EmployeeTypes lists the values in order, each with its description.
var EmployeeTypes = enum.New("employee_type",
	enum.Value(PartTime, "Part Time"),
	enum.Value(FullTime, "Full Time"),
	enum.Value(Contractor, "Contractor"),
)

// String is the type's own; here it shows the description.
func (t EmployeeType) String() string { return EmployeeTypes.String(t) }

// MarshalText and UnmarshalText make JSON (and any text encoding) use the
// code, and refuse unknown codes.
func (t EmployeeType) MarshalText() ([]byte, error)  { return EmployeeTypes.MarshalText(t) }
func (t *EmployeeType) UnmarshalText(b []byte) error { return EmployeeTypes.UnmarshalText(t, b) }

type Employee struct {
	ID   int64        `json:"-"`
	Name string       `json:"name"`
	Type EmployeeType `json:"type"`
}

var (
	Employees    = retort.NewTable[Employee]("employee")
	EmployeeID   = retort.Col(Employees, "id", func(e *Employee) *int64 { return &e.ID }, retort.PrimaryKey())
	EmployeeName = retort.Col(Employees, "name", func(e *Employee) *string { return &e.Name })
	// The column is typed: EmployeeKind.Eq takes an EmployeeType.
	EmployeeKind = retort.ColType(Employees, "type", func(e *Employee) *EmployeeType { return &e.Type }, EmployeeTypes)
)

func Example() {
	// A dropdown: every value and its description, in declaration order.
	for code, description := range EmployeeTypes.All() {
		fmt.Println(string(code), description)
	}

	// Input from a form or a URL.
	t, err := EmployeeTypes.Parse("P")
	fmt.Println(t == PartTime, err)
	_, err = EmployeeTypes.Parse("X")
	fmt.Println(err)
	fmt.Println(EmployeeTypes.Description(Contractor))

	// JSON carries the code.
	b, err := json.Marshal(Employee{Name: "ann", Type: FullTime})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(b))

	// A table with an enum column: TEXT with a CHECK constraint on SQLite, a
	// native "employee_type" on PostgreSQL.
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Employees); err != nil {
		log.Fatal(err)
	}
	err = retort.Insert(Employees,
		&Employee{Name: "ann", Type: FullTime},
		&Employee{Name: "bob", Type: PartTime},
		&Employee{Name: "cy", Type: Contractor},
		&Employee{Name: "di", Type: PartTime},
	).Exec(ctx, db)
	if err != nil {
		log.Fatal(err)
	}

	partTimers, err := retort.Select(Employees).Where(EmployeeKind.Eq(PartTime)).OrderBy(EmployeeName.Asc()).All(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range partTimers {
		fmt.Printf("%s: %v\n", e.Name, e.Type)
	}
	others, err := retort.Select(Employees).Where(EmployeeKind.In(FullTime, Contractor)).Count(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("full time or contractor:", others)

	// An undeclared value never reaches the database.
	err = retort.Insert(Employees, &Employee{Name: "eve", Type: "X"}).Exec(ctx, db)
	fmt.Println(err)

	// Output:
	// P Part Time
	// F Full Time
	// C Contractor
	// true <nil>
	// enum: "X" is not a value of employee_type (valid: "P", "F", "C")
	// Contractor
	// {"name":"ann","type":"F"}
	// bob: Part Time
	// di: Part Time
	// full time or contractor: 2
	// retort: table "employee" column "type": value "employee_type(X)": enum: "X" is not a value of employee_type (valid: "P", "F", "C")
}
