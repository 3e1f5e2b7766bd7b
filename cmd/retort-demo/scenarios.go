package main

import (
	"context"
	"io"

	"github.com/retort-orm/retort"
)

// A scenario is one self-contained walk through a part of Retort. It creates
// the tables it needs (dropping them first, so it can run again), works on
// db and prints what happens to out.
type scenario struct {
	name  string // for -run
	title string
	run   func(ctx context.Context, db retort.DB, out io.Writer) error
}

// scenarios run in this order. Add new ones at the end.
var scenarios = []scenario{
	{"basics", "Basics: tables, inserts, typed queries, updates, deletes", basics},
	{"zoo", "The zoo benchmark: insert, properties, expressions, aggregates, editing, multiview", zoo},
	{"enum", "The Enum Recipe: codes, descriptions, parsing, a typed column, a discriminator", enumRecipe},
	{"profiles", "Three profiles: joined-table inheritance, a relationship, the workload and the report", profiles},
	{"magic", "Magic: a declarative layer of names, keys and relationship helpers", magicDemo},
	{"polyassoc", "Polymorphic associations: ActiveRecord style, then normalized", polyAssoc},
}

// recreate drops tables and creates them again, empty.
func recreate(ctx context.Context, db retort.DB, tables ...retort.Schema) error {
	if err := retort.DropAll(ctx, db, tables...); err != nil {
		return err
	}
	return retort.CreateAll(ctx, db, tables...)
}

func ptr[V any](v V) *V { return &v }
