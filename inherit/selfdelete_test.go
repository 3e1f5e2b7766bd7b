package inherit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// A hierarchy whose tables reference themselves: a worker's manager is
// another worker (the base table), a lead's mentor another lead (the
// subclass table). Plain foreign keys, no relationship: only the key values
// in the rows order the deletes.
type Worker struct {
	ID        int64
	Kind      string
	ManagerID *int64
}

type Lead struct {
	Worker
	MentorID *int64
}

var (
	Workers       = retort.NewTable[Worker]("worker")
	WorkerID      = retort.Col(Workers, "id", func(s *Worker) *int64 { return &s.ID }, retort.PrimaryKey())
	WorkerKind    = retort.Col(Workers, "kind", func(s *Worker) *string { return &s.Kind })
	WorkerManager = retort.NullCol(Workers, "manager_id", func(s *Worker) **int64 { return &s.ManagerID }).References(WorkerID)

	Leads      = retort.NewTable[Lead]("lead")
	LeadID     = retort.Col(Leads, "id", func(l *Lead) *int64 { return &l.ID }, retort.PrimaryKey()).References(WorkerID)
	LeadMentor = retort.NullCol(Leads, "mentor_id", func(l *Lead) **int64 { return &l.MentorID }).References(LeadID)

	WorkerClass = inherit.New(Workers, WorkerKind, "worker")
	LeadClass   = inherit.Sub(WorkerClass, Leads, func(l *Lead) *Worker { return &l.Worker }, "lead")
)

// Rung is a versioned hierarchy's base: its rows are deleted one statement
// each (the version is checked per row).
type Rung struct {
	ID      int64
	Kind    string
	Below   *int64
	Version int64
}

type TopRung struct {
	Rung
	Label string
}

var (
	Rungs       = retort.NewTable[Rung]("rung")
	RungID      = retort.Col(Rungs, "id", func(r *Rung) *int64 { return &r.ID }, retort.PrimaryKey())
	RungKind    = retort.Col(Rungs, "kind", func(r *Rung) *string { return &r.Kind })
	RungBelow   = retort.NullCol(Rungs, "below_id", func(r *Rung) **int64 { return &r.Below }).References(RungID)
	RungVersion = retort.Col(Rungs, "version", func(r *Rung) *int64 { return &r.Version })

	TopRungs     = retort.NewTable[TopRung]("top_rung")
	TopRungID    = retort.Col(TopRungs, "id", func(r *TopRung) *int64 { return &r.ID }, retort.PrimaryKey()).References(RungID)
	TopRungLabel = retort.Col(TopRungs, "label", func(r *TopRung) *string { return &r.Label })

	RungClass    = inherit.New(Rungs, RungKind, "rung")
	TopRungClass = inherit.Sub(RungClass, TopRungs, func(r *TopRung) *Rung { return &r.Rung }, "top")
)

func init() { session.Versioned(Rungs, RungVersion) }

// TestDeleteSelfReferencingHierarchy deletes whole chains of a hierarchy
// whose rows reference each other, loaded root first, in one flush: a row
// must go after every row that references it, in the base table (manager)
// and in the subclass table (mentor), whether the rows go in chunks
// (SQLite's 500 keys a statement) or one statement each (a version column).
// Before, SQLite failed the chains of 501 and 1,201 and both databases
// failed the versioned chain.
func TestDeleteSelfReferencingHierarchy(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, append(WorkerClass.Tables(), RungClass.Tables()...)...)
		for _, n := range []int{2, 501, 1201} {
			t.Run(fmt.Sprint("staff-", n), func(t *testing.T) {
				s := session.New(env.DB)
				var prev *Worker
				var prevLead *Lead
				for i := range n {
					id := int64(n*10000 + i + 1) // keys of their own: the subtests share the tables
					var st *Worker
					if i%3 == 2 {
						// a plain worker now and then: the base chain runs
						// through both classes
						st = &Worker{ID: id}
						if err := session.Add(s, st); err != nil {
							t.Fatal(err)
						}
					} else {
						l := &Lead{Worker: Worker{ID: id}}
						if prevLead != nil {
							l.MentorID = &prevLead.ID
						}
						if err := session.Add(s, l); err != nil {
							t.Fatal(err)
						}
						st, prevLead = &l.Worker, l
					}
					if prev != nil {
						st.ManagerID = &prev.ID
					}
					prev = st
				}
				if err := s.Commit(ctx); err != nil {
					t.Fatal(err)
				}
				s = session.New(env.DB)
				staff, err := inherit.Poly(ctx, s, inherit.Select(WorkerClass).OrderBy(WorkerID.Asc()))
				if err != nil {
					t.Fatal(err)
				}
				if len(staff) != n {
					t.Fatalf("loaded %d workers, want %d", len(staff), n)
				}
				for _, st := range staff {
					if err := s.DeleteAny(st); err != nil {
						t.Fatal(err)
					}
				}
				if err := s.Commit(ctx); err != nil {
					t.Fatalf("deleting a chain of %d workers: %v", n, err)
				}
				staffLeft, err := retort.Select(Workers).Count(ctx, env.DB)
				if err != nil {
					t.Fatal(err)
				}
				leadsLeft, err := retort.Select(Leads).Count(ctx, env.DB)
				if err != nil {
					t.Fatal(err)
				}
				if staffLeft != 0 || leadsLeft != 0 {
					t.Errorf("%d workers and %d leads left, want none", staffLeft, leadsLeft)
				}
			})
		}
		t.Run("versioned", func(t *testing.T) {
			s := session.New(env.DB)
			a := &TopRung{Rung: Rung{ID: 1}, Label: "a"}
			b := &Rung{ID: 2, Below: &a.ID}
			c := &TopRung{Rung: Rung{ID: 3, Below: &b.ID}, Label: "c"}
			d := &Rung{ID: 4} // references nothing, referenced by nothing
			if err := session.AddAll(s, a, c); err != nil {
				t.Fatal(err)
			}
			if err := session.AddAll(s, b, d); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			for _, o := range []any{d, a, c, b} { // a before the rows referencing it
				if err := s.DeleteAny(o); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatalf("deleting a versioned chain: %v", err)
			}
			left, err := retort.Select(Rungs).Count(ctx, env.DB)
			if err != nil {
				t.Fatal(err)
			}
			if left != 0 {
				t.Errorf("%d rungs left, want 0", left)
			}
		})
	})
}

// TestRowSwitchHierarchy: a new object with the key of an object of the
// same class deleted in the same flush takes over its rows with UPDATEs, so
// a grunt employed by the boss keeps its reference (a DELETE of the boss
// row would fail on it); an object of another class cannot (its rows are in
// other tables), and the error names the remedy, which works. Before, both
// failed: "has the key of an object already in the session".
func TestRowSwitchHierarchy(t *testing.T) {
	runDB(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		s := session.New(env.DB)
		old := &Boss{Employee: Employee{ID: 7, Name: "old"}, GolfAverage: retort.MustDecimal("1.5")}
		add(t, s, old)
		add(t, s, &Grunt{Employee: Employee{ID: 8, Name: "g"}, EmployerID: ptr(int64(7))})
		mustCommit(t, s)
		if err := session.Delete(s, old); err != nil {
			t.Fatal(err)
		}
		repl := &Boss{Employee: Employee{ID: 7, Name: "new"}, GolfAverage: retort.MustDecimal("2.5")}
		add(t, s, repl)
		rec.take()
		mustCommit(t, s)
		if diff := cmp.Diff([]string{`UPDATE "boss"`, `UPDATE "employee"`}, verbs(statements(rec.take()))); diff != "" {
			t.Errorf("the switch's statements (-want +got):\n%s", diff)
		}
		if repl.Type != "boss" || s.StatusOf(repl) != session.Persistent || s.StatusOf(old) != session.Detached {
			t.Errorf("after the switch: type %q, new object %v, old object %v", repl.Type, s.StatusOf(repl), s.StatusOf(old))
		}
		got, err := inherit.Get(ctx, session.New(env.DB), BossClass, int64(7))
		if err != nil || got.Name != "new" || got.GolfAverage.String() != "2.50" {
			t.Errorf("boss 7 = %+v, %v; want the new one", got, err)
		}
		if n, err := retort.Select(Grunts).Where(GruntEmployer.Eq(7)).Count(ctx, env.DB); err != nil || n != 1 {
			t.Errorf("grunts of boss 7: %d, %v; want 1", n, err)
		}

		if err := session.Delete(s, repl); err != nil {
			t.Fatal(err)
		}
		other := &Grunt{Employee: Employee{ID: 7, Name: "grunt now"}}
		add(t, s, other)
		err = s.Flush(ctx)
		if err == nil || !strings.Contains(err.Error(), "a new *inherit_test.Grunt") || !strings.Contains(err.Error(), "flush the delete first") {
			t.Fatalf("flush = %v, want an error saying a new Grunt cannot take over a Boss's row: flush the delete first", err)
		}
		if a, b := s.StatusOf(repl), s.StatusOf(other); a != session.Deleted || b != session.Pending {
			t.Errorf("after the failed flush: %v, %v; want deleted, pending", a, b)
		}
		s.Expunge(other)
		if _, err := retort.Update(Grunts).Set(GruntEmployer.ToNull()).Where(GruntID.Eq(8)).Exec(ctx, s.DB()); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		add(t, s, other)
		mustCommit(t, s)
		g, err := inherit.Get(ctx, session.New(env.DB), GruntClass, int64(7))
		if err != nil || g.Name != "grunt now" {
			t.Errorf("employee 7 = %+v, %v; want the grunt", g, err)
		}
	})
}
