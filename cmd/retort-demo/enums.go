package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/enum"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/session"
)

// The seed "The Enum Recipe" (2011): constants with descriptions, iteration
// for a dropdown, parsing a request value, a column stored as a native ENUM
// on PostgreSQL and TEXT with a CHECK on SQLite, queries by value, and the
// same enumeration as the discriminator of joined-table inheritance.

// EmployeeType is the seed's enumeration.
type EmployeeType string

// The values, with the seed's one-letter codes.
const (
	PartTime   EmployeeType = "P"
	FullTime   EmployeeType = "F"
	Contractor EmployeeType = "C"
)

// EmployeeTypes lists the values in order, with their descriptions.
var EmployeeTypes = enum.New("employee_type",
	enum.Value(PartTime, "Part Time"),
	enum.Value(FullTime, "Full Time"),
	enum.Value(Contractor, "Contractor"),
)

// String gives the description.
func (t EmployeeType) String() string { return EmployeeTypes.String(t) }

// Worker is the seed's Employee (the three-profiles scenario has the
// table employee).
type Worker struct {
	ID   int64
	Name string
	Type EmployeeType
}

var (
	Workers    = retort.NewTable[Worker]("worker")
	WorkerID   = retort.Col(Workers, "id", func(w *Worker) *int64 { return &w.ID }, retort.PrimaryKey())
	WorkerName = retort.Col(Workers, "name", func(w *Worker) *string { return &w.Name }, retort.Size(60))
	WorkerType = retort.ColType(Workers, "type", func(w *Worker) *EmployeeType { return &w.Type }, EmployeeTypes)
)

// The enumeration as a discriminator: part-timers are plain Person rows,
// full-timers also have a salaried row, contractors a contracted row.

// Person is anyone on the payroll.
type Person struct {
	ID   int64
	Name string
	Kind EmployeeType
}

// Salaried is a full-timer.
type Salaried struct {
	Person
	Salary retort.Decimal
}

// Contracted is a contractor.
type Contracted struct {
	Person
	Agency string
}

var (
	People     = retort.NewTable[Person]("person")
	PersonID   = retort.Col(People, "id", func(p *Person) *int64 { return &p.ID }, retort.PrimaryKey())
	PersonName = retort.Col(People, "name", func(p *Person) *string { return &p.Name }, retort.Size(60))
	PersonKind = retort.ColType(People, "kind", func(p *Person) *EmployeeType { return &p.Kind }, EmployeeTypes)

	Salaries       = retort.NewTable[Salaried]("salaried")
	SalariedID     = retort.Col(Salaries, "id", func(s *Salaried) *int64 { return &s.ID }, retort.PrimaryKey()).References(PersonID)
	SalariedSalary = retort.ColType(Salaries, "salary", func(s *Salaried) *retort.Decimal { return &s.Salary }, retort.Numeric(10, 2))

	Contracts        = retort.NewTable[Contracted]("contracted")
	ContractedID     = retort.Col(Contracts, "id", func(c *Contracted) *int64 { return &c.ID }, retort.PrimaryKey()).References(PersonID)
	ContractedAgency = retort.Col(Contracts, "agency", func(c *Contracted) *string { return &c.Agency }, retort.Size(60))

	PersonClass     = inherit.New(People, PersonKind, PartTime)
	SalariedClass   = inherit.Sub(PersonClass, Salaries, func(s *Salaried) *Person { return &s.Person }, FullTime)
	ContractedClass = inherit.Sub(PersonClass, Contracts, func(c *Contracted) *Person { return &c.Person }, Contractor)
)

func enumRecipe(ctx context.Context, db retort.DB, out io.Writer) error {
	// Both parts share the PostgreSQL type employee_type: drop and create
	// their tables together, so the type goes last and comes first.
	if err := recreate(ctx, db, append([]retort.Schema{Workers}, PersonClass.Tables()...)...); err != nil {
		return err
	}
	fmt.Fprintln(out, "a dropdown:")
	for code, description := range EmployeeTypes.All() {
		fmt.Fprintf(out, "  <option value=%q>%s</option>\n", string(code), description)
	}
	form, err := url.ParseQuery("name=ann&type=F")
	if err != nil {
		return err
	}
	t, err := EmployeeTypes.Parse(form.Get("type"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "the request's type=%s is %v\n", form.Get("type"), t)
	if _, err := EmployeeTypes.Parse("X"); errors.Is(err, enum.ErrUnknown) {
		fmt.Fprintf(out, "type=X is refused: %v\n", err)
	} else {
		return fmt.Errorf("parsing X: got %v, want ErrUnknown", err)
	}
	fmt.Fprintf(out, "the DDL on %s:\n", db.Dialect())
	for _, stmt := range retort.CreateSQL(db.Dialect(), Workers) {
		fmt.Fprintln(out, stmt)
	}

	err = retort.Insert(Workers,
		&Worker{Name: form.Get("name"), Type: t},
		&Worker{Name: "bob", Type: PartTime},
		&Worker{Name: "cy", Type: Contractor},
		&Worker{Name: "di", Type: PartTime},
	).Exec(ctx, db)
	if err != nil {
		return err
	}
	partTime, err := retort.Select(Workers).Where(WorkerType.Eq(PartTime)).OrderBy(WorkerID.Asc()).All(ctx, db)
	if err != nil {
		return err
	}
	for _, w := range partTime {
		fmt.Fprintf(out, "part time: %s (%v, stored as %q)\n", w.Name, w.Type, string(w.Type))
	}
	err = retort.Insert(Workers, &Worker{Name: "eve", Type: "X"}).Exec(ctx, db)
	var ce *retort.ColumnError
	if !errors.As(err, &ce) {
		return fmt.Errorf("inserting type X: got %v, want a ColumnError", err)
	}
	fmt.Fprintf(out, "inserting type X fails before any SQL: %v\n", err)

	// The discriminator.
	s := session.New(db)
	if err := session.Add(s, &Salaried{Person: Person{Name: "ann"}, Salary: retort.MustDecimal("52000")}); err != nil {
		return err
	}
	if err := session.Add(s, &Person{Name: "bob"}); err != nil {
		return err
	}
	if err := session.Add(s, &Contracted{Person: Person{Name: "cy"}, Agency: "Acme Temps"}); err != nil {
		return err
	}
	if err := s.Commit(ctx); err != nil {
		return err
	}
	everyone, err := inherit.Poly(ctx, session.New(db), inherit.Select(PersonClass).OrderBy(PersonID.Asc()))
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "the enumeration as a discriminator; each row comes back as its class:")
	for _, p := range everyone {
		switch p := p.(type) {
		case *Salaried:
			fmt.Fprintf(out, "  *Salaried   %s, %v, salary %s\n", p.Name, p.Kind, p.Salary)
		case *Contracted:
			fmt.Fprintf(out, "  *Contracted %s, %v, through %s\n", p.Name, p.Kind, p.Agency)
		case *Person:
			fmt.Fprintf(out, "  *Person     %s, %v\n", p.Name, p.Kind)
		}
	}
	if len(everyone) != 3 {
		return fmt.Errorf("people: %d, want 3", len(everyone))
	}
	return nil
}
