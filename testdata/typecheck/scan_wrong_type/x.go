package x

import (
	"context"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/testdata/typecheck/model"
)

type stat struct {
	Name string
	Age  int64
}

// Reading a projection into the wrong types.
func f(ctx context.Context, db retort.DB) {
	var rows []retort.Row2[string, int64]
	rows, _ = retort.Select2(model.UserName, model.UserAge).All(ctx, db) // want `(value of type []retort.Row2[string, int32]) as []retort.Row2[string, int64] value in assignment`
	_ = rows
	_ = retort.Into(model.UserAge, func(s *stat) *int64 { return &s.Age }) // want `does not match inferred type func(*stat) *int32 for func(*R) *V`
}
