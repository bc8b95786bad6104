package iamsimtest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// RequireEnv, when set to 1, turns a missing Node.js or iam-simulate into a
// failure (.ci/run sets it); otherwise the paths are not checked and the
// test binary says so.
const RequireEnv = "KMSMONITOR_REQUIRE_IAMSIM"

// ErrUnavailable wraps the reason the simulator could not be started.
var ErrUnavailable = errors.New("iam-simulate unavailable")

// Required reports whether RequireEnv demands the simulator.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Simulator is one Node.js process running simulate.mjs, which evaluates
// cases with @cloud-copilot/iam-simulate.
type Simulator struct {
	mu    sync.Mutex
	cmd   *exec.Cmd
	in    io.Writer
	out   *bufio.Scanner
	known map[string]simulated // by request: iam-simulate is deterministic, and templates repeat paths
	// Version is iam-simulate's version; Evaluated and Repeated count the
	// requests sent to it and those answered from an earlier identical one.
	Version             string
	Evaluated, Repeated int
}

// simulated is iam-simulate's answer to one request.
type simulated struct {
	Result, Error string
	Ignored       []string
}

// StartSimulator starts `node simulate.mjs ROOT`, where ROOT is the
// repository root (the folder of package.json above the working directory).
func StartSimulator() (*Simulator, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("%w: node not found on PATH", ErrUnavailable)
	}
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(node, filepath.Join(root, "internal", "testing", "iamsimtest", "simulate.mjs"), root)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	s := &Simulator{cmd: cmd, in: stdin, out: bufio.NewScanner(stdout), known: map[string]simulated{}}
	s.out.Buffer(make([]byte, 1<<20), 16<<20)
	var hello struct{ Ready, Unavailable string }
	if err := s.read(&hello); err != nil || hello.Ready == "" {
		s.Close()
		if hello.Unavailable != "" {
			return nil, fmt.Errorf("%w: %s (run npm ci in %s)", ErrUnavailable, hello.Unavailable, root)
		}
		return nil, fmt.Errorf("%w: simulate.mjs did not start: %v", ErrUnavailable, err)
	}
	s.Version = hello.Ready
	return s, nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "package.json")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: no package.json with go.mod above the working directory", ErrUnavailable)
		}
		dir = parent
	}
}

func (s *Simulator) read(v any) error {
	if !s.out.Scan() {
		if err := s.out.Err(); err != nil {
			return err
		}
		return errors.New("simulate.mjs exited")
	}
	return json.Unmarshal(s.out.Bytes(), v)
}

// Close stops the process.
func (s *Simulator) Close() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// Result is the outcome of one case.
type Result string

// Results. Refused covers iam-simulate's ImplicitlyDenied and ExplicitlyDenied.
const (
	Allowed Result = "Allowed"
	Refused Result = "Refused"
	// Error means iam-simulate could not evaluate the case: it counts as
	// neither allowed nor refused.
	Error Result = "Error"
)

// Policy is a named policy document.
type Policy struct {
	Name   string `json:"name"`
	Policy any    `json:"policy"`
}

// Case is one request that a path makes, with the policies that decide it.
type Case struct {
	Kind      string // such as "alarm → topic"
	Principal string
	Action    string
	Resource  string
	// ResourceAccount is the account owning Resource (the environment's when empty).
	ResourceAccount string
	Context         map[string]any // string or []string values
	// EncryptionContext is the KMS encryption context of the request, which
	// the harness evaluates itself (see RewriteEncryptionContext).
	EncryptionContext map[string]string
	Identity          []Policy
	ResourcePolicy    any // nil when the resource has none
	// SCPs are the service control policies of the principal's account, as
	// one level of the organization (an empty list applies none).
	SCPs []Policy
	Want Result
	Note string
}

// String describes the request for messages.
func (c Case) String() string {
	s := fmt.Sprintf("%s: %s %s on %s", c.Kind, c.Principal, c.Action, c.Resource)
	if len(c.Context) > 0 {
		s += " context " + jsonString(c.Context)
	}
	if len(c.EncryptionContext) > 0 {
		s += " encryption context " + jsonString(c.EncryptionContext)
	}
	if c.Note != "" {
		s += " (" + c.Note + ")"
	}
	return s
}

// Simulate evaluates c. Detail is iam-simulate's result or error.
func (s *Simulator) Simulate(c Case) (got Result, detail string, err error) {
	identity := make([]Policy, 0, len(c.Identity))
	for _, p := range c.Identity {
		doc, err := RewriteEncryptionContext(p.Policy, c.EncryptionContext)
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", p.Name, err)
		}
		identity = append(identity, Policy{Name: p.Name, Policy: doc})
	}
	var resourcePolicy any
	if c.ResourcePolicy != nil {
		if resourcePolicy, err = RewriteEncryptionContext(c.ResourcePolicy, c.EncryptionContext); err != nil {
			return "", "", fmt.Errorf("resource policy: %w", err)
		}
	}
	account := c.ResourceAccount
	if account == "" {
		account = accountOf(c.Resource)
	}
	ctx := c.Context
	if ctx == nil {
		ctx = map[string]any{}
	}
	sim := map[string]any{
		"request": map[string]any{
			"principal": c.Principal, "action": c.Action,
			"resource":         map[string]any{"resource": c.Resource, "accountId": account},
			"contextVariables": ctx,
		},
		"identityPolicies": identity, "serviceControlPolicies": []any{}, "resourceControlPolicies": []any{},
	}
	if len(c.SCPs) > 0 {
		sim["serviceControlPolicies"] = []any{map[string]any{"orgIdentifier": "r-kmsmonitor", "policies": c.SCPs}}
	}
	if resourcePolicy != nil {
		sim["resourcePolicy"] = resourcePolicy
	}
	line, err := json.Marshal(map[string]any{"simulation": sim})
	if err != nil {
		return "", "", fmt.Errorf("simulate.mjs: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out, ok := s.known[string(line)]
	if ok {
		s.Repeated++
	} else {
		if _, err := s.in.Write(append(line, '\n')); err != nil {
			return "", "", fmt.Errorf("simulate.mjs: %w", err)
		}
		if err := s.read(&out); err != nil {
			return "", "", fmt.Errorf("simulate.mjs: %w", err)
		}
		s.known[string(line)] = out
		s.Evaluated++
	}
	switch out.Result {
	case "Allowed":
		return Allowed, out.Result, nil
	case "ImplicitlyDenied", "ExplicitlyDenied":
		return Refused, out.Result, nil
	}
	return Error, out.Error, nil
}

// accountOf returns the account field of an ARN ("" when it has none).
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 {
		return parts[4]
	}
	return ""
}
