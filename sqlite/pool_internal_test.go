package sqlite

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"zombiezen.com/go/sqlite"
)

var poolSeq atomic.Int64

func testPool(t *testing.T, size int, prepare func(*sqlite.Conn) error) *pool {
	t.Helper()
	uri := "file:/retort-pool-test-" + strconv.FormatInt(poolSeq.Add(1), 10) + "?vfs=memdb"
	return newPool(uri, sqlite.OpenReadWrite|sqlite.OpenCreate|sqlite.OpenURI, size, prepare)
}

// The pool hands out the connection returned last, opens a connection only
// when none is idle, never more than its size; close makes take fail at
// once and closes a connection in use when it is returned.
func TestPoolLastInFirstOut(t *testing.T) {
	ctx := context.Background()
	opened := 0
	p := testPool(t, 2, func(*sqlite.Conn) error { opened++; return nil })
	a, err := p.take(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.take(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a == b || opened != 2 {
		t.Fatalf("two takes: same connection %t, %d opened; want two", a == b, opened)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if c, err := p.take(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a third take from a pool of 2: %v, %v; want context.DeadlineExceeded", c, err)
	}
	p.put(a)
	p.put(b)
	for i := range 3 {
		c, err := p.take(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c != b {
			t.Fatalf("take %d after putting a, then b: not b, the one returned last", i)
		}
		p.put(c)
	}
	if opened != 2 {
		t.Errorf("%d connections opened, want 2", opened)
	}

	c, err := p.take(ctx)
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan error)
	go func() { closed <- p.close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("close waits for the connection in use")
	}
	if _, err := p.take(ctx); !errors.Is(err, errClosed) {
		t.Errorf("take after close: %v, want errClosed", err)
	}
	if len(p.all) != 1 || p.all[0] != c {
		t.Fatalf("after close, %d connections open; want the one in use", len(p.all))
	}
	p.put(c)
	if len(p.all) != 0 || len(p.free) != 0 {
		t.Errorf("after the last put: %d open, %d idle; want none", len(p.all), len(p.free))
	}
	if err := c.Close(); err == nil {
		t.Error("the connection returned after close is still open")
	}
}

// A connection that fails to prepare is closed and leaves its place free.
func TestPoolPrepareError(t *testing.T) {
	ctx := context.Background()
	fail := errors.New("no")
	calls := 0
	p := testPool(t, 1, func(*sqlite.Conn) error {
		calls++
		if calls == 1 {
			return fail
		}
		return nil
	})
	if _, err := p.take(ctx); !errors.Is(err, fail) {
		t.Fatalf("take: %v, want the prepare error", err)
	}
	c, err := p.take(ctx) // the pool of one is not used up by the failure
	if err != nil {
		t.Fatal(err)
	}
	p.put(c)
	if err := p.close(); err != nil {
		t.Fatal(err)
	}
}
