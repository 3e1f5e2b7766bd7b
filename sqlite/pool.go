package sqlite

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// put returns c, taken from p, to the idle connections; once p is closed,
// it closes c instead.
func (p *pool) put(c *sqlite.Conn) {
	p.mu.Lock()
	if p.closed {
		p.all = slices.DeleteFunc(p.all, func(x *sqlite.Conn) bool { return x == c })
		p.mu.Unlock()
		c.Close()
		<-p.tokens
		return
	}
	p.free = append(p.free, c)
	p.mu.Unlock()
	<-p.tokens
}

// close makes take fail and closes the idle connections. Connections in
// use (an open Tx, rows being read) are closed when they are returned, as
// database/sql's DB.Close does: a transaction a program never ended does
// not keep Close waiting. Closing twice is the caller's to prevent.
func (p *pool) close() error {
	p.mu.Lock()
	p.closed = true
	idle := p.free
	p.all = slices.DeleteFunc(p.all, func(x *sqlite.Conn) bool { return slices.Contains(idle, x) })
	p.free = nil
	p.mu.Unlock()
	close(p.done)
	var errs []error
	for _, c := range idle {
		if err := c.Close(); err != nil {
			errs = append(errs, fmt.Errorf("sqlite: close: %w", err))
		}
	}
	return errors.Join(errs...)
}
