// Package delorder orders rows to be deleted so that a row comes after
// every row among them that references it (a chain, leaves first). One
// DELETE statement may remove rows in any order, as its constraints are
// checked at its end; rows deleted in several statements (SQLite's chunks
// of keys, one statement a row where a version column is checked) must
// come in this order. The session's table mapper and the inherit package's
// hierarchy mapper share it.
package delorder

import (
	"slices"

	"github.com/retort-orm/retort"
)

// MaxColumns is how many columns a reference may have for its rows to be
// ordered.
const MaxColumns = 4

// Key holds the values of up to MaxColumns columns, as a map key. The zero
// Key stands for "none": a row that has no such key, or whose values are
// NULL.
type Key [MaxColumns]any

// Value puts one column's value in the form keys compare it in; ok is false
// when its type is not one keys are made of (it could not be compared, or
// not reliably), nil stays nil.
func Value(v any) (_ any, ok bool) {
	switch v := v.(type) {
	case nil, int64, int32, int16, int8, int, uint64, uint32, uint16, uint8, uint, string, bool, retort.UUID, retort.Decimal:
		return v, true
	case []byte:
		return string(v), true
	}
	return nil, false
}

// KeyOf makes the Key of n columns' values, value(i) giving the i-th: the
// zero Key when any is NULL; ok is false when a value's type is not one
// keys are made of (see Value).
func KeyOf(n int, value func(i int) any) (k Key, ok bool) {
	for i := range n {
		v, ok := Value(value(i))
		if !ok {
			return Key{}, false
		}
		if v == nil {
			return Key{}, true
		}
		k[i] = v
	}
	return k, true
}

// Graph is the references among n rows to be deleted.
type Graph struct {
	parents [][]int32 // parents[i]: the rows that row i references
}

// New returns the graph of n rows without references.
func New(n int) *Graph { return &Graph{parents: make([][]int32, n)} }

// Link adds the references of one foreign key: row i references row j when
// from[i] equals to[j] (and neither is the zero Key).
func (g *Graph) Link(from, to []Key) {
	rows := make(map[Key]int32, len(to))
	for j, k := range to {
		if k != (Key{}) {
			rows[k] = int32(j)
		}
	}
	for i, k := range from {
		if k == (Key{}) {
			continue
		}
		if j, in := rows[k]; in && int(j) != i {
			g.parents[i] = append(g.parents[i], j)
		}
	}
}

// Order returns the rows' indexes in an order that deletes every row after
// the rows that reference it, keeping their order otherwise; ok is false
// when references form a cycle (no order suits).
func (g *Graph) Order() (order []int32, ok bool) {
	const visiting = -1
	n := len(g.parents)
	depth := make([]int32, n) // 0: not yet walked; else depth+1
	cycle := false
	var walk func(i int32) int32
	walk = func(i int32) int32 {
		switch depth[i] {
		case visiting:
			cycle = true
			return 0
		case 0:
		default:
			return depth[i]
		}
		depth[i] = visiting
		d := int32(1)
		for _, p := range g.parents[i] {
			d = max(d, walk(p)+1)
		}
		depth[i] = d
		return d
	}
	order = make([]int32, n)
	for i := range n {
		walk(int32(i))
		order[i] = int32(i)
	}
	if cycle {
		return nil, false
	}
	slices.SortStableFunc(order, func(a, b int32) int { return int(depth[b] - depth[a]) })
	return order, true
}

// Permute puts xs in order (from Order).
func Permute[E any](xs []E, order []int32) {
	sorted := make([]E, len(xs))
	for i, j := range order {
		sorted[i] = xs[j]
	}
	copy(xs, sorted)
}
