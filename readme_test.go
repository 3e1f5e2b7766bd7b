package retort_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestREADME keeps README.md honest. Every ```go block is a file of one
// program (package main, the imports it needs added from the packages it
// names); the program is built and run on SQLite, and every ```text block
// must appear in what it prints, in order. A compiler error is reported at
// its line of README.md.
func TestREADME(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the go command is not on PATH: the README test needs it")
		}
		t.Skip("the go command is not on PATH")
	}
	md, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := fencedBlocks(string(md))
	var code, outputs []fenced
	for _, b := range blocks {
		switch b.info {
		case "go":
			code = append(code, b)
		case "text":
			outputs = append(outputs, b)
		}
	}
	if len(code) < 5 || len(outputs) < 5 {
		t.Fatalf("README.md has %d go blocks and %d text blocks; the tutorial is missing", len(code), len(outputs))
	}

	// A directory inside the module, so that the program imports this
	// module's packages as they are.
	dir, err := os.MkdirTemp("testdata", "readme-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	offsets := map[string]fenced{} // file name -> its block
	for i, b := range code {
		src, err := readmeFile(b.body)
		if err != nil {
			t.Fatalf("README.md:%d: %v", b.line, err)
		}
		name := fmt.Sprintf("block%02d.go", i)
		offsets[name] = b
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	bin := filepath.Join(dir, "readme")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, goBin, "build", "-o", bin, "./"+filepath.ToSlash(dir))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the README's Go code does not build (%v):\n%s", err, readmeLines(string(out), offsets))
	}
	run := exec.CommandContext(ctx, bin)
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Run(); err != nil {
		t.Fatalf("the README's program failed (%v):\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	got := stdout.String()
	pos := 0
	for _, o := range outputs {
		i := strings.Index(got[pos:], o.body)
		if i < 0 {
			if strings.Contains(got, o.body) {
				t.Errorf("README.md:%d: this output appears out of order", o.line)
			} else {
				t.Errorf("README.md:%d: the program does not print this output:\n%s", o.line, o.body)
			}
			continue
		}
		pos += i + len(o.body)
	}
	if t.Failed() {
		t.Logf("the program printed:\n%s", got)
	}
}

// fenced is a fenced code block of a Markdown file.
type fenced struct {
	info string // the info string: go, text, sh, ...
	body string // the lines between the fences, each ending in a newline
	line int    // the line number of the first body line
}

// fencedBlocks returns the ``` blocks of md.
func fencedBlocks(md string) []fenced {
	var out []fenced
	var cur *fenced
	var body strings.Builder
	sc := bufio.NewScanner(strings.NewReader(md))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			if cur == nil {
				cur = &fenced{info: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: n + 1}
				body.Reset()
				continue
			}
			cur.body = body.String()
			out = append(out, *cur)
			cur = nil
			continue
		}
		if cur != nil {
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	return out
}

// readmePackages are the packages a README block may use without importing
// them, by name.
var readmePackages = map[string]string{
	"context":  "context",
	"errors":   "errors",
	"fmt":      "fmt",
	"log":      "log",
	"os":       "os",
	"slog":     "log/slog",
	"strings":  "strings",
	"time":     "time",
	"retort":   "github.com/retort-orm/retort",
	"sqlite":   "github.com/retort-orm/retort/sqlite",
	"postgres": "github.com/retort-orm/retort/postgres",
	"session":  "github.com/retort-orm/retort/session",
	"rel":      "github.com/retort-orm/retort/rel",
	"enum":     "github.com/retort-orm/retort/enum",
	"inherit":  "github.com/retort-orm/retort/inherit",
	"magic":    "github.com/retort-orm/retort/magic",
}

// readmeHeader is the number of lines readmeFile puts before a block.
const readmeHeader = 2

// readmeFile makes a Go file of a README block: package main, then the
// block, with an import declaration on the block's first line for the
// packages it names (so that line numbers stay the block's).
func readmeFile(body string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "block.go", "package main\n\n"+body, parser.SkipObjectResolution)
	if err != nil {
		return "", err
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				if _, known := readmePackages[id.Name]; known {
					used[id.Name] = true
				}
			}
		}
		return true
	})
	var paths []string
	for name := range used {
		paths = append(paths, strconv.Quote(readmePackages[name]))
	}
	slices.Sort(paths)
	imports := ""
	if len(paths) > 0 {
		imports = "import (" + strings.Join(paths, "; ") + "); "
	}
	return "package main\n\n" + imports + body, nil
}

var compilerLine = regexp.MustCompile(`(?m)^(?:\./)?(?:[^\s:]*/)?(block\d\d\.go):(\d+):(\d+): `)

// readmeLines rewrites the compiler's file:line positions as README.md
// lines.
func readmeLines(out string, blocks map[string]fenced) string {
	return compilerLine.ReplaceAllStringFunc(out, func(m string) string {
		sub := compilerLine.FindStringSubmatch(m)
		b, ok := blocks[sub[1]]
		if !ok {
			return m
		}
		line, _ := strconv.Atoi(sub[2])
		return fmt.Sprintf("README.md:%d:%s: ", b.line+line-1-readmeHeader, sub[3])
	})
}
