// Package ssmscripttest runs the Python script of a Systems Manager
// Automation aws:executeScript step, or a whole Automation document, as the
// tests find them in a synthesized template, on scenarios whose AWS calls
// are answered by the test through
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
	"strings"
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
	Expect    map[string]any `json:"expect,omitempty"`   // the request's parameters, when checked ("<ANY>": any value of that member)
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
	botocore, err = runner(map[string]any{"script": script, "handler": handler, "scenarios": scenarios}, &results)
	return results, botocore, err
}

// Execution is what one run of an Automation document did.
type Execution struct {
	Name  string `json:"name"`
	Taken []struct {
		Step    string `json:"step"`
		Outcome string `json:"outcome"` // "Success", or "Failed: " and the error
	} `json:"taken"`
	Published []struct {
		Step    string `json:"step"`
		Subject string `json:"subject"`
		Message string `json:"message"`
	} `json:"published"` // SNS messages, parameters resolved
	Status  string   `json:"status"`  // "Success", "Failed" or "TimedOut": a critical step (isCritical, by default unless onFailure is Continue) failed or timed out
	Pending []string `json:"pending"` // answers the document did not ask for
}

// Steps lists the steps taken, a failed one marked with "!".
func (e Execution) Steps() string {
	var out []string
	for _, s := range e.Taken {
		if s.Outcome == "Success" {
			out = append(out, s.Step)
		} else {
			out = append(out, s.Step+"!")
		}
	}
	return strings.Join(out, " > ")
}

// Execute runs an Automation document (its Content) once per scenario, as
// Systems Manager Automation runs its steps (aws:executeAwsApi,
// aws:executeScript, aws:branch, aws:sleep without waiting,
// aws:waitForAwsResourceProperty, aws:assertAwsResourceProperty; nextStep,
// isEnd, onFailure, maxAttempts, isCritical; parameters and outputs), each
// scenario's Events being the execution's parameters (the document's
// defaults fill the rest) and its Calls the answers of every AWS call, in
// order per service. A wait step whose answers run out before the value it
// waits for times out (its timeoutSeconds pass with the value unchanged).
// Not modelled: Automation's own retries of throttled API steps (before
// maxAttempts), type conversions of outputs and parameters, allowedPattern.
func Execute(document map[string]any, scenarios []Scenario) (executions []Execution, botocore string, err error) {
	botocore, err = runner(map[string]any{"document": document, "scenarios": scenarios}, &executions)
	return executions, botocore, err
}

// runner runs runner.py on request and decodes its results into results.
func runner(request map[string]any, results any) (botocore string, err error) {
	python, err := exec.LookPath("python3")
	if err != nil {
		return "", ErrUnavailable
	}
	in, err := json.Marshal(request)
	if err != nil {
		return "", err
	}
	cmd := exec.Command(python, "-c", runnerPy)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 { // runner.py could not import boto3 or botocore
		return "", ErrUnavailable
	}
	if err != nil {
		return "", fmt.Errorf("runner: %v\n%s", err, stderr.String())
	}
	var answer struct {
		Botocore string          `json:"botocore"`
		Results  json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(out, &answer); err != nil {
		return "", fmt.Errorf("runner answer: %v\n%s", err, out)
	}
	if err := json.Unmarshal(answer.Results, results); err != nil {
		return "", fmt.Errorf("runner results: %v\n%s", err, answer.Results)
	}
	return answer.Botocore, nil
}
