package retort_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/retort-orm/retort"
)

// sameJSON is what JSON's Equal must answer: the encodings are equal.
func sameJSON(a, b any) bool {
	ea, err1 := json.Marshal(a)
	eb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ea, eb)
}

// checkJSONEqual fails t unless typ.Equal(a, b) agrees with the encodings,
// and Clone gives a value equal to a that shares nothing with it.
func checkJSONEqual[V any](t *testing.T, a, b V) {
	t.Helper()
	typ := retort.JSON[V]()
	if got, want := typ.Equal(a, b), sameJSON(a, b); got != want {
		t.Errorf("Equal(%#v, %#v) = %v, want %v", a, b, got, want)
	}
	c := typ.(retort.Cloner[V]).Clone(a)
	if !sameJSON(a, c) {
		t.Errorf("Clone(%#v) = %#v", a, c)
	}
}

// TestJSONEqual: Equal answers as comparing the encodings would, on the
// shapes it compares without encoding (nil against empty, -0 against 0,
// integers against floats in an any, nested maps and slices) and on others.
func TestJSONEqual(t *testing.T) {
	negZero := math.Copysign(0, -1)
	anys := []map[string]any{
		nil, {}, {"a": 1.0}, {"a": 1}, {"a": int64(1)}, {"a": "1"}, {"a": true}, {"a": nil},
		{"a": 0.0}, {"a": negZero}, {"a": []any{}}, {"a": []any(nil)}, {"a": []any{1.0, "x", nil}},
		{"a": []any{1.0, "x", false}}, {"a": map[string]any{"b": []any{map[string]any{"c": 2.0}}}},
		{"a": map[string]any{"b": []any{map[string]any{"c": 3.0}}}}, {"a": 1.0, "b": 2.0}, {"b": 1.0},
		{"a": json.Number("1")}, {"a": struct{ X int }{1}}, {"a": []string{"x"}}, {"a": map[string]int{"x": 1}},
	}
	for _, a := range anys {
		for _, b := range anys {
			checkJSONEqual(t, a, b)
		}
	}
	strs := [][]string{nil, {}, {"a"}, {"b"}, {"a", "b"}}
	for _, a := range strs {
		for _, b := range strs {
			checkJSONEqual(t, a, b)
		}
	}
	floats := []map[string]float64{nil, {}, {"x": 0}, {"x": negZero}, {"x": 1}}
	for _, a := range floats {
		for _, b := range floats {
			checkJSONEqual(t, a, b)
		}
	}
	ints := []map[string]int{nil, {}, {"x": 0}, {"x": 1}, {"y": 1}}
	for _, a := range ints {
		for _, b := range ints {
			checkJSONEqual(t, a, b)
		}
	}
	type dims struct {
		W    float64
		Note *string
	}
	note, other := "n", "n"
	// -0 is left out: == finds it equal to 0 (see Equal).
	structs := []dims{{}, {W: 1}, {Note: &note}, {Note: &other}, {W: 1, Note: &note}}
	for _, a := range structs {
		for _, b := range structs {
			checkJSONEqual(t, a, b)
		}
	}
	type tags []string // a named type: compared by encoding
	checkJSONEqual(t, tags{"a"}, tags{"a"})
	checkJSONEqual(t, tags(nil), tags{})

	// Random trees of what JSON decodes into, and a copy changed in one
	// place.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		a := randomJSON(rng, 3)
		b := randomJSON(rng, 3)
		checkJSONEqual(t, a, b)
		checkJSONEqual(t, a, retort.JSON[any]().(retort.Cloner[any]).Clone(a))
	}
}

func randomJSON(rng *rand.Rand, depth int) any {
	switch n := rng.IntN(8); {
	case depth == 0 || n < 4:
		return []any{nil, true, false, 0.0, math.Copysign(0, -1), 1.5, "", "s", 1}[rng.IntN(9)]
	case n < 6:
		if rng.IntN(6) == 0 {
			return []any(nil)
		}
		out := make([]any, rng.IntN(3))
		for i := range out {
			out[i] = randomJSON(rng, depth-1)
		}
		return out
	default:
		if rng.IntN(6) == 0 {
			return map[string]any(nil)
		}
		out := map[string]any{}
		for i := range rng.IntN(3) {
			out[fmt.Sprint("k", i)] = randomJSON(rng, depth-1)
		}
		return out
	}
}

// TestJSONClone: a clone shares no map or slice with the original, keeps
// nil apart from empty, and a value of another type goes through JSON.
func TestJSONClone(t *testing.T) {
	orig := map[string]any{"list": []any{1.0, map[string]any{"x": "y"}}, "m": map[string]any{"k": 1.0}, "nil": []any(nil)}
	c := retort.JSON[map[string]any]().(retort.Cloner[map[string]any]).Clone(orig)
	c["list"].([]any)[1].(map[string]any)["x"] = "changed"
	c["m"].(map[string]any)["k"] = 2.0
	if orig["list"].([]any)[1].(map[string]any)["x"] != "y" || orig["m"].(map[string]any)["k"] != 1.0 {
		t.Errorf("changing the clone changed the original: %v", orig)
	}
	if c["nil"].([]any) != nil {
		t.Error("a nil slice was cloned into an empty one")
	}
	for _, s := range [][]string{nil, {}} {
		got := retort.JSON[[]string]().(retort.Cloner[[]string]).Clone(s)
		if (got == nil) != (s == nil) {
			t.Errorf("Clone(%#v) = %#v", s, got)
		}
	}
	type box struct{ P *int }
	n := 1
	b := retort.JSON[box]().(retort.Cloner[box]).Clone(box{&n})
	if b.P == &n || *b.P != 1 {
		t.Errorf("a struct's pointer was not copied apart: %v", b.P)
	}
}
