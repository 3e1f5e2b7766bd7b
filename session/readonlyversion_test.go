package session_test

import (
	"context"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// Gauge is versioned and has a column the database maintains.
type Gauge struct {
	ID      int64
	Level   int64
	Double  int64 // level * 2, the database's
	Version int64
}

var (
	Gauges       = retort.NewTable[Gauge]("gauge")
	GaugeID      = retort.Col(Gauges, "id", func(g *Gauge) *int64 { return &g.ID }, retort.PrimaryKey())
	GaugeLevel   = retort.Col(Gauges, "level", func(g *Gauge) *int64 { return &g.Level })
	GaugeDouble  = retort.Col(Gauges, "double", func(g *Gauge) *int64 { return &g.Double }, retort.Generated(`"level" * 2`))
	GaugeVersion = retort.Col(Gauges, "version", func(g *Gauge) *int64 { return &g.Version })
)

func init() { session.Versioned(Gauges, GaugeVersion) }

// TestReadOnlyChangeKeepsVersion: a change to a read-only field alone
// writes nothing (the database maintains the column), so it must not move
// the version either: the next real change still matches the row.
func TestReadOnlyChangeKeepsVersion(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Gauges)
		s := session.New(env.DB)
		g := &Gauge{ID: 1, Level: 3}
		if err := session.Add(s, g); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		g.Double = 100 // the database's column: not written
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if g.Version != 1 {
			t.Errorf("version after a read-only change = %d, want 1 (nothing was written)", g.Version)
		}
		g.Level = 4
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("a real change after a read-only one: %v", err)
		}
		got, err := retort.Select(Gauges).One(ctx, env.DB)
		if err != nil || got.Level != 4 || got.Double != 8 || got.Version != 2 {
			t.Errorf("row = %+v, %v; want level 4, double 8, version 2", got, err)
		}
	})
}
