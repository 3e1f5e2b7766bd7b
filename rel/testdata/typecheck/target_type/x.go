package x

import (
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/rel/testdata/typecheck/model"
)

// The field must hold the primary key's type: a grunt's employer is a Boss.
var _ = rel.ManyToOne(model.GruntBoss, model.BossID, func(g *model.Grunt) *rel.One[model.Grunt] { return nil }) // want `does not match`

// The foreign key must be on the collection's objects.
var _ = rel.OneToMany(model.GruntBoss, model.BossID, func(g *model.Grunt) *rel.Many[model.Grunt] { return nil }) // want `does not match`
