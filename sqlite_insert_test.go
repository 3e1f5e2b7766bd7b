package retort_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

type Note struct {
	ID   int64
	Text string
}

var (
	Notes    = retort.NewTable[Note]("note")
	NoteID   = retort.Col(Notes, "id", func(n *Note) *int64 { return &n.ID }, retort.PrimaryKey())
	NoteText = retort.Col(Notes, "text", func(n *Note) *string { return &n.Text })
)

// Many rows go in multi-row INSERTs (SQLite: 500 rows a statement,
// RETURNING the keys; PostgreSQL: one unnest INSERT drawing the keys in the
// rows' order; both match the returned keys to the rows in increasing order):
// every object gets its own row's key, across chunks, after gaps in the
// keys, and when a trigger inserts rows of the same table in between.
func TestInsertManyRowsKeys(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Notes)
		// Given keys with gaps, above those PostgreSQL's sequence will give.
		for _, id := range []int64{5000, 100000, 7000} {
			if err := retort.Insert(Notes, &Note{ID: id, Text: fmt.Sprint("given ", id)}).Exec(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
		}
		// Every tenth row inserts a shadow row first: keys of other rows
		// fall between the statement's own.
		shadow := `CREATE TRIGGER note_shadow BEFORE INSERT ON note FOR EACH ROW WHEN (NEW.text LIKE '%0' AND NEW.text NOT LIKE 'shadow%')
			BEGIN INSERT INTO note (text) VALUES ('shadow ' || NEW.text); END`
		if env.Dialect == retort.Postgres {
			if _, err := env.DB.Exec(ctx, `CREATE FUNCTION note_shadow() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN INSERT INTO note (text) VALUES ('shadow ' || NEW.text); RETURN NEW; END $$`); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _, _ = env.DB.Exec(context.Background(), `DROP FUNCTION IF EXISTS note_shadow() CASCADE`) })
			shadow = `CREATE TRIGGER note_shadow BEFORE INSERT ON note FOR EACH ROW WHEN (NEW.text LIKE '%0' AND NEW.text NOT LIKE 'shadow%')
				EXECUTE FUNCTION note_shadow()`
		}
		if _, err := env.DB.Exec(ctx, shadow); err != nil {
			t.Fatal(err)
		}
		notes := make([]*Note, 1234)
		for i := range notes {
			notes[i] = &Note{Text: fmt.Sprint("n", i)}
		}
		env.Count.Reset()
		if err := retort.Insert(Notes, notes...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if env.Dialect == retort.SQLite {
			// BEGIN, three INSERTs (500, 500, 234 rows), COMMIT.
			if n := env.Count.Statements(); n != 5 {
				t.Errorf("%d statements, want 5", n)
			}
		}
		rows, err := retort.Select(Notes).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		byText := map[string]int64{}
		for _, r := range rows {
			byText[r.Text] = r.ID
		}
		seen := map[int64]bool{}
		for i, n := range notes {
			if want, ok := byText[n.Text]; !ok || n.ID != want {
				t.Fatalf("note %d (%q) got key %d, its row has %d", i, n.Text, n.ID, want)
			}
			if seen[n.ID] {
				t.Fatalf("key %d given twice", n.ID)
			}
			seen[n.ID] = true
		}
		if len(rows) != 3+1234+124 {
			t.Errorf("%d rows, want %d (with the trigger's)", len(rows), 3+1234+124)
		}
	})
}

// On SQLite, rows of generated keys go one INSERT a row below 50 (each key
// read with last_insert_rowid()), and in one multi-row INSERT from 50 on;
// rows of given keys go in one multi-row INSERT however few. Several
// statements run in a transaction, and so does one that returns keys; one
// that returns nothing runs alone. PostgreSQL sends one statement each
// time.
func TestInsertStatementsByRowCount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Notes)
		next := int64(1_000_000)
		for _, c := range []struct {
			rows   int
			given  bool
			sqlite int // statements, BEGIN and COMMIT included
		}{
			{rows: 2, sqlite: 4},
			{rows: 49, sqlite: 51},
			{rows: 50, sqlite: 3},
			{rows: 2, given: true, sqlite: 1},
			{rows: 49, given: true, sqlite: 1},
		} {
			notes := make([]*Note, c.rows)
			for i := range notes {
				notes[i] = &Note{Text: fmt.Sprintf("%d of %d given=%v", i, c.rows, c.given)}
				if c.given {
					next++
					notes[i].ID = next
				}
			}
			env.Count.Reset()
			if err := retort.Insert(Notes, notes...).Exec(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
			want := int64(1)
			if env.Dialect == retort.SQLite {
				want = int64(c.sqlite)
			}
			if n := env.Count.Statements(); n != want {
				t.Errorf("%d rows (given keys: %v): %d statements, want %d", c.rows, c.given, n, want)
			}
			for _, n := range notes {
				got, err := retort.Select(Notes).Where(NoteID.Eq(n.ID)).One(ctx, env.DB)
				if err != nil || got.Text != n.Text {
					t.Fatalf("note %q has key %d, whose row is %+v (%v)", n.Text, n.ID, got, err)
				}
			}
		}
	})
}
