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

func TestSameEnvironment(t *testing.T) {
	// GIVEN a folder with an interpreter, python3 linked to it, and another interpreter
	dir, other := t.TempDir(), t.TempDir()
	write := func(path, text string) string {
		if err := os.WriteFile(path, []byte(text), 0o700); err != nil {
			t.Fatal(err)
		}
		return path
	}
	interpreter := write(filepath.Join(dir, "python3.11"), "binary")
	python := filepath.Join(dir, "python3")
	if err := os.Symlink(interpreter, python); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(dir, "python3.12"), "another binary")
	for _, c := range []struct {
		name, bin string
		want      bool
	}{
		// pip's console script for that interpreter, beside it: python3 imports what it runs
		{"console script", write(filepath.Join(dir, "cfn-lint"), "#!"+interpreter+"\n# -*- coding: utf-8 -*-\nimport sys\n"), true},
		// a pyenv shim beside python3's shim: pyenv runs both from the same version
		{"pyenv shim", write(filepath.Join(dir, "shim"), "#!/usr/bin/env bash\nset -e\nexec \"/root/.pyenv/libexec/pyenv\" exec \"$program\" \"$@\"\n"), true},
		// a script for another interpreter in the same folder
		{"other interpreter", write(filepath.Join(dir, "cfn-lint-3.12"), "#!"+filepath.Join(dir, "python3.12")+"\n"), false},
		// a script elsewhere (pipx's folder, say), for the same interpreter
		{"other folder", write(filepath.Join(other, "cfn-lint"), "#!"+interpreter+"\n"), false},
		// no script at all (a binary)
		{"binary", write(filepath.Join(dir, "cfn-lint-bin"), "\x7fELF"), false},
	} {
		// WHEN asked whether python imports the cfn-lint the command runs THEN only a script beside it, for it, says so
		if got := sameEnvironment(c.bin, python); got != c.want {
			t.Errorf("%s: sameEnvironment = %v, want %v", c.name, got, c.want)
		}
	}
}
