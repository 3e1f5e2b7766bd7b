package retort

import (
	"database/sql"
	"errors"
	"fmt"
)

var (
	// ErrNoRows is returned by One and First when no row matched. It also
	// matches database/sql.ErrNoRows with errors.Is.
	ErrNoRows error = noRows{}
	// ErrTooManyRows is returned by One when more than one row matched.
	ErrTooManyRows = errors.New("retort: more than one row")
	// ErrTooLong is wrapped by a ColumnError when a value exceeds a column's Size.
	ErrTooLong = errors.New("value too long")
	// ErrOutOfRange is wrapped when a number does not fit its column or
	// field, and for a float NaN written to a column (SQLite would store
	// NULL; PostgreSQL is held to the same).
	ErrOutOfRange = errors.New("value out of range")
	// ErrNullValue is wrapped when NULL is read into, or written from, a
	// field that cannot hold it.
	ErrNullValue = errors.New("NULL in a NOT NULL column or field")
	// ErrReadOnly is wrapped when a statement would write a column
	// declared ReadOnly or Generated.
	ErrReadOnly = errors.New("the column is read-only: the database maintains it")
	// ErrInvalidText is wrapped when a string written to a column holds a
	// NUL byte or bytes that are not UTF-8, which PostgreSQL's text cannot
	// store (and which SQLite is held to as well). Binary data belongs in a
	// []byte field.
	ErrInvalidText = errors.New("invalid text")
	// ErrDuplicateConflict is wrapped by a ColumnError when rows of one
	// upsert with DO UPDATE repeat a value of its conflict columns:
	// PostgreSQL cannot update a row twice in one statement, so the upsert
	// is refused on both databases before anything is sent.
	ErrDuplicateConflict = errors.New("two rows of one upsert have this value in its conflict columns, and DO UPDATE can update a row once: merge the rows, or upsert them separately")
	// ErrNilContext is returned by both drivers for a nil context.Context
	// (a Rollback takes it as context.Background, so that it still ends the
	// transaction).
	ErrNilContext = errors.New("retort: nil context.Context: pass context.Background() or a context of the request")
	// ErrRowsOpen is wrapped when a statement would run on a connection
	// whose rows are still being read: a write (or, on PostgreSQL, any
	// statement) inside a loop over Iter on the same transaction, or a
	// Commit there. Nothing is sent. PostgreSQL cannot run it before the
	// rows are read; SQLite would run it with an undefined effect on the
	// rows being read (a loop inserting rows into the table it reads may
	// never end). Finish or break the loop first, or read the rows with
	// All. SQLite runs reads inside the loop.
	ErrRowsOpen = errors.New("rows of a query are still being read on this connection (a loop over Iter): finish or break the loop first, or read the rows with All")
)

type noRows struct{}

func (noRows) Error() string        { return "retort: no rows" }
func (noRows) Is(target error) bool { return target == sql.ErrNoRows }

// ColumnError is a value that does not fit a column: it names the table, the
// column and the value. Err says why; errors.Is sees through it.
type ColumnError struct {
	Table  string
	Column string
	Value  any
	Err    error
}

// Error names the table, the column and the value.
func (e *ColumnError) Error() string {
	v := ""
	if e.Value != nil {
		s := fmt.Sprintf("%v", e.Value)
		if len(s) > 64 {
			s = s[:61] + "..."
		}
		v = fmt.Sprintf(" value %q:", s)
	}
	return fmt.Sprintf("retort: table %q column %q:%s %v", e.Table, e.Column, v, e.Err)
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *ColumnError) Unwrap() error { return e.Err }

// ScanError is returned by a driver's Rows.Scan when destination Index could
// not take the value read. Retort turns it into a ColumnError.
type ScanError struct {
	Index int
	Err   error
}

// Error names the destination index and the cause.
func (e *ScanError) Error() string { return fmt.Sprintf("scan column %d: %v", e.Index, e.Err) }

// Unwrap returns the cause.
func (e *ScanError) Unwrap() error { return e.Err }

// columnScanError names the column a ScanError is about.
func columnScanError(table string, columns []string, err error) error {
	var se *ScanError
	if errors.As(err, &se) && se.Index >= 0 && se.Index < len(columns) {
		return &ColumnError{Table: table, Column: columns[se.Index], Err: se.Err}
	}
	return fmt.Errorf("retort: scan %q: %w", table, err)
}

// StatementError is a statement that failed: it names what the statement
// does (Op: "insert", "update", "delete from", "select") and its table, as
// SQLAlchemy's StatementError names its statement (an INSERT the server
// refused names the table the server's error names, such as the subclass
// table of a joined-table hierarchy, written by the same statement as its
// base table on PostgreSQL). Err is the cause: the
// database's own error (*pgconn.PgError, a SQLite error) or Retort's;
// errors.Is and errors.As see through it.
type StatementError struct {
	Op    string
	Table string
	Err   error
}

// Error names the operation and the table, then the cause.
func (e *StatementError) Error() string {
	return fmt.Sprintf("retort: %s %q: %v", e.Op, e.Table, e.Err)
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *StatementError) Unwrap() error { return e.Err }

// stmtError wraps err, the failure of op on table, in a StatementError. An
// error that names its table already (a StatementError, or a ColumnError of
// the same table) is returned as it is, so that no message names it twice.
func stmtError(op, table string, err error) error {
	if err == nil {
		return nil
	}
	var se *StatementError
	var ce *ColumnError
	if errors.As(err, &se) || errors.As(err, &ce) && ce.Table == table {
		return err
	}
	var rt refusedTable
	if op == "insert" && errors.As(err, &rt) && rt.RefusedTable() != "" {
		table = rt.RefusedTable()
	}
	return &StatementError{Op: op, Table: table, Err: err}
}

// refusedTable is a driver's error that knows which table the database
// refused a row of (PostgreSQL's error fields). A refused INSERT is named
// by that table, since one statement of a joined-table hierarchy (package
// inherit) writes several. Only an INSERT: the table PostgreSQL names when
// a foreign key refuses a DELETE is the referencing one, not the one the
// rows were deleted from.
type refusedTable interface{ RefusedTable() string }
