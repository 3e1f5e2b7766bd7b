// Package model is the small model the type-checking snippets share.
package model

import "github.com/retort-orm/retort"

// User is a user.
type User struct {
	ID    int64
	Name  string
	Age   int32
	Score float64
}

// Order is an order of a user.
type Order struct {
	ID     int64
	UserID int64
	Total  retort.Decimal
	Code   int32
}

// The tables and columns.
var (
	Users     = retort.NewTable[User]("users")
	UserID    = retort.Col(Users, "id", func(u *User) *int64 { return &u.ID }, retort.PrimaryKey())
	UserName  = retort.Col(Users, "name", func(u *User) *string { return &u.Name })
	UserAge   = retort.Col(Users, "age", func(u *User) *int32 { return &u.Age })
	UserScore = retort.Col(Users, "score", func(u *User) *float64 { return &u.Score })

	Orders      = retort.NewTable[Order]("orders")
	OrderID     = retort.Col(Orders, "id", func(o *Order) *int64 { return &o.ID }, retort.PrimaryKey())
	OrderUserID = retort.Col(Orders, "user_id", func(o *Order) *int64 { return &o.UserID }).References(UserID)
	OrderTotal  = retort.Col(Orders, "total", func(o *Order) *retort.Decimal { return &o.Total })
	OrderCode   = retort.Col(Orders, "code", func(o *Order) *int32 { return &o.Code })
)
