package enum_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

func BenchmarkEncode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EmployeeTypes.Encode(Contractor); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EmployeeTypes.Decode("C"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeInt(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Priorities.Decode(int64(3)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EmployeeTypes.Parse("C"); err != nil {
			b.Fatal(err)
		}
	}
}

// Plain is Employee with the type in a plain string column: the baseline for
// what reading through the enum costs.
type Plain struct {
	ID   int64
	Name string
	Type string
}

var (
	Plains    = retort.NewTable[Plain]("employee")
	PlainID   = retort.Col(Plains, "id", func(p *Plain) *int64 { return &p.ID }, retort.PrimaryKey())
	PlainName = retort.Col(Plains, "name", func(p *Plain) *string { return &p.Name })
	PlainType = retort.Col(Plains, "type", func(p *Plain) *string { return &p.Type })
)

// BenchmarkSelect reads 1,000 employees on SQLite, through the enum column
// and through a plain text column.
func BenchmarkSelect(b *testing.B) {
	ctx := context.Background()
	env := dbtest.OpenSQLite(b, dbtest.Options{})
	if err := retort.CreateAll(ctx, env.DB, Employees); err != nil {
		b.Fatal(err)
	}
	objs := make([]*Employee, 1000)
	for i := range objs {
		objs[i] = &Employee{Name: fmt.Sprint("e", i), Type: EmployeeTypes.Values()[i%3]}
	}
	if err := retort.Insert(Employees, objs...).Exec(ctx, env.DB); err != nil {
		b.Fatal(err)
	}
	b.Run("enum", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rows, err := retort.Select(Employees).All(ctx, env.DB)
			if err != nil || len(rows) != 1000 {
				b.Fatal(len(rows), err)
			}
		}
	})
	b.Run("text", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rows, err := retort.Select(Plains).All(ctx, env.DB)
			if err != nil || len(rows) != 1000 {
				b.Fatal(len(rows), err)
			}
		}
	})
}
