package rel

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

// Strategy is how a relationship is loaded when it is read.
type Strategy uint8

const (
	// LazyLoad (the default) loads a relationship when it is read with
	// Load: one query per object, none for a many-to-one whose target the
	// session already holds.
	LazyLoad Strategy = iota
	// SelectInLoad loads a relationship for many objects with one extra
	// query, WHERE key IN (...). As a relationship's default, it applies to
	// every session query of the owner's type (session.All, One, First), and
	// a lazy Load loads the relationship for every object of that type in
	// the session at once.
	SelectInLoad
	// JoinedLoad loads a relationship in the same statement as its owners,
	// with a LEFT OUTER JOIN (see [Joined]); as a default, in every session
	// query of the owner's type. Read lazily, it loads as SelectInLoad does.
	JoinedLoad
	// RaiseLoad makes reading a relationship that was not loaded eagerly an
	// error matching [ErrNotLoaded], for programs that forbid lazy loads.
	RaiseLoad
)

// String names the strategy.
func (s Strategy) String() string {
	switch s {
	case LazyLoad:
		return "lazy"
	case SelectInLoad:
		return "selectin"
	case JoinedLoad:
		return "joined"
	case RaiseLoad:
		return "raise"
	}
	return "strategy(" + strconv.Itoa(int(s)) + ")"
}

// CascadeFlag is a cascade beyond save-update, which every relationship
// has: adding an object to a session adds the objects its relationships
// reach.
type CascadeFlag uint8

const (
	// Delete deletes the related objects with their owner
	// (session.Delete): those loaded at once, and at the flush those in
	// the database, as SQLAlchemy does. The flush loads a collection (or
	// reference) that is not loaded, or loaded in part, in one query for
	// all the deleted owners, before it writes; the objects that deletes
	// are looked at in turn (a tree takes one query per level). A
	// foreign key declared with retort.OnDelete("CASCADE") makes the
	// database delete the rows instead, and the flush loads nothing
	// (SQLAlchemy's passive_deletes).
	Delete CascadeFlag = iota + 1
	// DeleteOrphan deletes an object removed from a one-to-many collection
	// (and not given another owner) at the next flush. It implies Delete.
	DeleteOrphan
)

// Option configures a relationship at declaration.
type Option interface{ apply(*base) }

type optionFunc func(*base)

func (f optionFunc) apply(b *base) { f(b) }

// Cascade adds cascades to a relationship.
func Cascade(flags ...CascadeFlag) Option {
	return optionFunc(func(b *base) {
		for _, f := range flags {
			switch f {
			case Delete:
				b.cascadeDelete = true
			case DeleteOrphan:
				b.cascadeDelete, b.deleteOrphan = true, true
			default:
				panic(fmt.Sprintf("rel: unknown cascade flag %d", f))
			}
		}
	})
}

// Loading sets the relationship's default loading strategy (LazyLoad when
// not set). Query options ([SelectIn], [Joined], [Lazy], [Raise]) override
// it for one query.
func Loading(s Strategy) Option {
	if s > RaiseLoad {
		panic(fmt.Sprintf("rel: unknown strategy %d", s))
	}
	return optionFunc(func(b *base) { b.strategy = s })
}

// Name names the relationship in error messages (by default the owner's
// and target's tables, as "grunt→boss").
func Name(name string) Option { return optionFunc(func(b *base) { b.name = name }) }

// Order is a term of a collection's order (see [OrderBy]).
type Order struct {
	table, col string
	desc       bool
	nulls      string // "", " NULLS FIRST", " NULLS LAST"
}

// NullsFirst returns the term with NULLs before every value, on both
// databases (by default PostgreSQL sorts them after every value, SQLite
// before).
func (o Order) NullsFirst() Order { o.nulls = " NULLS FIRST"; return o }

// NullsLast returns the term with NULLs after every value, on both
// databases.
func (o Order) NullsLast() Order { o.nulls = " NULLS LAST"; return o }

// Asc orders a collection by the target's column c, ascending.
func Asc(c retort.AnyColumn) Order { return Order{table: c.TableName(), col: c.Name()} }

// Desc orders a collection by the target's column c, descending.
func Desc(c retort.AnyColumn) Order { return Order{table: c.TableName(), col: c.Name(), desc: true} }

// OrderBy orders the objects of a collection when it is loaded. Without it
// a collection is loaded in the order of the target's primary key. The
// columns must be the target table's.
func OrderBy(terms ...Order) Option {
	return optionFunc(func(b *base) { b.order = append(b.order, terms...) })
}

// AssocColumns names the association table's two columns in a
// many-to-many relationship: the one referencing the owner, then the one
// referencing the target. By default they are <table>_<key column> for each
// side, which a self-referential many-to-many must override.
func AssocColumns(owner, target string) Option {
	return optionFunc(func(b *base) { b.assocCols = [2]string{owner, target} })
}

// base is what every relationship has.
type base struct {
	name          string
	strategy      Strategy
	cascadeDelete bool
	deleteOrphan  bool
	order         []Order
	assocCols     [2]string
	ownerKey      func(owner any) string
	targetTable   string
	targetPK      string
}

func newBase(ownerTable, targetTable, targetPK string, opts []Option) base {
	b := base{name: ownerTable + "→" + targetTable, targetTable: targetTable, targetPK: targetPK}
	for _, o := range opts {
		o.apply(&b)
	}
	for _, o := range b.order {
		if o.table != targetTable {
			panic(fmt.Sprintf("rel: %s: OrderBy column %s.%s is not a column of the target table %q", b.name, o.table, o.col, targetTable))
		}
	}
	return b
}

func (b *base) info() *base { return b }

// orderTerms is the ORDER BY of the target, referred to as ref: the
// relationship's order and its primary key.
func (b *base) orderTerms(ref string) []string {
	var out []string
	pkSeen := false
	for _, o := range b.order {
		t := retort.QuoteIdent(ref) + "." + retort.QuoteIdent(o.col)
		if o.desc {
			t += " DESC"
		}
		t += o.nulls
		if o.col == b.targetPK {
			pkSeen = true
		}
		out = append(out, t)
	}
	if !pkSeen {
		out = append(out, retort.QuoteIdent(ref)+"."+retort.QuoteIdent(b.targetPK))
	}
	return out
}

// relImpl is a relationship as the loading machinery sees it: objects are
// held as any.
type relImpl interface {
	info() *base
	// loadIn loads the relationship of owners that have not loaded it, with
	// one query per chunk of owners (joins add relationships of the
	// targets to that query), and returns the targets of all owners.
	// Only targets matching where load (the owners' collections are then
	// partial).
	loadIn(ctx context.Context, s *session.Session, owners []any, joins []*step, where filter, populate bool) ([]any, error)
	joiner() joiner
	// mark overrides the strategy of owners' relationship.
	mark(owners []any, how Strategy)
	// owns reports whether obj is an owner of the relationship.
	owns(obj any) bool
	linkBack(other relImpl)
	// joinable reports whether the targets can be read by a join.
	joinable() bool
	// hierarchy reports whether the targets are the classes of a
	// joined-table hierarchy (read through a session.WhereLoader).
	hierarchy() bool
}

// Relation is a relationship from objects of O to objects of T: a
// [*ToOne] or a [*ToMany]. Loading options take one.
type Relation[O, T any] interface {
	impl() relImpl
	between(*O, *T)
}

// ToOne is a many-to-one relationship, declared with [ManyToOne]: each O
// refers to at most one T through a foreign key.
type ToOne[O, T any] struct{ r toOne[O, T] }

type toOne[O, T any] interface {
	relImpl
	setFor(owner *O, obj *T)
	backref(field func(*T) *Many[O], opts []Option) *ToMany[T, O]
}

func (r *ToOne[O, T]) impl() relImpl  { return r.r }
func (r *ToOne[O, T]) between(*O, *T) {}

// Name is the relationship's name in messages.
func (r *ToOne[O, T]) Name() string { return r.r.info().name }

// BackPopulates links r with other, the one-to-many over the same foreign
// key seen from T, so that each side follows changes to the other in memory
// (SQLAlchemy's back_populates). It returns r. It panics when other is not
// that relationship.
func (r *ToOne[O, T]) BackPopulates(other *ToMany[T, O]) *ToOne[O, T] {
	r.r.linkBack(other.r)
	other.r.linkBack(r.r)
	return r
}

// Backref declares the one-to-many over the same foreign key seen from T,
// linked with r (SQLAlchemy's backref).
func (r *ToOne[O, T]) Backref(field func(*T) *Many[O], opts ...Option) *ToMany[T, O] {
	return r.r.backref(field, opts)
}

// Set sets owner's reference to obj, as owner's field Set does, making owner
// known to the relationship first so that a linked collection always
// follows.
func (r *ToOne[O, T]) Set(owner *O, obj *T) { r.r.setFor(owner, obj) }

// ToMany is a one-to-many relationship ([OneToMany]) or a many-to-many one
// ([ManyToMany]): each O has a collection of T.
type ToMany[O, T any] struct{ r toMany[O, T] }

type toMany[O, T any] interface {
	relImpl
	addFor(owner *O, items []*T)
	removeFor(owner *O, items []*T)
	schema() retort.Schema
	backrefOne(field func(*T) *One[O], opts []Option) *ToOne[T, O]
	backrefMany(field func(*T) *Many[O], opts []Option) *ToMany[T, O]
}

func (r *ToMany[O, T]) impl() relImpl  { return r.r }
func (r *ToMany[O, T]) between(*O, *T) {}

// Name is the relationship's name in messages.
func (r *ToMany[O, T]) Name() string { return r.r.info().name }

// BackPopulates links r with other, the same relationship seen from T: the
// many-to-one over the same foreign key for a one-to-many, the many-to-many
// over the same association table for a many-to-many. Each side then
// follows changes to the other in memory. It returns r. It panics when
// other is not that relationship.
func (r *ToMany[O, T]) BackPopulates(other Relation[T, O]) *ToMany[O, T] {
	r.r.linkBack(other.impl())
	other.impl().linkBack(r.r)
	return r
}

// Backref declares the reverse of a many-to-many relationship (over the
// same association table), linked with r. It panics on a one-to-many: use
// [ToMany.BackrefOne].
func (r *ToMany[O, T]) Backref(field func(*T) *Many[O], opts ...Option) *ToMany[T, O] {
	return r.r.backrefMany(field, opts)
}

// BackrefOne declares the many-to-one over the same foreign key as the
// one-to-many r, linked with it. It panics on a many-to-many.
func (r *ToMany[O, T]) BackrefOne(field func(*T) *One[O], opts ...Option) *ToOne[T, O] {
	return r.r.backrefOne(field, opts)
}

// Add adds items to owner's collection, as its field's Add does, making
// owner known to the relationship first so that a linked relationship always
// follows.
func (r *ToMany[O, T]) Add(owner *O, items ...*T) { r.r.addFor(owner, items) }

// Remove removes items from owner's collection (see [ToMany.Add]).
func (r *ToMany[O, T]) Remove(owner *O, items ...*T) { r.r.removeFor(owner, items) }

// Table is the association table of a many-to-many relationship, to give to
// retort.CreateAll; nil for a one-to-many.
func (r *ToMany[O, T]) Table() retort.Schema { return r.r.schema() }

// Where returns r restricted to the targets that match conds (all of
// them), for eager loading: given to [SelectIn] or [Joined], it fills each
// owner's collection with the matching targets only, as SQLAlchemy's
// selectinload(User.orders.and_(...)) does:
//
//	users, err := session.All(ctx, s, retort.Select(Users), rel.SelectIn(UserOrders.Where(OrderStatus.Eq("paid"))))
//
// The conditions are on T's table (its columns, subqueries of any table):
// SelectIn adds them to its WHERE clause, Joined to its LEFT OUTER JOIN's ON
// clause (a Joined path to the classes of a joined-table hierarchy loads
// as SelectIn, whose conditions may use any table of the hierarchy). A
// column of another table is an error when the statement is built.
//
// A collection loaded so holds a part of the relationship: change it as
// any other (an Add writes the new target's key, a Remove nulls or deletes
// the removed one), but the targets it does not hold are left alone by
// [Many.Replace]; its owner's deletion reads the whole relationship first
// when it acts on the targets (a delete cascade, a NULL-able foreign key),
// as for a collection not loaded. A later load leaves it as it is unless
// given session.PopulateExisting, which reads it again (session.Refresh of
// the owner reads it in full). [Lazy] and [Raise] ignore the conditions.
func (r *ToMany[O, T]) Where(conds ...retort.Expr[bool]) *Filtered[O, T] {
	return &Filtered[O, T]{r: r.r, where: slices.Clone(conds)}
}

// Filtered is a one-to-many or many-to-many relationship with conditions
// on its targets, made by [ToMany.Where], for loading options.
type Filtered[O, T any] struct {
	r     toMany[O, T]
	where filter
}

func (f *Filtered[O, T]) impl() relImpl  { return f.r }
func (f *Filtered[O, T]) between(*O, *T) {}
func (f *Filtered[O, T]) conds() filter  { return f.where }

// Where adds conditions to f's: a new Filtered whose targets match both.
func (f *Filtered[O, T]) Where(conds ...retort.Expr[bool]) *Filtered[O, T] {
	return &Filtered[O, T]{r: f.r, where: append(f.where[:len(f.where):len(f.where)], conds...)}
}

// Name is the relationship's name in messages.
func (f *Filtered[O, T]) Name() string { return f.r.info().name }

// filter is the conditions on a relationship's targets while it loads
// (ToMany.Where); nil loads every target.
type filter []retort.Expr[bool]

// and is in ANDed with f.
func (f filter) and(in retort.Expr[bool]) retort.Expr[bool] {
	if len(f) == 0 {
		return in
	}
	return retort.And(append([]retort.Expr[bool]{in}, f...)...)
}

// check refuses a nil condition, naming the relationship.
func (f filter) check(name string) error {
	for i, c := range f {
		if c == nil {
			return fmt.Errorf("rel: %s.Where: condition %d of %d is nil", name, i+1, len(f))
		}
	}
	return nil
}

// write writes f's conditions, each after " AND ", on table referred to as
// ref in stmt.
func (f filter) write(w *retort.Writer, stmt, table, ref string) {
	for _, c := range f {
		w.WriteString(" AND (")
		w.WriteCondition(stmt, table, ref, c)
		w.WriteString(")")
	}
}

// relsKey keeps a table's relationships (as owner), for default loading.
type relsKey struct{}

// register records r as a relationship of t's objects. The first
// relationship of t installs the session interceptor that loads
// relationships for every query of t's objects.
func register[O any](t *retort.Table[O], r relImpl) {
	var rs []relImpl
	if v, ok := t.Extension(relsKey{}); ok {
		rs = v.([]relImpl)
	} else {
		session.Intercept(t, intercept[O])
		session.InterceptAny(t, interceptAny(t))
	}
	t.SetExtension(relsKey{}, append(rs[:len(rs):len(rs)], r))
}

func relsOf[O any](t *retort.Table[O]) []relImpl {
	if v, ok := t.Extension(relsKey{}); ok {
		return v.([]relImpl)
	}
	return nil
}

// singleKey returns t's primary key column, panicking when the key is not
// the single column pk (composite keys are not supported yet).
func singleKey[T, K any](pk *retort.Column[T, K]) {
	keys := pk.Table().PrimaryKey()
	if len(keys) != 1 || keys[0].Name() != pk.Name() {
		panic(fmt.Sprintf("rel: %s.%s is not the single-column primary key of %q (composite keys are not supported yet)",
			pk.TableName(), pk.Name(), pk.TableName()))
	}
}

// ensureFK declares fk as a foreign key to pk unless it is one already.
func ensureFK[C, P, K any](fk *retort.Column[C, K], pk *retort.Column[P, K]) {
	for _, f := range fk.Table().ForeignKeys() {
		if len(f.Columns) == 1 && f.Columns[0] == fk.Name() && f.RefTable == pk.TableName() {
			return
		}
	}
	fk.References(pk)
}

// hasKey reports whether obj has its primary key (a generated key is set
// once the row is inserted).
func hasKey[T any](t *retort.Table[T], obj *T) bool {
	auto := t.AutoKey()
	return auto == nil || !auto.IsZero(obj)
}

func mapperOf[T any]() session.Mapper {
	m, err := session.MapperOf[T]()
	if err != nil {
		panic(err) // every relationship's types have tables (checked at declaration)
	}
	return m
}

// ownerKeyOf describes an owner for messages.
func ownerKeyOf[O any](t *retort.Table[O]) func(any) string {
	return func(o any) string {
		m, err := session.MapperOf[O]()
		if err != nil {
			return t.Name()
		}
		if k, ok := m.Key(o); ok {
			return k.String()
		}
		return t.Name() + "(new)"
	}
}

// lookup finds the object with key k in s's identity map, without SQL.
func lookup[T any, K comparable](s *session.Session, k K) *T {
	key, err := mapperOf[T]().KeyOf([]any{k})
	if err != nil {
		return nil
	}
	if obj, ok := s.Lookup(key); ok {
		if t, ok := asTarget[T](obj); ok {
			return t
		}
	}
	return nil
}

// peers lists self and the persistent objects of O in s whose relationship
// is not loaded, for loading them all at once.
func peers[O any](s *session.Session, self any, unloaded func(*O) bool) []any {
	out := []any{self}
	for _, x := range s.Objects(mapperOf[O]()) {
		if x == self {
			continue
		}
		if o, ok := x.(*O); ok && unloaded(o) {
			out = append(out, x)
		}
	}
	return out
}
