package cfnlinttest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestWorkerAnswersAsTheCommandDoes(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint not found on PATH (pip install cfn-lint); .ci/run requires it")
	}
	// GIVEN a clean template, one with an error and one with a warning only
	dir := t.TempDir()
	write := func(name string, tpl map[string]any) string {
		data, _ := json.Marshal(tpl)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	topic := func(props map[string]any) map[string]any {
		return map[string]any{"Resources": map[string]any{"Topic": map[string]any{"Type": "AWS::SNS::Topic", "Properties": props}}}
	}
	clean := write("clean.json", topic(map[string]any{"TopicName": "t"}))
	bad := write("bad.json", topic(map[string]any{"TopicNmae": "t"}))
	warned := write("warned.json", map[string]any{
		"Parameters": map[string]any{"Unused": map[string]any{"Type": "String"}},
		"Resources":  map[string]any{"Topic": map[string]any{"Type": "AWS::SNS::Topic"}},
	})
	worker := linterN(bin, 0)
	command := &linter{bin: bin, started: true} // never starts worker.py
	// WHEN the worker lints the one with an error, then the clean one, with the same rule objects
	// (built at its first run) THEN the first is reported and the second passes: nothing carries over
	if out, code, err := worker.viaWorkerStarted(t, []string{bad}); err != nil || code == 0 || !strings.Contains(out, "E3002") {
		t.Errorf("template with an error: code %d, %q, %v", code, out, err)
	}
	if out, code, err := worker.viaWorkerStarted(t, []string{clean}); err != nil || code != 0 || out != "" {
		t.Errorf("clean template: code %d, %q, %v", code, out, err)
	}
	// WHEN the worker (its third run) and the cfn-lint command lint all three
	files := []string{clean, bad, warned}
	wOut, wCode, wErr := worker.viaWorkerStarted(t, files)
	cOut, cCode, cErr := command.viaCommand(files)
	// THEN both give the same exit code and the same report: the error and the warning
	if wErr != nil || cErr != nil {
		t.Fatalf("worker error %v, command error %v", wErr, cErr)
	}
	if wCode != cCode || wOut != cOut {
		t.Errorf("worker gave %d %q; the command %d %q", wCode, wOut, cCode, cOut)
	}
	if !strings.Contains(wOut, "bad.json:") || !strings.Contains(wOut, "E3002") ||
		!strings.Contains(wOut, "warned.json:") || !strings.Contains(wOut, "W2001") || strings.Contains(wOut, "clean.json:") {
		t.Errorf("report %q", wOut)
	}
}

// viaWorkerStarted starts the worker if needed and lints files with it.
func (l *linter) viaWorkerStarted(t *testing.T, files []string) (string, int, error) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.started {
		l.start()
	}
	if l.cmd == nil {
		t.Fatal("worker.py did not start: python3 cannot import cfn-lint, or imports another version than the command")
	}
	return l.viaWorker(files)
}

func TestLinterRefusesAFailureThatPrintsNothing(t *testing.T) {
	t.Parallel()
	// GIVEN a cfn-lint command that exits with code 2 and prints nothing
	dir := t.TempDir()
	bin := filepath.Join(dir, "cfn-lint")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexit 2\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	// WHEN a linter that runs the command lints a template
	problems, err := (&linter{bin: bin, started: true}).lint(dir, []string{filepath.Join(dir, "t.json")})
	// THEN it is an error, not a clean template
	if err == nil || problems != "" {
		t.Errorf("problems %q, error %v; want an error", problems, err)
	}
}
