package retort_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
)

// The Enum Recipe's EmployeeType (example_enum_test.go) as the discriminator
// of joined-table inheritance: every person has a row in person, whose kind
// column says which class the row is; full-timers also have a row in
// salaried, contractors in contracted. Part-timers are plain Person rows.

// Person is anyone on the payroll. Kind is set by the mapper.
type Person struct {
	ID   int64
	Name string
	Kind EmployeeType
}

// Salaried is a full-time employee.
type Salaried struct {
	Person
	Salary retort.Decimal
}

// Contracted is a contractor, hired through an agency.
type Contracted struct {
	Person
	Agency string
	Rate   retort.Decimal
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
	ContractedRate   = retort.ColType(Contracts, "rate", func(c *Contracted) *retort.Decimal { return &c.Rate }, retort.Numeric(8, 2))

	// Each class names its EmployeeType; a value of another type does not
	// compile.
	PersonClass     = inherit.New(People, PersonKind, PartTime)
	SalariedClass   = inherit.Sub(PersonClass, Salaries, func(s *Salaried) *Person { return &s.Person }, FullTime)
	ContractedClass = inherit.Sub(PersonClass, Contracts, func(c *Contracted) *Person { return &c.Person }, Contractor)
)

// enumDiscriminator saves people of every kind and loads them back
// polymorphically, on db, which must hold none of the tables.
func enumDiscriminator(ctx context.Context, db retort.DB, out io.Writer) error {
	if err := retort.CreateAll(ctx, db, PersonClass.Tables()...); err != nil {
		return err
	}
	s := session.New(db)
	ann := &Salaried{Person: Person{Name: "ann"}, Salary: retort.MustDecimal("52000")}
	bob := &Person{Name: "bob"}
	cy := &Contracted{Person: Person{Name: "cy"}, Agency: "Acme Temps", Rate: retort.MustDecimal("85.50")}
	di := &Contracted{Person: Person{Name: "di"}, Agency: "Brainy Bunch", Rate: retort.MustDecimal("120")}
	if err := session.Add(s, ann); err != nil {
		return err
	}
	if err := session.Add(s, bob); err != nil {
		return err
	}
	if err := session.AddAll(s, cy, di); err != nil {
		return err
	}
	if err := s.Commit(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "saved: ann is %v, bob is %v, cy is %v\n", ann.Kind, bob.Kind, cy.Kind)

	// A query of the base class returns each row as its most specific class.
	s = session.New(db)
	everyone, err := inherit.Poly(ctx, s, inherit.Select(PersonClass).OrderBy(PersonID.Asc()))
	if err != nil {
		return err
	}
	for _, p := range everyone {
		switch p := p.(type) {
		case *Salaried:
			fmt.Fprintf(out, "%-3s %-10v salary %s\n", p.Name, p.Kind, p.Salary)
		case *Contracted:
			fmt.Fprintf(out, "%-3s %-10v %s at %s an hour\n", p.Name, p.Kind, p.Agency, p.Rate)
		case *Person:
			fmt.Fprintf(out, "%-3s %v\n", p.Name, p.Kind)
		}
	}

	// The discriminator is an ordinary typed column: filter by it.
	notPartTime, err := inherit.Poly(ctx, s, inherit.Select(PersonClass).Where(PersonKind.Ne(PartTime)))
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "not part time:", len(notPartTime))
	if len(notPartTime) != 3 {
		return fmt.Errorf("not part time: %d, want 3", len(notPartTime))
	}

	// A subclass query joins its tables and filters on both.
	pricey, err := inherit.All(ctx, s, inherit.Select(ContractedClass).Where(ContractedRate.Gt(retort.MustDecimal("100")), PersonKind.Eq(Contractor)))
	if err != nil {
		return err
	}
	for _, c := range pricey {
		fmt.Fprintf(out, "over 100 an hour: %s (%s)\n", c.Name, c.Agency)
	}
	if len(pricey) != 1 || pricey[0] != everyone[3] {
		return fmt.Errorf("over 100 an hour: got %d contractors, want di, the object already loaded", len(pricey))
	}
	return nil
}

// The Enum Recipe's EmployeeType as the discriminator of joined-table
// inheritance (package inherit).
func Example_enumDiscriminator() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := enumDiscriminator(ctx, db, os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// saved: ann is Full Time, bob is Part Time, cy is Contractor
	// ann Full Time  salary 52000.00
	// bob Part Time
	// cy  Contractor Acme Temps at 85.50 an hour
	// di  Contractor Brainy Bunch at 120.00 an hour
	// not part time: 3
	// over 100 an hour: di (Brainy Bunch)
}
