// Package cfnlint lints the CloudFormation templates that tests synthesize,
// all in one cfn-lint run per test binary (cfn-lint takes about a second to
// start).
//
// Ignored rules: none. Where aws-cdk-lib itself writes something cfn-lint
// warns about, the construct that owns the resource suppresses that one rule
// on that one resource, with a comment saying why.
package cfnlinttest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// RequireEnv, when set to 1, turns a missing cfn-lint into a failure
// (.ci/run sets it); otherwise linting is skipped with a message.
const RequireEnv = "KMSMONITOR_REQUIRE_CFNLINT"

// Batch collects templates to lint.
type Batch struct {
	dir   string
	files []string
}

// NewBatch returns an empty batch that keeps its templates in a temporary folder.
func NewBatch() *Batch {
	dir, err := os.MkdirTemp("", "kmsmonitor-cfnlint-")
	if err != nil {
		panic(err)
	}
	return &Batch{dir: dir}
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// Add stores a template (any value that marshals to the template JSON) under
// name, usually the test's name.
func (b *Batch) Add(name string, template any) {
	data, err := json.MarshalIndent(template, "", " ")
	if err != nil {
		panic(err)
	}
	file := filepath.Join(b.dir, fmt.Sprintf("%03d-%s.json", len(b.files), unsafeChars.ReplaceAllString(name, "_")))
	if err := os.WriteFile(file, data, 0o600); err != nil {
		panic(err)
	}
	b.files = append(b.files, file)
}

// Run lints every template added so far and removes them. It returns a
// non-nil error listing every error and warning, or saying that cfn-lint is
// missing where RequireEnv demands it; skipped explains a skip.
func (b *Batch) Run() (skipped string, err error) {
	defer os.RemoveAll(b.dir)
	if len(b.files) == 0 {
		return "", nil
	}
	bin, lookErr := exec.LookPath("cfn-lint")
	if lookErr != nil {
		msg := fmt.Sprintf("cfn-lint not found on PATH: %d synthesized templates were not linted (install it with: pip install cfn-lint)", len(b.files))
		if os.Getenv(RequireEnv) == "1" {
			return "", errors.New(msg + "; " + RequireEnv + "=1 requires it")
		}
		return "SKIP " + msg, nil
	}
	out, runErr := exec.Command(bin, append([]string{"--format", "parseable", "--"}, b.files...)...).CombinedOutput()
	if runErr == nil {
		return "", nil
	}
	var exit *exec.ExitError
	if !errors.As(runErr, &exit) {
		return "", fmt.Errorf("cfn-lint: %v\n%s", runErr, out)
	}
	return "", fmt.Errorf("cfn-lint found problems in %d templates (exit %d):\n%s", len(b.files), exit.ExitCode(),
		strings.ReplaceAll(string(out), b.dir+string(filepath.Separator), ""))
}

// Count is the number of templates added.
func (b *Batch) Count() int { return len(b.files) }

// Finish lints the batch after the tests ran (m.Run() returned code), prints
// the result or why linting was skipped, and returns the exit code for
// os.Exit: code, or 1 when cfn-lint found problems or was required and missing.
func (b *Batch) Finish(code int) int {
	n := b.Count()
	skipped, err := b.Run()
	if skipped != "" {
		fmt.Println(skipped)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	if code == 0 && skipped == "" {
		fmt.Printf("cfn-lint: %d templates, 0 errors, 0 warnings\n", n)
	}
	return code
}
