package session_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
	zsqlite "zombiezen.com/go/sqlite"
)

// SoakAccount is a bank account with a version column (optimistic locking).
type SoakAccount struct {
	ID      int64
	Owner   string
	Balance int64
	Version int64
}

// SoakEntry is a ledger line, written in the same session (and transaction)
// as the two balance updates of its transfer. Its note is unique: a transfer
// cannot be applied twice.
type SoakEntry struct {
	ID     int64
	FromID int64
	ToID   int64
	Amount int64
	Note   string
}

var (
	SoakAccounts       = retort.NewTable[SoakAccount]("soak_account")
	SoakAccountID      = retort.Col(SoakAccounts, "id", func(a *SoakAccount) *int64 { return &a.ID }, retort.PrimaryKey(), retort.NoAutoIncrement())
	SoakAccountOwner   = retort.Col(SoakAccounts, "owner", func(a *SoakAccount) *string { return &a.Owner })
	SoakAccountBalance = retort.Col(SoakAccounts, "balance", func(a *SoakAccount) *int64 { return &a.Balance })
	SoakAccountVersion = retort.Col(SoakAccounts, "version", func(a *SoakAccount) *int64 { return &a.Version })

	// A CHECK refuses notes starting with "reject": the flush of such a
	// transfer fails at its last statement, after both balance updates ran.
	SoakEntries     = retort.NewTable[SoakEntry]("soak_ledger").Check(`"note" NOT LIKE 'reject%'`)
	SoakEntryID     = retort.Col(SoakEntries, "id", func(e *SoakEntry) *int64 { return &e.ID }, retort.PrimaryKey())
	SoakEntryFrom   = retort.Col(SoakEntries, "from_id", func(e *SoakEntry) *int64 { return &e.FromID }).References(SoakAccountID)
	SoakEntryTo     = retort.Col(SoakEntries, "to_id", func(e *SoakEntry) *int64 { return &e.ToID }).References(SoakAccountID)
	SoakEntryAmount = retort.Col(SoakEntries, "amount", func(e *SoakEntry) *int64 { return &e.Amount })
	SoakEntryNote   = retort.Col(SoakEntries, "note", func(e *SoakEntry) *string { return &e.Note }, retort.Unique())

	_ = func() bool { session.Versioned(SoakAccounts, SoakAccountVersion); return true }()
)

const (
	soakAccounts   = 10
	soakOpening    = 1000
	soakWorkers    = 8
	soakPerWorker  = 40
	soakRejectEach = 9 // every ninth transfer of a worker is refused by the database
	soakMaxTries   = 200
)

// outcome of one transfer.
type outcome int

const (
	applied  outcome = iota // committed
	declined                // not enough money: nothing written
	rejected                // the database refused the flush: nothing written
)

// soakStats counts what the workers did.
type soakStats struct {
	mu       sync.Mutex
	applied  []string       // notes of committed transfers
	declined []string       // notes of transfers refused for want of money
	rejected int            // transfers the database refused
	retries  map[string]int // retried errors by kind
}

func (st *soakStats) retry(kind string) {
	st.mu.Lock()
	st.retries[kind]++
	st.mu.Unlock()
}

// retryable classifies the errors a transfer retries on: a stale version
// (another transfer changed an account since it was read), and on the
// databases' side serialization failures, deadlocks and SQLITE_BUSY.
func retryable(err error) (string, bool) {
	switch {
	case errors.Is(err, session.ErrStale):
		return "stale version", true
	case pgCode(err) == "40001":
		return "serialization failure", true
	case pgCode(err) == "40P01":
		return "deadlock", true
	case zsqlite.ErrCode(err).ToPrimary() == zsqlite.ResultBusy:
		return "SQLITE_BUSY", true
	}
	return "", false
}

// transfer moves amount from one account to another in a session of its
// own, retrying on retryable errors with a fresh session.
func transfer(ctx context.Context, db retort.DB, st *soakStats, from, to, amount int64, note string) (outcome, error) {
	for range soakMaxTries {
		s := session.New(db)
		// Read in key order, so that the UPDATEs are in key order too and
		// two transfers never wait for each other's rows crosswise.
		lo, hi := min(from, to), max(from, to)
		a, err := session.Get(ctx, s, SoakAccounts, lo)
		var b *SoakAccount
		if err == nil {
			b, err = session.Get(ctx, s, SoakAccounts, hi)
		}
		if err != nil {
			// Under SERIALIZABLE even a read (in a transaction of its own:
			// the session begins one at its first flush) can be chosen to
			// fail; the program retries it like any other conflict.
			_ = s.Close(ctx)
			if kind, ok := retryable(err); ok {
				st.retry(kind)
				continue
			}
			return 0, err
		}
		src, dst := a, b
		if from != lo {
			src, dst = b, a
		}
		if src.Balance < amount {
			_ = s.Close(ctx)
			return declined, nil
		}
		src.Balance -= amount
		dst.Balance += amount
		if err := session.Add(s, &SoakEntry{FromID: from, ToID: to, Amount: amount, Note: note}); err != nil {
			return 0, err
		}
		err = s.Commit(ctx)
		if err == nil {
			return applied, nil
		}
		_ = s.Close(ctx)
		if kind, ok := retryable(err); ok {
			st.retry(kind)
			continue
		}
		if pgCode(err) == "23514" || zsqlite.ErrCode(err) == zsqlite.ResultConstraintCheck {
			return rejected, nil
		}
		return 0, err
	}
	return 0, fmt.Errorf("transfer %s: still conflicting after %d tries", note, soakMaxTries)
}

// Many goroutines, each with its own sessions over one pool, move money
// between ten accounts with optimistic locking and retries. Some transfers
// are refused by the database after their balance updates ran. At the end
// the total is unchanged, every balance is what the ledger says, every
// account's version counts its ledger lines, and the ledger holds exactly
// the transfers reported applied. On PostgreSQL it runs again over a pool
// whose transactions are SERIALIZABLE, where conflicts also surface as
// serialization failures.
func TestSoakTransfers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		env.Create(t, SoakAccounts, SoakEntries)
		t.Run("default isolation", func(t *testing.T) { soak(t, env.DB, env.Dialect) })
		t.Run("serializable", func(t *testing.T) {
			skipUnlessPostgres(t, env, "SQLite transactions are serializable already (one writer at a time)")
			db, _ := namedPoolN(t, env, map[string]string{"default_transaction_isolation": "serializable"}, soakWorkers)
			soak(t, db, env.Dialect)
		})
	})
}

func soak(t *testing.T, db retort.DB, dialect retort.Dialect) {
	ctx := context.Background()
	if _, err := retort.Delete(SoakEntries).Exec(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := retort.Delete(SoakAccounts).Exec(ctx, db); err != nil {
		t.Fatal(err)
	}
	seed := session.New(db)
	for i := range soakAccounts {
		_ = session.Add(seed, &SoakAccount{ID: int64(i + 1), Owner: fmt.Sprint("owner ", i), Balance: soakOpening})
	}
	if err := seed.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	st := &soakStats{retries: map[string]int{}}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, soakWorkers)
	for w := range soakWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(42, uint64(w)))
			for i := range soakPerWorker {
				from := 1 + rng.Int64N(soakAccounts)
				to := 1 + rng.Int64N(soakAccounts-1)
				if to >= from {
					to++
				}
				amount := 1 + rng.Int64N(300)
				note := fmt.Sprintf("w%d-%d", w, i)
				if i%soakRejectEach == soakRejectEach-1 {
					note = "reject " + note
				}
				out, err := transfer(ctx, db, st, from, to, amount, note)
				if err != nil {
					errs <- err
					return
				}
				st.mu.Lock()
				switch out {
				case applied:
					st.applied = append(st.applied, note)
				case declined:
					st.declined = append(st.declined, note)
				case rejected:
					st.rejected++
				}
				st.mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("%s: %d transfers by %d goroutines in %v: %d applied, %d declined, %d rejected by the database; retries %v",
		dialect, soakWorkers*soakPerWorker, soakWorkers, took.Round(time.Millisecond), len(st.applied), len(st.declined), st.rejected, st.retries)
	if got := len(st.applied) + len(st.declined) + st.rejected; got != soakWorkers*soakPerWorker {
		t.Errorf("%d transfers accounted for, want %d", got, soakWorkers*soakPerWorker)
	}
	// Transfers marked "reject" are refused by the database unless
	// they were declined first.
	marked := st.rejected
	for _, n := range st.declined {
		if strings.HasPrefix(n, "reject") {
			marked++
		}
	}
	if want := soakWorkers * (soakPerWorker / soakRejectEach); marked != want || st.rejected == 0 {
		t.Errorf("%d transfers rejected and %d marked ones declined, want %d in all", st.rejected, marked-st.rejected, want)
	}

	accounts, err := retort.Select(SoakAccounts).OrderBy(SoakAccountID.Asc()).All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := retort.Select(SoakEntries).OrderBy(SoakEntryID.Asc()).All(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	balance := map[int64]int64{}
	lines := map[int64]int64{}
	for _, a := range accounts {
		total += a.Balance
		balance[a.ID] = soakOpening
		if a.Balance < 0 {
			t.Errorf("account %d is overdrawn: %d", a.ID, a.Balance)
		}
	}
	if total != soakAccounts*soakOpening {
		t.Errorf("total balance %d, want %d", total, soakAccounts*soakOpening)
	}
	var notes []string
	for _, e := range ledger {
		balance[e.FromID] -= e.Amount
		balance[e.ToID] += e.Amount
		lines[e.FromID]++
		lines[e.ToID]++
		notes = append(notes, e.Note)
	}
	for _, a := range accounts {
		if a.Balance != balance[a.ID] {
			t.Errorf("account %d: balance %d, the ledger says %d", a.ID, a.Balance, balance[a.ID])
		}
		if a.Version != 1+lines[a.ID] {
			t.Errorf("account %d: version %d, want 1 + %d ledger lines (one UPDATE per applied transfer)", a.ID, a.Version, lines[a.ID])
		}
	}
	sort.Strings(notes)
	sort.Strings(st.applied)
	if diff := cmp.Diff(st.applied, notes); diff != "" {
		t.Errorf("ledger lines differ from the transfers reported applied (-applied +ledger):\n%s", diff)
	}
}
