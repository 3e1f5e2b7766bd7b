package retort_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

// BenchmarkExprBuild measures compiling a typical projection (a join, a
// predicate, grouping, ordering) to SQL, which happens on every execution.
func BenchmarkExprBuild(b *testing.B) {
	q := retort.Select2(UserName, retort.Count()).From(Users).JoinFK(Orders).
		Where(UserAge.Gt(30), retort.Like(UserName, "a%")).GroupBy(UserName).OrderBy(UserName.Asc()).Limit(10)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := q.SQL(retort.Postgres); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExprRead reads 1,000 rows of three columns through Select3 and
// through hand-written Query and Scan on the same driver, in the same run.
func BenchmarkExprRead(b *testing.B) {
	for _, d := range []string{"sqlite", "postgres"} {
		b.Run(d, func(b *testing.B) {
			var env *dbtest.Env
			if d == "sqlite" {
				env = dbtest.OpenSQLite(b, dbtest.Options{})
			} else {
				env = dbtest.OpenPostgres(b, dbtest.Options{})
			}
			ctx := context.Background()
			env.Create(b, Users)
			users := make([]*User, 1000)
			for i := range users {
				users[i] = &User{Name: fmt.Sprintf("user%d", i), Age: int32(i % 90), Score: float64(i) / 3, Avatar: []byte{}, Joined: time.Unix(0, 0)}
			}
			if err := retort.Insert(Users, users...).Exec(ctx, env.DB); err != nil {
				b.Fatal(err)
			}
			q := retort.Select3(UserName, UserAge, UserScore)
			sqlText, _, err := q.SQL(env.Dialect)
			if err != nil {
				b.Fatal(err)
			}
			type row struct {
				name  string
				age   int32
				score float64
			}
			b.Run("select3", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rows, err := q.All(ctx, env.DB)
					if err != nil || len(rows) != 1000 {
						b.Fatal(len(rows), err)
					}
				}
			})
			b.Run("hand-written", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rs, err := env.DB.Query(ctx, sqlText)
					if err != nil {
						b.Fatal(err)
					}
					var out []row
					for rs.Next() {
						var r row
						if err := rs.Scan(&r.name, &r.age, &r.score); err != nil {
							b.Fatal(err)
						}
						out = append(out, r)
					}
					if err := rs.Close(); err != nil || len(out) != 1000 {
						b.Fatal(len(out), err)
					}
				}
			})
		})
	}
}
