package session_test

import (
	"context"
	"strings"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// TestAddExpunged: an object Expunge detached while it had a row comes back
// persistent when added again, as in SQLAlchemy, and what changed while it
// was out is written as an UPDATE; if another object with its key entered
// the session meanwhile, Add says to Merge. Before, Add made it pending and
// the flush inserted its row a second time (a primary-key violation).
func TestAddExpunged(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		addAuthors(t, env.DB, "ann", "bob")
		s := session.New(env.DB)
		ann := authorNamed(t, s, "ann")
		s.Expunge(ann)
		if st := s.StatusOf(ann); st != session.Detached {
			t.Fatalf("after Expunge: %v", st)
		}
		ann.Email = ptr("ann@example.com")
		if err := session.Add(s, ann); err != nil {
			t.Fatal(err)
		}
		if st := s.StatusOf(ann); st != session.Persistent {
			t.Errorf("added back: %v, want persistent", st)
		}
		if got, err := session.Get(ctx, s, Authors, ann.ID); err != nil || got != ann {
			t.Errorf("Get after adding back = %p, %v; want the object %p", got, err, ann)
		}
		rec.take()
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("commit after adding back: %v", err)
		}
		if sql := strings.Join(rec.take(), "\n"); !strings.Contains(sql, `UPDATE "author"`) || strings.Contains(sql, "INSERT") {
			t.Errorf("commit sent, want an UPDATE and no INSERT:\n%s", sql)
		}
		if got, err := retort.Select(Authors).Where(AuthorName.Eq("ann")).One(ctx, env.DB); err != nil || got.Email == nil || *got.Email != "ann@example.com" || got.Version != 2 {
			t.Errorf("row = %+v, %v; want the email written at version 2", got, err)
		}

		// Expunging a deleted object cancels its delete; added back, it
		// is persistent and its row stays.
		bob := authorNamed(t, s, "bob")
		if err := session.Delete(s, bob); err != nil {
			t.Fatal(err)
		}
		s.Expunge(bob)
		if err := session.AddAll(s, bob); err != nil {
			t.Fatal(err)
		}
		if st := s.StatusOf(bob); st != session.Persistent {
			t.Errorf("deleted, expunged, added back: %v, want persistent", st)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := retort.Select(Authors).Count(ctx, env.DB); err != nil || n != 2 {
			t.Errorf("authors: %d, %v; want 2", n, err)
		}

		// Another object of its key entered meanwhile: Add refuses, and
		// Merge is the way.
		s.Expunge(ann)
		again := authorNamed(t, s, "ann")
		if again == ann {
			t.Fatal("a query after Expunge returned the expunged object")
		}
		err := session.Add(s, ann)
		if err == nil || !strings.Contains(err.Error(), "Merge") {
			t.Errorf("adding back over a newer object: %v, want an error saying to Merge", err)
		}
		if err := session.AddAll(s, ann); err == nil {
			t.Error("AddAll over a newer object: no error")
		}
		if st := s.StatusOf(ann); st != session.Detached {
			t.Errorf("the refused object is %v, want detached", st)
		}
	})
}

// TestExpungeRolledBack: an Expunge inside a transaction that rolls back
// is undone (the object is persistent again, and adding it is harmless),
// and an object expunged then added back inside a transaction that rolls
// back is left as the transaction found it.
func TestExpungeRolledBack(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		addAuthors(t, env.DB, "ann", "bob")
		s := session.New(env.DB)
		ann, bob := authorNamed(t, s, "ann"), authorNamed(t, s, "bob")
		bob.Email = ptr("b@x")
		if err := s.Flush(ctx); err != nil { // opens the transaction
			t.Fatal(err)
		}
		s.Expunge(ann)
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if st := s.StatusOf(ann); st != session.Persistent {
			t.Errorf("expunged in a rolled-back transaction: %v, want persistent", st)
		}
		if err := session.Add(s, ann); err != nil || s.StatusOf(ann) != session.Persistent {
			t.Errorf("adding it: %v, %v", err, s.StatusOf(ann))
		}
		if got, err := session.Get(ctx, s, Authors, ann.ID); err != nil || got != ann {
			t.Errorf("Get = %p, %v; want %p", got, err, ann)
		}
		bob.Email = ptr("b2@x")
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		s.Expunge(ann)
		if err := session.Add(s, ann); err != nil {
			t.Fatal(err)
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if st := s.StatusOf(ann); st != session.Persistent {
			t.Errorf("expunged and added back in a rolled-back transaction: %v, want persistent", st)
		}
		ann.Name = "anne"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := retort.Select(Authors).Where(AuthorName.Eq("anne")).Count(ctx, env.DB); err != nil || n != 1 {
			t.Errorf("rows named anne: %d, %v; want 1", n, err)
		}
	})
}
