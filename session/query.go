package session

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/retort-orm/retort"
)

// QueryConfig is what query options set.
type QueryConfig struct {
	// PopulateExisting overwrites objects already in the identity map with
	// the values read, discarding their unflushed changes (SQLAlchemy's
	// populate_existing). By default they keep their in-memory state.
	PopulateExisting bool
	// Loaders run after the query with the objects it returned (eager
	// loading of relationships, for example).
	Loaders []Loader
}

// QueryOption configures one session query. Package rel provides options
// that load relationships eagerly.
type QueryOption interface {
	// ConfigureQuery records the option in c.
	ConfigureQuery(c *QueryConfig)
}

// Loader loads something for the objects a query returned.
type Loader interface {
	// Load loads into objs, which the query returned, through s.
	Load(ctx context.Context, s *Session, objs []any) error
}

type optionFunc func(*QueryConfig)

func (f optionFunc) ConfigureQuery(c *QueryConfig) { f(c) }

// PopulateExisting makes the query overwrite objects already loaded, their
// unflushed changes with them (SQLAlchemy's populate_existing). The
// relationships it loads eagerly (package rel) are read again too, even
// when loaded: a collection then holds the rows the database has, plus
// its unflushed additions and less its unflushed removals, which stay to
// be written; a reference's target is read again.
func PopulateExisting() QueryOption {
	return optionFunc(func(c *QueryConfig) { c.PopulateExisting = true })
}

func configure(opts []QueryOption) QueryConfig {
	var c QueryConfig
	for _, o := range opts {
		o.ConfigureQuery(&c)
	}
	return c
}

// Register puts obj, just read from the database, into the identity map and
// returns the session's object for its row: obj itself if the row was not
// loaded yet, or the object already loaded (overwritten with obj's values
// when populate is true). Packages that load objects their own way
// (inherit, rel) call it; most programs use All, One, First and Get.
func (s *Session) Register(m Mapper, obj any, populate bool) any {
	return s.register(m, obj, populate, m.Snapshot)
}

// register is Register taking snapshots of new objects with snapshot.
func (s *Session) register(m Mapper, obj any, populate bool, snapshot func(any) any) any {
	k, ok := m.Key(obj)
	if !ok {
		return obj
	}
	if st, in := s.ident.get(k); in {
		if populate && st.status == Persistent {
			m.Restore(st.obj, obj)
			st.snap = m.Snapshot(st.obj)
		}
		return st.obj
	}
	st := s.loaded(m, obj, k, snapshot)
	s.ident.set(k, st)
	for _, r := range st.mi.rels {
		r.Attach(obj, s)
	}
	return obj
}

// loaded makes obj, read from the database with key k, a persistent object
// of the session, except in the identity map (the caller's part).
func (s *Session) loaded(m Mapper, obj any, k Key, snapshot func(any) any) *state {
	st := s.newState(obj, m, Persistent)
	st.key, st.hasKey, st.snap = k, true, snapshot(obj)
	s.admit(st)
	return st
}

// Lookup returns the object with key k from the identity map, without SQL.
func (s *Session) Lookup(k Key) (any, bool) {
	st, ok := s.ident.get(k)
	if !ok || st.status != Persistent {
		return nil, false
	}
	return st.obj, true
}

// Query runs item, autoflushing first when the session is set to: on
// PostgreSQL the flush and the query travel in one round trip, and an error
// in the flush keeps the query from running.
func (s *Session) Query(ctx context.Context, item retort.BatchItem) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	return s.query(ctx, item)
}

// Autoflush flushes pending changes when the session autoflushes, as a
// query through [Session.Query] would first (not inside a BeforeFlush
// hook), for a package that then reads through [Session.DB] its own way.
func (s *Session) Autoflush(ctx context.Context) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	if s.autoflush && !s.inBefore {
		return s.flush(ctx, nil, false)
	}
	return nil
}

func (s *Session) query(ctx context.Context, item retort.BatchItem) error {
	if s.autoflush && !s.inBefore {
		return s.flush(ctx, &item, false)
	}
	return retort.RunItem(ctx, s.DB(), item)
}

// typedObj returns obj as a *T, or an error when the session holds a
// different Go type for that row: in a class hierarchy (package inherit) the
// row of an Employee key may be a *Boss.
func typedObj[T any](obj any, k Key) (*T, error) {
	if t, ok := obj.(*T); ok {
		return t, nil
	}
	return nil, fmt.Errorf("session: %s is held as a %T, not a %T (for a class hierarchy use package inherit's Get and Poly)", k, obj, (*T)(nil))
}

// singleTable refuses a plain query for objects whose mapper spans several
// tables: reading one table would register objects with the others' fields
// empty.
func singleTable[T any](m Mapper) error {
	if len(m.Tables()) > 1 {
		return fmt.Errorf("session: %T is mapped across %d tables (a class hierarchy): query it with package inherit", (*T)(nil), len(m.Tables()))
	}
	return nil
}

// All runs q through the session: rows already in the identity map come
// back as the objects loaded before (one Go pointer per row per session),
// new rows are tracked. Pending changes are flushed first (autoflush).
func All[T any](ctx context.Context, s *Session, q *retort.SelectQuery[T], opts ...QueryOption) ([]*T, error) {
	if q == nil {
		return nil, errNilQuery
	}
	return queryFuncOf(q.Table())(ctx, s, q, configure(opts))
}

func all[T any](ctx context.Context, s *Session, q *retort.SelectQuery[T], cfg QueryConfig) ([]*T, error) {
	m, err := MapperOf[T]()
	if err != nil {
		return nil, err
	}
	if err := singleTable[T](m); err != nil {
		return nil, err
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	sqlText, args, err := q.SQL(s.Dialect())
	if err != nil {
		return nil, err
	}
	t := q.Table()
	var out []*T
	item := retort.BatchItem{SQL: sqlText, Args: args, Rows: func(rows retort.Rows) error {
		scan := t.RowScanner()
		// Objects and their snapshots are allocated in growing blocks, not
		// one by one.
		var objs, snaps []T
		snapshot := m.Snapshot
		if tm, ok := m.(*Table[T]); ok {
			snapshot = func(obj any) any {
				if len(snaps) == cap(snaps) {
					snaps = make([]T, 0, blockSize(cap(snaps)))
				}
				snaps = append(snaps, *obj.(*T))
				snap := &snaps[len(snaps)-1]
				for _, c := range tm.deep {
					c.Copy(snap, obj.(*T))
				}
				return snap
			}
		}
		// Rows of a table with nothing in the identity map yet (a query in
		// a new session), keyed by one int64 column and with no
		// relationships to attach, enter the session without an identity
		// map lookup each: their keys go into the table's key window, made
		// to size once all are read (fresh.done).
		var fresh *freshRows
		tm, _ := m.(*Table[T])
		if tm != nil && tm.key64 != nil && len(s.infoOf(m).rels) == 0 {
			fresh = s.freshRows(t.Name())
		}
		// Otherwise a row whose object the session holds is not decoded
		// again when the driver can read its key alone (and PopulateExisting
		// does not ask for the row's values).
		var peek retort.KeyPeeker
		if fresh == nil && tm != nil && tm.key64 != nil && !cfg.PopulateExisting {
			peek, _ = rows.(retort.KeyPeeker)
		}
		var zero T
		err := func() error {
			for rows.Next() {
				if peek != nil {
					if id, ok := peek.PeekInt64(tm.keyIndex); ok {
						if st, in := s.ident.get(Key{Table: t.Name(), Int: id}); in {
							got, err := typedObj[T](st.obj, st.key)
							if err != nil {
								return err
							}
							out = push(out, got)
							continue
						}
					}
				}
				if len(objs) == cap(objs) {
					objs = make([]T, 0, blockSize(cap(objs)))
				}
				objs = append(objs, zero)
				obj := &objs[len(objs)-1]
				if err := scan(rows, obj); err != nil {
					return err
				}
				var reg any
				if fresh != nil {
					reg = fresh.add(m, obj, snapshot)
				} else {
					reg = s.register(m, obj, cfg.PopulateExisting, snapshot)
				}
				got, ok := reg.(*T)
				if !ok {
					k, _ := m.Key(obj)
					_, err := typedObj[T](reg, k)
					return err
				}
				if got != obj {
					// The row's object was loaded before: the slot is
					// free for the next row.
					objs[len(objs)-1] = zero
					objs = objs[:len(objs)-1]
				}
				out = push(out, got)
			}
			return rows.Err()
		}()
		if fresh != nil {
			// Also after an error: the rows read so far are in the session.
			if dups := fresh.done(); dups != nil {
				for i, o := range out {
					if first, ok := dups[o]; ok {
						out[i] = first.(*T)
					}
				}
			}
		}
		return err
	}}
	if err := s.query(ctx, item); err != nil {
		return nil, fmt.Errorf("session: query %q: %w", t.Name(), err)
	}
	return out, nil
}

// freshRows takes the rows of one query into a table the identity map holds
// nothing of: with no key to find, each row becomes a new state at once and
// the keys are indexed once the rows are read, into room reserved for all
// of them.
type freshRows struct {
	s     *Session
	table string
	from  int // the rows' states are s.order[from:]
}

// freshRows returns the loader of a query's rows of table, or nil when the
// identity map holds rows of table already.
func (s *Session) freshRows(table string) *freshRows {
	if s.ident.intsOf(table, false).len() > 0 {
		return nil
	}
	return &freshRows{s: s, table: table, from: len(s.order)}
}

// add is register for a row of a fresh table: obj becomes persistent.
func (f *freshRows) add(m Mapper, obj any, snapshot func(any) any) any {
	k, ok := m.Key(obj)
	if !ok {
		return obj
	}
	f.s.loaded(m, obj, k, snapshot)
	return obj
}

// done puts the rows' keys into the identity map. A query returning a row
// twice (a join) made two objects of it: the first stands for the row, the
// other leaves the session, and done returns a map from each such object
// to the first.
func (f *freshRows) done() map[any]any {
	s := f.s
	sts := s.order[f.from:]
	s.ident.reserve(f.table, len(sts))
	im := s.ident.intsOf(f.table, true)
	var dups map[any]any
	for _, st := range sts {
		if first, ok := im.get(st.key.Int); ok {
			st.in = false
			s.dead++
			if dups == nil {
				dups = map[any]any{}
			}
			dups[st.obj] = first.obj
			continue
		}
		im.set(st.key.Int, st)
	}
	return dups
}

// blockSize is the capacity of the next block of objects a query reads:
// small for the first rows (a query of one row allocates one object), up
// to 256.
func blockSize(prev int) int {
	return min(max(2*prev, 1), 256)
}

// RunLoaders runs loaders over objs (for packages with queries of their own).
func (s *Session) RunLoaders(ctx context.Context, loaders []Loader, objs []any) error {
	for _, l := range loaders {
		if err := l.Load(ctx, s, objs); err != nil {
			return err
		}
	}
	return nil
}

// One is All expecting exactly one object: an error matching
// retort.ErrNoRows or retort.ErrTooManyRows otherwise.
func One[T any](ctx context.Context, s *Session, q *retort.SelectQuery[T], opts ...QueryOption) (*T, error) {
	if q == nil {
		return nil, errNilQuery
	}
	objs, err := All(ctx, s, q.Limit(2), opts...)
	if err != nil {
		return nil, err
	}
	switch len(objs) {
	case 0:
		return nil, fmt.Errorf("session: one %q: %w", q.Table().Name(), retort.ErrNoRows)
	case 1:
		return objs[0], nil
	}
	return nil, fmt.Errorf("session: one %q: %w", q.Table().Name(), retort.ErrTooManyRows)
}

// errNilQuery is returned for a nil *retort.SelectQuery.
var errNilQuery = errors.New("session: nil query")

// First is All with LIMIT 1, returning the object or an error matching
// retort.ErrNoRows.
func First[T any](ctx context.Context, s *Session, q *retort.SelectQuery[T], opts ...QueryOption) (*T, error) {
	if q == nil {
		return nil, errNilQuery
	}
	objs, err := All(ctx, s, q.Limit(1), opts...)
	if err != nil {
		return nil, err
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("session: first %q: %w", q.Table().Name(), retort.ErrNoRows)
	}
	return objs[0], nil
}

// Iter runs q through the session and yields identity-mapped objects one at
// a time, for large results. It flushes first (autoflush). Loaders of
// options do not run for Iter.
//
// When the session has a transaction open, the loop reads on it, and a
// Flush or Commit inside the loop (or a query that would autoflush
// changes) returns an error matching retort.ErrRowsOpen, with nothing sent
// and the transaction as it was: finish or break the loop first, or use
// All. With no transaction open, the loop reads on a connection of its own
// and flushes inside it run on another.
func Iter[T any](ctx context.Context, s *Session, q *retort.SelectQuery[T], opts ...QueryOption) iter.Seq2[*T, error] {
	cfg := configure(opts)
	return func(yield func(*T, error) bool) {
		if q == nil {
			yield(nil, errNilQuery)
			return
		}
		m, err := MapperOf[T]()
		if err == nil {
			err = singleTable[T](m)
		}
		if err != nil {
			yield(nil, err)
			return
		}
		if err := s.enter(); err != nil {
			yield(nil, err)
			return
		}
		if s.autoflush && !s.inBefore {
			if err := s.flush(ctx, nil, false); err != nil {
				s.leave()
				yield(nil, err)
				return
			}
		}
		db := s.DB()
		s.leave()
		for obj, err := range q.Iter(ctx, db) {
			if err != nil {
				yield(nil, err)
				return
			}
			if err := s.enter(); err != nil {
				yield(nil, err)
				return
			}
			k, _ := m.Key(obj)
			got, err := typedObj[T](s.Register(m, obj, cfg.PopulateExisting), k)
			s.leave()
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(got, nil) {
				return
			}
		}
	}
}

// Get returns the object of t whose primary key is key (one value per key
// column, in declaration order). An object already in the identity map is
// returned with no SQL; otherwise the session flushes and loads it. A
// missing row is an error matching retort.ErrNoRows.
func Get[T any](ctx context.Context, s *Session, t *retort.Table[T], key ...any) (*T, error) {
	m, err := MapperOf[T]()
	if err != nil {
		return nil, err
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	k, err := m.KeyOf(key)
	if err != nil {
		return nil, fmt.Errorf("session: get %q: %w", t.Name(), err)
	}
	if st, ok := s.ident.get(k); ok {
		if st.status == Persistent {
			return typedObj[T](st.obj, k)
		}
		return nil, fmt.Errorf("session: get %s: deleted in this session: %w", k, retort.ErrNoRows)
	}
	if s.autoflush && !s.inBefore {
		if err := s.flush(ctx, nil, false); err != nil {
			return nil, err
		}
	}
	objs, err := m.Load(ctx, s.DB(), []Key{k})
	if err != nil {
		return nil, fmt.Errorf("session: get %s: %w", k, err)
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("session: get %s: %w", k, retort.ErrNoRows)
	}
	return typedObj[T](s.Register(m, objs[0], false), k)
}

// Refresh reloads obj's columns from the database, discarding its unflushed
// changes, without flushing first. Its references (package rel) follow the
// foreign keys reloaded, an unflushed change of one discarded too; its
// loaded collections are read again (one query each), keeping their
// unflushed additions and removals, which the next flush writes; those not
// loaded stay so. The objects of the collections keep their own columns,
// as only obj is refreshed. A row that no longer exists is an error
// matching retort.ErrNoRows.
func Refresh[T any](ctx context.Context, s *Session, obj *T) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	st, ok := s.stateOf(any(obj))
	if !ok || st.status != Persistent {
		return fmt.Errorf("session: refresh: %T is not persistent in the session", obj)
	}
	objs, err := st.mi.m.Load(ctx, s.DB(), []Key{st.key})
	if err != nil {
		return fmt.Errorf("session: refresh %s: %w", st.key, err)
	}
	if len(objs) == 0 {
		return fmt.Errorf("session: refresh %s: %w", st.key, retort.ErrNoRows)
	}
	st.mi.m.Restore(obj, objs[0])
	st.snap = st.mi.m.Snapshot(obj)
	reload := false
	for _, r := range st.mi.rels {
		if rf, ok := r.(Refresher); ok {
			rf.Refreshed(obj)
		}
		_, ok := r.(Reloader)
		reload = reload || ok
	}
	if !reload {
		return nil
	}
	return s.lent(func() error {
		for _, r := range st.mi.rels {
			if rl, ok := r.(Reloader); ok {
				if err := rl.Reload(ctx, s, obj); err != nil {
					return fmt.Errorf("session: refresh %s: %w", st.key, err)
				}
			}
		}
		return nil
	})
}

// Merge brings obj, an object from outside the session (detached, or built
// from a request), into it and returns the session's object for the same
// row: the one already loaded, or loaded now, with obj's column values
// copied onto it (to be written at the next flush). When no row has obj's
// key, a copy of obj is added as pending. obj itself is never added.
func Merge[T any](ctx context.Context, s *Session, obj *T) (*T, error) {
	if obj == nil {
		return nil, errors.New("session: merge: nil object")
	}
	m, err := MapperOf[T]()
	if err != nil {
		return nil, err
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if st, ok := s.stateOf(any(obj)); ok && st.status != Detached && st.status != Transient {
		return obj, nil
	}
	k, hasKey := m.Key(obj)
	if hasKey {
		if st, ok := s.ident.get(k); ok {
			got, err := typedObj[T](st.obj, k)
			if err != nil {
				return nil, err
			}
			m.Restore(st.obj, obj)
			return got, nil
		}
		if s.autoflush && !s.inBefore {
			if err := s.flush(ctx, nil, false); err != nil {
				return nil, err
			}
		}
		objs, err := m.Load(ctx, s.DB(), []Key{k})
		if err != nil {
			return nil, fmt.Errorf("session: merge %s: %w", k, err)
		}
		if len(objs) == 1 {
			got, err := typedObj[T](s.Register(m, objs[0], false), k)
			if err != nil {
				return nil, err
			}
			m.Restore(got, obj)
			return got, nil
		}
	}
	cp := m.Snapshot(obj).(*T)
	s.add(m, cp)
	return cp, nil
}
