package enum_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestTypeSafety builds testdata/nocompile, which must not compile, and
// checks that the compiler reports each error its "// want:" comments name:
// an enum column compares only with its own Go type, an enum holds only
// values of its type, and a Go type gets only an enum of that type.
func TestTypeSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	path := filepath.Join("testdata", "nocompile", "nocompile.go")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type want struct {
		line int
		msg  string
	}
	var wants []want
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if _, msg, ok := strings.Cut(sc.Text(), "// want: "); ok {
			wants = append(wants, want{n, msg})
		}
	}
	if len(wants) == 0 {
		t.Fatal("no // want: lines")
	}
	cmd := exec.Command(goTool, "build", "-o", os.DevNull, "./testdata/nocompile")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("testdata/nocompile compiled")
	}
	got := string(out)
	for _, w := range wants {
		prefix := "nocompile.go:" + strconv.Itoa(w.line) + ":"
		found := false
		for _, line := range strings.Split(got, "\n") {
			if strings.Contains(line, prefix) && strings.Contains(line, w.msg) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("line %d: the compiler did not report %q; it said:\n%s", w.line, w.msg, got)
		}
	}
}
