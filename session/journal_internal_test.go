package session

import (
	"testing"
	"unsafe"
)

// TestJournalBlocks checks the journal's indexing across its growing first
// blocks and the fixed blocks after them, with entries that save only a
// state and its status (every third here) between entries that save more,
// and that truncating releases the entries dropped and lets the journal
// grow again from there.
func TestJournalBlocks(t *testing.T) {
	var j journal
	states := make([]state, 3*journalBlock+17)
	entry := func(i int) saved {
		if i%3 == 0 { // transient or pending, no key: no fields kept
			if i%2 == 0 {
				return saved{st: &states[i], added: true}
			}
			return saved{st: &states[i], status: Pending}
		}
		return saved{st: &states[i], key: Key{Int: int64(i)}, hasKey: true, status: Persistent}
	}
	check := func(n int) {
		t.Helper()
		if j.len() != n {
			t.Fatalf("len = %d, want %d", j.len(), n)
		}
		for i := range n {
			if got, want := j.at(i), entry(i); got != want {
				t.Fatalf("entry %d = %+v, want %+v", i, got, want)
			}
		}
		if want := n - (n+2)/3; j.fields.n != want {
			t.Fatalf("%d entries keep %d fields, want %d", n, j.fields.n, want)
		}
	}
	released := func(mark int) {
		t.Helper()
		for b, blk := range j.entries.blocks {
			for i, e := range blk[len(blk):cap(blk)] {
				if e.st != nil {
					t.Fatalf("after truncate(%d): block %d keeps entry %d", mark, b, len(blk)+i)
				}
			}
		}
		for b, blk := range j.fields.blocks {
			for i, f := range blk[len(blk):cap(blk)] {
				if f.hasKey {
					t.Fatalf("after truncate(%d): fields block %d keeps %d", mark, b, len(blk)+i)
				}
			}
		}
	}
	for i := range states {
		j.push(entry(i))
	}
	check(len(states))
	if got := cap(j.entries.blocks[0]); got != journalBlock {
		t.Errorf("first block holds %d entries, want %d", got, journalBlock)
	}
	for _, mark := range []int{2*journalBlock + 6, 2*journalBlock + 5, journalBlock, 3, 1, 0} {
		j.truncate(mark)
		check(mark)
		released(mark)
		for i := mark; i < len(states); i++ {
			j.push(entry(i))
		}
		check(len(states))
		j.truncate(mark)
	}
	j.push(entry(0))
	j.setAdded(0)
	if e := j.at(0); !e.added || j.state(0) != &states[0] {
		t.Fatalf("after setAdded: %+v", e)
	}
}

// TestStateSize keeps the per-object bookkeeping small: a session holds a
// state per object and the journal an entry per object a transaction
// wrote, so every byte here is multiplied by the rows of a bulk load.
func TestStateSize(t *testing.T) {
	if n := unsafe.Sizeof(state{}); n > 104 {
		t.Errorf("state is %d bytes, want at most 104", n)
	}
	if n := unsafe.Sizeof(entry{}); n > 16 {
		t.Errorf("a journal entry is %d bytes, want at most 16", n)
	}
	if n := unsafe.Sizeof(savedFields{}); n > 64 {
		t.Errorf("a journal entry's fields are %d bytes, want at most 64", n)
	}
}
