package bench

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
	"github.com/uptrace/bun"
	"gorm.io/gorm"
)

// bulk-50k: insert 50,000 rows of three columns (name, qty, price) whose
// keys the database generates and every implementation writes back into
// its objects, then select them all back into new objects. The keys sum
// is checked on both sides.

type rItem struct {
	ID    int64
	Name  string
	Qty   int64
	Price float64
}

var (
	rItems     = retort.NewTable[rItem]("item")
	_          = retort.Col(rItems, "id", func(r *rItem) *int64 { return &r.ID }, retort.PrimaryKey())
	_          = retort.Col(rItems, "name", func(r *rItem) *string { return &r.Name }, retort.Size(50))
	_          = retort.Col(rItems, "qty", func(r *rItem) *int64 { return &r.Qty })
	_          = retort.Col(rItems, "price", func(r *rItem) *float64 { return &r.Price })
	bulkTables = []retort.Schema{rItems}
)

func sumKeys(n int, id func(i int) int64) int64 {
	var s int64
	for i := range n {
		s += id(i)
	}
	return s
}

func checkKeys(written, read int64) error {
	if written != read {
		return checkf("keys written back sum to %d, keys read to %d", written, read)
	}
	return nil
}

func retortBulk(ctx context.Context, db retort.DB, n int) (Check, error) {
	items := make([]*rItem, n)
	for i := range items {
		items[i] = &rItem{Name: bulkName(i), Qty: bulkQty(i), Price: bulkPrice(i)}
	}
	s := session.New(db)
	if err := session.AddAll(s, items...); err != nil {
		return Check{}, err
	}
	if err := s.Commit(ctx); err != nil {
		return Check{}, err
	}
	written := sumKeys(n, func(i int) int64 { return items[i].ID })
	got, err := session.All(ctx, session.New(db), retort.Select(rItems))
	if err != nil {
		return Check{}, err
	}
	var b bulkSum
	for _, r := range got {
		b.row(r.ID, r.Name, r.Qty, r.Price)
	}
	return b.check(), checkKeys(written, b.ids)
}

// rawBulkPG inserts every row with one statement: unnest() of one array per
// column, keys drawn from the sequence in a CTE and returned in input order
// (PostgreSQL does not promise the order of RETURNING rows, PERFORMANCE.md).
// The sequence is named as a constant: nextval(pg_get_serial_sequence(...))
// resolves the name on every row and was 5 to 8 times slower here.
func rawBulkPG(ctx context.Context, e *rawEnv, n int) (Check, error) {
	items := make([]pgItem, n)
	names, qty, price := make([]string, n), make([]int64, n), make([]float64, n)
	for i := range items {
		items[i] = pgItem{Name: bulkName(i), Qty: bulkQty(i), Price: bulkPrice(i)}
		names[i], qty[i], price[i] = items[i].Name, items[i].Qty, items[i].Price
	}
	rows, err := e.pool.Query(ctx, `WITH v AS (SELECT nextval('item_id_seq') AS id, u.* FROM unnest($1::text[], $2::bigint[], $3::float8[]) WITH ORDINALITY AS u (name, qty, price, ord)),
		i AS (INSERT INTO item (id, name, qty, price) SELECT id, name, qty, price FROM v)
		SELECT id FROM v ORDER BY ord`, names, qty, price)
	if err != nil {
		return Check{}, err
	}
	if err := readPGKeys(rows, items); err != nil {
		return Check{}, err
	}
	return readPGItems(ctx, e, items)
}

// pgItem is a row of bulk-50k for the hand-written pgx code.
type pgItem struct {
	ID    int64
	Name  string
	Qty   int64
	Price float64
}

// readPGKeys gives the keys rows returns to items, in order.
func readPGKeys(rows pgx.Rows, items []pgItem) error {
	k := 0
	var id int64
	if _, err := pgx.ForEachRow(rows, []any{&id}, func() error {
		if k < len(items) {
			items[k].ID = id
		}
		k++
		return nil
	}); err != nil {
		return err
	}
	if k != len(items) {
		return checkf("%d keys for %d rows", k, len(items))
	}
	return nil
}

// readPGItems selects every row back and checks it against the keys the
// insert wrote into items.
func readPGItems(ctx context.Context, e *rawEnv, items []pgItem) (Check, error) {
	n := len(items)
	written := sumKeys(n, func(i int) int64 { return items[i].ID })
	rows, err := e.pool.Query(ctx, `SELECT id, name, qty, price FROM item`)
	if err != nil {
		return Check{}, err
	}
	got := make([]*pgItem, 0, n)
	var it pgItem
	if _, err := pgx.ForEachRow(rows, []any{&it.ID, &it.Name, &it.Qty, &it.Price}, func() error {
		cp := it
		got = append(got, &cp)
		return nil
	}); err != nil {
		return Check{}, err
	}
	var b bulkSum
	for _, r := range got {
		b.row(r.ID, r.Name, r.Qty, r.Price)
	}
	return b.check(), checkKeys(written, b.ids)
}

// rawCopyBulkPG is rawBulkPG with COPY, the fastest insert PostgreSQL has
// (PERFORMANCE.md): in one transaction, one query draws the keys from the
// sequence, then pgx's CopyFrom sends the rows (binary format; pgx learns
// the column types once and caches them).
func rawCopyBulkPG(ctx context.Context, e *rawEnv, n int) (Check, error) {
	items := make([]pgItem, n)
	for i := range items {
		items[i] = pgItem{Name: bulkName(i), Qty: bulkQty(i), Price: bulkPrice(i)}
	}
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		return Check{}, err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `SELECT nextval('item_id_seq') FROM generate_series(1, $1)`, n)
	if err != nil {
		return Check{}, err
	}
	if err := readPGKeys(rows, items); err != nil {
		return Check{}, err
	}
	copied, err := tx.CopyFrom(ctx, pgx.Identifier{"item"}, []string{"id", "name", "qty", "price"},
		pgx.CopyFromSlice(n, func(i int) ([]any, error) {
			return []any{items[i].ID, items[i].Name, items[i].Qty, items[i].Price}, nil
		}))
	if err != nil {
		return Check{}, err
	}
	if copied != int64(n) {
		return Check{}, checkf("%d rows copied of %d", copied, n)
	}
	if err := tx.Commit(ctx); err != nil {
		return Check{}, err
	}
	return readPGItems(ctx, e, items)
}

// rawBulkSQLite: one prepared INSERT reused inside a transaction, keys from
// LastInsertRowID; then one SELECT.
func rawBulkSQLite(_ context.Context, e *rawEnv, n int) (Check, error) {
	type item struct {
		ID    int64
		Name  string
		Qty   int64
		Price float64
	}
	items := make([]*item, n)
	for i := range items {
		items[i] = &item{Name: bulkName(i), Qty: bulkQty(i), Price: bulkPrice(i)}
	}
	if err := e.exec("BEGIN IMMEDIATE"); err != nil {
		return Check{}, err
	}
	ins := e.zc.Prep(`INSERT INTO item (name, qty, price) VALUES (?, ?, ?)`)
	for _, it := range items {
		e.count.add()
		ins.BindText(1, it.Name)
		ins.BindInt64(2, it.Qty)
		ins.BindFloat(3, it.Price)
		if _, err := ins.Step(); err != nil {
			_ = e.exec("ROLLBACK")
			return Check{}, err
		}
		ins.Reset()
		it.ID = e.zc.LastInsertRowID()
	}
	if err := e.exec("COMMIT"); err != nil {
		return Check{}, err
	}
	written := sumKeys(n, func(i int) int64 { return items[i].ID })
	sel := e.prep(`SELECT id, name, qty, price FROM item`)
	got := make([]*item, 0, n)
	for {
		ok, err := sel.Step()
		if err != nil {
			return Check{}, err
		}
		if !ok {
			break
		}
		got = append(got, &item{ID: sel.ColumnInt64(0), Name: sel.ColumnText(1), Qty: sel.ColumnInt64(2), Price: sel.ColumnFloat(3)})
	}
	sel.Reset()
	var b bulkSum
	for _, r := range got {
		b.row(r.ID, r.Name, r.Qty, r.Price)
	}
	return b.check(), checkKeys(written, b.ids)
}

type gItem struct {
	ID    int64
	Name  string
	Qty   int64
	Price float64
}

func (gItem) TableName() string { return "item" }

// gormBatch is the CreateInBatches size: 1,000 rows of 3 values stay well
// under both databases' bind-parameter limits.
const gormBatch = 1000

func gormBulk(ctx context.Context, db *gorm.DB, n int) (Check, error) {
	db = db.WithContext(ctx)
	items := make([]gItem, n)
	for i := range items {
		items[i] = gItem{Name: bulkName(i), Qty: bulkQty(i), Price: bulkPrice(i)}
	}
	if err := db.Transaction(func(tx *gorm.DB) error { return tx.CreateInBatches(&items, gormBatch).Error }); err != nil {
		return Check{}, err
	}
	written := sumKeys(n, func(i int) int64 { return items[i].ID })
	var got []gItem
	if err := db.Find(&got).Error; err != nil {
		return Check{}, err
	}
	var b bulkSum
	for _, r := range got {
		b.row(r.ID, r.Name, r.Qty, r.Price)
	}
	return b.check(), checkKeys(written, b.ids)
}

type bItem struct {
	bun.BaseModel `bun:"table:item"`
	ID            int64 `bun:"id,pk,autoincrement"`
	Name          string
	Qty           int64
	Price         float64
}

// bunBatch: bun writes values into the SQL text, so one INSERT could carry
// every row; batches of 1,000 keep statements (and SQLite's parser) at a
// sane size, as GORM's do.
const bunBatch = 1000

func bunBulk(ctx context.Context, db *bun.DB, n int) (Check, error) {
	items := make([]bItem, n)
	for i := range items {
		items[i] = bItem{Name: bulkName(i), Qty: bulkQty(i), Price: bulkPrice(i)}
	}
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for start := 0; start < n; start += bunBatch {
			batch := items[start:min(n, start+bunBatch)]
			if _, err := tx.NewInsert().Model(&batch).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Check{}, err
	}
	written := sumKeys(n, func(i int) int64 { return items[i].ID })
	var got []bItem
	if err := db.NewSelect().Model(&got).Scan(ctx); err != nil {
		return Check{}, err
	}
	var b bulkSum
	for _, r := range got {
		b.row(r.ID, r.Name, r.Qty, r.Price)
	}
	return b.check(), checkKeys(written, b.ids)
}

func openBulk(ctx context.Context, impl string, target Target, size Size) (*Case, error) {
	const w = "bulk-50k"
	n := size.BulkRows
	switch impl {
	case Retort:
		e, err := openRetort(ctx, target, impl, w, bulkTables)
		if err != nil {
			return nil, err
		}
		return e.newCase("session.AddAll + Commit; session.All in a new session", nil, func(ctx context.Context) (Check, error) {
			return retortBulk(ctx, e.db, n)
		}), nil
	case Raw:
		e, err := openRaw(ctx, target, w, bulkTables)
		if err != nil {
			return nil, err
		}
		note := "prepared INSERT per row in one transaction, LastInsertRowID"
		if target.Postgres() {
			note = "one INSERT of unnest()ed arrays, keys from nextval() in a CTE, returned in input order"
		}
		return e.newCase(note, nil, func(ctx context.Context) (Check, error) {
			if target.Postgres() {
				return rawBulkPG(ctx, e, n)
			}
			return rawBulkSQLite(ctx, e, n)
		}), nil
	case RawCopy:
		if !target.Postgres() {
			return nil, errNoImpl
		}
		e, err := openRaw(ctx, target, w, bulkTables)
		if err != nil {
			return nil, err
		}
		return e.newCase("keys drawn by one nextval() query, rows sent by pgx CopyFrom, in one transaction", nil, func(ctx context.Context) (Check, error) {
			return rawCopyBulkPG(ctx, e, n)
		}), nil
	case GORM, Bun:
		e, err := openSQLEnv(ctx, target, impl, w, bulkTables)
		if err != nil {
			return nil, err
		}
		if impl == GORM {
			return e.newCase("CreateInBatches(1000) in a transaction", nil, func(ctx context.Context) (Check, error) { return gormBulk(ctx, e.gorm, n) }), nil
		}
		return e.newCase("NewInsert of 1000-row slices in a transaction", nil, func(ctx context.Context) (Check, error) { return bunBulk(ctx, e.bun, n) }), nil
	}
	return nil, errNoImpl
}
