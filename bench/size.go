package bench

import (
	"fmt"
	"strconv"
)

// Size is how much work each workload does.
type Size struct {
	Bosses, Grunts, Batch int // three-profiles
	ZooIterations         int // zoo: ITERATIONS of the 2007 suite (also the ticks inserted)
	BulkRows              int // bulk-50k
	MicroOps              int // micro workloads: operations per run (the 100-row ones run MicroOps/10)
}

// Full is the size the workloads are defined at.
var Full = Size{Bosses: 1000, Grunts: 10000, Batch: 100, ZooIterations: 100, BulkRows: 50000, MicroOps: 200}

// Small runs every workload briefly, to check that it still works (CI).
var Small = Size{Bosses: 100, Grunts: 1000, Batch: 100, ZooIterations: 3, BulkRows: 2000, MicroOps: 20}

func (s Size) microBatchOps() int { return max(1, s.MicroOps/10) }

// The data of three-profiles (as in the seed and package inherit's test):
// boss i is "Boss i" with a golf average of 40 to 150; grunt i is
// "Grunt i" with savings of 50,000.00 to 149,999.99; batch k of grunts
// works for "Boss k+1", found by name before the batch is added.

func bossName(i int) string  { return "Boss " + strconv.Itoa(i) }
func gruntName(i int) string { return "Grunt " + strconv.Itoa(i) }
func golfCents(i int) int64  { return int64(40+(i*37)%111) * 100 }
func savingsCents(i int) int64 {
	return int64(5000000 + (i*7919)%10000000)
}
func employerOf(batch int) int { return batch + 1 }

// profileSum accumulates the report's checksum.
type profileSum struct {
	rows                  int64
	savings, golf, naming int64
}

// line adds one report line: a grunt and its employer.
func (p *profileSum) line(grunt string, savings int64, boss string, golf int64) {
	p.rows++
	p.savings += savings
	p.golf += golf
	p.naming += int64(len(grunt) + len(boss))
}

func (p *profileSum) check() Check {
	return Check{Rows: p.rows, Sum: fmt.Sprintf("savings=%d golf=%d names=%d", p.savings, p.golf, p.naming)}
}

// expectProfiles is the report every implementation must produce.
func expectProfiles(s Size) Check {
	var p profileSum
	for i := range s.Grunts {
		b := employerOf(i / s.Batch)
		p.line(gruntName(i), savingsCents(i), bossName(b), golfCents(b))
	}
	return p.check()
}

// The data of bulk-50k: row i has a name, a quantity and a price.

func bulkName(i int) string      { return "item " + strconv.Itoa(i) }
func bulkQty(i int) int64        { return int64(i % 1000) }
func bulkPrice(i int) float64    { return float64(i%10000) / 4 }
func bulkPriceQ(p float64) int64 { return int64(p * 4) }

type bulkSum struct{ rows, name, qty, price, ids int64 }

func (b *bulkSum) row(id int64, name string, qty int64, price float64) {
	b.rows++
	b.ids += id
	b.name += int64(len(name))
	b.qty += qty
	b.price += bulkPriceQ(price)
}

func (b *bulkSum) check() Check {
	return Check{Rows: b.rows, Sum: fmt.Sprintf("ids=%d names=%d qty=%d price=%d", b.ids, b.name, b.qty, b.price)}
}

// expectBulk: the rows read back, with keys 1..n (each run starts with an
// empty table and a fresh sequence).
func expectBulk(s Size) Check {
	var b bulkSum
	for i := range s.BulkRows {
		b.row(int64(i+1), bulkName(i), bulkQty(i), bulkPrice(i))
	}
	return b.check()
}
