package x

import (
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/testdata/typecheck/model"
)

// A foreign key of int32 to a primary key of int64, both ways of declaring it.
var _ = model.OrderCode.References(model.UserID) // want `*retort.Column[model.User, int64] does not implement interface{ValueType() retort.Type[int32]; retort.AnyColumn}`

var _ = retort.References(model.OrderCode, model.UserID) // want `type *retort.Column[model.User, int64] of model.UserID does not match inferred type *retort.Column[model.User, int32]`
