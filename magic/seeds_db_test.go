package magic_test

import (
	"bytes"
	"context"
	"go/doc"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retort-orm/retort/internal/dbtest"
)

// The polymorphic-association examples run here on both databases, and
// must print on PostgreSQL exactly what their Example prints on SQLite.

// exampleOutput returns the "// Output:" text of the example named name
// (without "Example") in file.
func exampleOutput(t *testing.T, file, name string) string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range doc.Examples(f) {
		if ex.Name == name && ex.Output != "" {
			return ex.Output
		}
	}
	t.Fatalf("no example %s with output in %s", name, file)
	return ""
}

func runSeed(t *testing.T, file, example string, scenario func(ctx context.Context, env *dbtest.Env, out *bytes.Buffer) error) {
	want := exampleOutput(t, file, example)
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		var out bytes.Buffer
		if err := scenario(context.Background(), env, &out); err != nil {
			t.Fatalf("%v\noutput so far:\n%s", err, out.String())
		}
		if diff := cmp.Diff(strings.TrimSpace(want), strings.TrimSpace(out.String())); diff != "" {
			t.Errorf("output differs from Example%s (-want +got):\n%s", example, diff)
		}
	})
}

func TestSeedPolymorphicAssociations(t *testing.T) {
	runSeed(t, "example_polyassoc_test.go", "_polymorphicAssociations", func(ctx context.Context, env *dbtest.Env, out *bytes.Buffer) error {
		return polyAssocAR(ctx, env.DB, out)
	})
}

func TestSeedPolymorphicAssociationsNormalized(t *testing.T) {
	runSeed(t, "example_polyassoc_normalized_test.go", "_polymorphicAssociationsNormalized", func(ctx context.Context, env *dbtest.Env, out *bytes.Buffer) error {
		return polyAssocNormalized(ctx, env.DB, out)
	})
}
