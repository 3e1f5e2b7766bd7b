package retort_test

import (
	"context"
	"fmt"
	"log"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
)

// A UUID key with Default(NewUUID) is made by every insert, in the order
// of the objects (version 7 keys sort by time), and JSON columns hold a
// struct and a map: jsonb on PostgreSQL, TEXT checked by json_valid on
// SQLite. A map changed in place is found by the session's next flush.
func ExampleJSON() {
	type Settings struct {
		Theme string `json:"theme"`
		Size  int    `json:"size"`
	}
	type Account struct {
		ID       retort.UUID
		Email    string
		Settings Settings
		Flags    map[string]bool
	}
	var (
		Accounts = retort.NewTable[Account]("account")
		_        = retort.Col(Accounts, "id", func(a *Account) *retort.UUID { return &a.ID }, retort.PrimaryKey(), retort.Default(retort.NewUUID))
		Email    = retort.Col(Accounts, "email", func(a *Account) *string { return &a.Email })
		Prefs    = retort.ColType(Accounts, "settings", func(a *Account) *Settings { return &a.Settings }, retort.JSON[Settings]())
		_        = retort.ColType(Accounts, "flags", func(a *Account) *map[string]bool { return &a.Flags }, retort.JSON[map[string]bool]())
	)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := retort.CreateAll(ctx, db, Accounts); err != nil {
		log.Fatal(err)
	}
	ann := &Account{Email: "ann@example.com", Settings: Settings{"dark", 12}, Flags: map[string]bool{"beta": true}}
	bob := &Account{Email: "bob@example.com", Settings: Settings{"light", 14}, Flags: map[string]bool{}}
	s := session.New(db)
	if err := session.AddAll(s, ann, bob); err != nil {
		log.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("keys made:", !ann.ID.IsZero(), ann.ID.String() < bob.ID.String())

	bob.Flags["beta"] = true // changed in place
	if err := s.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	dark, err := retort.Select(Accounts).Where(Prefs.Eq(Settings{"dark", 12})).All(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("dark:", dark[0].Email)
	all, err := retort.Select(Accounts).OrderBy(Email.Asc()).All(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range all {
		fmt.Println(a.Email, a.Settings.Theme, a.Flags)
	}
	// Output:
	// keys made: true true
	// dark: ann@example.com
	// ann@example.com dark map[beta:true]
	// bob@example.com light map[beta:true]
}
