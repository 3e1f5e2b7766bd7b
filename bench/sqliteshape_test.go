package bench_test

import (
	"fmt"
	"strings"
	"testing"

	zsqlite "zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"
)

// BenchmarkSQLiteInsertShapes measures, with zombiezen alone (no Retort),
// what one row of a grunt-shaped INSERT costs SQLite in three statement
// shapes, for n rows in a transaction: a prepared one-row INSERT stepped n
// times (reading last_insert_rowid), one n-row INSERT ... VALUES, and the
// same with RETURNING the key, which is the shape Retort sends for rows whose
// keys SQLite generates:
//
//	go test -run '^$' -bench SQLiteInsertShapes
func BenchmarkSQLiteInsertShapes(b *testing.B) {
	for _, n := range []int{2, 10, 100, 500} {
		b.Run(fmt.Sprintf("one-row/%d", n), func(b *testing.B) {
			c := shapeDB(b)
			k := 0
			for b.Loop() {
				shapeExec(b, c, "BEGIN")
				st := c.Prep(`INSERT INTO "grunt" ("name", "savings", "employer_id") VALUES (?, ?, ?)`)
				for range n {
					k++
					st.BindText(1, fmt.Sprint("g", k))
					st.BindText(2, "12.50")
					st.BindInt64(3, 1)
					if _, err := st.Step(); err != nil {
						b.Fatal(err)
					}
					if c.LastInsertRowID() != int64(k) {
						b.Fatalf("key %d, want %d", c.LastInsertRowID(), k)
					}
					if err := st.Reset(); err != nil {
						b.Fatal(err)
					}
				}
				shapeExec(b, c, "COMMIT")
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/row")
		})
		for _, returning := range []bool{false, true} {
			name := "values"
			if returning {
				name = "values-returning"
			}
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				c := shapeDB(b)
				q := `INSERT INTO "grunt" ("name", "savings", "employer_id") VALUES ` + strings.Repeat("(?, ?, ?), ", n-1) + "(?, ?, ?)"
				if returning {
					q += ` RETURNING "id"`
				}
				k := 0
				for b.Loop() {
					shapeExec(b, c, "BEGIN")
					st := c.Prep(q)
					for i := range n {
						k++
						st.BindText(3*i+1, fmt.Sprint("g", k))
						st.BindText(3*i+2, "12.50")
						st.BindInt64(3*i+3, 1)
					}
					rows := 0
					for {
						row, err := st.Step()
						if err != nil {
							b.Fatal(err)
						}
						if !row {
							break
						}
						rows++
						_ = st.ColumnInt64(0)
					}
					if err := st.Reset(); err != nil {
						b.Fatal(err)
					}
					if returning && rows != n || c.LastInsertRowID() != int64(k) {
						b.Fatalf("%d keys returned, last key %d, for rows up to %d", rows, c.LastInsertRowID(), k)
					}
					shapeExec(b, c, "COMMIT")
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/row")
			})
		}
	}
}

func shapeDB(b *testing.B) *zsqlite.Conn {
	c, err := zsqlite.OpenConn(":memory:", zsqlite.OpenReadWrite|zsqlite.OpenCreate|zsqlite.OpenMemory)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	if err := sqlitex.ExecuteScript(c, `CREATE TABLE "boss" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL);
CREATE TABLE "grunt" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL, "savings" TEXT NOT NULL, "employer_id" INTEGER NOT NULL REFERENCES "boss" ("id"));
INSERT INTO "boss" ("name") VALUES ('b');`, nil); err != nil {
		b.Fatal(err)
	}
	return c
}

func shapeExec(b *testing.B, c *zsqlite.Conn, sql string) {
	if err := sqlitex.Execute(c, sql, nil); err != nil {
		b.Fatal(err)
	}
}
