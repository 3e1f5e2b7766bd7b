package retort_test

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

// The seed scenarios of the example files run here on both databases, and
// must print on PostgreSQL exactly what their Example prints on SQLite.

// exampleOutput returns the "// Output:" text of the example named name
// (without "Example") in file, as go test compares it.
func exampleOutput(t *testing.T, file, name string) string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range doc.Examples(f) {
		if ex.Name == name {
			if ex.Output == "" {
				t.Fatalf("example %s in %s has no output", name, file)
			}
			return ex.Output
		}
	}
	t.Fatalf("no example %s in %s", name, file)
	return ""
}

// runSeed runs scenario on both databases and compares what it prints with
// the output of the example named example in file.
func runSeed(t *testing.T, file, example string, scenario func(ctx context.Context, env *dbtest.Env, out *bytes.Buffer) error) {
	want := exampleOutput(t, file, example)
	dbtest.Run(t, func(t *testing.T, env *dbtest.Env) {
		var out bytes.Buffer
		if err := scenario(context.Background(), env, &out); err != nil {
			t.Fatalf("%v\noutput so far:\n%s", err, out.String())
		}
		if diff := cmp.Diff(strings.TrimSpace(want), strings.TrimSpace(out.String())); diff != "" {
			t.Errorf("output differs from Example_%s (-want +got):\n%s", example, diff)
		}
	})
}

func TestSeedZoo(t *testing.T) {
	runSeed(t, "example_zoo_test.go", "_zoo", func(ctx context.Context, env *dbtest.Env, out *bytes.Buffer) error {
		return zooTour(ctx, env.DB, out)
	})
}

func TestSeedEnumRecipe(t *testing.T) {
	runSeed(t, "example_enum_test.go", "_enumRecipe", func(ctx context.Context, env *dbtest.Env, out *bytes.Buffer) error {
		return enumRecipe(ctx, env.DB, out)
	})
}

func TestSeedEnumDiscriminator(t *testing.T) {
	runSeed(t, "example_enum_inherit_test.go", "_enumDiscriminator", func(ctx context.Context, env *dbtest.Env, out *bytes.Buffer) error {
		return enumDiscriminator(ctx, env.DB, out)
	})
}

func TestSeedThreeProfiles(t *testing.T) {
	runSeed(t, "example_profiles_test.go", "_threeProfiles", func(ctx context.Context, env *dbtest.Env, out *bytes.Buffer) error {
		return threeProfiles(ctx, env.DB, env.Count, out)
	})
}
