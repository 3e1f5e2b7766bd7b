package retort_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
)

// The zoo of Robert Brewer's Storm / SQLAlchemy / Geniusql comparison
// (seed: "Revisiting Storm, SQLAlchemy, and Geniusql", December 2007), in its
// seven steps: create the tables, insert zoos and animals, look objects up
// by property, run the battery of expressions, aggregate, edit through a
// session, and read a view over both tables. Every step checks what it got,
// so none of them can pass by doing nothing: the seed's lesson is that two
// of the original suites timed SQL that was never sent.

// Zoo is a zoo. Founded is a date, NULL when unknown.
type Zoo struct {
	ID        int64
	Name      string
	Founded   *time.Time
	Admission retort.Decimal
}

// Animal lives in a zoo, or in none. Name is only set for the two apes; the
// younger one's MotherID refers to the older.
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
const zooTicks = 5

// some returns a pointer to v, for NULL-able fields.
func some[V any](v V) *V { return &v }

func day(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// ymd formats a date; the database may return it in another time zone.
func ymd(t *time.Time) string {
	if t == nil {
		return "NULL"
	}
	return t.UTC().Format("2006-01-02")
}

// zooCheck records the first mismatch of a step.
type zooCheck struct{ err error }

func (c *zooCheck) equal(what string, got, want any) {
	if c.err == nil && fmt.Sprint(got) != fmt.Sprint(want) {
		c.err = fmt.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func (c *zooCheck) fail(err error) bool {
	if err != nil && c.err == nil {
		c.err = err
	}
	return c.err != nil
}

// zooTour runs the seven steps on db, which must hold no zoo or animal
// table, and prints what each step found.
func zooTour(ctx context.Context, db retort.DB, out io.Writer) error {
	// Step 1: create the tables, in foreign-key order.
	if err := retort.CreateAll(ctx, db, Animals, Zoos); err != nil {
		return err
	}
	fmt.Fprintln(out, "1. created zoo and animal")

	// Step 2: insert through a session. Nothing is sent until the flush:
	// the zoos first (their keys are generated), then the animals that
	// refer to them, each table in as few statements as the database allows.
	s := session.New(db)
	wap := &Zoo{Name: "Wild Animal Park", Founded: day(2000, 1, 1), Admission: retort.MustDecimal("4.95")}
	sdz := &Zoo{Name: "San Diego Zoo", Founded: day(1935, 9, 13), Admission: retort.MustDecimal("0")}
	bio := &Zoo{Name: "Montréal Biodôme", Founded: day(1992, 6, 19), Admission: retort.MustDecimal("11.75")}
	sea := &Zoo{Name: "Sea_World", Admission: retort.MustDecimal("60")}
	luna := &Zoo{Name: "Luna Park", Founded: day(2072, 7, 17), Admission: retort.MustDecimal("134.95")}
	if err := session.AddAll(s, wap, sdz, bio, sea, luna); err != nil {
		return err
	}
	if err := s.Flush(ctx); err != nil {
		return err
	}
	escape := time.Date(2004, 12, 21, 8, 15, 0, 0, time.UTC)
	baiYun := &Animal{Species: "Ape", Name: some("Bai Yun"), Legs: 2}
	animals := []*Animal{
		{Species: "Leopard", Lifespan: some(73.5), ZooID: &wap.ID, LastEscape: &escape},
		{Species: "Lion", ZooID: &wap.ID},
		{Species: "Slug", Legs: 1, Lifespan: some(0.75)},
		{Species: "Tiger", ZooID: &sdz.ID},
		{Species: "Bear", Legs: 4},
		{Species: "Ostrich", Legs: 2, Lifespan: some(103.2)},
		{Species: "Centipede", Legs: 100},
		{Species: "Emperor Penguin", Legs: 2, ZooID: &sea.ID},
		{Species: "Adelie Penguin", Legs: 2, ZooID: &sea.ID},
		{Species: "Millipede", Legs: 1000000, ZooID: &sdz.ID},
		baiYun,
	}
	for i := range zooTicks {
		animals = append(animals, &Animal{Species: "Tick", Name: some(fmt.Sprintf("Tick %d", i)), Legs: 8})
	}
	if err := session.AddAll(s, animals...); err != nil {
		return err
	}
	if err := s.Flush(ctx); err != nil { // the seed's missing flush
		return err
	}
	// Hua Mei needs her mother's key, which the flush has just set.
	if err := session.Add(s, &Animal{Species: "Ape", Name: some("Hua Mei"), Legs: 2, MotherID: &baiYun.ID}); err != nil {
		return err
	}
	if err := s.Commit(ctx); err != nil {
		return err
	}
	c := &zooCheck{}
	c.equal("leopard has the default four legs", animals[0].Legs, 4)
	total := len(animals) + 1
	fmt.Fprintf(out, "2. inserted 5 zoos and %d animals; zoo keys %d..%d\n", total, wap.ID, luna.ID)

	// Step 3: look objects up by their properties. One means exactly one
	// row: none or several is an error.
	fmt.Fprintln(out, "3. properties")
	zooBy := func(what string, cond retort.Expr[bool]) {
		z, err := retort.Select(Zoos).Where(cond).One(ctx, db)
		if c.fail(err) {
			return
		}
		fmt.Fprintf(out, "   zoo by %-10s %-17s founded %s, admission %s\n", what+":", z.Name, ymd(z.Founded), z.Admission)
	}
	zooBy("name", ZooName.Eq("Wild Animal Park"))
	zooBy("founded", ZooFounded.Eq(*day(1935, 9, 13)))
	zooBy("name", ZooName.Eq("Montréal Biodôme"))
	zooBy("admission", ZooAdmission.Eq(retort.MustDecimal("60")))
	leopard, err := retort.Select(Animals).Where(AnimalSpecies.Eq("Leopard")).One(ctx, db)
	if c.fail(err) {
		return c.err
	}
	fmt.Fprintf(out, "   the leopard lives %.1f years and last escaped on %s\n", *leopard.Lifespan, ymd(leopard.LastEscape))
	millipede, err := retort.Select(Animals).Where(AnimalLegs.Eq(1000000)).One(ctx, db)
	if c.fail(err) {
		return c.err
	}
	fmt.Fprintf(out, "   %d legs: the %s\n", millipede.Legs, millipede.Species)
	ticks, err := retort.Select(Animals).Where(AnimalSpecies.Eq("Tick")).All(ctx, db)
	if c.fail(err) {
		return c.err
	}
	c.equal("ticks", len(ticks), zooTicks)
	if c.err != nil {
		return c.err
	}

	// Step 4: the battery of expressions, each a full SELECT whose rows are
	// counted.
	all := retort.Select(Animals)
	now := time.Now()
	pet, pet2 := "Slug", "Ostrich"
	battery := []struct {
		what string
		q    *retort.SelectQuery[Animal]
		want int
	}{
		{"all animals", all, total},
		{"legs = 4", all.Where(AnimalLegs.Eq(4)), 4},
		{"legs = 2", all.Where(AnimalLegs.Eq(2)), 5},
		{"2 <= legs < 20", all.Where(AnimalLegs.Ge(2), AnimalLegs.Lt(20)), zooTicks + 9},
		{"legs > 10", all.Where(AnimalLegs.Gt(10)), 2},
		{"lifespan > 70", all.Where(AnimalLifespan.Gt(70)), 2},
		{"species LIKE 'L%'", all.Where(retort.Like(AnimalSpecies, "L%")), 2},
		{"species LIKE '%pede'", all.Where(retort.Like(AnimalSpecies, "%pede")), 2},
		{"last_escape IS NOT NULL", all.Where(AnimalLastEscape.IsNotNull()), 1},
		{"last_escape IS NULL", all.Where(AnimalLastEscape.IsNull()), total - 1},
		{"species LIKE '%pede%'", all.Where(retort.Like(AnimalSpecies, "%pede%")), 2},
		{"species IN (Lion, Tiger, Bear)", all.Where(AnimalSpecies.In("Lion", "Tiger", "Bear")), 3},
		{"species IN (two variables)", all.Where(AnimalSpecies.In(pet, pet2)), 2},
		{"species LIKE 'Slug'", all.Where(retort.Like(AnimalSpecies, "Slug")), 1},
		{"length(species) = 4", all.Where(retort.Eq(retort.Length(AnimalSpecies), retort.Val(int64(len("Lion"))))), zooTicks + 3},
		{"species LIKE '%i%'", all.Where(retort.Like(AnimalSpecies, "%i%")), zooTicks + 7},
		{"escaped on a day", all.Where(AnimalLastEscape.Ge(*day(2004, 12, 21)), AnimalLastEscape.Lt(*day(2004, 12, 22))), 1},
		{"escaped in 2004", all.Where(AnimalLastEscape.Between(*day(2004, 1, 1), *day(2004, 12, 31))), 1},
		{"escaped in the future", all.Where(AnimalLastEscape.Gt(now)), 0},
		{"mother is Bai Yun", all.Where(AnimalMother.Eq(baiYun.ID)), 1},
	}
	fmt.Fprintln(out, "4. expressions")
	for _, b := range battery {
		got, err := b.q.All(ctx, db)
		if c.fail(err) {
			return c.err
		}
		c.equal(b.what, len(got), b.want)
		fmt.Fprintf(out, "   %-32s %2d\n", b.what, len(got))
	}
	founded, err := retort.Select(Zoos).Where(ZooFounded.IsNotNull(), ZooFounded.Lt(now)).All(ctx, db)
	if c.fail(err) {
		return c.err
	}
	c.equal("zoos founded before today", len(founded), 3)
	fmt.Fprintf(out, "   %-32s %2d\n", "zoos founded before today", len(founded))
	// "_" matches any character in LIKE; EscapeLike makes it literal.
	seaLike, err := retort.Select(Zoos).Where(retort.Like(ZooName, retort.EscapeLike("Sea_")+"%")).All(ctx, db)
	if c.fail(err) {
		return c.err
	}
	c.equal("zoos named Sea_...", len(seaLike), 1)
	fmt.Fprintf(out, "   %-32s %2d\n", "zoos LIKE 'Sea\\_%'", len(seaLike))
	if c.err != nil {
		return c.err
	}

	// Step 5: aggregates and projections, typed: Select1 of an int32
	// column returns []int32.
	fmt.Fprintln(out, "5. aggregates")
	legs, err := retort.Select1(AnimalLegs).Distinct().OrderBy(AnimalLegs.Asc()).All(ctx, db)
	if c.fail(err) {
		return c.err
	}
	c.equal("distinct legs", legs, []int32{1, 2, 4, 8, 100, 1000000})
	fmt.Fprintln(out, "   distinct legs:", legs)
	spans, err := retort.Select2(AnimalSpecies, retort.Nullable(AnimalLifespan)).OrderBy(AnimalID.Asc()).All(ctx, db)
	if c.fail(err) {
		return c.err
	}
	known := []string{}
	for _, r := range spans {
		if r.B != nil {
			known = append(known, fmt.Sprintf("%s %.2f", r.A, *r.B))
		}
	}
	c.equal("lifespans", len(spans), total)
	fmt.Fprintln(out, "   known lifespans:", strings.Join(known, ", "))
	recent, err := retort.Select1(ZooName).
		Where(ZooFounded.IsNotNull(), ZooFounded.Le(now), ZooFounded.Ge(*day(1990, 1, 1))).
		OrderBy(ZooID.Asc()).All(ctx, db)
	if c.fail(err) {
		return c.err
	}
	c.equal("founded since 1990", recent, []string{"Wild Animal Park", "Montréal Biodôme"})
	fmt.Fprintln(out, "   founded since 1990:", strings.Join(recent, ", "))
	agg, err := retort.Select5(retort.Count(), retort.Min(AnimalLegs), retort.Max(AnimalLegs),
		retort.Sum(AnimalLegs), retort.Avg(AnimalLifespan)).From(Animals).One(ctx, db)
	if c.fail(err) {
		return c.err
	}
	c.equal("count", agg.A, total)
	c.equal("sum of legs", agg.D, 4*4+5*2+1+100+1000000+8*zooTicks)
	fmt.Fprintf(out, "   count %d, legs min %d max %d sum %d, average lifespan %.2f\n", agg.A, agg.B, agg.C, agg.D, agg.E)
	if c.err != nil {
		return c.err
	}

	// Step 6: editing through a session: load, change, flush, reselect.
	// The UPDATE sets only the columns that changed.
	fmt.Fprintln(out, "6. editing")
	for _, edit := range []struct {
		from, to  string
		founded   *time.Time
		admission string
	}{
		{"San Diego Zoo", "The San Diego Zoo", day(1900, 1, 1), "35.00"},
		{"The San Diego Zoo", "San Diego Zoo", day(1935, 9, 13), "0"},
	} {
		s := session.New(db)
		z, err := session.One(ctx, s, retort.Select(Zoos).Where(ZooName.Eq(edit.from)))
		if c.fail(err) {
			return c.err
		}
		z.Name, z.Founded, z.Admission = edit.to, edit.founded, retort.MustDecimal(edit.admission)
		if c.fail(s.Flush(ctx)) {
			return c.err
		}
		// The reselect runs SQL; the row is already in the identity map,
		// so it is the same object.
		again, err := session.One(ctx, s, retort.Select(Zoos).Where(ZooName.Eq(edit.to)))
		if c.fail(err) {
			return c.err
		}
		c.equal("same object", again == z, true)
		if c.fail(s.Commit(ctx)) {
			return c.err
		}
		// A fresh read, outside the session, sees the committed row.
		fresh, err := retort.Select(Zoos).Where(ZooID.Eq(z.ID)).One(ctx, db)
		if c.fail(err) {
			return c.err
		}
		c.equal("reselected founded", ymd(fresh.Founded), ymd(edit.founded))
		fmt.Fprintf(out, "   %q is now %q, founded %s, admission %s\n", edit.from, fresh.Name, ymd(fresh.Founded), fresh.Admission)
	}
	if c.err != nil {
		return c.err
	}

	// Step 7: a view over both tables: joins along the foreign key (inner,
	// and outer from either side), a self-join through an alias, and a
	// grouped count.
	fmt.Fprintln(out, "7. multiview")
	sdzAnimals, err := retort.Select(Animals).JoinFK(Zoos).Where(ZooName.Eq("San Diego Zoo")).OrderBy(AnimalID.Asc()).All(ctx, db)
	if c.fail(err) {
		return c.err
	}
	names := []string{}
	for _, a := range sdzAnimals {
		names = append(names, a.Species)
	}
	c.equal("San Diego Zoo animals", names, []string{"Tiger", "Millipede"})
	fmt.Fprintln(out, "   San Diego Zoo:", strings.Join(names, ", "))
	wapLeopard, err := retort.Select2(ZooID, AnimalID).From(Zoos).JoinFK(Animals).
		Where(ZooName.Eq("Wild Animal Park"), AnimalSpecies.Eq("Leopard")).One(ctx, db)
	if c.fail(err) {
		return c.err
	}
	c.equal("leopard's zoo", wapLeopard.A, wap.ID)
	inner, err := retort.Select2(ZooName, AnimalSpecies).From(Zoos).JoinFK(Animals).All(ctx, db)
	if c.fail(err) {
		return c.err
	}
	zooLeft, err := retort.Select2(ZooName, retort.Nullable(AnimalSpecies)).From(Zoos).LeftJoinFK(Animals).All(ctx, db)
	if c.fail(err) {
		return c.err
	}
	animalLeft, err := retort.Select2(retort.Nullable(ZooName), AnimalSpecies).From(Animals).LeftJoinFK(Zoos).All(ctx, db)
	if c.fail(err) {
		return c.err
	}
	c.equal("inner join", len(inner), 6)
	c.equal("zoos left join animals", len(zooLeft), 8)
	c.equal("animals left join zoos", len(animalLeft), total)
	fmt.Fprintf(out, "   rows: zoo JOIN animal %d, zoo LEFT JOIN animal %d, animal LEFT JOIN zoo %d\n", len(inner), len(zooLeft), len(animalLeft))
	mother := retort.Alias(Animals, "mother")
	family, err := retort.Select2(AnimalName, retort.Aliased(mother, AnimalName)).From(Animals).
		Join(mother, AnimalMother.EqCol(retort.Aliased(mother, AnimalID))).One(ctx, db)
	if c.fail(err) {
		return c.err
	}
	fmt.Fprintf(out, "   %s's mother is %s\n", family.A, family.B)
	perZoo, err := retort.Select3(ZooName, retort.Count(), retort.Max(AnimalLegs)).From(Zoos).JoinFK(Animals).
		GroupBy(ZooID, ZooName).OrderBy(ZooID.Asc()).All(ctx, db)
	if c.fail(err) {
		return c.err
	}
	for _, r := range perZoo {
		fmt.Fprintf(out, "   %-17s %d animals, at most %d legs\n", r.A, r.B, r.C)
	}
	c.equal("zoos with animals", len(perZoo), 3)
	return c.err
}

// The seven steps of the zoo benchmark on an in-memory SQLite database.
func Example_zoo() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := zooTour(ctx, db, os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 1. created zoo and animal
	// 2. inserted 5 zoos and 17 animals; zoo keys 1..5
	// 3. properties
	//    zoo by name:      Wild Animal Park  founded 2000-01-01, admission 4.95
	//    zoo by founded:   San Diego Zoo     founded 1935-09-13, admission 0.00
	//    zoo by name:      Montréal Biodôme  founded 1992-06-19, admission 11.75
	//    zoo by admission: Sea_World         founded NULL, admission 60.00
	//    the leopard lives 73.5 years and last escaped on 2004-12-21
	//    1000000 legs: the Millipede
	// 4. expressions
	//    all animals                      17
	//    legs = 4                          4
	//    legs = 2                          5
	//    2 <= legs < 20                   14
	//    legs > 10                         2
	//    lifespan > 70                     2
	//    species LIKE 'L%'                 2
	//    species LIKE '%pede'              2
	//    last_escape IS NOT NULL           1
	//    last_escape IS NULL              16
	//    species LIKE '%pede%'             2
	//    species IN (Lion, Tiger, Bear)    3
	//    species IN (two variables)        2
	//    species LIKE 'Slug'               1
	//    length(species) = 4               8
	//    species LIKE '%i%'               12
	//    escaped on a day                  1
	//    escaped in 2004                   1
	//    escaped in the future             0
	//    mother is Bai Yun                 1
	//    zoos founded before today         3
	//    zoos LIKE 'Sea\_%'                1
	// 5. aggregates
	//    distinct legs: [1 2 4 8 100 1000000]
	//    known lifespans: Leopard 73.50, Slug 0.75, Ostrich 103.20
	//    founded since 1990: Wild Animal Park, Montréal Biodôme
	//    count 17, legs min 1 max 1000000 sum 1000167, average lifespan 59.15
	// 6. editing
	//    "San Diego Zoo" is now "The San Diego Zoo", founded 1900-01-01, admission 35.00
	//    "The San Diego Zoo" is now "San Diego Zoo", founded 1935-09-13, admission 0.00
	// 7. multiview
	//    San Diego Zoo: Tiger, Millipede
	//    rows: zoo JOIN animal 6, zoo LEFT JOIN animal 8, animal LEFT JOIN zoo 17
	//    Hua Mei's mother is Bai Yun
	//    Wild Animal Park  2 animals, at most 4 legs
	//    San Diego Zoo     2 animals, at most 1000000 legs
	//    Sea_World         2 animals, at most 2 legs
}
