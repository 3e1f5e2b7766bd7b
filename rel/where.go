package rel

import (
	"context"
	"fmt"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

// whereLoader returns T's mapper as a session.WhereLoader when it is one: the
// objects of T span several tables (package inherit's subclasses), so they
// are loaded through the mapper rather than by reading T's table alone.
func whereLoader[T any]() (session.WhereLoader, bool) {
	wl, ok := mapperOf[T]().(session.WhereLoader)
	return wl, ok
}

// loadWhere loads the objects of T matching in(keys), a chunk of keys at a
// time, through wl, after the session's autoflush (as a query's), and
// registers them. fn receives each object as read and the session's object
// for its row, both as *T: for an object of a subclass of T, the T it
// embeds.
func loadWhere[T any, K comparable](ctx context.Context, s *session.Session, wl session.WhereLoader, keys []K,
	in func([]K) retort.Expr[bool], populate bool, fn func(loaded, obj *T)) error {
	if err := s.Autoflush(ctx); err != nil {
		return err
	}
	m := mapperOf[T]()
	for start := 0; start < len(keys); start += chunkSize {
		part := keys[start:min(len(keys), start+chunkSize)]
		objs, err := wl.LoadWhere(ctx, s.DB(), (*T)(nil), in(part))
		if err != nil {
			var zero T
			return fmt.Errorf("rel: load %T: %w", zero, err)
		}
		for _, x := range objs {
			got, ok := asTarget[T](s.Register(m, x, populate))
			if !ok {
				continue
			}
			loaded, ok := asTarget[T](x)
			if !ok {
				continue
			}
			fn(loaded, got)
		}
	}
	return nil
}

// joinable reports whether T's objects can be read by a join: those of a
// WhereLoader only when it is a polyJoiner (as package inherit's mapper is);
// otherwise they load as with SelectIn.
func joinable[T any]() bool {
	m := mapperOf[T]()
	if _, ok := m.(session.WhereLoader); !ok {
		return true
	}
	_, ok := m.(polyJoiner)
	return ok
}
