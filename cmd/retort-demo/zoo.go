package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

// The zoo benchmark of the seed "Revisiting Storm, SQLAlchemy, and
// Geniusql" (2007): seven steps, each checking what it got, with the round
// trips each one cost.

// Zoo is a zoo; Founded is NULL when unknown.
type Zoo struct {
	ID        int64
	Name      string
	Founded   *time.Time
	Admission retort.Decimal
}

// Animal lives in a zoo or in none; MotherID refers to another animal.
type Animal struct {
	ID         int64
	ZooID      *int64
	Name       *string
	Species    string
	Legs       int32
	LastEscape *time.Time
	Lifespan   *float64
	MotherID   *int64
}

var (
	Zoos         = retort.NewTable[Zoo]("zoo")
	ZooID        = retort.Col(Zoos, "id", func(z *Zoo) *int64 { return &z.ID }, retort.PrimaryKey())
	ZooName      = retort.Col(Zoos, "name", func(z *Zoo) *string { return &z.Name }, retort.Size(255))
	ZooFounded   = retort.NullCol(Zoos, "founded", func(z *Zoo) **time.Time { return &z.Founded })
	ZooAdmission = retort.ColType(Zoos, "admission", func(z *Zoo) *retort.Decimal { return &z.Admission }, retort.Numeric(10, 2))

	Animals          = retort.NewTable[Animal]("animal")
	AnimalID         = retort.Col(Animals, "id", func(a *Animal) *int64 { return &a.ID }, retort.PrimaryKey())
	AnimalZoo        = retort.NullCol(Animals, "zoo_id", func(a *Animal) **int64 { return &a.ZooID }, retort.Indexed()).References(ZooID)
	AnimalName       = retort.NullCol(Animals, "name", func(a *Animal) **string { return &a.Name }, retort.Size(100))
	AnimalSpecies    = retort.Col(Animals, "species", func(a *Animal) *string { return &a.Species }, retort.Size(100))
	AnimalLegs       = retort.Col(Animals, "legs", func(a *Animal) *int32 { return &a.Legs }, retort.Default(int32(4)))
	AnimalLastEscape = retort.NullCol(Animals, "last_escape", func(a *Animal) **time.Time { return &a.LastEscape })
	AnimalLifespan   = retort.NullCol(Animals, "lifespan", func(a *Animal) **float64 { return &a.Lifespan })
	AnimalMother     = retort.NullCol(Animals, "mother_id", func(a *Animal) **int64 { return &a.MotherID }).References(AnimalID)
)

// zooTicks is the benchmark's ITERATIONS: the ticks step 2 inserts.
const zooTicks = 100

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func ymd(t *time.Time) string {
	if t == nil {
		return "NULL"
	}
	return t.UTC().Format("2006-01-02")
}

// expect returns an error when got and want differ.
func expect(what string, got, want any) error {
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Errorf("%s: got %v, want %v", what, got, want)
	}
	return nil
}

func zoo(ctx context.Context, db retort.DB, out io.Writer) error {
	step := func(n int, title string) func() {
		roundTrips.Reset()
		start := time.Now()
		return func() {
			fmt.Fprintf(out, "  step %d, %s: %d statements in %d round trips, %v\n", n, title, roundTrips.Statements(), roundTrips.RoundTrips(), time.Since(start).Round(time.Microsecond))
		}
	}
	done := step(1, "create tables")
	if err := recreate(ctx, db, Zoos, Animals); err != nil {
		return err
	}
	done()

	// Step 2: insert through a session; nothing is sent before the flush.
	done = step(2, "insert")
	s := session.New(db)
	wap := &Zoo{Name: "Wild Animal Park", Founded: date(2000, 1, 1), Admission: retort.MustDecimal("4.95")}
	sdz := &Zoo{Name: "San Diego Zoo", Founded: date(1935, 9, 13), Admission: retort.MustDecimal("0")}
	bio := &Zoo{Name: "Montréal Biodôme", Founded: date(1992, 6, 19), Admission: retort.MustDecimal("11.75")}
	sea := &Zoo{Name: "Sea_World", Admission: retort.MustDecimal("60")}
	luna := &Zoo{Name: "Luna Park", Founded: date(2072, 7, 17), Admission: retort.MustDecimal("134.95")}
	if err := session.AddAll(s, wap, sdz, bio, sea, luna); err != nil {
		return err
	}
	if err := s.Flush(ctx); err != nil {
		return err
	}
	escape := time.Date(2004, 12, 21, 8, 15, 0, 0, time.UTC)
	baiYun := &Animal{Species: "Ape", Name: ptr("Bai Yun"), Legs: 2}
	animals := []*Animal{
		{Species: "Leopard", Lifespan: ptr(73.5), ZooID: &wap.ID, LastEscape: &escape},
		{Species: "Lion", ZooID: &wap.ID},
		{Species: "Slug", Legs: 1, Lifespan: ptr(0.75)},
		{Species: "Tiger", ZooID: &sdz.ID},
		{Species: "Bear", Legs: 4},
		{Species: "Ostrich", Legs: 2, Lifespan: ptr(103.2)},
		{Species: "Centipede", Legs: 100},
		{Species: "Emperor Penguin", Legs: 2, ZooID: &sea.ID},
		{Species: "Adelie Penguin", Legs: 2, ZooID: &sea.ID},
		{Species: "Millipede", Legs: 1000000, ZooID: &sdz.ID},
		baiYun,
	}
	for i := range zooTicks {
		animals = append(animals, &Animal{Species: "Tick", Name: ptr(fmt.Sprintf("Tick %d", i)), Legs: 8})
	}
	if err := session.AddAll(s, animals...); err != nil {
		return err
	}
	if err := s.Flush(ctx); err != nil { // the flush the seed found missing
		return err
	}
	if err := session.Add(s, &Animal{Species: "Ape", Name: ptr("Hua Mei"), Legs: 2, MotherID: &baiYun.ID}); err != nil {
		return err
	}
	if err := s.Commit(ctx); err != nil {
		return err
	}
	total := len(animals) + 1
	done()
	fmt.Fprintf(out, "    5 zoos and %d animals (%d ticks)\n", total, zooTicks)

	// Step 3: properties.
	done = step(3, "find by property")
	for _, q := range []struct {
		cond retort.Expr[bool]
		want string
	}{
		{ZooName.Eq("Wild Animal Park"), "Wild Animal Park"},
		{ZooFounded.Eq(*date(1935, 9, 13)), "San Diego Zoo"},
		{ZooName.Eq("Montréal Biodôme"), "Montréal Biodôme"},
		{ZooAdmission.Eq(retort.MustDecimal("60")), "Sea_World"},
	} {
		z, err := retort.Select(Zoos).Where(q.cond).One(ctx, db)
		if err != nil {
			return err
		}
		if err := expect("zoo", z.Name, q.want); err != nil {
			return err
		}
	}
	leopard, err := retort.Select(Animals).Where(AnimalSpecies.Eq("Leopard")).One(ctx, db)
	if err != nil {
		return err
	}
	millipede, err := retort.Select(Animals).Where(AnimalLegs.Eq(1000000)).One(ctx, db)
	if err != nil {
		return err
	}
	ticks, err := retort.Select(Animals).Where(AnimalSpecies.Eq("Tick")).All(ctx, db)
	if err != nil {
		return err
	}
	if err := expect("ticks", len(ticks), zooTicks); err != nil {
		return err
	}
	done()
	fmt.Fprintf(out, "    the leopard lives %.1f years and escaped on %s; the %s has %d legs\n", *leopard.Lifespan, ymd(leopard.LastEscape), millipede.Species, millipede.Legs)

	// Step 4: the battery of expressions.
	done = step(4, "expressions")
	all := retort.Select(Animals)
	now := time.Now()
	pet, pet2 := "Slug", "Ostrich"
	battery := []struct {
		what string
		q    *retort.SelectQuery[Animal]
		want int
	}{
		{"all", all, total},
		{"legs = 4", all.Where(AnimalLegs.Eq(4)), 4},
		{"legs = 2", all.Where(AnimalLegs.Eq(2)), 5},
		{"2 <= legs < 20", all.Where(AnimalLegs.Ge(2), AnimalLegs.Lt(20)), zooTicks + 9},
		{"legs > 10", all.Where(AnimalLegs.Gt(10)), 2},
		{"lifespan > 70", all.Where(AnimalLifespan.Gt(70)), 2},
		{"species LIKE 'L%'", all.Where(retort.Like(AnimalSpecies, "L%")), 2},
		{"species LIKE '%pede'", all.Where(retort.Like(AnimalSpecies, "%pede")), 2},
		{"escaped", all.Where(AnimalLastEscape.IsNotNull()), 1},
		{"never escaped", all.Where(AnimalLastEscape.IsNull()), total - 1},
		{"species LIKE '%pede%'", all.Where(retort.Like(AnimalSpecies, "%pede%")), 2},
		{"species IN (Lion, Tiger, Bear)", all.Where(AnimalSpecies.In("Lion", "Tiger", "Bear")), 3},
		{"species IN (variables)", all.Where(AnimalSpecies.In(pet, pet2)), 2},
		{"species LIKE 'Slug'", all.Where(retort.Like(AnimalSpecies, "Slug")), 1},
		{"length(species) = 4", all.Where(retort.Eq(retort.Length(AnimalSpecies), retort.Val[int64](4))), zooTicks + 3},
		{"species LIKE '%i%'", all.Where(retort.Like(AnimalSpecies, "%i%")), zooTicks + 7},
		{"escaped on 2004-12-21", all.Where(AnimalLastEscape.Ge(*date(2004, 12, 21)), AnimalLastEscape.Lt(*date(2004, 12, 22))), 1},
		{"escaped in 2004", all.Where(AnimalLastEscape.Between(*date(2004, 1, 1), *date(2004, 12, 31))), 1},
		{"escaped after now", all.Where(AnimalLastEscape.Gt(now)), 0},
		{"mother is Bai Yun", all.Where(AnimalMother.Eq(baiYun.ID)), 1},
	}
	for _, b := range battery {
		got, err := b.q.All(ctx, db)
		if err != nil {
			return err
		}
		if err := expect(b.what, len(got), b.want); err != nil {
			return err
		}
	}
	founded, err := retort.Select(Zoos).Where(ZooFounded.IsNotNull(), ZooFounded.Lt(now)).Count(ctx, db)
	if err != nil {
		return err
	}
	if err := expect("zoos founded before now", founded, 3); err != nil {
		return err
	}
	done()
	fmt.Fprintf(out, "    %d SELECTs of animals and one count of zoos, every result as expected\n", len(battery))

	// Step 5: aggregates.
	done = step(5, "aggregates")
	legs, err := retort.Select1(AnimalLegs).Distinct().OrderBy(AnimalLegs.Asc()).All(ctx, db)
	if err != nil {
		return err
	}
	if err := expect("distinct legs", legs, []int32{1, 2, 4, 8, 100, 1000000}); err != nil {
		return err
	}
	recent, err := retort.Select1(ZooName).Where(ZooFounded.IsNotNull(), ZooFounded.Le(now), ZooFounded.Ge(*date(1990, 1, 1))).OrderBy(ZooID.Asc()).All(ctx, db)
	if err != nil {
		return err
	}
	if err := expect("founded since 1990", recent, []string{"Wild Animal Park", "Montréal Biodôme"}); err != nil {
		return err
	}
	agg, err := retort.Select5(retort.Count(), retort.Min(AnimalLegs), retort.Max(AnimalLegs), retort.Sum(AnimalLegs), retort.Avg(AnimalLifespan)).From(Animals).One(ctx, db)
	if err != nil {
		return err
	}
	if err := expect("sum of legs", agg.D, 4*4+5*2+1+100+1000000+8*zooTicks); err != nil {
		return err
	}
	done()
	fmt.Fprintf(out, "    distinct legs %v; %d animals, legs %d..%d, sum %d, average lifespan %.2f\n", legs, agg.A, agg.B, agg.C, agg.D, agg.E)

	// Step 6: editing through a session: load, change, flush, reselect.
	done = step(6, "edit and reselect")
	for _, e := range []struct {
		from, to  string
		founded   *time.Time
		admission string
	}{
		{"San Diego Zoo", "The San Diego Zoo", date(1900, 1, 1), "35.00"},
		{"The San Diego Zoo", "San Diego Zoo", date(1935, 9, 13), "0"},
	} {
		s := session.New(db)
		z, err := session.One(ctx, s, retort.Select(Zoos).Where(ZooName.Eq(e.from)))
		if err != nil {
			return err
		}
		z.Name, z.Founded, z.Admission = e.to, e.founded, retort.MustDecimal(e.admission)
		if err := s.Commit(ctx); err != nil {
			return err
		}
		again, err := retort.Select(Zoos).Where(ZooName.Eq(e.to)).One(ctx, db)
		if err != nil {
			return err
		}
		if err := expect("founded after the edit", ymd(again.Founded), ymd(e.founded)); err != nil {
			return err
		}
	}
	done()

	// Step 7: a view over both tables.
	done = step(7, "multiview")
	inner, err := retort.Select2(ZooName, AnimalSpecies).From(Zoos).JoinFK(Animals).Where(ZooName.Eq("San Diego Zoo")).OrderBy(AnimalID.Asc()).All(ctx, db)
	if err != nil {
		return err
	}
	left, err := retort.Select2(ZooName, retort.Nullable(AnimalSpecies)).From(Zoos).LeftJoinFK(Animals).All(ctx, db)
	if err != nil {
		return err
	}
	mother := retort.Alias(Animals, "mother")
	family, err := retort.Select2(AnimalName, retort.Aliased(mother, AnimalName)).From(Animals).
		Join(mother, AnimalMother.EqCol(retort.Aliased(mother, AnimalID))).One(ctx, db)
	if err != nil {
		return err
	}
	perZoo, err := retort.Select2(ZooName, retort.Count()).From(Zoos).JoinFK(Animals).GroupBy(ZooID, ZooName).OrderBy(ZooID.Asc()).All(ctx, db)
	if err != nil {
		return err
	}
	if err := expect("zoos left join animals", len(left), 8); err != nil {
		return err
	}
	done()
	var species, counts []string
	for _, r := range inner {
		species = append(species, r.B)
	}
	for _, r := range perZoo {
		counts = append(counts, fmt.Sprintf("%s %d", r.A, r.B))
	}
	fmt.Fprintf(out, "    San Diego Zoo: %s; %s's mother is %s\n", strings.Join(species, ", "), family.A, family.B)
	fmt.Fprintf(out, "    animals per zoo: %s\n", strings.Join(counts, ", "))
	return nil
}
