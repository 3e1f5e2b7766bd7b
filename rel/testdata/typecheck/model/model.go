// Package model declares tables for the type-safety snippets.
package model

import (
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/rel"
)

type Boss struct {
	ID        int64
	Employees rel.Many[Grunt]
}

type Grunt struct {
	ID       int64
	BossID   *int64
	Team     int32
	Employer rel.One[Boss]
}

type Tag struct {
	ID   int64
	Name string
}

var (
	Bosses    = retort.NewTable[Boss]("boss")
	BossID    = retort.Col(Bosses, "id", func(b *Boss) *int64 { return &b.ID }, retort.PrimaryKey())
	Grunts    = retort.NewTable[Grunt]("grunt")
	GruntID   = retort.Col(Grunts, "id", func(g *Grunt) *int64 { return &g.ID }, retort.PrimaryKey())
	GruntBoss = retort.NullCol(Grunts, "boss_id", func(g *Grunt) **int64 { return &g.BossID })
	GruntTeam = retort.Col(Grunts, "team", func(g *Grunt) *int32 { return &g.Team })
	Tags      = retort.NewTable[Tag]("tag")
	TagID     = retort.Col(Tags, "id", func(t *Tag) *int64 { return &t.ID }, retort.PrimaryKey())

	GruntEmployer = rel.ManyToOne(GruntBoss, BossID, func(g *Grunt) *rel.One[Boss] { return &g.Employer })
	BossEmployees = GruntEmployer.Backref(func(b *Boss) *rel.Many[Grunt] { return &b.Employees })
)
