package session

import (
	"context"

	"github.com/retort-orm/retort"
)

// QueryFunc runs a session query of T objects (All, One and First end in
// one) with the configuration its options made.
type QueryFunc[T any] func(ctx context.Context, s *Session, q *retort.SelectQuery[T], cfg QueryConfig) ([]*T, error)

// Interceptor runs a session query of T objects in place of next, the
// session's own way (or an earlier interceptor's): it may call next with a
// changed query or configuration, or run the statement itself. Package rel
// installs one for every table that owns relationships, so that their
// default loading strategies apply and Joined options join into the query's
// own statement.
type Interceptor[T any] func(ctx context.Context, s *Session, q *retort.SelectQuery[T], cfg QueryConfig, next QueryFunc[T]) ([]*T, error)

type interceptKey struct{}

// Intercept makes f run every session query (All, One, First) of t's
// objects. Call it at declaration time, as table declarations are made;
// interceptors installed later wrap earlier ones. Iter and Get do not go
// through interceptors.
func Intercept[T any](t *retort.Table[T], f Interceptor[T]) {
	next := queryFuncOf(t)
	t.SetExtension(interceptKey{}, QueryFunc[T](func(ctx context.Context, s *Session, q *retort.SelectQuery[T], cfg QueryConfig) ([]*T, error) {
		return f(ctx, s, q, cfg, next)
	}))
}

// queryFuncOf returns how queries of t's objects run: through its
// interceptors, or the session's own way.
func queryFuncOf[T any](t *retort.Table[T]) QueryFunc[T] {
	if v, ok := t.Extension(interceptKey{}); ok {
		if f, ok := v.(QueryFunc[T]); ok {
			return f
		}
	}
	return allLoaded[T]
}

// allLoaded is the session's own query: the statement, then the loaders.
func allLoaded[T any](ctx context.Context, s *Session, q *retort.SelectQuery[T], cfg QueryConfig) ([]*T, error) {
	out, err := all(ctx, s, q, cfg)
	if err != nil || len(cfg.Loaders) == 0 || len(out) == 0 {
		return out, err
	}
	list := make([]any, len(out))
	for i, o := range out {
		list[i] = o
	}
	if err := s.RunLoaders(ctx, cfg.Loaders, list); err != nil {
		return nil, err
	}
	return out, nil
}
