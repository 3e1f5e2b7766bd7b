package session

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
)

// odd is comparable, but == on it panics when both Extra fields hold
// slices.
type odd struct {
	ID    int64
	Name  string
	Extra any
}

var (
	odds = retort.NewTable[odd]("odd")
	_    = retort.Col(odds, "id", func(o *odd) *int64 { return &o.ID }, retort.PrimaryKey())
	_    = retort.Col(odds, "name", func(o *odd) *string { return &o.Name })
)

// appendChanged answers as Changed does when == panics in the middle of a
// run: the objects before and after the panicking one are compared, the
// panicking one too, and == is not tried again. The run ends at the first
// state of another mapper.
func TestAppendChangedPanic(t *testing.T) {
	m := TableMapper(odds)
	if !m.whole.Load() {
		t.Fatal("odd should be compared whole at first")
	}
	mi := &mapperInfo{m: m}
	var sts []*state
	for i := range 7 {
		o := &odd{ID: int64(i), Name: "n"}
		sts = append(sts, &state{obj: o, snap: m.Snapshot(o), mi: mi, in: true, status: Persistent})
	}
	sts[6].mi = &mapperInfo{m: m} // another mapper's run: not compared
	sts[6].obj.(*odd).Name = "beyond the run"
	obj := func(i int) *odd { return sts[i].obj.(*odd) }
	obj(1).Name = "changed"
	obj(2).Extra, sts[2].snap.(*odd).Extra = []int{1}, []int{1} // == panics
	obj(3).Extra, sts[3].snap.(*odd).Extra = []int{1}, []int{1} // == would panic
	obj(3).Name = "changed too"
	obj(5).Name = "changed as well"

	var got []int64
	changed, n := m.appendChanged(nil, sts, mi)
	for _, st := range changed {
		got = append(got, st.obj.(*odd).ID)
	}
	if n != 6 {
		t.Errorf("run of %d states, want 6", n)
	}
	if diff := cmp.Diff([]int64{1, 3, 5}, got); diff != "" {
		t.Errorf("changed objects (-want +got):\n%s", diff)
	}
	for i, st := range sts[:6] {
		if want := m.Changed(st.obj, st.snap); want != (i == 1 || i == 3 || i == 5) {
			t.Errorf("Changed(%d) = %v", i, want)
		}
	}
	if m.whole.Load() {
		t.Error("whole comparison still on after == panicked")
	}
}
