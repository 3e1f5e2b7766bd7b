package retort_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

// Both drivers' rows read an integer column without scanning the row:
// integers of every width, and nothing else (NULL, text, a float, a column
// that does not exist).
func TestKeyPeeker(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		sql := `SELECT 5, NULL, 'x', 8.5, -7, 3`
		if env.Dialect == retort.Postgres {
			sql = `SELECT 5::bigint, NULL::bigint, 'x'::text, 8.5::float8, (-7)::int4, 3::int2`
		}
		rows, err := env.DB.Query(context.Background(), sql)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		p, ok := rows.(retort.KeyPeeker)
		if !ok {
			t.Fatalf("%T is not a retort.KeyPeeker", rows)
		}
		if !rows.Next() {
			t.Fatalf("no row: %v", rows.Err())
		}
		type peeked struct {
			N  int64
			OK bool
		}
		var got []peeked
		for i := -1; i <= 6; i++ {
			n, ok := p.PeekInt64(i)
			got = append(got, peeked{n, ok})
		}
		want := []peeked{{0, false}, {5, true}, {0, false}, {0, false}, {0, false}, {-7, true}, {3, true}, {0, false}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("PeekInt64 of columns -1 to 6 (-want +got):\n%s", diff)
		}
	})
}

// scanCounter wraps rows and counts Scan calls; peekingScanCounter also
// passes PeekInt64 through.
type scanCounter struct {
	retort.Rows
	scans *int
}

func (r scanCounter) Scan(dest ...any) error {
	*r.scans++
	return r.Rows.Scan(dest...)
}

type peekingScanCounter struct{ scanCounter }

func (r peekingScanCounter) PeekInt64(i int) (int64, bool) {
	return r.Rows.(retort.KeyPeeker).PeekInt64(i)
}

// The generated keys of a multi-row insert are read without scanning when
// the rows can be peeked at, and scanned when they cannot: the same keys
// either way, each to its object.
func TestInsertKeysPeeked(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Users)
		for _, peek := range []bool{true, false} {
			users := make([]*User, 60) // more than one SQLite statement's worth of RETURNING rows
			for i := range users {
				users[i] = &User{Name: fmt.Sprint("u", i)}
			}
			items, err := retort.Insert(Users, users...).Items(env.Dialect)
			if err != nil {
				t.Fatal(err)
			}
			scans := 0
			for i := range items {
				if rf := items[i].Rows; rf != nil {
					items[i].Rows = func(r retort.Rows) error {
						if peek {
							return rf(peekingScanCounter{scanCounter{r, &scans}})
						}
						return rf(scanCounter{r, &scans})
					}
				}
			}
			if err := retort.RunItems(ctx, env.DB, items); err != nil {
				t.Fatal(err)
			}
			got, err := retort.Select(Users).OrderBy(UserID.Asc()).All(ctx, env.DB)
			if err != nil {
				t.Fatal(err)
			}
			byName := map[string]int64{}
			for _, u := range got {
				byName[u.Name] = u.ID
			}
			for _, u := range users {
				if u.ID == 0 || byName[u.Name] != u.ID {
					t.Fatalf("peek %t: %s got key %d, the row has %d", peek, u.Name, u.ID, byName[u.Name])
				}
			}
			if want := map[bool]int{true: 0, false: len(users)}[peek]; env.Dialect == retort.Postgres && scans != want {
				t.Errorf("peek %t: %d scans of the keys, want %d", peek, scans, want)
			}
			if _, err := retort.Delete(Users).Exec(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
		}
	})
}
