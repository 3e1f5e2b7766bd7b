package retort_test

import (
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
