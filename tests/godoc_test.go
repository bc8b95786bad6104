package tests

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestPackageDocNamesEveryConstructWithAnExample keeps what go doc and
// pkg.go.dev show whole: the package overview (doc.go) names every construct
// (every exported NewX returning *X), and each has a runnable Example
// (ExampleNewX or ExampleNewX_suffix, with an Output comment) that go test
// runs; the contributors' matter is in ARCHITECTURE.md, not in the overview.
func TestPackageDocNamesEveryConstructWithAnExample(t *testing.T) {
	dir := "../constructs/kmsmonitor"
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return true }, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var constructs []string
	for _, f := range pkgs["kmsmonitor"].Files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "New") || fn.Type.Results == nil {
				continue
			}
			if star, ok := fn.Type.Results.List[0].Type.(*ast.StarExpr); ok {
				if id, ok := star.X.(*ast.Ident); ok && "New"+id.Name == fn.Name.Name {
					constructs = append(constructs, id.Name)
				}
			}
		}
	}
	sort.Strings(constructs)
	if len(constructs) < 19 {
		t.Fatalf("found %d constructs: %v", len(constructs), constructs)
	}
	examples := map[string]bool{}
	for _, f := range pkgs["kmsmonitor_test"].Files {
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && strings.HasPrefix(fn.Name.Name, "ExampleNew") {
				hasOutput := false
				for _, c := range f.Comments {
					if c.Pos() > fn.Body.Lbrace && c.End() < fn.Body.Rbrace && strings.Contains(c.Text(), "Output:") {
						hasOutput = true
					}
				}
				if hasOutput {
					examples[strings.SplitN(strings.TrimPrefix(fn.Name.Name, "ExampleNew"), "_", 2)[0]] = true
				}
			}
		}
	}
	overview, err := os.ReadFile(filepath.Join(dir, "doc.go"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(overview)
	for _, c := range constructs {
		if !regexp.MustCompile(`\b` + c + `\b`).MatchString(doc) {
			t.Errorf("the package overview (doc.go) does not name %s", c)
		}
		if !examples[c] {
			t.Errorf("%s has no runnable example (ExampleNew%s with an Output comment)", c, c)
		}
	}
	if strings.Contains(doc, "# Architecture") {
		t.Error("the package overview holds the architecture; it belongs in ARCHITECTURE.md")
	}
	t.Logf("%d constructs, each named in the overview with an example", len(constructs))
}
