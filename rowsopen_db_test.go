package retort_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

// TestWriteWhileRowsOpen runs statements inside a loop over Iter on the
// same transaction. A write (on PostgreSQL, any statement) and a Commit
// are refused with ErrRowsOpen and nothing sent; the loop reads every row
// and the transaction works on after it. Before, SQLite ran the INSERT and
// a loop inserting into the table it read never ended; PostgreSQL failed
// with pgx's "conn busy", and a Commit there ended the transaction under
// the rows.
func TestWriteWhileRowsOpen(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		tx := threeUsersTx(t, env)
		var seen []string
		for u, err := range retort.Select(Users).OrderBy(UserID.Asc()).Iter(ctx, tx) {
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, u.Name)
			env.Count.Reset()
			refused := map[string]error{
				"insert": retort.Insert(Users, &User{Name: u.Name + "2"}).Exec(ctx, tx),
				"commit": tx.Commit(ctx),
			}
			_, refused["update"] = retort.Update(Users).Set(UserAge.To(1)).Exec(ctx, tx)
			for op, err := range refused {
				if !errors.Is(err, retort.ErrRowsOpen) {
					t.Errorf("%s inside the loop: %v, want ErrRowsOpen", op, err)
				}
			}
			if n := env.Count.RoundTrips(); n != 0 {
				t.Errorf("%d round trips for refused statements, want 0", n)
			}
			n, err := retort.Select(Users).Count(ctx, tx)
			if env.Dialect == retort.Postgres {
				if !errors.Is(err, retort.ErrRowsOpen) {
					t.Errorf("PostgreSQL: count inside the loop: %d, %v, want ErrRowsOpen", n, err)
				}
			} else if err != nil || n != 3 {
				t.Errorf("SQLite: count inside the loop: %d, %v, want 3 (reads run)", n, err)
			}
		}
		if len(seen) != 3 {
			t.Errorf("the loop read %v, want 3 rows", seen)
		}
		if err := retort.Insert(Users, &User{Name: "dee"}).Exec(ctx, tx); err != nil {
			t.Fatalf("insert after the loop: %v", err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatalf("commit after the loop: %v", err)
		}
		if n, err := retort.Select(Users).Count(ctx, env.DB); err != nil || n != 4 {
			t.Errorf("%d rows, %v; want 4", n, err)
		}
	})
}

// TestRollbackWhileRowsOpen rolls back the transaction inside a loop over
// its rows: the rollback works, the loop ends with an error (not silently,
// as if the rows were all read), and the connection serves the next
// transaction.
func TestRollbackWhileRowsOpen(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)
		if err := retort.Insert(Users, &User{Name: "ann"}, &User{Name: "bob"}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		tx, err := env.DB.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := retort.Insert(Users, &User{Name: "gone"}).Exec(ctx, tx); err != nil {
			t.Fatal(err)
		}
		rows, errs := 0, 0
		for _, err := range retort.Select(Users).Iter(ctx, tx) {
			if err != nil {
				errs++
				continue
			}
			rows++
			if rows == 1 {
				if err := tx.Rollback(ctx); err != nil {
					t.Errorf("rollback inside the loop: %v", err)
				}
			}
		}
		if rows != 1 || errs != 1 {
			t.Errorf("after the rollback the loop read %d rows and %d errors, want 1 and 1", rows, errs)
		}
		for range 2 { // the connection is back in its pool, out of any transaction
			tx, err := env.DB.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := retort.Insert(Users, &User{Name: "kept"}).Exec(ctx, tx); err != nil {
				t.Fatalf("the next transaction: %v", err)
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
		names, err := retort.Select1(UserName).From(Users).OrderBy(UserID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"ann", "bob", "kept", "kept"}; !slices.Equal(names, want) {
			t.Errorf("rows %q, want %q", names, want)
		}
	})
}

// TestSavepointRollbackWhileRowsOpen rolls back a savepoint inside a loop
// over rows of its transaction: as for the transaction's rollback, the loop
// ends with an error, and the transaction goes on without what the
// savepoint wrote. Before, SQLite started the rows again (the loop read
// "ann" twice) and PostgreSQL read on, rolling back only at the next
// statement.
func TestSavepointRollbackWhileRowsOpen(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		tx := threeUsersTx(t, env)
		sp, err := tx.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := retort.Insert(Users, &User{Name: "gone"}).Exec(ctx, sp); err != nil {
			t.Fatal(err)
		}
		var read []string
		errs := 0
		for u, err := range retort.Select(Users).OrderBy(UserID.Asc()).Iter(ctx, sp) {
			if err != nil {
				errs++
				if !strings.Contains(err.Error(), "rolled back while its rows were being read") {
					t.Errorf("the loop's error: %v", err)
				}
				continue
			}
			read = append(read, u.Name)
			if len(read) == 1 {
				if err := sp.Rollback(ctx); err != nil {
					t.Errorf("savepoint rollback inside the loop: %v", err)
				}
			}
		}
		if !slices.Equal(read, []string{"ann"}) || errs != 1 {
			t.Errorf("after the savepoint's rollback the loop read %q and %d errors, want [ann] and 1", read, errs)
		}
		if err := retort.Insert(Users, &User{Name: "kept"}).Exec(ctx, tx); err != nil {
			t.Fatalf("the transaction after the savepoint: %v", err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		names, err := retort.Select1(UserName).From(Users).OrderBy(UserID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"ann", "bob", "cy", "kept"}; !slices.Equal(names, want) {
			t.Errorf("rows %q, want %q", names, want)
		}
	})
}

// threeUsersTx creates the tables, inserts ann, bob and cy, and begins a
// transaction, rolled back when t ends unless ended before.
func threeUsersTx(t *testing.T, env *dbtest.Env) retort.Tx {
	t.Helper()
	ctx := context.Background()
	env.Create(t, allTables...)
	if err := retort.Insert(Users, &User{Name: "ann"}, &User{Name: "bob"}, &User{Name: "cy"}).Exec(ctx, env.DB); err != nil {
		t.Fatal(err)
	}
	tx, err := env.DB.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(ctx) })
	return tx
}
