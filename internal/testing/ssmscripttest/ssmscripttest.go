// Package ssmscripttest runs the Python script of a Systems Manager
// Automation aws:executeScript step, as the tests find it in a synthesized
// document, on scenarios whose AWS calls are answered by the test through
// botocore.stub.Stubber (runner.py): botocore checks each request and each
// answer against the AWS API model, as boto3 gives them to the script in
// the Automation runtime. python3 with boto3 and botocore is required where
// RequireEnv is 1 (.ci/run), like cfn-lint.
package ssmscripttest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// RequireEnv, when set to 1, turns a missing python3, boto3 or botocore into
// a failure (.ci/run sets it); otherwise the scenarios are skipped.
const RequireEnv = "KMSMONITOR_REQUIRE_BOTOCORE"

// ErrUnavailable is returned when python3 cannot import boto3 and botocore.
var ErrUnavailable = errors.New("python3 with boto3 and botocore not found (installed with moto here; pip install boto3)")

// Required reports whether RequireEnv asks for the scenarios to run.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

//go:embed runner.py
var runnerPy string

// Call is one AWS call the script is expected to make, in order, and its answer.
type Call struct {
	Service   string         `json:"service"`            // boto3's name: "kms"
	Operation string         `json:"operation"`          // boto3's method name: "get_key_last_usage"
	Expect    map[string]any `json:"expect,omitempty"`   // the request's parameters, when checked
	Response  map[string]any `json:"response,omitempty"` // the answer; ISO 8601 strings of timestamp members become datetime
	Error     *APIError      `json:"error,omitempty"`    // or an error answer
}

// APIError is an error answer of an AWS API.
type APIError struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
	Status  int    `json:"status,omitempty"`
}

// Scenario is one run of the handler: its input payload (events) and the calls it must make.
type Scenario struct {
	Name    string         `json:"name"`
	Events  map[string]any `json:"events"`
	Calls   []Call         `json:"calls"`
	Lacking []string       `json:"lacking,omitempty"` // client methods the runtime's SDK lacks
}

// Result is what one scenario gave.
type Result struct {
	Name    string         `json:"name"`
	Output  map[string]any `json:"output"`  // what the handler returned
	Error   string         `json:"error"`   // the traceback when it raised
	Sleeps  []float64      `json:"sleeps"`  // the time.sleep calls it made (not slept)
	Pending []string       `json:"pending"` // answers the script did not ask for
	Printed string         `json:"printed"`
}

// Run runs handler of script once per scenario, in one python3 process, and
// returns the results in order and the botocore version that answered.
func Run(script, handler string, scenarios []Scenario) (results []Result, botocore string, err error) {
	python, err := exec.LookPath("python3")
	if err != nil {
		return nil, "", ErrUnavailable
	}
	if err := exec.Command(python, "-c", "import boto3, botocore.stub").Run(); err != nil {
		return nil, "", ErrUnavailable
	}
	in, err := json.Marshal(map[string]any{"script": script, "handler": handler, "scenarios": scenarios})
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(python, "-c", runnerPy)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, "", fmt.Errorf("runner: %v\n%s", err, stderr.String())
	}
	var answer struct {
		Botocore string   `json:"botocore"`
		Results  []Result `json:"results"`
	}
	if err := json.Unmarshal(out, &answer); err != nil {
		return nil, "", fmt.Errorf("runner answer: %v\n%s", err, out)
	}
	return answer.Results, answer.Botocore, nil
}
