package x

import (
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/testdata/typecheck/model"
)

// Sum and Avg of a string column; arithmetic on strings.
var _ = retort.Sum(model.UserName) // want `string does not satisfy retort.Integer`

var _ = retort.Avg(model.UserName) // want `string does not satisfy retort.Number`

var _ = retort.Add(model.UserName, model.UserName) // want `string does not satisfy retort.Arithmetic`
