package x

import (
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/rel/testdata/typecheck/model"
)

// A foreign key of int32 cannot refer to a primary key of int64.
var _ = rel.ManyToOne(model.GruntTeam, model.BossID, func(g *model.Grunt) *rel.One[model.Boss] { return &g.Employer }) // want `does not match`

// Nor the other way round.
var _ = rel.OneToMany(model.GruntTeam, model.BossID, func(b *model.Boss) *rel.Many[model.Grunt] { return &b.Employees }) // want `does not match`
