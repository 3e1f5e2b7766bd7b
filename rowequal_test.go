package retort_test

import (
	"math"
	"testing"
	"time"

	"github.com/retort-orm/retort"
)

// RowEqual agrees with the columns' own Equal for a change to any one
// column, NULL against a value, a value against NULL, and no change at all.
func TestRowEqual(t *testing.T) {
	eq := retort.RowEqual(Users.Columns())
	base := func() *User {
		return &User{ID: 1, Name: "ann", Email: ptr("a@x"), Age: 30, Score: 1.5, Active: true,
			Avatar: []byte{1, 2}, Joined: time.Unix(100, 0), Balance: retort.MustDecimal("1.50"), Nick: nil, Level: 2}
	}
	changes := map[string]func(u *User){
		"id":              func(u *User) { u.ID = 2 },
		"name":            func(u *User) { u.Name = "bob" },
		"email value":     func(u *User) { u.Email = ptr("b@x") },
		"email to NULL":   func(u *User) { u.Email = nil },
		"age":             func(u *User) { u.Age = 31 },
		"score":           func(u *User) { u.Score = 2.5 },
		"active":          func(u *User) { u.Active = false },
		"avatar":          func(u *User) { u.Avatar = []byte{1, 3} },
		"joined":          func(u *User) { u.Joined = time.Unix(101, 0) },
		"balance":         func(u *User) { u.Balance = retort.MustDecimal("1.51") },
		"nick from NULL":  func(u *User) { u.Nick = ptr("") },
		"level":           func(u *User) { u.Level = 3 },
		"email same text": nil,
	}
	for name, change := range changes {
		a, b := base(), base()
		if change != nil {
			change(b)
		}
		want := true
		for _, c := range Users.Columns() {
			if !c.Equal(a, b) {
				want = false
			}
		}
		if change != nil && want {
			t.Fatalf("%s: the columns' Equal sees no change", name)
		}
		if got := eq(a, b); got != want {
			t.Errorf("%s: RowEqual = %v, want %v", name, got, want)
		}
		if got := eq(b, a); got != want {
			t.Errorf("%s (reversed): RowEqual = %v, want %v", name, got, want)
		}
	}
	// The same decimal at another scale is no change (as Decimal.Equal).
	a, b := base(), base()
	b.Balance = retort.MustDecimal("1.5")
	if !eq(a, b) || !UserBalance.Equal(a, b) {
		t.Errorf("1.50 and 1.5: RowEqual = %v, column Equal = %v; want both true", eq(a, b), UserBalance.Equal(a, b))
	}
}

// Plain is comparable with ==, so RowEqual compares it whole first; Memo and
// Extra are fields that are no columns.
type Plain struct {
	ID      int64
	Name    string
	Weight  float64
	Balance retort.Decimal
	Seen    time.Time
	Memo    string
	Extra   any
}

var (
	plains      = retort.NewTable[Plain]("plain")
	_           = retort.Col(plains, "id", func(p *Plain) *int64 { return &p.ID }, retort.PrimaryKey())
	_           = retort.Col(plains, "name", func(p *Plain) *string { return &p.Name })
	_           = retort.Col(plains, "weight", func(p *Plain) *float64 { return &p.Weight })
	plainAmount = retort.ColType(plains, "balance", func(p *Plain) *retort.Decimal { return &p.Balance }, retort.Numeric(10, 2))
	_           = retort.Col(plains, "seen", func(p *Plain) *time.Time { return &p.Seen })
)

// RowEqual of a comparable struct agrees with the columns' Equal when ==
// settles it (no change), when == sees a difference the columns do not (a
// field that is no column, 1.50 against 1.5, an interface field holding a
// slice, which makes == panic), and when a column changed.
func TestRowEqualWhole(t *testing.T) {
	eq := retort.RowEqual(plains.Columns())
	base := func() *Plain {
		return &Plain{ID: 1, Name: "ann", Weight: 2.5, Balance: retort.MustDecimal("1.50"), Seen: time.Unix(100, 0), Memo: "m"}
	}
	// Each case changes b only, except where it says both.
	cases := []struct {
		name   string
		change func(a, b *Plain)
	}{
		{"no change", func(a, b *Plain) {}},
		{"memo (no column)", func(a, b *Plain) { b.Memo = "other" }},
		{"balance 1.5", func(a, b *Plain) { b.Balance = retort.MustDecimal("1.5") }},
		{"weight NaN in both", func(a, b *Plain) { a.Weight, b.Weight = math.NaN(), math.NaN() }},
		{"id", func(a, b *Plain) { b.ID = 2 }},
		{"name", func(a, b *Plain) { b.Name = "bob" }},
		{"weight", func(a, b *Plain) { b.Weight = 3 }},
		{"balance", func(a, b *Plain) { b.Balance = retort.MustDecimal("1.51") }},
		{"seen", func(a, b *Plain) { b.Seen = time.Unix(101, 0) }},
		// == on interfaces holding slices panics: RowEqual must not, and
		// must keep answering correctly afterwards.
		{"extra slices in both (no column)", func(a, b *Plain) { a.Extra, b.Extra = []int{1}, []int{1} }},
		{"name after the panic", func(a, b *Plain) { b.Name = "bob" }},
		{"no change after the panic", func(a, b *Plain) {}},
	}
	for _, c := range cases {
		a, b := base(), base()
		c.change(a, b)
		want := true
		for _, col := range plains.Columns() {
			if !col.Equal(a, b) {
				want = false
			}
		}
		if got := eq(a, b); got != want {
			t.Errorf("%s: RowEqual = %v, want %v (the columns' Equal)", c.name, got, want)
		}
		if got := eq(b, a); got != want {
			t.Errorf("%s (reversed): RowEqual = %v, want %v", c.name, got, want)
		}
	}
	if !plainAmount.Equal(&Plain{Balance: retort.MustDecimal("1.50")}, &Plain{Balance: retort.MustDecimal("1.5")}) {
		t.Error("Decimal column: 1.50 and 1.5 should be equal")
	}
}
