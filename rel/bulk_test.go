package rel_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// TestExecDeleteCollections: rows deleted by session.ExecDelete leave the
// loaded collections that held their objects (as rows deleted by a flush
// do), so that the commit writes nothing for them; a rollback puts them
// back.
func TestExecDeleteCollections(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		if err := session.Add(s, &Boss{Name: "b", Employees: rel.ManyOf(&Grunt{Name: "g1"}, &Grunt{Name: "g2"}, &Grunt{Name: "g3"})}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		employees := func(b *Boss) []string { return names(b.Employees.All(), func(g *Grunt) string { return g.Name }) }
		for _, commit := range []bool{false, true} {
			s := session.New(env.DB)
			boss, err := session.One(ctx, s, retort.Select(Bosses), rel.SelectIn(BossEmployees))
			if err != nil {
				t.Fatal(err)
			}
			n, err := session.ExecDelete(ctx, s, retort.Delete(Grunts).Where(GruntName.In("g1", "g3")))
			if err != nil || n != 2 {
				t.Fatalf("ExecDelete: %d rows, %v; want 2", n, err)
			}
			if d := cmp.Diff([]string{"g2"}, employees(boss)); d != "" {
				t.Errorf("employees after ExecDelete (-want +got):\n%s", d)
			}
			if !commit {
				if err := s.Rollback(ctx); err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff([]string{"g1", "g2", "g3"}, sorted(employees(boss))); d != "" {
					t.Errorf("employees after rollback (-want +got):\n%s", d)
				}
				continue
			}
			commitsAlone(t, s, rec)
		}
		left, err := retort.Select(Grunts).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]string{"g2"}, names(slices.Values(left), func(g *Grunt) string { return g.Name })); d != "" {
			t.Errorf("grunts stored (-want +got):\n%s", d)
		}
	})
}

// TestExecUpdateForeignKey: a reference whose foreign key
// session.ExecUpdate set follows the new key, and its object moves between
// the linked collections, so that the commit does not write the old key
// back; a rollback moves it back.
func TestExecUpdateForeignKey(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		if err := session.AddAll(s, &Boss{Name: "b1", Employees: rel.ManyOf(&Grunt{Name: "g1"}, &Grunt{Name: "g2"})}, &Boss{Name: "b2"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		employees := func(b *Boss) []string {
			return sorted(names(b.Employees.All(), func(g *Grunt) string { return g.Name }))
		}
		for _, commit := range []bool{false, true} {
			s := session.New(env.DB)
			bs, err := session.All(ctx, s, retort.Select(Bosses).OrderBy(BossName.Asc()), rel.SelectIn(BossEmployees))
			if err != nil {
				t.Fatal(err)
			}
			b1, b2 := bs[0], bs[1]
			g1, err := session.One(ctx, s, retort.Select(Grunts).Where(GruntName.Eq("g1")), rel.SelectIn(GruntEmployer))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := session.ExecUpdate(ctx, s, retort.Update(Grunts).Set(GruntBoss.To(b2.ID)).Where(GruntName.Eq("g1"))); err != nil {
				t.Fatal(err)
			}
			if e, _ := g1.Employer.Get(); e != b2 {
				t.Errorf("g1's employer after ExecUpdate: %v, want b2", e)
			}
			if d := cmp.Diff([][]string{{"g2"}, {"g1"}}, [][]string{employees(b1), employees(b2)}); d != "" {
				t.Errorf("employees of b1, b2 after ExecUpdate (-want +got):\n%s", d)
			}
			if !commit {
				if err := s.Rollback(ctx); err != nil {
					t.Fatal(err)
				}
				if e, _ := g1.Employer.Get(); e != b1 || *g1.BossID != b1.ID {
					t.Errorf("g1's employer after rollback: %v (key %d), want b1", e, *g1.BossID)
				}
				if d := cmp.Diff([][]string{{"g1", "g2"}, nil}, [][]string{employees(b1), employees(b2)}); d != "" {
					t.Errorf("employees of b1, b2 after rollback (-want +got):\n%s", d)
				}
				if err := s.Commit(ctx); err != nil { // writes nothing
					t.Fatal(err)
				}
				continue
			}
			commitsAlone(t, s, rec)
		}
		g1, err := retort.Select(Grunts).Where(GruntName.Eq("g1")).One(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		b2, err := retort.Select(Bosses).Where(BossName.Eq("b2")).One(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if *g1.BossID != b2.ID {
			t.Errorf("g1 stored under boss %d, want b2 (%d)", *g1.BossID, b2.ID)
		}
	})
}

// commitsAlone commits s and checks that nothing but the COMMIT was sent.
func commitsAlone(t *testing.T, s *session.Session, rec *recorder) {
	t.Helper()
	rec.take()
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, q := range rec.take() {
		if q != "COMMIT" {
			t.Errorf("commit sent %q, want COMMIT alone", q)
		}
	}
}
