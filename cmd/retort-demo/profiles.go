package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// The seed "A Tale of Three Profiles" (2010): Employee, Boss and Grunt in
// three tables with joined-table inheritance, Grunt → Boss many-to-one, the
// workload (1,000 bosses; 10,000 grunts assigned to a boss found by name
// before each batch of 100) and the report. SQLAlchemy 0.7 needed 11,302
// statement executions for it.

// Employee is the base class; Type is the discriminator.
type Employee struct {
	ID   int64
	Name string
	Type string
}

// Boss has a golf average and employees.
type Boss struct {
	Employee
	GolfAverage retort.Decimal
	Employees   rel.Many[Grunt]
}

// Grunt has savings and an employer.
type Grunt struct {
	Employee
	Savings    retort.Decimal
	EmployerID *int64
	Employer   rel.One[Boss]
}

var (
	Employees    = retort.NewTable[Employee]("employee")
	EmployeeID   = retort.Col(Employees, "id", func(e *Employee) *int64 { return &e.ID }, retort.PrimaryKey())
	EmployeeName = retort.Col(Employees, "name", func(e *Employee) *string { return &e.Name }, retort.Size(100), retort.Indexed())
	EmployeeKind = retort.Col(Employees, "type", func(e *Employee) *string { return &e.Type }, retort.Size(50))

	Bosses   = retort.NewTable[Boss]("boss")
	BossID   = retort.Col(Bosses, "id", func(b *Boss) *int64 { return &b.ID }, retort.PrimaryKey()).References(EmployeeID)
	BossGolf = retort.ColType(Bosses, "golf_average", func(b *Boss) *retort.Decimal { return &b.GolfAverage }, retort.Numeric(10, 2))

	Grunts        = retort.NewTable[Grunt]("grunt")
	GruntID       = retort.Col(Grunts, "id", func(g *Grunt) *int64 { return &g.ID }, retort.PrimaryKey()).References(EmployeeID)
	GruntSavings  = retort.ColType(Grunts, "savings", func(g *Grunt) *retort.Decimal { return &g.Savings }, retort.Numeric(12, 2))
	GruntEmployer = retort.NullCol(Grunts, "employer_id", func(g *Grunt) **int64 { return &g.EmployerID }).References(BossID)

	EmployeeClass = inherit.New(Employees, EmployeeKind, "employee")
	BossClass     = inherit.Sub(EmployeeClass, Bosses, func(b *Boss) *Employee { return &b.Employee }, "boss")
	GruntClass    = inherit.Sub(EmployeeClass, Grunts, func(g *Grunt) *Employee { return &g.Employee }, "grunt")

	GruntBoss     = rel.ManyToOne(GruntEmployer, BossID, func(g *Grunt) *rel.One[Boss] { return &g.Employer })
	BossEmployees = GruntBoss.Backref(func(b *Boss) *rel.Many[Grunt] { return &b.Employees })
)

// The workload's size: the seed's. (The demo's test makes it smaller.)
var (
	profileBosses = 1000
	profileGrunts = 10000
	profileBatch  = 100
)

func profiles(ctx context.Context, db retort.DB, out io.Writer) error {
	if err := recreate(ctx, db, EmployeeClass.Tables()...); err != nil {
		return err
	}
	roundTrips.Reset()
	start := time.Now()
	s := session.New(db)
	for i := range profileBosses {
		b := &Boss{Employee: Employee{Name: fmt.Sprintf("Boss %d", i)}, GolfAverage: retort.NewDecimal(int64(40+(i*37)%111), 0)}
		if err := session.Add(s, b); err != nil {
			return err
		}
	}
	grunts := make([]*Grunt, profileGrunts)
	for i := range grunts {
		grunts[i] = &Grunt{Employee: Employee{Name: fmt.Sprintf("Grunt %d", i)}, Savings: retort.NewDecimal(int64(5000000+(i*7919)%10000000), 2)}
	}
	for k := 0; len(grunts) > 0; k++ {
		// The query autoflushes the previous batch.
		boss, err := inherit.One(ctx, s, inherit.Select(BossClass).Where(EmployeeName.Eq(fmt.Sprintf("Boss %d", k))))
		if err != nil {
			return err
		}
		for _, g := range grunts[:profileBatch] {
			GruntBoss.Set(g, boss) // boss.Employees follows; the grunt is saved with its boss
		}
		grunts = grunts[profileBatch:]
	}
	if err := s.Commit(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "workload: %d bosses and %d grunts in %d statements, %d round trips, %v\n",
		profileBosses, profileGrunts, roundTrips.Statements(), roundTrips.RoundTrips(), time.Since(start).Round(time.Millisecond))

	roundTrips.Reset()
	start = time.Now()
	all, err := inherit.All(ctx, s, inherit.Select(GruntClass).OrderBy(EmployeeID.Asc()))
	if err != nil {
		return err
	}
	var report []string
	total := retort.NewDecimal(0, 2)
	for _, g := range all {
		boss, err := g.Employer.Load(ctx) // in the identity map: no SQL
		if err != nil {
			return err
		}
		report = append(report, fmt.Sprintf("%s, savings %s, works for %s (golf average %s)", g.Name, g.Savings, boss.Name, boss.GolfAverage))
		if total, err = total.Add(g.Savings); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "report: %d lines in %d statements, %d round trips, %v\n", len(report), roundTrips.Statements(), roundTrips.RoundTrips(), time.Since(start).Round(time.Millisecond))
	if len(report) != profileGrunts {
		return fmt.Errorf("report: %d lines, want %d", len(report), profileGrunts)
	}
	fmt.Fprintf(out, "  %s\n  ...\n  %s\n  total savings %s\n", report[0], report[len(report)-1], total)
	return nil
}
