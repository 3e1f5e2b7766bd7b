package session

import (
	"testing"
	"unsafe"
)

// TestJournalBlocks checks the journal's indexing across its growing first
// block and the fixed blocks after it, and that truncating releases the
// entries dropped and lets the journal grow again from there.
func TestJournalBlocks(t *testing.T) {
	var j journal
	states := make([]state, 3*journalBlock+17)
	for i := range states {
		j.push(saved{st: &states[i], key: Key{Int: int64(i)}})
	}
	check := func(n int) {
		t.Helper()
		if j.len() != n {
			t.Fatalf("len = %d, want %d", j.len(), n)
		}
		for i := range n {
			if e := j.at(i); e.st != &states[i] || e.key.Int != int64(i) {
				t.Fatalf("entry %d: state %p key %d, want %p and %d", i, e.st, e.key.Int, &states[i], i)
			}
		}
	}
	check(len(states))
	if got := cap(j.blocks[0]); got != journalBlock {
		t.Errorf("first block holds %d entries, want %d", got, journalBlock)
	}
	for _, mark := range []int{2*journalBlock + 5, journalBlock, 3, 0} {
		j.truncate(mark)
		check(mark)
		for b, blk := range j.blocks {
			for i, e := range blk[len(blk):cap(blk)] {
				if e.st != nil {
					t.Fatalf("after truncate(%d): block %d keeps entry %d", mark, b, len(blk)+i)
				}
			}
		}
		for i := mark; i < len(states); i++ {
			j.push(saved{st: &states[i], key: Key{Int: int64(i)}})
		}
		check(len(states))
		j.truncate(mark)
	}
}

// TestStateSize keeps the per-object bookkeeping small: a session holds a
// state per object and the journal an entry per object a transaction
// wrote, so every byte here is multiplied by the rows of a bulk load.
func TestStateSize(t *testing.T) {
	if n := unsafe.Sizeof(state{}); n > 104 {
		t.Errorf("state is %d bytes, want at most 104", n)
	}
	if n := unsafe.Sizeof(saved{}); n > 72 {
		t.Errorf("a journal entry is %d bytes, want at most 72", n)
	}
}
