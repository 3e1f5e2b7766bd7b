package retort_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort"
	"github.com/retort-orm/retort/inherit"
	"github.com/retort-orm/retort/internal/dbtest"
	"github.com/retort-orm/retort/session"
)

// stampClock is a clock that moves one second at each reading, so that each
// object a Default function stamps shows which call stamped it.
var stampClock atomic.Int64

func stampNow() time.Time {
	return time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC).Add(time.Duration(stampClock.Add(1)) * time.Second)
}

// Stamp has Go-side defaults computed at each insert: a creation time and a
// reference.
type Stamp struct {
	ID      int64
	Title   string
	Created time.Time
	Ref     string
}

var (
	Stamps       = retort.NewTable[Stamp]("stamp")
	StampID      = retort.Col(Stamps, "id", func(s *Stamp) *int64 { return &s.ID }, retort.PrimaryKey())
	StampTitle   = retort.Col(Stamps, "title", func(s *Stamp) *string { return &s.Title })
	StampCreated = retort.Col(Stamps, "created", func(s *Stamp) *time.Time { return &s.Created }, retort.Default(stampNow))
	StampRef     = retort.Col(Stamps, "ref", func(s *Stamp) *string { return &s.Ref },
		retort.Default(func() string { return fmt.Sprint("ref-", stampClock.Load()) }))
)

// A Doc hierarchy whose base and subclass tables have Default functions.
type Doc struct {
	ID      int64
	Kind    string
	Created time.Time
}

type Letter struct {
	Doc
	Sent    time.Time
	Revised time.Time
}

var (
	Docs        = retort.NewTable[Doc]("doc")
	DocID       = retort.Col(Docs, "id", func(d *Doc) *int64 { return &d.ID }, retort.PrimaryKey())
	DocKind     = retort.Col(Docs, "kind", func(d *Doc) *string { return &d.Kind })
	_           = retort.Col(Docs, "created", func(d *Doc) *time.Time { return &d.Created }, retort.Default(stampNow))
	Letters     = retort.NewTable[Letter]("letter")
	_           = retort.Col(Letters, "id", func(l *Letter) *int64 { return &l.ID }, retort.PrimaryKey()).References(DocID)
	LetterSent  = retort.Col(Letters, "sent", func(l *Letter) *time.Time { return &l.Sent }, retort.Default(stampNow))
	_           = retort.Col(Letters, "revised", func(l *Letter) *time.Time { return &l.Revised }, retort.UpdateDefault(stampNow))
	DocClass    = inherit.New(Docs, DocKind, "doc")
	LetterClass = inherit.Sub(DocClass, Letters, func(l *Letter) *Doc { return &l.Doc }, "letter")
)

// TestDefaultFunc: a function given to Default is called for each object
// inserted with the field at its zero value, in the objects' order, on every
// path (one row, 3 rows, 2,100 rows, a session's flush, an inheritance
// hierarchy's tables); a value the program gave is kept; the rows hold what
// the objects show. A function has no DDL default.
func TestDefaultFunc(t *testing.T) {
	for _, d := range []retort.Dialect{retort.Postgres, retort.SQLite} {
		if ddl := strings.Join(retort.CreateSQL(d, Stamps), "\n"); strings.Contains(strings.ReplaceAll(ddl, "BY DEFAULT", ""), "DEFAULT") {
			t.Errorf("%s: a Default function made a DDL default:\n%s", d, ddl)
		}
	}
	for _, bad := range []any{func() int { return 1 }, 7, func(int) string { return "" }} {
		func() {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.Contains(msg, `bad_default.c: Default of a `) || !strings.Contains(msg, "not a string or a func() string") {
					t.Errorf("Default(%T) on a string column: panic %q", bad, msg)
				}
			}()
			retort.Col(retort.NewTable[Stamp]("bad_default"), "c", func(s *Stamp) *string { return &s.Ref }, retort.Default(bad))
		}()
	}
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Stamps)
		env.Create(t, DocClass.Tables()...)
		given := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
		var all []*Stamp
		for _, n := range []int{1, 3, 2100} {
			objs := make([]*Stamp, n)
			for i := range objs {
				objs[i] = &Stamp{Title: fmt.Sprint(n, "/", i)}
			}
			objs[n-1].Created, objs[n-1].Ref = given, "mine"
			before := stampClock.Load()
			if err := retort.Insert(Stamps, objs...).Exec(ctx, env.DB); err != nil {
				t.Fatal(err)
			}
			for i, o := range objs[:n-1] {
				if want := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC).Add(time.Duration(before+int64(i)+1) * time.Second); !o.Created.Equal(want) {
					t.Fatalf("%d rows: object %d created %v, want %v (one call per object, in order)", n, i, o.Created, want)
				}
				if o.Ref == "" {
					t.Fatalf("%d rows: object %d has no ref", n, i)
				}
			}
			if last := objs[n-1]; !last.Created.Equal(given) || last.Ref != "mine" {
				t.Errorf("%d rows: the given values were replaced: %v %q", n, last.Created, last.Ref)
			}
			all = append(all, objs...)
		}
		s := session.New(env.DB)
		flushed := &Stamp{Title: "session"}
		if err := session.Add(s, flushed); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if flushed.Created.IsZero() || flushed.Ref == "" {
			t.Errorf("a session's insert applied no default: %+v", flushed)
		}
		all = append(all, flushed)
		got, err := retort.Select(Stamps).OrderBy(StampID.Asc()).All(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(all, got); diff != "" {
			t.Errorf("rows (-objects +stored):\n%s", diff)
		}

		s = session.New(env.DB)
		letters := []*Letter{{}, {}, {Sent: given}}
		for _, l := range letters {
			if err := session.Add(s, l); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		for i, l := range letters {
			if l.Created.IsZero() || l.Sent.IsZero() || i == 2 && !l.Sent.Equal(given) {
				t.Errorf("letter %d: created %v, sent %v", i, l.Created, l.Sent)
			}
		}
		stored, err := inherit.All(ctx, session.New(env.DB), inherit.Select(LetterClass).OrderBy(DocID.Asc()))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(letters, stored); diff != "" {
			t.Errorf("letters (-objects +stored):\n%s", diff)
		}
	})
}

// Edit has a modification time and a status that UPDATEs set when the
// program leaves them alone.
type Edit struct {
	ID       int64
	Title    string
	Modified time.Time
	Status   string
}

var (
	Edits        = retort.NewTable[Edit]("edit")
	EditID       = retort.Col(Edits, "id", func(e *Edit) *int64 { return &e.ID }, retort.PrimaryKey())
	EditTitle    = retort.Col(Edits, "title", func(e *Edit) *string { return &e.Title })
	EditModified = retort.Col(Edits, "modified", func(e *Edit) *time.Time { return &e.Modified }, retort.UpdateDefault(stampNow))
	EditStatus   = retort.Col(Edits, "status", func(e *Edit) *string { return &e.Status }, retort.UpdateDefault("edited"))
)

// TestUpdateDefault: UpdateDefault columns (a function and a value) are set
// by every UPDATE a session writes, when the program left them alone, and by
// Update statements that do not Set them; not by inserts, not when the
// program set them, not for objects without other changes; the snapshot
// takes the new value, so the next flush writes nothing. In a hierarchy, a
// table's UpdateDefault columns go with that table's UPDATE only.
func TestUpdateDefault(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Edits)
		env.Create(t, DocClass.Tables()...)
		stored := func() []*Edit {
			t.Helper()
			got, err := retort.Select(Edits).OrderBy(EditID.Asc()).All(ctx, env.DB)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		at := func(n int64) time.Time {
			return time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Second)
		}
		s := session.New(env.DB)
		e1, e2 := &Edit{Title: "one"}, &Edit{Title: "two"}
		if err := session.AddAll(s, e1, e2); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*Edit{{ID: e1.ID, Title: "one"}, {ID: e2.ID, Title: "two"}}, stored()); diff != "" {
			t.Errorf("an insert applied UpdateDefault (-want +got):\n%s", diff)
		}

		e1.Title = "one, edited"
		tick := stampClock.Load() + 1
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		want := []*Edit{{ID: e1.ID, Title: "one, edited", Modified: at(tick), Status: "edited"}, {ID: e2.ID, Title: "two"}}
		if diff := cmp.Diff(want, []*Edit{e1, e2}); diff != "" {
			t.Errorf("objects after an UPDATE (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, stored()); diff != "" {
			t.Errorf("rows after an UPDATE (-want +got):\n%s", diff)
		}
		env.Count.Reset()
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := env.Count.RoundTrips(); n != 0 || stampClock.Load() != tick {
			t.Errorf("a commit with nothing changed took %d round trips and read the clock %d times", n, stampClock.Load()-tick)
		}

		given := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
		e2.Title, e2.Modified, e2.Status = "two, edited", given, "mine"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		want[1] = &Edit{ID: e2.ID, Title: "two, edited", Modified: given, Status: "mine"}
		if diff := cmp.Diff(want, stored()); diff != "" {
			t.Errorf("rows after an UPDATE that set the columns (-want +got):\n%s", diff)
		}

		tick = stampClock.Load() + 1
		if _, err := retort.Update(Edits).Set(EditTitle.To("bulk")).Where(EditID.Eq(e2.ID)).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		want[1] = &Edit{ID: e2.ID, Title: "bulk", Modified: at(tick), Status: "edited"}
		if _, err := retort.Update(Edits).Set(EditStatus.To("kept"), EditModified.To(given)).Where(EditID.Eq(e1.ID)).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}
		want[0] = &Edit{ID: e1.ID, Title: "one, edited", Modified: given, Status: "kept"}
		if diff := cmp.Diff(want, stored()); diff != "" {
			t.Errorf("rows after Update statements (-want +got):\n%s", diff)
		}

		// A hierarchy: "revised" is the letter table's.
		s = session.New(env.DB)
		l := &Letter{}
		if err := session.Add(s, l); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		l.Created = given // the doc table alone
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if !l.Revised.IsZero() {
			t.Errorf("an UPDATE of the base table alone set the subclass's revised: %v", l.Revised)
		}
		l.Sent = given
		tick = stampClock.Load() + 1
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := inherit.Get(ctx, session.New(env.DB), LetterClass, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !l.Revised.Equal(at(tick)) || !got.Revised.Equal(at(tick)) {
			t.Errorf("revised %v, stored %v, want %v", l.Revised, got.Revised, at(tick))
		}
	})
}

// TestExecUpdateDefaults: session.ExecUpdate brings back the UpdateDefault
// columns its statement set besides the program's assignments: the loaded
// objects take the stamped values, and their snapshots, so the commit
// writes nothing.
func TestExecUpdateDefaults(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Edits)
		s := session.New(env.DB)
		e := &Edit{Title: "one"}
		if err := session.Add(s, e); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := retort.Update(Edits).Set(EditTitle.To("x")).SetColumns(); !slices.Equal(got, []string{"title", "modified", "status"}) {
			t.Errorf("SetColumns = %q", got)
		}
		// A class of a hierarchy spans tables: refused, nothing sent.
		env.Count.Reset()
		if _, err := session.ExecUpdate(ctx, s, retort.Update(Letters).Set(LetterSent.To(time.Now()))); err == nil || !strings.Contains(err.Error(), "not mapped by that table alone") {
			t.Errorf("ExecUpdate of a subclass table: %v, want a refusal", err)
		}
		if n := env.Count.Statements(); n != 0 {
			t.Errorf("the refused ExecUpdate sent %d statements", n)
		}
		tick := stampClock.Load() + 1
		if _, err := session.ExecUpdate(ctx, s, retort.Update(Edits).Set(EditTitle.To("bulk"))); err != nil {
			t.Fatal(err)
		}
		want := &Edit{ID: e.ID, Title: "bulk", Modified: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC).Add(time.Duration(tick) * time.Second), Status: "edited"}
		if diff := cmp.Diff(want, e); diff != "" {
			t.Errorf("object after ExecUpdate (-want +got):\n%s", diff)
		}
		env.Count.Reset()
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if n := env.Count.Statements(); n != 1 {
			t.Errorf("the commit sent %d statements, want the COMMIT alone", n)
		}
		got, err := retort.Select(Edits).One(ctx, env.DB)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("row (-want +got):\n%s", diff)
		}
	})
}

// TestFailedFlushUndoesDefaults: a flush the database refuses leaves every
// object as it was before it, also the columns the flush filled in: Go
// defaults of new rows (a time, a text, a UUID key; a hierarchy's base and
// subclass tables) and UpdateDefault columns of updated rows, while the
// program's own changes stay. The retry fills them in again and commits.
func TestFailedFlushUndoesDefaults(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		ctx := context.Background()
		env.Create(t, Stamps, Edits, Products)
		env.Create(t, DocClass.Tables()...)
		loaded := &Edit{Title: "loaded", Modified: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC), Status: "new"}
		if err := retort.Insert(Edits, loaded).Exec(ctx, env.DB); err != nil {
			t.Fatal(err)
		}

		for _, refused := range []string{"stamp", "product", "letter", "edit"} {
			s := session.New(env.DB)
			edit, err := session.Get(ctx, s, Edits, loaded.ID)
			if err != nil {
				t.Fatal(err)
			}
			edit.Title = "changed by the program"
			stamp := &Stamp{Title: "new"}
			prod := &Product{Name: "new", Attrs: map[string]any{}}
			letter := &Letter{}
			for _, err := range []error{session.Add(s, stamp), session.Add(s, prod), session.Add(s, letter)} {
				if err != nil {
					t.Fatal(err)
				}
			}
			before := []any{*edit, *stamp, *prod, *letter}
			op := "INSERT"
			if refused == "edit" {
				op = "UPDATE"
			}
			drop := env.Refuse(t, refused, op)
			err = s.Commit(ctx)
			drop()
			if err == nil {
				t.Fatalf("%s refused: the commit succeeded", refused)
			}
			after := []any{*edit, *stamp, *prod, *letter}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("%s refused: objects (-before the flush +after it failed):\n%s", refused, diff)
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatalf("%s refused, then the retry: %v", refused, err)
			}
			if stamp.Created.IsZero() || stamp.Ref == "" || prod.ID.IsZero() || letter.Created.IsZero() || letter.Sent.IsZero() ||
				edit.Status != "edited" || edit.Title != "changed by the program" {
				t.Errorf("%s refused, after the retry: %+v %s %+v %+v", refused, stamp, prod.ID, letter, edit)
			}
			if _, err := env.DB.Exec(ctx, `UPDATE "edit" SET "title" = 'loaded', "status" = 'new'`); err != nil {
				t.Fatal(err)
			}
		}
	})
}
