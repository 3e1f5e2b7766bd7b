package retort_test

import (
	"context"
	"fmt"
	"log"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/sqlite"
)

// A foreign key declared Deferred is checked at COMMIT: inside a
// transaction a player may come before its team. A commit that leaves a
// player without its team fails, and writes nothing. (The model is Team and
// Player: player.team_id references team.id, Deferred.)
func ExampleDeferred() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Teams, Players); err != nil {
		log.Fatal(err)
	}

	err = retort.InTx(ctx, db, func(tx retort.Tx) error {
		if err := retort.Insert(Players, &Player{ID: 1, TeamID: 10, Name: "ann"}).Exec(ctx, tx); err != nil {
			return err
		}
		return retort.Insert(Teams, &Team{ID: 10, Name: "reds"}).Exec(ctx, tx)
	})
	fmt.Println("player first, then its team:", err)

	err = retort.InTx(ctx, db, func(tx retort.Tx) error {
		return retort.Insert(Players, &Player{ID: 2, TeamID: 99, Name: "bob"}).Exec(ctx, tx)
	})
	fmt.Println("a player without a team fails at COMMIT:", err != nil)
	n, err := retort.Select(Players).Count(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("players:", n)
	// Output:
	// player first, then its team: <nil>
	// a player without a team fails at COMMIT: true
	// players: 1
}
