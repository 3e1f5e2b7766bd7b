package x

import (
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/testdata/typecheck/model"
)

// Setting a column to a value of the wrong type, or a column of another table.
var _ = retort.Update(model.Users).Set(model.UserAge.To("41")) // want `cannot use "41" (untyped string constant) as int32 value in argument to model.UserAge.To`

var _ = retort.Set(model.UserName, 3) // want `cannot use 3 (untyped int constant) as string value in argument to retort.Set`

var _ = retort.Update(model.Users).Set(model.OrderCode.To(1)) // want `(value of struct type retort.Assignment[model.Order]) as retort.Assignment[model.User] value`
