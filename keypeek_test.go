package retort_test

import (
	"context"
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
