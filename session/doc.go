// Package session is Retort's ORM layer: an identity map and a unit of work
// over a retort.DB, in the manner of SQLAlchemy's Session.
//
// # Objects and their states
//
// [Add] makes a new object pending; [Commit] (or [Session.Flush]) inserts it
// and writes its generated key back into it. Objects read through the
// session ([All], [One], [First], [Iter], [Get]) are persistent: one Go
// pointer per row per session, so a second query for the same row returns
// the object already loaded, with its unflushed changes. [Delete] marks an
// object for deletion; after the commit it is detached. [Session.Expunge]
// detaches an object ([Add] takes it back, persistent, its changes since
// to be written), [Merge] brings an outside object in, [Refresh] reloads
// one, [Session.IsModified], [Session.New], [Session.Dirty] and
// [Session.Deleted] show what the next flush will do. [ExecUpdate] and
// [ExecDelete] run an UPDATE or DELETE of many rows in the session's
// transaction and bring the loaded objects of those rows in step with it.
//
// # Flush
//
// Change tracking compares each persistent object with a snapshot taken at
// load and after each flush, so an UPDATE sets only the columns that changed
// and an unchanged object costs nothing in SQL. It costs a comparison at
// every flush, autoflushes included: a few nanoseconds an object when the
// struct is comparable with == and has no NULL-able column (one == settles
// it; see retort.RowEqual), about 20 nanoseconds otherwise. A session that
// holds tens of thousands of objects across many flushes pays that each
// time: commit and start a new session per unit of work where you can.
//
// A flush orders its work by foreign keys (referenced rows first, deletions
// in reverse; tables whose keys form a cycle, by the references of the rows
// being written; new rows with generated keys that reference each other, or
// themselves, are an error: set one reference after a first flush; rows of
// a table that references itself are deleted leaves first, by the key
// values they hold in the database; a new object whose key is that of an
// object deleted in the same flush takes over its row, as SQLAlchemy's
// "row switch" does: one UPDATE of the columns that differ, its BeforeInsert
// and AfterInsert hooks and Default values as for an insert, no delete
// hooks for the old one, and the rows that reference the key kept; in a
// joined-inheritance hierarchy, only over an object of its own class; not
// over an object of a many-to-many relationship (package rel), whose
// association rows would outlive the switch, nor over a parent whose
// one-to-many children were not loaded: flush the delete first; a [Mapper]
// takes part by implementing [RowSwitcher]), inserts
// each table's new rows in as
// few statements as the
// database allows (on PostgreSQL one unnest statement per 5,000 rows, with
// generated keys matched to objects by ordinal; from 2,000 rows, COPY, the
// keys drawn first by one query), and sends everything it can
// in one round trip: on PostgreSQL the flush that a query triggers
// (autoflush) travels in the same batch as the query, BEGIN travels with the
// first statement, and COMMIT with the last flush. A round trip is split only
// where a child needs a key the database has not generated yet. The
// program checks that each UPDATE and DELETE matched its rows, which keeps
// COMMIT for a round trip of its own; so that it can travel with them in a
// commit of up to 8 UPDATEs and DELETEs on PostgreSQL, the server checks
// instead: each statement is wrapped in a CTE whose SELECT fails otherwise,
// and the failure comes back as a [StaleError] (beyond 8, the wrapping
// costs the server more than the round trip it saves). A commit of a single UPDATE or
// DELETE runs it alone, without BEGIN and COMMIT, in one round trip: a
// plain statement whose row count the program checks. A COPY splits the
// round trip: the statements before it and the keys go first, the COPY by
// itself, then the rest (a flush of 50,000 new rows and its commit: three
// round trips, about half the server's time of unnest statements). On
// PostgreSQL, a flush inserting more than 5,000 rows of a table without
// hooks or relationships by unnest statements (values COPY cannot write as
// text, such as bytea or timestamps) settles each statement's rows (keys,
// snapshots, identity map) as their keys come back, while the server runs
// the next statements.
//
// Columns the database maintains (retort.ReadOnly, retort.Generated) are
// never written; after a flush that inserted or updated rows with such
// columns, the session reads them back into the objects and snapshots:
// one query per mapper, in the flush's transaction (so COMMIT then goes
// in a round trip of its own).
//
// If a flush fails (a constraint violation, a cancelled context, a dropped
// connection, a stale row), the transaction is rolled back and every object
// returns to its state when the transaction began, keeping the program's
// in-memory changes: fix the cause and commit again. What the failed flush
// filled in itself is taken back out: generated keys, and the values of
// retort.Default and retort.UpdateDefault (for a [Mapper] that is a
// [Stamper]). A panic inside a flush (in a hook, say) fails it the same
// way before it goes on to the caller, so that the transaction's
// connection returns to the pool. A hook that fails (or panics) after a
// COMMIT that travelled with the flush's statements fails nothing that
// was written: Commit reports it, and the objects stay committed, so that
// a retry does not insert them again. When the flush itself
// opened the transaction, as it does with [Run] or one Commit per unit of
// work, that is exactly the state before the flush.
//
// A query into a table the identity map holds nothing of yet (a new
// session's first query of it) does not look each row up: its rows' keys
// are put into the identity map once they are all read. A row whose object
// the session holds already is not decoded again (unless PopulateExisting):
// the driver reads its key alone.
//
// # Transactions
//
// The session opens its transaction at its first flush and keeps it until
// [Session.Commit] or [Session.Rollback]. Until then its queries run outside
// any transaction: for a read-modify-write that must see one snapshot (under
// SERIALIZABLE, say), call [Session.Begin] before reading. A Commit that fails
// while a savepoint is open rolls back only the savepoint: call Rollback. [Session.Begin] starts a nested
// transaction (a SAVEPOINT). [Run] commits or rolls back around a function.
// [Versioned] adds optimistic locking: an UPDATE or DELETE that matches no
// row fails the flush with an error matching [ErrStale].
//
// # Extending
//
// Relationships (package rel) plug in through [Relationship] and [Relate];
// class hierarchies (package inherit) through [Mapper] and [RegisterMapper].
// Hooks ([BeforeInsert], [AfterUpdate], ... and the [BeforeFlush] and
// [AfterFlush] options) run typed functions around writes.
//
// A Session is not safe for concurrent use (concurrent calls fail with
// [ErrConcurrentUse] where detected); give each goroutine its own session
// over one shared DB. See the package examples.
package session
