package retort_test

// Secrets: SQL echo with retort.HideArgs keeps bind values out of the log,
// and a connection string's password never appears in an error or a log
// line.

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/postgres"
	"github.com/retort-orm/retort/session"
)

// scSecret is personal data that must not reach a production log.
type scSecret struct {
	ID    int64
	Owner string
	SSN   string
	Card  *string
}

var (
	scSecrets = retort.NewTable[scSecret]("sc_secret")
	scID      = retort.Col(scSecrets, "id", func(s *scSecret) *int64 { return &s.ID }, retort.PrimaryKey())
	scOwner   = retort.Col(scSecrets, "owner", func(s *scSecret) *string { return &s.Owner })
	scSSN     = retort.Col(scSecrets, "ssn", func(s *scSecret) *string { return &s.SSN }, retort.Unique())
	scCard    = retort.NullCol(scSecrets, "card", func(s *scSecret) **string { return &s.Card })
)

// syncBuffer is a log destination safe for the pool's goroutines.
type syncBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{mu: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

// With HideArgs, no bind value of any statement reaches the echo log:
// queries, inserts (PostgreSQL sends them as arrays), updates, deletes, a
// session's batched flush, and statements that fail. The log still shows
// the SQL and the number of arguments.
func TestEchoHideArgsKeepsValuesOut(t *testing.T) {
	logs := newSyncBuffer()
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dbtest.RunWith(t, dbtest.Options{Tracer: retort.Echo(logger, retort.HideArgs())}, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, scSecrets)
		secrets := []string{"ssn-111-22-3333", "card-4111111111111111", "owner-Zelda-Quux", "ssn-999", "new-ssn-444", "raw-secret-555"}
		before := len(logs.String())
		rows := []*scSecret{
			{Owner: secrets[2], SSN: secrets[0], Card: ptr(secrets[1])},
			{Owner: "x", SSN: secrets[3]},
		}
		if err := retort.Insert(scSecrets, rows...).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if _, err := retort.Select(scSecrets).Where(scSSN.Eq(secrets[0]), scOwner.In(secrets[2], "y")).All(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if _, err := retort.Update(scSecrets).Set(scSSN.To(secrets[4])).Where(scSSN.Eq(secrets[3])).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		if _, err := retort.Select(scSecrets).Where(retort.Raw("owner <> ?", secrets[5])).Count(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		s := session.New(env.DB)
		got, err := session.All(ctx, s, retort.Select(scSecrets).Where(scSSN.Eq(secrets[4])))
		if err != nil || len(got) != 1 {
			t.Fatalf("session query: %v %v", got, err)
		}
		got[0].Card = ptr(secrets[1] + "-changed")
		_ = session.Add(s, &scSecret{Owner: secrets[2] + "-2", SSN: secrets[0] + "-2"})
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		// A statement that fails: a unique violation with a secret value.
		if err := retort.Insert(scSecrets, &scSecret{Owner: "dup", SSN: secrets[0]}).Exec(ctx, env.DB); err == nil {
			t.Fatal("duplicate insert succeeded")
		}
		if _, err := retort.Delete(scSecrets).Where(scSSN.Eq(secrets[0])).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		out := logs.String()[before:]
		for _, sec := range secrets {
			if strings.Contains(out, sec) {
				t.Errorf("the echo log shows %q despite HideArgs:\n%s", sec, out)
			}
		}
		for _, want := range []string{`INSERT INTO \"sc_secret\"`, `UPDATE \"sc_secret\" SET`, `DELETE FROM \"sc_secret\"`, "args=", "level=ERROR"} {
			if !strings.Contains(out, want) {
				t.Errorf("the echo log lacks %q:\n%s", want, out)
			}
		}
	})
}

// The database's own error message may quote a bound value (PostgreSQL's
// "invalid input syntax for type integer: ..."). With HideArgs the echo log
// must not show it either.
func TestEchoHideArgsHidesValuesInErrors(t *testing.T) {
	logs := newSyncBuffer()
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dbtest.RunWith(t, dbtest.Options{Tracer: retort.Echo(logger, retort.HideArgs())}, func(t *testing.T, env *dbtest.Env) {
		if env.Dialect != retort.Postgres {
			t.Skip("PostgreSQL only: SQLite's messages do not quote values")
		}
		ctx := context.Background()
		env.Create(t, scSecrets)
		before := len(logs.String())
		const secret = "secret-not-a-number"
		_, err := retort.Select(scSecrets).Where(retort.Raw("id = CAST(CAST(? AS text) AS bigint)", secret)).All(ctx, env.DB)
		if err == nil {
			t.Fatal("the query succeeded")
		}
		if out := logs.String()[before:]; strings.Contains(out, secret) {
			t.Errorf("the echo log shows the value through the error text despite HideArgs:\n%s", out)
		}
	})
}

// errorChain lists err and every error it wraps.
func errorChain(err error) []error {
	var out []error
	stack := []error{err}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if e == nil {
			continue
		}
		out = append(out, e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			stack = append(stack, u.Unwrap())
		case interface{ Unwrap() []error }:
			stack = append(stack, u.Unwrap()...)
		}
	}
	return out
}

// A connection string's password appears in no error Open returns (nor any
// error it wraps, nor the echo log), whatever the failure: connection
// refused, bad syntax, bad options; as URL userinfo, as a URL query
// parameter, in key=value form, percent-encoded.
func TestOpenNeverPrintsPassword(t *testing.T) {
	const pw = "Pa55-w0rd-x9"
	cases := []struct {
		name, conn string
		secret     []string // forms of the password that must not appear
	}{
		{"refused URL", "postgres://u:" + pw + "@127.0.0.1:1/x?connect_timeout=5&sslmode=disable", nil},
		{"refused URL with encoded password", "postgres://u:" + url.PathEscape(pw+"@%/") + "@127.0.0.1:1/x?sslmode=disable", []string{pw + "@%/", url.PathEscape(pw + "@%/")}},
		{"refused query-parameter password", "postgres://u@127.0.0.1:1/x?password=" + pw + "&sslmode=disable", nil},
		{"refused key=value", "host=127.0.0.1 port=1 user=u password=" + pw + " dbname=x sslmode=disable", nil},
		{"refused quoted key=value", "host=127.0.0.1 port=1 user=u password='" + pw + " z' dbname=x sslmode=disable", nil},
		{"refused key = value with spaces", "host=127.0.0.1 port=1 user=u password = " + pw + " dbname=x sslmode=disable", nil},
		{"bad port", "postgres://u:" + pw + "@127.0.0.1:notaport/x", nil},
		{"bad option", "postgres://u:" + pw + "@127.0.0.1:1/x?sslmode=sometimes", nil},
		{"bad option after a query-parameter password", "postgres://u@127.0.0.1:1/x?password=" + pw + "&sslmode=sometimes", nil},
		{"bad option in key=value", "host=127.0.0.1 port=1 password=" + pw + " sslmode=sometimes", nil},
		{"malformed URL", "postgres://u:" + pw + "@[::1/x", nil},
		{"malformed key=value", "host=127.0.0.1 password='" + pw, nil},
		{"unknown scheme", "mysql://u:" + pw + "@127.0.0.1:1/x", nil},
		{"bad percent-encoding", "postgres://u:" + pw + "%zz@127.0.0.1:1/x", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			logs := newSyncBuffer()
			logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			db, err := postgres.Open(ctx, c.conn, postgres.WithEcho(logger))
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			secret := append([]string{pw}, c.secret...)
			for _, e := range errorChain(err) {
				for _, s := range secret {
					if strings.Contains(e.Error(), s) {
						t.Errorf("an error in the chain shows the password: %T %q", e, e.Error())
					}
				}
			}
			for _, s := range secret {
				if strings.Contains(logs.String(), s) {
					t.Errorf("the log shows the password:\n%s", logs.String())
				}
			}
			if !strings.HasPrefix(err.Error(), "postgres: open") {
				t.Errorf("error %q lacks the package prefix and operation", err)
			}
		})
	}
}

// A pool opened with a password in its URL (the throwaway cluster trusts
// local connections, so any password is accepted) never shows it later: not
// in the errors of failed statements, of a connection the server killed, or
// of a context that expired, and not in the echo log.
func TestConnectedPoolNeverPrintsPassword(t *testing.T) {
	base := dbtest.PostgresURL(t)
	const pw = "Pa55-w0rd-live"
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), pw)
	q := u.Query()
	q.Set("application_name", "retort_secret_test")
	u.RawQuery = q.Encode()
	logs := newSyncBuffer()
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	db, err := postgres.Open(ctx, u.String(), postgres.WithEcho(logger), postgres.WithMaxConns(1))
	if err != nil {
		for _, e := range errorChain(err) {
			if strings.Contains(e.Error(), pw) {
				t.Errorf("an error in the chain shows the password: %q", e.Error())
			}
		}
		t.Skipf("the test server refuses the password (it does not trust local connections): %v", err)
	}
	defer db.Close()
	admin, err := postgres.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()

	var errs []error
	_, err = db.Exec(ctx, "SELECT * FROM no_such_table")
	errs = append(errs, err)
	if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = 'retort_secret_test'"); err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(ctx, "SELECT 1")
	errs = append(errs, err)
	short, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	_, err = db.Exec(short, "SELECT pg_sleep(1)")
	errs = append(errs, err)
	for i, err := range errs {
		if err == nil {
			t.Errorf("statement %d succeeded", i)
			continue
		}
		for _, e := range errorChain(err) {
			if strings.Contains(e.Error(), pw) {
				t.Errorf("statement %d: an error in the chain shows the password: %q", i, e.Error())
			}
		}
	}
	if strings.Contains(logs.String(), pw) {
		t.Errorf("the log shows the password:\n%s", logs.String())
	}
	if !errors.Is(errs[2], context.DeadlineExceeded) {
		t.Errorf("expired context: %v", errs[2])
	}
}
