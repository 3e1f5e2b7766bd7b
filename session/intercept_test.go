package session_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

type Memo struct {
	ID     int64
	Text   string
	Hidden bool
}

var (
	Memos      = retort.NewTable[Memo]("memo")
	MemoID     = retort.Col(Memos, "id", func(m *Memo) *int64 { return &m.ID }, retort.PrimaryKey())
	MemoText   = retort.Col(Memos, "text", func(m *Memo) *string { return &m.Text })
	MemoHidden = retort.Col(Memos, "hidden", func(m *Memo) *bool { return &m.Hidden })

	memoCalls    int
	memoLoaded   int
	errMemoQuery = errors.New("memo query refused")
	_            = interceptMemos()
)

type countLoader struct{ n *int }

func (l countLoader) Load(_ context.Context, _ *session.Session, objs []any) error {
	*l.n += len(objs)
	return nil
}

// interceptMemos installs two interceptors: the first hides hidden memos
// (changing the query), the second, installed later and so run first,
// counts calls, adds a loader and refuses a query given a sentinel option.
func interceptMemos() bool {
	session.Intercept(Memos, func(ctx context.Context, s *session.Session, q *retort.SelectQuery[Memo], cfg session.QueryConfig, next session.QueryFunc[Memo]) ([]*Memo, error) {
		return next(ctx, s, q.Where(MemoHidden.Eq(false)), cfg)
	})
	session.Intercept(Memos, func(ctx context.Context, s *session.Session, q *retort.SelectQuery[Memo], cfg session.QueryConfig, next session.QueryFunc[Memo]) ([]*Memo, error) {
		memoCalls++
		if cfg.PopulateExisting {
			return nil, errMemoQuery
		}
		cfg.Loaders = append(cfg.Loaders, countLoader{&memoLoaded})
		return next(ctx, s, q, cfg)
	})
	return true
}

func TestIntercept(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Memos)
		memoCalls, memoLoaded = 0, 0
		s := session.New(env.DB)
		for _, m := range []*Memo{{Text: "a"}, {Text: "b", Hidden: true}, {Text: "c"}} {
			if err := session.Add(s, m); err != nil {
				t.Fatal(err)
			}
		}
		got, err := session.All(ctx, s, retort.Select(Memos).OrderBy(MemoID.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, m := range got {
			texts = append(texts, m.Text)
		}
		if diff := cmp.Diff([]string{"a", "c"}, texts); diff != "" {
			t.Errorf("All through the interceptors (-want +got):\n%s", diff)
		}
		first, err := session.First(ctx, s, retort.Select(Memos).OrderBy(MemoID.Desc()))
		if err != nil || first.Text != "c" {
			t.Errorf("First = %+v, %v; want memo c", first, err)
		}
		if _, err := session.One(ctx, s, retort.Select(Memos).Where(MemoText.Eq("b"))); !errors.Is(err, retort.ErrNoRows) {
			t.Errorf("One of a hidden memo: %v, want ErrNoRows", err)
		}
		if _, err := session.All(ctx, s, retort.Select(Memos), session.PopulateExisting()); !errors.Is(err, errMemoQuery) {
			t.Errorf("refused query: %v, want errMemoQuery", err)
		}
		if memoCalls != 4 || memoLoaded != 3 {
			t.Errorf("interceptor calls = %d, loaded = %d; want 4 and 3", memoCalls, memoLoaded)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
