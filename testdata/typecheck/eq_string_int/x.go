package x

import "github.com/retort-orm/retort/testdata/typecheck/model"

// A string column compared with an int.
var _ = model.UserName.Eq(5) // want `cannot use 5 (untyped int constant) as string value in argument to model.UserName.Eq`
