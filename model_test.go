package retort_test

import (
	"time"

	"github.com/retort-orm/retort"
)

// The model the root package's tests share.

type User struct {
	ID      int64
	Name    string
	Email   *string
	Age     int32
	Score   float64
	Active  bool
	Avatar  []byte
	Joined  time.Time
	Balance retort.Decimal
	Nick    *string
	Level   int8
}

var (
	Users       = retort.NewTable[User]("users")
	UserID      = retort.Col(Users, "id", func(u *User) *int64 { return &u.ID }, retort.PrimaryKey())
	UserName    = retort.Col(Users, "name", func(u *User) *string { return &u.Name }, retort.Size(20), retort.Indexed())
	UserEmail   = retort.NullCol(Users, "email", func(u *User) **string { return &u.Email }, retort.Unique())
	UserAge     = retort.Col(Users, "age", func(u *User) *int32 { return &u.Age })
	UserScore   = retort.Col(Users, "score", func(u *User) *float64 { return &u.Score })
	UserActive  = retort.Col(Users, "active", func(u *User) *bool { return &u.Active })
	UserAvatar  = retort.Col(Users, "avatar", func(u *User) *[]byte { return &u.Avatar })
	UserJoined  = retort.Col(Users, "joined", func(u *User) *time.Time { return &u.Joined })
	UserBalance = retort.ColType(Users, "balance", func(u *User) *retort.Decimal { return &u.Balance }, retort.Numeric(12, 2))
	UserNick    = retort.NullCol(Users, "nick", func(u *User) **string { return &u.Nick }, retort.DefaultSQL("NULL"))
	UserLevel   = retort.Col(Users, "level", func(u *User) *int8 { return &u.Level }, retort.Default(int8(1)))
)

type Order struct {
	ID     int64
	UserID int64
	Total  retort.Decimal
	Note   *string
}

var (
	Orders      = retort.NewTable[Order]("orders")
	OrderID     = retort.Col(Orders, "id", func(o *Order) *int64 { return &o.ID }, retort.PrimaryKey())
	OrderUserID = retort.Col(Orders, "user_id", func(o *Order) *int64 { return &o.UserID }).References(UserID, retort.OnDelete("CASCADE"))
	OrderTotal  = retort.Col(Orders, "total", func(o *Order) *retort.Decimal { return &o.Total })
	OrderNote   = retort.NullCol(Orders, "note", func(o *Order) **string { return &o.Note })
)

// Employee references itself.
type Employee struct {
	ID        int32
	Name      string
	ManagerID *int32
}

var (
	Employees  = retort.NewTable[Employee]("employee")
	EmpID      = retort.Col(Employees, "id", func(e *Employee) *int32 { return &e.ID }, retort.PrimaryKey())
	EmpName    = retort.Col(Employees, "name", func(e *Employee) *string { return &e.Name })
	EmpManager = retort.NullCol(Employees, "manager_id", func(e *Employee) **int32 { return &e.ManagerID }).References(EmpID)
)

// Tagging has a composite primary key and no generated key.
type Tagging struct {
	OrderID int64
	Tag     string
	Weight  uint16
}

var (
	Taggings      = retort.NewTable[Tagging]("tagging")
	TaggingOrder  = retort.Col(Taggings, "order_id", func(t *Tagging) *int64 { return &t.OrderID }, retort.PrimaryKey()).References(OrderID)
	TaggingTag    = retort.Col(Taggings, "tag", func(t *Tagging) *string { return &t.Tag }, retort.PrimaryKey())
	TaggingWeight = retort.Col(Taggings, "weight", func(t *Tagging) *uint16 { return &t.Weight })
)

// Left and Right reference each other: a cycle CreateAll must break.
type Left struct {
	ID      int64
	RightID *int64
}
type Right struct {
	ID     int64
	LeftID *int64
}

var (
	Lefts     = retort.NewTable[Left]("left_side")
	LeftID    = retort.Col(Lefts, "id", func(l *Left) *int64 { return &l.ID }, retort.PrimaryKey())
	Rights    = retort.NewTable[Right]("right_side")
	RightID   = retort.Col(Rights, "id", func(r *Right) *int64 { return &r.ID }, retort.PrimaryKey())
	RightLeft = retort.NullCol(Rights, "left_id", func(r *Right) **int64 { return &r.LeftID }).References(LeftID)
	LeftRight = retort.NullCol(Lefts, "right_id", func(l *Left) **int64 { return &l.RightID }).References(RightID)
)

// Hostile has names that try to break out of quoting.
type Hostile struct {
	Key   string
	Value string
}

var (
	Hostiles     = retort.NewTable[Hostile](`ho"stile; DROP TABLE users; --`)
	HostileKey   = retort.Col(Hostiles, `k"ey`, func(h *Hostile) *string { return &h.Key }, retort.PrimaryKey())
	HostileValue = retort.Col(Hostiles, `va"lue'); --`, func(h *Hostile) *string { return &h.Value })
)

var allTables = []retort.Schema{Taggings, Orders, Users, Employees, Lefts, Rights, Hostiles}

func ptr[V any](v V) *V { return &v }
