package retort_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
)

// "A Tale of Three Profiles" (seed, December 2010): employees in three
// tables with joined-table inheritance, a Grunt referring to its Boss by a
// many-to-one relationship, a workload that finds a boss by name before
// each batch of grunts, and a report of every grunt with its employer.
// (The full workload, 1,000 bosses and 10,000 grunts with its round trips
// counted on both databases, is package inherit's TestThreeProfiles.)

// Staff is the seed's Employee: the base class, table employee, whose type
// column names each row's class. (The root tests already use the name
// Employee.)
type Staff struct {
	ID   int64
	Name string
	Type string
}

// Boss is an employee with a golf average and grunts.
type Boss struct {
	Staff
	GolfAverage retort.Decimal
	Employees   rel.Many[Grunt]
}

// Grunt is an employee with savings and an employer.
type Grunt struct {
	Staff
	Savings    retort.Decimal
	EmployerID *int64
	Employer   rel.One[Boss]
}

var (
	Payroll   = retort.NewTable[Staff]("employee")
	StaffID   = retort.Col(Payroll, "id", func(e *Staff) *int64 { return &e.ID }, retort.PrimaryKey())
	StaffName = retort.Col(Payroll, "name", func(e *Staff) *string { return &e.Name }, retort.Size(100))
	StaffType = retort.Col(Payroll, "type", func(e *Staff) *string { return &e.Type }, retort.Size(50))

	Bosses          = retort.NewTable[Boss]("boss")
	BossID          = retort.Col(Bosses, "id", func(b *Boss) *int64 { return &b.ID }, retort.PrimaryKey()).References(StaffID)
	BossGolfAverage = retort.ColType(Bosses, "golf_average", func(b *Boss) *retort.Decimal { return &b.GolfAverage }, retort.Numeric(10, 2))

	Grunts          = retort.NewTable[Grunt]("grunt")
	GruntID         = retort.Col(Grunts, "id", func(g *Grunt) *int64 { return &g.ID }, retort.PrimaryKey()).References(StaffID)
	GruntSavings    = retort.ColType(Grunts, "savings", func(g *Grunt) *retort.Decimal { return &g.Savings }, retort.Numeric(12, 2))
	GruntEmployerID = retort.NullCol(Grunts, "employer_id", func(g *Grunt) **int64 { return &g.EmployerID }).References(BossID)

	// The hierarchy: __mapper_args__ = {'polymorphic_on': type}.
	StaffClass = inherit.New(Payroll, StaffType, "employee")
	BossClass  = inherit.Sub(StaffClass, Bosses, func(b *Boss) *Staff { return &b.Staff }, "boss")
	GruntClass = inherit.Sub(StaffClass, Grunts, func(g *Grunt) *Staff { return &g.Staff }, "grunt")

	// employer = relationship("Boss", backref="employees").
	GruntEmployer = rel.ManyToOne(GruntEmployerID, BossID, func(g *Grunt) *rel.One[Boss] { return &g.Employer })
	BossEmployees = GruntEmployer.Backref(func(b *Boss) *rel.Many[Grunt] { return &b.Employees })
)

// The workload's size: the seed's 1,000 bosses and 10,000 grunts in
// batches of 100, scaled down.
const (
	profileBosses = 5
	profileGrunts = 50
	profileBatch  = 10
)

// threeProfiles runs the workload and the report on db, which must hold
// none of the tables; count counts db's round trips.
func threeProfiles(ctx context.Context, db retort.DB, count *retort.Counter, out io.Writer) error {
	if err := retort.CreateAll(ctx, db, StaffClass.Tables()...); err != nil {
		return err
	}
	s := session.New(db)
	for i := range profileBosses {
		b := &Boss{Staff: Staff{Name: fmt.Sprintf("Boss %d", i)}, GolfAverage: retort.NewDecimal(int64(40+(i*37)%111)*100, 2)}
		if err := session.Add(s, b); err != nil {
			return err
		}
	}
	grunts := make([]*Grunt, profileGrunts)
	for i := range grunts {
		grunts[i] = &Grunt{Staff: Staff{Name: fmt.Sprintf("Grunt %d", i)}, Savings: retort.NewDecimal(int64(5000000+(i*7919)%10000000), 2)}
	}
	// Each batch's query flushes the previous batch first (autoflush).
	// Setting the employer through the relationship adds the grunt to the
	// boss's employees at once, so it is saved with the boss.
	for k := 0; len(grunts) > 0; k++ {
		boss, err := inherit.One(ctx, s, inherit.Select(BossClass).Where(StaffName.Eq(fmt.Sprintf("Boss %d", k))))
		if err != nil {
			return err
		}
		for _, g := range grunts[:profileBatch] {
			GruntEmployer.Set(g, boss)
		}
		grunts = grunts[profileBatch:]
	}
	if err := s.Commit(ctx); err != nil {
		return err
	}

	// The report: one query for the grunts; their employers are in the
	// session already, so following the relationship costs no SQL.
	count.Reset()
	all, err := inherit.All(ctx, s, inherit.Select(GruntClass).OrderBy(StaffID.Asc()))
	if err != nil {
		return err
	}
	type line struct {
		grunt, employer string
		savings, golf   retort.Decimal
	}
	var report []line
	for _, g := range all {
		boss, err := g.Employer.Load(ctx)
		if err != nil {
			return err
		}
		report = append(report, line{g.Name, boss.Name, g.Savings, boss.GolfAverage})
	}
	fmt.Fprintf(out, "report: %d grunts, %d round trip(s)\n", len(report), count.RoundTrips())
	for i, l := range report {
		if i < 3 || i == len(report)-1 {
			fmt.Fprintf(out, "  %-9s savings %8s  employer %s (golf average %s)\n", l.grunt, l.savings, l.employer, l.golf)
		} else if i == 3 {
			fmt.Fprintln(out, "  ...")
		}
	}
	if len(report) != profileGrunts || report[profileGrunts-1].employer != fmt.Sprintf("Boss %d", profileGrunts/profileBatch-1) {
		return fmt.Errorf("report: %d lines, last %+v", len(report), report[len(report)-1])
	}

	// The backref: each boss's employees, loaded with one query.
	bosses, err := inherit.All(ctx, session.New(db), inherit.Select(BossClass).OrderBy(StaffID.Asc()), rel.SelectIn(BossEmployees))
	if err != nil {
		return err
	}
	for _, b := range bosses {
		fmt.Fprintf(out, "%s employs %d grunts\n", b.Name, b.Employees.Len())
	}

	// A query of the base class returns each row as its class.
	staff, err := inherit.Poly(ctx, s, inherit.Select(StaffClass).Where(StaffName.In("Boss 1", "Grunt 1")).OrderBy(StaffID.Asc()))
	if err != nil {
		return err
	}
	for _, e := range staff {
		switch e := e.(type) {
		case *Boss:
			fmt.Fprintf(out, "%s is a %s\n", e.Name, e.Type)
		case *Grunt:
			fmt.Fprintf(out, "%s is a %s\n", e.Name, e.Type)
		}
	}
	return nil
}

// Three profiles, small: joined-table inheritance (package inherit) with a
// many-to-one relationship between subclasses (package rel).
func Example_threeProfiles() {
	ctx := context.Background()
	var count retort.Counter
	db, err := sqlite.Open(ctx, ":memory:", sqlite.WithTracer(&count))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := threeProfiles(ctx, db, &count, os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// report: 50 grunts, 1 round trip(s)
	//   Grunt 0   savings 50000.00  employer Boss 0 (golf average 40.00)
	//   Grunt 1   savings 50079.19  employer Boss 0 (golf average 40.00)
	//   Grunt 2   savings 50158.38  employer Boss 0 (golf average 40.00)
	//   ...
	//   Grunt 49  savings 53880.31  employer Boss 4 (golf average 77.00)
	// Boss 0 employs 10 grunts
	// Boss 1 employs 10 grunts
	// Boss 2 employs 10 grunts
	// Boss 3 employs 10 grunts
	// Boss 4 employs 10 grunts
	// Boss 1 is a boss
	// Grunt 1 is a grunt
}
