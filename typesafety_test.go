package retort_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestTypeSafety proves that misuse of the API does not compile. Each
// directory under testdata/typecheck is a small package; a line that must
// not compile ends with a comment
//
//	// want `part of the compiler's message`
//
// One `go build` compiles them all. Every line with a want must fail with a
// message containing it, and no other line may fail, so a snippet cannot pass
// by failing for another reason. The package "compiles" has no wants: it
// proves that the harness accepts correct code.
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
	wants := map[string][]string{} // "file:line" -> wanted message parts
	var pkgs []string
	sawCompiles := false
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		pkgs = append(pkgs, "./"+filepath.ToSlash(dir))
		if e.Name() == "compiles" {
			sawCompiles = true
		}
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
	if !sawCompiles || len(wants) < 10 {
		t.Fatalf("testdata/typecheck is incomplete: %d wants, compiles package present: %v", len(wants), sawCompiles)
	}

	cmd := exec.Command(goBin, append([]string{"build"}, pkgs...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	if runErr == nil {
		t.Fatalf("go build of the snippets succeeded; every want should have failed:\n%s", out.String())
	}

	got := map[string][]string{} // "file:line" -> messages
	errLine := regexp.MustCompile(`^(testdata/typecheck/[^:]+\.go):(\d+):\d+: (.*)$`)
	for _, l := range strings.Split(out.String(), "\n") {
		if m := errLine.FindStringSubmatch(l); m != nil {
			key := m[1] + ":" + m[2]
			got[key] = append(got[key], m[3])
		}
	}
	if len(got) == 0 {
		t.Fatalf("go build failed without compiler errors (%v):\n%s", runErr, out.String())
	}
	for key, parts := range wants {
		msgs := got[key]
		for _, p := range parts {
			if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, p) }) {
				t.Errorf("%s: want a compiler error containing %q, got %q", key, p, msgs)
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

// readWants returns the want comments of a file by line number.
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
		t.Fatal(fmt.Errorf("read %s: %w", path, err))
	}
	return wants
}
