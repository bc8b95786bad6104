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
	// WHEN the second linter lints them
	second := linterN(bin, 1)
	tOut, tCode, tErr := second.viaWorkerStarted(t, files)
	// THEN one of the two linters runs the twin of the other's worker (forked once that worker
	// had built its rules; the first to start made it), and the second answers as the command does
	if worker.forked == second.forked {
		t.Errorf("linter 0 forked: %v, linter 1 forked: %v; want exactly one twin", worker.forked, second.forked)
	}
	if tErr != nil || tCode != cCode || tOut != cOut {
		t.Errorf("twin gave %d %q (%v); the command %d %q", tCode, tOut, tErr, cCode, cOut)
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
	if !l.worker {
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
	// GIVEN a folder with an interpreter, python3 linked to it, another interpreter, and a
	// virtual environment elsewhere whose python links to the same interpreter
	dir, other, venv := t.TempDir(), t.TempDir(), t.TempDir()
	write := func(path, text string) string {
		if err := os.WriteFile(path, []byte(text), 0o700); err != nil {
			t.Fatal(err)
		}
		return path
	}
	link := func(target, path string) string {
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	interpreter := write(filepath.Join(dir, "python3.11"), "binary")
	python := link(interpreter, filepath.Join(dir, "python3"))
	write(filepath.Join(dir, "python3.12"), "another binary")
	venvPython := link(interpreter, filepath.Join(venv, "python"))
	venvScript := write(filepath.Join(venv, "cfn-lint"), "#!"+venvPython+"\n")
	// A pyenv whose "which" resolves a shim's command: cfn-lint and python3 to the given files.
	pyenvFor := func(cfnlint, python3 string) string {
		return write(filepath.Join(t.TempDir(), "pyenv"), "#!/bin/sh\ncase \"$2\" in cfn-lint) echo "+cfnlint+";; python3) echo "+python3+";; *) exit 1;; esac\n")
	}
	shim := func(name, pyenv string) string {
		shims := t.TempDir()
		write(filepath.Join(shims, "python3"), "#!/usr/bin/env bash\nexec \""+pyenv+"\" exec \"$program\" \"$@\"\n")
		return write(filepath.Join(shims, name), "#!/usr/bin/env bash\nset -e\nexec \""+pyenv+"\" exec \"$program\" \"$@\"\n")
	}
	consoleScript := write(filepath.Join(dir, "cfn-lint"), "#!"+interpreter+"\n# -*- coding: utf-8 -*-\nimport sys\n")
	sameShim := shim("cfn-lint", pyenvFor(consoleScript, python))
	apartShim := shim("cfn-lint", pyenvFor(venvScript, python))
	for _, c := range []struct {
		name, bin, python string
		want              bool
	}{
		// pip's console script for that interpreter, beside it: python3 imports what it runs
		{"console script", consoleScript, python, true},
		// a script for another interpreter in the same folder
		{"other interpreter", write(filepath.Join(dir, "cfn-lint-3.12"), "#!"+filepath.Join(dir, "python3.12")+"\n"), python, false},
		// a script elsewhere (pipx's folder, say), for the same interpreter
		{"other folder", write(filepath.Join(other, "cfn-lint"), "#!"+interpreter+"\n"), python, false},
		// a virtual environment's script linked beside python3 (pipx --global): its python links to
		// the same interpreter but imports the environment's packages
		{"virtual environment linked in", link(venvScript, filepath.Join(dir, "cfn-lint-venv")), python, false},
		// no script at all (a binary)
		{"binary", write(filepath.Join(dir, "cfn-lint-bin"), "\x7fELF"), python, false},
		// pyenv shims that resolve to the console script and python3 of one installation
		{"pyenv shims, one installation", sameShim, filepath.Join(filepath.Dir(sameShim), "python3"), true},
		// pyenv shims that resolve to different installations (several versions selected)
		{"pyenv shims, two installations", apartShim, filepath.Join(filepath.Dir(apartShim), "python3"), false},
	} {
		// WHEN asked whether python imports the cfn-lint the command runs THEN only the same installation says so
		if got := sameEnvironment(c.bin, c.python); got != c.want {
			t.Errorf("%s: sameEnvironment = %v, want %v", c.name, got, c.want)
		}
	}
}
