package retort

import (
	"fmt"
	"time"
)

// Date returns the Type for a time.Time column that holds a calendar date:
// date on PostgreSQL, DATE on SQLite (text such as "2026-12-06", as SQLite's
// date() writes it). The date written is the one the value shows in its own
// location: time.Date(2026, 12, 6, 0, 0, 0, 0, loc) writes 2026-12-06
// whatever loc is, and the server's TimeZone setting never shifts it, on any
// path (one row, many rows, COPY, updates, predicates). Dates read back are
// midnight UTC. Years run from 1 to 9999; others are [ErrOutOfRange].
//
//	Born = retort.ColType(People, "born", func(p *Person) *time.Time { return &p.Born }, retort.Date())
func Date() Type[time.Time] { return dateType{} }

// Timestamp returns the Type for a time.Time column that holds a wall-clock
// time without a zone: timestamp (without time zone) on PostgreSQL,
// TIMESTAMP on SQLite (text such as "2026-12-06 14:00:00.25"). The clock
// written is the one the value shows in its own location, to the
// microsecond (the rest truncated), the zone dropped: as pgx and psql treat
// such a column, and the same on every path. Values read back carry that
// clock in UTC. Years run from 1 to 9999; others are [ErrOutOfRange].
//
// A time.Time declared with [Col] is an instant (timestamptz). Map an
// existing timestamp column with Timestamp: with the default type, rows
// written many at once pass through timestamptz and the server's TimeZone
// while a single row does not ([CheckSchema] reports such a column).
func Timestamp() Type[time.Time] { return timestampType{} }

const (
	dateLayout      = "2006-01-02"
	timestampLayout = "2006-01-02 15:04:05.999999"
)

type dateType struct{}

func (dateType) SQLType(d Dialect, _ int) string {
	if d == Postgres {
		return "date"
	}
	return "DATE"
}

func (dateType) Encode(v time.Time) (any, error) {
	if err := checkYear(v); err != nil {
		return nil, err
	}
	return v.Format(dateLayout), nil
}

// Decode takes what a driver gives for a date or a timestamp as the default
// time type does: a time.Time from pgx, or SQLite's text (a zone in it is
// then ignored, as PostgreSQL ignores it in a timestamp's input) or seconds
// since 1970 (unixepoch()).
func (dateType) Decode(src any) (time.Time, error) {
	t, err := timeType{}.Decode(src)
	if err != nil {
		return time.Time{}, err
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

func (dateType) Equal(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

type timestampType struct{}

func (timestampType) SQLType(d Dialect, _ int) string {
	if d == Postgres {
		return "timestamp"
	}
	return "TIMESTAMP"
}

func (timestampType) Encode(v time.Time) (any, error) {
	if err := checkYear(v); err != nil {
		return nil, err
	}
	return v.Format(timestampLayout), nil // Format truncates, as pgx does
}

func (timestampType) Decode(src any) (time.Time, error) {
	t, err := timeType{}.Decode(src)
	if err != nil {
		return time.Time{}, err
	}
	return wallClock(t), nil
}

func (timestampType) Equal(a, b time.Time) bool { return wallClock(a).Equal(wallClock(b)) }

// wallClock is t's clock in its own location, to the microsecond, in UTC.
func wallClock(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, t.Nanosecond()/1000*1000, time.UTC)
}

func checkYear(v time.Time) error {
	if y := v.Year(); y < 1 || y > 9999 {
		return fmt.Errorf("year %d: %w", y, ErrOutOfRange)
	}
	return nil
}
