package bench

import (
	"context"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/session"
)

// three-profiles with the seed's own model: joined-table inheritance, an
// employee base table with a discriminator, and boss and grunt tables
// whose keys reference it (package inherit).

type iEmployee struct {
	ID   int64
	Name string
	Type string // the discriminator
}

type iBoss struct {
	iEmployee
	GolfAverage retort.Decimal
}

type iGrunt struct {
	iEmployee
	Savings    retort.Decimal
	EmployerID int64
}

var (
	iEmployees    = retort.NewTable[iEmployee]("employee")
	iEmployeeID   = retort.Col(iEmployees, "id", func(e *iEmployee) *int64 { return &e.ID }, retort.PrimaryKey())
	iEmployeeName = retort.Col(iEmployees, "name", func(e *iEmployee) *string { return &e.Name }, retort.Size(100), retort.Indexed())
	iEmployeeType = retort.Col(iEmployees, "type", func(e *iEmployee) *string { return &e.Type }, retort.Size(50))

	iBosses = retort.NewTable[iBoss]("boss_ih")
	iBossID = retort.Col(iBosses, "id", func(b *iBoss) *int64 { return &b.ID }, retort.PrimaryKey()).References(iEmployeeID)
	_       = retort.ColType(iBosses, "golf_average", func(b *iBoss) *retort.Decimal { return &b.GolfAverage }, retort.Numeric(10, 2))

	iGrunts = retort.NewTable[iGrunt]("grunt_ih")
	_       = retort.Col(iGrunts, "id", func(g *iGrunt) *int64 { return &g.ID }, retort.PrimaryKey()).References(iEmployeeID)
	_       = retort.ColType(iGrunts, "savings", func(g *iGrunt) *retort.Decimal { return &g.Savings }, retort.Numeric(10, 2))
	_       = retort.Col(iGrunts, "employer_id", func(g *iGrunt) *int64 { return &g.EmployerID }).References(iBossID)

	iEmployeeClass = inherit.New(iEmployees, iEmployeeType, "employee")
	iBossClass     = inherit.Sub(iEmployeeClass, iBosses, func(b *iBoss) *iEmployee { return &b.iEmployee }, "boss")
	iGruntClass    = inherit.Sub(iEmployeeClass, iGrunts, func(g *iGrunt) *iEmployee { return &g.iEmployee }, "grunt")
)

func retortInheritProfiles(ctx context.Context, db retort.DB, size Size) (Check, error) {
	s := session.New(db)
	for i := range size.Bosses {
		b := &iBoss{iEmployee: iEmployee{Name: bossName(i)}, GolfAverage: retort.NewDecimal(golfCents(i), 2)}
		if err := session.Add(s, b); err != nil {
			return Check{}, err
		}
	}
	for start := 0; start < size.Grunts; start += size.Batch {
		boss, err := inherit.First(ctx, s, inherit.Select(iBossClass).Where(iEmployeeName.Eq(bossName(employerOf(start/size.Batch)))))
		if err != nil {
			return Check{}, err
		}
		for i := start; i < min(size.Grunts, start+size.Batch); i++ {
			g := &iGrunt{iEmployee: iEmployee{Name: gruntName(i)}, Savings: retort.NewDecimal(savingsCents(i), 2), EmployerID: boss.ID}
			if err := session.Add(s, g); err != nil {
				return Check{}, err
			}
		}
	}
	if err := s.Commit(ctx); err != nil {
		return Check{}, err
	}
	grunts, err := inherit.All(ctx, s, inherit.Select(iGruntClass).OrderBy(iEmployeeID.Asc()))
	if err != nil {
		return Check{}, err
	}
	report := make([]reportLine, 0, len(grunts))
	for _, g := range grunts {
		boss, err := inherit.Get(ctx, s, iBossClass, g.EmployerID) // from the identity map
		if err != nil {
			return Check{}, err
		}
		report = append(report, reportLine{g.Name, cents(g.Savings), boss.Name, cents(boss.GolfAverage)})
	}
	return sumReport(report), nil
}

func openProfilesInherit(ctx context.Context, target Target, size Size) (*Case, error) {
	e, err := openRetort(ctx, target, RetortInherit, "three-profiles", iEmployeeClass.Tables())
	if err != nil {
		return nil, err
	}
	return e.newCase("joined-table inheritance as in the seed: employee, boss_ih, grunt_ih (package inherit)", nil,
		func(ctx context.Context) (Check, error) { return retortInheritProfiles(ctx, e.db, size) }), nil
}
