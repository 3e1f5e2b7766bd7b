package sqlite

import (
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/retort-orm/retort"
	"zombiezen.com/go/sqlite"
)

// bind binds args, which are what Retort's columns encode: nil, Go integers
// and floats, bool, string, []byte and time.Time (stored as text in
// retort.TimeFormat, to the microsecond as on PostgreSQL, so that order and
// comparisons work).
func bind(stmt *sqlite.Stmt, args []any) error {
	if n := stmt.BindParamCount(); n != len(args) {
		return fmt.Errorf("sqlite: statement has %d parameters, got %d arguments", n, len(args))
	}
	for i, a := range args {
		p := i + 1
		switch v := a.(type) {
		case nil:
			stmt.BindNull(p)
		case int64:
			stmt.BindInt64(p, v)
		case int:
			stmt.BindInt64(p, int64(v))
		case int32:
			stmt.BindInt64(p, int64(v))
		case int16:
			stmt.BindInt64(p, int64(v))
		case int8:
			stmt.BindInt64(p, int64(v))
		case uint64:
			if v > math.MaxInt64 {
				return fmt.Errorf("sqlite: argument %d: %d: %w", p, v, retort.ErrOutOfRange)
			}
			stmt.BindInt64(p, int64(v))
		case uint:
			if uint64(v) > math.MaxInt64 {
				return fmt.Errorf("sqlite: argument %d: %d: %w", p, v, retort.ErrOutOfRange)
			}
			stmt.BindInt64(p, int64(v))
		case uint32:
			stmt.BindInt64(p, int64(v))
		case uint16:
			stmt.BindInt64(p, int64(v))
		case uint8:
			stmt.BindInt64(p, int64(v))
		case float64:
			stmt.BindFloat(p, v)
		case float32:
			stmt.BindFloat(p, float64(v))
		case bool:
			stmt.BindBool(p, v)
		case string:
			stmt.BindText(p, v)
		case []byte:
			if v == nil {
				v = []byte{}
			}
			stmt.BindBytes(p, v)
		case time.Time:
			stmt.BindText(p, retort.FormatTime(v))
		default:
			return fmt.Errorf("sqlite: argument %d: unsupported type %T", p, a)
		}
	}
	return nil
}

type integer interface {
	int | int8 | int16 | int32 | int64 | uint | uint8 | uint16 | uint32 | uint64
}

func columnInt[I integer](stmt *sqlite.Stmt, i int) (I, error) {
	var n int64
	switch stmt.ColumnType(i) {
	case sqlite.TypeInteger:
		n = stmt.ColumnInt64(i)
	case sqlite.TypeFloat:
		f := stmt.ColumnFloat(i)
		if f != math.Trunc(f) || f > math.MaxInt64 || f < math.MinInt64 {
			return 0, fmt.Errorf("%v is not an integer: %w", f, retort.ErrOutOfRange)
		}
		n = int64(f)
	case sqlite.TypeNull:
		return 0, retort.ErrNullValue
	default:
		return 0, fmt.Errorf("cannot scan %s %q into an integer", stmt.ColumnType(i), stmt.ColumnText(i))
	}
	v := I(n)
	if int64(v) != n || (n < 0) != (v < 0) {
		return 0, fmt.Errorf("%d does not fit %T: %w", n, v, retort.ErrOutOfRange)
	}
	return v, nil
}

func scanInt[I integer](stmt *sqlite.Stmt, i int, d *I) error {
	v, err := columnInt[I](stmt, i)
	if err == nil {
		*d = v
	}
	return err
}

func scanNullInt[I integer](stmt *sqlite.Stmt, i int, d **I) error {
	if stmt.ColumnType(i) == sqlite.TypeNull {
		*d = nil
		return nil
	}
	v, err := columnInt[I](stmt, i)
	if err == nil {
		*d = &v
	}
	return err
}

func columnValue(stmt *sqlite.Stmt, i int) any {
	switch stmt.ColumnType(i) {
	case sqlite.TypeInteger:
		return stmt.ColumnInt64(i)
	case sqlite.TypeFloat:
		return stmt.ColumnFloat(i)
	case sqlite.TypeText:
		return stmt.ColumnText(i)
	case sqlite.TypeBlob:
		b := make([]byte, stmt.ColumnLen(i))
		stmt.ColumnBytes(i, b)
		return b
	}
	return nil
}

func columnTyped[V any](stmt *sqlite.Stmt, i int, conv func(any) (V, error)) (V, error) {
	src := columnValue(stmt, i)
	if src == nil {
		var zero V
		return zero, retort.ErrNullValue
	}
	return conv(src)
}

func scanTyped[V any](stmt *sqlite.Stmt, i int, d *V, conv func(any) (V, error)) error {
	v, err := columnTyped(stmt, i, conv)
	if err == nil {
		*d = v
	}
	return err
}

func scanNullTyped[V any](stmt *sqlite.Stmt, i int, d **V, conv func(any) (V, error)) error {
	if stmt.ColumnType(i) == sqlite.TypeNull {
		*d = nil
		return nil
	}
	v, err := columnTyped(stmt, i, conv)
	if err == nil {
		*d = &v
	}
	return err
}

func toFloat(src any) (float64, error) {
	switch s := src.(type) {
	case float64:
		return s, nil
	case int64:
		return float64(s), nil
	}
	return 0, fmt.Errorf("cannot scan %T %v into a float", src, src)
}

func toFloat32(src any) (float32, error) {
	f, err := toFloat(src)
	return float32(f), err
}

func toBool(src any) (bool, error) {
	switch s := src.(type) {
	case int64:
		return s != 0, nil
	case float64:
		return s != 0, nil
	}
	return false, fmt.Errorf("cannot scan %T %v into a bool", src, src)
}

func toString(src any) (string, error) {
	switch s := src.(type) {
	case string:
		return s, nil
	case []byte:
		return string(s), nil
	case int64, float64:
		return fmt.Sprint(s), nil
	}
	return "", fmt.Errorf("cannot scan %T into a string", src)
}

func toBytes(src any) ([]byte, error) {
	switch s := src.(type) {
	case []byte:
		return s, nil
	case string:
		return []byte(s), nil
	}
	return nil, fmt.Errorf("cannot scan %T into []byte", src)
}

func toTime(src any) (time.Time, error) {
	switch s := src.(type) {
	case string:
		return retort.ParseTime(s)
	case int64:
		return time.Unix(s, 0).UTC(), nil
	case float64:
		sec, frac := math.Modf(s)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("cannot scan %T into time.Time", src)
}

// scanString and scanFloat are the common cases, read without boxing.
func scanString(stmt *sqlite.Stmt, i int, d *string) error {
	switch stmt.ColumnType(i) {
	case sqlite.TypeText, sqlite.TypeBlob:
		*d = stmt.ColumnText(i)
		return nil
	case sqlite.TypeNull:
		return retort.ErrNullValue
	}
	return scanTyped(stmt, i, d, toString)
}

func scanFloat(stmt *sqlite.Stmt, i int, d *float64) error {
	switch stmt.ColumnType(i) {
	case sqlite.TypeFloat, sqlite.TypeInteger:
		*d = stmt.ColumnFloat(i)
		return nil
	case sqlite.TypeNull:
		return retort.ErrNullValue
	}
	return scanTyped(stmt, i, d, toFloat)
}

// scanColumn stores column i into d, one of the destinations retort.Rows
// documents. A type switch, not reflection.
func scanColumn(stmt *sqlite.Stmt, i int, d any) error {
	switch d := d.(type) {
	case *int64:
		return scanInt(stmt, i, d)
	case *int:
		return scanInt(stmt, i, d)
	case *int32:
		return scanInt(stmt, i, d)
	case *int16:
		return scanInt(stmt, i, d)
	case *int8:
		return scanInt(stmt, i, d)
	case *uint64:
		return scanInt(stmt, i, d)
	case *uint:
		return scanInt(stmt, i, d)
	case *uint32:
		return scanInt(stmt, i, d)
	case *uint16:
		return scanInt(stmt, i, d)
	case *uint8:
		return scanInt(stmt, i, d)
	case **int64:
		return scanNullInt(stmt, i, d)
	case **int:
		return scanNullInt(stmt, i, d)
	case **int32:
		return scanNullInt(stmt, i, d)
	case **int16:
		return scanNullInt(stmt, i, d)
	case **int8:
		return scanNullInt(stmt, i, d)
	case **uint64:
		return scanNullInt(stmt, i, d)
	case **uint:
		return scanNullInt(stmt, i, d)
	case **uint32:
		return scanNullInt(stmt, i, d)
	case **uint16:
		return scanNullInt(stmt, i, d)
	case **uint8:
		return scanNullInt(stmt, i, d)
	case *float64:
		return scanFloat(stmt, i, d)
	case **float64:
		if stmt.ColumnType(i) == sqlite.TypeNull {
			*d = nil
			return nil
		}
		var f float64
		if err := scanFloat(stmt, i, &f); err != nil {
			return err
		}
		*d = &f
		return nil
	case *float32:
		return scanTyped(stmt, i, d, toFloat32)
	case **float32:
		return scanNullTyped(stmt, i, d, toFloat32)
	case *bool:
		return scanTyped(stmt, i, d, toBool)
	case **bool:
		return scanNullTyped(stmt, i, d, toBool)
	case *string:
		return scanString(stmt, i, d)
	case **string:
		if stmt.ColumnType(i) == sqlite.TypeNull {
			*d = nil
			return nil
		}
		var v string
		if err := scanString(stmt, i, &v); err != nil {
			return err
		}
		*d = &v
		return nil
	case *[]byte:
		if stmt.ColumnType(i) == sqlite.TypeNull {
			*d = nil
			return nil
		}
		return scanTyped(stmt, i, d, toBytes)
	case **[]byte:
		return scanNullTyped(stmt, i, d, toBytes)
	case *time.Time:
		return scanTyped(stmt, i, d, toTime)
	case **time.Time:
		return scanNullTyped(stmt, i, d, toTime)
	case *any:
		*d = columnValue(stmt, i)
		return nil
	case sql.Scanner:
		return d.Scan(columnValue(stmt, i))
	}
	return fmt.Errorf("unsupported scan destination %T", d)
}
