package retort_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

// The "zoo" benchmark of Robert Brewer's Storm/SQLAlchemy/Geniusql
// comparison (shared/seeds/blog-2007-benchmarks-polymorphic-associations.txt):
// zoos and their animals, queried by name, date range, number, LIKE, IN,
// aggregates and joins, with no raw SQL.

type ezZoo struct {
	ID        int64
	Name      string
	Founded   *time.Time
	Admission retort.Decimal
}

type ezAnimal struct {
	ID         int64
	ZooID      *int64
	Name       string
	Species    string
	Legs       int32
	LastEscape *time.Time
	Lifespan   *float64
}

var (
	ezZoos         = retort.NewTable[ezZoo]("zoo")
	ezZooID        = retort.Col(ezZoos, "id", func(z *ezZoo) *int64 { return &z.ID }, retort.PrimaryKey())
	ezZooName      = retort.Col(ezZoos, "name", func(z *ezZoo) *string { return &z.Name }, retort.Size(50), retort.Unique())
	ezZooFounded   = retort.NullCol(ezZoos, "founded", func(z *ezZoo) **time.Time { return &z.Founded })
	ezZooAdmission = retort.ColType(ezZoos, "admission", func(z *ezZoo) *retort.Decimal { return &z.Admission }, retort.Numeric(10, 2))

	ezAnimals          = retort.NewTable[ezAnimal]("animal")
	ezAnimalID         = retort.Col(ezAnimals, "id", func(a *ezAnimal) *int64 { return &a.ID }, retort.PrimaryKey())
	ezAnimalZoo        = retort.NullCol(ezAnimals, "zoo_id", func(a *ezAnimal) **int64 { return &a.ZooID }).References(ezZooID)
	ezAnimalName       = retort.Col(ezAnimals, "name", func(a *ezAnimal) *string { return &a.Name }, retort.Size(100))
	ezAnimalSpecies    = retort.Col(ezAnimals, "species", func(a *ezAnimal) *string { return &a.Species }, retort.Size(100))
	ezAnimalLegs       = retort.Col(ezAnimals, "legs", func(a *ezAnimal) *int32 { return &a.Legs })
	ezAnimalLastEscape = retort.NullCol(ezAnimals, "last_escape", func(a *ezAnimal) **time.Time { return &a.LastEscape })
	ezAnimalLifespan   = retort.NullCol(ezAnimals, "lifespan", func(a *ezAnimal) **float64 { return &a.Lifespan })
)

func ezDate(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

const ezTicks = 20 // the benchmark's ITERATIONS: ticks inserted in step 2

// ezPopulate is steps 1 and 2: the zoos, the animals, and ezTicks ticks.
func ezPopulate(t *testing.T, env *dbtest.Env) map[string]*ezZoo {
	t.Helper()
	ctx := context.Background()
	env.Create(t, ezZoos, ezAnimals)
	zoos := []*ezZoo{
		{Name: "Wild Animal Park", Founded: ezDate(2000, 1, 1), Admission: retort.MustDecimal("4.95")},
		{Name: "San Diego Zoo", Founded: ezDate(1835, 9, 13), Admission: retort.MustDecimal("0")},
		{Name: "Montréal Biodôme", Founded: ezDate(1992, 6, 19), Admission: retort.MustDecimal("11.75")},
		{Name: "Seaworld", Admission: retort.MustDecimal("60")},
		{Name: "Luna Park", Admission: retort.MustDecimal("134.95")},
	}
	if err := retort.Insert(ezZoos, zoos...).Exec(ctx, env.DB); err != nil {
		t.Fatal(err)
	}
	byName := map[string]*ezZoo{}
	for _, z := range zoos {
		byName[z.Name] = z
	}
	wap, sdz, bio := &byName["Wild Animal Park"].ID, &byName["San Diego Zoo"].ID, &byName["Montréal Biodôme"].ID
	animals := []*ezAnimal{
		{Species: "Leopard", Name: "Leopard", Legs: 4, ZooID: wap, Lifespan: ptr(73.5)},
		{Species: "Lion", Name: "Lion", Legs: 4, ZooID: wap},
		{Species: "Lion", Name: "Slug", Legs: 1, Lifespan: ptr(0.75)},
		{Species: "Tiger", Name: "Tiger", Legs: 4, ZooID: sdz},
		{Species: "Bear", Name: "Bear", Legs: 4, ZooID: sdz},
		{Species: "Ostrich", Name: "Ostrich", Legs: 2, Lifespan: ptr(103.2)},
		{Species: "Centipede", Name: "Centipede", Legs: 100},
		{Species: "Emperor Penguin", Name: "Emperor Penguin", Legs: 2, ZooID: bio},
		{Species: "Adelie Penguin", Name: "Adelie Penguin", Legs: 2, ZooID: bio},
		{Species: "Millipede", Name: "Millipede", Legs: 1000000, ZooID: sdz, LastEscape: ezDate(2004, 12, 21)},
		{Species: "Ape", Name: "Ape", Legs: 2, ZooID: sdz},
	}
	for i := range ezTicks {
		animals = append(animals, &ezAnimal{Species: "Tick", Name: "Tick " + string(rune('A'+i)), Legs: 8})
	}
	if err := retort.Insert(ezAnimals, animals...).Exec(ctx, env.DB); err != nil {
		t.Fatal(err)
	}
	env.Count.Reset()
	return byName
}

func TestZooBenchmarkQueries(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		zoos := ezPopulate(t, env)
		total := int64(11 + ezTicks)

		// Step 3: find by name, one object.
		wap := try(retort.Select(ezZoos).Where(ezZooName.Eq("Wild Animal Park")).One(ctx, env.DB)).must(t)
		if diff := cmp.Diff(zoos["Wild Animal Park"], wap, cmpOpts); diff != "" {
			t.Errorf("zoo by name (-want +got):\n%s", diff)
		}

		// Step 4: expressions, each a full SELECT of animals or zoos.
		count := func(name string, q *retort.SelectQuery[ezAnimal], want int64) {
			t.Helper()
			got := try(q.All(ctx, env.DB)).must(t)
			if int64(len(got)) != want {
				t.Errorf("%s: %d animals, want %d", name, len(got), want)
			}
		}
		animals := retort.Select(ezAnimals)
		count("all", animals, total)
		count("legs = 4", animals.Where(ezAnimalLegs.Eq(4)), 4)
		count("legs = 2", animals.Where(ezAnimalLegs.Eq(2)), 4)
		count("2 <= legs < 20", animals.Where(ezAnimalLegs.Ge(2), ezAnimalLegs.Lt(20)), total-3)
		count("legs > 10", animals.Where(ezAnimalLegs.Gt(10)), 2)
		count("lifespan > 70", animals.Where(ezAnimalLifespan.Gt(70)), 2)
		count("species starts with L", animals.Where(retort.Like(ezAnimalSpecies, "L%")), 3)
		count("species ends with pede", animals.Where(retort.Like(ezAnimalSpecies, "%pede")), 2)
		count("escaped", animals.Where(ezAnimalLastEscape.IsNotNull()), 1)
		count("never escaped", animals.Where(ezAnimalLastEscape.IsNull()), total-1)
		count("species like %pede%", animals.Where(retort.Like(ezAnimalSpecies, "%pede%")), 2)
		count("species in", animals.Where(ezAnimalSpecies.In("Lion", "Tiger", "Bear")), 4)
		pet, pet2 := "Slug", "Ostrich"
		count("name in variables", animals.Where(ezAnimalName.In(pet, pet2)), 2)
		count("species like exact", animals.Where(retort.Like(ezAnimalSpecies, "Lion")), 2)
		count("length(species) = len(name)", animals.Where(retort.Eq(retort.Length(ezAnimalSpecies), retort.Val(int64(len("Lion"))))), ezTicks+3)
		count("species like %i%", animals.Where(retort.Like(ezAnimalSpecies, "%i%")), ezTicks+8)
		count("escaped in 2004", animals.Where(ezAnimalLastEscape.Between(*ezDate(2004, 1, 1), *ezDate(2004, 12, 31))), 1)
		count("escaped in December", animals.Where(ezAnimalLastEscape.Ge(*ezDate(2004, 12, 1)), ezAnimalLastEscape.Lt(*ezDate(2005, 1, 1))), 1)
		count("escaped today", animals.Where(ezAnimalLastEscape.Eq(time.Now().UTC().Truncate(24*time.Hour))), 0)
		founded := try(retort.Select(ezZoos).Where(ezZooFounded.IsNotNull(), ezZooFounded.Lt(time.Now())).Count(ctx, env.DB)).must(t)
		if founded != 3 {
			t.Errorf("zoos founded before now: %d, want 3", founded)
		}

		// Step 5: aggregates.
		legs := try(retort.Select1(ezAnimalLegs).Distinct().OrderBy(ezAnimalLegs.Asc()).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]int32{1, 2, 4, 8, 100, 1000000}, legs); diff != "" {
			t.Errorf("distinct legs (-want +got):\n%s", diff)
		}
		lifespans := try(retort.Select2(ezAnimalSpecies, retort.Nullable(ezAnimalLifespan)).Where(ezAnimalLifespan.IsNotNull()).OrderBy(ezAnimalSpecies.Asc()).All(ctx, env.DB)).must(t)
		wantSpans := []retort.Row2[string, *float64]{{"Leopard", ptr(73.5)}, {"Lion", ptr(0.75)}, {"Ostrich", ptr(103.2)}}
		if diff := cmp.Diff(wantSpans, lifespans); diff != "" {
			t.Errorf("species and lifespan (-want +got):\n%s", diff)
		}
		recent := try(retort.Select1(ezZooName).Where(ezZooFounded.IsNotNull(), ezZooFounded.Le(time.Now()), ezZooFounded.Ge(*ezDate(1990, 1, 1))).OrderBy(ezZooName.Asc()).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]string{"Montréal Biodôme", "Wild Animal Park"}, recent); diff != "" {
			t.Errorf("zoos founded since 1990 (-want +got):\n%s", diff)
		}
		agg := try(retort.Select5(retort.Count(), retort.Max(ezAnimalLegs), retort.Min(ezAnimalLegs), retort.Avg(ezAnimalLifespan), retort.Sum(ezAnimalLegs)).From(ezAnimals).One(ctx, env.DB)).must(t)
		wantAgg := retort.Row5[int64, int32, int32, float64, int64]{total, 1000000, 1, (73.5 + 0.75 + 103.2) / 3, 4*4 + 1 + 2*4 + 100 + 1000000 + 8*ezTicks}
		if diff := cmp.Diff(wantAgg, agg, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
			t.Errorf("animal aggregates (-want +got):\n%s", diff)
		}
		zagg := try(retort.Select3(retort.Max(ezZooAdmission), retort.Nullable(retort.Min(ezZooFounded)), retort.CountOf(ezZooFounded)).One(ctx, env.DB)).must(t)
		if !zagg.A.Equal(retort.MustDecimal("134.95")) || zagg.B == nil || !zagg.B.Equal(*ezDate(1835, 9, 13)) || zagg.C != 3 {
			t.Errorf("zoo aggregates: %v %v %d", zagg.A, zagg.B, zagg.C)
		}
		fourLegs := try(retort.Select1(retort.Count()).From(ezAnimals).Where(ezAnimalLegs.Eq(4)).One(ctx, env.DB)).must(t)
		if fourLegs != 4 {
			t.Errorf("count of four-legged animals = %d", fourLegs)
		}

		// Step 6: editing: change a row and read it back.
		sdz := zoos["San Diego Zoo"]
		if _, err := retort.Update(ezZoos).Set(ezZooAdmission.To(retort.MustDecimal("35.00"))).Where(ezZooID.Eq(sdz.ID)).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		adm := try(retort.Select1(ezZooAdmission).Where(ezZooName.Eq("San Diego Zoo")).One(ctx, env.DB)).must(t)
		if !adm.Equal(retort.MustDecimal("35")) {
			t.Errorf("edited admission = %s", adm)
		}

		// Step 7: multiview: joins between the two tables.
		sdzAnimals := try(retort.Select(ezAnimals).JoinFK(ezZoos).Where(ezZooName.Eq("San Diego Zoo")).OrderBy(ezAnimalID.Asc()).All(ctx, env.DB)).must(t)
		if len(sdzAnimals) != 4 {
			t.Errorf("San Diego Zoo animals: %d, want 4", len(sdzAnimals))
		}
		leopard := try(retort.Select2(ezZooID, ezAnimalID).From(ezZoos).JoinFK(ezAnimals).
			Where(ezZooName.Eq("Wild Animal Park"), ezAnimalSpecies.Eq("Leopard")).One(ctx, env.DB)).must(t)
		if leopard.A != zoos["Wild Animal Park"].ID || leopard.B == 0 {
			t.Errorf("zoo and leopard ids: %+v", leopard)
		}
		inner := try(retort.Select2(ezZooName, ezAnimalSpecies).From(ezZoos).JoinFK(ezAnimals).All(ctx, env.DB)).must(t)
		if len(inner) != 8 {
			t.Errorf("inner join: %d rows, want 8", len(inner))
		}
		zooLeft := try(retort.Select2(ezZooName, retort.Nullable(ezAnimalSpecies)).From(ezZoos).LeftJoinFK(ezAnimals).Where(ezAnimalID.IsNull()).OrderBy(ezZooName.Asc()).All(ctx, env.DB)).must(t)
		if diff := cmp.Diff([]retort.Row2[string, *string]{{"Luna Park", nil}, {"Seaworld", nil}}, zooLeft); diff != "" {
			t.Errorf("zoos without animals (-want +got):\n%s", diff)
		}
		animalLeft := try(retort.Select2(retort.Nullable(ezZooName), ezAnimalSpecies).From(ezAnimals).LeftJoinFK(ezZoos).All(ctx, env.DB)).must(t)
		homeless := 0
		for _, r := range animalLeft {
			if r.A == nil {
				homeless++
			}
		}
		if len(animalLeft) != int(total) || homeless != int(total)-8 {
			t.Errorf("animals left join zoos: %d rows, %d without a zoo", len(animalLeft), homeless)
		}
		perZoo := try(retort.Select3(ezZooName, retort.Count(), retort.Max(ezAnimalLegs)).From(ezZoos).JoinFK(ezAnimals).
			GroupBy(ezZooName).Having(retort.Ge(retort.Count(), retort.Val[int64](2))).OrderBy(ezZooName.Asc()).All(ctx, env.DB)).must(t)
		wantPer := []retort.Row3[string, int64, int32]{{"Montréal Biodôme", 2, 2}, {"San Diego Zoo", 4, 1000000}, {"Wild Animal Park", 2, 4}}
		if diff := cmp.Diff(wantPer, perZoo); diff != "" {
			t.Errorf("animals per zoo (-want +got):\n%s", diff)
		}
	})
}
