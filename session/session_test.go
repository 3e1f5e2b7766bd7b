package session_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// recorder keeps the SQL of every round trip.
type recorder struct {
	mu  sync.Mutex
	sql []string
}

func (r *recorder) Trace(_ context.Context, ev retort.TraceEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sql = append(r.sql, ev.SQL)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.sql
	r.sql = nil
	return out
}

func runRecorded(t *testing.T, fn func(t *testing.T, env *dbtest.Env, rec *recorder)) {
	rec := &recorder{}
	dbtest.RunWith(t, dbtest.Options{Tracer: rec}, func(t *testing.T, env *dbtest.Env) {
		env.Create(t, tables...)
		rec.take()
		fn(t, env, rec)
	})
}

func TestIdentityMap(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		a := &Author{Name: "ann"}
		if err := session.Add(s, a); err != nil {
			t.Fatal(err)
		}
		if got := s.StatusOf(a); got != session.Pending {
			t.Errorf("status after Add = %v", got)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.Version != 1 {
			t.Fatalf("after commit: id %d version %d", a.ID, a.Version)
		}
		if got := s.StatusOf(a); got != session.Persistent {
			t.Errorf("status after Commit = %v", got)
		}
		env.Count.Reset()
		same, err := session.Get(ctx, s, Authors, a.ID)
		if err != nil || same != a {
			t.Fatalf("Get = %p, %v; want the same pointer %p", same, err, a)
		}
		// An int key for an int64 column is converted.
		same, err = session.Get(ctx, s, Authors, int(a.ID))
		if err != nil || same != a {
			t.Fatalf("Get with int key = %p, %v", same, err)
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("Get of a loaded object took %d round trips", n)
		}
		if _, err := session.Get(ctx, s, Authors, "x"); err == nil {
			t.Error("Get with a string key for an int64 column: want an error")
		}
		// A query returns the same pointer, and keeps unflushed changes.
		s2 := session.New(env.DB, session.Autoflush(false))
		first, err := session.One(ctx, s2, retort.Select(Authors).Where(AuthorName.Eq("ann")))
		if err != nil {
			t.Fatal(err)
		}
		first.Name = "changed in memory"
		again, err := session.All(ctx, s2, retort.Select(Authors))
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != 1 || again[0] != first || again[0].Name != "changed in memory" {
			t.Errorf("second query: %+v, want the same object with its change", again)
		}
		again, err = session.All(ctx, s2, retort.Select(Authors), session.PopulateExisting())
		if err != nil || again[0].Name != "ann" {
			t.Errorf("PopulateExisting: %+v %v", again, err)
		}
		if s2.IsModified(first) {
			t.Error("modified after PopulateExisting")
		}
		_, err = session.Get(ctx, s, Authors, int64(999))
		if !errors.Is(err, retort.ErrNoRows) {
			t.Errorf("Get of a missing row: %v", err)
		}
	})
}

func TestChangeTracking(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		a := &Author{Name: "ann", Email: ptr("a@x")}
		b := &Book{Author: a, Title: "One", Pages: 100}
		if err := session.Add(s, b); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		rec.take()
		// Nothing changed: nothing is sent.
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := rec.take(); len(got) != 0 {
			t.Errorf("commit with no changes sent %q", got)
		}
		b.Pages = 120
		*a.Email = "new@x" // changed through the pointer: still detected
		if d := s.Dirty(); len(d) != 2 {
			t.Errorf("Dirty() = %d objects, want 2", len(d))
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var updates []string
		for _, q := range rec.take() {
			for _, part := range strings.Split(q, ";\n") {
				if strings.HasPrefix(part, "UPDATE") || strings.HasPrefix(part, `WITH "retort_u"`) {
					updates = append(updates, part)
				}
			}
		}
		want := []string{
			`UPDATE "author" SET "email" = ?, "version" = ? WHERE "author"."id" = ? AND "author"."version" = ?`,
			`UPDATE "book" SET "pages" = ? WHERE "book"."id" = ?`,
		}
		if env.Dialect == retort.Postgres {
			// The server checks each UPDATE matched its row (so that COMMIT
			// can go in the same round trip): the statement fails otherwise.
			for i := range want {
				n := 0
				want[i] = replaceEach(want[i], "?", func() string { n++; return fmt.Sprintf("$%d", n) })
				want[i] = `WITH "retort_u" AS (` + want[i] + ` RETURNING 1) SELECT CASE WHEN count(*) = 1 THEN 1 ELSE ($` +
					fmt.Sprint(n+1) + `::text || count(*))::int END FROM "retort_u"`
			}
		}
		if diff := cmp.Diff(want, updates); diff != "" {
			t.Errorf("updates set only the changed columns (-want +got):\n%s", diff)
		}
		if a.Version != 2 {
			t.Errorf("version = %d, want 2", a.Version)
		}
		fresh := session.New(env.DB)
		got, err := session.Get(ctx, fresh, Books, b.ID)
		if err != nil || got.Pages != 120 || got.AuthorID != a.ID {
			t.Errorf("reloaded book: %+v %v", got, err)
		}
	})
}

func replaceEach(s, old string, next func() string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(next())
		s = s[i+len(old):]
	}
}

func TestDeleteAndStates(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		var books []*Book
		a := &Author{Name: "ann"}
		for i := range 5 {
			books = append(books, &Book{Author: a, Title: fmt.Sprint("b", i)})
		}
		if err := session.AddAll(s, books...); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for _, b := range books[:3] {
			if err := session.Delete(s, b); err != nil {
				t.Fatal(err)
			}
		}
		if got := s.StatusOf(books[0]); got != session.Deleted {
			t.Errorf("status = %v", got)
		}
		// Deleting a pending object just forgets it.
		p := &Book{Author: a, Title: "never"}
		_ = session.Add(s, p)
		_ = session.Delete(s, p)
		if s.Contains(p) {
			t.Error("deleted pending object still in the session")
		}
		rec.take()
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		deletes := 0
		for _, q := range rec.take() {
			deletes += strings.Count(q, "DELETE FROM")
		}
		if deletes != 1 {
			t.Errorf("%d DELETE statements for 3 rows, want 1", deletes)
		}
		if got := s.StatusOf(books[0]); got != session.Detached {
			t.Errorf("status after commit = %v, want detached", got)
		}
		n, err := retort.Select(Books).Count(ctx, env.DB)
		if err != nil || n != 2 {
			t.Errorf("%d books left, %v", n, err)
		}
		// Expunge: changes are no longer tracked.
		books[3].Title = "ignored"
		s.Expunge(books[3])
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		got, _ := session.Get(ctx, session.New(env.DB), Books, books[3].ID)
		if got.Title != "b3" {
			t.Errorf("expunged change was written: %q", got.Title)
		}
		// Merge brings the detached copy back and copies its values.
		merged, err := session.Merge(ctx, s, books[3])
		if err != nil || merged == books[3] || merged.Title != "ignored" {
			t.Fatalf("Merge = %+v, %v", merged, err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		got, _ = session.Get(ctx, session.New(env.DB), Books, books[3].ID)
		if got.Title != "ignored" {
			t.Errorf("merged change not written: %q", got.Title)
		}
		// Refresh discards in-memory changes.
		merged.Title = "scratch"
		if err := session.Refresh(ctx, s, merged); err != nil || merged.Title != "ignored" || s.IsModified(merged) {
			t.Errorf("Refresh: %q %v", merged.Title, err)
		}
	})
}

func TestAutoflushRoundTrips(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		for i := range 3 {
			_ = session.Add(s, &Author{Name: fmt.Sprint("a", i)})
		}
		env.Count.Reset()
		got, err := session.All(ctx, s, retort.Select(Authors).OrderBy(AuthorName.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].ID == 0 {
			t.Fatalf("autoflushed query returned %+v", got)
		}
		if env.Dialect == retort.Postgres {
			// BEGIN, the insert and the query in one batch.
			if n := env.Count.RoundTrips(); n != 1 {
				t.Errorf("round trips = %d, want 1 (BEGIN, flush and query together)", n)
			}
		}
		// The query's rows are the objects that were added.
		names := s.New()
		if len(names) != 0 {
			t.Errorf("still pending after autoflush: %d", len(names))
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		// Rolled back: the objects are pending again, without keys.
		if got[0].ID != 0 || s.StatusOf(got[0]) != session.Pending {
			t.Errorf("after rollback: id %d status %v", got[0].ID, s.StatusOf(got[0]))
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := retort.Select(Authors).Count(ctx, env.DB); n != 3 {
			t.Errorf("after retry: %d rows", n)
		}
		// Autoflush off: the query does not see pending objects.
		s2 := session.New(env.DB, session.Autoflush(false))
		_ = session.Add(s2, &Author{Name: "late"})
		all, err := session.All(ctx, s2, retort.Select(Authors))
		if err != nil || len(all) != 3 {
			t.Errorf("autoflush off: %d rows, %v", len(all), err)
		}
	})
}

func TestCascadeOrder(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		var books []*Book
		for i := range 10 {
			a := &Author{Name: fmt.Sprint("author", i)}
			books = append(books, &Book{Author: a, Title: "t"}, &Book{Author: a, Title: "u"})
		}
		// Only the books are added: the authors cascade in, and go first.
		if err := session.AddAll(s, books...); err != nil {
			t.Fatal(err)
		}
		env.Count.Reset()
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if env.Dialect == retort.Postgres {
			// BEGIN with the authors (the books need their keys), then the
			// books with COMMIT.
			if n := env.Count.RoundTrips(); n != 2 {
				t.Errorf("round trips = %d, want 2", n)
			}
		}
		for _, b := range books {
			if b.AuthorID == 0 || b.AuthorID != b.Author.ID {
				t.Fatalf("book %+v: foreign key not filled from its author", b)
			}
		}
		// Deleting an author and its books in one flush deletes the books first.
		for _, b := range books[:2] {
			_ = session.Delete(s, b)
		}
		_ = session.Delete(s, books[0].Author)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := retort.Select(Books).Count(ctx, env.DB); n != 18 {
			t.Errorf("%d books, want 18", n)
		}
	})
}

func TestSelfReference(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		root := &Node{Name: "root"}
		a := &Node{Name: "a", Parent: root}
		b := &Node{Name: "b", Parent: a}
		c := &Node{Name: "c", Parent: root}
		// Added leaf first: the flush must still write parents first.
		if err := session.AddAll(s, b, c, a, root); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if *b.ParentID != a.ID || *a.ParentID != root.ID || root.ParentID != nil {
			t.Errorf("parents: b->%d (a=%d), a->%d (root=%d)", *b.ParentID, a.ID, *a.ParentID, root.ID)
		}
		// A cycle within one flush cannot be written and says so.
		x := &Node{Name: "x"}
		y := &Node{Name: "y", Parent: x}
		x.Parent = y
		_ = session.Add(s, x)
		err := s.Commit(ctx)
		if err == nil || !strings.Contains(err.Error(), "cycle") {
			t.Errorf("cycle: %v", err)
		}
		if x.ID != 0 || y.ID != 0 {
			t.Errorf("keys left after a failed flush: %d %d", x.ID, y.ID)
		}
	})
}

func TestOptimisticLocking(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s0 := session.New(env.DB)
		_ = session.Add(s0, &Author{Name: "shared"})
		if err := s0.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		s1, s2 := session.New(env.DB), session.New(env.DB)
		a1, err := session.One(ctx, s1, retort.Select(Authors).Where(AuthorName.Eq("shared")))
		if err != nil {
			t.Fatal(err)
		}
		a2, err := session.One(ctx, s2, retort.Select(Authors).Where(AuthorName.Eq("shared")))
		if err != nil {
			t.Fatal(err)
		}
		if err := s1.Commit(ctx); err != nil { // end s1's read
			t.Fatal(err)
		}
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		a1.Email = ptr("one@x")
		if err := s1.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		a2.Email = ptr("two@x")
		extra := &Author{Name: "written only with a2"}
		_ = session.Add(s2, extra)
		err = s2.Commit(ctx)
		if !errors.Is(err, session.ErrStale) {
			t.Fatalf("stale update: %v, want ErrStale", err)
		}
		var se *session.StaleError
		if !errors.As(err, &se) || se.Key.Table != "author" || se.Key.Int != a2.ID || se.Op != "update" || se.Matched != 0 || se.Expected != 1 {
			t.Errorf("StaleError: %#v", se)
		}
		if n, _ := retort.Select(Authors).Where(AuthorName.Eq(extra.Name)).Count(ctx, env.DB); n != 0 {
			t.Error("the rest of a stale flush was written")
		}
		if extra.ID != 0 || s2.StatusOf(extra) != session.Pending || a2.Version != 1 {
			t.Errorf("after stale flush: extra id %d status %v, a2 version %d", extra.ID, s2.StatusOf(extra), a2.Version)
		}
		// Refresh and retry.
		if err := session.Refresh(ctx, s2, a2); err != nil {
			t.Fatal(err)
		}
		a2.Email = ptr("two@x")
		if err := s2.Commit(ctx); err != nil {
			t.Fatalf("retry: %v", err)
		}
		if a2.Version != 3 {
			t.Errorf("version = %d, want 3", a2.Version)
		}
		// A stale delete fails too.
		a1.Name = "x"
		_ = session.Delete(s1, a1)
		if err := s1.Commit(ctx); !errors.Is(err, session.ErrStale) {
			t.Errorf("stale delete: %v", err)
		}
	})
}

func TestSavepoints(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		kept := &Author{Name: "kept"}
		_ = session.Add(s, kept)
		sp, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		undone := &Author{Name: "undone"}
		_ = session.Add(s, undone)
		kept.Email = ptr("changed in savepoint")
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if err := sp.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if s.Contains(undone) || undone.ID != 0 {
			t.Errorf("object added inside a rolled-back savepoint: in session %v, id %d", s.Contains(undone), undone.ID)
		}
		if !s.IsModified(kept) {
			t.Error("change rolled back with the savepoint should be pending again")
		}
		sp2, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_ = session.Add(s, &Author{Name: "released"})
		if err := sp2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var names []string
		all, _ := retort.Select(Authors).OrderBy(AuthorName.Asc()).All(ctx, env.DB)
		for _, a := range all {
			names = append(names, a.Name)
		}
		if diff := cmp.Diff([]string{"kept", "released"}, names); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if all[0].Email == nil || *all[0].Email != "changed in savepoint" {
			t.Errorf("change re-sent after the savepoint rollback: %v", all[0].Email)
		}
	})
}

func TestHooks(t *testing.T) {
	var mu sync.Mutex
	var events []string
	log := func(e string) { mu.Lock(); events = append(events, e); mu.Unlock() }
	session.BeforeInsert(Nodes, func(ctx context.Context, n *Node) error {
		if n.Name == "forbidden" {
			return errors.New("no forbidden nodes")
		}
		n.Name = strings.ToUpper(n.Name)
		log("before insert " + n.Name)
		return nil
	})
	session.AfterInsert(Nodes, func(ctx context.Context, n *Node) error {
		log(fmt.Sprintf("after insert %s has key %v", n.Name, n.ID != 0))
		return nil
	})
	session.BeforeUpdate(Nodes, func(ctx context.Context, n *Node) error { log("before update " + n.Name); return nil })
	session.AfterDelete(Nodes, func(ctx context.Context, n *Node) error { log("after delete " + n.Name); return nil })
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		events = nil
		ctx := context.Background()
		flushes := 0
		s := session.New(env.DB, session.AfterFlush(func(context.Context, *session.Session) error { flushes++; return nil }))
		n := &Node{Name: "leaf"}
		_ = session.Add(s, n)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		n.Name = "renamed"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		_ = session.Delete(s, n)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		want := []string{"before insert LEAF", "after insert LEAF has key true", "before update renamed", "after delete renamed"}
		if diff := cmp.Diff(want, events); diff != "" {
			t.Errorf("hooks (-want +got):\n%s", diff)
		}
		if flushes != 3 {
			t.Errorf("after-flush ran %d times", flushes)
		}
		bad := &Node{Name: "forbidden"}
		_ = session.Add(s, bad)
		if err := s.Commit(ctx); err == nil || !strings.Contains(err.Error(), "no forbidden nodes") {
			t.Errorf("hook error: %v", err)
		}
	})
}

func TestFailedFlushRetry(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		_ = session.Add(s, &Author{Name: "taken"})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		loaded, _ := session.One(ctx, s, retort.Select(Authors))
		loaded.Email = ptr("pending change")
		a := &Author{Name: "fresh"}
		dup := &Author{Name: "taken"}
		books := []*Book{{Author: a, Title: "x"}, {Author: dup, Title: "y"}}
		_ = session.AddAll(s, books...)
		before := snapshotSession(s)

		check := func(cause string, err error) {
			t.Helper()
			if err == nil {
				t.Fatalf("%s: flush succeeded", cause)
			}
			if diff := cmp.Diff(before, snapshotSession(s)); diff != "" {
				t.Errorf("%s: session changed by a failed flush (-before +after):\n%s", cause, diff)
			}
			if a.ID != 0 || books[0].ID != 0 || books[0].AuthorID != 0 && books[0].AuthorID == a.ID {
				t.Errorf("%s: generated keys left behind: author %d book %d", cause, a.ID, books[0].ID)
			}
			fresh := session.New(env.DB)
			n, _ := retort.Select(Authors).Count(ctx, fresh.DB())
			m, _ := retort.Select(Books).Count(ctx, fresh.DB())
			if n != 1 || m != 0 {
				t.Errorf("%s: partial write: %d authors, %d books", cause, n, m)
			}
		}

		// 1. A unique violation.
		check("unique violation", s.Commit(ctx))

		// 2. A cancelled context.
		dup.Name = "fixed"
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		before = snapshotSession(s)
		err := s.Commit(cctx)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled: %v, want context.Canceled", err)
		}
		check("cancelled context", err)

		// 3. (PostgreSQL) the connection dropped mid-transaction.
		if env.Dialect == retort.Postgres {
			if err := s.Flush(ctx); err != nil { // open the transaction, write
				t.Fatal(err)
			}
			var pid int32
			rows, err := s.DB().Query(ctx, "SELECT pg_backend_pid()")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				_ = rows.Scan(&pid)
			}
			rows.Close()
			if _, err := env.DB.Exec(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
				t.Fatal(err)
			}
			loaded.Name = "after drop"
			err = s.Commit(ctx)
			if err == nil {
				t.Fatal("commit on a dropped connection succeeded")
			}
			// Everything the dropped transaction wrote is pending again (the
			// author, which came in by cascade, comes back with its book).
			if a.ID != 0 || books[0].ID != 0 || s.StatusOf(books[0]) != session.Pending {
				t.Errorf("after drop: author id %d, book id %d status %v", a.ID, books[0].ID, s.StatusOf(books[0]))
			}
		}

		// Retry once the cause is gone.
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("retry: %v", err)
		}
		if a.ID == 0 || books[1].AuthorID != dup.ID {
			t.Errorf("after retry: %+v %+v", a, books[1])
		}
		n, _ := retort.Select(Books).Count(ctx, env.DB)
		if n != 2 {
			t.Errorf("%d books after retry", n)
		}
		got, _ := session.Get(ctx, session.New(env.DB), Authors, loaded.ID)
		if got.Email == nil || *got.Email != "pending change" {
			t.Errorf("the persistent object's change was lost: %+v", got)
		}
	})
}

// snapshotSession describes every object's status and column values.
func snapshotSession(s *session.Session) []string {
	var out []string
	for _, o := range append(append(s.New(), s.Dirty()...), s.Deleted()...) {
		out = append(out, fmt.Sprintf("%v %+v", s.StatusOf(o), describe(o)))
	}
	return out
}

func describe(o any) string {
	switch v := o.(type) {
	case *Author:
		e := "<nil>"
		if v.Email != nil {
			e = *v.Email
		}
		return fmt.Sprintf("author{%d %s %s v%d}", v.ID, v.Name, e, v.Version)
	case *Book:
		return fmt.Sprintf("book{%d a%d %s}", v.ID, v.AuthorID, v.Title)
	}
	return fmt.Sprint(o)
}

func TestConcurrentSessions(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		const workers, each = 8, 20
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- session.Run(ctx, env.DB, func(s *session.Session) error {
					for i := range each {
						a := &Author{Name: fmt.Sprintf("w%d-%d", w, i)}
						if err := session.Add(s, &Book{Author: a, Title: "t"}); err != nil {
							return err
						}
						if i%5 == 4 {
							if _, err := session.All(ctx, s, retort.Select(Authors).Where(AuthorName.Eq(a.Name))); err != nil {
								return err
							}
						}
					}
					return nil
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if n, _ := retort.Select(Books).Count(ctx, env.DB); n != workers*each {
			t.Errorf("%d books, want %d", n, workers*each)
		}
		// Misuse is detected: a session used by two goroutines at once.
		s := session.New(env.DB)
		start := make(chan struct{})
		var misuse sync.WaitGroup
		var detected sync.Once
		found := false
		for range 4 {
			misuse.Add(1)
			go func() {
				defer misuse.Done()
				<-start
				for range 200 {
					if err := session.Add(s, &Author{Name: "x"}); errors.Is(err, session.ErrConcurrentUse) {
						detected.Do(func() { found = true })
					}
				}
			}()
		}
		close(start)
		misuse.Wait()
		_ = found // detection is best effort: it depends on the goroutines overlapping
	})
}

// An update's COMMIT travels with the UPDATE on PostgreSQL: the server
// checks that the row matched, so the client need not see the count first.
// A unit of work that loads a row and changes it costs two round trips on
// both databases.
func TestUpdateCommitsInOneRoundTrip(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s0 := session.New(env.DB)
		_ = session.Add(s0, &Book{Author: &Author{Name: "rt"}, Title: "t", Pages: 1})
		if err := s0.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		env.Count.Reset()
		s := session.New(env.DB)
		b, err := session.One(ctx, s, retort.Select(Books).Where(BookTitle.Eq("t")))
		if err != nil {
			t.Fatal(err)
		}
		b.Pages = 2
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		// The SELECT, then the UPDATE alone: one statement needs no BEGIN
		// and COMMIT (TestLoneUpdate shows what is sent).
		want := int64(2)
		if got := env.Count.RoundTrips(); got != want {
			t.Errorf("load, change, commit: %d round trips, want %d", got, want)
		}
		got, err := retort.Select(Books).Where(BookTitle.Eq("t")).One(ctx, env.DB)
		if err != nil || got.Pages != 2 {
			t.Errorf("after commit: %+v %v", got, err)
		}
	})
}

// AddAll refuses a nil object before adding any.
func TestAddAllNil(t *testing.T) {
	s := session.New(nil)
	a := &Author{Name: "first"}
	err := session.AddAll(s, a, nil)
	if err == nil || !strings.Contains(err.Error(), "object 1 of 2 is nil") {
		t.Errorf("AddAll with a nil object: %v", err)
	}
	if s.Contains(a) || s.Len() != 0 {
		t.Errorf("AddAll added objects before refusing: contains %v, len %d", s.Contains(a), s.Len())
	}
}

// The UPDATE text is made once per set of changed columns: a second update
// of the same columns reuses it with new arguments, another set gets its own.
func TestUpdateTextReused(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		a := &Author{Name: "reuse"}
		_ = session.Add(s, a)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		rec.take()
		var texts []string
		for i, change := range []func(){
			func() { a.Email = ptr("one@x") },
			func() { a.Email = ptr("two@x") },
			func() { a.Name = "renamed" },
			func() { a.Email = nil },
		} {
			change()
			if err := s.Commit(ctx); err != nil {
				t.Fatalf("commit %d: %v", i, err)
			}
			for _, q := range rec.take() {
				for _, part := range strings.Split(q, ";\n") {
					if strings.Contains(part, "UPDATE") {
						texts = append(texts, part)
					}
				}
			}
		}
		if len(texts) != 4 || texts[0] != texts[1] || texts[1] == texts[2] || texts[3] != texts[0] {
			t.Errorf("UPDATE texts: %q", texts)
		}
		got, err := retort.Select(Authors).Where(AuthorID.Eq(a.ID)).One(ctx, env.DB)
		if err != nil || got.Name != "renamed" || got.Email != nil || got.Version != 5 || a.Version != 5 {
			t.Errorf("row %+v (%v), object version %d; want renamed, NULL email, version 5", got, err, a.Version)
		}
	})
}

// An UPDATE that is its transaction's only statement runs alone, as a plain
// UPDATE whose row count the client checks (on PostgreSQL too, where an
// UPDATE travelling with COMMIT is wrapped for the server to check): a
// stale one still fails with ErrStale and changes nothing. Two UPDATEs
// travel wrapped, with BEGIN and COMMIT, in one round trip.
func TestLoneUpdate(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		addAuthors(t, env.DB, "lone", "other")
		s1, s2 := session.New(env.DB), session.New(env.DB)
		a1, a2 := authorNamed(t, s1, "lone"), authorNamed(t, s2, "lone")
		rec.take()
		env.Count.Reset()
		a1.Email = ptr("one@x")
		if err := s1.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		sent := rec.take()
		if len(sent) != 1 || !strings.HasPrefix(sent[0], "UPDATE ") || env.Count.RoundTrips() != 1 {
			t.Errorf("a lone update sent %q in %d round trips; want one plain UPDATE", sent, env.Count.RoundTrips())
		}

		a2.Email = ptr("two@x")
		err := s2.Commit(ctx)
		var se *session.StaleError
		if !errors.As(err, &se) || se.Key.Int != a2.ID || se.Matched != 0 || se.Expected != 1 {
			t.Fatalf("a stale lone update: %v; want a StaleError for %d matching 0 rows", err, a2.ID)
		}
		if !errors.Is(err, session.ErrStale) || a2.Version != 1 || !s2.IsModified(a2) {
			t.Errorf("after the stale update: %v, version %d, modified %v", err, a2.Version, s2.IsModified(a2))
		}
		got, err := retort.Select(Authors).Where(AuthorName.Eq("lone")).One(ctx, env.DB)
		if err != nil || got.Email == nil || *got.Email != "one@x" || got.Version != 2 {
			t.Errorf("the row after the stale update: %+v, %v", got, err)
		}

		s3 := session.New(env.DB)
		b1, b2 := authorNamed(t, s3, "lone"), authorNamed(t, s3, "other")
		b1.Email, b2.Email = ptr("b1@x"), ptr("b2@x")
		rec.take()
		env.Count.Reset()
		if err := s3.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		sent = rec.take()
		if env.Dialect == retort.Postgres {
			if len(sent) == 1 {
				sent = strings.Split(sent[0], ";\n") // a batch is traced as one event
			}
			if len(sent) != 4 || sent[0] != "BEGIN" || !strings.HasPrefix(sent[1], "WITH ") || sent[3] != "COMMIT" || env.Count.RoundTrips() != 1 {
				t.Errorf("two updates sent %q in %d round trips; want BEGIN, two checked UPDATEs, COMMIT in one", sent, env.Count.RoundTrips())
			}
		}
	})
}

// A commit of a single DELETE runs it alone, in one round trip on both
// databases; a stale one fails with ErrStale and deletes nothing. A DELETE
// with other statements is checked by the server on PostgreSQL, so COMMIT
// goes in the same round trip (before, a round trip of its own: 2).
func TestLoneDelete(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		addAuthors(t, env.DB, "gone", "stale", "kept")
		count := func() int64 {
			t.Helper()
			n, err := retort.Select(Authors).Count(ctx, env.DB)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}

		s1 := session.New(env.DB)
		_ = session.Delete(s1, authorNamed(t, s1, "gone"))
		rec.take()
		env.Count.Reset()
		if err := s1.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if sent := rec.take(); len(sent) != 1 || !strings.HasPrefix(sent[0], "DELETE ") || env.Count.RoundTrips() != 1 {
			t.Errorf("a lone delete sent %q in %d round trips; want one DELETE", sent, env.Count.RoundTrips())
		}
		if n := count(); n != 2 {
			t.Errorf("%d rows after the delete, want 2", n)
		}

		s2, s3 := session.New(env.DB), session.New(env.DB)
		old, fresh := authorNamed(t, s2, "stale"), authorNamed(t, s3, "stale")
		fresh.Email = ptr("changed")
		if err := s3.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		_ = session.Delete(s2, old)
		err := s2.Commit(ctx)
		var se *session.StaleError
		if !errors.As(err, &se) || se.Op != "delete" || se.Key.Int != old.ID || se.Matched != 0 {
			t.Fatalf("a stale lone delete: %v; want a StaleError for %d", err, old.ID)
		}
		if n := count(); n != 2 {
			t.Errorf("%d rows after the stale delete, want 2", n)
		}

		s4 := session.New(env.DB)
		kept, stale := authorNamed(t, s4, "kept"), authorNamed(t, s4, "stale")
		_ = session.Delete(s4, stale)
		kept.Email = ptr("k@x")
		rec.take()
		env.Count.Reset()
		if err := s4.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		want := int64(1)
		if env.Dialect == retort.SQLite {
			want = 4 // BEGIN, the UPDATE, the DELETE, COMMIT: statements
		}
		if got := env.Count.RoundTrips(); got != want {
			t.Errorf("a delete and an update: %d round trips (%q), want %d", got, rec.take(), want)
		}
		if n := count(); n != 1 {
			t.Errorf("%d rows at the end, want 1", n)
		}
	})
}

// addAuthors commits authors of the given names, in a session of their own.
func addAuthors(t *testing.T, db retort.DB, names ...string) {
	t.Helper()
	s := session.New(db)
	for _, n := range names {
		if err := session.Add(s, &Author{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// authorNamed loads the author called name into s.
func authorNamed(t *testing.T, s *session.Session, name string) *Author {
	t.Helper()
	a, err := session.One(context.Background(), s, retort.Select(Authors).Where(AuthorName.Eq(name)))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// closeProbe is a table whose BeforeInsert hook waits while a test holds
// the flush (closeHold).
type closeProbe struct {
	ID   int64
	Name string
}

var (
	closeProbes = retort.NewTable[closeProbe]("close_probe")
	_           = retort.Col(closeProbes, "id", func(p *closeProbe) *int64 { return &p.ID }, retort.PrimaryKey())
	_           = retort.Col(closeProbes, "name", func(p *closeProbe) *string { return &p.Name })
	closeHold   atomic.Pointer[[2]chan struct{}] // entered, release
	_           = func() bool {
		session.BeforeInsert(closeProbes, func(context.Context, *closeProbe) error {
			if h := closeHold.Load(); h != nil {
				close(h[0])
				<-h[1]
			}
			return nil
		})
		return true
	}()
)

// Close while another goroutine's Commit runs changes nothing and says so;
// before, it emptied the session under the flush, which then crashed on a
// nil pointer.
func TestCloseDuringCommit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, closeProbes)
		hold := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
		closeHold.Store(&hold)
		defer closeHold.Store(nil)
		s := session.New(env.DB)
		p := &closeProbe{Name: "closing"}
		if err := session.Add(s, p); err != nil {
			t.Fatal(err)
		}
		done := make(chan error)
		go func() { done <- s.Commit(ctx) }()
		<-hold[0]
		if err := s.Close(ctx); !errors.Is(err, session.ErrConcurrentUse) {
			t.Errorf("Close during Commit: %v, want ErrConcurrentUse", err)
		}
		close(hold[1])
		if err := <-done; err != nil {
			t.Fatalf("commit: %v", err)
		}
		if st := s.StatusOf(p); st != session.Persistent || p.ID == 0 {
			t.Errorf("after the commit: %v, key %d", st, p.ID)
		}
		if err := s.Close(ctx); err != nil {
			t.Errorf("Close after the commit: %v", err)
		}
		if n, err := retort.Select(closeProbes).Count(ctx, env.DB); err != nil || n != 1 {
			t.Errorf("%d rows, %v; want 1", n, err)
		}
	})
}

type keyless struct{ Note string }

var (
	keylessTable = retort.NewTable[keyless]("keyless")
	_            = retort.Col(keylessTable, "note", func(k *keyless) *string { return &k.Note })
)

// A table without a primary key cannot be used through a session, which
// could neither update its rows nor know an object inserted (before, a
// commit inserted the row, then failed for want of a key, and every retry
// inserted it again); the statements work on it.
func TestTableWithoutKey(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, keylessTable)
		s := session.New(env.DB)
		err := session.Add(s, &keyless{Note: "a"})
		if err == nil || !strings.Contains(err.Error(), `table "keyless" has no primary key`) {
			t.Fatalf("Add: %v, want an error naming the table", err)
		}
		if _, err := session.All(ctx, s, retort.Select(keylessTable)); err == nil {
			t.Error("a session query of a table without a key succeeded")
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := retort.Insert(keylessTable, &keyless{Note: "b"}).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if n, err := retort.Select(keylessTable).Count(ctx, env.DB); err != nil || n != 1 {
			t.Errorf("%d rows, %v; want 1", n, err)
		}
	})
}

// Adding back an object whose DELETE a flush of the open transaction sent
// is an error, with Add and AddAll; before, Add returned nil and did
// nothing, and the commit deleted the row with the program's edit. Before
// the flush, Add un-deletes, and again after a Rollback.
func TestAddAfterFlushedDelete(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Authors, Books)
		s := session.New(env.DB)
		a, b := &Author{Name: "kept"}, &Author{Name: "gone"}
		if err := session.AddAll(s, a, b); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := session.Delete(s, a); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, a); err != nil || s.StatusOf(a) != session.Persistent {
			t.Fatalf("un-delete before the flush: %v, %v", err, s.StatusOf(a))
		}
		if err := session.Delete(s, a); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		a.Name = "edited"
		for name, add := range map[string]func() error{
			"Add":    func() error { return session.Add(s, a) },
			"AddAll": func() error { return session.AddAll(s, b, a) },
		} {
			err := add()
			if err == nil || !strings.Contains(err.Error(), "deleted by a flush of the open transaction") {
				t.Errorf("%s after the flushed delete: %v, want an error", name, err)
			}
		}
		if st := s.StatusOf(a); st != session.Deleted {
			t.Errorf("status %v, want deleted", st)
		}
		// Rollback takes the object back to its state when the transaction
		// began: marked for deletion, which Add undoes.
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, a); err != nil || s.StatusOf(a) != session.Persistent {
			t.Errorf("Add after Rollback: %v, %v; want persistent", err, s.StatusOf(a))
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := retort.Select(Authors).Where(AuthorID.Eq(a.ID)).One(ctx, env.DB)
		if err != nil || got.Name != "edited" {
			t.Errorf("stored %v, %v; want the edited row", got, err)
		}
	})
}
