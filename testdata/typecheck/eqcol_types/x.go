package x

import "github.com/retort-orm/retort/testdata/typecheck/model"

// A join condition between columns of different value types.
var _ = model.OrderUserID.EqCol(model.UserAge) // want `as retort.Expr[int64] value in argument to model.OrderUserID.EqCol`
