// Package deliverypaths proves, in tests, that the delivery paths a
// synthesized CloudFormation template sets up work once deployed, with a
// policy evaluator nobody here wrote: @cloud-copilot/iam-simulate (npm,
// AGPL-3.0, a devDependency run only by tests, never part of the Go module).
//
// A template's intrinsics are resolved for an environment (Resolve), its
// paths are found from resource types (Paths: alarm → topic, rule → target,
// trail → bucket, key and log group...), each with the principal and request
// context the AWS service really sends (services.go, not the template), and
// each request is evaluated by one Node.js process per test binary
// (simulate.mjs). A Checker does all three for every template a test
// synthesizes and prints one summary line at the end.
package iamsimtest

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Checker checks the templates of one test binary.
type Checker struct {
	mu   sync.Mutex // Check is safe for parallel tests: one check at a time
	once sync.Once
	sim  *Simulator
	err  error

	templates, allowed, refused, unexpected, errored, unchecked int
}

// NewChecker returns a checker whose simulator starts with the first check.
func NewChecker() *Checker { return &Checker{} }

// Check evaluates every path of tpl (a synthesized template) and reports each
// unexpected result as an error of t. account and region are the stack's
// when literal, "" when environment-agnostic (then the template is checked
// in one Region of each partition).
func (c *Checker) Check(t *testing.T, name string, tpl map[string]any, account, region string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.once.Do(func() { c.sim, c.err = StartSimulator() })
	if c.err != nil {
		c.unchecked++
		if !errors.Is(c.err, ErrUnavailable) || Required() {
			t.Errorf("delivery paths of %s not checked: %v", name, c.err)
		}
		return
	}
	c.templates++
	envs := EnvsFor(account, region)
	if region == "" {
		if pinned := PinnedEnvs(tpl); len(pinned) > 0 {
			envs = pinned
		}
	}
	for _, env := range envs {
		resolved, err := Resolve(tpl, env)
		if err != nil {
			t.Errorf("delivery paths of %s (%s %s): cannot resolve the template: %v", name, env.Partition, env.Region, err)
			continue
		}
		for _, cs := range Paths(resolved) {
			got, detail, err := c.sim.Simulate(cs)
			switch {
			case err != nil:
				t.Errorf("delivery path of %s (%s %s): %s: %v", name, env.Partition, env.Region, cs, err)
				c.errored++
			case got == Error:
				// Not counted as allowed or refused: iam-simulate cannot say.
				t.Logf("delivery path of %s (%s %s) not evaluable by iam-simulate: %s: %s", name, env.Partition, env.Region, cs, detail)
				c.errored++
			case got != cs.Want:
				want := "allowed"
				if cs.Want == Refused {
					want = "refused"
				}
				t.Errorf("delivery path of %s (%s %s) should be %s but is %s: %s", name, env.Partition, env.Region, want, detail, cs)
				c.unexpected++
				c.count(got)
			default:
				c.count(got)
			}
		}
	}
}

// protectedKeyArn matches a literal KMS key ARN: partition, Region, account.
var protectedKeyArn = regexp.MustCompile(`^arn:(aws[a-z-]*):kms:([a-z0-9-]+):([0-9]{12}):key/`)

// PinnedEnvs returns the environments an environment-agnostic template can
// only work in: where the keys it protects live. An identity policy that
// allows kms:CancelKeyDeletion on literal key ARNs (AutoCancelDeletion with
// given keys) works only in those keys' account and Region, where
// CancelKeyDeletion runs; kmsmonitor warns so at synthesis. Evaluating the
// template elsewhere would prove a deployment it tells users not to make.
func PinnedEnvs(tpl map[string]any) []Env {
	seen := map[Env]bool{}
	var out []Env
	res, _ := tpl["Resources"].(map[string]any)
	for _, r := range res {
		rm, _ := r.(map[string]any)
		if t := rm["Type"]; t != "AWS::IAM::ManagedPolicy" && t != "AWS::IAM::Policy" {
			continue
		}
		doc, _ := rm["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		stmts, _ := doc["Statement"].([]any)
		for _, st := range stmts {
			sm, _ := st.(map[string]any)
			if !strings.Contains(fmt.Sprint(sm["Action"]), "kms:CancelKeyDeletion") {
				continue
			}
			resources, ok := sm["Resource"].([]any)
			if !ok {
				resources = []any{sm["Resource"]}
			}
			for _, v := range resources {
				s, _ := v.(string)
				if m := protectedKeyArn.FindStringSubmatch(s); m != nil {
					e := Env{Partition: m[1], Region: m[2], Account: m[3]}
					if !seen[e] {
						seen[e] = true
						out = append(out, e)
					}
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region+out[i].Account < out[j].Region+out[j].Account })
	return out
}

func (c *Checker) count(r Result) {
	if r == Allowed {
		c.allowed++
	} else {
		c.refused++
	}
}

// Finish stops the simulator after the tests ran (m.Run() or a later step
// returned code), prints the summary or why nothing was checked, and returns
// the exit code for os.Exit: code, or 1 when the simulator was required and
// missing.
func (c *Checker) Finish(code int) int {
	c.sim.Close()
	if c.err != nil {
		fmt.Printf("SKIP delivery paths: %v: %d templates not checked (npm ci installs it)\n", c.err, c.unchecked)
		if Required() {
			fmt.Fprintf(os.Stderr, "FAIL: %s=1 requires iam-simulate\n", RequireEnv)
			return 1
		}
		return code
	}
	if c.templates == 0 {
		return code
	}
	line := fmt.Sprintf("delivery paths: %d checked (%d templates), %d allowed, %d refused, %d unexpected",
		c.allowed+c.refused, c.templates, c.allowed, c.refused, c.unexpected)
	line += fmt.Sprintf(" (%d requests evaluated by iam-simulate %s, %d repeats answered from the same run)", c.sim.Evaluated, c.sim.Version, c.sim.Repeated)
	if c.errored > 0 {
		line += fmt.Sprintf(", %d not evaluable", c.errored)
	}
	fmt.Println(line)
	return code
}
