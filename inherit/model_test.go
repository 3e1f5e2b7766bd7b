package inherit_test

import (
	"context"
	"sync"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/enum"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// The tests share the three-profiles model of example_test.go and add:
//
//   - a relationship Grunt → Boss (employerRel below: a minimal many-to-one,
//     standing in for package rel's);
//   - a three-level hierarchy with an integer discriminator, Person →
//     Manager → Executive, and a sibling Intern whose table key is a field
//     of its own (not the embedded Person.ID), which the mapper keeps in step.

// employerRel is Grunt.Employer: it saves the boss with the grunt, writes
// the boss first and copies its key into employer_id.
type employerRel struct{}

func (employerRel) Cascade(obj any, add func(session.Mapper, any)) {
	if b := obj.(*Grunt).Employer; b != nil {
		m, _ := session.MapperOf[Boss]()
		add(m, b)
	}
}

func (employerRel) Parents(obj any, visit func(any)) {
	if b := obj.(*Grunt).Employer; b != nil {
		visit(b)
	}
}

func (employerRel) Sync(obj any) {
	g := obj.(*Grunt)
	if g.Employer != nil && (g.EmployerID == nil || *g.EmployerID != g.Employer.ID) {
		id := g.Employer.ID
		g.EmployerID = &id
	}
}

func (employerRel) Removed(any, func(any))       {}
func (employerRel) CascadeDelete(any, func(any)) {}
func (employerRel) Attach(any, *session.Session) {}
func (employerRel) Flushed(any)                  {}

type Person struct {
	ID   int64
	Name string
	Kind int16 // discriminator: 1 person, 2 manager, 3 executive, 4 intern
}

type Manager struct {
	Person
	Budget int64
	Title  *string
}

type Executive struct {
	Manager
	Bonus retort.Decimal
	Perks []byte
}

type Intern struct {
	Person
	InternID int64 // the intern table's key: kept equal to Person.ID by the mapper
	School   string
}

var (
	People     = retort.NewTable[Person]("person")
	PersonID   = retort.Col(People, "id", func(p *Person) *int64 { return &p.ID }, retort.PrimaryKey())
	PersonName = retort.Col(People, "name", func(p *Person) *string { return &p.Name })
	PersonKind = retort.Col(People, "kind", func(p *Person) *int16 { return &p.Kind })

	Managers      = retort.NewTable[Manager]("manager")
	ManagerID     = retort.Col(Managers, "id", func(m *Manager) *int64 { return &m.ID }, retort.PrimaryKey()).References(PersonID)
	ManagerBudget = retort.Col(Managers, "budget", func(m *Manager) *int64 { return &m.Budget })
	ManagerTitle  = retort.NullCol(Managers, "title", func(m *Manager) **string { return &m.Title })

	Executives     = retort.NewTable[Executive]("executive")
	ExecutiveID    = retort.Col(Executives, "id", func(x *Executive) *int64 { return &x.ID }, retort.PrimaryKey()).References(ManagerID)
	ExecutiveBonus = retort.ColType(Executives, "bonus", func(x *Executive) *retort.Decimal { return &x.Bonus }, retort.Numeric(12, 2))
	ExecutivePerks = retort.Col(Executives, "perks", func(x *Executive) *[]byte { return &x.Perks })

	Interns      = retort.NewTable[Intern]("intern")
	InternID     = retort.Col(Interns, "id", func(i *Intern) *int64 { return &i.InternID }, retort.PrimaryKey()).References(PersonID)
	InternSchool = retort.Col(Interns, "school", func(i *Intern) *string { return &i.School })

	PersonClass    = inherit.New(People, PersonKind, 1)
	ManagerClass   = inherit.Sub(PersonClass, Managers, func(m *Manager) *Person { return &m.Person }, 2)
	ExecutiveClass = inherit.Sub(ManagerClass, Executives, func(x *Executive) *Manager { return &x.Manager }, 3)
	InternClass    = inherit.Sub(PersonClass, Interns, func(i *Intern) *Person { return &i.Person }, 4)
)

func init() { session.Relate(Grunts, employerRel{}) }

// recorder keeps the SQL of every round trip.
type recorder struct {
	mu  sync.Mutex
	sql []string
}

func (r *recorder) Trace(_ context.Context, ev retort.TraceEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sql = append(r.sql, ev.SQL)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.sql
	r.sql = nil
	return out
}

// runDB runs fn on SQLite and PostgreSQL with the tables of both
// hierarchies created.
func runDB(t *testing.T, fn func(t *testing.T, env *dbtest.Env, rec *recorder)) {
	t.Helper()
	rec := &recorder{}
	dbtest.RunWith(t, dbtest.Options{Tracer: rec}, func(t *testing.T, env *dbtest.Env) {
		tables := append(EmployeeClass.Tables(), PersonClass.Tables()...)
		tables = append(tables, AnimalClass.Tables()...)
		env.Create(t, append(tables, VehicleClass.Tables()...)...)
		rec.take()
		fn(t, env, rec)
	})
}

func ptr[V any](v V) *V { return &v }

// An abstract root with a version column: every row is a Dog.
type Animal struct {
	ID      int64
	Kind    string
	Name    string
	Version int64
}

type Dog struct {
	Animal
	Bark string
}

var (
	Animals       = retort.NewTable[Animal]("animal")
	AnimalID      = retort.Col(Animals, "id", func(a *Animal) *int64 { return &a.ID }, retort.PrimaryKey())
	AnimalKind    = retort.Col(Animals, "kind", func(a *Animal) *string { return &a.Kind })
	AnimalName    = retort.Col(Animals, "name", func(a *Animal) *string { return &a.Name })
	AnimalVersion = retort.Col(Animals, "version", func(a *Animal) *int64 { return &a.Version })

	Dogs    = retort.NewTable[Dog]("dog")
	DogID   = retort.Col(Dogs, "id", func(d *Dog) *int64 { return &d.ID }, retort.PrimaryKey()).References(AnimalID)
	DogBark = retort.Col(Dogs, "bark", func(d *Dog) *string { return &d.Bark })

	AnimalClass = inherit.Abstract(Animals, AnimalKind)
	DogClass    = inherit.Sub(AnimalClass, Dogs, func(d *Dog) *Animal { return &d.Animal }, "dog")
)

func init() { session.Versioned(Animals, AnimalVersion) }

// A hierarchy whose discriminator is an enumeration (package enum): a
// native ENUM type on PostgreSQL, a CHECK constraint on SQLite. BusKind has
// no class.
type VehicleKind string

const (
	CarKind   VehicleKind = "car"
	TruckKind VehicleKind = "truck"
	BusKind   VehicleKind = "bus"
)

var VehicleKinds = enum.New("vehicle_kind",
	enum.Value(CarKind, "Car"),
	enum.Value(TruckKind, "Truck"),
	enum.Value(BusKind, "Bus"),
)

type Vehicle struct {
	ID     int64
	Kind   VehicleKind
	Wheels int32
}

type Car struct {
	Vehicle
	Seats int32
}

type Truck struct {
	Vehicle
	Load retort.Decimal
}

var (
	Vehicles      = retort.NewTable[Vehicle]("vehicle")
	VehicleID     = retort.Col(Vehicles, "id", func(v *Vehicle) *int64 { return &v.ID }, retort.PrimaryKey())
	VehicleKindOf = retort.ColType(Vehicles, "kind", func(v *Vehicle) *VehicleKind { return &v.Kind }, VehicleKinds)
	VehicleWheels = retort.Col(Vehicles, "wheels", func(v *Vehicle) *int32 { return &v.Wheels })

	Cars     = retort.NewTable[Car]("car")
	CarID    = retort.Col(Cars, "id", func(c *Car) *int64 { return &c.ID }, retort.PrimaryKey()).References(VehicleID)
	CarSeats = retort.Col(Cars, "seats", func(c *Car) *int32 { return &c.Seats })

	Trucks    = retort.NewTable[Truck]("truck")
	TruckID   = retort.Col(Trucks, "id", func(t *Truck) *int64 { return &t.ID }, retort.PrimaryKey()).References(VehicleID)
	TruckLoad = retort.ColType(Trucks, "load", func(t *Truck) *retort.Decimal { return &t.Load }, retort.Numeric(8, 1))

	VehicleClass = inherit.Abstract(Vehicles, VehicleKindOf)
	CarClass     = inherit.Sub(VehicleClass, Cars, func(c *Car) *Vehicle { return &c.Vehicle }, CarKind)
	TruckClass   = inherit.Sub(VehicleClass, Trucks, func(t *Truck) *Vehicle { return &t.Vehicle }, TruckKind)
)
