package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/retort-orm/retort"
)

// The basics model: users and their orders.

// User is a customer. Email is a pointer: the column is NULL-able.
type User struct {
	ID    int64
	Name  string
	Email *string
}

// Order belongs to a user. Total is an exact decimal, numeric(10,2).
type Order struct {
	ID     int64
	UserID int64
	Total  retort.Decimal
	Note   *string
}

var (
	Users     = retort.NewTable[User]("users")
	UserID    = retort.Col(Users, "id", func(u *User) *int64 { return &u.ID }, retort.PrimaryKey())
	UserName  = retort.Col(Users, "name", func(u *User) *string { return &u.Name }, retort.Size(50), retort.Unique())
	UserEmail = retort.NullCol(Users, "email", func(u *User) **string { return &u.Email })

	Orders     = retort.NewTable[Order]("orders")
	OrderID    = retort.Col(Orders, "id", func(o *Order) *int64 { return &o.ID }, retort.PrimaryKey())
	OrderUser  = retort.Col(Orders, "user_id", func(o *Order) *int64 { return &o.UserID }).References(UserID, retort.OnDelete("CASCADE"))
	OrderTotal = retort.ColType(Orders, "total", func(o *Order) *retort.Decimal { return &o.Total }, retort.Numeric(10, 2))
	OrderNote  = retort.NullCol(Orders, "note", func(o *Order) **string { return &o.Note })
)

func basics(ctx context.Context, db retort.DB, out io.Writer) error {
	if err := recreate(ctx, db, Users, Orders); err != nil {
		return err
	}
	fmt.Fprintln(out, "created tables users and orders (orders.user_id references users.id)")

	// Insert: the database generates the keys and Retort writes them back.
	ann := &User{Name: "ann", Email: ptr("ann@example.com")}
	bob := &User{Name: "bob"} // no email: NULL
	cid := &User{Name: "cid", Email: ptr("cid@example.com")}
	if err := retort.Insert(Users, ann, bob, cid).Exec(ctx, db); err != nil {
		return err
	}
	fmt.Fprintf(out, "inserted users: ann id=%d, bob id=%d, cid id=%d\n", ann.ID, bob.ID, cid.ID)

	orders := []*Order{
		{UserID: ann.ID, Total: retort.MustDecimal("19.99")},
		{UserID: ann.ID, Total: retort.MustDecimal("5.00"), Note: ptr("gift wrap")},
		{UserID: bob.ID, Total: retort.MustDecimal("120.50")},
		{UserID: cid.ID, Total: retort.MustDecimal("3.25")},
		{UserID: cid.ID, Total: retort.MustDecimal("42")},
	}
	if err := retort.Insert(Orders, orders...).Exec(ctx, db); err != nil {
		return err
	}
	ids := make([]string, len(orders))
	for i, o := range orders {
		ids[i] = fmt.Sprint(o.ID)
	}
	fmt.Fprintf(out, "inserted %d orders: ids %s\n", len(orders), strings.Join(ids, ", "))

	// Where, OrderBy, Limit: typed predicates, values always bound.
	big, err := retort.Select(Orders).
		Where(OrderTotal.Ge(retort.MustDecimal("10.00"))).
		OrderBy(OrderTotal.Desc()).
		Limit(2).
		All(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "the two largest orders of at least 10.00:")
	for _, o := range big {
		printOrder(out, o)
	}

	// Count.
	n, err := retort.Select(Orders).Where(OrderUser.Eq(ann.ID)).Count(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "ann has %d orders\n", n)

	// One: exactly one row, or an error you can test with errors.Is.
	u, err := retort.Select(Users).Where(UserName.Eq("bob")).One(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "bob's email: %s\n", orNull(u.Email))
	if _, err := retort.Select(Users).Where(UserName.Eq("zed")).One(ctx, db); errors.Is(err, retort.ErrNoRows) {
		fmt.Fprintln(out, "no user named zed: errors.Is(err, retort.ErrNoRows)")
	} else {
		return fmt.Errorf("looking up zed: got %v, want ErrNoRows", err)
	}
	noEmail, err := retort.Select(Users).Where(UserEmail.IsNull()).Count(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "users without an email: %d\n", noEmail)

	// Update with typed Set.
	n, err = retort.Update(Users).Set(UserEmail.To("bob@example.com")).Where(UserID.Eq(bob.ID)).Exec(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "updated %d user: bob's email is set\n", n)

	// Delete.
	n, err = retort.Delete(Orders).Where(OrderTotal.Lt(retort.MustDecimal("5.00"))).Exec(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "deleted %d order under 5.00\n", n)

	// A transaction that fails changes nothing.
	err = retort.InTx(ctx, db, func(tx retort.Tx) error {
		if _, err := retort.Delete(Orders).Exec(ctx, tx); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	left, cerr := retort.Select(Orders).Count(ctx, db)
	if cerr != nil {
		return cerr
	}
	fmt.Fprintf(out, "a transaction deleting every order failed (%v) and was rolled back: %d orders remain\n", err, left)

	// Iter streams rows; Decimal adds exactly.
	totals := map[int64]retort.Decimal{}
	for o, err := range retort.Select(Orders).OrderBy(OrderID.Asc()).Iter(ctx, db) {
		if err != nil {
			return err
		}
		sum, err := totals[o.UserID].Add(o.Total)
		if err != nil {
			return err
		}
		totals[o.UserID] = sum
	}
	users, err := retort.Select(Users).OrderBy(UserName.Asc()).All(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "users and their order totals:")
	for _, u := range users {
		total, err := totals[u.ID].Rescale(2)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  %-4s %-16s %8s\n", u.Name, orNull(u.Email), total)
	}
	return nil
}

func printOrder(out io.Writer, o *Order) {
	fmt.Fprintf(out, "  order %d  user %d  total %8s  note %s\n", o.ID, o.UserID, o.Total, orNull(o.Note))
}

func orNull(s *string) string {
	if s == nil {
		return "NULL"
	}
	return *s
}
