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
