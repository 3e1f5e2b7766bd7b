package rel_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// argRecorder keeps the SQL and arguments of every round trip.
type argRecorder struct {
	mu  sync.Mutex
	evs []retort.TraceEvent
}

func (r *argRecorder) Trace(_ context.Context, ev retort.TraceEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, ev)
}

func (r *argRecorder) take() []retort.TraceEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.evs
	r.evs = nil
	return out
}

// TestGoldenLoading records the statements of each loading strategy and of
// a many-to-many flush, per dialect, in testdata/load_<dialect>.sql.
func TestGoldenLoading(t *testing.T) {
	rec := &argRecorder{}
	dbtest.RunWith(t, dbtest.Options{Tracer: rec}, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, allTables...)
		s := session.New(env.DB)
		t1, t2 := &Tag{Name: "t1"}, &Tag{Name: "t2"}
		p := &Parent{Name: "p1", Children: rel.ManyOf(&Child{Name: "c1", Tags: rel.SetOf(t1, t2)}, &Child{Name: "c2", Tags: rel.SetOf(t2)})}
		root := &Node{Name: "root", Children: rel.ManyOf(&Node{Name: "a", Children: rel.ManyOf(&Node{Name: "a1"})}, &Node{Name: "b"})}
		if err := session.AddAll(s, p); err != nil {
			t.Fatal(err)
		}
		if err := session.Add(s, root); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		parents := retort.Select(Parents).OrderBy(ParentName.Asc())
		children := retort.Select(Children).OrderBy(ChildName.Asc())
		cases := []struct {
			name, why string
			run       func(s *session.Session) error
		}{
			{"selectin one-to-many", "one WHERE fk IN (...) query, ordered by the target's key",
				func(s *session.Session) error {
					_, err := session.All(ctx, s, parents, rel.SelectIn(ParentChildren))
					return err
				}},
			{"selectin many-to-one", "the targets' keys, deduplicated",
				func(s *session.Session) error {
					_, err := session.All(ctx, s, children, rel.SelectIn(ChildParent))
					return err
				}},
			{"selectin many-to-many", "the association table joined to the target, the owner's key first, the collection's OrderBy",
				func(s *session.Session) error {
					_, err := session.All(ctx, s, children, rel.SelectIn(ChildTags))
					return err
				}},
			{"joined one-to-many", "the query numbered in a derived table, LEFT OUTER JOIN, ordered by the number",
				func(s *session.Session) error {
					_, err := rel.All(ctx, s, parents, rel.Joined(ParentChildren))
					return err
				}},
			{"joined many-to-one with limit", "LIMIT stays inside the derived table",
				func(s *session.Session) error {
					_, err := rel.All(ctx, s, children.Limit(1), rel.Joined(ChildParent))
					return err
				}},
			{"joined path", "a one-to-many then a many-to-many, all in one statement",
				func(s *session.Session) error {
					_, err := rel.All(ctx, s, parents, rel.Joined(ParentChildren).Then(rel.Joined(ChildTags)))
					return err
				}},
			{"selectin then joined", "the SELECT IN query joins the next level",
				func(s *session.Session) error {
					_, err := session.All(ctx, s, parents, rel.SelectIn(ParentChildren).Then(rel.Joined(ChildTags)))
					return err
				}},
			{"joined self-referential", "the second node table gets an alias",
				func(s *session.Session) error {
					_, err := rel.All(ctx, s, retort.Select(Nodes).Where(NodeParentID.IsNull()),
						rel.Joined(NodeChildren).Then(rel.Joined(NodeChildren)))
					return err
				}},
			{"selectin one-to-many with conditions", "the conditions ANDed to the WHERE clause, their values bind parameters",
				func(s *session.Session) error {
					_, err := session.All(ctx, s, parents.Where(ParentName.Ne("x")), rel.SelectIn(ParentChildren.Where(ChildName.Ne("c2"))))
					return err
				}},
			{"joined one-to-many with conditions", "the conditions in the ON clause, their arguments after the query's",
				func(s *session.Session) error {
					_, err := rel.All(ctx, s, parents.Where(ParentName.Ne("x")), rel.Joined(ParentChildren.Where(ChildName.Ne("c2"))))
					return err
				}},
			{"selectin many-to-many with conditions", "on the target table, joined to the association table",
				func(s *session.Session) error {
					_, err := session.All(ctx, s, children, rel.SelectIn(ChildTags.Where(TagName.Eq("t2"))))
					return err
				}},
			{"joined self-referential with conditions", "the second level's conditions name its alias",
				func(s *session.Session) error {
					notB := NodeChildren.Where(NodeName.Ne("b"))
					_, err := rel.All(ctx, s, retort.Select(Nodes).Where(NodeParentID.IsNull()), rel.Joined(notB).Then(rel.Joined(notB)))
					return err
				}},
			{"lazy", "one collection, one query",
				func(s *session.Session) error {
					p, err := session.First(ctx, s, parents)
					if err != nil {
						return err
					}
					return p.Children.Load(ctx)
				}},
			{"many-to-many flush", "association rows: one INSERT for the added, one DELETE for the removed",
				func(s *session.Session) error {
					cs, err := session.All(ctx, s, children, rel.SelectIn(ChildTags))
					if err != nil {
						return err
					}
					t3 := &Tag{Name: "t3"}
					old, err := cs[0].Tags.Get()
					if err != nil {
						return err
					}
					cs[0].Tags.Remove(old...)
					cs[0].Tags.Add(t3)
					cs[1].Tags.Add(t3)
					return s.Commit(ctx)
				}},
		}
		var b strings.Builder
		for _, c := range cases {
			rec.take()
			if err := c.run(session.New(env.DB)); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			fmt.Fprintf(&b, "-- %s: %s\n", c.name, c.why)
			for _, ev := range rec.take() {
				fmt.Fprintf(&b, "%s\n-- args: %v\n", ev.SQL, ev.Args)
			}
			b.WriteString("\n")
		}
		golden(t, "load_"+env.Dialect.String()+".sql", b.String())
	})
}
