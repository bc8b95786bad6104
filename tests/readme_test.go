package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeGoSnippetsAreRunnableExamples keeps README and docs/ honest: each
// Go snippet of README.md and docs/*.md (import lines aside) must appear, whitespace aside, in
// constructs/kmsmonitor/example_test.go, whose Example functions go test
// compiles, runs and checks.
func TestReadmeGoSnippetsAreRunnableExamples(t *testing.T) {
	readme := readmeAndDocs(t)
	examples, err := os.ReadFile("../constructs/kmsmonitor/example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	space := regexp.MustCompile(`\s+`)
	normalize := func(s string) string { return space.ReplaceAllString(s, " ") }
	haystack := normalize(string(examples))
	snippets := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(snippets) < 5 {
		t.Fatalf("found %d Go snippets in README.md, want one per construct at least", len(snippets))
	}
	for _, m := range snippets {
		var code []string
		for _, line := range strings.Split(m[1], "\n") {
			if !strings.HasPrefix(line, "import ") {
				code = append(code, line)
			}
		}
		snippet := strings.TrimSpace(normalize(strings.Join(code, "\n")))
		if !strings.Contains(haystack, snippet) {
			t.Errorf("README snippet is not in example_test.go, so nothing proves it compiles:\n%s", m[1])
		}
	}
}

// TestReadmeGoSnippetsPasteTogether keeps README's promise that its Go
// snippets, pasted in order into a cdk init app, compile and synthesize:
// every package a snippet uses is imported by cdk init (awscdk, constructs,
// jsii) or listed by an import line of that snippet or an earlier one, and
// no two snippets give the same construct ID in the same scope.
func TestReadmeGoSnippetsPasteTogether(t *testing.T) {
	readme := readmeAndDocs(t)
	imported := map[string]bool{"awscdk": true, "constructs": true, "jsii": true}
	ids := map[string]int{} // scope variable and construct ID -> snippet number
	importLine := regexp.MustCompile(`^import "([^"]+)"`)
	declared := regexp.MustCompile(`(\w+) :=`)
	qualifier := regexp.MustCompile(`\b([a-z]\w*)\.[A-Z]`)
	constructID := regexp.MustCompile(`\((\w+), jsii\.String\("([^"]+)"\)`)
	snippets := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	vars := map[string]bool{} // pasted in order, a snippet sees the variables of the earlier ones
	for i, m := range snippets {
		for _, d := range declared.FindAllStringSubmatch(m[1], -1) {
			vars[d[1]] = true
		}
		for _, line := range strings.Split(m[1], "\n") {
			if im := importLine.FindStringSubmatch(line); im != nil {
				parts := strings.Split(im[1], "/")
				imported[parts[len(parts)-1]] = true
			}
		}
		for _, q := range qualifier.FindAllStringSubmatch(m[1], -1) {
			if !imported[q[1]] && !vars[q[1]] {
				t.Errorf("README Go snippet %d uses package %s without listing its import (import \"...\" as its first line):\n%s", i+1, q[1], m[1])
			}
		}
		for _, c := range constructID.FindAllStringSubmatch(m[1], -1) {
			key := c[1] + "/" + c[2]
			if prev, ok := ids[key]; ok && prev != i {
				t.Errorf("README Go snippets %d and %d both create %q in %s: pasted together they do not synthesize", prev+1, i+1, c[2], c[1])
			}
			ids[key] = i
		}
	}
}

// readmeAndDocs returns README.md followed by the docs/ files in the order of
// its Reference list: the order in which their snippets paste together
// (.ci/newcomer-app reads them so too). Every docs/*.md must be listed.
func readmeAndDocs(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	ref := string(readme)[strings.Index(string(readme), "## Reference"):]
	all := []string{string(readme)}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\d+\. \[[^\]]*\]\((docs/[a-z-]+\.md)\)`).FindAllStringSubmatch(ref, -1) {
		doc, err := os.ReadFile("../" + m[1])
		if err != nil {
			t.Fatal(err)
		}
		listed[m[1]] = true
		all = append(all, string(doc))
	}
	files, _ := filepath.Glob("../docs/*.md")
	for _, f := range files {
		if name := "docs/" + filepath.Base(f); !listed[name] {
			t.Errorf("%s is not in README's Reference list", name)
		}
	}
	if len(listed) < 10 {
		t.Fatalf("README's Reference lists %d docs", len(listed))
	}
	return strings.Join(all, "\n")
}

// TestReadmeIsTheFrontDoor: README stays short (at most 25 KB, the reference
// in docs/), and every relative link of README and docs/ leads to a file of
// the repository and, with a fragment, to a heading of it.
func TestReadmeIsTheFrontDoor(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(readme) > 25*1024 {
		t.Errorf("README.md is %d bytes; keep it at most 25 KB and put the reference in docs/", len(readme))
	}
	files, _ := filepath.Glob("../docs/*.md")
	files = append(files, "../README.md")
	slug := func(h string) string {
		h = regexp.MustCompile(`[^\w\- ]`).ReplaceAllString(strings.ToLower(strings.TrimSpace(h)), "")
		return strings.ReplaceAll(h, " ", "-")
	}
	anchors := func(path string) map[string]bool {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		out := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?m)^#{1,6} (.*)$`).FindAllStringSubmatch(string(b), -1) {
			out[slug(m[1])] = true
		}
		return out
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, m := range regexp.MustCompile(`\]\(([^)\s]+)\)`).FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.HasPrefix(target, "http") {
				continue
			}
			path, frag, _ := strings.Cut(target, "#")
			resolved := f
			if path != "" {
				resolved = filepath.Join(filepath.Dir(f), path)
				if _, err := os.Stat(resolved); err != nil {
					t.Errorf("%s links to %s, which does not exist", f, target)
					continue
				}
			}
			if frag != "" && strings.HasSuffix(resolved, ".md") && !anchors(resolved)[frag] {
				t.Errorf("%s links to %s, which has no heading #%s", f, target, frag)
			}
		}
	}
}
