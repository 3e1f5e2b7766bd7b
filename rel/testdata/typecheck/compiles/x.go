package x

import (
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/rel/testdata/typecheck/model"
)

type Child struct {
	ID   int64
	Tags rel.Set[model.Tag]
}

// Everything here must compile: the harness is not failing every snippet.
var (
	_                                       = rel.SelectIn(model.BossEmployees).Then(rel.Joined(model.GruntEmployer))
	_                                       = rel.Joined(model.GruntEmployer).Then(rel.SelectIn(model.BossEmployees).Then(rel.Raise(model.GruntEmployer)))
	_                                       = model.GruntEmployer.BackPopulates(model.BossEmployees)
	_ rel.Relation[model.Grunt, model.Boss] = model.GruntEmployer
	_                                       = func(c *Child) *rel.Many[model.Tag] { return &c.Tags } // Set is Many
)
