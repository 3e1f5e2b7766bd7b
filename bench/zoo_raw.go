package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	zsqlite "zombiezen.com/go/sqlite"
)

// The zoo suite by hand. The statements are the same on both databases
// ($n parameters work in SQLite too) except for casts; a small adapter
// runs them on pgx or on zombiezen. The zoo's queries return a handful of
// rows each, so the adapter's type switches cost nothing measurable; the
// row-heavy workloads call the drivers directly.

// rawDB is what the raw zoo needs of a connection.
type rawDB interface {
	exec(ctx context.Context, sql string, args ...any) (int64, error)
	// query runs sql and calls row for each row after scanning into dest.
	query(ctx context.Context, sql string, args []any, dest []any, row func()) error
	begin(ctx context.Context) error
	commit(ctx context.Context) error
	postgres() bool
}

// pgRaw runs statements on a pgx transaction when one is open, else on the pool.
type pgRaw struct {
	e  *rawEnv
	tx pgx.Tx
}

func (p *pgRaw) postgres() bool { return true }

func (p *pgRaw) exec(ctx context.Context, sql string, args ...any) (int64, error) {
	if p.tx != nil {
		tag, err := p.tx.Exec(ctx, sql, args...)
		return tag.RowsAffected(), err
	}
	tag, err := p.e.pool.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func (p *pgRaw) query(ctx context.Context, sql string, args []any, dest []any, row func()) error {
	var rows pgx.Rows
	var err error
	if p.tx != nil {
		rows, err = p.tx.Query(ctx, sql, args...)
	} else {
		rows, err = p.e.pool.Query(ctx, sql, args...)
	}
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, dest, func() error { row(); return nil })
	return err
}

func (p *pgRaw) begin(ctx context.Context) (err error) {
	p.tx, err = p.e.pool.Begin(ctx)
	return err
}

func (p *pgRaw) commit(ctx context.Context) error {
	err := p.tx.Commit(ctx)
	p.tx = nil
	return err
}

// liteRaw runs statements on the zombiezen connection, times stored as
// fixed-width UTC text.
type liteRaw struct{ e *rawEnv }

const rawTimeFormat = "2006-01-02 15:04:05Z"

func (l liteRaw) postgres() bool { return false }

func (l liteRaw) begin(context.Context) error  { return l.e.exec("BEGIN IMMEDIATE") }
func (l liteRaw) commit(context.Context) error { return l.e.exec("COMMIT") }

func bindAll(st *zsqlite.Stmt, args []any) error {
	for i, a := range args {
		n := i + 1
		switch v := a.(type) {
		case nil:
			st.BindNull(n)
		case string:
			st.BindText(n, v)
		case int64:
			st.BindInt64(n, v)
		case int32:
			st.BindInt64(n, int64(v))
		case int:
			st.BindInt64(n, int64(v))
		case float64:
			st.BindFloat(n, v)
		case time.Time:
			st.BindText(n, v.UTC().Format(rawTimeFormat))
		case *time.Time:
			if v == nil {
				st.BindNull(n)
			} else {
				st.BindText(n, v.UTC().Format(rawTimeFormat))
			}
		case *int64:
			if v == nil {
				st.BindNull(n)
			} else {
				st.BindInt64(n, *v)
			}
		case *float64:
			if v == nil {
				st.BindNull(n)
			} else {
				st.BindFloat(n, *v)
			}
		default:
			return fmt.Errorf("bench: cannot bind %T", a)
		}
	}
	return nil
}

func (l liteRaw) exec(_ context.Context, sql string, args ...any) (int64, error) {
	st := l.e.prep(sql)
	defer st.Reset()
	if err := bindAll(st, args); err != nil {
		return 0, err
	}
	if _, err := st.Step(); err != nil {
		return 0, err
	}
	return int64(l.e.zc.Changes()), nil
}

func (l liteRaw) query(_ context.Context, sql string, args []any, dest []any, row func()) error {
	st := l.e.prep(sql)
	defer st.Reset()
	if err := bindAll(st, args); err != nil {
		return err
	}
	for {
		ok, err := st.Step()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		for i, d := range dest {
			null := st.ColumnType(i) == zsqlite.TypeNull
			switch d := d.(type) {
			case *int64:
				*d = st.ColumnInt64(i)
			case *int32:
				*d = int32(st.ColumnInt64(i))
			case *string:
				*d = st.ColumnText(i)
			case *float64:
				*d = st.ColumnFloat(i)
			case **int64:
				*d = nil
				if !null {
					*d = ptrTo(st.ColumnInt64(i))
				}
			case **string:
				*d = nil
				if !null {
					*d = ptrTo(st.ColumnText(i))
				}
			case **float64:
				*d = nil
				if !null {
					*d = ptrTo(st.ColumnFloat(i))
				}
			case **time.Time:
				*d = nil
				if !null {
					t, err := time.Parse(rawTimeFormat, st.ColumnText(i))
					if err != nil {
						return err
					}
					*d = &t
				}
			default:
				return fmt.Errorf("bench: cannot scan into %T", d)
			}
		}
		row()
	}
}

type rawZooRec struct {
	ID        int64
	Name      string
	Founded   *time.Time
	Admission float64
}

type rawAnimalRec struct {
	ID         int64
	ZooID      *int64
	Name       string
	Species    string
	Legs       int32
	LastEscape *time.Time
	Lifespan   *float64
}

func rawZoo(ctx context.Context, e *rawEnv, iters int) (Check, error) {
	var db rawDB = liteRaw{e}
	num := "" // cast of numeric columns read as float
	if e.target.Postgres() {
		db, num = &pgRaw{e: e}, "::float8"
	}
	t := newZooTally(iters)

	// insert
	if err := db.begin(ctx); err != nil {
		return Check{}, err
	}
	ids := map[string]*int64{}
	if db.postgres() {
		names := make([]string, len(zooData))
		founded := make([]*time.Time, len(zooData))
		adm := make([]float64, len(zooData))
		for i, z := range zooData {
			names[i], founded[i], adm[i] = z.name, z.founded, float64(z.admission)/100
		}
		var id int64
		var name string
		if err := db.query(ctx, `INSERT INTO zoo (name, founded, admission) SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::float8[]) RETURNING id, name`,
			[]any{names, founded, adm}, []any{&id, &name}, func() { ids[name] = ptrTo(id) }); err != nil {
			return Check{}, err
		}
		animals := animalData(iters)
		zooIDs := make([]*int64, len(animals))
		an, as := make([]string, len(animals)), make([]string, len(animals))
		legs := make([]int32, len(animals))
		esc := make([]*time.Time, len(animals))
		life := make([]*float64, len(animals))
		for i, a := range animals {
			zooIDs[i], an[i], as[i], legs[i], esc[i], life[i] = ids[a.zoo], a.name, a.species, a.legs, a.lastEscape, a.lifespan
		}
		if _, err := db.exec(ctx, `INSERT INTO animal (zoo_id, name, species, legs, last_escape, lifespan)
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::float8[])`,
			zooIDs, an, as, legs, esc, life); err != nil {
			return Check{}, err
		}
	} else {
		for _, z := range zooData {
			if _, err := db.exec(ctx, `INSERT INTO zoo (name, founded, admission) VALUES ($1, $2, $3)`, z.name, z.founded, float64(z.admission)/100); err != nil {
				return Check{}, err
			}
			ids[z.name] = ptrTo(e.zc.LastInsertRowID())
		}
		for _, a := range animalData(iters) {
			if _, err := db.exec(ctx, `INSERT INTO animal (zoo_id, name, species, legs, last_escape, lifespan) VALUES ($1, $2, $3, $4, $5, $6)`,
				ids[a.zoo], a.name, a.species, a.legs, a.lastEscape, a.lifespan); err != nil {
				return Check{}, err
			}
		}
	}
	if err := db.commit(ctx); err != nil {
		return Check{}, err
	}

	var z rawZooRec
	zooCols := []any{&z.ID, &z.Name, &z.Founded, &z.Admission}
	zooSelect := `SELECT id, name, founded, admission` + num + ` FROM zoo`
	zoos := func(name, where string, args ...any) error {
		var got []rawZooRec
		err := db.query(ctx, zooSelect+" WHERE "+where, args, zooCols, func() { got = append(got, z) })
		t.got(name, len(got))
		return err
	}
	var a rawAnimalRec
	animalCols := []any{&a.ID, &a.ZooID, &a.Name, &a.Species, &a.Legs, &a.LastEscape, &a.Lifespan}
	animalSelect := `SELECT animal.id, animal.zoo_id, animal.name, animal.species, animal.legs, animal.last_escape, animal.lifespan FROM animal`
	animals := func(name, rest string, args ...any) error {
		var got []rawAnimalRec
		err := db.query(ctx, animalSelect+rest, args, animalCols, func() { got = append(got, a) })
		for _, x := range got {
			t.legs += int64(x.Legs)
		}
		t.got(name, len(got))
		return err
	}

	// properties
	for range iters {
		for _, err := range []error{
			zoos("zoo by name", "name = $1", zooWAP),
			zoos("zoo by founded", "founded = $1", zoo1835),
			zoos("zoo by name 2", "name = $1", zooBio),
			zoos("zoo by admission", "admission = $1", 60.0),
			animals("leopard", " WHERE species = $1", "Leopard"),
			animals("ostrich", " WHERE species = $1", "Ostrich"),
			animals("millipede", " WHERE legs = $1", int64(1000000)),
			animals("ticks", " WHERE species = $1", "Tick"),
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
			animals("all", ""),
			animals("legs = 4", " WHERE legs = $1", int64(4)),
			animals("legs = 2", " WHERE legs = $1", int64(2)),
			animals("2 <= legs < 20", " WHERE legs >= $1 AND legs < $2", int64(2), int64(20)),
			animals("legs > 10", " WHERE legs > $1", int64(10)),
			animals("lifespan > 70", " WHERE lifespan > $1", 70.0),
			animals("species L%", " WHERE species LIKE $1", "L%"),
			animals("species %pede", " WHERE species LIKE $1", "%pede"),
			animals("escaped", " WHERE last_escape IS NOT NULL"),
			animals("never escaped", " WHERE last_escape IS NULL"),
			animals("species %pede%", " WHERE species LIKE $1", "%pede%"),
			animals("species in", " WHERE species IN ($1, $2, $3)", "Lion", "Tiger", "Bear"),
			animals("name in", " WHERE name IN ($1, $2)", "Slug", "Ostrich"),
			animals("species like Lion", " WHERE species LIKE $1", "Lion"),
			animals("length(species) = 4", " WHERE length(species) = $1", int64(4)),
			animals("species %i%", " WHERE species LIKE $1", "%i%"),
			animals("escaped in 2004", " WHERE last_escape BETWEEN $1 AND $2", escape2004From, escape2004To),
			animals("escaped in December", " WHERE last_escape >= $1 AND last_escape < $2", escapeDecFrom, escapeDecTo),
			animals("escaped today", " WHERE last_escape = $1", now.Truncate(24*time.Hour)),
		} {
			if err != nil {
				return Check{}, err
			}
		}
		var n int64
		if err := db.query(ctx, `SELECT count(*) FROM zoo WHERE founded IS NOT NULL AND founded < $1`, []any{now}, []any{&n}, func() {}); err != nil {
			return Check{}, err
		}
		t.got("zoos founded", int(n))
	}

	// aggregates
	for range iters {
		var legs int32
		var all []int32
		if err := db.query(ctx, `SELECT DISTINCT legs FROM animal ORDER BY legs`, nil, []any{&legs}, func() { all = append(all, legs) }); err != nil {
			return Check{}, err
		}
		t.got("distinct legs", len(all))
		for _, l := range all {
			t.legs += int64(l)
		}
		type span struct {
			species  string
			lifespan *float64
		}
		var sp span
		var spans []span
		if err := db.query(ctx, `SELECT species, lifespan FROM animal WHERE lifespan IS NOT NULL ORDER BY species`, nil,
			[]any{&sp.species, &sp.lifespan}, func() { spans = append(spans, sp) }); err != nil {
			return Check{}, err
		}
		t.got("lifespans", len(spans))
		var name string
		var names []string
		if err := db.query(ctx, `SELECT name FROM zoo WHERE founded IS NOT NULL AND founded <= $1 AND founded >= $2 ORDER BY name`,
			[]any{time.Now().UTC(), zoo1990}, []any{&name}, func() { names = append(names, name) }); err != nil {
			return Check{}, err
		}
		t.got("recent zoos", len(names))
		var count, sum int64
		var maxL, minL int32
		var avg float64
		if err := db.query(ctx, `SELECT count(*), max(legs), min(legs), avg(lifespan), sum(legs) FROM animal`, nil,
			[]any{&count, &maxL, &minL, &avg, &sum}, func() {}); err != nil {
			return Check{}, err
		}
		t.aggregates(count, maxL, minL, sum, iters)
	}

	// editing
	if err := db.begin(ctx); err != nil {
		return Check{}, err
	}
	one := func(name, zooName string) (rawZooRec, error) {
		var got []rawZooRec
		err := db.query(ctx, zooSelect+" WHERE name = $1", []any{zooName}, zooCols, func() { got = append(got, z) })
		t.got(name, len(got))
		if err == nil && len(got) != 1 {
			return rawZooRec{}, checkf("zoo %q: %d rows", zooName, len(got))
		}
		return got[0], err
	}
	update := `UPDATE zoo SET name = $1, founded = $2, admission = $3 WHERE id = $4`
	for range iters {
		sdz, err := one("edit load", zooSDZ)
		if err != nil {
			return Check{}, err
		}
		if _, err := db.exec(ctx, update, zooSDZNew, zoo1900, 35.0, sdz.ID); err != nil {
			return Check{}, err
		}
		again, err := one("edit reload", zooSDZNew)
		if err != nil {
			return Check{}, err
		}
		if again.Founded == nil || !again.Founded.Equal(zoo1900) {
			t.fail("edited zoo founded %v", again.Founded)
		}
		if _, err := db.exec(ctx, update, zooSDZ, zoo1835, 0.0, sdz.ID); err != nil {
			return Check{}, err
		}
		back, err := one("edit back", zooSDZ)
		if err != nil {
			return Check{}, err
		}
		if back.Founded == nil || !back.Founded.Equal(zoo1835) {
			t.fail("zoo edited back founded %v", back.Founded)
		}
	}
	if err := db.commit(ctx); err != nil {
		return Check{}, err
	}

	// multiview
	for range iters {
		if err := animals("sdz animals", ` JOIN zoo ON zoo.id = animal.zoo_id WHERE zoo.name = $1 ORDER BY animal.id`, zooSDZ); err != nil {
			return Check{}, err
		}
		var zid, aid int64
		n := 0
		if err := db.query(ctx, `SELECT zoo.id, animal.id FROM zoo JOIN animal ON animal.zoo_id = zoo.id WHERE zoo.name = $1 AND animal.species = $2`,
			[]any{zooWAP, "Leopard"}, []any{&zid, &aid}, func() { n++ }); err != nil {
			return Check{}, err
		}
		t.got("zoo and leopard", n)
		type pair struct {
			zoo     *string
			species *string
		}
		var p pair
		var pairs []pair
		collect := func(name, sql string) error {
			pairs = pairs[:0]
			err := db.query(ctx, sql, nil, []any{&p.zoo, &p.species}, func() { pairs = append(pairs, p) })
			t.got(name, len(pairs))
			return err
		}
		for _, err := range []error{
			collect("inner join", `SELECT zoo.name, animal.species FROM zoo JOIN animal ON animal.zoo_id = zoo.id`),
			collect("zoos without animals", `SELECT zoo.name, animal.species FROM zoo LEFT JOIN animal ON animal.zoo_id = zoo.id WHERE animal.id IS NULL ORDER BY zoo.name`),
			collect("animals left join zoos", `SELECT zoo.name, animal.species FROM animal LEFT JOIN zoo ON zoo.id = animal.zoo_id`),
		} {
			if err != nil {
				return Check{}, err
			}
		}
		type perZoo struct {
			name    string
			count   int64
			maxLegs int32
		}
		var pz perZoo
		var per []perZoo
		if err := db.query(ctx, `SELECT zoo.name, count(*), max(animal.legs) FROM zoo JOIN animal ON animal.zoo_id = zoo.id
			GROUP BY zoo.name HAVING count(*) >= $1 ORDER BY zoo.name`, []any{int64(2)}, []any{&pz.name, &pz.count, &pz.maxLegs},
			func() { per = append(per, pz) }); err != nil {
			return Check{}, err
		}
		t.got("animals per zoo", len(per))
		for _, x := range per {
			t.legs += int64(x.maxLegs)
		}
	}
	return t.check()
}
