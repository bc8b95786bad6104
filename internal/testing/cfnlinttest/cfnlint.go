// Package cfnlint lints the CloudFormation templates that tests synthesize,
// in a few cfn-lint runs per test binary (cfn-lint takes about a second to
// start), in the background while the tests go on; identical templates are
// linted once.
//
// Ignored rules: none. Where aws-cdk-lib itself writes something cfn-lint
// warns about, the construct that owns the resource suppresses that one rule
// on that one resource, with a comment saying why.
package cfnlinttest

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
)

// RequireEnv, when set to 1, turns a missing cfn-lint into a failure
// (.ci/run sets it); otherwise linting is skipped with a message.
const RequireEnv = "KMSMONITOR_REQUIRE_CFNLINT"

// chunk is how many distinct templates one background cfn-lint run takes:
// each run costs about 1.3 s of start-up, and a run while the tests still
// synthesize uses the core that jsii leaves idle.
const chunk = 40

// Batch collects templates to lint; it lints them in the background, chunk
// by chunk, one cfn-lint process at a time, while the tests go on.
type Batch struct {
	mu       sync.Mutex
	dir      string
	bin      string          // cfn-lint, "" when not on PATH
	pending  []string        // files not linted yet
	seen     map[string]bool // template digests: an identical template is linted once
	count    int             // templates added, identical ones included
	problems []string        // cfn-lint's reports of the chunks linted so far
	failure  error           // cfn-lint could not run
	worker   sync.Mutex      // held by the running cfn-lint
	running  sync.WaitGroup
}

// NewBatch returns an empty batch that keeps its templates in a temporary folder.
func NewBatch() *Batch {
	dir, err := os.MkdirTemp("", "kmsmonitor-cfnlint-")
	if err != nil {
		panic(err)
	}
	bin, _ := exec.LookPath("cfn-lint")
	return &Batch{dir: dir, bin: bin, seen: map[string]bool{}}
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// Add stores a template (any value that marshals to the template JSON) under
// name, usually the test's name. Safe for concurrent use.
func (b *Batch) Add(name string, template any) {
	data, err := json.MarshalIndent(template, "", " ")
	if err != nil {
		panic(err)
	}
	digest := sha256.Sum256(data)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.count++
	if b.seen[string(digest[:])] {
		return
	}
	b.seen[string(digest[:])] = true
	file := filepath.Join(b.dir, fmt.Sprintf("%03d-%s.json", len(b.seen)-1, unsafeChars.ReplaceAllString(name, "_")))
	if err := os.WriteFile(file, data, 0o600); err != nil {
		panic(err)
	}
	b.pending = append(b.pending, file)
	if b.bin != "" && len(b.pending) >= chunk {
		b.lintInBackground(b.pending, true)
		b.pending = nil
	}
}

// lintInBackground lints files, after any run already going when queued
// (while the tests run, one cfn-lint at a time leaves them a core); b.mu is held.
func (b *Batch) lintInBackground(files []string, queued bool) {
	b.running.Add(1)
	go func() {
		defer b.running.Done()
		if queued {
			b.worker.Lock()
			defer b.worker.Unlock()
		}
		problems, err := b.lint(files)
		b.mu.Lock()
		defer b.mu.Unlock()
		if problems != "" {
			b.problems = append(b.problems, problems)
		}
		if err != nil && b.failure == nil {
			b.failure = err
		}
	}()
}

// lint runs cfn-lint on files: what it reported ("" when clean), or why it could not run.
func (b *Batch) lint(files []string) (problems string, err error) {
	out, runErr := exec.Command(b.bin, append([]string{"--format", "parseable", "--"}, files...)...).CombinedOutput()
	if runErr == nil {
		return "", nil
	}
	var exit *exec.ExitError
	if !errors.As(runErr, &exit) {
		return "", fmt.Errorf("cfn-lint: %v\n%s", runErr, out)
	}
	return strings.ReplaceAll(string(out), b.dir+string(filepath.Separator), ""), nil
}

// Run lints every template added so far that is not linted yet, waits for
// the background runs, and removes the templates. It returns a non-nil error
// listing every error and warning, or saying that cfn-lint is missing where
// RequireEnv demands it; skipped explains a skip.
func (b *Batch) Run() (skipped string, err error) {
	defer os.RemoveAll(b.dir)
	b.mu.Lock()
	n := b.count
	if n == 0 {
		b.mu.Unlock()
		return "", nil
	}
	if b.bin == "" {
		b.mu.Unlock()
		msg := fmt.Sprintf("cfn-lint not found on PATH: %d synthesized templates were not linted (install it with: pip install cfn-lint)", n)
		if os.Getenv(RequireEnv) == "1" {
			return "", errors.New(msg + "; " + RequireEnv + "=1 requires it")
		}
		return "SKIP " + msg, nil
	}
	// The tests are done: the rest is split over the cores, beside any run still going.
	parts := min(runtime.NumCPU(), (len(b.pending)+9)/10)
	for i := 0; i < parts; i++ {
		b.lintInBackground(b.pending[i*len(b.pending)/parts:(i+1)*len(b.pending)/parts], false)
	}
	b.pending = nil
	b.mu.Unlock()
	b.running.Wait()
	if b.failure != nil {
		return "", b.failure
	}
	if len(b.problems) > 0 {
		return "", fmt.Errorf("cfn-lint found problems in %d templates:\n%s", n, strings.Join(b.problems, ""))
	}
	return "", nil
}

// Count is the number of templates added, identical ones included.
func (b *Batch) Count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.count
}

// Distinct is the number of different templates added: those cfn-lint reads.
func (b *Batch) Distinct() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.seen)
}

// Finish lints the batch after the tests ran (m.Run() returned code), prints
// the result or why linting was skipped, and returns the exit code for
// os.Exit: code, or 1 when cfn-lint found problems or was required and missing.
func (b *Batch) Finish(code int) int {
	n, distinct := b.Count(), b.Distinct()
	skipped, err := b.Run()
	if skipped != "" {
		fmt.Println(skipped)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	if code == 0 && skipped == "" {
		fmt.Printf("cfn-lint: %d templates (%d distinct), 0 errors, 0 warnings\n", n, distinct)
	}
	return code
}
