package x

import (
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/testdata/typecheck/model"
)

// Comparing expressions of different types.
var _ = retort.Eq(retort.Lower(model.UserName), retort.Val(5)) // want `type retort.Expr[int] of retort.Val(5) does not match inferred type retort.Expr[string]`

var _ = retort.Gt(model.UserAge, model.UserScore) // want `type *retort.Column[model.User, float64] of model.UserScore does not match inferred type retort.Expr[int32]`
