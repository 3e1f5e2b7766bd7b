// Package bench compares Retort with hand-written driver code (pgx on
// PostgreSQL, zombiezen on SQLite), GORM and bun on the same workloads and
// the same tables. It is a module of its own, so that the library's users
// never download the comparison ORMs.
//
// Workloads:
//
//   - three-profiles: the seed's "A Tale of Three Profiles": 1,000 bosses,
//     10,000 grunts added 100 at a time, each batch preceded by a query for
//     its boss by name, one transaction; then a report of every grunt with
//     its boss. Plain tables for every implementation; retort-inherit runs
//     the seed's joined-table inheritance with package inherit.
//   - zoo: the 2007 Storm/SQLAlchemy/Geniusql suite (insert, properties,
//     expressions, aggregates, editing, multiview) at 100 iterations.
//   - bulk-50k: 50,000 rows of three columns inserted (keys written back)
//     and selected back.
//   - micro-insert, micro-insert100, micro-update, micro-read,
//     micro-read100: single operations, in the style of the public Go ORM
//     benchmark suites.
//
// Every run of every implementation is checked: row counts and a checksum
// over the loaded values must match the expected result (or, for zoo, every
// query's known row count, and the same checksum for all implementations).
// Round trips are counted at the driver boundary for everyone (see
// counting.go); allocations are runtime.MemStats.Mallocs deltas.
//
// Run the suite with cmd/retort-bench, or profile one case with go test
// -bench; BENCHMARKS.md has the results and how they were obtained.
package bench
