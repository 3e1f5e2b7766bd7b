// Package main must not compile: each line marked "// want:" is a mistake
// the compiler catches (TestTypeSafety checks the messages).
package main

import (
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
)

type Employee struct {
	ID   int64
	Name string
	Type string
}

type Boss struct {
	Employee
	Golf int64
}

type Grunt struct {
	Employee
}

type Kind string

type Vehicle struct {
	ID   int64
	Kind Kind
}

type Car struct{ Vehicle }

var (
	Employees    = retort.NewTable[Employee]("employee")
	EmployeeID   = retort.Col(Employees, "id", func(e *Employee) *int64 { return &e.ID }, retort.PrimaryKey())
	EmployeeName = retort.Col(Employees, "name", func(e *Employee) *string { return &e.Name })
	EmployeeType = retort.Col(Employees, "type", func(e *Employee) *string { return &e.Type })
	Bosses       = retort.NewTable[Boss]("boss")
	BossGolf     = retort.Col(Bosses, "golf", func(b *Boss) *int64 { return &b.Golf })
	Vehicles     = retort.NewTable[Vehicle]("vehicle")
	VehicleKind  = retort.Col(Vehicles, "kind", func(v *Vehicle) *Kind { return &v.Kind })
	Cars         = retort.NewTable[Car]("car")

	EmployeeClass = inherit.New(Employees, EmployeeType, "employee")
	VehicleClass  = inherit.Abstract(Vehicles, VehicleKind)
)

func main() {
	inherit.Sub(EmployeeClass, Bosses, func(b *Boss) *Employee { return &b.Employee }, 5)       // want: cannot use 5 (untyped int constant) as string value
	inherit.Sub(EmployeeClass, Bosses, func(g *Grunt) *Employee { return &g.Employee }, "boss") // want: type func(g *Grunt) *Employee of func(g *Grunt) *Employee {…} does not match inferred type func(*Boss) *Employee
	inherit.New(Employees, BossGolf, 1)                                                         // want: type *retort.Column[Boss, int64] of BossGolf does not match inferred type *retort.Column[Employee, D]
	inherit.Select(EmployeeClass).Where(EmployeeName.Eq(5))                                     // want: cannot use 5 (untyped int constant) as string value
	name := "car"
	inherit.Sub(VehicleClass, Cars, func(c *Car) *Vehicle { return &c.Vehicle }, name) // want: cannot use name (variable of type string) as Kind value
	inherit.Sub(VehicleClass, Cars, func(c *Car) *Vehicle { return &c.Vehicle }, "car")
	bosses, _ := inherit.Select(inherit.Sub(EmployeeClass, Bosses, func(b *Boss) *Employee { return &b.Employee }, "boss")).All(nil, nil)
	var staff []*Employee = bosses // want: cannot use bosses (variable of type []*Boss) as []*Employee value
	_ = staff
}
