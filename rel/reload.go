package rel

import (
	"context"

	"github.com/retort-orm/retort/session"
)

// Reload implements session.Reloader: o's collection, if loaded (in full
// or in part), is read again in full, keeping its unflushed changes
// (session.Refresh).
func (r *o2m[O, T, K]) Reload(ctx context.Context, s *session.Session, obj any) error {
	return reloadMany(ctx, s, r, r.field(obj.(*O)).own(), obj)
}

// Reload implements session.Reloader.
func (r *m2m[O, T, KO, KT]) Reload(ctx context.Context, s *session.Session, obj any) error {
	return reloadMany(ctx, s, r, r.field(obj.(*O)).own(), obj)
}

// reloadMany reads st, obj's collection of r, again if it is loaded.
func reloadMany[T any](ctx context.Context, s *session.Session, r relImpl, st *manyState[T], obj any) error {
	if st == nil || !st.loaded {
		return nil
	}
	st.expire()
	_, err := r.loadIn(ctx, s, []any{obj}, nil, nil, false)
	return err
}
