package rel

import (
	"context"

	"github.com/retort-orm/retort/session"
)

// Reload implements session.Reloader: o's collection, if loaded (in full
// or in part), is read again in full, keeping its unflushed changes
// (session.Refresh).
func (r *o2m[O, T, K]) Reload(ctx context.Context, s *session.Session, obj any) error {
	st := r.field(obj.(*O)).own()
	if st == nil || !st.loaded {
		return nil
	}
	st.expire()
	_, err := r.loadIn(ctx, s, []any{obj}, nil, nil, false)
	return err
}

// Reload implements session.Reloader.
func (r *m2m[O, T, KO, KT]) Reload(ctx context.Context, s *session.Session, obj any) error {
	st := r.field(obj.(*O)).own()
	if st == nil || !st.loaded {
		return nil
	}
	st.expire()
	_, err := r.loadIn(ctx, s, []any{obj}, nil, nil, false)
	return err
}
