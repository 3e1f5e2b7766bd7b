package rel_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/rel"
	"github.com/retort-orm/retort/session"
)

// Playlists hold tracks ordered by rating, highest first, unrated last.

type Playlist struct {
	ID     int64
	Tracks rel.Many[Track]
}

type Track struct {
	ID         int64
	PlaylistID int64
	Rating     *int64
}

var (
	Playlists     = retort.NewTable[Playlist]("playlist")
	PlaylistID    = retort.Col(Playlists, "id", func(p *Playlist) *int64 { return &p.ID }, retort.PrimaryKey())
	Tracks        = retort.NewTable[Track]("track")
	TrackID       = retort.Col(Tracks, "id", func(t *Track) *int64 { return &t.ID }, retort.PrimaryKey())
	TrackPlaylist = retort.Col(Tracks, "playlist_id", func(t *Track) *int64 { return &t.PlaylistID })
	TrackRating   = retort.NullCol(Tracks, "rating", func(t *Track) **int64 { return &t.Rating })

	PlaylistTracks = rel.OneToMany(TrackPlaylist, PlaylistID, func(p *Playlist) *rel.Many[Track] { return &p.Tracks },
		rel.OrderBy(rel.Desc(TrackRating).NullsLast()))
)

// TestCollectionOrderNulls loads a collection ordered DESC NULLS LAST, by
// select-in and by join: the unrated track comes last on both databases
// (PostgreSQL's default would put it first, SQLite's last).
func TestCollectionOrderNulls(t *testing.T) {
	run(t, func(t *testing.T, env *dbtest.Env, rec *recorder) {
		ctx := context.Background()
		env.Create(t, Playlists, Tracks)
		s := session.New(env.DB)
		p := &Playlist{}
		three, five := int64(3), int64(5)
		p.Tracks.Add(&Track{Rating: &three}, &Track{}, &Track{Rating: &five})
		if err := session.Add(s, p); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for name, opt := range map[string]session.QueryOption{
			"select in": rel.SelectIn(PlaylistTracks),
			"joined":    rel.Joined(PlaylistTracks),
		} {
			s := session.New(env.DB)
			got, err := session.One(ctx, s, retort.Select(Playlists), opt)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			tracks, err := got.Tracks.Get()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var ratings []string
			for _, tr := range tracks {
				if tr.Rating == nil {
					ratings = append(ratings, "NULL")
				} else {
					ratings = append(ratings, string(rune('0'+*tr.Rating)))
				}
			}
			if diff := cmp.Diff([]string{"5", "3", "NULL"}, ratings); diff != "" {
				t.Errorf("%s: ratings in order (-want +got):\n%s", name, diff)
			}
		}
	})
}
