package session_test

// Fault tests: a flush that fails part way, for any reason, returns an error
// that errors.Is/As can classify, leaves nothing of itself in the database,
// leaves the session's objects and identity map as they were before the
// transaction, and can be retried once the cause is gone.
//
// Faults tried (PostgreSQL and SQLite unless marked):
//   - a unique violation and a foreign-key violation in the second round trip
//     of a large multi-table flush, and a unique violation by an UPDATE;
//   - a context cancelled before BEGIN, between two round trips of a flush,
//     while a statement runs (PostgreSQL) and at COMMIT;
//   - a writer holding the lock: SQLITE_BUSY on SQLite, lock_timeout on
//     PostgreSQL;
//   - PostgreSQL: the server connection terminated between two flushes of one
//     transaction, between two round trips of one flush, while a statement
//     runs, and part way through reading rows (retort.Select Iter and
//     session.Iter); a statement timeout; a serialization failure under
//     SERIALIZABLE.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/postgres"
	"github.com/retort-orm/retort/session"
	"github.com/retort-orm/retort/sqlite"
	zsqlite "zombiezen.com/go/sqlite"
)

// FaultParent and FaultChild are a parent table and a child table with a
// foreign key and unique columns, so that a flush can fail in its middle.
type FaultParent struct {
	ID      int64
	Name    string
	Balance int64
}

type FaultChild struct {
	ID       int64
	ParentID int64
	Label    string
	Parent   *FaultParent // followed by parentRel, not a column
}

// FaultAccount has no version column: the serialization test relies on the
// database alone.
type FaultAccount struct {
	ID      int64
	Owner   string
	Balance int64
}

// FaultBulk is a table of many wide rows, to be read while the connection
// dies.
type FaultBulk struct {
	ID      int64
	Payload string
}

var (
	FaultParents       = retort.NewTable[FaultParent]("fault_parent")
	FaultParentID      = retort.Col(FaultParents, "id", func(p *FaultParent) *int64 { return &p.ID }, retort.PrimaryKey())
	FaultParentName    = retort.Col(FaultParents, "name", func(p *FaultParent) *string { return &p.Name }, retort.Unique(), retort.Size(60))
	FaultParentBalance = retort.Col(FaultParents, "balance", func(p *FaultParent) *int64 { return &p.Balance })

	FaultChildren    = retort.NewTable[FaultChild]("fault_child")
	FaultChildID     = retort.Col(FaultChildren, "id", func(c *FaultChild) *int64 { return &c.ID }, retort.PrimaryKey())
	FaultChildParent = retort.Col(FaultChildren, "parent_id", func(c *FaultChild) *int64 { return &c.ParentID }).References(FaultParentID)
	FaultChildLabel  = retort.Col(FaultChildren, "label", func(c *FaultChild) *string { return &c.Label }, retort.Unique(), retort.Size(60))

	FaultAccounts       = retort.NewTable[FaultAccount]("fault_account")
	FaultAccountID      = retort.Col(FaultAccounts, "id", func(a *FaultAccount) *int64 { return &a.ID }, retort.PrimaryKey())
	FaultAccountOwner   = retort.Col(FaultAccounts, "owner", func(a *FaultAccount) *string { return &a.Owner })
	FaultAccountBalance = retort.Col(FaultAccounts, "balance", func(a *FaultAccount) *int64 { return &a.Balance })

	FaultBulks       = retort.NewTable[FaultBulk]("fault_bulk")
	FaultBulkID      = retort.Col(FaultBulks, "id", func(b *FaultBulk) *int64 { return &b.ID }, retort.PrimaryKey())
	FaultBulkPayload = retort.Col(FaultBulks, "payload", func(b *FaultBulk) *string { return &b.Payload })

	faultTables = []retort.Schema{FaultParents, FaultChildren, FaultAccounts, FaultBulks}
	_           = registerFault()
)

// onChildInsert, when set, runs in the BeforeInsert hook of FaultChildren.
// The hook of the first new child of a flush runs after the round trip that
// inserted its new parent (the child needs the parent's generated key), so
// it is a precise point between two round trips of one flush.
var onChildInsert atomic.Pointer[func(context.Context, *FaultChild) error]

func registerFault() bool {
	session.Relate(FaultChildren, parentRel[FaultChild, FaultParent]{
		get:  func(c *FaultChild) *FaultParent { return c.Parent },
		sync: func(c *FaultChild, p *FaultParent) { c.ParentID = p.ID },
	})
	session.BeforeInsert(FaultChildren, func(ctx context.Context, c *FaultChild) error {
		if h := onChildInsert.Load(); h != nil {
			return (*h)(ctx, c)
		}
		return nil
	})
	return true
}

// onFirstChild runs fn once, in the BeforeInsert hook of the first child
// inserted, until the test ends.
func onFirstChild(t *testing.T, fn func(ctx context.Context)) {
	var once sync.Once
	h := func(ctx context.Context, _ *FaultChild) error {
		once.Do(func() { fn(ctx) })
		return nil
	}
	onChildInsert.Store(&h)
	t.Cleanup(func() { onChildInsert.Store(nil) })
}

// faultWork is a session's objects for one fault: rows it loaded (some
// changed, some deleted) and new rows (parents with children).
type faultWork struct {
	parents  []*FaultParent // loaded
	children []*FaultChild  // loaded
	newP     []*FaultParent
	newC     []*FaultChild
}

func (w *faultWork) all() []any {
	var out []any
	for _, p := range w.parents {
		out = append(out, p)
	}
	for _, c := range w.children {
		out = append(out, c)
	}
	for _, p := range w.newP {
		out = append(out, p)
	}
	for _, c := range w.newC {
		out = append(out, c)
	}
	return out
}

var faultSeq atomic.Int64

// seedFault commits n parents with two children each.
func seedFault(t *testing.T, db retort.DB, n int) {
	t.Helper()
	ctx := context.Background()
	s := session.New(db)
	for i := range n {
		p := &FaultParent{Name: fmt.Sprintf("seed parent %d", i), Balance: 100}
		for j := range 2 {
			if err := session.Add(s, &FaultChild{Parent: p, Label: fmt.Sprintf("seed child %d.%d", i, j)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatalf("seed: %v", err)
	}
}

// prepareWork loads every parent and child into s, changes the balance of
// the first five parents, deletes the last child loaded, and adds newParents
// new parents with two new children each (added through the children, so
// the parents cascade in).
func prepareWork(t *testing.T, ctx context.Context, s *session.Session, newParents int) *faultWork {
	t.Helper()
	w := &faultWork{}
	var err error
	if w.parents, err = session.All(ctx, s, retort.Select(FaultParents).OrderBy(FaultParentID.Asc())); err != nil {
		t.Fatal(err)
	}
	if w.children, err = session.All(ctx, s, retort.Select(FaultChildren).OrderBy(FaultChildID.Asc())); err != nil {
		t.Fatal(err)
	}
	for _, p := range w.parents[:min(5, len(w.parents))] {
		p.Balance++
	}
	if len(w.children) > 0 {
		if err := session.Delete(s, w.children[len(w.children)-1]); err != nil {
			t.Fatal(err)
		}
	}
	tag := faultSeq.Add(1)
	for i := range newParents {
		p := &FaultParent{Name: fmt.Sprintf("new parent %d.%d", tag, i), Balance: int64(i)}
		w.newP = append(w.newP, p)
		for j := range 2 {
			c := &FaultChild{Parent: p, Label: fmt.Sprintf("new child %d.%d.%d", tag, i, j)}
			w.newC = append(w.newC, c)
			if err := session.Add(s, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	return w
}

// describeFault renders an object's columns.
func describeFault(o any) string {
	switch v := o.(type) {
	case *FaultParent:
		return fmt.Sprintf("parent{id=%d name=%q balance=%d}", v.ID, v.Name, v.Balance)
	case *FaultChild:
		if v.Parent != nil {
			return fmt.Sprintf("child{id=%d parent_id=%d parent=%q label=%q}", v.ID, v.ParentID, v.Parent.Name, v.Label)
		}
		return fmt.Sprintf("child{id=%d parent_id=%d label=%q}", v.ID, v.ParentID, v.Label)
	case *FaultAccount:
		return fmt.Sprintf("account{id=%d owner=%q balance=%d}", v.ID, v.Owner, v.Balance)
	case *FaultBulk:
		return fmt.Sprintf("bulk{id=%d}", v.ID)
	}
	return fmt.Sprint(o)
}

func faultKey(o any) session.Key {
	switch v := o.(type) {
	case *FaultParent:
		return session.Key{Table: "fault_parent", Int: v.ID}
	case *FaultChild:
		return session.Key{Table: "fault_child", Int: v.ID}
	case *FaultAccount:
		return session.Key{Table: "fault_account", Int: v.ID}
	case *FaultBulk:
		return session.Key{Table: "fault_bulk", Int: v.ID}
	}
	panic(fmt.Sprintf("no key for %T", o))
}

// sessionView describes what s knows of objs: status, whether modified,
// column values, and whether a persistent object is the identity map's
// object for its key. It also lists every key of the fault tables the
// identity map holds, up to maxID, so that a key generated by a failed flush
// and left behind shows up.
func sessionView(s *session.Session, maxID int64, objs ...any) []string {
	var out []string
	for _, o := range objs {
		line := fmt.Sprintf("%v modified=%v %s", s.StatusOf(o), s.IsModified(o), describeFault(o))
		if s.StatusOf(o) == session.Persistent {
			if got, ok := s.Lookup(faultKey(o)); !ok || got != o {
				line += " (not the identity map's object for its key)"
			}
		}
		out = append(out, line)
	}
	for _, table := range []string{"fault_parent", "fault_child", "fault_account", "fault_bulk"} {
		var keys []int64
		for id := int64(1); id <= maxID; id++ {
			if _, ok := s.Lookup(session.Key{Table: table, Int: id}); ok {
				keys = append(keys, id)
			}
		}
		out = append(out, fmt.Sprintf("identity map %s: %v", table, keys))
	}
	out = append(out, fmt.Sprintf("objects in the session: %d", s.Len()))
	return out
}

// dbView reads every row of the fault tables through db (the pool, not the
// session's connection).
func dbView(t *testing.T, db retort.DB) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	ps, err := retort.Select(FaultParents).OrderBy(FaultParentID.Asc()).All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		out = append(out, describeFault(p))
	}
	cs, err := retort.Select(FaultChildren).OrderBy(FaultChildID.Asc()).All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		out = append(out, describeFault(c))
	}
	as, err := retort.Select(FaultAccounts).OrderBy(FaultAccountID.Asc()).All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		out = append(out, describeFault(a))
	}
	return out
}

// failure is what a test checks after a failed flush.
type failure struct {
	db      retort.DB // a separate pool to read the database through
	s       *session.Session
	objs    []any
	maxID   int64
	session []string
	rows    []string
}

// before records the session and the database before the flush.
func before(t *testing.T, db retort.DB, s *session.Session, maxID int64, objs []any) *failure {
	t.Helper()
	return &failure{db: db, s: s, objs: objs, maxID: maxID, session: sessionView(s, maxID, objs...), rows: dbView(t, db)}
}

// unchanged checks that nothing of the failed flush reached the database and
// that the session is as it was.
func (f *failure) unchanged(t *testing.T, what string) {
	t.Helper()
	if diff := cmp.Diff(f.rows, dbView(t, f.db)); diff != "" {
		t.Errorf("%s: the database changed (partial write) (-before +after):\n%s", what, diff)
	}
	if diff := cmp.Diff(f.session, sessionView(f.s, f.maxID, f.objs...)); diff != "" {
		t.Errorf("%s: the session changed (-before +after):\n%s", what, diff)
	}
	if f.s.InTransaction() {
		t.Errorf("%s: the session still has a transaction open", what)
	}
}

// modified records that the program changed obj (a persistent object) after
// the "before" picture was taken: the failed flush must keep the change.
func (f *failure) modified(obj any) {
	for i, o := range f.objs {
		if o == obj {
			f.session[i] = fmt.Sprintf("%v modified=%v %s", session.Persistent, true, describeFault(obj))
		}
	}
}

// committed checks, after a successful retry, that every new object has its
// key, every new child points at its parent's row, and the database holds
// what the session wrote.
func (w *faultWork) committed(t *testing.T, s *session.Session, db retort.DB) {
	t.Helper()
	ctx := context.Background()
	for _, o := range w.all() {
		st := s.StatusOf(o)
		if st != session.Persistent && st != session.Detached {
			t.Fatalf("after retry: %s is %v", describeFault(o), st)
		}
	}
	byID := map[int64]*FaultChild{}
	cs, err := retort.Select(FaultChildren).All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		byID[c.ID] = c
	}
	for _, c := range w.newC {
		got := byID[c.ID]
		if c.ID == 0 || got == nil || got.Label != c.Label || got.ParentID != c.Parent.ID || c.ParentID != c.Parent.ID || c.Parent.ID == 0 {
			t.Fatalf("after retry: child %s in the database is %v, its parent %s", describeFault(c), got, describeFault(c.Parent))
		}
	}
	for _, p := range w.parents {
		got, err := retort.Select(FaultParents).Where(FaultParentID.Eq(p.ID)).One(ctx, db)
		if err != nil || got.Balance != p.Balance || got.Name != p.Name {
			t.Fatalf("after retry: parent %s in the database is %v, %v", describeFault(p), got, err)
		}
		if s.IsModified(p) {
			t.Errorf("after retry: %s still modified", describeFault(p))
		}
	}
	if len(w.children) > 0 {
		last := w.children[len(w.children)-1]
		if n, _ := retort.Select(FaultChildren).Where(FaultChildID.Eq(last.ID)).Count(ctx, db); n != 0 {
			t.Errorf("after retry: deleted child %d still there", last.ID)
		}
	}
}

// pgCode returns the SQLSTATE of the PostgreSQL error in err's chain, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// withParams returns env's PostgreSQL URL with extra query parameters
// (runtime parameters such as statement_timeout, application_name).
func withParams(t *testing.T, env *dbtest.Env, params map[string]string) string {
	t.Helper()
	u, err := url.Parse(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, v := range params {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// closing rolls s back when the test ends, so that a test failing in the
// middle of a transaction returns its connection before the pool closes.
func closing(t *testing.T, s *session.Session) *session.Session {
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

var appSeq atomic.Int64

// namedPool opens a pool of one connection whose backend is found by its
// application_name, with extra runtime parameters.
func namedPool(t *testing.T, env *dbtest.Env, params map[string]string) (*postgres.DB, string) {
	t.Helper()
	return namedPoolN(t, env, params, 1)
}

// namedPoolN is namedPool with up to conns connections.
func namedPoolN(t *testing.T, env *dbtest.Env, params map[string]string, conns int32) (*postgres.DB, string) {
	t.Helper()
	app := fmt.Sprintf("retort_fault_%d_%d", time.Now().UnixNano()%1e9, appSeq.Add(1))
	p := map[string]string{"application_name": app}
	for k, v := range params {
		p[k] = v
	}
	db, err := postgres.Open(context.Background(), withParams(t, env, p), postgres.WithMaxConns(conns))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db, app
}

// backendPID waits until a backend of application app matches cond (SQL
// over pg_stat_activity's columns) and returns its pid.
func backendPID(t *testing.T, admin retort.DB, app, cond string) int32 {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		rows, err := admin.Query(ctx, "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND "+cond, app)
		if err != nil {
			t.Error(err)
			return 0
		}
		var pid int32
		found := false
		for rows.Next() {
			if err := rows.Scan(&pid); err != nil {
				t.Error(err)
			}
			found = true
		}
		rows.Close()
		if found {
			return pid
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Errorf("no backend of %s with %s", app, cond)
	return 0
}

// terminate kills the backend of application app (matching cond) from the
// admin pool and waits until it is gone.
func terminate(t *testing.T, admin retort.DB, app, cond string) {
	t.Helper()
	pid := backendPID(t, admin, app, cond)
	if pid == 0 {
		return
	}
	rows, err := admin.Query(context.Background(), "SELECT pg_terminate_backend($1, 5000)", pid)
	if err != nil {
		t.Error(err)
		return
	}
	var ok bool
	for rows.Next() {
		_ = rows.Scan(&ok)
	}
	rows.Close()
	if !ok {
		t.Errorf("pg_terminate_backend(%d) did not terminate it", pid)
	}
}

// connectionLost reports whether err says the server connection died: the
// server's FATAL admin_shutdown (57P01) when the client read it, or the
// closed connection otherwise.
func connectionLost(err error) bool {
	if pgCode(err) == "57P01" {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "unexpected EOF") || strings.Contains(msg, "conn closed") ||
		strings.Contains(msg, "connection reset") || strings.Contains(msg, "broken pipe") || strings.Contains(msg, "closed network connection")
}

// sleepTrigger makes every INSERT into fault_child sleep for d first.
func sleepTrigger(t *testing.T, db retort.DB, d time.Duration) (drop func()) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		fmt.Sprintf(`CREATE FUNCTION fault_sleep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(%g); RETURN NULL; END $$`, d.Seconds()),
		`CREATE TRIGGER fault_sleep BEFORE INSERT ON fault_child FOR EACH STATEMENT EXECUTE FUNCTION fault_sleep()`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		t.Helper()
		for _, q := range []string{`DROP TRIGGER fault_sleep ON fault_child`, `DROP FUNCTION fault_sleep()`} {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// commitSleepTrigger makes a COMMIT that follows INSERTs into fault_child
// sleep for d (a deferred constraint trigger, once per transaction).
func commitSleepTrigger(t *testing.T, db retort.DB, d time.Duration) (drop func()) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		fmt.Sprintf(`CREATE FUNCTION fault_commit_sleep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
			IF current_setting('fault.slept', true) IS DISTINCT FROM 'y' THEN
				PERFORM set_config('fault.slept', 'y', true);
				PERFORM pg_sleep(%g);
			END IF;
			RETURN NULL; END $$`, d.Seconds()),
		`CREATE CONSTRAINT TRIGGER fault_commit_sleep AFTER INSERT ON fault_child DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fault_commit_sleep()`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		t.Helper()
		for _, q := range []string{`DROP TRIGGER fault_commit_sleep ON fault_child`, `DROP FUNCTION fault_commit_sleep()`} {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func skipUnlessPostgres(t *testing.T, env *dbtest.Env, why string) {
	t.Helper()
	if env.Dialect != retort.Postgres {
		t.Skip("PostgreSQL only: " + why)
	}
}

const faultMaxID = 5000

// A unique or foreign-key violation in the middle of a large flush over two
// tables (updates, a delete, 1,000 new parents and 2,000 new children): the
// parents' round trip succeeded, the children's fails.
func TestFaultConstraintMidFlush(t *testing.T) {
	cases := []struct {
		name    string
		breakIt func(w *faultWork) (fix func())
		pg      string
		lite    zsqlite.ResultCode
	}{
		{"unique violation by a new child", func(w *faultWork) func() {
			c := w.newC[1500]
			old := c.Label
			c.Label = w.children[0].Label
			return func() { c.Label = old }
		}, "23505", zsqlite.ResultConstraintUnique},
		{"foreign-key violation by a new child", func(w *faultWork) func() {
			c := w.newC[1000]
			p := c.Parent
			c.Parent, c.ParentID = nil, 999999
			return func() { c.Parent = p }
		}, "23503", zsqlite.ResultConstraintForeignKey},
		{"unique violation by an update", func(w *faultWork) func() {
			p := w.parents[3]
			old := p.Name
			p.Name = w.parents[7].Name
			return func() { p.Name = old }
		}, "23505", zsqlite.ResultConstraintUnique},
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, faultTables...)
		seedFault(t, env.DB, 20)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := session.New(env.DB)
				w := prepareWork(t, ctx, s, 1000)
				fix := c.breakIt(w)
				f := before(t, env.DB, s, faultMaxID, w.all())
				err := s.Commit(ctx)
				if err == nil {
					t.Fatal("commit succeeded")
				}
				t.Logf("error: %v", err)
				if env.Dialect == retort.Postgres {
					if got := pgCode(err); got != c.pg {
						t.Errorf("SQLSTATE %q, want %q (errors.As *pgconn.PgError): %v", got, c.pg, err)
					}
				} else if got := zsqlite.ErrCode(err); got != c.lite {
					t.Errorf("SQLite code %v, want %v: %v", got, c.lite, err)
				}
				f.unchanged(t, c.name)
				fix()
				if err := s.Commit(ctx); err != nil {
					t.Fatalf("retry: %v", err)
				}
				w.committed(t, s, env.DB)
			})
		}
	})
}

// A context cancelled at each phase of a flush: before BEGIN (in a
// BeforeFlush hook), between the parents' and the children's round trips (in
// a BeforeInsert hook), while a statement runs (PostgreSQL: a trigger
// sleeps), and at COMMIT (in an AfterFlush hook of an explicit Flush; the
// Commit that follows has nothing to flush, so COMMIT travels alone).
func TestFaultCancelPhases(t *testing.T) {
	type armed struct {
		opts       []session.Option
		db         retort.DB // the session's database; env.DB when nil
		clear      func()    // removes the cause before the retry
		flushFirst bool      // Flush, then Commit (whose COMMIT then travels alone)
	}
	type phase struct {
		name   string
		pgOnly string
		arm    func(t *testing.T, env *dbtest.Env, cancel context.CancelFunc) armed
	}
	phases := []phase{
		{name: "before begin", arm: func(t *testing.T, _ *dbtest.Env, cancel context.CancelFunc) armed {
			return armed{opts: []session.Option{session.BeforeFlush(func(context.Context, *session.Session) error { cancel(); return nil })}}
		}},
		{name: "between round trips", arm: func(t *testing.T, _ *dbtest.Env, cancel context.CancelFunc) armed {
			onFirstChild(t, func(context.Context) { cancel() })
			return armed{clear: func() { onChildInsert.Store(nil) }}
		}},
		{name: "during a statement", pgOnly: "SQLite has no server-side sleep to cancel", arm: func(t *testing.T, env *dbtest.Env, cancel context.CancelFunc) armed {
			db, app := namedPool(t, env, nil)
			drop := sleepTrigger(t, env.DB, 5*time.Second)
			done := make(chan struct{})
			go func() {
				defer close(done)
				backendPID(t, env.DB, app, "wait_event = 'PgSleep'")
				cancel()
			}()
			return armed{db: db, clear: func() { <-done; drop() }}
		}},
		{name: "while COMMIT runs", pgOnly: "SQLite has no server-side sleep to cancel", arm: func(t *testing.T, env *dbtest.Env, cancel context.CancelFunc) armed {
			// The COMMIT sleeps in a deferred trigger: cancelled then, the
			// server cancels it, nothing is written, and the error matches
			// context.Canceled.
			db, app := namedPool(t, env, nil)
			drop := commitSleepTrigger(t, env.DB, 5*time.Second)
			done := make(chan struct{})
			go func() {
				defer close(done)
				backendPID(t, env.DB, app, "wait_event = 'PgSleep'")
				cancel()
			}()
			return armed{db: db, clear: func() { <-done; drop() }}
		}},
		{name: "at commit", arm: func(t *testing.T, _ *dbtest.Env, cancel context.CancelFunc) armed {
			return armed{flushFirst: true, opts: []session.Option{session.AfterFlush(func(context.Context, *session.Session) error { cancel(); return nil })}}
		}},
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		env.Create(t, faultTables...)
		seedFault(t, env.DB, 10)
		for _, ph := range phases {
			t.Run(ph.name, func(t *testing.T) {
				if ph.pgOnly != "" {
					skipUnlessPostgres(t, env, ph.pgOnly)
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				a := ph.arm(t, env, cancel)
				db := a.db
				if db == nil {
					db = env.DB
				}
				s := closing(t, session.New(db, a.opts...))
				w := prepareWork(t, context.Background(), s, 50)
				f := before(t, env.DB, s, faultMaxID, w.all())
				start := time.Now()
				var err error
				if a.flushFirst {
					err = s.Flush(ctx)
				}
				if err == nil {
					err = s.Commit(ctx)
				}
				if a.clear != nil {
					a.clear()
				}
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("commit: %v, want an error matching context.Canceled", err)
				}
				t.Logf("error after %v: %v", time.Since(start).Round(time.Millisecond), err)
				f.unchanged(t, ph.name)
				if err := s.Commit(context.Background()); err != nil {
					t.Fatalf("retry: %v", err)
				}
				w.committed(t, s, env.DB)
			})
		}
	})
}

// The server connection terminated (pg_terminate_backend from a second
// connection) between two flushes of one transaction, between two round
// trips of one flush, and while a statement of the flush runs.
func TestFaultConnectionKilled(t *testing.T) {
	type kill struct {
		name string
		// arm sets up the kill; flush runs the failing commit (after an
		// optional earlier flush) and returns its error.
		run func(t *testing.T, env *dbtest.Env, s *session.Session, app string, more func()) error
	}
	kills := []kill{
		{"between two flushes of a transaction", func(t *testing.T, env *dbtest.Env, s *session.Session, app string, more func()) error {
			ctx := context.Background()
			if err := s.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			terminate(t, env.DB, app, "state = 'idle in transaction'")
			more()
			return s.Commit(ctx)
		}},
		{"between two round trips of a flush", func(t *testing.T, env *dbtest.Env, s *session.Session, app string, more func()) error {
			onFirstChild(t, func(context.Context) { terminate(t, env.DB, app, "state = 'idle in transaction'") })
			more()
			err := s.Commit(context.Background())
			onChildInsert.Store(nil)
			return err
		}},
		{"while a statement runs", func(t *testing.T, env *dbtest.Env, s *session.Session, app string, more func()) error {
			drop := sleepTrigger(t, env.DB, 5*time.Second)
			defer drop()
			done := make(chan struct{})
			go func() {
				defer close(done)
				terminate(t, env.DB, app, "wait_event = 'PgSleep'")
			}()
			more()
			err := s.Commit(context.Background())
			<-done
			return err
		}},
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		skipUnlessPostgres(t, env, "pg_terminate_backend kills a server connection; SQLite has none")
		env.Create(t, faultTables...)
		seedFault(t, env.DB, 10)
		for _, k := range kills {
			t.Run(k.name, func(t *testing.T) {
				db, app := namedPool(t, env, nil)
				s := closing(t, session.New(db))
				w := prepareWork(t, context.Background(), s, 50)
				f := before(t, env.DB, s, faultMaxID, w.all())
				// A change made after a first flush of the transaction: it
				// is written by the failing flush, and must be kept.
				more := func() {
					w.parents[0].Balance += 10
					f.modified(w.parents[0])
				}
				err := k.run(t, env, s, app, more)
				if err == nil {
					t.Fatal("commit on a terminated connection succeeded")
				}
				t.Logf("error: %v", err)
				if !connectionLost(err) {
					t.Errorf("error does not say the connection was lost: %v", err)
				}
				f.unchanged(t, k.name)
				if err := s.Commit(context.Background()); err != nil {
					t.Fatalf("retry on a new connection: %v", err)
				}
				w.committed(t, s, env.DB)
			})
		}
	})
}

// A statement timeout (statement_timeout in the pool's URL) while a trigger
// sleeps: SQLSTATE 57014; the retry succeeds once the trigger is gone.
func TestFaultStatementTimeout(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		skipUnlessPostgres(t, env, "statement_timeout is a PostgreSQL setting")
		ctx := context.Background()
		env.Create(t, faultTables...)
		seedFault(t, env.DB, 10)
		db, _ := namedPool(t, env, map[string]string{"statement_timeout": "200"})
		drop := sleepTrigger(t, env.DB, 3*time.Second)
		s := closing(t, session.New(db))
		w := prepareWork(t, ctx, s, 50)
		f := before(t, env.DB, s, faultMaxID, w.all())
		start := time.Now()
		err := s.Commit(ctx)
		took := time.Since(start)
		if code := pgCode(err); code != "57014" {
			t.Fatalf("commit: %v (SQLSTATE %q), want query_canceled 57014", err, code)
		}
		t.Logf("error after %v: %v", took.Round(time.Millisecond), err)
		if took > 2*time.Second {
			t.Errorf("the timeout took %v", took)
		}
		f.unchanged(t, "statement timeout")
		drop()
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("retry: %v", err)
		}
		w.committed(t, s, env.DB)
	})
}

// Another writer holds the lock the flush needs: on SQLite a second pool on
// the same file with a short busy timeout fails with SQLITE_BUSY; on
// PostgreSQL a pool with lock_timeout fails with lock_not_available (55P03)
// on a row another transaction locked.
func TestFaultLockedByAnotherWriter(t *testing.T) {
	dbtest.RunWith(t, dbtest.Options{SQLiteFile: true}, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, faultTables...)
		seedFault(t, env.DB, 10)
		var db retort.DB
		if env.Dialect == retort.SQLite {
			lite, err := sqlite.Open(ctx, env.Path, sqlite.WithBusyTimeout(50*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { lite.Close() })
			db = lite
		} else {
			db, _ = namedPool(t, env, map[string]string{"lock_timeout": "200"})
		}
		s := closing(t, session.New(db))
		w := prepareWork(t, ctx, s, 50)
		f := before(t, env.DB, s, faultMaxID, w.all())

		// The other writer: a transaction that wrote (SQLite: holds the
		// write lock) or locked the first parent's row (PostgreSQL).
		other, err := env.DB.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Exec(ctx, `UPDATE "fault_parent" SET "balance" = "balance" WHERE "id" = `+placeholder(env)+``, w.parents[0].ID); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		err = s.Commit(ctx)
		took := time.Since(start)
		if env.Dialect == retort.SQLite {
			if code := zsqlite.ErrCode(err); code.ToPrimary() != zsqlite.ResultBusy {
				t.Fatalf("commit: %v (code %v), want SQLITE_BUSY", err, code)
			}
		} else if code := pgCode(err); code != "55P03" {
			t.Fatalf("commit: %v (SQLSTATE %q), want lock_not_available 55P03", err, code)
		}
		t.Logf("error after %v: %v", took.Round(time.Millisecond), err)
		if err := other.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		f.unchanged(t, "locked")
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("retry: %v", err)
		}
		w.committed(t, s, env.DB)
	})
}

func placeholder(env *dbtest.Env) string {
	if env.Dialect == retort.Postgres {
		return "$1"
	}
	return "?"
}

// Two sessions over pools whose connections default to SERIALIZABLE run a
// read-modify-write of two accounts (write skew): each reads both balances,
// then changes a different one. The second to commit fails with
// serialization_failure (40001); refreshed and redone, it succeeds.
func TestFaultSerializationFailure(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		skipUnlessPostgres(t, env, "SQLite serializes writers with a lock, it has no serialization failures")
		ctx := context.Background()
		env.Create(t, faultTables...)
		seed := session.New(env.DB)
		_ = session.AddAll(seed, &FaultAccount{Owner: "alice", Balance: 100}, &FaultAccount{Owner: "bob", Balance: 100})
		if err := seed.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		serializable := map[string]string{"default_transaction_isolation": "serializable"}
		db1, _ := namedPool(t, env, serializable)
		db2, _ := namedPool(t, env, serializable)
		// read opens the session's transaction and reads both accounts in
		// it: a session opens its transaction at its first flush, or at a
		// savepoint, which is released at once.
		read := func(s *session.Session) []*FaultAccount {
			t.Helper()
			sp, err := s.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			as, err := session.All(ctx, s, retort.Select(FaultAccounts).OrderBy(FaultAccountID.Asc()), session.PopulateExisting())
			if err != nil || len(as) != 2 {
				t.Fatalf("read: %v %v", as, err)
			}
			if err := sp.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			return as
		}
		// withdraw takes 150 from account i if the two balances cover it.
		withdraw := func(as []*FaultAccount, i int) {
			if as[0].Balance+as[1].Balance >= 150 {
				as[i].Balance -= 150
			}
		}
		s1, s2 := closing(t, session.New(db1)), closing(t, session.New(db2))
		a1, a2 := read(s1), read(s2)
		withdraw(a1, 0)
		withdraw(a2, 1)
		if err := s1.Commit(ctx); err != nil {
			t.Fatalf("first commit: %v", err)
		}
		f := before(t, env.DB, s2, faultMaxID, []any{a2[0], a2[1]})
		err := s2.Commit(ctx)
		if code := pgCode(err); code != "40001" {
			t.Fatalf("second commit: %v (SQLSTATE %q), want serialization_failure 40001", err, code)
		}
		t.Logf("error: %v", err)
		// The transaction is rolled back: bob's withdrawal is in memory
		// only.
		if !s2.IsModified(a2[1]) || a2[1].Balance != -50 {
			t.Errorf("bob after the failure: modified %v balance %d", s2.IsModified(a2[1]), a2[1].Balance)
		}
		f.unchanged(t, "serialization failure")
		// Retry: discard the stale change, then redo the read-modify-write
		// in a new transaction. The rule now refuses the second withdrawal.
		for _, a := range a2 {
			if err := session.Refresh(ctx, s2, a); err != nil {
				t.Fatal(err)
			}
		}
		a2 = read(s2)
		if a2[0].Balance != -50 || a2[1].Balance != 100 {
			t.Fatalf("reread: %s %s", describeFault(a2[0]), describeFault(a2[1]))
		}
		withdraw(a2, 1)
		if err := s2.Commit(ctx); err != nil {
			t.Fatalf("retry: %v", err)
		}
		got := dbView(t, env.DB)
		want := []string{`account{id=1 owner="alice" balance=-50}`, `account{id=2 owner="bob" balance=100}`}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("accounts (-want +got):\n%s", diff)
		}
	})
}

// The connection terminated part way through reading 100,000 wide rows,
// with retort.Select(...).Iter and with session.Iter: the iteration ends
// with an error; a second iteration reads every row, and the session's
// objects read before the failure are the ones it returns again.
func TestFaultKilledMidIteration(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		skipUnlessPostgres(t, env, "pg_terminate_backend kills a server connection; SQLite has none")
		ctx := context.Background()
		env.Create(t, faultTables...)
		const total = 100000
		if _, err := env.DB.Exec(ctx, `INSERT INTO "fault_bulk" ("id", "payload") SELECT g, repeat('x', 300) FROM generate_series(1, $1::int) AS g`, total); err != nil {
			t.Fatal(err)
		}
		for _, viaSession := range []bool{false, true} {
			name := "retort.Select Iter"
			if viaSession {
				name = "session.Iter"
			}
			t.Run(name, func(t *testing.T) {
				db, app := namedPool(t, env, nil)
				s := closing(t, session.New(db))
				q := retort.Select(FaultBulks).OrderBy(FaultBulkID.Asc())
				iterate := func() func(yield func(*FaultBulk, error) bool) {
					if viaSession {
						return session.Iter(ctx, s, q)
					}
					return q.Iter(ctx, db)
				}
				var seen []*FaultBulk
				var iterErr error
				for b, err := range iterate() {
					if err != nil {
						iterErr = err
						break
					}
					seen = append(seen, b)
					if len(seen) == 1000 {
						terminate(t, env.DB, app, "pid <> pg_backend_pid()")
					}
				}
				if iterErr == nil {
					t.Fatalf("read all %d rows from a terminated connection", len(seen))
				}
				t.Logf("error after %d rows: %v", len(seen), iterErr)
				if !connectionLost(iterErr) {
					t.Errorf("error does not say the connection was lost: %v", iterErr)
				}
				if len(seen) >= total {
					t.Errorf("%d rows read", len(seen))
				}
				for i, b := range seen {
					if b.ID != int64(i+1) || len(b.Payload) != 300 {
						t.Fatalf("row %d before the failure: id %d, %d bytes", i, b.ID, len(b.Payload))
					}
				}
				if viaSession && s.Len() != len(seen) {
					t.Errorf("session holds %d objects, %d were read", s.Len(), len(seen))
				}
				n := 0
				for b, err := range iterate() {
					if err != nil {
						t.Fatalf("retry after %d rows: %v", n, err)
					}
					if b.ID != int64(n+1) {
						t.Fatalf("retry: row %d has id %d", n, b.ID)
					}
					if viaSession && n < len(seen) && b != seen[n] {
						t.Fatalf("retry: row %d is a new object, not the one the session loaded", n)
					}
					n++
				}
				if n != total {
					t.Errorf("retry read %d rows, want %d", n, total)
				}
			})
		}
	})
}

// A failed flush puts back the foreign-key values relationships copied into
// the objects it tried to insert.
func TestFaultRestoresForeignKeys(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, faultTables...)
		seedFault(t, env.DB, 1)
		s := session.New(env.DB)
		p := &FaultParent{Name: "parent"}
		c := &FaultChild{Parent: p, Label: "seed child 0.0"} // a duplicate label
		_ = session.Add(s, c)
		if err := s.Commit(ctx); err == nil {
			t.Fatal("commit succeeded")
		}
		if p.ID != 0 || c.ParentID != 0 {
			t.Errorf("after the failed flush: parent id %d, child's parent_id %d; want both 0 as before the flush", p.ID, c.ParentID)
		}
	})
}

// A failed flush puts back the version of a versioned object whose UPDATE
// succeeded before a later statement of the flush failed.
func TestFaultRestoresVersion(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, tables...)
		seed := session.New(env.DB)
		_ = session.Add(seed, &Author{Name: "versioned"})
		if err := seed.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		s := session.New(env.DB)
		a, err := session.One(ctx, s, retort.Select(Authors).Where(AuthorName.Eq("versioned")))
		if err != nil || a.Version != 1 {
			t.Fatalf("load: %+v %v", a, err)
		}
		a.Email = ptr("changed")
		orphan := &Book{AuthorID: 999999, Title: "no such author"} // fails after the author's UPDATE
		_ = session.Add(s, orphan)
		if err := s.Commit(ctx); pgCode(err) != "23503" && zsqlite.ErrCode(err) != zsqlite.ResultConstraintForeignKey {
			t.Fatalf("commit: %v, want a foreign-key violation", err)
		}
		if a.Version != 1 {
			t.Errorf("version after the failed flush = %d, want 1 (the UPDATE that set it was rolled back)", a.Version)
		}
		orphan.AuthorID = a.ID
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("retry: %v", err)
		}
		if a.Version != 2 {
			t.Errorf("version after the retry = %d, want 2", a.Version)
		}
	})
}

// Objects added between two flushes of one transaction are pending when a
// later flush of that transaction fails, so that the retry writes them.
func TestFaultKeepsObjectsAddedBetweenFlushes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, faultTables...)
		seedFault(t, env.DB, 1)
		s := session.New(env.DB)
		first := &FaultParent{Name: "first"}
		_ = session.Add(s, first)
		if err := s.Flush(ctx); err != nil { // opens the transaction
			t.Fatal(err)
		}
		late := &FaultParent{Name: "added after the first flush"}
		dup := &FaultParent{Name: "seed parent 0"}
		_ = session.AddAll(s, late, dup)
		if err := s.Commit(ctx); pgCode(err) != "23505" && zsqlite.ErrCode(err) != zsqlite.ResultConstraintUnique {
			t.Fatalf("commit: %v, want a unique violation", err)
		}
		if got := s.StatusOf(late); got != session.Pending {
			t.Errorf("object added between flushes is %v after the failed flush, want pending", got)
		}
		dup.Name = "fixed"
		if err := s.Commit(ctx); err != nil {
			t.Fatalf("retry: %v", err)
		}
		n, err := retort.Select(FaultParents).Where(FaultParentName.Eq(late.Name)).Count(ctx, env.DB)
		if err != nil || n != 1 {
			t.Errorf("the retry wrote %d rows of the object added between flushes (%v), want 1", n, err)
		}
	})
}

// A COMMIT that fails after a successful flush (the context is cancelled in
// the AfterFlush hook of an explicit Flush; the Commit that follows has
// nothing to flush, so COMMIT travels alone)
// restores what that flush wrote into objects, as a failed flush does: the
// version of an updated object, the generated key of a new parent and the
// foreign key its new child took from it.
func TestFaultCommitFailureRestores(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		env.Create(t, tables...)
		seed := session.New(env.DB)
		_ = session.Add(seed, &Author{Name: "versioned"})
		doomed := &Author{Name: "doomed"}
		_ = session.Add(seed, doomed)
		if err := seed.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := session.New(env.DB, session.AfterFlush(func(context.Context, *session.Session) error { cancel(); return nil }))
		a, err := session.One(ctx, s, retort.Select(Authors).Where(AuthorName.Eq("versioned")))
		if err != nil || a.Version != 1 {
			t.Fatalf("load: %+v %v", a, err)
		}
		d, err := session.Get(ctx, s, Authors, doomed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := session.Delete(s, d); err != nil {
			t.Fatal(err)
		}
		a.Email = ptr("changed")
		newAuthor := &Author{Name: "new"}
		book := &Book{Author: newAuthor, Title: "new book"}
		_ = session.Add(s, book)
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		err = s.Commit(ctx)
		if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "session: commit") {
			t.Fatalf("commit: %v, want a failed COMMIT matching context.Canceled", err)
		}
		if a.Version != 1 || newAuthor.ID != 0 || book.ID != 0 || book.AuthorID != 0 {
			t.Errorf("after the failed COMMIT: version %d (want 1), new author id %d, book id %d, book's author_id %d (want 0, 0, 0)",
				a.Version, newAuthor.ID, book.ID, book.AuthorID)
		}
		if err := s.Commit(context.Background()); err != nil {
			t.Fatalf("retry: %v", err)
		}
		if s.StatusOf(d) != session.Detached {
			t.Errorf("the deleted author is %v after the retry, want detached", s.StatusOf(d))
		}
		if a.Version != 2 || book.AuthorID != newAuthor.ID || newAuthor.ID == 0 {
			t.Errorf("after the retry: version %d, book's author_id %d, new author %d", a.Version, book.AuthorID, newAuthor.ID)
		}
	})
}

// slowProxy forwards TCP connections to target; while delay is set, what
// the server sends reaches the client that much later.
func slowProxy(t *testing.T, target string, delay *atomic.Int64) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			go func() { _, _ = io.Copy(server, client); server.Close() }()
			go func() {
				defer client.Close()
				buf := make([]byte, 32<<10)
				for {
					n, err := server.Read(buf)
					if n > 0 {
						time.Sleep(time.Duration(delay.Load()))
						if _, werr := client.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// A context that ends after the COMMIT reached the server but before its
// answer came back (the answer delayed by a proxy): the commit succeeded, so
// Commit must say so. Before, pgx gave up at once and the session, told the
// commit failed, made its objects pending again: the retry inserted every
// row a second time. Both ways a commit is sent: a lone INSERT in
// autocommit, and statements with COMMIT in one round trip.
func TestFaultCancelledAfterCommitSent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		skipUnlessPostgres(t, env, "the server's answer is delayed by a TCP proxy; SQLite runs in the process")
		env.Create(t, faultTables...)
		seedFault(t, env.DB, 10)
		u, err := url.Parse(env.URL)
		if err != nil {
			t.Fatal(err)
		}
		var delay atomic.Int64
		u.Host = slowProxy(t, u.Host, &delay)
		db, err := postgres.Open(context.Background(), u.String(), postgres.WithMaxConns(1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		unit := func(t *testing.T, name string, update bool) (*session.Session, *FaultParent, []any) {
			t.Helper()
			s := closing(t, session.New(db))
			p := &FaultParent{Name: name}
			objs := []any{p}
			if err := session.Add(s, p); err != nil {
				t.Fatal(err)
			}
			if update {
				old, err := session.First(context.Background(), s, retort.Select(FaultParents).OrderBy(FaultParentID.Asc()))
				if err != nil {
					t.Fatal(err)
				}
				old.Balance++
				objs = append(objs, old)
			}
			return s, p, objs
		}
		for _, update := range []bool{false, true} {
			t.Run(fmt.Sprintf("with an update %v", update), func(t *testing.T) {
				// The same unit of work once at full speed, so that its
				// statements are prepared on the connection: the commit
				// is then one write and its answer.
				warm, _, _ := unit(t, fmt.Sprintf("warm-%v", update), update)
				if err := warm.Commit(context.Background()); err != nil {
					t.Fatal(err)
				}
				s, p, objs := unit(t, fmt.Sprintf("amb-%v", update), update)
				delay.Store(int64(400 * time.Millisecond))
				ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
				err := s.Commit(ctx)
				cancel()
				delay.Store(0)
				n, cerr := retort.Select(FaultParents).Where(FaultParentName.Eq(p.Name)).Count(context.Background(), env.DB)
				if cerr != nil {
					t.Fatal(cerr)
				}
				if err != nil || n != 1 {
					t.Fatalf("Commit returned %v, and the database holds %d rows of %q", err, n, p.Name)
				}
				for _, o := range objs {
					if st := s.StatusOf(o); st != session.Persistent {
						t.Errorf("after the commit: %s is %v", describeFault(o), st)
					}
				}
				if err := s.Commit(context.Background()); err != nil {
					t.Fatalf("retry: %v", err)
				}
				n, cerr = retort.Select(FaultParents).Where(FaultParentName.Eq(p.Name)).Count(context.Background(), env.DB)
				if cerr != nil || n != 1 {
					t.Fatalf("after the retry: %d rows of %q, %v", n, p.Name, cerr)
				}
			})
		}
	})
}
