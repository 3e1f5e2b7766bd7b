package session

// journalBlock is how many entries a block of the journal holds once the
// journal has outgrown its first block.
const journalBlock = 512

// journal is the list of states' fields saved before the open transaction
// changed them (see saved), kept in blocks: a long transaction appends
// without ever copying what it holds, and a short one allocates little. The
// first block grows by doubling up to journalBlock entries; every later
// block holds exactly journalBlock, so entry i is in block i/journalBlock.
// Blocks are kept for the next transaction.
type journal struct {
	blocks [][]saved
	n      int
}

func (j *journal) len() int { return j.n }

// at returns entry i, which must be below len.
func (j *journal) at(i int) *saved { return &j.blocks[i/journalBlock][i%journalBlock] }

// push appends e.
func (j *journal) push(e saved) {
	b := j.n / journalBlock
	if b == len(j.blocks) {
		size := journalBlock
		if b == 0 {
			size = 8
		}
		j.blocks = append(j.blocks, make([]saved, 0, size))
	}
	blk := j.blocks[b]
	if len(blk) == cap(blk) { // only the first block, below journalBlock
		grown := make([]saved, len(blk), min(2*cap(blk), journalBlock))
		copy(grown, blk)
		blk = grown
	}
	j.blocks[b] = append(blk, e)
	j.n++
}

// truncate drops the entries from n on, releasing what they point to.
func (j *journal) truncate(n int) {
	for b := n / journalBlock; b < len(j.blocks) && b*journalBlock < j.n; b++ {
		keep := max(n-b*journalBlock, 0)
		clear(j.blocks[b][keep:])
		j.blocks[b] = j.blocks[b][:keep]
	}
	j.n = n
}
