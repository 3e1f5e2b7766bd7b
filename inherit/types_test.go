package inherit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/postgres"
	"github.com/retort-orm/retort/session"
)

// A Ticket has a uuid held in a string; a Flight, a date and a zone-less
// timestamp: column types of existing schemas, on both tables of a
// hierarchy.
type Ticket struct {
	ID   int64
	Kind string
	Ref  string
}

type Flight struct {
	Ticket
	Day    time.Time
	Boards time.Time
}

var (
	Tickets    = retort.NewTable[Ticket]("ticket")
	TicketID   = retort.Col(Tickets, "id", func(t *Ticket) *int64 { return &t.ID }, retort.PrimaryKey())
	TicketKind = retort.Col(Tickets, "kind", func(t *Ticket) *string { return &t.Kind })
	_          = retort.Col(Tickets, "ref", func(t *Ticket) *string { return &t.Ref }, retort.PGType("uuid"))

	Flights      = retort.NewTable[Flight]("flight")
	_            = retort.Col(Flights, "id", func(f *Flight) *int64 { return &f.ID }, retort.PrimaryKey()).References(TicketID)
	_            = retort.ColType(Flights, "day", func(f *Flight) *time.Time { return &f.Day }, retort.Date())
	FlightBoards = retort.ColType(Flights, "boards", func(f *Flight) *time.Time { return &f.Boards }, retort.Timestamp())

	TicketClass = inherit.New(Tickets, TicketKind, "ticket")
	FlightClass = inherit.Sub(TicketClass, Flights, func(f *Flight) *Ticket { return &f.Ticket }, "flight")
)

// TestColumnTypes flushes three flights (the statement that writes both
// tables from arrays) through a session whose PostgreSQL TimeZone is New
// York's, and loads them back: the uuid, the date each shows in its own
// zone, the clock.
func TestColumnTypes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, TicketClass.Tables()...)
		if err := retort.CheckSchema(ctx, env.DB, TicketClass.Tables()...); err != nil {
			t.Error(err)
		}
		db := env.DB
		if env.Dialect == retort.Postgres {
			ny, err := postgres.Open(ctx, env.URL+"&timezone=America/New_York")
			if err != nil {
				t.Fatal(err)
			}
			defer ny.Close()
			db = ny
		}
		east := time.FixedZone("+14", 14*3600)
		s := session.New(db)
		var objs, want []*Flight
		for i := range 3 {
			f := &Flight{Ticket: Ticket{Ref: fmt.Sprintf("a0eebc99-9c0b-4ef8-bb6d-%012d", i)},
				Day: time.Date(2026, 12, 6+i, 0, 0, 0, 0, east), Boards: time.Date(2026, 12, 6+i, 9, 30, 0, 0, east)}
			add(t, s, f)
			objs = append(objs, f)
		}
		mustCommit(t, s)
		for i, f := range objs {
			want = append(want, &Flight{Ticket: Ticket{ID: f.ID, Kind: "flight", Ref: f.Ref},
				Day: time.Date(2026, 12, 6+i, 0, 0, 0, 0, time.UTC), Boards: time.Date(2026, 12, 6+i, 9, 30, 0, 0, time.UTC)})
		}
		got, err := inherit.All(ctx, session.New(db), inherit.Select(FlightClass).OrderBy(TicketID.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("flights (-want +got):\n%s", diff)
		}
		got, err = inherit.All(ctx, session.New(db), inherit.Select(FlightClass).Where(FlightBoards.Eq(want[1].Boards)))
		if err != nil || len(got) != 1 || got[0].ID != want[1].ID {
			t.Errorf("by the clock: %v, %v", got, err)
		}
	})
}

// A Parcel has a UUID key that inserts make; a Crate, JSON columns: a map
// and a NULL-able slice.
type Parcel struct {
	ID   retort.UUID
	Kind string
	Note string
}

type Crate struct {
	Parcel
	Contents map[string]int
	Labels   *[]string
}

var (
	Parcels    = retort.NewTable[Parcel]("parcel")
	ParcelID   = retort.Col(Parcels, "id", func(p *Parcel) *retort.UUID { return &p.ID }, retort.PrimaryKey(), retort.Default(retort.NewUUID))
	ParcelKind = retort.Col(Parcels, "kind", func(p *Parcel) *string { return &p.Kind })
	ParcelNote = retort.Col(Parcels, "note", func(p *Parcel) *string { return &p.Note })

	Crates = retort.NewTable[Crate]("crate")
	_      = retort.Col(Crates, "id", func(c *Crate) *retort.UUID { return &c.ID }, retort.PrimaryKey()).References(ParcelID)
	_      = retort.ColType(Crates, "contents", func(c *Crate) *map[string]int { return &c.Contents }, retort.JSON[map[string]int]())
	_      = retort.NullColType(Crates, "labels", func(c *Crate) **[]string { return &c.Labels }, retort.JSON[[]string]())

	ParcelClass = inherit.New(Parcels, ParcelKind, "parcel")
	CrateClass  = inherit.Sub(ParcelClass, Crates, func(c *Crate) *Parcel { return &c.Parcel }, "crate")
)

// TestUUIDKeyAndJSONInHierarchy: one flush writes parcels and crates (both
// tables from arrays on PostgreSQL) with keys made by the base table's
// Default(NewUUID); a polymorphic load gives them back; a crate's map and
// slice changed in place are written by the next flush, and nothing else.
func TestUUIDKeyAndJSONInHierarchy(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, ParcelClass.Tables()...)
		if err := retort.CheckSchema(ctx, env.DB, ParcelClass.Tables()...); err != nil {
			t.Error(err)
		}
		s := session.New(env.DB)
		objs := []any{ // in the order of their notes
			&Crate{Parcel: Parcel{Note: "c1"}, Contents: map[string]int{"apples": 3}},
			&Crate{Parcel: Parcel{Note: "c2"}, Contents: map[string]int{"pears": 2, "figs": 9}, Labels: &[]string{"fragile"}},
			&Crate{Parcel: Parcel{Note: "c3"}, Contents: map[string]int{}},
			&Parcel{Note: "p0"},
		}
		add(t, s, objs[3].(*Parcel))
		add(t, s, objs[0].(*Crate), objs[1].(*Crate), objs[2].(*Crate))
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		load := func() []any {
			t.Helper()
			got, err := inherit.Poly(ctx, session.New(env.DB), inherit.Select(ParcelClass).OrderBy(ParcelNote.Asc()))
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		for _, o := range objs {
			var id retort.UUID
			switch o := o.(type) {
			case *Parcel:
				id = o.ID
			case *Crate:
				id = o.ID
			}
			if id.IsZero() {
				t.Fatalf("%+v has no key", o)
			}
		}
		if diff := cmp.Diff(objs, load()); diff != "" {
			t.Fatalf("loaded (-flushed +read):\n%s", diff)
		}
		c2 := objs[1].(*Crate)
		c2.Contents["figs"] = 10
		(*c2.Labels)[0] = "this side up"
		env.Count.Reset()
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if env.Count.RoundTrips() == 0 {
			t.Fatal("changes made in place were not written")
		}
		if diff := cmp.Diff(objs, load()); diff != "" {
			t.Errorf("after the change (-in memory +read):\n%s", diff)
		}
	})
}

// A Shape's tag is filled by the database (ReadOnly with a DDL default);
// a Rect's area is computed by it (Generated).
type Shape struct {
	ID    int64
	Kind  string
	Label string
	Tag   string
}

type Rect struct {
	Shape
	W, H int64
	Area int64
}

var (
	Shapes     = retort.NewTable[Shape]("shape")
	ShapeID    = retort.Col(Shapes, "id", func(s *Shape) *int64 { return &s.ID }, retort.PrimaryKey())
	ShapeKind  = retort.Col(Shapes, "kind", func(s *Shape) *string { return &s.Kind })
	ShapeLabel = retort.Col(Shapes, "label", func(s *Shape) *string { return &s.Label })
	_          = retort.Col(Shapes, "tag", func(s *Shape) *string { return &s.Tag }, retort.ReadOnly(), retort.DefaultSQL("'base'"))

	Rects    = retort.NewTable[Rect]("rect")
	_        = retort.Col(Rects, "id", func(r *Rect) *int64 { return &r.ID }, retort.PrimaryKey()).References(ShapeID)
	_        = retort.Col(Rects, "w", func(r *Rect) *int64 { return &r.W })
	_        = retort.Col(Rects, "h", func(r *Rect) *int64 { return &r.H })
	RectArea = retort.Col(Rects, "area", func(r *Rect) *int64 { return &r.Area }, retort.Generated(`"w" * "h"`))

	ShapeClass = inherit.New(Shapes, ShapeKind, "shape")
	RectClass  = inherit.Sub(ShapeClass, Rects, func(r *Rect) *Shape { return &r.Shape }, "rect")
)

// TestReadOnlyColumnsInHierarchy: a flush of shapes and rects (one
// statement writing both tables on PostgreSQL, multi-row INSERTs on
// SQLite) leaves the read-only columns out and reads them back into the
// objects, as does a flush that updates a rect.
func TestReadOnlyColumnsInHierarchy(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, ShapeClass.Tables()...)
		if err := retort.CheckSchema(ctx, env.DB, ShapeClass.Tables()...); err != nil {
			t.Error(err)
		}
		s := session.New(env.DB)
		plain := &Shape{Label: "s0", Tag: "mine"}
		add(t, s, plain)
		var rects []*Rect
		for i := range 60 {
			r := &Rect{Shape: Shape{Label: fmt.Sprintf("r%02d", i)}, W: int64(i), H: 3, Area: -1}
			rects = append(rects, r)
		}
		add(t, s, rects...)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if plain.Tag != "base" {
			t.Errorf("shape's tag %q, want the database's", plain.Tag)
		}
		for _, r := range rects {
			if r.Area != r.W*3 || r.Tag != "base" {
				t.Fatalf("rect %+v: not what the database made", r)
			}
		}
		rects[5].W = 100
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if rects[5].Area != 300 {
			t.Errorf("after the update: area %d, want 300", rects[5].Area)
		}
		got, err := inherit.Poly(ctx, session.New(env.DB), inherit.Select(ShapeClass).OrderBy(ShapeLabel.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		want := []any{}
		for _, r := range rects {
			want = append(want, r)
		}
		want = append(want, plain)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("stored (-objects +read):\n%s", diff)
		}
	})
}
