package magic

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// Entity gives a struct that embeds it the surrogate key: an int64 column
// "id" that the database generates.
//
//	type Tag struct {
//		magic.Entity
//		Name string
//	}
type Entity struct {
	ID int64
}

// EntityID returns a pointer to the key field. [Table] finds the key
// through it, so that the struct needs no accessor of its own.
func (e *Entity) EntityID() *int64 { return &e.ID }

// Keyed is satisfied by *T when T embeds [Entity].
type Keyed[T any] interface {
	*T
	// EntityID returns a pointer to the key field; Entity's method.
	EntityID() *int64
}

var (
	mu     sync.Mutex
	tables []retort.Schema
)

func remember(t retort.Schema) {
	mu.Lock()
	defer mu.Unlock()
	tables = append(tables, t)
}

// Tables returns every table declared with this package (including the
// association tables of [ManyToMany]), in declaration order.
func Tables() []retort.Schema {
	mu.Lock()
	defer mu.Unlock()
	return append([]retort.Schema(nil), tables...)
}

// Table declares the table of T, which embeds [Entity]: its name is T's
// name in snake_case ([TableName]) and its first column the generated key
// "id". Declare the other columns on it as usual, with retort.Col. Call it
// once per type, as a package-level variable:
//
//	var Tags = magic.Table[Tag]()
func Table[T any, P Keyed[T]]() *retort.Table[T] { return Named[T, P](TableName[T]()) }

// Named is [Table] with a name of the caller's choice.
func Named[T any, P Keyed[T]](name string) *retort.Table[T] {
	t := retort.NewTable[T](name)
	retort.Col(t, "id", func(obj *T) *int64 { return P(obj).EntityID() }, retort.PrimaryKey())
	remember(t)
	return t
}

// ID returns the single int64 primary-key column of t: the "id" of a table
// declared with [Table], or of any table whose key is one int64 column. It
// panics (a declaration error) for other tables.
func ID[T any](t *retort.Table[T]) *retort.Column[T, int64] {
	pk := t.PrimaryKey()
	if len(pk) == 1 {
		if c, ok := pk[0].(*retort.Column[T, int64]); ok {
			return c
		}
	}
	panic(fmt.Sprintf("magic: table %q: the primary key is not a single int64 column", t.Name()))
}

// TableName is the table name [Table] gives T: T's Go name (without package
// or type arguments), CamelCase to snake_case: OrderItem becomes
// order_item, HTTPLog http_log. The name comes from fmt's %T verb, once, at
// declaration.
func TableName[T any]() string {
	name := fmt.Sprintf("%T", new(T))
	name = strings.TrimLeft(name, "*")
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return SnakeCase(name)
}

// SnakeCase converts a CamelCase name to snake_case. A run of capitals is
// one word (UserID is user_id, HTTPServer http_server); digits stay with the
// word before them (Address2 is address2).
func SnakeCase(name string) string {
	rs := []rune(name)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// foreignKey returns child's NULL-able int64 column name referring to
// parent's key, declaring it if it is not declared yet (so that both sides
// of a relationship can name it).
func foreignKey[C, P any](child *retort.Table[C], name string, field func(*C) **int64, parent *retort.Table[P]) *retort.Column[C, int64] {
	for _, c := range child.Columns() {
		if c.Name() != name {
			continue
		}
		col, ok := c.(*retort.Column[C, int64])
		if !ok || !col.Nullable() {
			panic(fmt.Sprintf("magic: column %s.%s exists and is not a NULL-able int64 column", child.Name(), name))
		}
		return col
	}
	return retort.NullCol(child, name, field).References(ID(parent))
}

// OneToMany declares the foreign-key column fk (a NULL-able int64 in
// child's table, stored in the field fkField returns, referring to parent's
// key) and the one-to-many relationship from parent to its children in
// field. If the column was already declared (by the other side, with
// [ManyToOne]), it is reused.
//
//	var ParentChildren = magic.OneToMany(Parents, Children, "parent_id",
//		func(c *Child) **int64 { return &c.ParentID },
//		func(p *Parent) *rel.Many[Child] { return &p.Children })
func OneToMany[P, C any](parent *retort.Table[P], child *retort.Table[C], fk string, fkField func(*C) **int64, field func(*P) *rel.Many[C], opts ...rel.Option) *rel.ToMany[P, C] {
	return rel.OneToMany(foreignKey(child, fk, fkField, parent), ID(parent), field, opts...)
}

// ManyToOne declares the foreign-key column fk (a NULL-able int64 in
// child's table, stored in the field fkField returns, referring to parent's
// key) and the many-to-one relationship from child to its parent in field.
// If the column was already declared (by [OneToMany]), it is reused; link
// the two sides with BackPopulates.
func ManyToOne[C, P any](child *retort.Table[C], parent *retort.Table[P], fk string, fkField func(*C) **int64, field func(*C) *rel.One[P], opts ...rel.Option) *rel.ToOne[C, P] {
	return rel.ManyToOne(foreignKey(child, fk, fkField, parent), ID(parent), field, opts...)
}

// ManyToMany declares the association table named table, with a column
// referring to each side's key (<table>_id, as rel names them), and the
// many-to-many relationship from left to right in field. The association
// table joins [Tables]. Declare the reverse side with Backref.
//
//	var ChildTags = magic.ManyToMany(Children, Tags, "child_tag",
//		func(c *Child) *rel.Set[Tag] { return &c.Tags })
func ManyToMany[A, B any](left *retort.Table[A], right *retort.Table[B], table string, field func(*A) *rel.Set[B], opts ...rel.Option) *rel.ToMany[A, B] {
	r := rel.ManyToMany(ID(left), ID(right), table, field, opts...)
	remember(r.Table())
	return r
}

// Setup is the quick start's one call: it creates every table declared with
// this package that db does not have yet ([Tables], in foreign-key order)
// and returns a new session on db.
func Setup(ctx context.Context, db retort.DB, opts ...session.Option) (*session.Session, error) {
	if err := retort.CreateAll(ctx, db, Tables()...); err != nil {
		return nil, fmt.Errorf("magic: setup: %w", err)
	}
	return session.New(db, opts...), nil
}
