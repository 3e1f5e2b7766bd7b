// Command retort-demo shows Retort at work: it declares small models,
// creates their tables, writes, queries and prints. Its scenarios are the
// basics and the seeds of the SQLAlchemy blog posts this project follows:
//
//	basics     tables, inserts, typed queries, updates, deletes
//	zoo        the zoo benchmark's seven steps, with round trips and times
//	enum       the Enum Recipe, and the enumeration as a discriminator
//	profiles   three profiles: inheritance, a relationship, 11,000 objects
//	magic      the Magic declarative layer (package magic)
//	polyassoc  polymorphic associations, ActiveRecord style and normalized
//
// With no flags it runs on an in-memory SQLite database and needs no set-up:
//
//	go run ./cmd/retort-demo
//
// Flags:
//
//	-db URL-or-path   postgres://user:pass@host/db runs on PostgreSQL, in a
//	                  schema of its own (retort_demo) that it empties first;
//	                  anything else is a SQLite file path (default ":memory:")
//	-echo             print every statement sent (SQL, arguments, duration)
//	                  on stderr
//	-run a,b          run only the named scenarios (see -list)
//	-list             list the scenarios and exit
//
// Each scenario is a function in its own file, registered in scenarios.go;
// each one drops and recreates the tables it uses, so the demo can run again
// and again against the same database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/postgres"
	"github.com/retort-orm/retort/sqlite"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "retort-demo:", err)
		}
		os.Exit(1)
	}
}

// roundTrips counts the round trips to the database, for the scenarios that
// report them.
var roundTrips = &retort.Counter{}

// demoSchema is the PostgreSQL schema the demo works in, so that it never
// touches tables of the same name elsewhere in the database.
const demoSchema = "retort_demo"

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("retort-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", ":memory:", "`database`: a postgres:// URL, or a SQLite file path or :memory:")
	echo := fs.Bool("echo", false, "print every statement sent to the database on stderr")
	only := fs.String("run", "", "comma-separated `names` of the scenarios to run (default all)")
	list := fs.Bool("list", false, "list the scenarios and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *list {
		for _, s := range scenarios {
			fmt.Fprintf(stdout, "%-12s %s\n", s.name, s.title)
		}
		return nil
	}
	selected, err := selectScenarios(*only)
	if err != nil {
		return err
	}

	var echoer retort.Tracer
	if *echo {
		echoer = retort.Echo(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}
	db, closeDB, err := open(ctx, *dsn, retort.Tracers(roundTrips, echoer), stdout)
	if err != nil {
		return err
	}
	defer closeDB()

	for _, s := range selected {
		fmt.Fprintf(stdout, "\n== %s ==\n", s.title)
		if err := s.run(ctx, db, stdout); err != nil {
			return fmt.Errorf("scenario %s: %w", s.name, err)
		}
	}
	return nil
}

func selectScenarios(only string) ([]scenario, error) {
	if only == "" {
		return scenarios, nil
	}
	var out []scenario
	for name := range strings.SplitSeq(only, ",") {
		i := slices.IndexFunc(scenarios, func(s scenario) bool { return s.name == strings.TrimSpace(name) })
		if i < 0 {
			return nil, fmt.Errorf("no scenario %q (see -list)", name)
		}
		out = append(out, scenarios[i])
	}
	return out, nil
}

// open opens the database dsn names and says which one it is.
func open(ctx context.Context, dsn string, tracer retort.Tracer, out io.Writer) (retort.DB, func(), error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			// url.Parse repeats the URL, which may hold a password.
			return nil, nil, errors.New("-db: malformed postgres URL")
		}
		q := u.Query()
		q.Set("search_path", demoSchema)
		u.RawQuery = q.Encode()
		var opts []postgres.Option
		if tracer != nil {
			opts = append(opts, postgres.WithTracer(tracer))
		}
		db, err := postgres.Open(ctx, u.String(), opts...)
		if err != nil {
			return nil, nil, err
		}
		if _, err := db.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+retort.QuoteIdent(demoSchema)); err != nil {
			db.Close()
			return nil, nil, err
		}
		fmt.Fprintf(out, "database: PostgreSQL, schema %s\n", demoSchema)
		return db, db.Close, nil
	}
	var opts []sqlite.Option
	if tracer != nil {
		opts = append(opts, sqlite.WithTracer(tracer))
	}
	db, err := sqlite.Open(ctx, dsn, opts...)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(out, "database: SQLite %s\n", dsn)
	return db, func() { db.Close() }, nil
}
