package session

// journalBlock is how many entries a block of the journal holds once the
// journal has outgrown its first block.
const journalBlock = 512

// journal is the list of states' fields saved before the open transaction
// changed them (see saved). Most entries, in a transaction that adds or
// inserts many objects, save a state that was transient or pending with
// nothing else to keep (no key, no snapshot): such an entry is 16 bytes,
// its state, status and flags, while one saving more has its fields in a
// second list. A three-profiles run adds 11,000 objects; at 72 bytes an
// entry, its journal was 0.8 MB (BENCHMARKS.md).
type journal struct {
	entries blocks[entry]
	fields  blocks[savedFields]
}

// entry is one saved state in the journal.
type entry struct {
	st     *state
	field  int32  // 1 + the index of the saved fields; 0: none, status says all
	status Status // when field is 0
	added  bool
}

// savedFields are the fields of a saved entry besides its state and added.
type savedFields struct {
	key               Key
	snap              any
	status            Status
	hasKey, generated bool
	flushed           bool
}

func (j *journal) len() int { return j.entries.n }

// at returns entry i, which must be below len.
func (j *journal) at(i int) saved {
	e := j.entries.at(i)
	s := saved{st: e.st, added: e.added, status: e.status}
	if e.field > 0 {
		f := j.fields.at(int(e.field - 1))
		s.key, s.snap, s.status, s.hasKey, s.generated, s.flushed = f.key, f.snap, f.status, f.hasKey, f.generated, f.flushed
	}
	return s
}

// state returns the state of entry i.
func (j *journal) state(i int) *state { return j.entries.at(i).st }

// setAdded marks entry i as an object added inside the transaction.
func (j *journal) setAdded(i int) { j.entries.at(i).added = true }

// push appends s.
func (j *journal) push(s saved) {
	e := entry{st: s.st, added: s.added, status: s.status}
	plain := (s.status == Transient || s.status == Pending) && !s.hasKey && !s.generated && !s.flushed &&
		s.snap == nil && s.key == Key{}
	if !plain {
		j.fields.push(savedFields{key: s.key, snap: s.snap, status: s.status, hasKey: s.hasKey, generated: s.generated, flushed: s.flushed})
		e.field = int32(j.fields.n)
	}
	j.entries.push(e)
}

// truncate drops the entries from n on, releasing what they point to.
func (j *journal) truncate(n int) {
	fields := j.fields.n
	for i := n; i < j.entries.n; i++ {
		if f := j.entries.at(i).field; f > 0 {
			fields = int(f - 1)
			break
		}
	}
	j.entries.truncate(n)
	j.fields.truncate(fields)
}

// blocks is a list kept in blocks: a long transaction appends without ever
// copying what it holds, and a short one allocates little. The first block
// grows by doubling up to journalBlock elements; every later block holds
// exactly journalBlock, so element i is in block i/journalBlock. Blocks are
// kept for the next transaction.
type blocks[E any] struct {
	blocks [][]E
	n      int
}

// at returns element i, which must be below n.
func (b *blocks[E]) at(i int) *E { return &b.blocks[i/journalBlock][i%journalBlock] }

// push appends e.
func (b *blocks[E]) push(e E) {
	k := b.n / journalBlock
	if k == len(b.blocks) {
		size := journalBlock
		if k == 0 {
			size = 8
		}
		b.blocks = append(b.blocks, make([]E, 0, size))
	}
	blk := b.blocks[k]
	if len(blk) == cap(blk) { // only the first block, below journalBlock
		grown := make([]E, len(blk), min(2*cap(blk), journalBlock))
		copy(grown, blk)
		blk = grown
	}
	b.blocks[k] = append(blk, e)
	b.n++
}

// truncate drops the elements from n on, releasing what they point to.
func (b *blocks[E]) truncate(n int) {
	for k := n / journalBlock; k < len(b.blocks) && k*journalBlock < b.n; k++ {
		keep := max(n-k*journalBlock, 0)
		clear(b.blocks[k][keep:])
		b.blocks[k] = b.blocks[k][:keep]
	}
	b.n = n
}
