package retort_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
)

// tyLimit has a column of every built-in type, to carry each type's extreme
// values through both databases.
type tyLimit struct {
	ID    int64
	I8    int8
	I16   int16
	I32   int32
	I64   int64
	I     int
	U8    uint8
	U16   uint16
	U32   uint32
	U64   uint64
	U     uint
	F32   float32
	F64   float64
	B     bool
	S     string
	Bytes []byte
	T     time.Time
	NI8   *int8
	NU16  *uint16
	NF64  *float64
	NB    *bool
	NS    *string
	NT    *time.Time
	NData *[]byte
}

var (
	tyLimits = retort.NewTable[tyLimit]("ty_limits")
	_        = retort.Col(tyLimits, "id", func(r *tyLimit) *int64 { return &r.ID }, retort.PrimaryKey())
	_        = retort.Col(tyLimits, "i8", func(r *tyLimit) *int8 { return &r.I8 })
	_        = retort.Col(tyLimits, "i16", func(r *tyLimit) *int16 { return &r.I16 })
	_        = retort.Col(tyLimits, "i32", func(r *tyLimit) *int32 { return &r.I32 })
	_        = retort.Col(tyLimits, "i64", func(r *tyLimit) *int64 { return &r.I64 })
	_        = retort.Col(tyLimits, "i", func(r *tyLimit) *int { return &r.I })
	_        = retort.Col(tyLimits, "u8", func(r *tyLimit) *uint8 { return &r.U8 })
	_        = retort.Col(tyLimits, "u16", func(r *tyLimit) *uint16 { return &r.U16 })
	_        = retort.Col(tyLimits, "u32", func(r *tyLimit) *uint32 { return &r.U32 })
	tyU64    = retort.Col(tyLimits, "u64", func(r *tyLimit) *uint64 { return &r.U64 })
	_        = retort.Col(tyLimits, "u", func(r *tyLimit) *uint { return &r.U })
	_        = retort.Col(tyLimits, "f32", func(r *tyLimit) *float32 { return &r.F32 })
	_        = retort.Col(tyLimits, "f64", func(r *tyLimit) *float64 { return &r.F64 })
	_        = retort.Col(tyLimits, "b", func(r *tyLimit) *bool { return &r.B })
	_        = retort.Col(tyLimits, "s", func(r *tyLimit) *string { return &r.S })
	_        = retort.Col(tyLimits, "bytes", func(r *tyLimit) *[]byte { return &r.Bytes })
	tyLimitT = retort.Col(tyLimits, "t", func(r *tyLimit) *time.Time { return &r.T })
	_        = retort.NullCol(tyLimits, "ni8", func(r *tyLimit) **int8 { return &r.NI8 })
	_        = retort.NullCol(tyLimits, "nu16", func(r *tyLimit) **uint16 { return &r.NU16 })
	_        = retort.NullCol(tyLimits, "nf64", func(r *tyLimit) **float64 { return &r.NF64 })
	_        = retort.NullCol(tyLimits, "nb", func(r *tyLimit) **bool { return &r.NB })
	_        = retort.NullCol(tyLimits, "ns", func(r *tyLimit) **string { return &r.NS })
	_        = retort.NullCol(tyLimits, "nt", func(r *tyLimit) **time.Time { return &r.NT })
	_        = retort.NullCol(tyLimits, "ndata", func(r *tyLimit) **[]byte { return &r.NData })
)

var tyCmp = cmp.Options{cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })}

// Every built-in type keeps its smallest and largest values on both
// databases (unsigned 64-bit values up to the largest int64, which is what
// both store).
func TestTypeLimits(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, tyLimits)
		when := time.Date(2024, 2, 29, 23, 59, 59, 999_999_000, time.UTC) // microseconds: both keep them
		rows := []*tyLimit{
			{
				I8: math.MinInt8, I16: math.MinInt16, I32: math.MinInt32, I64: math.MinInt64, I: math.MinInt64,
				F32: -math.MaxFloat32, F64: -math.MaxFloat64, S: "", Bytes: []byte{}, T: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
			},
			{
				I8: math.MaxInt8, I16: math.MaxInt16, I32: math.MaxInt32, I64: math.MaxInt64, I: math.MaxInt64,
				U8: math.MaxUint8, U16: math.MaxUint16, U32: math.MaxUint32, U64: math.MaxInt64, U: math.MaxInt64,
				F32: math.SmallestNonzeroFloat32, F64: math.SmallestNonzeroFloat64, B: true,
				S: "ünï ☃ 'quote' \"dq\" \\ back", Bytes: []byte{0, 0xff, 0, 'x'}, T: when,
				NI8: ptr(int8(-1)), NU16: ptr(uint16(65535)), NF64: ptr(0.1), NB: ptr(false), NS: ptr(""),
				NT: ptr(when.In(time.FixedZone("east", 5*3600))), NData: ptr([]byte{}),
			},
		}
		if err := retort.Insert(tyLimits, rows...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		got, err := retort.Select(tyLimits).OrderBy(retort.Asc(tyLimits.PrimaryKey()[0])).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(rows, got, tyCmp); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}

		// An unsigned value neither database can hold is refused before any
		// SQL is sent, naming the column.
		env.Count.Reset()
		err = retort.Insert(tyLimits, &tyLimit{U64: math.MaxInt64 + 1, Bytes: []byte{}}).Exec(ctx, env.DB)
		var ce *retort.ColumnError
		if !errors.As(err, &ce) || ce.Table != "ty_limits" || ce.Column != "u64" || !errors.Is(err, retort.ErrOutOfRange) {
			t.Errorf("uint64 above int64: %v", err)
		}
		if _, err := retort.Update(tyLimits).Set(tyU64.To(math.MaxUint64)).Exec(ctx, env.DB); !errors.Is(err, retort.ErrOutOfRange) {
			t.Errorf("update with uint64 above int64: %v", err)
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("%d round trips for refused values", n)
		}
	})
}

// time.Time keeps microseconds on both databases: PostgreSQL's timestamptz
// keeps them and pgx drops the nanoseconds below (it sends whole
// microseconds); SQLite's text is written to the microsecond to match (it
// kept nanoseconds before, so the two read back different times, and a
// condition with the time written matched on one and not the other). The
// instant, not the zone, is what comes back.
func TestTimePrecision(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, tyLimits)
		at := time.Date(2024, 5, 6, 7, 8, 9, 123_456_789, time.FixedZone("west", -7*3600))
		if err := retort.Insert(tyLimits, &tyLimit{Bytes: []byte{}, T: at}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		got, err := retort.Select(tyLimits).One(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		want := at.Truncate(time.Microsecond)
		if !got.T.Equal(want) {
			t.Errorf("read back %v, want %v", got.T, want)
		}
		// A condition with a time that differs below the microsecond finds
		// the row on both, as it is sent to the microsecond too.
		for _, probe := range []time.Time{at, at.Add(-789), want} {
			n, err := retort.Select(tyLimits).Where(tyLimitT.Eq(probe)).Count(ctx, env.DB)
			if err != nil || n != 1 {
				t.Errorf("T = %v: %d rows, %v; want 1", probe, n, err)
			}
		}
	})
}

// tyStamp has a time column and a nullable one.
type tyStamp struct {
	ID  int64
	At  time.Time
	Opt *time.Time
}

var (
	tyStamps  = retort.NewTable[tyStamp]("ty_stamp")
	tyStampID = retort.Col(tyStamps, "id", func(s *tyStamp) *int64 { return &s.ID }, retort.PrimaryKey())
	_         = retort.Col(tyStamps, "at", func(s *tyStamp) *time.Time { return &s.At })
	_         = retort.NullCol(tyStamps, "opt", func(s *tyStamp) **time.Time { return &s.Opt })
)

// TestTimePaths writes the same instants, from zones east and west of UTC,
// before 1970 and 2000, at the ends of years 1 and 9999, by every insert
// path (one row, arrays of 5 and of 2,100 rows on PostgreSQL, where
// times keep a table's inserts out of COPY), and reads back the same
// instants from each, truncated to the microsecond on both databases. Years after 9999 in UTC, or before 1 BC, are
// refused and nothing is written.
func TestTimePaths(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, tyStamps)
		west, east := time.FixedZone("west", -7*3600-30*60), time.FixedZone("east", 13*3600+45*60)
		times := []time.Time{
			time.Date(2024, 5, 6, 7, 8, 9, 123_456_789, west),
			time.Date(1969, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
			time.Date(1999, 12, 31, 23, 59, 59, 500, east),
			time.Date(1, 1, 1, 0, 0, 0, 1_000, time.UTC),
			time.Date(9999, 12, 31, 23, 59, 59, 999_999_000, time.UTC),
		}
		var want []*tyStamp
		insert := func(n int, extra ...time.Time) {
			t.Helper()
			objs := make([]*tyStamp, n)
			for i := range objs {
				at := times[i%len(times)]
				if i < len(extra) {
					at = extra[i]
				}
				objs[i] = &tyStamp{At: at}
				if i%2 == 1 {
					objs[i].Opt = &times[(i+1)%len(times)]
				}
			}
			if err := retort.Insert(tyStamps, objs...).Exec(ctx, env.DB); err != nil {
				t.Fatalf("%d rows: %v", n, err)
			}
			for _, o := range objs {
				w := &tyStamp{ID: o.ID, At: o.At}
				if o.Opt != nil {
					opt := *o.Opt
					w.Opt = &opt
				}
				w.At = w.At.Truncate(time.Microsecond)
				if w.Opt != nil {
					*w.Opt = w.Opt.Truncate(time.Microsecond)
				}
				want = append(want, w)
			}
		}
		insert(1)
		insert(5)
		insert(2100)
		insert(3, time.Date(0, 6, 1, 0, 0, 0, 0, time.UTC)) // 1 BC
		// Years SQLite's text does not spell are refused on both databases.
		for _, at := range []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 20, 0, 0, 0, west), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)} {
			err := retort.Insert(tyStamps, &tyStamp{At: times[0]}, &tyStamp{At: at}).Exec(ctx, env.DB)
			var ce *retort.ColumnError
			if !errors.Is(err, retort.ErrOutOfRange) || !errors.As(err, &ce) || ce.Column != "at" {
				t.Errorf("insert of %v: %v, want ErrOutOfRange naming the column", at, err)
			}
		}
		got, err := retort.Select(tyStamps).OrderBy(tyStampID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	})
}

// tyPoint is a user type stored through a Type of its own: "x,y" text.
type tyPoint struct{ X, Y int }

type tyPointType struct{}

func (tyPointType) SQLType(d retort.Dialect, _ int) string {
	if d == retort.Postgres {
		return "text"
	}
	return "TEXT"
}

func (tyPointType) Encode(p tyPoint) (any, error) {
	if p.X < 0 || p.Y < 0 {
		return nil, fmt.Errorf("point %v is outside the first quadrant", p)
	}
	return strconv.Itoa(p.X) + "," + strconv.Itoa(p.Y), nil
}

func (tyPointType) Decode(src any) (tyPoint, error) {
	s, ok := src.(string)
	if !ok {
		return tyPoint{}, fmt.Errorf("cannot decode %T into a point", src)
	}
	xs, ys, ok := strings.Cut(s, ",")
	x, errX := strconv.Atoi(xs)
	y, errY := strconv.Atoi(ys)
	if !ok || errX != nil || errY != nil {
		return tyPoint{}, fmt.Errorf("%q is not a point", s)
	}
	return tyPoint{x, y}, nil
}

func (tyPointType) Equal(a, b tyPoint) bool { return a == b }

type tyShape struct {
	ID     int64
	Origin tyPoint
	Corner *tyPoint
}

var (
	tyShapes      = retort.NewTable[tyShape]("ty_shapes")
	tyShapeID     = retort.Col(tyShapes, "id", func(s *tyShape) *int64 { return &s.ID }, retort.PrimaryKey())
	tyShapeOrigin = retort.ColType(tyShapes, "origin", func(s *tyShape) *tyPoint { return &s.Origin }, retort.Type[tyPoint](tyPointType{}))
	tyShapeCorner = retort.NullColType(tyShapes, "corner", func(s *tyShape) **tyPoint { return &s.Corner }, retort.Type[tyPoint](tyPointType{}))
)

// A user's Type is used for DDL, for writes, for predicates and for reads,
// and its errors come back naming the table and column.
func TestCustomType(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, tyShapes)
		shapes := []*tyShape{
			{Origin: tyPoint{1, 2}, Corner: &tyPoint{3, 4}},
			{Origin: tyPoint{5, 6}},
		}
		if err := retort.Insert(tyShapes, shapes...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		got, err := retort.Select(tyShapes).OrderBy(tyShapeID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(shapes, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
		one, err := retort.Select(tyShapes).Where(tyShapeOrigin.Eq(tyPoint{5, 6}), tyShapeCorner.IsNull()).One(ctx, env.DB)
		if err != nil || one.ID != shapes[1].ID {
			t.Errorf("query by point: %v, %v", one, err)
		}
		if _, err := retort.Update(tyShapes).Set(tyShapeCorner.To(tyPoint{7, 8})).Where(tyShapeID.Eq(shapes[1].ID)).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		n, err := retort.Select(tyShapes).Where(tyShapeCorner.In(tyPoint{3, 4}, tyPoint{7, 8})).Count(ctx, env.DB)
		if err != nil || n != 2 {
			t.Errorf("In over points: %d, %v", n, err)
		}

		// Encode refuses a value: an error before any SQL is sent.
		env.Count.Reset()
		err = retort.Insert(tyShapes, &tyShape{Origin: tyPoint{-1, 0}}).Exec(ctx, env.DB)
		var ce *retort.ColumnError
		if !errors.As(err, &ce) || ce.Table != "ty_shapes" || ce.Column != "origin" || !strings.Contains(err.Error(), "first quadrant") {
			t.Errorf("Encode error: %v", err)
		}
		if _, err := retort.Select(tyShapes).Where(tyShapeOrigin.Eq(tyPoint{-1, -1})).All(ctx, env.DB); err == nil {
			t.Error("a predicate with an unencodable value succeeded")
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("%d round trips for refused values", n)
		}

		// Decode refuses what another program wrote.
		if _, err := env.DB.Exec(ctx, `UPDATE "ty_shapes" SET "corner" = 'nowhere'`); err != nil {
			t.Fatal(err)
		}
		_, err = retort.Select(tyShapes).All(ctx, env.DB)
		if !errors.As(err, &ce) || ce.Table != "ty_shapes" || ce.Column != "corner" || !strings.Contains(err.Error(), "nowhere") {
			t.Errorf("Decode error: %v", err)
		}
	})
}

func TestDefaultType(t *testing.T) {
	check := func(name string, ok bool, pg, lite string, typ interface {
		SQLType(retort.Dialect, int) string
	}) {
		t.Helper()
		if !ok {
			t.Errorf("DefaultType[%s] missing", name)
			return
		}
		if got := typ.SQLType(retort.Postgres, 0); got != pg {
			t.Errorf("%s on PostgreSQL: %q, want %q", name, got, pg)
		}
		if got := typ.SQLType(retort.SQLite, 0); got != lite {
			t.Errorf("%s on SQLite: %q, want %q", name, got, lite)
		}
	}
	i8, ok := retort.DefaultType[int8]()
	check("int8", ok, "smallint", "INTEGER", i8)
	u16, ok := retort.DefaultType[uint16]()
	check("uint16", ok, "integer", "INTEGER", u16)
	u32, ok := retort.DefaultType[uint32]()
	check("uint32", ok, "bigint", "INTEGER", u32)
	f32, ok := retort.DefaultType[float32]()
	check("float32", ok, "real", "REAL", f32)
	by, ok := retort.DefaultType[[]byte]()
	check("[]byte", ok, "bytea", "BLOB", by)
	tm, ok := retort.DefaultType[time.Time]()
	check("time.Time", ok, "timestamptz", "TIMESTAMP", tm)
	dec, ok := retort.DefaultType[retort.Decimal]()
	check("Decimal", ok, "numeric", "NUMERIC", dec)
	s, ok := retort.DefaultType[string]()
	check("string", ok, "text", "TEXT", s)
	if got := s.SQLType(retort.Postgres, 20); got != "varchar(20)" {
		t.Errorf("string of Size(20) on PostgreSQL: %q", got)
	}

	if _, ok := retort.DefaultType[complex64](); ok {
		t.Error("DefaultType[complex64] exists")
	}
	if _, ok := retort.DefaultType[tyPoint](); ok {
		t.Error("DefaultType of a user struct exists")
	}
	type named string // a named type needs its own Type
	if _, ok := retort.DefaultType[named](); ok {
		t.Error("DefaultType of a named string exists")
	}

	// Declaring a column of a type with no built-in Type is a programmer
	// error at declaration, and the panic says what to do.
	defer func() {
		p := recover()
		if p == nil || !strings.Contains(fmt.Sprint(p), "ColType") {
			t.Errorf("Col of a user struct: panic %v, want one pointing at ColType", p)
		}
	}()
	type thing struct{ P tyPoint }
	things := retort.NewTable[thing]("ty_things")
	retort.Col(things, "p", func(x *thing) *tyPoint { return &x.P })
}

// A nil []byte in a NOT NULL column is stored as an empty value on both
// databases (PostgreSQL would otherwise see NULL and refuse it).
func TestNilBytesNotNull(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Users)
		u := &User{Name: "nil avatar"}
		if err := retort.Insert(Users, u).Exec(ctx, env.DB); err != nil {
			t.Fatalf("insert with a nil []byte: %v", err)
		}
		got, err := retort.Select(Users).One(ctx, env.DB)
		if err != nil || len(got.Avatar) != 0 {
			t.Errorf("avatar = %v, %v", got.Avatar, err)
		}
	})
}

// TestDateTimestampValues checks the Date and Timestamp types without a
// database: what they write, what they read from the text other programs
// leave in SQLite, and which values change tracking treats as equal.
func TestDateTimestampValues(t *testing.T) {
	plus2 := time.FixedZone("+02", 2*3600)
	at := time.Date(2026, 12, 6, 14, 0, 5, 123456789, plus2)
	date, ts := retort.Date(), retort.Timestamp()
	enc := func(typ retort.Type[time.Time], v time.Time) any {
		t.Helper()
		e, err := typ.Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	if got := enc(date, at); got != "2026-12-06" {
		t.Errorf("Date encodes %v as %v", at, got)
	}
	if got := enc(ts, at); got != "2026-12-06 14:00:05.123456" {
		t.Errorf("Timestamp encodes %v as %v", at, got)
	}
	if got := enc(ts, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)); got != "0001-01-01 00:00:00" {
		t.Errorf("Timestamp encodes year 1 as %v", got)
	}
	clock := time.Date(2026, 12, 6, 14, 0, 5, 0, time.UTC)
	for _, tc := range []struct {
		typ  retort.Type[time.Time]
		src  any
		want time.Time
	}{
		{date, "2026-12-06", time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)},
		{date, time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)},
		{date, "2026-12-06 23:59:59", time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)},
		{ts, "2026-12-06 14:00:05", clock},
		{ts, "2026-12-06T14:00:05", clock},
		{ts, "2026-12-06 14:00:05.5", clock.Add(500 * time.Millisecond)},
		{ts, "2026-12-06T14:00:05+02:00", clock}, // a zone in the text is ignored
		{ts, "2026-12-06 14:00:05.000000000Z", clock},
		{ts, time.Date(2026, 12, 6, 14, 0, 5, 0, plus2), clock},
		{ts, clock.Unix(), clock}, // unixepoch()
	} {
		got, err := tc.typ.Decode(tc.src)
		if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("%T.Decode(%#v) = %v, %v; want %v", tc.typ, tc.src, got, err, tc.want)
		}
	}
	if _, err := ts.Decode("yesterday"); err == nil {
		t.Error(`Timestamp.Decode("yesterday") succeeded`)
	}
	for _, tc := range []struct {
		typ   retort.Type[time.Time]
		a, b  time.Time
		equal bool
	}{
		{date, time.Date(2026, 12, 6, 0, 0, 0, 0, plus2), time.Date(2026, 12, 6, 23, 0, 0, 0, time.UTC), true},
		{date, time.Date(2026, 12, 6, 0, 0, 0, 0, plus2), time.Date(2026, 12, 6, 0, 0, 0, 0, plus2).UTC(), false}, // the same instant, another day
		{ts, at, time.Date(2026, 12, 6, 14, 0, 5, 123456000, time.UTC), true},                                     // the same clock; nanoseconds are not stored
		{ts, at, at.UTC(), false}, // the same instant, another clock
	} {
		if got := tc.typ.Equal(tc.a, tc.b); got != tc.equal {
			t.Errorf("%T.Equal(%v, %v) = %v", tc.typ, tc.a, tc.b, got)
		}
	}
}

// A column declared after the table was used in a statement would be
// missing from the SQL already built for it (before: "statement has 2
// parameters, got 3 arguments" at the next insert). It panics at the
// declaration, as other mistakes of declaration do.
func TestColumnDeclaredAfterUse(t *testing.T) {
	type late struct {
		ID   int64
		Name string
		More string
	}
	tbl := retort.NewTable[late]("late")
	retort.Col(tbl, "id", func(l *late) *int64 { return &l.ID }, retort.PrimaryKey())
	retort.Col(tbl, "name", func(l *late) *string { return &l.Name })
	if _, _, err := retort.Insert(tbl, &late{Name: "x"}).SQL(retort.SQLite); err != nil {
		t.Fatal(err)
	}
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "column late.more declared after the table was used") {
			t.Errorf("panic %q, want one naming the column", msg)
		}
	}()
	retort.Col(tbl, "more", func(l *late) *string { return &l.More })
}
