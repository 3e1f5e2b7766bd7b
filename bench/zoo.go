package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

// zoo: Robert Brewer's 2007 Storm/SQLAlchemy/Geniusql suite, as corrected
// in the seed (every insert flushed, every result fetched), at a fixed
// number of iterations:
//
//	insert       5 zoos, 11 animals and one tick per iteration, one transaction
//	properties   8 lookups per iteration (zoos and animals by name, date, price, legs)
//	expressions  20 queries per iteration (comparisons, LIKE, IN, NULL, dates, a count)
//	aggregates   4 queries per iteration (DISTINCT, projections, count/max/min/avg/sum)
//	editing      per iteration: load a zoo, change it, reload it by its new name,
//	             change it back, reload it; one transaction
//	multiview    6 joins per iteration (inner, outer, grouped)
//
// Every query's row count is checked against the known data, and every
// implementation must return the same checksum (rows fetched, and legs
// summed over every animal loaded).

func zooDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// zooRow and animalRow are the suite's data, for every implementation to
// convert into its own structs.
type zooRow struct {
	name      string
	founded   *time.Time
	admission int64 // cents
}

type animalRow struct {
	species, name string
	legs          int32
	zoo           string // "" when the animal has no zoo
	lastEscape    *time.Time
	lifespan      *float64
}

func ptrTo[V any](v V) *V { return &v }

var zooData = []zooRow{
	{"Wild Animal Park", ptrTo(zooDate(2000, 1, 1)), 495},
	{"San Diego Zoo", ptrTo(zooDate(1835, 9, 13)), 0},
	{"Montréal Biodôme", ptrTo(zooDate(1992, 6, 19)), 1175},
	{"Seaworld", nil, 6000},
	{"Luna Park", nil, 13495},
}

func animalData(ticks int) []animalRow {
	a := []animalRow{
		{"Leopard", "Leopard", 4, "Wild Animal Park", nil, ptrTo(73.5)},
		{"Lion", "Lion", 4, "Wild Animal Park", nil, nil},
		{"Lion", "Slug", 1, "", nil, ptrTo(0.75)},
		{"Tiger", "Tiger", 4, "San Diego Zoo", nil, nil},
		{"Bear", "Bear", 4, "San Diego Zoo", nil, nil},
		{"Ostrich", "Ostrich", 2, "", nil, ptrTo(103.2)},
		{"Centipede", "Centipede", 100, "", nil, nil},
		{"Emperor Penguin", "Emperor Penguin", 2, "Montréal Biodôme", nil, nil},
		{"Adelie Penguin", "Adelie Penguin", 2, "Montréal Biodôme", nil, nil},
		{"Millipede", "Millipede", 1000000, "San Diego Zoo", ptrTo(zooDate(2004, 12, 21)), nil},
		{"Ape", "Ape", 2, "San Diego Zoo", nil, nil},
	}
	for i := range ticks {
		a = append(a, animalRow{species: "Tick", name: fmt.Sprintf("Tick %d", i), legs: 8})
	}
	return a
}

// The names of the queries, and their expected row counts given the ticks.
var (
	zooSDZ, zooWAP, zooBio, zooSDZNew = "San Diego Zoo", "Wild Animal Park", "Montréal Biodôme", "The San Diego Zoo"
	zoo1835, zoo1900, zoo1990         = zooDate(1835, 9, 13), zooDate(1900, 1, 1), zooDate(1990, 1, 1)
	escape2004From, escape2004To      = zooDate(2004, 1, 1), zooDate(2004, 12, 31)
	escapeDecFrom, escapeDecTo        = zooDate(2004, 12, 1), zooDate(2005, 1, 1)
)

func zooWant(ticks int) map[string]int {
	total := 11 + ticks
	return map[string]int{
		// properties
		"zoo by name": 1, "zoo by founded": 1, "zoo by name 2": 1, "zoo by admission": 1,
		"leopard": 1, "ostrich": 1, "millipede": 1, "ticks": ticks,
		// expressions
		"all": total, "legs = 4": 4, "legs = 2": 4, "2 <= legs < 20": total - 3, "legs > 10": 2,
		"lifespan > 70": 2, "species L%": 3, "species %pede": 2, "escaped": 1, "never escaped": total - 1,
		"species %pede%": 2, "species in": 4, "name in": 2, "species like Lion": 2,
		"length(species) = 4": ticks + 3, "species %i%": ticks + 8, "escaped in 2004": 1,
		"escaped in December": 1, "escaped today": 0, "zoos founded": 3,
		// aggregates
		"distinct legs": 6, "lifespans": 3, "recent zoos": 2, "animal aggregates": 1,
		// editing
		"edit load": 1, "edit reload": 1, "edit back": 1,
		// multiview
		"sdz animals": 4, "zoo and leopard": 1, "inner join": 8, "zoos without animals": 2,
		"animals left join zoos": total, "animals per zoo": 3,
	}
}

// zooTally counts rows and checks each query's.
type zooTally struct {
	want map[string]int
	rows int64
	legs int64
	err  error
}

func newZooTally(ticks int) *zooTally { return &zooTally{want: zooWant(ticks)} }

// got records n rows from the named query.
func (t *zooTally) got(name string, n int) {
	w, ok := t.want[name]
	if t.err == nil && (!ok || n != w) {
		t.err = checkf("zoo query %q: %d rows, want %d", name, n, w)
	}
	t.rows += int64(n)
}

// fail records a wrong value.
func (t *zooTally) fail(format string, args ...any) {
	if t.err == nil {
		t.err = checkf(format, args...)
	}
}

// aggregates checks the row of count, max, min, sum of legs.
func (t *zooTally) aggregates(count int64, maxLegs, minLegs int32, sumLegs int64, ticks int) {
	t.got("animal aggregates", 1)
	wantSum := int64(4*4 + 1 + 2*4 + 100 + 1000000 + 8*ticks)
	if count != int64(11+ticks) || maxLegs != 1000000 || minLegs != 1 || sumLegs != wantSum {
		t.fail("animal aggregates: count %d max %d min %d sum %d", count, maxLegs, minLegs, sumLegs)
	}
	t.legs += sumLegs
}

func (t *zooTally) check() (Check, error) {
	return Check{Rows: t.rows, Sum: fmt.Sprintf("legs=%d", t.legs)}, t.err
}

// ---- Retort ----

type rZoo struct {
	ID        int64
	Name      string
	Founded   *time.Time
	Admission retort.Decimal
}

type rAnimal struct {
	ID         int64
	ZooID      *int64
	Name       string
	Species    string
	Legs       int32
	LastEscape *time.Time
	Lifespan   *float64
}

var (
	rZoos         = retort.NewTable[rZoo]("zoo")
	rZooID        = retort.Col(rZoos, "id", func(z *rZoo) *int64 { return &z.ID }, retort.PrimaryKey())
	rZooName      = retort.Col(rZoos, "name", func(z *rZoo) *string { return &z.Name }, retort.Size(50), retort.Unique())
	rZooFounded   = retort.NullCol(rZoos, "founded", func(z *rZoo) **time.Time { return &z.Founded })
	rZooAdmission = retort.ColType(rZoos, "admission", func(z *rZoo) *retort.Decimal { return &z.Admission }, retort.Numeric(10, 2))

	rAnimals          = retort.NewTable[rAnimal]("animal")
	rAnimalID         = retort.Col(rAnimals, "id", func(a *rAnimal) *int64 { return &a.ID }, retort.PrimaryKey())
	_                 = retort.NullCol(rAnimals, "zoo_id", func(a *rAnimal) **int64 { return &a.ZooID }).References(rZooID)
	rAnimalName       = retort.Col(rAnimals, "name", func(a *rAnimal) *string { return &a.Name }, retort.Size(100))
	rAnimalSpecies    = retort.Col(rAnimals, "species", func(a *rAnimal) *string { return &a.Species }, retort.Size(100))
	rAnimalLegs       = retort.Col(rAnimals, "legs", func(a *rAnimal) *int32 { return &a.Legs })
	rAnimalLastEscape = retort.NullCol(rAnimals, "last_escape", func(a *rAnimal) **time.Time { return &a.LastEscape })
	rAnimalLifespan   = retort.NullCol(rAnimals, "lifespan", func(a *rAnimal) **float64 { return &a.Lifespan })

	zooTables = []retort.Schema{rZoos, rAnimals}
)

func retortZoo(ctx context.Context, db retort.DB, iters int) (Check, error) {
	t := newZooTally(iters)
	s := session.New(db)

	// insert
	byName := map[string]*rZoo{}
	for _, z := range zooData {
		obj := &rZoo{Name: z.name, Founded: z.founded, Admission: retort.NewDecimal(z.admission, 2)}
		byName[z.name] = obj
		if err := session.Add(s, obj); err != nil {
			return Check{}, err
		}
	}
	if err := s.Flush(ctx); err != nil { // the animals need the zoos' keys
		return Check{}, err
	}
	for _, a := range animalData(iters) {
		obj := &rAnimal{Name: a.name, Species: a.species, Legs: a.legs, LastEscape: a.lastEscape, Lifespan: a.lifespan}
		if z := byName[a.zoo]; z != nil {
			obj.ZooID = &z.ID
		}
		if err := session.Add(s, obj); err != nil {
			return Check{}, err
		}
	}
	if err := s.Commit(ctx); err != nil {
		return Check{}, err
	}

	zoos := func(name string, q *retort.SelectQuery[rZoo]) error {
		got, err := session.All(ctx, s, q)
		t.got(name, len(got))
		return err
	}
	animals := func(name string, q *retort.SelectQuery[rAnimal]) error {
		got, err := session.All(ctx, s, q)
		for _, a := range got {
			t.legs += int64(a.Legs)
		}
		t.got(name, len(got))
		return err
	}
	zoo, animal := retort.Select(rZoos), retort.Select(rAnimals)

	// properties
	for range iters {
		for _, err := range []error{
			zoos("zoo by name", zoo.Where(rZooName.Eq(zooWAP))),
			zoos("zoo by founded", zoo.Where(rZooFounded.Eq(zoo1835))),
			zoos("zoo by name 2", zoo.Where(rZooName.Eq(zooBio))),
			zoos("zoo by admission", zoo.Where(rZooAdmission.Eq(retort.NewDecimal(6000, 2)))),
			animals("leopard", animal.Where(rAnimalSpecies.Eq("Leopard"))),
			animals("ostrich", animal.Where(rAnimalSpecies.Eq("Ostrich"))),
			animals("millipede", animal.Where(rAnimalLegs.Eq(1000000))),
			animals("ticks", animal.Where(rAnimalSpecies.Eq("Tick"))),
		} {
			if err != nil {
				return Check{}, err
			}
		}
	}

	// expressions
	for range iters {
		now := time.Now().UTC()
		for _, err := range []error{
			animals("all", animal),
			animals("legs = 4", animal.Where(rAnimalLegs.Eq(4))),
			animals("legs = 2", animal.Where(rAnimalLegs.Eq(2))),
			animals("2 <= legs < 20", animal.Where(rAnimalLegs.Ge(2), rAnimalLegs.Lt(20))),
			animals("legs > 10", animal.Where(rAnimalLegs.Gt(10))),
			animals("lifespan > 70", animal.Where(rAnimalLifespan.Gt(70))),
			animals("species L%", animal.Where(retort.Like(rAnimalSpecies, "L%"))),
			animals("species %pede", animal.Where(retort.Like(rAnimalSpecies, "%pede"))),
			animals("escaped", animal.Where(rAnimalLastEscape.IsNotNull())),
			animals("never escaped", animal.Where(rAnimalLastEscape.IsNull())),
			animals("species %pede%", animal.Where(retort.Like(rAnimalSpecies, "%pede%"))),
			animals("species in", animal.Where(rAnimalSpecies.In("Lion", "Tiger", "Bear"))),
			animals("name in", animal.Where(rAnimalName.In("Slug", "Ostrich"))),
			animals("species like Lion", animal.Where(retort.Like(rAnimalSpecies, "Lion"))),
			animals("length(species) = 4", animal.Where(retort.Eq(retort.Length(rAnimalSpecies), retort.Val(int64(4))))),
			animals("species %i%", animal.Where(retort.Like(rAnimalSpecies, "%i%"))),
			animals("escaped in 2004", animal.Where(rAnimalLastEscape.Between(escape2004From, escape2004To))),
			animals("escaped in December", animal.Where(rAnimalLastEscape.Ge(escapeDecFrom), rAnimalLastEscape.Lt(escapeDecTo))),
			animals("escaped today", animal.Where(rAnimalLastEscape.Eq(now.Truncate(24*time.Hour)))),
		} {
			if err != nil {
				return Check{}, err
			}
		}
		n, err := zoo.Where(rZooFounded.IsNotNull(), rZooFounded.Lt(now)).Count(ctx, s.DB())
		if err != nil {
			return Check{}, err
		}
		t.got("zoos founded", int(n))
	}

	// aggregates
	for range iters {
		legs, err := retort.Select1(rAnimalLegs).Distinct().OrderBy(rAnimalLegs.Asc()).All(ctx, s.DB())
		if err != nil {
			return Check{}, err
		}
		t.got("distinct legs", len(legs))
		for _, l := range legs {
			t.legs += int64(l)
		}
		spans, err := retort.Select2(rAnimalSpecies, retort.Nullable(rAnimalLifespan)).Where(rAnimalLifespan.IsNotNull()).OrderBy(rAnimalSpecies.Asc()).All(ctx, s.DB())
		if err != nil {
			return Check{}, err
		}
		t.got("lifespans", len(spans))
		recent, err := retort.Select1(rZooName).Where(rZooFounded.IsNotNull(), rZooFounded.Le(time.Now().UTC()), rZooFounded.Ge(zoo1990)).OrderBy(rZooName.Asc()).All(ctx, s.DB())
		if err != nil {
			return Check{}, err
		}
		t.got("recent zoos", len(recent))
		agg, err := retort.Select5(retort.Count(), retort.Max(rAnimalLegs), retort.Min(rAnimalLegs), retort.Avg(rAnimalLifespan), retort.Sum(rAnimalLegs)).From(rAnimals).One(ctx, s.DB())
		if err != nil {
			return Check{}, err
		}
		t.aggregates(agg.A, agg.B, agg.C, agg.E, iters)
	}

	// editing
	for range iters {
		sdz, err := session.First(ctx, s, zoo.Where(rZooName.Eq(zooSDZ)))
		if err != nil {
			return Check{}, err
		}
		t.got("edit load", 1)
		sdz.Name, sdz.Founded, sdz.Admission = zooSDZNew, ptrTo(zoo1900), retort.NewDecimal(3500, 2)
		again, err := session.First(ctx, s, zoo.Where(rZooName.Eq(zooSDZNew))) // flushes the change first
		if err != nil {
			return Check{}, err
		}
		t.got("edit reload", 1)
		if again.Founded == nil || !again.Founded.Equal(zoo1900) {
			t.fail("edited zoo founded %v", again.Founded)
		}
		again.Name, again.Founded, again.Admission = zooSDZ, ptrTo(zoo1835), retort.NewDecimal(0, 2)
		back, err := session.First(ctx, s, zoo.Where(rZooName.Eq(zooSDZ)))
		if err != nil {
			return Check{}, err
		}
		t.got("edit back", 1)
		if back.Founded == nil || !back.Founded.Equal(zoo1835) {
			t.fail("zoo edited back founded %v", back.Founded)
		}
	}
	if err := s.Commit(ctx); err != nil {
		return Check{}, err
	}

	// multiview
	for range iters {
		if err := animals("sdz animals", animal.JoinFK(rZoos).Where(rZooName.Eq(zooSDZ)).OrderBy(rAnimalID.Asc())); err != nil {
			return Check{}, err
		}
		ids, err := retort.Select2(rZooID, rAnimalID).From(rZoos).JoinFK(rAnimals).Where(rZooName.Eq(zooWAP), rAnimalSpecies.Eq("Leopard")).All(ctx, s.DB())
		if err != nil {
			return Check{}, err
		}
		t.got("zoo and leopard", len(ids))
		inner, err := retort.Select2(rZooName, rAnimalSpecies).From(rZoos).JoinFK(rAnimals).All(ctx, s.DB())
		if err != nil {
			return Check{}, err
		}
		t.got("inner join", len(inner))
		empty, err := retort.Select2(rZooName, retort.Nullable(rAnimalSpecies)).From(rZoos).LeftJoinFK(rAnimals).Where(rAnimalID.IsNull()).OrderBy(rZooName.Asc()).All(ctx, s.DB())
		if err != nil {
			return Check{}, err
		}
		t.got("zoos without animals", len(empty))
		left, err := retort.Select2(retort.Nullable(rZooName), rAnimalSpecies).From(rAnimals).LeftJoinFK(rZoos).All(ctx, s.DB())
		if err != nil {
			return Check{}, err
		}
		t.got("animals left join zoos", len(left))
		per, err := retort.Select3(rZooName, retort.Count(), retort.Max(rAnimalLegs)).From(rZoos).JoinFK(rAnimals).
			GroupBy(rZooName).Having(retort.Ge(retort.Count(), retort.Val[int64](2))).OrderBy(rZooName.Asc()).All(ctx, s.DB())
		if err != nil {
			return Check{}, err
		}
		t.got("animals per zoo", len(per))
		for _, p := range per {
			t.legs += int64(p.C)
		}
	}
	return t.check()
}

func openZoo(ctx context.Context, impl string, target Target, size Size) (*Case, error) {
	const w = "zoo"
	iters := size.ZooIterations
	switch impl {
	case Retort:
		e, err := openRetort(ctx, target, impl, w, zooTables)
		if err != nil {
			return nil, err
		}
		return e.newCase("session for objects and edits, typed projections for the rest", nil, func(ctx context.Context) (Check, error) {
			return retortZoo(ctx, e.db, iters)
		}), nil
	case Raw:
		e, err := openRaw(ctx, target, w, zooTables)
		if err != nil {
			return nil, err
		}
		return e.newCase("", nil, func(ctx context.Context) (Check, error) { return rawZoo(ctx, e, iters) }), nil
	case GORM, Bun:
		e, err := openSQLEnv(ctx, target, impl, w, zooTables)
		if err != nil {
			return nil, err
		}
		if impl == GORM {
			return e.newCase("money as float64", nil, func(ctx context.Context) (Check, error) { return gormZoo(ctx, e.gorm, iters) }), nil
		}
		return e.newCase("money as float64 (a Scanner type, as for three-profiles)", nil, func(ctx context.Context) (Check, error) { return bunZoo(ctx, e.bun, iters) }), nil
	}
	return nil, errNoImpl
}
