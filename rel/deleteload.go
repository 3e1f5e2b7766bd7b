package rel

import (
	"context"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

// A flush that deletes an object applies its relationships to what the
// database holds, as SQLAlchemy's unit of work does: a collection that a
// delete cascade or a NULL-able foreign key must act on is loaded first if
// it is not (session.DeleteLoader), unless the foreign key's ON DELETE does
// the same in the database (SQLAlchemy's passive_deletes).

// NeedsLoadForDelete implements session.DeleteLoader: o's collection is
// needed when the relationship deletes its objects (Delete) or sets their
// foreign key to NULL, the database does not do so itself, and the
// collection is not loaded in full.
func (r *o2m[O, T, K]) NeedsLoadForDelete(obj any) bool {
	o := obj.(*O)
	if !r.cascadeDelete && !r.fk.Nullable() {
		return false // the children are left alone: the database refuses the delete, or acts
	}
	if passiveDelete(r.fk.Table().ForeignKeys(), r.fk.Name(), r.pk.TableName(), r.cascadeDelete) || !hasKey(r.owner, o) {
		return false
	}
	st := r.field(o).own()
	return st == nil || !st.loaded || st.partial
}

// LoadForDelete implements session.DeleteLoader: the collections of objs
// are loaded (one loaded in part is loaded again in full, keeping its
// unflushed changes).
func (r *o2m[O, T, K]) LoadForDelete(ctx context.Context, s *session.Session, objs []any) error {
	return loadWhole(ctx, s, r, objs, func(x any) *manyState[T] { return r.field(x.(*O)).own() })
}

// NeedsLoadForDelete implements session.DeleteLoader: with a delete
// cascade, o's collection is needed when it is not loaded in full (the
// association rows need nothing: their foreign keys delete them with o).
func (r *m2m[O, T, KO, KT]) NeedsLoadForDelete(obj any) bool {
	o := obj.(*O)
	if !r.cascadeDelete || !hasKey(r.owner, o) {
		return false
	}
	st := r.field(o).own()
	return st == nil || !st.loaded || st.partial
}

// LoadForDelete implements session.DeleteLoader.
func (r *m2m[O, T, KO, KT]) LoadForDelete(ctx context.Context, s *session.Session, objs []any) error {
	return loadWhole(ctx, s, r, objs, func(x any) *manyState[T] { return r.field(x.(*O)).own() })
}

// loadWhole loads the collections of r that objs own (own gives each
// one's state) that are not loaded, and again in full those loaded in
// part, keeping their unflushed changes.
func loadWhole[T any](ctx context.Context, s *session.Session, r relImpl, objs []any, own func(any) *manyState[T]) error {
	for _, x := range objs {
		if st := own(x); st != nil && st.loaded && st.partial {
			st.expire()
		}
	}
	_, err := r.loadIn(ctx, s, objs, nil, nil, false)
	return err
}

// NeedsLoadForDelete implements session.DeleteLoader: with a delete
// cascade, o's reference is needed when it is not loaded and o's foreign
// key names a row.
func (r *m2o[O, T, K]) NeedsLoadForDelete(obj any) bool {
	o := obj.(*O)
	if !r.cascadeDelete {
		return false
	}
	if st := r.field(o).own(); st != nil && st.loaded && r.fresh(st) {
		return false
	}
	_, ok := r.fk.Get(o)
	return ok
}

// LoadForDelete implements session.DeleteLoader.
func (r *m2o[O, T, K]) LoadForDelete(ctx context.Context, s *session.Session, objs []any) error {
	_, err := r.loadIn(ctx, s, objs, nil, nil, false)
	return err
}

// passiveDelete reports whether the foreign key of column col to table ref
// among fks makes the database do what a relationship would on the delete
// of the row it refers to: ON DELETE CASCADE for a delete cascade, CASCADE
// or SET NULL for children whose key becomes NULL.
func passiveDelete(fks []*retort.ForeignKey, col, ref string, cascade bool) bool {
	for _, f := range fks {
		if len(f.Columns) != 1 || f.Columns[0] != col || f.RefTable != ref {
			continue
		}
		switch f.OnDelete {
		case "CASCADE":
			return true
		case "SET NULL":
			return !cascade
		}
	}
	return false
}
