package inherit_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// A hierarchy whose tables are in a schema of their own ("schema.table").

var staffSchema = fmt.Sprintf("rt_staff_%d", os.Getpid())

type SMember struct {
	ID       int64
	Kind     string
	Name     string
	MentorID *int64
}

type SLead struct {
	SMember
	Team string
}

var (
	SMembers     = retort.NewTable[SMember](staffSchema + ".member")
	SMemberID    = retort.Col(SMembers, "id", func(m *SMember) *int64 { return &m.ID }, retort.PrimaryKey())
	SMemberKind  = retort.Col(SMembers, "kind", func(m *SMember) *string { return &m.Kind })
	SMemberName  = retort.Col(SMembers, "name", func(m *SMember) *string { return &m.Name })
	_            = retort.NullCol(SMembers, "mentor_id", func(m *SMember) **int64 { return &m.MentorID }).References(SMemberID)
	SLeads       = retort.NewTable[SLead](staffSchema + ".lead")
	SLeadID      = retort.Col(SLeads, "id", func(l *SLead) *int64 { return &l.ID }, retort.PrimaryKey()).References(SMemberID)
	SLeadTeam    = retort.Col(SLeads, "team", func(l *SLead) *string { return &l.Team })
	SMemberClass = inherit.New(SMembers, SMemberKind, "member")
	SLeadClass   = inherit.Sub(SMemberClass, SLeads, func(l *SLead) *SMember { return &l.SMember }, "lead")
)

// TestSchemaHierarchy: a joined-table hierarchy in a schema is inserted
// (one statement on PostgreSQL, generated keys), queried by class and
// polymorphically, updated on both tables and deleted, mentors after the
// members they mentor.
func TestSchemaHierarchy(t *testing.T) {
	dbtest.RunWith(t, dbtest.Options{Schema: staffSchema}, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, SMemberClass.Tables()...)
		s := session.New(env.DB)
		lead := &SLead{SMember: SMember{Name: "lee"}, Team: "core"}
		if err := session.Add(s, lead); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"max", "mia"} {
			if err := session.Add(s, &SMember{Name: name, MentorID: &lead.ID}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}

		s = session.New(env.DB)
		leads, err := inherit.All(ctx, s, inherit.Select(SLeadClass).Where(SLeadTeam.Eq("core")))
		if err != nil || len(leads) != 1 || leads[0].Name != "lee" {
			t.Fatalf("leads: %+v, %v", leads, err)
		}
		staff, err := inherit.Poly(ctx, s, inherit.Select(SMemberClass).OrderBy(SMemberName.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range staff {
			switch m := m.(type) {
			case *SLead:
				got = append(got, "lead "+m.Name+" of "+m.Team)
			case *SMember:
				got = append(got, "member "+m.Name)
			}
		}
		if diff := cmp.Diff([]string{"lead lee of core", "member max", "member mia"}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		leads[0].Name, leads[0].Team = "leo", "edge"
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("update: %v", err)
		}
		n, err := retort.Select(SLeads).Where(SLeadTeam.Eq("edge")).Count(ctx, env.DB)
		if err != nil || n != 1 {
			t.Errorf("leads of edge: %d, %v", n, err)
		}
		for _, m := range staff {
			if err := s.DeleteAny(m); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if n, err := retort.Select(SMembers).Count(ctx, env.DB); err != nil || n != 0 {
			t.Errorf("members left: %d, %v", n, err)
		}
	})
}
