package session_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// narrowBook reads table book with pages as an int8: a row of more than
// 127 pages does not scan.
type narrowBook struct {
	ID    int64
	Pages int8
}

var (
	narrowBooks = retort.NewTable[narrowBook]("book")
	narrowID    = retort.Col(narrowBooks, "id", func(b *narrowBook) *int64 { return &b.ID }, retort.PrimaryKey())
	_           = retort.Col(narrowBooks, "pages", func(b *narrowBook) *int8 { return &b.Pages })
)

// A query in a new session takes its rows without looking each one up in
// the identity map (nothing of the table is there yet). The identity map
// still holds one object per row: a row the query returns twice (a join)
// is one object, tracked once, and a later query or Get finds it.
func TestQueryNewSessionDuplicateRows(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		ann, bob := &Author{Name: "ann"}, &Author{Name: "bob"}
		books := []*Book{{Title: "a1", Author: ann}, {Title: "b1", Author: bob}, {Title: "a2", Author: ann}}
		s := session.New(env.DB)
		if err := session.AddAll(s, books...); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}

		s2 := session.New(env.DB)
		got, err := session.All(ctx, s2, retort.Select(Authors).JoinFK(Books).OrderBy(BookID.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range got {
			names = append(names, a.Name)
		}
		if diff := cmp.Diff([]string{"ann", "bob", "ann"}, names); diff != "" {
			t.Fatalf("authors by book (-want +got):\n%s", diff)
		}
		if got[0] != got[2] || got[0] == got[1] {
			t.Fatalf("ann's two rows are %p and %p, bob's %p: want one object for ann", got[0], got[2], got[1])
		}
		if n := s2.Len(); n != 2 {
			t.Errorf("session holds %d objects, want 2", n)
		}
		env.Count.Reset()
		if a, err := session.Get(ctx, s2, Authors, ann.ID); err != nil || a != got[0] {
			t.Errorf("Get(ann) = %p, %v; want %p", a, err, got[0])
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("Get of a loaded row took %d round trips", n)
		}
		again, err := session.All(ctx, s2, retort.Select(Authors).OrderBy(AuthorID.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*Author{got[0], got[1]}, again); diff != "" {
			t.Errorf("second query (-want +got):\n%s", diff)
		}
		// The object is flushed once.
		got[0].Name = "ann 2"
		rec.take()
		if err := s2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		updates := 0
		for _, q := range rec.take() {
			updates += strings.Count(q, "UPDATE")
		}
		if updates != 1 {
			t.Errorf("commit sent %d UPDATEs, want 1", updates)
		}
		check, err := session.Get(ctx, session.New(env.DB), Authors, ann.ID)
		if err != nil || check.Name != "ann 2" {
			t.Errorf("ann after commit: %+v, %v", check, err)
		}
	})
}

// A row that does not scan stops a query in a new session with an error;
// the rows before it stay in the session, found by key without SQL.
func TestQueryNewSessionScanError(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		_, books := annsBooks(t, env.DB, 10, 20, 1000)
		s2 := session.New(env.DB)
		got, err := session.All(ctx, s2, retort.Select(narrowBooks).OrderBy(narrowID.Asc()))
		if err == nil || !strings.Contains(err.Error(), "pages") {
			t.Fatalf("All = %v, %v; want an error naming column pages", got, err)
		}
		if n := s2.Len(); n != 2 {
			t.Errorf("session holds %d objects, want the 2 rows read", n)
		}
		env.Count.Reset()
		for _, b := range books[:2] {
			nb, err := session.Get(ctx, s2, narrowBooks, b.ID)
			if err != nil || nb.ID != b.ID || int32(nb.Pages) != b.Pages {
				t.Errorf("Get(%d) = %+v, %v", b.ID, nb, err)
			}
		}
		if n := env.Count.RoundTrips(); n != 0 {
			t.Errorf("Get of the rows read took %d round trips", n)
		}
	})
}

// A row whose object the session holds is not decoded again (the driver
// reads its key alone): a row changed since so that it no longer scans
// comes back as the object held, with the values it was loaded with.
// PopulateExisting decodes every row, and so fails on it.
func TestQueryLoadedRowsNotDecoded(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s, books := annsBooks(t, env.DB, 10, 20)
		a := books[0].Author
		s2 := session.New(env.DB)
		q := retort.Select(narrowBooks).OrderBy(narrowID.Asc())
		first, err := session.All(ctx, s2, q)
		if err != nil || len(first) != 2 {
			t.Fatalf("first query: %v, %v", first, err)
		}
		// Book 2 grows past what an int8 holds; a new book arrives.
		books[1].Pages = 1000
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, &Book{Title: "3", Pages: 30, Author: a}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		again, err := session.All(ctx, s2, q)
		if err != nil {
			t.Fatalf("second query: %v", err)
		}
		if len(again) != 3 || again[0] != first[0] || again[1] != first[1] || again[1].Pages != 20 || again[2].Pages != 30 {
			t.Errorf("second query: %+v; want the two held objects as loaded, then book 3", again)
		}
		if _, err := session.All(ctx, s2, q, session.PopulateExisting()); err == nil || !strings.Contains(err.Error(), "pages") {
			t.Errorf("PopulateExisting over a row that does not scan: %v; want an error naming pages", err)
		}
	})
}

// annsBooks commits books of the given page counts, titled "1", "2" and so
// on, all by one author, and returns the session that holds them.
func annsBooks(t *testing.T, db retort.DB, pages ...int32) (*session.Session, []*Book) {
	t.Helper()
	s := session.New(db)
	a := &Author{Name: "ann"}
	var books []*Book
	for i, p := range pages {
		books = append(books, &Book{Title: fmt.Sprint(i + 1), Pages: p, Author: a})
	}
	if err := session.AddAll(s, books...); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, books
}
