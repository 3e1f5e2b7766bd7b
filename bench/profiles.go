package bench

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
	"github.com/uptrace/bun"
	"gorm.io/gorm"
)

// three-profiles: "A Tale of Three Profiles" (2010). Bosses are added;
// then, for each batch of grunts, the boss is queried by name and the batch
// is added (an ORM flushes the previous batch before the query); all in one
// transaction. Then a report of every grunt with its boss's name and golf
// average.
//
// Every implementation uses plain tables, boss and grunt, with
// grunt.employer_id referencing boss.id (the seed uses joined-table
// inheritance; GORM and bun have none). retort-inherit runs the seed's
// model with package inherit: tables employee, boss_ih and grunt_ih.

const profilesPlain = "plain tables boss, grunt (grunt.employer_id -> boss.id)"

// reportLine is one line of the report: what the seed's report collects.
type reportLine struct {
	grunt    string
	savings  int64 // cents
	employer string
	golf     int64 // cents
}

func sumReport(report []reportLine) Check {
	var p profileSum
	for _, l := range report {
		p.line(l.grunt, l.savings, l.employer, l.golf)
	}
	return p.check()
}

func cents(d retort.Decimal) int64 {
	r, err := d.Rescale(2)
	if err != nil {
		return math.MinInt64
	}
	return r.Units()
}

func floatCents(f float64) int64 { return int64(math.Round(f * 100)) }

// ---- Retort ----

type rBoss struct {
	ID          int64
	Name        string
	GolfAverage retort.Decimal
}

type rGrunt struct {
	ID         int64
	Name       string
	Savings    retort.Decimal
	EmployerID int64
}

var (
	rBosses       = retort.NewTable[rBoss]("boss")
	rBossID       = retort.Col(rBosses, "id", func(b *rBoss) *int64 { return &b.ID }, retort.PrimaryKey())
	rBossName     = retort.Col(rBosses, "name", func(b *rBoss) *string { return &b.Name }, retort.Size(100), retort.Indexed())
	_             = retort.ColType(rBosses, "golf_average", func(b *rBoss) *retort.Decimal { return &b.GolfAverage }, retort.Numeric(10, 2))
	rGrunts       = retort.NewTable[rGrunt]("grunt")
	rGruntID      = retort.Col(rGrunts, "id", func(g *rGrunt) *int64 { return &g.ID }, retort.PrimaryKey())
	_             = retort.Col(rGrunts, "name", func(g *rGrunt) *string { return &g.Name }, retort.Size(100))
	_             = retort.ColType(rGrunts, "savings", func(g *rGrunt) *retort.Decimal { return &g.Savings }, retort.Numeric(10, 2))
	_             = retort.Col(rGrunts, "employer_id", func(g *rGrunt) *int64 { return &g.EmployerID }).References(rBossID)
	profileTables = []retort.Schema{rBosses, rGrunts}
)

func retortProfiles(ctx context.Context, db retort.DB, size Size) (Check, error) {
	s := session.New(db)
	for i := range size.Bosses {
		if err := session.Add(s, &rBoss{Name: bossName(i), GolfAverage: retort.NewDecimal(golfCents(i), 2)}); err != nil {
			return Check{}, err
		}
	}
	for start := 0; start < size.Grunts; start += size.Batch {
		// The query flushes what was added before it.
		boss, err := session.First(ctx, s, retort.Select(rBosses).Where(rBossName.Eq(bossName(employerOf(start/size.Batch)))))
		if err != nil {
			return Check{}, err
		}
		for i := start; i < min(size.Grunts, start+size.Batch); i++ {
			g := &rGrunt{Name: gruntName(i), Savings: retort.NewDecimal(savingsCents(i), 2), EmployerID: boss.ID}
			if err := session.Add(s, g); err != nil {
				return Check{}, err
			}
		}
	}
	if err := s.Commit(ctx); err != nil {
		return Check{}, err
	}
	grunts, err := session.All(ctx, s, retort.Select(rGrunts).OrderBy(rGruntID.Asc()))
	if err != nil {
		return Check{}, err
	}
	report := make([]reportLine, 0, len(grunts))
	for _, g := range grunts {
		boss, err := session.Get(ctx, s, rBosses, g.EmployerID) // from the identity map
		if err != nil {
			return Check{}, err
		}
		report = append(report, reportLine{g.Name, cents(g.Savings), boss.Name, cents(boss.GolfAverage)})
	}
	return sumReport(report), nil
}

// ---- hand-written pgx ----

// rawProfilesPG is what a careful pgx user writes: one transaction, one
// unnest() INSERT for the bosses and one per batch of grunts, one query per
// boss, one joined query for the report. Money travels as float8 and is
// converted by the server (numeric encoding in pgx allocates heavily).
func rawProfilesPG(ctx context.Context, e *rawEnv, size Size) (Check, error) {
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		return Check{}, err
	}
	defer tx.Rollback(ctx)
	names := make([]string, size.Bosses)
	golf := make([]float64, size.Bosses)
	for i := range names {
		names[i], golf[i] = bossName(i), float64(golfCents(i))/100
	}
	if _, err := tx.Exec(ctx, `INSERT INTO boss (name, golf_average) SELECT * FROM unnest($1::text[], $2::float8[])`, names, golf); err != nil {
		return Check{}, err
	}
	gnames := make([]string, 0, size.Batch)
	savings := make([]float64, 0, size.Batch)
	employers := make([]int64, 0, size.Batch)
	for start := 0; start < size.Grunts; start += size.Batch {
		var id int64
		var name string
		var avg float64
		if err := tx.QueryRow(ctx, `SELECT id, name, golf_average::float8 FROM boss WHERE name = $1 ORDER BY id LIMIT 1`,
			bossName(employerOf(start/size.Batch))).Scan(&id, &name, &avg); err != nil {
			return Check{}, err
		}
		gnames, savings, employers = gnames[:0], savings[:0], employers[:0]
		for i := start; i < min(size.Grunts, start+size.Batch); i++ {
			gnames = append(gnames, gruntName(i))
			savings = append(savings, float64(savingsCents(i))/100)
			employers = append(employers, id)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO grunt (name, savings, employer_id) SELECT * FROM unnest($1::text[], $2::float8[], $3::bigint[])`,
			gnames, savings, employers); err != nil {
			return Check{}, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return Check{}, err
	}
	rows, err := e.pool.Query(ctx, `SELECT g.name, g.savings::float8, b.name, b.golf_average::float8
		FROM grunt g JOIN boss b ON b.id = g.employer_id ORDER BY g.id`)
	if err != nil {
		return Check{}, err
	}
	report := make([]reportLine, 0, size.Grunts)
	var l reportLine
	var sav, gf float64
	_, err = pgx.ForEachRow(rows, []any{&l.grunt, &sav, &l.employer, &gf}, func() error {
		l.savings, l.golf = floatCents(sav), floatCents(gf)
		report = append(report, l)
		return nil
	})
	if err != nil {
		return Check{}, err
	}
	return sumReport(report), nil
}

// ---- hand-written zombiezen ----

// rawProfilesSQLite: one transaction, prepared INSERTs reused for every
// row, one query per boss, one joined query for the report.
func rawProfilesSQLite(_ context.Context, e *rawEnv, size Size) (res Check, err error) {
	if err := e.exec("BEGIN IMMEDIATE"); err != nil {
		return Check{}, err
	}
	defer func() {
		if err != nil {
			_ = e.exec("ROLLBACK")
		}
	}()
	ins := e.zc.Prep(`INSERT INTO boss (name, golf_average) VALUES (?, ?)`)
	for i := range size.Bosses {
		e.count.add()
		ins.BindText(1, bossName(i))
		ins.BindFloat(2, float64(golfCents(i))/100)
		if _, err := ins.Step(); err != nil {
			return Check{}, err
		}
		ins.Reset()
	}
	q := e.zc.Prep(`SELECT id, name, golf_average FROM boss WHERE name = ? ORDER BY id LIMIT 1`)
	gins := e.zc.Prep(`INSERT INTO grunt (name, savings, employer_id) VALUES (?, ?, ?)`)
	for start := 0; start < size.Grunts; start += size.Batch {
		e.count.add()
		q.BindText(1, bossName(employerOf(start/size.Batch)))
		ok, err := q.Step()
		if err != nil {
			return Check{}, err
		}
		if !ok {
			return Check{}, checkf("boss %d not found", employerOf(start/size.Batch))
		}
		id := q.ColumnInt64(0)
		_, _ = q.ColumnText(1), q.ColumnFloat(2)
		q.Reset()
		for i := start; i < min(size.Grunts, start+size.Batch); i++ {
			e.count.add()
			gins.BindText(1, gruntName(i))
			gins.BindFloat(2, float64(savingsCents(i))/100)
			gins.BindInt64(3, id)
			if _, err := gins.Step(); err != nil {
				return Check{}, err
			}
			gins.Reset()
		}
	}
	if err := e.exec("COMMIT"); err != nil {
		return Check{}, err
	}
	r := e.zc.Prep(`SELECT g.name, g.savings, b.name, b.golf_average FROM grunt g JOIN boss b ON b.id = g.employer_id ORDER BY g.id`)
	e.count.add()
	report := make([]reportLine, 0, size.Grunts)
	for {
		ok, err := r.Step()
		if err != nil {
			return Check{}, err
		}
		if !ok {
			break
		}
		report = append(report, reportLine{r.ColumnText(0), floatCents(r.ColumnFloat(1)), r.ColumnText(2), floatCents(r.ColumnFloat(3))})
	}
	r.Reset()
	return sumReport(report), nil
}

// ---- GORM ----

type gBoss struct {
	ID          int64
	Name        string
	GolfAverage float64
}

func (gBoss) TableName() string { return "boss" }

type gGrunt struct {
	ID         int64
	Name       string
	Savings    float64
	EmployerID int64
	Employer   *gBoss `gorm:"foreignKey:EmployerID"`
}

func (gGrunt) TableName() string { return "grunt" }

func gormProfiles(ctx context.Context, db *gorm.DB, size Size) (Check, error) {
	db = db.WithContext(ctx)
	err := db.Transaction(func(tx *gorm.DB) error {
		bosses := make([]gBoss, size.Bosses)
		for i := range bosses {
			bosses[i] = gBoss{Name: bossName(i), GolfAverage: float64(golfCents(i)) / 100}
		}
		if err := tx.CreateInBatches(&bosses, 1000).Error; err != nil {
			return err
		}
		for start := 0; start < size.Grunts; start += size.Batch {
			var boss gBoss
			if err := tx.Where("name = ?", bossName(employerOf(start/size.Batch))).First(&boss).Error; err != nil {
				return err
			}
			grunts := make([]gGrunt, 0, size.Batch)
			for i := start; i < min(size.Grunts, start+size.Batch); i++ {
				grunts = append(grunts, gGrunt{Name: gruntName(i), Savings: float64(savingsCents(i)) / 100, EmployerID: boss.ID})
			}
			if err := tx.Create(&grunts).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Check{}, err
	}
	var grunts []gGrunt
	if err := db.Preload("Employer").Order("id").Find(&grunts).Error; err != nil {
		return Check{}, err
	}
	report := make([]reportLine, 0, len(grunts))
	for _, g := range grunts {
		if g.Employer == nil {
			return Check{}, checkf("grunt %d has no employer", g.ID)
		}
		report = append(report, reportLine{g.Name, floatCents(g.Savings), g.Employer.Name, floatCents(g.Employer.GolfAverage)})
	}
	return sumReport(report), nil
}

// ---- bun ----

type bBoss struct {
	bun.BaseModel `bun:"table:boss,alias:b"`
	ID            int64 `bun:"id,pk,autoincrement"`
	Name          string
	GolfAverage   bunMoney
}

type bGrunt struct {
	bun.BaseModel `bun:"table:grunt,alias:g"`
	ID            int64 `bun:"id,pk,autoincrement"`
	Name          string
	Savings       bunMoney
	EmployerID    int64
	Employer      *bBoss `bun:"rel:belongs-to,join:employer_id=id"`
}

func bunProfiles(ctx context.Context, db *bun.DB, size Size) (Check, error) {
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		bosses := make([]bBoss, size.Bosses)
		for i := range bosses {
			bosses[i] = bBoss{Name: bossName(i), GolfAverage: bunMoney(golfCents(i)) / 100}
		}
		if _, err := tx.NewInsert().Model(&bosses).Exec(ctx); err != nil {
			return err
		}
		for start := 0; start < size.Grunts; start += size.Batch {
			var boss bBoss
			if err := tx.NewSelect().Model(&boss).Where("name = ?", bossName(employerOf(start/size.Batch))).Order("id").Limit(1).Scan(ctx); err != nil {
				return err
			}
			grunts := make([]bGrunt, 0, size.Batch)
			for i := start; i < min(size.Grunts, start+size.Batch); i++ {
				grunts = append(grunts, bGrunt{Name: gruntName(i), Savings: bunMoney(savingsCents(i)) / 100, EmployerID: boss.ID})
			}
			if _, err := tx.NewInsert().Model(&grunts).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Check{}, err
	}
	var grunts []bGrunt
	if err := db.NewSelect().Model(&grunts).Relation("Employer").Order("g.id").Scan(ctx); err != nil {
		return Check{}, err
	}
	report := make([]reportLine, 0, len(grunts))
	for _, g := range grunts {
		if g.Employer == nil {
			return Check{}, checkf("grunt %d has no employer", g.ID)
		}
		report = append(report, reportLine{g.Name, floatCents(float64(g.Savings)), g.Employer.Name, floatCents(float64(g.Employer.GolfAverage))})
	}
	return sumReport(report), nil
}

// bunMoney is a float64 that scans SQLite's NUMERIC values: SQLite stores
// a whole number in a NUMERIC column as an integer, which bun does not scan
// into float64 ("can't scan 77 (int64) into float64").
type bunMoney float64

// Scan implements sql.Scanner.
func (m *bunMoney) Scan(src any) error {
	switch v := src.(type) {
	case float64:
		*m = bunMoney(v)
	case int64:
		*m = bunMoney(v)
	case []byte:
		f, err := strconv.ParseFloat(string(v), 64)
		*m = bunMoney(f)
		return err
	case string:
		f, err := strconv.ParseFloat(v, 64)
		*m = bunMoney(f)
		return err
	default:
		return fmt.Errorf("bench: cannot scan %T into money", src)
	}
	return nil
}

// Value implements driver.Valuer.
func (m bunMoney) Value() (driver.Value, error) { return float64(m), nil }

// ---- the workload ----

func openProfiles(ctx context.Context, impl string, target Target, size Size) (*Case, error) {
	const w = "three-profiles"
	if size.Bosses <= size.Grunts/size.Batch {
		return nil, fmt.Errorf("bench: three-profiles needs more bosses than batches")
	}
	switch impl {
	case Retort:
		e, err := openRetort(ctx, target, impl, w, profileTables)
		if err != nil {
			return nil, err
		}
		return e.newCase(profilesPlain+"; report bosses from the identity map", nil, func(ctx context.Context) (Check, error) {
			return retortProfiles(ctx, e.db, size)
		}), nil
	case RetortInherit:
		return openProfilesInherit(ctx, target, size)
	case Raw:
		e, err := openRaw(ctx, target, w, profileTables)
		if err != nil {
			return nil, err
		}
		return e.newCase(profilesPlain+"; report is one JOIN", nil, func(ctx context.Context) (Check, error) {
			if target.Postgres() {
				return rawProfilesPG(ctx, e, size)
			}
			return rawProfilesSQLite(ctx, e, size)
		}), nil
	case GORM, Bun:
		e, err := openSQLEnv(ctx, target, impl, w, profileTables)
		if err != nil {
			return nil, err
		}
		if impl == GORM {
			return e.newCase(profilesPlain+"; money as float64; report with Preload", nil, func(ctx context.Context) (Check, error) {
				return gormProfiles(ctx, e.gorm, size)
			}), nil
		}
		return e.newCase(profilesPlain+"; money as float64 (a Scanner type: bun cannot scan SQLite's integer NUMERIC values into float64); report with Relation (JOIN)", nil, func(ctx context.Context) (Check, error) {
			return bunProfiles(ctx, e.bun, size)
		}), nil
	}
	return nil, errNoImpl
}
