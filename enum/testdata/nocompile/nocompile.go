// Package nocompile holds code that must not compile: TestTypeSafety builds
// it and checks each error the compiler reports. Each line marked "want"
// names the message expected on it.
package nocompile

import (
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/enum"
)

type EmployeeType string

type Priority int

var (
	EmployeeTypes = enum.New("employee_type", enum.Value(EmployeeType("P"), "Part Time"))
	Priorities    = enum.NewInt("priority", enum.Value(Priority(1), "Low"))
)

type Employee struct {
	Type     EmployeeType
	Priority Priority
}

var (
	Employees   = retort.NewTable[Employee]("employee")
	EmpType     = retort.ColType(Employees, "type", func(e *Employee) *EmployeeType { return &e.Type }, EmployeeTypes)
	EmpPriority = retort.ColType(Employees, "priority", func(e *Employee) *Priority { return &e.Priority }, Priorities)
)

var code = "P"

var (
	_ = EmpType.Eq(code)                                                                               // want: cannot use code (variable of type string) as EmployeeType value in argument to EmpType.Eq
	_ = EmpType.In(EmployeeType("P"), Priority(1))                                                     // want: cannot use Priority(1) (constant 1 of int type Priority) as EmployeeType value in argument to EmpType.In
	_ = EmpPriority.Eq(EmployeeType("P"))                                                              // want: cannot use EmployeeType("P") (constant "P" of string type EmployeeType) as Priority value in argument to EmpPriority.Eq
	_ = retort.ColType(Employees, "t", func(e *Employee) *EmployeeType { return &e.Type }, Priorities) // want: in call to retort.ColType, type *enum.Enum[Priority] of Priorities does not match inferred type retort.Type[EmployeeType] for retort.Type[V]
	_ = enum.NewInt("bad", enum.Value("a", "A"))                                                       // want: string does not satisfy enum.Integer
	_ = enum.New("bad", enum.Value(1, "one"))                                                          // want: in call to enum.New, V (type int) does not satisfy ~string
	_ = EmployeeTypes.Description(Priority(1))                                                         // want: cannot use Priority(1) (constant 1 of int type Priority) as EmployeeType value in argument to EmployeeTypes.Description
)
