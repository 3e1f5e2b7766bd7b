package rel_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestTypeSafety proves that relationships between mismatched types do not
// compile. Each directory under testdata/typecheck is a small package (model
// declares the tables they share); a line that must not compile ends with
//
//	// want `part of the compiler's message`
//
// Every such line must fail with that message and no other line may fail.
// The package "compiles" has no wants: it proves the harness accepts correct
// code.
func TestTypeSafety(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the go command is not on PATH: the type-safety test needs it")
		}
		t.Skip("the go command is not on PATH")
	}
	root := filepath.Join("testdata", "typecheck")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	wants := map[string][]string{}
	var pkgs []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		pkgs = append(pkgs, "./"+filepath.ToSlash(dir))
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			for line, w := range readWants(t, f) {
				key := filepath.ToSlash(f) + ":" + strconv.Itoa(line)
				wants[key] = append(wants[key], w...)
			}
		}
	}
	if !slices.Contains(pkgs, "./testdata/typecheck/compiles") || len(wants) < 8 {
		t.Fatalf("testdata/typecheck is incomplete: %d wants, packages %v", len(wants), pkgs)
	}
	cmd := exec.Command(goBin, append([]string{"build"}, pkgs...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if cmd.Run() == nil {
		t.Fatalf("go build of the snippets succeeded; every want should have failed:\n%s", out.String())
	}
	got := map[string][]string{}
	errLine := regexp.MustCompile(`^(testdata/typecheck/[^:]+\.go):(\d+):\d+: (.*)$`)
	for _, l := range strings.Split(out.String(), "\n") {
		if m := errLine.FindStringSubmatch(l); m != nil {
			got[m[1]+":"+m[2]] = append(got[m[1]+":"+m[2]], m[3])
		}
	}
	for key, parts := range wants {
		for _, p := range parts {
			if !slices.ContainsFunc(got[key], func(m string) bool { return strings.Contains(m, p) }) {
				t.Errorf("%s: want a compiler error containing %q, got %q", key, p, got[key])
			}
		}
	}
	for key, msgs := range got {
		if _, ok := wants[key]; !ok {
			t.Errorf("%s: unexpected compiler error %q", key, msgs)
		}
	}
	if t.Failed() {
		t.Logf("go build output:\n%s", out.String())
	}
}

var wantComment = regexp.MustCompile("// want `([^`]+)`")

func readWants(t *testing.T, path string) map[int][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wants := map[int][]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		for _, m := range wantComment.FindAllStringSubmatch(sc.Text(), -1) {
			wants[n] = append(wants[n], m[1])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return wants
}
