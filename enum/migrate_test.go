package enum_test

import (
	"context"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/enum"
	"github.com/retort-orm/retort/internal/dbtest"
)

type Weather string

var Weathers = enum.New("weather",
	enum.Value(Weather("sunny"), "Sunny"),
	enum.Value(Weather("rainy"), "Rainy"),
)

type LogV1 struct{ ID int64 }

type LogV2 struct {
	ID      int64
	Weather *Weather
}

var (
	LogsV1 = retort.NewTable[LogV1]("weather_log")
	_      = retort.Col(LogsV1, "id", func(l *LogV1) *int64 { return &l.ID }, retort.PrimaryKey())

	LogsV2     = retort.NewTable[LogV2]("weather_log")
	LogV2ID    = retort.Col(LogsV2, "id", func(l *LogV2) *int64 { return &l.ID }, retort.PrimaryKey())
	LogWeather = retort.NullColType(LogsV2, "weather", func(l *LogV2) **Weather { return &l.Weather }, Weathers)
)

// TestMigrateEnumColumn: retort.Migrate adds an enum column to a table
// that has rows: on PostgreSQL with its type, created as it was missing;
// on SQLite with its CHECK constraint. Values outside the enum are
// refused by the database afterwards.
func TestMigrateEnumColumn(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, LogsV1)
		if err := retort.Insert(LogsV1, &LogV1{}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = retort.DropAll(context.Background(), env.DB, LogsV2) })
		if env.Dialect == retort.Postgres && typeExists(t, env.DB, "weather") {
			t.Fatal("type weather exists before the migration")
		}
		applied, err := retort.Migrate(ctx, env.DB, LogsV2)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%q", applied)
		if env.Dialect == retort.Postgres && !typeExists(t, env.DB, "weather") {
			t.Error("type weather not created")
		}
		sunny := Weather("sunny")
		if err := retort.Insert(LogsV2, &LogV2{Weather: &sunny}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		n, err := retort.Select(LogsV2).Where(LogWeather.Eq(sunny)).Count(ctx, env.DB)
		if err != nil || n != 1 {
			t.Errorf("sunny logs: %d, %v", n, err)
		}
		if _, err := env.DB.Exec(ctx, `INSERT INTO "weather_log" ("weather") VALUES ('hail')`); err == nil {
			t.Error("a value outside the enum was stored")
		}
		if again, err := retort.Migrate(ctx, env.DB, LogsV2); err != nil || len(again) != 0 {
			t.Errorf("second run: %q, %v", again, err)
		}
	})
}
