package retort_test

import (
	"context"
	"strings"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// A team and its players, the player's team a deferred foreign key.
type Team struct {
	ID   int64
	Name string
}

type Player struct {
	ID     int64
	TeamID int64
	Name   string
}

var (
	Teams    = retort.NewTable[Team]("team")
	TeamID   = retort.Col(Teams, "id", func(t *Team) *int64 { return &t.ID }, retort.PrimaryKey())
	TeamName = retort.Col(Teams, "name", func(t *Team) *string { return &t.Name })

	Players      = retort.NewTable[Player]("player")
	PlayerID     = retort.Col(Players, "id", func(p *Player) *int64 { return &p.ID }, retort.PrimaryKey())
	PlayerTeamID = retort.Col(Players, "team_id", func(p *Player) *int64 { return &p.TeamID }).References(TeamID, retort.Deferred(), retort.OnDelete("CASCADE"))
	PlayerName   = retort.Col(Players, "name", func(p *Player) *string { return &p.Name })
)

// TestDeferredForeignKey: a foreign key declared Deferred is checked at
// COMMIT on both databases: a player may be inserted before its team in a
// transaction, and a commit that leaves a player without its team fails at
// COMMIT, writing nothing. A session whose commit fails so keeps its objects
// pending, and commits them once the team is there.
func TestDeferredForeignKey(t *testing.T) {
	for _, d := range dialects {
		const want = `CONSTRAINT "player_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED` + "\n)"
		if got := retort.CreateSQL(d, Teams, Players); !strings.HasSuffix(got[len(got)-1], want) {
			t.Errorf("%s DDL:\n%s\nwant it to end with\n%s", d, got[len(got)-1], want)
		}
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Teams, Players)
		count := func() (teams, players int64) {
			t.Helper()
			var err error
			if teams, err = retort.Select(Teams).Count(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
			if players, err = retort.Select(Players).Count(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
			return teams, players
		}

		err := retort.InTx(ctx, env.DB, func(tx retort.Tx) error {
			if err := retort.Insert(Players, &Player{ID: 1, TeamID: 10, Name: "ann"}).Exec(ctx, tx); err != nil {
				return err
			}
			return retort.Insert(Teams, &Team{ID: 10, Name: "reds"}).Exec(ctx, tx)
		})
		if err != nil {
			t.Fatalf("a player before its team, in one transaction: %v", err)
		}

		err = retort.InTx(ctx, env.DB, func(tx retort.Tx) error {
			return retort.Insert(Players, &Player{ID: 2, TeamID: 99, Name: "bob"}).Exec(ctx, tx)
		})
		if err == nil {
			t.Fatal("a commit leaving a player without its team succeeded")
		}
		if teams, players := count(); teams != 1 || players != 1 {
			t.Errorf("after the failed commit: %d teams, %d players; want 1 and 1", teams, players)
		}

		s := session.New(env.DB)
		bob := &Player{ID: 2, TeamID: 20, Name: "bob"}
		if err := session.Add(s, bob); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err == nil {
			t.Fatal("a session's commit leaving a player without its team succeeded")
		}
		if st := s.StatusOf(bob); st != session.Pending {
			t.Errorf("after the failed commit the player is %v, want pending", st)
		}
		if _, players := count(); players != 1 {
			t.Errorf("after the session's failed commit: %d players, want 1", players)
		}
		if err := session.Add(s, &Team{ID: 20, Name: "blues"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("the commit with the team: %v", err)
		}
		if teams, players := count(); teams != 2 || players != 2 {
			t.Errorf("at the end: %d teams, %d players; want 2 and 2", teams, players)
		}
	})
}
