package x

import (
	"context"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/testdata/typecheck/model"
)

type stat struct {
	Name   string
	Orders int64
}

// Everything here must compile: the harness is not failing every snippet.
func f(ctx context.Context, db retort.DB) error {
	_ = model.UserName.Eq("bob")
	_ = model.OrderUserID.EqCol(model.UserID)
	_ = retort.Like(retort.Lower(model.UserName), "b%")
	_ = retort.Sum(model.UserAge)
	_ = retort.Avg(model.UserScore)
	_ = retort.Update(model.Users).Set(model.UserAge.To(41), retort.Set(model.UserName, "ann"))
	var rows []retort.Row2[string, int64]
	rows, err := retort.Select2(model.UserName, retort.Count()).From(model.Users).JoinFK(model.Orders).GroupBy(model.UserName).All(ctx, db)
	_ = rows
	_ = retort.SelectInto(
		retort.Into(model.UserName, func(s *stat) *string { return &s.Name }),
		retort.Into(retort.Count(), func(s *stat) *int64 { return &s.Orders }),
	)
	_ = retort.In(model.UserID, retort.Select1(model.OrderUserID))
	_ = retort.Eq(retort.Add(model.UserAge, retort.Val[int32](1)), model.UserAge)
	return err
}
