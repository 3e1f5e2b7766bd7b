package session

import "testing"

// push keeps every element in order and reallocates about log2(n) times:
// append, whose growth past 256 elements falls towards 1.25 times,
// reallocates 100,000 elements 35 times.
func TestPushDoubles(t *testing.T) {
	const n, most = 100_000, 17 // doubling from 4 takes 16
	build := func(add func([]int, int) []int) (l []int, grows int) {
		for i := range n {
			c := cap(l)
			l = add(l, i)
			if cap(l) != c {
				grows++
			}
		}
		return l, grows
	}
	l, grows := build(push[int])
	if len(l) != n {
		t.Fatalf("len %d, want %d", len(l), n)
	}
	for i, v := range l {
		if v != i {
			t.Fatalf("l[%d] = %d", i, v)
		}
	}
	if grows > most {
		t.Errorf("%d reallocations for %d elements, want at most %d", grows, n, most)
	}
	// The bound must tell push from append.
	if _, grows := build(func(l []int, v int) []int { return append(l, v) }); grows <= most {
		t.Errorf("append reallocated only %d times: the bound no longer tells push from append", grows)
	}
}
