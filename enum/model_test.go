package enum_test

import (
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/enum"
)

// The model the enum tests share, beside the example's (example_test.go
// declares EmployeeType, EmployeeTypes and the employee table): workers with
// the seed's string enum of one-letter codes, an integer enum, and a
// NULL-able enum column.

// Priority is an integer enum that stays a JSON number.
type Priority int16

const (
	Low    Priority = 1
	Normal Priority = 2
	Urgent Priority = 3
)

var Priorities = enum.NewInt("priority",
	enum.Value(Low, "Low"),
	enum.Value(Normal, "Normal"),
	enum.Value(Urgent, "Urgent"),
)

func (p Priority) MarshalJSON() ([]byte, error)  { return Priorities.EncodeJSON(p) }
func (p *Priority) UnmarshalJSON(b []byte) error { return Priorities.DecodeJSON(p, b) }

type Worker struct {
	ID       int64
	Name     string
	Type     EmployeeType
	Priority Priority
	Backup   *EmployeeType
}

var (
	Workers        = retort.NewTable[Worker]("worker")
	WorkerID       = retort.Col(Workers, "id", func(e *Worker) *int64 { return &e.ID }, retort.PrimaryKey())
	WorkerName     = retort.Col(Workers, "name", func(e *Worker) *string { return &e.Name })
	WorkerType     = retort.ColType(Workers, "type", func(e *Worker) *EmployeeType { return &e.Type }, EmployeeTypes)
	WorkerPriority = retort.ColType(Workers, "priority", func(e *Worker) *Priority { return &e.Priority }, Priorities)
	WorkerBackup   = retort.NullColType(Workers, "backup", func(e *Worker) **EmployeeType { return &e.Backup }, EmployeeTypes)
)

// Contract shares the employee_type enum with Worker, to test that a type
// used by two tables is created once and dropped only with its last table.
type Contract struct {
	ID   int64
	Kind EmployeeType
}

var (
	Contracts    = retort.NewTable[Contract]("contract")
	ContractID   = retort.Col(Contracts, "id", func(c *Contract) *int64 { return &c.ID }, retort.PrimaryKey())
	ContractKind = retort.ColType(Contracts, "kind", func(c *Contract) *EmployeeType { return &c.Kind }, EmployeeTypes)
)

func ptr[V any](v V) *V { return &v }

// Mood has values that need quoting in DDL: a quote, and the dollar-quote tag
// the DO blocks use.
type Mood string

var Moods = enum.New("mood \"quoted\"",
	enum.Value(Mood("it's fine"), "Fine"),
	enum.Value(Mood("$enum$"), "Tag"),
	enum.Value(Mood("$enum_$"), "Next tag"),
)

type Entry struct {
	ID   int64
	Mood Mood
}

var (
	Entries   = retort.NewTable[Entry]("diary")
	EntryID   = retort.Col(Entries, "id", func(e *Entry) *int64 { return &e.ID }, retort.PrimaryKey())
	EntryMood = retort.ColType(Entries, "mood", func(e *Entry) *Mood { return &e.Mood }, Moods)
)
