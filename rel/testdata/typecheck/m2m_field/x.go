package x

import (
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/rel/testdata/typecheck/model"
)

// A many-to-many's field holds the right key's objects.
var _ = rel.ManyToMany(model.BossID, model.TagID, "boss_tag", func(b *model.Boss) *rel.Many[model.Grunt] { return nil }) // want `does not match`
