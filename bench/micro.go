package bench

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
	"github.com/uptrace/bun"
	"gorm.io/gorm"
	zsqlite "zombiezen.com/go/sqlite"
)

// The micro workloads, in the style of the public Go ORM benchmark suites
// (efectn/go-orm-benchmarks): a model of seven columns, and per run a fixed
// number of operations, each as a separate unit of work:
//
//	micro-insert     insert one row (key written back)
//	micro-insert100  insert 100 rows (keys written back)
//	micro-update     change one loaded row and write it
//	micro-read       read one row by key
//	micro-read100    read 100 rows
//
// The read and update workloads start from microSeed rows.

const microSeed = 1000

type rModel struct {
	ID      int64
	Name    string
	Title   string
	Fax     string
	Web     string
	Age     int64
	Flag    bool
	Counter int64
}

var (
	rModels      = retort.NewTable[rModel]("model")
	rModelID     = retort.Col(rModels, "id", func(m *rModel) *int64 { return &m.ID }, retort.PrimaryKey())
	_            = retort.Col(rModels, "name", func(m *rModel) *string { return &m.Name }, retort.Size(100))
	_            = retort.Col(rModels, "title", func(m *rModel) *string { return &m.Title }, retort.Size(100))
	_            = retort.Col(rModels, "fax", func(m *rModel) *string { return &m.Fax }, retort.Size(100))
	_            = retort.Col(rModels, "web", func(m *rModel) *string { return &m.Web }, retort.Size(100))
	_            = retort.Col(rModels, "age", func(m *rModel) *int64 { return &m.Age })
	_            = retort.Col(rModels, "flag", func(m *rModel) *bool { return &m.Flag })
	_            = retort.Col(rModels, "counter", func(m *rModel) *int64 { return &m.Counter })
	microTables  = []retort.Schema{rModels}
	microColumns = "id, name, title, fax, web, age, flag, counter"
)

func newModel(i int) rModel {
	return rModel{Name: "Orm Benchmark", Title: "Just a Benchmark for fun", Fax: "99909990", Web: "http://blog.milkpod29.me", Age: int64(i % 100), Flag: i%2 == 0, Counter: int64(i)}
}

// microSeedSQL fills the table with rows 1..microSeed built like newModel.
func microSeedSQL(postgres bool) []string {
	src := `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ` + strconv.Itoa(microSeed) + `) `
	from := ` FROM s`
	flag := `(i - 1) % 2 = 0`
	if postgres {
		src, from = "", ` FROM generate_series(1, `+strconv.Itoa(microSeed)+`) AS s(i)`
	}
	return []string{src + `INSERT INTO model (name, title, fax, web, age, flag, counter) SELECT 'Orm Benchmark', 'Just a Benchmark for fun', '99909990', 'http://blog.milkpod29.me', (i - 1) % 100, ` +
		flag + `, i - 1` + from}
}

// microSum checks models: how many, and sums of their numbers and keys.
type microSum struct{ rows, ids, age, counter, text int64 }

func (s *microSum) add(id int64, name string, age int64, flag bool, counter int64) {
	s.rows++
	s.ids += id
	s.age += age
	s.counter += counter
	s.text += int64(len(name))
	if flag {
		s.text++
	}
}

func (s *microSum) check() Check {
	return Check{Rows: s.rows, Sum: fmt.Sprintf("ids=%d age=%d counter=%d text=%d", s.ids, s.age, s.counter, s.text)}
}

type microOp struct {
	name, about string
	seeded      bool
	ops         func(Size) int
	expect      func(Size) *Check
	retort      func(ctx context.Context, db retort.DB, n int) (Check, error)
	raw         func(ctx context.Context, e *rawEnv, n int) (Check, error)
	gorm        func(ctx context.Context, db *gorm.DB, n int) (Check, error)
	bun         func(ctx context.Context, db *bun.DB, n int) (Check, error)
}

func singleOps(s Size) int { return s.MicroOps }
func batchOps(s Size) int  { return s.microBatchOps() }

// Expected checks. Inserts: keys 1..n (fresh tables). Reads: the rows read.
// Update: the row's counter after n increments.
func expectInsert(rows func(Size) int) func(Size) *Check {
	return func(s Size) *Check {
		var m microSum
		for i := range rows(s) {
			mm := newModel(i)
			m.add(int64(i+1), mm.Name, mm.Age, mm.Flag, mm.Counter)
		}
		c := m.check()
		return &c
	}
}

func readKey(i int) int64 { return int64(i%microSeed) + 1 }

func expectRead(s Size) *Check {
	var m microSum
	for i := range s.MicroOps {
		id := readKey(i)
		mm := newModel(int(id - 1))
		m.add(id, mm.Name, mm.Age, mm.Flag, mm.Counter)
	}
	c := m.check()
	return &c
}

func expectRead100(s Size) *Check {
	var m microSum
	for range s.microBatchOps() {
		for i := range 100 {
			mm := newModel(i)
			m.add(int64(i+1), mm.Name, mm.Age, mm.Flag, mm.Counter)
		}
	}
	c := m.check()
	return &c
}

func expectUpdate(s Size) *Check {
	c := Check{Rows: int64(s.MicroOps), Sum: fmt.Sprintf("counter=%d", s.MicroOps)}
	return &c
}

var microOps = []*microOp{
	{
		name: "micro-insert", about: "insert one row, as its own unit of work", ops: singleOps, expect: expectInsert(singleOps),
		retort: func(ctx context.Context, db retort.DB, n int) (Check, error) {
			var m microSum
			for i := range n {
				obj := newModel(i)
				s := session.New(db)
				if err := session.Add(s, &obj); err != nil {
					return Check{}, err
				}
				if err := s.Commit(ctx); err != nil {
					return Check{}, err
				}
				m.add(obj.ID, obj.Name, obj.Age, obj.Flag, obj.Counter)
			}
			return m.check(), nil
		},
		raw: func(ctx context.Context, e *rawEnv, n int) (Check, error) {
			var m microSum
			for i := range n {
				obj := newModel(i)
				if e.target.Postgres() {
					if err := e.pool.QueryRow(ctx, `INSERT INTO model (name, title, fax, web, age, flag, counter) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
						obj.Name, obj.Title, obj.Fax, obj.Web, obj.Age, obj.Flag, obj.Counter).Scan(&obj.ID); err != nil {
						return Check{}, err
					}
				} else {
					st := e.prep(`INSERT INTO model (name, title, fax, web, age, flag, counter) VALUES (?, ?, ?, ?, ?, ?, ?)`)
					bindModel(st, &obj)
					if _, err := st.Step(); err != nil {
						return Check{}, err
					}
					st.Reset()
					obj.ID = e.zc.LastInsertRowID()
				}
				m.add(obj.ID, obj.Name, obj.Age, obj.Flag, obj.Counter)
			}
			return m.check(), nil
		},
		gorm: func(ctx context.Context, db *gorm.DB, n int) (Check, error) {
			db = db.WithContext(ctx)
			var m microSum
			for i := range n {
				obj := gModel(newModel(i))
				if err := db.Create(&obj).Error; err != nil {
					return Check{}, err
				}
				m.add(obj.ID, obj.Name, obj.Age, obj.Flag, obj.Counter)
			}
			return m.check(), nil
		},
		bun: func(ctx context.Context, db *bun.DB, n int) (Check, error) {
			var m microSum
			for i := range n {
				obj := newBModel(i)
				if _, err := db.NewInsert().Model(&obj).Exec(ctx); err != nil {
					return Check{}, err
				}
				m.add(obj.ID, obj.Name, obj.Age, obj.Flag, obj.Counter)
			}
			return m.check(), nil
		},
	},
	{
		name: "micro-insert100", about: "insert 100 rows, as one unit of work", ops: batchOps, expect: expectInsert(func(s Size) int { return 100 * s.microBatchOps() }),
		retort: func(ctx context.Context, db retort.DB, n int) (Check, error) {
			var m microSum
			for k := range n {
				objs := make([]*rModel, 100)
				for i := range objs {
					obj := newModel(k*100 + i)
					objs[i] = &obj
				}
				s := session.New(db)
				if err := session.AddAll(s, objs...); err != nil {
					return Check{}, err
				}
				if err := s.Commit(ctx); err != nil {
					return Check{}, err
				}
				for _, o := range objs {
					m.add(o.ID, o.Name, o.Age, o.Flag, o.Counter)
				}
			}
			return m.check(), nil
		},
		raw: func(ctx context.Context, e *rawEnv, n int) (Check, error) {
			var m microSum
			for k := range n {
				objs := make([]rModel, 100)
				for i := range objs {
					objs[i] = newModel(k*100 + i)
				}
				if e.target.Postgres() {
					// One INSERT of unnest()ed arrays; keys from the
					// sequence, returned in input order (as in bulk-50k).
					names, titles, faxes, webs := make([]string, 100), make([]string, 100), make([]string, 100), make([]string, 100)
					ages, flags, counters := make([]int64, 100), make([]bool, 100), make([]int64, 100)
					for i, o := range objs {
						names[i], titles[i], faxes[i], webs[i], ages[i], flags[i], counters[i] = o.Name, o.Title, o.Fax, o.Web, o.Age, o.Flag, o.Counter
					}
					rows, err := e.pool.Query(ctx, `WITH v AS (SELECT nextval('model_id_seq') AS id, u.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bool[], $7::bigint[])
							WITH ORDINALITY AS u (name, title, fax, web, age, flag, counter, ord)),
						i AS (INSERT INTO model (id, name, title, fax, web, age, flag, counter) SELECT id, name, title, fax, web, age, flag, counter FROM v)
						SELECT id FROM v ORDER BY ord`, names, titles, faxes, webs, ages, flags, counters)
					if err != nil {
						return Check{}, err
					}
					k := 0
					var id int64
					if _, err := pgx.ForEachRow(rows, []any{&id}, func() error {
						if k < len(objs) {
							objs[k].ID = id
						}
						k++
						return nil
					}); err != nil {
						return Check{}, err
					}
					if k != len(objs) {
						return Check{}, checkf("%d keys for %d rows", k, len(objs))
					}
				} else {
					if err := e.exec("BEGIN IMMEDIATE"); err != nil {
						return Check{}, err
					}
					st := e.zc.Prep(`INSERT INTO model (name, title, fax, web, age, flag, counter) VALUES (?, ?, ?, ?, ?, ?, ?)`)
					for i := range objs {
						e.count.add()
						bindModel(st, &objs[i])
						if _, err := st.Step(); err != nil {
							_ = e.exec("ROLLBACK")
							return Check{}, err
						}
						st.Reset()
						objs[i].ID = e.zc.LastInsertRowID()
					}
					if err := e.exec("COMMIT"); err != nil {
						return Check{}, err
					}
				}
				for _, o := range objs {
					m.add(o.ID, o.Name, o.Age, o.Flag, o.Counter)
				}
			}
			return m.check(), nil
		},
		gorm: func(ctx context.Context, db *gorm.DB, n int) (Check, error) {
			db = db.WithContext(ctx)
			var m microSum
			for k := range n {
				objs := make([]gModel, 100)
				for i := range objs {
					objs[i] = gModel(newModel(k*100 + i))
				}
				if err := db.Create(&objs).Error; err != nil {
					return Check{}, err
				}
				for _, o := range objs {
					m.add(o.ID, o.Name, o.Age, o.Flag, o.Counter)
				}
			}
			return m.check(), nil
		},
		bun: func(ctx context.Context, db *bun.DB, n int) (Check, error) {
			var m microSum
			for k := range n {
				objs := make([]bModel, 100)
				for i := range objs {
					objs[i] = newBModel(k*100 + i)
				}
				if _, err := db.NewInsert().Model(&objs).Exec(ctx); err != nil {
					return Check{}, err
				}
				for _, o := range objs {
					m.add(o.ID, o.Name, o.Age, o.Flag, o.Counter)
				}
			}
			return m.check(), nil
		},
	},
	{
		name: "micro-update", about: "change one loaded row and write it, as its own unit of work", seeded: true, ops: singleOps, expect: expectUpdate,
		retort: func(ctx context.Context, db retort.DB, n int) (Check, error) {
			s := session.New(db)
			obj, err := session.Get(ctx, s, rModels, int64(1))
			if err != nil {
				return Check{}, err
			}
			obj.Counter = 0
			for range n {
				obj.Counter++
				if err := s.Commit(ctx); err != nil {
					return Check{}, err
				}
			}
			return updated(n, obj.Counter), nil
		},
		raw: func(ctx context.Context, e *rawEnv, n int) (Check, error) {
			var obj rModel
			if e.target.Postgres() {
				if err := e.pool.QueryRow(ctx, `SELECT `+microColumns+` FROM model WHERE id = $1`, 1).
					Scan(&obj.ID, &obj.Name, &obj.Title, &obj.Fax, &obj.Web, &obj.Age, &obj.Flag, &obj.Counter); err != nil {
					return Check{}, err
				}
			} else {
				st := e.prep(`SELECT ` + microColumns + ` FROM model WHERE id = ?`)
				st.BindInt64(1, 1)
				if ok, err := st.Step(); err != nil || !ok {
					return Check{}, fmt.Errorf("bench: row 1: %v", err)
				}
				obj = scanModel(st)
				st.Reset()
			}
			obj.Counter = 0
			for range n {
				obj.Counter++
				var changed int64
				if e.target.Postgres() {
					tag, err := e.pool.Exec(ctx, `UPDATE model SET counter = $1 WHERE id = $2`, obj.Counter, obj.ID)
					if err != nil {
						return Check{}, err
					}
					changed = tag.RowsAffected()
				} else {
					st := e.prep(`UPDATE model SET counter = ? WHERE id = ?`)
					st.BindInt64(1, obj.Counter)
					st.BindInt64(2, obj.ID)
					if _, err := st.Step(); err != nil {
						return Check{}, err
					}
					st.Reset()
					changed = int64(e.zc.Changes())
				}
				if changed != 1 {
					return Check{}, checkf("update changed %d rows", changed)
				}
			}
			return updated(n, obj.Counter), nil
		},
		gorm: func(ctx context.Context, db *gorm.DB, n int) (Check, error) {
			db = db.WithContext(ctx)
			var obj gModel
			if err := db.First(&obj, 1).Error; err != nil {
				return Check{}, err
			}
			obj.Counter = 0
			for range n {
				obj.Counter++
				if err := db.Save(&obj).Error; err != nil {
					return Check{}, err
				}
			}
			return updated(n, obj.Counter), nil
		},
		bun: func(ctx context.Context, db *bun.DB, n int) (Check, error) {
			var obj bModel
			if err := db.NewSelect().Model(&obj).Where("id = ?", 1).Scan(ctx); err != nil {
				return Check{}, err
			}
			obj.Counter = 0
			for range n {
				obj.Counter++
				if _, err := db.NewUpdate().Model(&obj).WherePK().Exec(ctx); err != nil {
					return Check{}, err
				}
			}
			return updated(n, obj.Counter), nil
		},
	},
	{
		name: "micro-read", about: "read one row by key", seeded: true, ops: singleOps, expect: expectRead,
		retort: func(ctx context.Context, db retort.DB, n int) (Check, error) {
			var m microSum
			for i := range n {
				obj, err := session.Get(ctx, session.New(db), rModels, readKey(i))
				if err != nil {
					return Check{}, err
				}
				m.add(obj.ID, obj.Name, obj.Age, obj.Flag, obj.Counter)
			}
			return m.check(), nil
		},
		raw: func(ctx context.Context, e *rawEnv, n int) (Check, error) {
			var m microSum
			for i := range n {
				var obj rModel
				if e.target.Postgres() {
					if err := e.pool.QueryRow(ctx, `SELECT `+microColumns+` FROM model WHERE id = $1`, readKey(i)).
						Scan(&obj.ID, &obj.Name, &obj.Title, &obj.Fax, &obj.Web, &obj.Age, &obj.Flag, &obj.Counter); err != nil {
						return Check{}, err
					}
				} else {
					st := e.prep(`SELECT ` + microColumns + ` FROM model WHERE id = ?`)
					st.BindInt64(1, readKey(i))
					if ok, err := st.Step(); err != nil || !ok {
						return Check{}, fmt.Errorf("bench: row %d: %v", readKey(i), err)
					}
					obj = scanModel(st)
					st.Reset()
				}
				m.add(obj.ID, obj.Name, obj.Age, obj.Flag, obj.Counter)
			}
			return m.check(), nil
		},
		gorm: func(ctx context.Context, db *gorm.DB, n int) (Check, error) {
			db = db.WithContext(ctx)
			var m microSum
			for i := range n {
				var obj gModel
				if err := db.First(&obj, readKey(i)).Error; err != nil {
					return Check{}, err
				}
				m.add(obj.ID, obj.Name, obj.Age, obj.Flag, obj.Counter)
			}
			return m.check(), nil
		},
		bun: func(ctx context.Context, db *bun.DB, n int) (Check, error) {
			var m microSum
			for i := range n {
				var obj bModel
				if err := db.NewSelect().Model(&obj).Where("id = ?", readKey(i)).Scan(ctx); err != nil {
					return Check{}, err
				}
				m.add(obj.ID, obj.Name, obj.Age, obj.Flag, obj.Counter)
			}
			return m.check(), nil
		},
	},
	{
		name: "micro-read100", about: "read 100 rows", seeded: true, ops: batchOps, expect: expectRead100,
		retort: func(ctx context.Context, db retort.DB, n int) (Check, error) {
			var m microSum
			for range n {
				objs, err := session.All(ctx, session.New(db), retort.Select(rModels).Where(rModelID.Gt(0)).OrderBy(rModelID.Asc()).Limit(100))
				if err != nil {
					return Check{}, err
				}
				for _, o := range objs {
					m.add(o.ID, o.Name, o.Age, o.Flag, o.Counter)
				}
			}
			return m.check(), nil
		},
		raw: func(ctx context.Context, e *rawEnv, n int) (Check, error) {
			var m microSum
			const q = `SELECT ` + "id, name, title, fax, web, age, flag, counter" + ` FROM model WHERE id > $1 ORDER BY id LIMIT 100`
			for range n {
				objs := make([]rModel, 0, 100)
				if e.target.Postgres() {
					rows, err := e.pool.Query(ctx, q, 0)
					if err != nil {
						return Check{}, err
					}
					var o rModel
					if _, err := pgx.ForEachRow(rows, []any{&o.ID, &o.Name, &o.Title, &o.Fax, &o.Web, &o.Age, &o.Flag, &o.Counter}, func() error {
						objs = append(objs, o)
						return nil
					}); err != nil {
						return Check{}, err
					}
				} else {
					st := e.prep(q)
					st.BindInt64(1, 0)
					for {
						ok, err := st.Step()
						if err != nil {
							return Check{}, err
						}
						if !ok {
							break
						}
						objs = append(objs, scanModel(st))
					}
					st.Reset()
				}
				for _, o := range objs {
					m.add(o.ID, o.Name, o.Age, o.Flag, o.Counter)
				}
			}
			return m.check(), nil
		},
		gorm: func(ctx context.Context, db *gorm.DB, n int) (Check, error) {
			db = db.WithContext(ctx)
			var m microSum
			for range n {
				var objs []gModel
				if err := db.Where("id > ?", 0).Order("id").Limit(100).Find(&objs).Error; err != nil {
					return Check{}, err
				}
				for _, o := range objs {
					m.add(o.ID, o.Name, o.Age, o.Flag, o.Counter)
				}
			}
			return m.check(), nil
		},
		bun: func(ctx context.Context, db *bun.DB, n int) (Check, error) {
			var m microSum
			for range n {
				var objs []bModel
				if err := db.NewSelect().Model(&objs).Where("id > ?", 0).Order("id").Limit(100).Scan(ctx); err != nil {
					return Check{}, err
				}
				for _, o := range objs {
					m.add(o.ID, o.Name, o.Age, o.Flag, o.Counter)
				}
			}
			return m.check(), nil
		},
	},
}

func updated(n int, counter int64) Check {
	return Check{Rows: int64(n), Sum: fmt.Sprintf("counter=%d", counter)}
}

// gModel is the GORM model: the same fields, table "model".
type gModel rModel

func (gModel) TableName() string { return "model" }

// bModel is the bun model.
type bModel struct {
	bun.BaseModel `bun:"table:model"`
	ID            int64 `bun:"id,pk,autoincrement"`
	Name          string
	Title         string
	Fax           string
	Web           string
	Age           int64
	Flag          bool
	Counter       int64
}

func newBModel(i int) bModel {
	m := newModel(i)
	return bModel{Name: m.Name, Title: m.Title, Fax: m.Fax, Web: m.Web, Age: m.Age, Flag: m.Flag, Counter: m.Counter}
}

type microWorkload struct {
	name, about string
	open        func(ctx context.Context, impl string, target Target, size Size) (*Case, error)
	expect      func(Size) *Check
}

var microWorkloads = func() []microWorkload {
	var ws []microWorkload
	for _, op := range microOps {
		ws = append(ws, microWorkload{name: op.name, about: op.about, open: op.open, expect: op.expect})
	}
	return ws
}()

func (op *microOp) open(ctx context.Context, impl string, target Target, size Size) (*Case, error) {
	n := op.ops(size)
	var seed []string
	if op.seeded {
		seed = microSeedSQL(target.Postgres())
	}
	switch impl {
	case Retort:
		e, err := openRetort(ctx, target, impl, op.name, microTables)
		if err != nil {
			return nil, err
		}
		return e.newCase(fmt.Sprintf("%d operations per run; a session per operation", n), seed, func(ctx context.Context) (Check, error) { return op.retort(ctx, e.db, n) }), nil
	case Raw:
		e, err := openRaw(ctx, target, op.name, microTables)
		if err != nil {
			return nil, err
		}
		return e.newCase(fmt.Sprintf("%d operations per run", n), seed, func(ctx context.Context) (Check, error) { return op.raw(ctx, e, n) }), nil
	case GORM, Bun:
		e, err := openSQLEnv(ctx, target, impl, op.name, microTables)
		if err != nil {
			return nil, err
		}
		if impl == GORM {
			return e.newCase(fmt.Sprintf("%d operations per run", n), seed, func(ctx context.Context) (Check, error) { return op.gorm(ctx, e.gorm, n) }), nil
		}
		return e.newCase(fmt.Sprintf("%d operations per run", n), seed, func(ctx context.Context) (Check, error) { return op.bun(ctx, e.bun, n) }), nil
	}
	return nil, errNoImpl
}

func bindModel(st *zsqlite.Stmt, m *rModel) {
	st.BindText(1, m.Name)
	st.BindText(2, m.Title)
	st.BindText(3, m.Fax)
	st.BindText(4, m.Web)
	st.BindInt64(5, m.Age)
	st.BindBool(6, m.Flag)
	st.BindInt64(7, m.Counter)
}

func scanModel(st *zsqlite.Stmt) rModel {
	return rModel{ID: st.ColumnInt64(0), Name: st.ColumnText(1), Title: st.ColumnText(2), Fax: st.ColumnText(3), Web: st.ColumnText(4),
		Age: st.ColumnInt64(5), Flag: st.ColumnBool(6), Counter: st.ColumnInt64(7)}
}
