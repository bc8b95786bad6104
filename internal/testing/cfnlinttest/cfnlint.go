// Package cfnlint lints the CloudFormation templates that tests synthesize,
// in the background while the tests go on; identical templates are linted
// once. cfn-lint takes 2 to 3 s of CPU to start (imports and rules): each
// linter is one Python process that runs cfn-lint's command line, as
// `cfn-lint --format parseable -- FILES` would, for piece after piece, with
// the rule objects built at its first run, as one cfn-lint run over all the
// pieces would use them (worker.py). Where python3 cannot import cfn-lint, or imports another
// version than the cfn-lint command's (cfn-lint installed apart, with pipx
// for instance), each piece is one cfn-lint command instead.
//
// Ignored rules: none. Where aws-cdk-lib itself writes something cfn-lint
// warns about, the construct that owns the resource suppresses that one rule
// on that one resource, with a comment saying why.
package cfnlinttest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// A piece is what one cfn-lint run takes from the queue: up to pieceFiles
// templates and pieceBytes bytes (at least one template). In a worker a run
// costs little more than its templates (worker.py builds cfn-lint's rules
// once); a cfn-lint command costs 2 to 3 s of CPU to start. So while the
// tests go on a run starts only for a whole piece; at the end, pieces of
// similar cost keep every core busy.
const (
	pieceFiles = 10
	pieceBytes = 256 << 10
)

// Batch collects templates to lint; it lints them as they come, one linter
// at a time while the tests go on (jsii and the tests have the other core),
// one per core once they are done.
type Batch struct {
	mu        sync.Mutex
	dir       string
	bin       string          // cfn-lint, "" when not on PATH
	queue     []queued        // templates no linter took yet
	seen      map[string]bool // template digests: an identical template is linted once
	count     int             // templates added, identical ones included
	problems  []string        // cfn-lint's reports of the pieces linted so far
	failure   error           // cfn-lint could not run
	busy      []bool          // busy[n]: a goroutine lints with linter n
	finishing bool            // Run was called: one linter per core
	done      sync.WaitGroup
}

// queued is a template file waiting for a linter.
type queued struct {
	file string
	size int
}

// linters are the test binary's linters, shared by its batches and started
// at their first piece. A worker ends with the test binary (its standard
// input closes).
var linters struct {
	sync.Mutex
	all []*linter
}

// linterN returns linter n, made if needed (started at its first piece).
func linterN(bin string, n int) *linter {
	linters.Lock()
	defer linters.Unlock()
	for len(linters.all) <= n {
		linters.all = append(linters.all, &linter{bin: bin, stderr: &lockedBuffer{}})
	}
	return linters.all[n]
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
	b.queue = append(b.queue, queued{file, len(data)})
	b.work()
}

// work starts a goroutine for each free linter that may take from the
// queue: linter 0 while the tests go on, one per core once Run was called.
// b.mu is held.
func (b *Batch) work() {
	if b.bin == "" {
		return
	}
	linters := 1
	if b.finishing {
		// No more linters than pieces: each new one costs about 2 s to start.
		linters = min(runtime.NumCPU(), b.pieces())
	}
	for n := 0; n < linters && b.hasPiece(); n++ {
		for len(b.busy) <= n {
			b.busy = append(b.busy, false)
		}
		if !b.busy[n] {
			b.busy[n] = true
			b.done.Add(1)
			go b.lintQueue(n)
		}
	}
}

// pieceLen is how many templates at the head of q make one piece.
func pieceLen(q []queued) int {
	n, size := 0, 0
	for n < len(q) && n < pieceFiles && (n == 0 || size+q[n].size <= pieceBytes) {
		size += q[n].size
		n++
	}
	return n
}

// hasPiece reports whether the queue holds a piece to lint now: a whole one
// (ended by its limits) while the tests go on, anything once Run was called.
// b.mu is held.
func (b *Batch) hasPiece() bool {
	n := pieceLen(b.queue)
	return n > 0 && (b.finishing || n < len(b.queue) || n == pieceFiles)
}

// pieces is how many pieces the queue holds. b.mu is held.
func (b *Batch) pieces() int {
	count := 0
	for q := b.queue; len(q) > 0; q = q[pieceLen(q):] {
		count++
	}
	return count
}

// lintQueue lints piece after piece with linter n until the queue is empty.
func (b *Batch) lintQueue(n int) {
	defer b.done.Done()
	l := linterN(b.bin, n)
	for {
		b.mu.Lock()
		if !b.hasPiece() {
			b.busy[n] = false
			b.mu.Unlock()
			return
		}
		k := pieceLen(b.queue)
		files := make([]string, k)
		for i, q := range b.queue[:k] {
			files[i] = q.file
		}
		b.queue = b.queue[k:]
		b.mu.Unlock()
		problems, err := l.lint(b.dir, files)
		b.mu.Lock()
		if problems != "" {
			b.problems = append(b.problems, problems)
		}
		if err != nil && b.failure == nil {
			b.failure = err
		}
		b.mu.Unlock()
	}
}

// args are cfn-lint's arguments before the files.
var args = []string{"--format", "parseable", "--"}

//go:embed worker.py
var workerPy string

// linter lints piece after piece, one at a time, in one worker.py process
// (started at its first piece), or with one cfn-lint command per piece.
type linter struct {
	mu      sync.Mutex
	bin     string // the cfn-lint command
	started bool
	worker  bool // worker.py answers; false when the linter runs the command
	forked  bool // the worker is linter 0's twin
	in      io.WriteCloser
	out     *bufio.Scanner
	stderr  *lockedBuffer
}

// starting serializes the start of the linters' workers: the first worker
// started in a test binary forks a twin once cfn-lint is imported and its
// rules built (about 2 s of CPU that a new worker would pay again), and the
// next linter to start (waiting for that first start if it runs) takes the
// twin. The twin's standard input and output are two pipes of its own (files
// 3 and 4 of worker.py, which the fork makes its 0 and 1); it shares the
// first worker's standard error.
var starting struct {
	sync.Mutex
	forking bool // a worker was started with a twin
	twin    *struct {
		in     io.WriteCloser
		out    io.ReadCloser
		stderr *lockedBuffer
	} // nil until that worker is ready, and once taken
}

// start starts worker.py with python3, or takes the twin of the first
// worker (starting); where python3 cannot import cfn-lint, or imports
// another version than the cfn-lint command's (cfn-lint installed apart, with
// pipx for instance), the linter runs the command instead.
func (l *linter) start() {
	l.started = true
	starting.Lock()
	defer starting.Unlock()
	if l.takeTwin() {
		return
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		return
	}
	cmd := exec.Command(python, "-c", workerPy)
	cmd.Stderr = l.stderr // not os.Stderr: the test binaries filter it, and wait for it to close
	in, err1 := cmd.StdinPipe()
	out, err2 := cmd.StdoutPipe()
	if err1 != nil || err2 != nil {
		return
	}
	var twinIn, twinOut [2]*os.File // [0] the read end, [1] the write end
	if !starting.forking {
		if twinIn[0], twinIn[1], err1 = os.Pipe(); err1 == nil {
			if twinOut[0], twinOut[1], err2 = os.Pipe(); err2 == nil {
				cmd.ExtraFiles = []*os.File{twinIn[0], twinOut[1]} // worker.py's files 3 and 4
				cmd.Env = append(os.Environ(), "KMSMONITOR_CFNLINT_TWIN=1")
			} else {
				twinIn[0].Close()
				twinIn[1].Close()
			}
		}
	}
	closeTwin := func() {
		if cmd.ExtraFiles != nil {
			twinIn[1].Close()
			twinOut[0].Close()
		}
	}
	started := cmd.Start() == nil
	if cmd.ExtraFiles != nil {
		twinIn[0].Close() // worker.py and its twin hold them now
		twinOut[1].Close()
	}
	if !started {
		closeTwin()
		return
	}
	version := l.attach(in, out)
	if version == "" || (!sameEnvironment(l.bin, python) && "cfn-lint "+version != commandVersion(l.bin)) {
		l.in.Close()
		_ = cmd.Wait()
		l.worker = false
		closeTwin()
		return
	}
	if cmd.ExtraFiles != nil {
		starting.forking = true
		starting.twin = &struct {
			in     io.WriteCloser
			out    io.ReadCloser
			stderr *lockedBuffer
		}{twinIn[1], twinOut[0], l.stderr}
	}
}

// attach makes the linter answer through a worker's standard input and
// output, and reads the worker's first line: the version of cfn-lint it
// imported, "" when it could not import it or exited.
func (l *linter) attach(in io.WriteCloser, out io.Reader) (version string) {
	l.in, l.out = in, bufio.NewScanner(out)
	l.out.Buffer(make([]byte, 1<<20), 256<<20)
	var hello struct{ Ready string }
	if !l.out.Scan() || json.Unmarshal(l.out.Bytes(), &hello) != nil {
		return ""
	}
	l.worker = hello.Ready != ""
	return hello.Ready
}

// takeTwin makes the linter answer through the first worker's twin, when
// there is one and it is ready (worker.py could fork it). starting is held.
func (l *linter) takeTwin() bool {
	t := starting.twin
	starting.twin = nil
	if t == nil {
		return false
	}
	l.stderr = t.stderr
	if l.attach(t.in, t.out) == "" {
		l.worker = false
		t.in.Close()
		t.out.Close()
		return false
	}
	l.forked = true
	return true
}

// sameEnvironment reports whether the cfn-lint command runs in python's
// environment, so that python imports the cfn-lint the command runs: the
// command is pip's console script for that very interpreter, in its folder
// (#!INTERPRETER, the interpreter named by a path in python's folder, in an
// installation or a virtual environment, the script itself not a link to
// another folder); or both are pyenv shims, compared as the files pyenv
// resolves them to (pyenv which). Paths are compared as written: a virtual
// environment's python links to the base interpreter but imports its own
// packages. Otherwise the versions are compared: `cfn-lint --version` costs
// about 1.5 s of CPU, at each test binary.
func sameEnvironment(bin, python string) bool {
	dir := filepath.Dir(filepath.Clean(python))
	script, err := os.ReadFile(bin)
	if err != nil || !bytes.HasPrefix(script, []byte("#!")) {
		return false
	}
	if pyenv := pyenvShim.FindSubmatch(script); pyenv != nil {
		if filepath.Dir(filepath.Clean(bin)) != dir {
			return false
		}
		which := func(name string) string {
			out, err := exec.Command(string(pyenv[1]), "which", name).Output()
			if err != nil {
				return ""
			}
			return strings.TrimSpace(string(out))
		}
		realBin, realPython := which(filepath.Base(bin)), which(filepath.Base(python))
		resolved, _ := os.ReadFile(realBin) // a shim again would loop
		return realBin != "" && realPython != "" && !pyenvShim.Match(resolved) && sameEnvironment(realBin, realPython)
	}
	if real, err := filepath.EvalSymlinks(bin); err != nil || filepath.Dir(real) != dir {
		return false
	}
	first, _, _ := strings.Cut(string(script), "\n")
	fields := strings.Fields(strings.TrimPrefix(first, "#!"))
	if len(fields) == 0 || !strings.Contains(filepath.Base(fields[0]), "python") || filepath.Dir(filepath.Clean(fields[0])) != dir {
		return false
	}
	a, err1 := os.Stat(fields[0])
	b, err2 := os.Stat(python)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// pyenvShim matches a pyenv shim and captures the pyenv it runs.
var pyenvShim = regexp.MustCompile(`exec "([^"]+/pyenv)" exec `)

// commandVersion is what `cfn-lint --version` prints, trimmed ("cfn-lint 1.51.0"), asked once.
var commandVersion = func() func(bin string) string {
	var once sync.Once
	var version string
	return func(bin string) string {
		once.Do(func() {
			out, _ := exec.Command(bin, "--version").Output()
			version = strings.TrimSpace(string(out))
		})
		return version
	}
}()

// lockedBuffer keeps what a worker writes to its standard error, for the
// message if it exits.
type lockedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// lint runs cfn-lint on files: what it reported ("" when clean, with the
// folder dir left out of file names), or why it could not run.
func (l *linter) lint(dir string, files []string) (problems string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.started {
		l.start()
	}
	var out string
	var code int
	if l.worker {
		out, code, err = l.viaWorker(files)
	} else {
		out, code, err = l.viaCommand(files)
	}
	if err != nil || code == 0 {
		return "", err
	}
	if strings.TrimSpace(out) == "" {
		return "", fmt.Errorf("cfn-lint exited with code %d and printed nothing", code)
	}
	return strings.ReplaceAll(out, dir+string(filepath.Separator), ""), nil
}

func (l *linter) viaWorker(files []string) (out string, code int, err error) {
	line, err := json.Marshal(append(append([]string{}, args...), files...))
	if err != nil {
		return "", 0, err
	}
	if _, err := l.in.Write(append(line, '\n')); err != nil {
		return "", 0, fmt.Errorf("cfn-lint worker: %w", err)
	}
	if !l.out.Scan() {
		return "", 0, fmt.Errorf("cfn-lint worker exited (%v): %s", l.out.Err(), l.stderr.String())
	}
	var answer struct {
		Code   int    `json:"code"`
		Output string `json:"output"`
	}
	if err := json.Unmarshal(l.out.Bytes(), &answer); err != nil {
		return "", 0, fmt.Errorf("cfn-lint worker: %w", err)
	}
	if answer.Code < 0 { // cfn-lint raised: worker.py gives the traceback
		return "", 0, fmt.Errorf("cfn-lint: %s", answer.Output)
	}
	return answer.Output, answer.Code, nil
}

func (l *linter) viaCommand(files []string) (out string, code int, err error) {
	b, runErr := exec.Command(l.bin, append(append([]string{}, args...), files...)...).CombinedOutput()
	if runErr == nil {
		return string(b), 0, nil
	}
	var exit *exec.ExitError
	if !errors.As(runErr, &exit) {
		return "", 0, fmt.Errorf("cfn-lint: %v\n%s", runErr, b)
	}
	return string(b), exit.ExitCode(), nil
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
	// The tests are done: the rest goes to one linter per core.
	b.finishing = true
	b.work()
	b.mu.Unlock()
	b.done.Wait()
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
