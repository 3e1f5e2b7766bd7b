package session_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// Coupon is a plain table (no relationships, no hooks) with a unique code.
type Coupon struct {
	ID   int64
	Code string
}

var (
	Coupons    = retort.NewTable[Coupon]("coupon")
	CouponID   = retort.Col(Coupons, "id", func(c *Coupon) *int64 { return &c.ID }, retort.PrimaryKey())
	CouponCode = retort.Col(Coupons, "code", func(c *Coupon) *string { return &c.Code }, retort.Unique())
)

// couponRows is more than one PostgreSQL insert statement's worth (5,000
// rows each): the flush settles each statement's rows as they come back.
const couponRows = 12000

// A flush inserting several statements' worth of rows into one table: when
// the last statement fails, no row of the earlier ones stays settled (keys,
// statuses, identity map); once fixed, every row is written once, its
// object holds its key and is found by it, and a commit with no change
// writes nothing.
func TestInsertManyStatementsFailsWhole(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		env.Create(t, Coupons)
		if err := retort.Insert(Coupons, &Coupon{Code: "taken"}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		s := session.New(env.DB)
		coupons := make([]*Coupon, couponRows)
		for i := range coupons {
			coupons[i] = &Coupon{Code: fmt.Sprintf("c%05d", i)}
		}
		last := coupons[couponRows-10]
		last.Code = "taken" // in the last statement
		if err := session.AddAll(s, coupons...); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err == nil {
			t.Fatal("commit with a duplicate code succeeded")
		}
		for i, c := range coupons {
			if c.ID != 0 || s.StatusOf(c) != session.Pending {
				t.Fatalf("coupon %d after the failed commit: id %d, %v; want 0, pending", i, c.ID, s.StatusOf(c))
			}
		}

		last.Code = fmt.Sprintf("c%05d", couponRows-10)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		seen := map[int64]bool{}
		for i, c := range coupons {
			if c.ID == 0 || seen[c.ID] || s.StatusOf(c) != session.Persistent {
				t.Fatalf("coupon %d after commit: id %d (seen before: %v), %v", i, c.ID, seen[c.ID], s.StatusOf(c))
			}
			seen[c.ID] = true
			if got, ok := s.Lookup(session.Key{Table: "coupon", Int: c.ID}); !ok || got != c {
				t.Fatalf("Lookup(%d) = %p, %v; want coupon %d (%p)", c.ID, got, ok, i, c)
			}
		}
		// The failed commit's keys (PostgreSQL does not take back what its
		// sequence gave) lead nowhere.
		for k := int64(1); k <= couponRows+1; k++ {
			if got, ok := s.Lookup(session.Key{Table: "coupon", Int: k}); ok && !seen[k] {
				t.Fatalf("Lookup(%d) = %+v: a key of the failed commit", k, got)
			}
		}
		fresh, err := session.All(ctx, session.New(env.DB), retort.Select(Coupons).Where(CouponCode.Ne("taken")).OrderBy(CouponCode.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		var want, got []Coupon
		for _, c := range coupons {
			want = append(want, *c)
		}
		for _, c := range fresh {
			got = append(got, *c)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("rows in the database against the objects (-objects +rows):\n%s", diff)
		}
		rec.take()
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for _, q := range rec.take() {
			if q != "BEGIN" && q != "COMMIT" {
				t.Errorf("a commit with nothing changed sent %q", q)
			}
		}
		coupons[7000].Code = "changed"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if c, err := session.Get(ctx, session.New(env.DB), Coupons, coupons[7000].ID); err != nil || c.Code != "changed" {
			t.Errorf("coupon 7000 after its change: %+v, %v", c, err)
		}
	})
}
