package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"zombiezen.com/go/sqlite"
)

// errClosed is returned by take once the DB is closed.
var errClosed = errors.New("sqlite: database is closed")

// pool holds a DB's connections: up to size in use at once, opened when
// first needed. take hands out the connection returned last, so a program
// that uses one connection at a time (a loop of units of work) keeps
// reusing the same one, whose prepared statements and page cache are warm.
// sqlitex.Pool hands them out first in, first out: such a loop went round
// its 4 connections, each re-reading the database's pages after another
// had written and preparing its statements again, and tied each to a new
// goroutine watching its context. micro-update on SQLite took 3.69 ms with
// it and takes 1.69 ms with this pool (BENCHMARKS.md).
// take also ties a connection to no context: the driver sets its interrupt
// when a statement's context can be cancelled (conn.interrupt).
type pool struct {
	uri     string
	flags   sqlite.OpenFlags
	prepare func(*sqlite.Conn) error

	tokens chan struct{} // one per connection in use
	done   chan struct{} // closed by close

	mu     sync.Mutex
	free   []*sqlite.Conn // idle connections; the last is the one returned last
	all    []*sqlite.Conn
	closed bool
}

func newPool(uri string, flags sqlite.OpenFlags, size int, prepare func(*sqlite.Conn) error) *pool {
	return &pool{uri: uri, flags: flags, prepare: prepare,
		tokens: make(chan struct{}, max(size, 1)), done: make(chan struct{})}
}

// take returns an idle connection, or a new one when none is idle and
// fewer than size are open, waiting for one to be returned otherwise.
func (p *pool) take(ctx context.Context) (*sqlite.Conn, error) {
	select {
	case p.tokens <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.done:
		return nil, errClosed
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		<-p.tokens
		return nil, errClosed
	}
	if n := len(p.free); n > 0 {
		c := p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	c, err := sqlite.OpenConn(p.uri, p.flags)
	if err == nil && p.prepare != nil {
		if err = p.prepare(c); err != nil {
			c.Close()
		}
	}
	if err != nil {
		<-p.tokens
		return nil, err
	}
	p.mu.Lock()
	p.all = append(p.all, c)
	p.mu.Unlock()
	return c, nil
}

// put returns c, taken from p, to the idle connections.
func (p *pool) put(c *sqlite.Conn) {
	p.mu.Lock()
	p.free = append(p.free, c)
	p.mu.Unlock()
	<-p.tokens
}

// close makes take fail, waits for every connection in use to be returned,
// and closes them all. Closing twice is the caller's to prevent.
func (p *pool) close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	close(p.done)
	for range cap(p.tokens) {
		p.tokens <- struct{}{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for _, c := range p.all {
		if err := c.Close(); err != nil {
			errs = append(errs, fmt.Errorf("sqlite: close: %w", err))
		}
	}
	p.all, p.free = nil, nil
	return errors.Join(errs...)
}
