package sqlite

import "testing"

// TestReadsOnly: which statements run while rows are open on a connection.
func TestReadsOnly(t *testing.T) {
	for sql, want := range map[string]bool{
		`SELECT "id" FROM "users"`:                                         true,
		"  select 1":                                                       true,
		"(SELECT 1) UNION (SELECT 2)":                                      true,
		"VALUES (1)":                                                       true,
		`WITH "t" AS (SELECT 1) SELECT * FROM "t"`:                         true,
		`WITH "t" AS (SELECT 1) SELECT "updated_at" FROM "t"`:              true,
		`WITH "t" AS (SELECT "insert" FROM "x") SELECT 1`:                  true,
		`WITH "t" AS (SELECT 1) INSERT INTO "u" SELECT * FROM "t"`:         false,
		`with t as (select 1) delete from u where id in (select * from t)`: false,
		"PRAGMA foreign_keys":                                              true,
		"PRAGMA foreign_keys = ON":                                         false,
		`SAVEPOINT "retort_sp_1"`:                                          true,
		`RELEASE "retort_sp_1"`:                                            true,
		"ROLLBACK":                                                         true,
		"COMMIT":                                                           false,
		"BEGIN IMMEDIATE":                                                  false,
		`INSERT INTO "users" ("name") VALUES (?)`:                          false,
		`UPDATE "users" SET "age" = ?`:                                     false,
		`DELETE FROM "users"`:                                              false,
		`CREATE TABLE "x" ("id" INTEGER)`:                                  false,
		"":                                                                 false,
	} {
		if got := readsOnly(sql); got != want {
			t.Errorf("readsOnly(%q) = %v, want %v", sql, got, want)
		}
	}
}
