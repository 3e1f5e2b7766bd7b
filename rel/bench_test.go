package rel_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/postgres"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
	zsqlite "zombiezen.com/go/sqlite"
)

// Loading 1,000 parents with 10 children each by SelectIn, against
// hand-written driver code sending the same two statements, in the same run:
//
//	go test ./rel -run '^$' -bench . -benchmem                       (SQLite)
//	scripts/with-postgres go test ./rel -run '^$' -bench . -benchmem

type BParent struct {
	ID   int64
	Name string
	Kids rel.Many[BKid]
}

type BKid struct {
	ID       int64
	ParentID int64
	Name     string
	Score    float64
}

var (
	BParents    = retort.NewTable[BParent]("bench_parent")
	BParentID   = retort.Col(BParents, "id", func(p *BParent) *int64 { return &p.ID }, retort.PrimaryKey())
	BParentName = retort.Col(BParents, "name", func(p *BParent) *string { return &p.Name })
	BKids       = retort.NewTable[BKid]("bench_kid")
	BKidID      = retort.Col(BKids, "id", func(k *BKid) *int64 { return &k.ID }, retort.PrimaryKey())
	BKidParent  = retort.Col(BKids, "parent_id", func(k *BKid) *int64 { return &k.ParentID }, retort.Indexed())
	BKidName    = retort.Col(BKids, "name", func(k *BKid) *string { return &k.Name })
	BKidScore   = retort.Col(BKids, "score", func(k *BKid) *float64 { return &k.Score })
	BParentKids = rel.OneToMany(BKidParent, BParentID, func(p *BParent) *rel.Many[BKid] { return &p.Kids })
)

const (
	benchParents = 1000
	benchKids    = 10
)

// The hand-written side: plain structs and the statements rel sends.
type hParent struct {
	ID   int64
	Name string
	Kids []*hKid
}

type hKid struct {
	ID       int64
	ParentID int64
	Name     string
	Score    float64
}

const (
	selectParents = `SELECT "bench_parent"."id", "bench_parent"."name" FROM "bench_parent"`
	selectKidsPG  = `SELECT "bench_kid"."id", "bench_kid"."parent_id", "bench_kid"."name", "bench_kid"."score" FROM "bench_kid" WHERE "bench_kid"."parent_id" = ANY($1) ORDER BY "bench_kid"."id"`
)

func selectKidsSQLite(n int) string {
	return `SELECT "bench_kid"."id", "bench_kid"."parent_id", "bench_kid"."name", "bench_kid"."score" FROM "bench_kid" WHERE "bench_kid"."parent_id" IN (` +
		strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + `) ORDER BY "bench_kid"."id"`
}

func benchFamilies(b *testing.B, d retort.Dialect) *dbtest.Env {
	b.Helper()
	ctx := context.Background()
	var env *dbtest.Env
	if d == retort.Postgres {
		env = dbtest.OpenPostgres(b, dbtest.Options{})
	} else {
		env = dbtest.OpenSQLite(b, dbtest.Options{SQLiteFile: true})
	}
	env.Create(b, BParents, BKids)
	ps := make([]*BParent, benchParents)
	for i := range ps {
		ps[i] = &BParent{Name: fmt.Sprint("parent ", i)}
	}
	if err := retort.Insert(BParents, ps...).Exec(ctx, env.DB); err != nil {
		b.Fatal(err)
	}
	var kids []*BKid
	for _, p := range ps {
		for j := range benchKids {
			kids = append(kids, &BKid{ParentID: p.ID, Name: fmt.Sprint("kid ", j), Score: float64(j) / 3})
		}
	}
	if err := retort.Insert(BKids, kids...).Exec(ctx, env.DB); err != nil {
		b.Fatal(err)
	}
	return env
}

func BenchmarkSelectIn(b *testing.B) {
	ctx := context.Background()
	for _, d := range []retort.Dialect{retort.SQLite, retort.Postgres} {
		b.Run(d.String()+"/rel", func(b *testing.B) {
			env := benchFamilies(b, d)
			b.ReportAllocs()
			for b.Loop() {
				s := session.New(env.DB)
				ps, err := session.All(ctx, s, retort.Select(BParents), rel.SelectIn(BParentKids))
				if err != nil || len(ps) != benchParents || ps[benchParents-1].Kids.Len() != benchKids {
					b.Fatal(len(ps), err)
				}
			}
		})
		// The same two queries through the session without rel, grouping by
		// hand: what rel adds on top of the session's identity map.
		b.Run(d.String()+"/session", func(b *testing.B) {
			env := benchFamilies(b, d)
			b.ReportAllocs()
			for b.Loop() {
				s := session.New(env.DB)
				ps, err := session.All(ctx, s, retort.Select(BParents))
				if err != nil {
					b.Fatal(err)
				}
				ids := make([]int64, len(ps))
				for i, p := range ps {
					ids[i] = p.ID
				}
				kids, err := session.All(ctx, s, retort.Select(BKids).Where(BKidParent.In(ids...)).OrderBy(BKidID.Asc()))
				if err != nil {
					b.Fatal(err)
				}
				byParent := make(map[int64][]*BKid, len(ps))
				for _, k := range kids {
					byParent[k.ParentID] = append(byParent[k.ParentID], k)
				}
				if len(ps) != benchParents || len(byParent[ps[benchParents-1].ID]) != benchKids {
					b.Fatal(len(ps))
				}
			}
		})
		b.Run(d.String()+"/raw", func(b *testing.B) {
			env := benchFamilies(b, d)
			b.ReportAllocs()
			if d == retort.Postgres {
				pool := env.DB.(*postgres.DB).Pool()
				for b.Loop() {
					rs, err := pool.Query(ctx, selectParents)
					if err != nil {
						b.Fatal(err)
					}
					var ps []*hParent
					byID := map[int64]*hParent{}
					var ids []int64
					for rs.Next() {
						p := new(hParent)
						if err := rs.Scan(&p.ID, &p.Name); err != nil {
							b.Fatal(err)
						}
						ps = append(ps, p)
						byID[p.ID] = p
						ids = append(ids, p.ID)
					}
					if rs.Err() != nil {
						b.Fatal(rs.Err())
					}
					rs, err = pool.Query(ctx, selectKidsPG, ids)
					if err != nil {
						b.Fatal(err)
					}
					for rs.Next() {
						k := new(hKid)
						if err := rs.Scan(&k.ID, &k.ParentID, &k.Name, &k.Score); err != nil {
							b.Fatal(err)
						}
						p := byID[k.ParentID]
						p.Kids = append(p.Kids, k)
					}
					if rs.Err() != nil || len(ps) != benchParents || len(ps[benchParents-1].Kids) != benchKids {
						b.Fatal(rs.Err(), len(ps))
					}
				}
				return
			}
			conn, err := zsqlite.OpenConn(env.Path)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			for b.Loop() {
				stmt := conn.Prep(selectParents)
				var ps []*hParent
				byID := map[int64]*hParent{}
				for {
					ok, err := stmt.Step()
					if err != nil {
						b.Fatal(err)
					}
					if !ok {
						break
					}
					p := &hParent{ID: stmt.ColumnInt64(0), Name: stmt.ColumnText(1)}
					ps = append(ps, p)
					byID[p.ID] = p
				}
				stmt.Reset()
				kids := conn.Prep(selectKidsSQLite(len(ps)))
				for i, p := range ps {
					kids.BindInt64(i+1, p.ID)
				}
				for {
					ok, err := kids.Step()
					if err != nil {
						b.Fatal(err)
					}
					if !ok {
						break
					}
					k := &hKid{ID: kids.ColumnInt64(0), ParentID: kids.ColumnInt64(1), Name: kids.ColumnText(2), Score: kids.ColumnFloat(3)}
					p := byID[k.ParentID]
					p.Kids = append(p.Kids, k)
				}
				kids.Reset()
				if len(ps) != benchParents || len(ps[benchParents-1].Kids) != benchKids {
					b.Fatal(len(ps))
				}
			}
		})
	}
}
