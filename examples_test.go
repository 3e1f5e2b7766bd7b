package retort_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/sqlite"
	zsqlite "zombiezen.com/go/sqlite"
)

// The examples' model: authors and their books. A table is declared once, as
// package-level variables; each column names the field it maps with an
// accessor function, so Retort reads and writes fields without reflection.

// Author writes books. Born is a pointer: the column is NULL-able.
type Author struct {
	ID   int64
	Name string
	Born *int32
}

// Book has an exact decimal price.
type Book struct {
	ID       int64
	AuthorID int64
	Title    string
	Year     int32
	Price    retort.Decimal
}

var (
	Authors    = retort.NewTable[Author]("authors")
	AuthorID   = retort.Col(Authors, "id", func(a *Author) *int64 { return &a.ID }, retort.PrimaryKey())
	AuthorName = retort.Col(Authors, "name", func(a *Author) *string { return &a.Name }, retort.Size(100))
	AuthorBorn = retort.NullCol(Authors, "born", func(a *Author) **int32 { return &a.Born })

	Books      = retort.NewTable[Book]("books")
	BookID     = retort.Col(Books, "id", func(b *Book) *int64 { return &b.ID }, retort.PrimaryKey())
	BookAuthor = retort.Col(Books, "author_id", func(b *Book) *int64 { return &b.AuthorID }).References(AuthorID)
	BookTitle  = retort.Col(Books, "title", func(b *Book) *string { return &b.Title }, retort.Size(200))
	BookYear   = retort.Col(Books, "year", func(b *Book) *int32 { return &b.Year })
	BookPrice  = retort.ColType(Books, "price", func(b *Book) *retort.Decimal { return &b.Price }, retort.Numeric(8, 2))
)

// library opens an in-memory SQLite database holding the authors and books
// tables and a few rows.
func library(ctx context.Context, opts ...sqlite.Option) *sqlite.DB {
	db, err := sqlite.Open(ctx, ":memory:", opts...)
	if err != nil {
		log.Fatal(err)
	}
	if err := retort.CreateAll(ctx, db, Authors, Books); err != nil {
		log.Fatal(err)
	}
	leGuin := &Author{Name: "Ursula K. Le Guin", Born: ptr(int32(1929))}
	calvino := &Author{Name: "Italo Calvino", Born: ptr(int32(1923))}
	anon := &Author{Name: "Anonymous"}
	if err := retort.Insert(Authors, leGuin, calvino, anon).Exec(ctx, db); err != nil {
		log.Fatal(err)
	}
	books := []*Book{
		{AuthorID: leGuin.ID, Title: "A Wizard of Earthsea", Year: 1968, Price: retort.MustDecimal("8.99")},
		{AuthorID: leGuin.ID, Title: "The Left Hand of Darkness", Year: 1969, Price: retort.MustDecimal("10.25")},
		{AuthorID: leGuin.ID, Title: "The Dispossessed", Year: 1974, Price: retort.MustDecimal("9.50")},
		{AuthorID: calvino.ID, Title: "Invisible Cities", Year: 1972, Price: retort.MustDecimal("12.00")},
		{AuthorID: calvino.ID, Title: "If on a winter's night a traveler", Year: 1979, Price: retort.MustDecimal("13.75")},
		{AuthorID: anon.ID, Title: "Beowulf", Year: 1000, Price: retort.MustDecimal("5")},
	}
	if err := retort.Insert(Books, books...).Exec(ctx, db); err != nil {
		log.Fatal(err)
	}
	return db
}

// Declare a table with its columns, then create it. CreateSQL shows the DDL
// CreateAll runs for a dialect.
func ExampleNewTable() {
	type Shelf struct {
		ID    int64
		Label string
		Room  *string
	}
	var (
		Shelves    = retort.NewTable[Shelf]("shelves")
		_          = retort.Col(Shelves, "id", func(s *Shelf) *int64 { return &s.ID }, retort.PrimaryKey())
		ShelfLabel = retort.Col(Shelves, "label", func(s *Shelf) *string { return &s.Label }, retort.Size(20), retort.Unique())
		_          = retort.NullCol(Shelves, "room", func(s *Shelf) **string { return &s.Room })
	)
	for _, stmt := range retort.CreateSQL(retort.SQLite, Shelves) {
		fmt.Println(stmt)
	}

	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Shelves); err != nil {
		log.Fatal(err)
	}
	if err := retort.Insert(Shelves, &Shelf{Label: "poetry"}).Exec(ctx, db); err != nil {
		log.Fatal(err)
	}
	s, err := retort.Select(Shelves).Where(ShelfLabel.Eq("poetry")).One(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("shelf %d: %s, room %v\n", s.ID, s.Label, s.Room)
	// Output:
	// CREATE TABLE "shelves" (
	// 	"id" INTEGER PRIMARY KEY,
	// 	"label" VARCHAR(20) NOT NULL,
	// 	"room" TEXT,
	// 	UNIQUE ("label")
	// )
	// shelf 1: poetry, room <nil>
}

// CreateAll creates tables in foreign-key order (books references authors, so
// authors comes first) and skips tables that already exist.
func ExampleCreateAll() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	for range 2 { // the second time is a no-op
		if err := retort.CreateAll(ctx, db, Books, Authors); err != nil {
			log.Fatal(err)
		}
	}
	rows, err := db.Query(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			log.Fatal(err)
		}
		fmt.Println(name)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// authors
	// books
}

// Insert writes objects, several at once, and stores the keys the database
// generates back into them.
func ExampleInsert() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Authors, Books); err != nil {
		log.Fatal(err)
	}

	borges := &Author{Name: "Jorge Luis Borges", Born: ptr(int32(1899))}
	if err := retort.Insert(Authors, borges).Exec(ctx, db); err != nil {
		log.Fatal(err)
	}
	fmt.Println("author id:", borges.ID)

	books := []*Book{
		{AuthorID: borges.ID, Title: "Ficciones", Year: 1944, Price: retort.MustDecimal("11.00")},
		{AuthorID: borges.ID, Title: "The Aleph", Year: 1949, Price: retort.MustDecimal("10.50")},
	}
	if err := retort.Insert(Books, books...).Exec(ctx, db); err != nil {
		log.Fatal(err)
	}
	for _, b := range books {
		fmt.Println("book id:", b.ID, b.Title)
	}

	// A value that does not fit its column is an error naming the table,
	// the column and the value, before any SQL is sent.
	err = retort.Insert(Authors, &Author{Name: strings.Repeat("x", 101)}).Exec(ctx, db)
	fmt.Println(errors.Is(err, retort.ErrTooLong))
	// Output:
	// author id: 1
	// book id: 1 Ficciones
	// book id: 2 The Aleph
	// true
}

// Select builds a typed query: BookYear.Lt takes an int32, BookTitle.Eq a
// string, and anything else does not compile. Values are always bind
// parameters.
func ExampleSelect() {
	ctx := context.Background()
	db := library(ctx)
	defer db.Close()

	books, err := retort.Select(Books).
		Where(BookYear.Gt(1950), BookPrice.Lt(retort.MustDecimal("13"))).
		OrderBy(BookYear.Desc()).
		Limit(3).
		All(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range books {
		fmt.Println(b.Year, b.Title, b.Price)
	}

	n, err := retort.Select(Books).Where(retort.Or(BookYear.Lt(1900), BookAuthor.In(2))).Count(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("count:", n)
	// Output:
	// 1974 The Dispossessed 9.50
	// 1972 Invisible Cities 12.00
	// 1969 The Left Hand of Darkness 10.25
	// count: 3
}

// One returns exactly one object, or an error that says why not.
func ExampleSelectQuery_One() {
	ctx := context.Background()
	db := library(ctx)
	defer db.Close()

	a, err := retort.Select(Authors).Where(AuthorName.Eq("Italo Calvino")).One(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.ID, a.Name, *a.Born)

	_, err = retort.Select(Authors).Where(AuthorName.Eq("Homer")).One(ctx, db)
	fmt.Println(errors.Is(err, retort.ErrNoRows))

	_, err = retort.Select(Books).Where(BookAuthor.Eq(1)).One(ctx, db)
	fmt.Println(errors.Is(err, retort.ErrTooManyRows))
	// Output:
	// 2 Italo Calvino 1923
	// true
	// true
}

// First returns the first object in order, for "the latest" or "the
// cheapest".
func ExampleSelectQuery_First() {
	ctx := context.Background()
	db := library(ctx)
	defer db.Close()

	b, err := retort.Select(Books).OrderBy(BookPrice.Asc()).First(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Title, b.Price)
	// Output:
	// Beowulf 5.00
}

// Iter yields objects one at a time, for results too large to hold in
// memory. Breaking out of the loop closes the result.
func ExampleSelectQuery_Iter() {
	ctx := context.Background()
	db := library(ctx)
	defer db.Close()

	for b, err := range retort.Select(Books).OrderBy(BookTitle.Asc()).Iter(ctx, db) {
		if err != nil {
			log.Fatal(err)
		}
		if strings.HasPrefix(b.Title, "T") {
			break
		}
		fmt.Println(b.Title)
	}
	// Output:
	// A Wizard of Earthsea
	// Beowulf
	// If on a winter's night a traveler
	// Invisible Cities
}

// Update sets typed values on the rows Where selects and reports how many
// changed.
func ExampleUpdate() {
	ctx := context.Background()
	db := library(ctx)
	defer db.Close()

	n, err := retort.Update(Books).
		Set(BookPrice.To(retort.MustDecimal("7.99"))).
		Where(BookAuthor.Eq(1), BookYear.Lt(1970)).
		Exec(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("updated:", n)

	books, err := retort.Select(Books).Where(BookAuthor.Eq(1)).OrderBy(BookYear.Asc()).All(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range books {
		fmt.Println(b.Title, b.Price)
	}
	// Output:
	// updated: 2
	// A Wizard of Earthsea 7.99
	// The Left Hand of Darkness 7.99
	// The Dispossessed 9.50
}

// Delete removes the rows Where selects and reports how many.
func ExampleDelete() {
	ctx := context.Background()
	db := library(ctx)
	defer db.Close()

	n, err := retort.Delete(Books).Where(BookYear.Lt(1900)).Exec(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	left, err := retort.Select(Books).Count(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("deleted:", n, "left:", left)
	// Output:
	// deleted: 1 left: 5
}

// InTx commits when the function returns nil and rolls back when it returns
// an error. Inside a transaction, Begin (and so InTx) makes a savepoint.
func ExampleInTx() {
	ctx := context.Background()
	db := library(ctx)
	defer db.Close()

	err := retort.InTx(ctx, db, func(tx retort.Tx) error {
		if _, err := retort.Delete(Books).Where(BookAuthor.Eq(3)).Exec(ctx, tx); err != nil {
			return err
		}
		if _, err := retort.Delete(Authors).Where(AuthorID.Eq(3)).Exec(ctx, tx); err != nil {
			return err
		}
		// A nested transaction is a savepoint: its failure undoes only
		// its own work.
		inner := retort.InTx(ctx, tx, func(sp retort.Tx) error {
			if _, err := retort.Delete(Books).Exec(ctx, sp); err != nil {
				return err
			}
			return errors.New("not all of them")
		})
		fmt.Println("savepoint:", inner)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}

	err = retort.InTx(ctx, db, func(tx retort.Tx) error {
		if _, err := retort.Delete(Authors).Exec(ctx, tx); err != nil {
			return err // books still reference authors: a foreign-key error
		}
		return nil
	})
	fmt.Println("delete every author failed:", err != nil)

	authors, _ := retort.Select(Authors).Count(ctx, db)
	books, _ := retort.Select(Books).Count(ctx, db)
	fmt.Println("authors:", authors, "books:", books)
	// Output:
	// savepoint: not all of them
	// delete every author failed: true
	// authors: 2 books: 5
}

// A NULL-able column is declared with NullCol on a pointer field: nil is NULL.
// The column's value type is still int32, so it compares with int32 values.
func ExampleNullCol() {
	ctx := context.Background()
	db := library(ctx)
	defer db.Close()

	unknown, err := retort.Select(Authors).Where(AuthorBorn.IsNull()).All(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range unknown {
		fmt.Println(a.Name, a.Born == nil)
	}

	older, err := retort.Select(Authors).Where(AuthorBorn.Lt(1925)).One(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(older.Name, *older.Born)

	// ToNull writes NULL; on a NOT NULL column it is an error.
	if _, err := retort.Update(Authors).Set(AuthorBorn.ToNull()).Where(AuthorID.Eq(older.ID)).Exec(ctx, db); err != nil {
		log.Fatal(err)
	}
	n, err := retort.Select(Authors).Where(AuthorBorn.IsNull()).Count(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("born unknown:", n)
	// Output:
	// Anonymous true
	// Italo Calvino 1923
	// born unknown: 2
}

// NullsLast puts NULLs after every value on both databases (by default
// PostgreSQL sorts them after every value and SQLite before); NullsFirst
// puts them before.
func ExampleOrdering_NullsLast() {
	ctx := context.Background()
	db := library(ctx)
	defer db.Close()

	authors, err := retort.Select(Authors).OrderBy(AuthorBorn.Desc().NullsLast()).All(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range authors {
		fmt.Println(a.Name)
	}
	// Output:
	// Ursula K. Le Guin
	// Italo Calvino
	// Anonymous
}

// Like matches patterns on string columns (case-sensitive on both
// databases); EscapeLike makes user input match literally.
func ExampleLike() {
	ctx := context.Background()
	db := library(ctx)
	defer db.Close()

	books, err := retort.Select(Books).Where(retort.Like(BookTitle, "The %")).OrderBy(BookTitle.Asc()).All(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range books {
		fmt.Println(b.Title)
	}
	n, err := retort.Select(Books).Where(retort.Like(BookTitle, "%"+retort.EscapeLike("winter's")+"%")).Count(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("winter's:", n)
	// Output:
	// The Dispossessed
	// The Left Hand of Darkness
	// winter's: 1
}

// Decimal is an exact number for money: no binary rounding, and overflow is
// an error rather than a wrong answer.
func ExampleDecimal() {
	price := retort.MustDecimal("19.99")
	tax, err := retort.ParseDecimal("1.6")
	if err != nil {
		log.Fatal(err)
	}
	total, err := price.Add(tax)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(total)

	// Rescale rounds half away from zero.
	third, _ := retort.MustDecimal("0.125").Rescale(2)
	fmt.Println(third, retort.MustDecimal("1.5").Equal(retort.MustDecimal("1.50")))

	_, err = retort.ParseDecimal("99999999999999999999")
	fmt.Println(errors.Is(err, retort.ErrDecimalRange))
	// Output:
	// 21.59
	// 0.13 true
	// true
}

// A Decimal column declared with Numeric(precision, scale) reads back at its
// scale and refuses values with too many digits.
func ExampleNumeric() {
	ctx := context.Background()
	db := library(ctx)
	defer db.Close()

	var sum retort.Decimal
	for b, err := range retort.Select(Books).Where(BookAuthor.Eq(1)).Iter(ctx, db) {
		if err != nil {
			log.Fatal(err)
		}
		if sum, err = sum.Add(b.Price); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("Le Guin, all three:", sum)

	// numeric(8,2) holds at most 999999.99.
	err := retort.Insert(Books, &Book{AuthorID: 1, Title: "Gold", Price: retort.MustDecimal("1000000")}).Exec(ctx, db)
	var ce *retort.ColumnError
	if errors.As(err, &ce) {
		fmt.Println(ce.Table, ce.Column, errors.Is(err, retort.ErrDecimalRange))
	}
	// Output:
	// Le Guin, all three: 28.74
	// books price true
}

// A Tracer sees every round trip: here a TraceFunc prints each statement and
// its bind arguments. Values never become part of the SQL text.
func ExampleTraceFunc() {
	ctx := context.Background()
	tracing := false
	db := library(ctx, sqlite.WithTracer(retort.TraceFunc(func(_ context.Context, ev retort.TraceEvent) {
		if tracing {
			fmt.Println(ev.SQL, ev.Args)
		}
	})))
	defer db.Close()
	tracing = true

	_, err := retort.Select(Authors).Where(AuthorName.Eq("x'); DROP TABLE authors; --")).All(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	_, err = retort.Select(Books).Where(BookYear.Between(1960, 1969)).Count(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// SELECT "authors"."id", "authors"."name", "authors"."born" FROM "authors" WHERE "authors"."name" = ? [x'); DROP TABLE authors; --]
	// SELECT count(*) FROM "books" WHERE "books"."year" BETWEEN ? AND ? [1960 1969]
}

// Echo logs every statement through log/slog, as SQLAlchemy's echo=True
// does. (Here the time and duration are dropped to keep the output stable.)
func ExampleEcho() {
	ctx := context.Background()
	handler := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	})
	db, err := sqlite.Open(ctx, ":memory:", sqlite.WithTracer(retort.Echo(slog.New(handler))))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	_, err = db.Exec(ctx, `CREATE TABLE "notes" ("body" TEXT)`)
	if err != nil {
		log.Fatal(err)
	}
	_, err = db.Exec(ctx, `INSERT INTO "notes" VALUES (?)`, "hello")
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// level=DEBUG msg="retort: sql" sql="CREATE TABLE \"notes\" (\"body\" TEXT)"
	// level=DEBUG msg="retort: sql" sql="INSERT INTO \"notes\" VALUES (?)" args=[hello]
}

func ExampleDate() {
	type Booking struct {
		ID    int64
		Night time.Time // a date
		Call  time.Time // a wake-up call: a clock, no zone
	}
	var (
		Bookings     = retort.NewTable[Booking]("booking")
		_            = retort.Col(Bookings, "id", func(b *Booking) *int64 { return &b.ID }, retort.PrimaryKey())
		BookingNight = retort.ColType(Bookings, "night", func(b *Booking) *time.Time { return &b.Night }, retort.Date())
		_            = retort.ColType(Bookings, "call", func(b *Booking) *time.Time { return &b.Call }, retort.Timestamp())
	)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Bookings); err != nil {
		log.Fatal(err)
	}
	// Booked in Auckland: midnight there is still the day before in UTC.
	auckland := time.FixedZone("NZDT", 13*3600)
	b := &Booking{Night: time.Date(2026, 12, 24, 0, 0, 0, 0, auckland), Call: time.Date(2026, 12, 25, 7, 30, 0, 0, auckland)}
	if err := retort.Insert(Bookings, b).Exec(ctx, db); err != nil {
		log.Fatal(err)
	}
	got, err := retort.Select(Bookings).Where(BookingNight.Eq(time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC))).One(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Night.Format(time.DateOnly), got.Call.Format(time.Kitchen))
	// What SQLite holds, as its date() and datetime() write it.
	rows, err := db.Query(ctx, `SELECT "night", "call" FROM "booking" WHERE "id" = ?`, b.ID)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var night, call string
		if err := rows.Scan(&night, &call); err != nil {
			log.Fatal(err)
		}
		fmt.Println(night, call)
	}
	// Output:
	// 2026-12-24 7:30AM
	// 2026-12-24 2026-12-25 07:30:00
}

func ExamplePGType() {
	type Order struct {
		ID    int64
		Ref   string // a uuid on PostgreSQL
		Extra string // jsonb
	}
	var (
		Orders = retort.NewTable[Order]("orders")
		_      = retort.Col(Orders, "id", func(o *Order) *int64 { return &o.ID }, retort.PrimaryKey())
		_      = retort.Col(Orders, "ref", func(o *Order) *string { return &o.Ref }, retort.PGType("uuid"), retort.Unique())
		_      = retort.Col(Orders, "extra", func(o *Order) *string { return &o.Extra }, retort.PGType("jsonb"))
	)
	fmt.Println(retort.CreateSQL(retort.Postgres, Orders)[0])
	fmt.Println(retort.CreateSQL(retort.SQLite, Orders)[0])
	// Many rows at once travel as arrays cast to the column's type.
	objs := []*Order{{Ref: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", Extra: `{}`}, {Ref: "b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a12", Extra: `{}`}}
	sql, _, err := retort.Insert(Orders, objs...).SQL(retort.Postgres)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sql[strings.Index(sql, "unnest("):strings.Index(sql, " WITH ORDINALITY")])
	// Output:
	// CREATE TABLE "orders" (
	// 	"id" bigint GENERATED BY DEFAULT AS IDENTITY,
	// 	"ref" uuid NOT NULL,
	// 	"extra" jsonb NOT NULL,
	// 	PRIMARY KEY ("id"),
	// 	UNIQUE ("ref")
	// )
	// CREATE TABLE "orders" (
	// 	"id" INTEGER PRIMARY KEY,
	// 	"ref" TEXT NOT NULL,
	// 	"extra" TEXT NOT NULL,
	// 	UNIQUE ("ref")
	// )
	// unnest($1::bigint[], $2::uuid[], $3::jsonb[])
}

func ExampleCheckSchema() {
	type Member struct {
		ID     int64
		Name   string
		Joined time.Time
	}
	var (
		Members = retort.NewTable[Member]("member")
		_       = retort.Col(Members, "id", func(m *Member) *int64 { return &m.ID }, retort.PrimaryKey())
		_       = retort.Col(Members, "name", func(m *Member) *string { return &m.Name })
		_       = retort.Col(Members, "joined", func(m *Member) *time.Time { return &m.Joined })
	)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	// A table a migration made: "name" may be NULL, and "joined" is not there.
	if _, err := db.Exec(ctx, `CREATE TABLE "member" ("id" INTEGER PRIMARY KEY, "name" TEXT)`); err != nil {
		log.Fatal(err)
	}
	fmt.Println(retort.CheckSchema(ctx, db, Members))
	// Output:
	// retort: schema: 2 mismatches
	// 	table "member" column "name": allows NULL, which its field cannot hold: declare it with NullCol
	// 	table "member" column "joined": does not exist
}

// A statement the database refuses is a *StatementError naming what it did
// and its table; errors.As and errors.Is still reach the database's own
// error.
func ExampleStatementError() {
	type Account struct {
		ID    int64
		Email string
	}
	var (
		Accounts = retort.NewTable[Account]("account")
		_        = retort.Col(Accounts, "id", func(a *Account) *int64 { return &a.ID }, retort.PrimaryKey())
		_        = retort.Col(Accounts, "email", func(a *Account) *string { return &a.Email }, retort.Unique())
	)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Accounts); err != nil {
		log.Fatal(err)
	}
	err = retort.Insert(Accounts, &Account{Email: "ann@example.com"}, &Account{Email: "ann@example.com"}).Exec(ctx, db)
	fmt.Println(err)
	var se *retort.StatementError
	if errors.As(err, &se) {
		fmt.Printf("op %q, table %q\n", se.Op, se.Table)
	}
	fmt.Println(zsqlite.ErrCode(err) == zsqlite.ResultConstraintUnique)
	// Output:
	// retort: insert "account": sqlite: step: constraint failed: UNIQUE constraint failed: account.email
	// op "insert", table "account"
	// true
}

// Default takes a value or a function: the function runs for each object
// inserted with the field at its zero value, as SQLAlchemy's default= with a
// callable (here a fixed clock; time.Now in a program).
func ExampleDefault() {
	type Post struct {
		ID      int64
		Title   string
		Created time.Time
		Likes   int64
	}
	clock := func() time.Time { return time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC) }
	var (
		Posts = retort.NewTable[Post]("post")
		_     = retort.Col(Posts, "id", func(p *Post) *int64 { return &p.ID }, retort.PrimaryKey())
		_     = retort.Col(Posts, "title", func(p *Post) *string { return &p.Title })
		_     = retort.Col(Posts, "created", func(p *Post) *time.Time { return &p.Created }, retort.Default(clock))
		_     = retort.Col(Posts, "likes", func(p *Post) *int64 { return &p.Likes }, retort.Default(int64(1)))
	)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Posts); err != nil {
		log.Fatal(err)
	}
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := retort.Insert(Posts, &Post{Title: "new"}, &Post{Title: "imported", Created: old, Likes: 7}).Exec(ctx, db); err != nil {
		log.Fatal(err)
	}
	posts, err := retort.Select(Posts).All(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range posts {
		fmt.Println(p.Title, p.Created.Format(time.DateTime), p.Likes)
	}
	// Output:
	// new 2026-12-07 09:30:00 1
	// imported 2001-01-01 00:00:00 7
}

// UpdateDefault gives a column its value for UPDATEs, as SQLAlchemy's
// onupdate=: a session's UPDATE of an object sets it when the program left
// it alone, and so does an Update statement that does not Set it.
func ExampleUpdateDefault() {
	type Page struct {
		ID       int64
		Title    string
		Modified time.Time
	}
	clock := func() time.Time { return time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC) }
	var (
		Pages     = retort.NewTable[Page]("page")
		PageID    = retort.Col(Pages, "id", func(p *Page) *int64 { return &p.ID }, retort.PrimaryKey())
		PageTitle = retort.Col(Pages, "title", func(p *Page) *string { return &p.Title })
		_         = retort.Col(Pages, "modified", func(p *Page) *time.Time { return &p.Modified },
			retort.Default(clock), retort.UpdateDefault(clock))
	)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Pages); err != nil {
		log.Fatal(err)
	}
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := retort.Insert(Pages, &Page{Title: "draft", Modified: old}).Exec(ctx, db); err != nil {
		log.Fatal(err)
	}
	if _, err := retort.Update(Pages).Set(PageTitle.To("final")).Where(PageID.Eq(1)).Exec(ctx, db); err != nil {
		log.Fatal(err)
	}
	p, err := retort.Select(Pages).Where(PageID.Eq(1)).One(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Title, p.Modified.Format(time.DateTime))
	// Output:
	// final 2026-12-07 10:00:00
}
