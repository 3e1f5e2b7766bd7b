package session_test

import (
	"sync"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/session"
)

type Author struct {
	ID      int64
	Name    string
	Email   *string
	Version int64
}

var (
	Authors       = retort.NewTable[Author]("author")
	AuthorID      = retort.Col(Authors, "id", func(a *Author) *int64 { return &a.ID }, retort.PrimaryKey())
	AuthorName    = retort.Col(Authors, "name", func(a *Author) *string { return &a.Name }, retort.Unique(), retort.Size(40))
	AuthorEmail   = retort.NullCol(Authors, "email", func(a *Author) **string { return &a.Email })
	AuthorVersion = retort.Col(Authors, "version", func(a *Author) *int64 { return &a.Version })
)

type Book struct {
	ID       int64
	AuthorID int64
	Title    string
	Pages    int32
	Author   *Author // followed by the test relationship below, not a column
}

var (
	Books      = retort.NewTable[Book]("book")
	BookID     = retort.Col(Books, "id", func(b *Book) *int64 { return &b.ID }, retort.PrimaryKey())
	BookAuthor = retort.Col(Books, "author_id", func(b *Book) *int64 { return &b.AuthorID }).References(AuthorID, retort.OnDelete("CASCADE"))
	BookTitle  = retort.Col(Books, "title", func(b *Book) *string { return &b.Title })
	BookPages  = retort.Col(Books, "pages", func(b *Book) *int32 { return &b.Pages })
	_          = register()
)

// Node is a tree: a self-referencing table.
type Node struct {
	ID       int64
	ParentID *int64
	Name     string
	Parent   *Node
}

var (
	Nodes      = retort.NewTable[Node]("node")
	NodeID     = retort.Col(Nodes, "id", func(n *Node) *int64 { return &n.ID }, retort.PrimaryKey())
	NodeParent = retort.NullCol(Nodes, "parent_id", func(n *Node) **int64 { return &n.ParentID }).References(NodeID)
	NodeName   = retort.Col(Nodes, "name", func(n *Node) *string { return &n.Name })
)

var registerOnce sync.Once

func register() bool {
	registerOnce.Do(func() {
		session.Versioned(Authors, AuthorVersion)
		session.Relate(Books, parentRel[Book, Author]{
			get:  func(b *Book) *Author { return b.Author },
			sync: func(b *Book, a *Author) { b.AuthorID = a.ID },
		})
		session.Relate(Nodes, parentRel[Node, Node]{
			get:  func(n *Node) *Node { return n.Parent },
			sync: func(n *Node, p *Node) { n.ParentID = &p.ID },
		})
	})
	return true
}

// parentRel is a minimal many-to-one for these tests (package rel provides
// the real ones): it cascades the parent, orders it first and copies its key.
type parentRel[C, P any] struct {
	get  func(*C) *P
	sync func(*C, *P)
}

func (r parentRel[C, P]) Cascade(obj any, add func(session.Mapper, any)) {
	if p := r.get(obj.(*C)); p != nil {
		m, _ := session.MapperOf[P]()
		add(m, p)
	}
}

func (r parentRel[C, P]) Parents(obj any, visit func(any)) {
	if p := r.get(obj.(*C)); p != nil {
		visit(p)
	}
}

func (r parentRel[C, P]) Sync(obj any) {
	if p := r.get(obj.(*C)); p != nil {
		r.sync(obj.(*C), p)
	}
}

func (parentRel[C, P]) Removed(any, func(any))       {}
func (parentRel[C, P]) CascadeDelete(any, func(any)) {}
func (parentRel[C, P]) Attach(any, *session.Session) {}
func (parentRel[C, P]) Flushed(any)                  {}

var tables = []retort.Schema{Authors, Books, Nodes}

func ptr[V any](v V) *V { return &v }
