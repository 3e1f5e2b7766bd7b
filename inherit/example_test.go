package inherit_test

import (
	"context"
	"fmt"
	"log"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
)

// The model of "A Tale of Three Profiles": Employee rows in table employee,
// with a discriminator column type; Boss and Grunt embed Employee and add
// the columns of tables boss and grunt, whose key is also a foreign key to
// employee.id.

type Employee struct {
	ID   int64
	Name string
	Type string // the discriminator: set by the mapper
}

type Boss struct {
	Employee
	GolfAverage retort.Decimal
}

type Grunt struct {
	Employee
	Savings    retort.Decimal
	EmployerID *int64
	Employer   *Boss // not a column: followed by a relationship (see model_test.go)
}

var (
	Employees    = retort.NewTable[Employee]("employee")
	EmployeeID   = retort.Col(Employees, "id", func(e *Employee) *int64 { return &e.ID }, retort.PrimaryKey())
	EmployeeName = retort.Col(Employees, "name", func(e *Employee) *string { return &e.Name }, retort.Size(100))
	EmployeeType = retort.Col(Employees, "type", func(e *Employee) *string { return &e.Type }, retort.Size(50))

	Bosses          = retort.NewTable[Boss]("boss")
	BossID          = retort.Col(Bosses, "id", func(b *Boss) *int64 { return &b.ID }, retort.PrimaryKey()).References(EmployeeID)
	BossGolfAverage = retort.ColType(Bosses, "golf_average", func(b *Boss) *retort.Decimal { return &b.GolfAverage }, retort.Numeric(10, 2))

	Grunts        = retort.NewTable[Grunt]("grunt")
	GruntID       = retort.Col(Grunts, "id", func(g *Grunt) *int64 { return &g.ID }, retort.PrimaryKey()).References(EmployeeID)
	GruntSavings  = retort.ColType(Grunts, "savings", func(g *Grunt) *retort.Decimal { return &g.Savings }, retort.Numeric(12, 2))
	GruntEmployer = retort.NullCol(Grunts, "employer_id", func(g *Grunt) **int64 { return &g.EmployerID }).References(BossID)

	// The hierarchy: Employee rows carry "employee", Boss rows "boss",
	// Grunt rows "grunt" in employee.type.
	EmployeeClass = inherit.New(Employees, EmployeeType, "employee")
	BossClass     = inherit.Sub(EmployeeClass, Bosses, func(b *Boss) *Employee { return &b.Employee }, "boss")
	GruntClass    = inherit.Sub(EmployeeClass, Grunts, func(g *Grunt) *Employee { return &g.Employee }, "grunt")
)

// The three-profiles workload, small: bosses, then grunts assigned to a boss
// found by name before each batch, then a report of every grunt with its
// employer's name, which costs one query: the employers are already in the
// session.
func Example_threeProfiles() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, EmployeeClass.Tables()...); err != nil {
		log.Fatal(err)
	}

	s := session.New(db)
	for i := range 3 {
		boss := &Boss{Employee: Employee{Name: fmt.Sprintf("Boss %d", i)}, GolfAverage: retort.NewDecimal(int64(7000+i*150), 2)}
		if err := session.Add(s, boss); err != nil {
			log.Fatal(err)
		}
	}
	for batch := range 2 {
		// The query flushes the pending objects first (autoflush).
		boss, err := inherit.First(ctx, s, inherit.Select(BossClass).Where(EmployeeName.Eq(fmt.Sprintf("Boss %d", batch))))
		if err != nil {
			log.Fatal(err)
		}
		for i := range 2 {
			g := &Grunt{Employee: Employee{Name: fmt.Sprintf("Grunt %d-%d", batch, i)},
				Savings: retort.NewDecimal(int64(100000+batch*1000+i), 2), EmployerID: &boss.ID}
			if err := session.Add(s, g); err != nil {
				log.Fatal(err)
			}
		}
	}
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}

	grunts, err := inherit.All(ctx, s, inherit.Select(GruntClass).OrderBy(EmployeeName.Asc()))
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range grunts {
		boss, err := session.Get(ctx, s, Bosses, *g.EmployerID) // identity map: no SQL
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s (%s, savings %s) works for %s (golf %s)\n", g.Name, g.Type, g.Savings, boss.Name, boss.GolfAverage)
	}

	// Querying the base class returns each row as its most specific type.
	staff, err := inherit.Poly(ctx, s, inherit.Select(EmployeeClass).Where(EmployeeName.In("Boss 2", "Grunt 1-1")).OrderBy(EmployeeID.Asc()))
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range staff {
		switch e := e.(type) {
		case *Boss:
			fmt.Println("boss", e.Name)
		case *Grunt:
			fmt.Println("grunt", e.Name)
		}
	}
	// Output:
	// Grunt 0-0 (grunt, savings 1000.00) works for Boss 0 (golf 70.00)
	// Grunt 0-1 (grunt, savings 1000.01) works for Boss 0 (golf 70.00)
	// Grunt 1-0 (grunt, savings 1010.00) works for Boss 1 (golf 71.50)
	// Grunt 1-1 (grunt, savings 1010.01) works for Boss 1 (golf 71.50)
	// boss Boss 2
	// grunt Grunt 1-1
}
