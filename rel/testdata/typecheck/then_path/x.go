package x

import (
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/rel/testdata/typecheck/model"
)

// A path must continue from where the previous step ends: a boss's
// employees are grunts, so the next step starts at Grunt.
var _ = rel.SelectIn(model.BossEmployees).Then(rel.SelectIn(model.BossEmployees)) // want `does not implement`
