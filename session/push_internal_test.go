package session

import "testing"

// push keeps every element in order and reallocates about log2(n) times:
// append's growth by about 1.25 times past 256 elements would reallocate
// 100,000 elements about 35 times, copying each about four times.
func TestPushDoubles(t *testing.T) {
	const n = 100_000
	var l []int
	grows := 0
	for i := range n {
		c := cap(l)
		l = push(l, i)
		if cap(l) != c {
			grows++
		}
	}
	for i, v := range l {
		if v != i {
			t.Fatalf("l[%d] = %d", i, v)
		}
	}
	if len(l) != n {
		t.Fatalf("len %d, want %d", len(l), n)
	}
	if grows > 17 {
		t.Errorf("%d reallocations for %d elements, want at most 17 (doubling from 4)", grows, n)
	}
	// The same with append, to show the test can tell them apart.
	var a []int
	agrows := 0
	for i := range n {
		c := cap(a)
		a = append(a, i)
		if cap(a) != c {
			agrows++
		}
	}
	if agrows <= 17 {
		t.Errorf("append reallocated only %d times: the bound above no longer tells push from append", agrows)
	}
}
