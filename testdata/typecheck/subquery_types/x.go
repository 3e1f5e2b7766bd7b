package x

import (
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/testdata/typecheck/model"
)

// IN a subquery of another type, a union of different rows, a join on a
// non-boolean.
var _ = retort.In(model.UserID, retort.Select1(model.UserName)) // want `type *retort.Projection[string] of retort.Select1(model.UserName) does not match inferred type *retort.Projection[int64]`

var _ = retort.Select2(model.UserName, model.UserAge).Union(retort.Select2(model.UserName, model.UserID)) // want `as *retort.Projection[retort.Row2[string, int32]] value in argument to`

var _ = retort.Select(model.Users).Join(model.Orders, model.UserName) // want `does not implement retort.Expr[bool]`
