package session_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// seedAuthors commits authors with these names (email name@x) through a
// session of their own and returns them by name.
func seedAuthors(t *testing.T, db retort.DB, names ...string) {
	t.Helper()
	ctx := context.Background()
	s := session.New(db)
	for _, n := range names {
		if err := session.Add(s, &Author{Name: n, Email: ptr(n + "@x")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// authorRows reads every author's name and email from the database.
func authorRows(t *testing.T, db retort.DB) map[string]string {
	t.Helper()
	all, err := retort.Select(Authors).All(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, a := range all {
		out[a.Name] = "<nil>"
		if a.Email != nil {
			out[a.Name] = *a.Email
		}
	}
	return out
}

// loadAuthors loads the authors of these names into s, by name.
func loadAuthors(t *testing.T, s *session.Session, names ...string) map[string]*Author {
	t.Helper()
	got, err := session.All(context.Background(), s, retort.Select(Authors).Where(AuthorName.In(names...)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*Author{}
	for _, a := range got {
		out[a.Name] = a
	}
	if len(out) != len(names) {
		t.Fatalf("loaded %d authors, want %d", len(out), len(names))
	}
	return out
}

// An UPDATE through the session changes its rows in the session's
// transaction and the loaded objects of those rows: the columns it set, in
// the objects and in their snapshots, so the commit writes only the
// objects' own unflushed changes.
func TestExecUpdate(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedAuthors(t, env.DB, "ann", "bob", "cid", "dan")
		s := session.New(env.DB, session.Autoflush(false))
		a := loadAuthors(t, s, "ann", "bob", "cid") // dan is not loaded
		a["ann"].Name = "anne"                      // unflushed, kept
		rec.take()
		n, err := session.ExecUpdate(ctx, s, retort.Update(Authors).
			Set(AuthorEmail.To("team@x")).
			Where(AuthorName.In("ann", "bob", "dan")))
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("%d rows updated, want 3", n)
		}
		if sent := writes(rec.take()); len(sent) != 1 || !strings.HasPrefix(sent[0], "UPDATE") || !strings.Contains(sent[0], "RETURNING") {
			t.Errorf("statements = %q, want the UPDATE ... RETURNING alone", sent)
		}
		if !s.InTransaction() {
			t.Error("the session has no transaction: the UPDATE would not be rolled back with it")
		}
		got := map[string]string{}
		for _, o := range a {
			got[o.Name] = *o.Email
		}
		want := map[string]string{"anne": "team@x", "bob": "team@x", "cid": "cid@x"}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("objects after ExecUpdate (-want +got):\n%s", d)
		}
		if s.IsModified(a["bob"]) || s.IsModified(a["cid"]) {
			t.Error("bob or cid is modified: the new email would be written again")
		}
		if !s.IsModified(a["ann"]) {
			t.Error("ann's unflushed rename was lost")
		}
		if s.Len() != 3 {
			t.Errorf("session holds %d objects, want 3 (dan is not loaded)", s.Len())
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		updates := writes(rec.take())
		if len(updates) != 1 || strings.Contains(updates[0], `"email"`) || !strings.Contains(updates[0], `"name"`) {
			t.Errorf("the commit's UPDATEs = %q, want one writing ann's name only", updates)
		}
		want = map[string]string{"anne": "team@x", "bob": "team@x", "cid": "cid@x", "dan": "team@x"}
		if d := cmp.Diff(want, authorRows(t, env.DB)); d != "" {
			t.Errorf("rows after commit (-want +got):\n%s", d)
		}
	})
}

// With autoflush (the default) the session's pending changes are written
// before the UPDATE, which then sees them.
func TestExecUpdateAutoflush(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedAuthors(t, env.DB, "ann")
		s := session.New(env.DB)
		a := loadAuthors(t, s, "ann")["ann"]
		a.Name = "anne"
		if err := session.Add(s, &Author{Name: "eve"}); err != nil {
			t.Fatal(err)
		}
		n, err := session.ExecUpdate(ctx, s, retort.Update(Authors).Set(AuthorEmail.To("e@x")).Where(AuthorName.In("anne", "eve")))
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 || *a.Email != "e@x" {
			t.Errorf("%d rows, ann's email %q: want 2 and e@x (the rename and the new author flushed first)", n, *a.Email)
		}
		// In the transaction now: on PostgreSQL the flush of the next
		// rename and the UPDATE travel in one round trip.
		a.Name = "ann"
		env.Count.Reset()
		if _, err := session.ExecUpdate(ctx, s, retort.Update(Authors).Set(AuthorEmail.To("f@x")).Where(AuthorName.Eq("ann"))); err != nil {
			t.Fatal(err)
		}
		if rt := env.Count.RoundTrips(); *a.Email != "f@x" || env.Dialect == retort.Postgres && rt != 1 {
			t.Errorf("ann's email %q after %d round trips, want f@x after 1 on PostgreSQL", *a.Email, rt)
		}
		a.Name = "anne"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"anne": "f@x", "eve": "e@x"}
		if d := cmp.Diff(want, authorRows(t, env.DB)); d != "" {
			t.Errorf("rows (-want +got):\n%s", d)
		}
	})
}

// Rolling back undoes the UPDATE and puts the objects' old values back,
// except a value the program set since; nothing is left to write.
func TestExecUpdateRollback(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedAuthors(t, env.DB, "ann", "bob")
		s := session.New(env.DB)
		a := loadAuthors(t, s, "ann", "bob")
		if _, err := session.ExecUpdate(ctx, s, retort.Update(Authors).Set(AuthorEmail.To("team@x")).Where(AuthorName.In("ann", "bob"))); err != nil {
			t.Fatal(err)
		}
		a["bob"].Email = ptr("own@x") // the program's, after the UPDATE
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if got := *a["ann"].Email; got != "ann@x" {
			t.Errorf("ann's email after rollback = %q, want ann@x", got)
		}
		if got := *a["bob"].Email; got != "own@x" {
			t.Errorf("bob's email after rollback = %q, want the program's own@x", got)
		}
		if s.IsModified(a["ann"]) || !s.IsModified(a["bob"]) {
			t.Errorf("modified after rollback: ann %v, bob %v; want false, true", s.IsModified(a["ann"]), s.IsModified(a["bob"]))
		}
		rec.take()
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"ann": "ann@x", "bob": "own@x"}
		if d := cmp.Diff(want, authorRows(t, env.DB)); d != "" {
			t.Errorf("rows (-want +got):\n%s", d)
		}
	})
}

// The same inside a savepoint: rolling it back undoes the UPDATE made in it.
func TestExecUpdateSavepoint(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedAuthors(t, env.DB, "ann")
		s := session.New(env.DB)
		a := loadAuthors(t, s, "ann")["ann"]
		if _, err := session.ExecUpdate(ctx, s, retort.Update(Authors).Set(AuthorEmail.To("one@x")).Where(AuthorName.Eq("ann"))); err != nil {
			t.Fatal(err)
		}
		sp, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := session.ExecUpdate(ctx, s, retort.Update(Authors).Set(AuthorEmail.To("two@x")).Where(AuthorName.Eq("ann"))); err != nil {
			t.Fatal(err)
		}
		if err := sp.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if *a.Email != "one@x" || s.IsModified(a) {
			t.Errorf("after the savepoint's rollback: email %q, modified %v; want one@x, false", *a.Email, s.IsModified(a))
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(map[string]string{"ann": "one@x"}, authorRows(t, env.DB)); d != "" {
			t.Errorf("rows (-want +got):\n%s", d)
		}
	})
}

// What ExecUpdate refuses, with nothing sent, and a statement the database
// refuses, which leaves the objects as they were.
func TestExecUpdateErrors(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedAuthors(t, env.DB, "ann", "bob")
		s := session.New(env.DB)
		a := loadAuthors(t, s, "ann", "bob")
		rec.take()
		_, err := session.ExecUpdate(ctx, s, retort.Update(Authors).Set(AuthorID.To(99)).Where(AuthorName.Eq("ann")))
		if err == nil || !strings.Contains(err.Error(), `"id", part of the primary key`) {
			t.Errorf("setting the key: err = %v, want a refusal naming the column", err)
		}
		if _, err := session.ExecUpdate[Author](ctx, s, nil); err == nil {
			t.Error("nil query: no error")
		}
		_, err = session.ExecUpdate(ctx, s, retort.Update(Authors).Set(AuthorEmail.ToNull(), AuthorName.ToNull()))
		var ce *retort.ColumnError
		if !errors.As(err, &ce) || ce.Column != "name" || !errors.Is(err, retort.ErrNullValue) {
			t.Errorf("NULL into NOT NULL: err = %v, want a ColumnError for name matching ErrNullValue", err)
		}
		if sent := rec.take(); len(sent) != 0 {
			t.Errorf("sent %q for refused statements", sent)
		}
		// Inside a BeforeFlush hook, as a flush, refused.
		hooked := session.New(env.DB, session.BeforeFlush(func(ctx context.Context, hs *session.Session) error {
			_, err := session.ExecDelete(ctx, hs, retort.Delete(Authors))
			return err
		}))
		if err := session.Add(hooked, &Author{Name: "hooked"}); err != nil {
			t.Fatal(err)
		}
		if err := hooked.Commit(ctx); !errors.Is(err, session.ErrInBeforeFlush) {
			t.Errorf("ExecDelete in a hook: %v, want ErrInBeforeFlush", err)
		}
		if sent := rec.take(); len(sent) != 0 {
			t.Errorf("sent %q for refused statements", sent)
		}
		// Both rows named "x": the unique name refuses it.
		_, err = session.ExecUpdate(ctx, s, retort.Update(Authors).Set(AuthorName.To("x"), AuthorEmail.To("x@x")))
		if err == nil {
			t.Fatal("duplicate names: no error")
		}
		if a["ann"].Name != "ann" || *a["ann"].Email != "ann@x" || s.IsModified(a["ann"]) {
			t.Errorf("ann after the refused UPDATE: %+v, modified %v", *a["ann"], s.IsModified(a["ann"]))
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"ann": "ann@x", "bob": "bob@x"}
		if d := cmp.Diff(want, authorRows(t, env.DB)); d != "" {
			t.Errorf("rows (-want +got):\n%s", d)
		}

		// Refused inside the transaction, sent with the autoflush of a
		// rename: the transaction is rolled back as for a failed flush, the
		// objects are as before it (the earlier UPDATE's value taken back),
		// the rename stays pending, and the commit writes it.
		if _, err := session.ExecUpdate(ctx, s, retort.Update(Authors).Set(AuthorEmail.To("one@x"))); err != nil {
			t.Fatal(err)
		}
		a["bob"].Name = "rob"
		if _, err := session.ExecUpdate(ctx, s, retort.Update(Authors).Set(AuthorName.To("x"))); err == nil {
			t.Fatal("duplicate names in the transaction: no error")
		}
		if *a["ann"].Email != "ann@x" || a["bob"].Name != "rob" || !s.IsModified(a["bob"]) || s.IsModified(a["ann"]) {
			t.Errorf("after the refused UPDATE: ann %+v (modified %v), bob %+v (modified %v); want ann as stored, bob renamed and modified",
				*a["ann"], s.IsModified(a["ann"]), *a["bob"], s.IsModified(a["bob"]))
		}
		if err := s.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		want = map[string]string{"ann": "ann@x", "rob": "bob@x"}
		if d := cmp.Diff(want, authorRows(t, env.DB)); d != "" {
			t.Errorf("rows after the commit (-want +got):\n%s", d)
		}
	})
}

// A DELETE through the session marks the loaded objects of its rows
// deleted: they leave the identity map, are detached at commit, and come
// back as persistent after a rollback.
func TestExecDelete(t *testing.T) {
	runRecorded(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		seedAuthors(t, env.DB, "ann", "bob", "cid", "dan")
		for _, commit := range []bool{false, true} {
			s := session.New(env.DB)
			a := loadAuthors(t, s, "ann", "bob", "cid")
			rec.take()
			n, err := session.ExecDelete(ctx, s, retort.Delete(Authors).Where(AuthorName.In("ann", "bob", "dan")))
			if err != nil {
				t.Fatal(err)
			}
			if sent := writes(rec.take()); n != 3 || len(sent) != 1 || !strings.HasPrefix(sent[0], "DELETE") {
				t.Errorf("%d rows deleted in %q, want 3 in one DELETE", n, sent)
			}
			for name, want := range map[string]session.Status{"ann": session.Deleted, "bob": session.Deleted, "cid": session.Persistent} {
				if got := s.StatusOf(a[name]); got != want {
					t.Errorf("%s: %v, want %v", name, got, want)
				}
			}
			if _, err := session.Get(ctx, s, Authors, a["ann"].ID); !errors.Is(err, retort.ErrNoRows) {
				t.Errorf("Get of deleted ann: %v, want ErrNoRows", err)
			}
			if commit {
				rec.take()
				if err := s.Commit(ctx); err != nil {
					t.Fatal(err)
				}
				if sent := writes(rec.take()); len(sent) != 0 {
					t.Errorf("commit sent %q, want no writes", sent)
				}
				if got := s.StatusOf(a["ann"]); got != session.Detached {
					t.Errorf("ann after commit: %v, want detached", got)
				}
				want := map[string]string{"cid": "cid@x"}
				if d := cmp.Diff(want, authorRows(t, env.DB)); d != "" {
					t.Errorf("rows (-want +got):\n%s", d)
				}
				continue
			}
			if err := s.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			if got := s.StatusOf(a["ann"]); got != session.Persistent {
				t.Errorf("ann after rollback: %v, want persistent", got)
			}
			if got, err := session.Get(ctx, s, Authors, a["ann"].ID); err != nil || got != a["ann"] {
				t.Errorf("Get of ann after rollback: %v, %v; want the loaded object", got, err)
			}
			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// writes returns the INSERT, UPDATE and DELETE statements of sent.
func writes(sent []string) []string {
	var out []string
	for _, q := range sent {
		for _, w := range []string{"INSERT", "UPDATE", "DELETE", "WITH"} {
			if strings.HasPrefix(q, w) {
				out = append(out, q)
				break
			}
		}
	}
	return out
}
