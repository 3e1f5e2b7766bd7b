package retort_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/enum"
	"github.com/retort-orm/retort/sqlite"
)

// The Enum Recipe (seed: "The Enum Recipe", January 2011): an application's
// fixed set of values, named by constants so that code cannot name one that
// does not exist, each with a description for the user interface, listed
// for dropdowns, parsed from requests, and stored compactly: a native ENUM
// on PostgreSQL, a CHECK constraint on SQLite.

// EmployeeType is the seed's enumeration, with one-letter codes.
type EmployeeType string

// The values. Code uses these constants, never the letters.
const (
	PartTime   EmployeeType = "P"
	FullTime   EmployeeType = "F"
	Contractor EmployeeType = "C"
)

// EmployeeTypes declares the values in order, each with its description.
var EmployeeTypes = enum.New("employee_type",
	enum.Value(PartTime, "Part Time"),
	enum.Value(FullTime, "Full Time"),
	enum.Value(Contractor, "Contractor"),
)

// String gives the description, so fmt prints "Part Time".
func (t EmployeeType) String() string { return EmployeeTypes.String(t) }

// Worker is the seed's Employee: a name and an EmployeeType.
type Worker struct {
	ID   int64
	Name string
	Type EmployeeType
}

var (
	Workers    = retort.NewTable[Worker]("employee")
	WorkerID   = retort.Col(Workers, "id", func(w *Worker) *int64 { return &w.ID }, retort.PrimaryKey())
	WorkerName = retort.Col(Workers, "name", func(w *Worker) *string { return &w.Name }, retort.Size(60))
	// WorkerType is typed: WorkerType.Eq takes an EmployeeType.
	WorkerType = retort.ColType(Workers, "type", func(w *Worker) *EmployeeType { return &w.Type }, EmployeeTypes)
)

// enumRecipe walks through the recipe on db, which must hold no employee
// table or employee_type type.
func enumRecipe(ctx context.Context, db retort.DB, out io.Writer) error {
	// A dropdown: value and description pairs, in declaration order.
	fmt.Fprintln(out, `<select name="type">`)
	for code, description := range EmployeeTypes.All() {
		fmt.Fprintf(out, "  <option value=%q>%s</option>\n", string(code), description)
	}
	fmt.Fprintln(out, "</select>")

	// A value from a web request becomes a constant, or a clear error.
	form, err := url.ParseQuery("name=ann&type=F")
	if err != nil {
		return err
	}
	t, err := EmployeeTypes.Parse(form.Get("type"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "type=%s parses to %v; is FullTime: %t\n", form.Get("type"), t, t == FullTime)
	_, err = EmployeeTypes.Parse("X")
	fmt.Fprintf(out, "type=X: %v (errors.Is ErrUnknown: %t)\n", err, errors.Is(err, enum.ErrUnknown))
	fmt.Fprintln(out, "the description of Contractor:", EmployeeTypes.Description(Contractor))

	// The column's DDL on each database.
	for _, d := range []retort.Dialect{retort.Postgres, retort.SQLite} {
		fmt.Fprintf(out, "-- %s\n", d)
		for _, stmt := range retort.CreateSQL(d, Workers) {
			fmt.Fprintln(out, stmt)
		}
	}
	if err := retort.CreateAll(ctx, db, Workers); err != nil {
		return err
	}
	err = retort.Insert(Workers,
		&Worker{Name: form.Get("name"), Type: t},
		&Worker{Name: "bob", Type: PartTime},
		&Worker{Name: "cy", Type: Contractor},
		&Worker{Name: "di", Type: PartTime},
		&Worker{Name: "ed", Type: FullTime},
	).Exec(ctx, db)
	if err != nil {
		return err
	}

	// Queries filter by the constants.
	partTime, err := retort.Select(Workers).Where(WorkerType.Eq(PartTime)).OrderBy(WorkerID.Asc()).All(ctx, db)
	if err != nil {
		return err
	}
	for _, w := range partTimers(partTime) {
		fmt.Fprintln(out, w)
	}
	n, err := retort.Select(Workers).Where(WorkerType.In(FullTime, Contractor)).Count(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "full time or contractor:", n)
	if n != 3 {
		return fmt.Errorf("full time or contractor: %d, want 3", n)
	}

	// A count per type, printed in the enumeration's order.
	counts, err := retort.Select2(WorkerType, retort.Count()).GroupBy(WorkerType).All(ctx, db)
	if err != nil {
		return err
	}
	per := map[EmployeeType]int64{}
	for _, r := range counts {
		per[r.A] = r.B
	}
	for code, description := range EmployeeTypes.All() {
		fmt.Fprintf(out, "%-10s %d\n", description, per[code])
	}

	// A value the enumeration does not declare never reaches the database.
	err = retort.Insert(Workers, &Worker{Name: "eve", Type: "X"}).Exec(ctx, db)
	var ce *retort.ColumnError
	if !errors.As(err, &ce) {
		return fmt.Errorf("inserting type X: got %v, want a ColumnError", err)
	}
	fmt.Fprintf(out, "insert type X: table %s, column %s: %v\n", ce.Table, ce.Column, errors.Is(err, enum.ErrUnknown))
	return nil
}

// partTimers formats the part-time workers, checking that each one is.
func partTimers(ws []*Worker) []string {
	var lines []string
	for _, w := range ws {
		if w.Type == PartTime {
			lines = append(lines, fmt.Sprintf("%s works part time (%v, stored as %q)", w.Name, w.Type, string(w.Type)))
		}
	}
	return lines
}

// The Enum Recipe: dropdown values, parsing a request, the DDL on both
// databases, a table using the enumeration and queries filtering by it.
func Example_enumRecipe() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := enumRecipe(ctx, db, os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// <select name="type">
	//   <option value="P">Part Time</option>
	//   <option value="F">Full Time</option>
	//   <option value="C">Contractor</option>
	// </select>
	// type=F parses to Full Time; is FullTime: true
	// type=X: enum: "X" is not a value of employee_type (valid: "P", "F", "C") (errors.Is ErrUnknown: true)
	// the description of Contractor: Contractor
	// -- postgres
	// DO $enum$
	// BEGIN
	// 	IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'employee_type' AND typnamespace = current_schema()::regnamespace) THEN
	// 		CREATE TYPE "employee_type" AS ENUM ('P', 'F', 'C');
	// 	END IF;
	// END
	// $enum$
	// CREATE TABLE "employee" (
	// 	"id" bigint GENERATED BY DEFAULT AS IDENTITY,
	// 	"name" varchar(60) NOT NULL,
	// 	"type" "employee_type" NOT NULL,
	// 	PRIMARY KEY ("id")
	// )
	// -- sqlite
	// CREATE TABLE "employee" (
	// 	"id" INTEGER PRIMARY KEY,
	// 	"name" VARCHAR(60) NOT NULL,
	// 	"type" TEXT NOT NULL CONSTRAINT "employee_type_check" CHECK ("type" IN ('P', 'F', 'C'))
	// )
	// bob works part time (Part Time, stored as "P")
	// di works part time (Part Time, stored as "P")
	// full time or contractor: 3
	// Part Time  2
	// Full Time  2
	// Contractor 1
	// insert type X: table employee, column type: true
}
