package tests

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeGoSnippetsAreRunnableExamples keeps README honest: each Go
// snippet of README.md (import lines aside) must appear, whitespace aside, in
// constructs/kmsmonitor/example_test.go, whose Example functions go test
// compiles, runs and checks.
func TestReadmeGoSnippetsAreRunnableExamples(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
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
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
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
