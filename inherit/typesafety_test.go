package inherit_test

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
// checks that the compiler reports the error each "// want:" comment names:
// a discriminator value of the wrong type, an embed function of another
// class, a discriminator column of another table, a predicate of the wrong
// type, and a subclass query result used as the base type.
func TestTypeSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	src, err := os.Open(filepath.Join("testdata", "nocompile", "nocompile.go"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	wants := map[int]string{}
	sc := bufio.NewScanner(src)
	for n := 1; sc.Scan(); n++ {
		if _, msg, ok := strings.Cut(sc.Text(), "// want: "); ok {
			wants[n] = msg
		}
	}
	if len(wants) == 0 {
		t.Fatal("no // want: lines")
	}
	out, err := exec.Command(goTool, "build", "-o", os.DevNull, "./testdata/nocompile").CombinedOutput()
	if err == nil {
		t.Fatal("testdata/nocompile compiled")
	}
	for line, msg := range wants {
		prefix := "nocompile.go:" + strconv.Itoa(line) + ":"
		found := false
		for _, l := range strings.Split(string(out), "\n") {
			if strings.Contains(l, prefix) && strings.Contains(l, msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("line %d: the compiler did not report %q; it said:\n%s", line, msg, out)
		}
	}
}
