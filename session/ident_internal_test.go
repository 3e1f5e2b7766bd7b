package session

import (
	"math"
	"math/rand/v2"
	"testing"
)

// intIndex agrees with a map under sets, overwrites and deletes of keys in
// order, in reverse, scattered, far apart and at the extremes of int64,
// whichever of its window and its map each key lands in.
func TestIntIndexAgreesWithMap(t *testing.T) {
	patterns := map[string]func(r *rand.Rand, i int) int64{
		"ascending":  func(_ *rand.Rand, i int) int64 { return int64(i + 1) },
		"descending": func(_ *rand.Rand, i int) int64 { return int64(5000 - i) },
		"dense":      func(r *rand.Rand, _ int) int64 { return r.Int64N(3000) - 1000 },
		"sparse":     func(r *rand.Rand, _ int) int64 { return r.Int64() - math.MaxInt64/2 },
		"mixed": func(r *rand.Rand, i int) int64 {
			switch i % 4 {
			case 0:
				return []int64{math.MinInt64, math.MaxInt64, denseLimit, -denseLimit, denseLimit - 1, 1 << 40}[r.IntN(6)]
			case 1:
				return r.Int64N(1 << 20)
			}
			return int64(i)
		},
	}
	for name, key := range patterns {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			var x intIndex
			want := map[int64]*state{}
			var keys []int64
			for i := range 6000 {
				k := key(r, i)
				keys = append(keys, k)
				switch r.IntN(10) {
				case 0: // delete a key set before
					d := keys[r.IntN(len(keys))]
					x.del(d)
					delete(want, d)
				case 1:
					x.reserve(r.IntN(200))
					fallthrough
				default:
					st := &state{seq: i}
					x.set(k, st)
					want[k] = st
				}
			}
			if x.len() != len(want) {
				t.Errorf("len = %d, want %d", x.len(), len(want))
			}
			for _, k := range append(keys, math.MinInt64, math.MaxInt64, 0, -1) {
				got, ok := x.get(k)
				w, wok := want[k]
				if ok != wok || got != w {
					t.Fatalf("get(%d) = %v, %t; want %v, %t", k, got, ok, w, wok)
				}
			}
			if name == "ascending" || name == "descending" {
				if len(x.sparse) != 0 || len(x.dense) > 2*6000+denseSlack {
					t.Errorf("%d keys in the map, window of %d: want all in a window of at most %d", len(x.sparse), len(x.dense), 2*6000+denseSlack)
				}
			}
			if name == "sparse" && len(x.dense) > 2*(x.n+1)+denseSlack {
				t.Errorf("window of %d for %d keys in it", len(x.dense), x.n)
			}
		})
	}
}

// A nil index (a table with no keys yet) finds nothing.
func TestIntIndexNil(t *testing.T) {
	var x *intIndex
	if st, ok := x.get(1); ok || st != nil || x.len() != 0 {
		t.Fatalf("nil index: get = %v, %t; len %d", st, ok, x.len())
	}
}

// Room reserved before the first key holds the keys of a sequence from
// there on, without growing.
func TestIntIndexReserveEmpty(t *testing.T) {
	var x intIndex
	x.reserve(1000)
	if cap(x.dense) != 1000 {
		t.Fatalf("reserve(1000) on an empty index: capacity %d", cap(x.dense))
	}
	for k := int64(501); k < 1501; k++ {
		x.set(k, &state{})
	}
	if cap(x.dense) != 1000 || len(x.sparse) != 0 || x.len() != 1000 {
		t.Fatalf("after 1,000 keys in order: window %d/%d, %d in the map, len %d; want 1000/1000, 0, 1000",
			len(x.dense), cap(x.dense), len(x.sparse), x.len())
	}
}
