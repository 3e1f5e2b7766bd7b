package x

import (
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/testdata/typecheck/model"
)

// LIKE on an integer column.
var _ = retort.Like(model.UserAge, "4%") // want `S (type int32) does not satisfy ~string`
