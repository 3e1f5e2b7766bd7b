package x

import (
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/rel/testdata/typecheck/model"
)

type Other struct {
	ID     int64
	Grunts rel.Many[model.Grunt]
}

// BackPopulates only takes the same relationship seen from the other side.
func f(r *rel.ToMany[Other, model.Grunt]) {
	model.GruntEmployer.BackPopulates(r)                   // want `cannot use r`
	model.BossEmployees.BackPopulates(model.BossEmployees) // want `does not implement`
}
