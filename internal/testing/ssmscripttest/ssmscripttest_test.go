package ssmscripttest

import (
	"errors"
	"strings"
	"testing"
)

const script = `import boto3

def handler(events, context):
    kms = boto3.client("kms")
    answer = kms.get_key_last_usage(KeyId=events["KeyId"])
    return {"type": type(answer["TrackingStartDate"]).__name__, "operation": answer["KeyLastUsage"].get("Operation")}
`

func run(t *testing.T, scenarios ...Scenario) []Result {
	t.Helper()
	results, _, err := Run(script, "handler", scenarios)
	if errors.Is(err, ErrUnavailable) && !Required() {
		t.Skipf("%v (.ci/run requires it)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return results
}

func TestRunAnswersAsBoto3Would(t *testing.T) {
	answer := map[string]any{"KeyId": "k", "KeyLastUsage": map[string]any{"Operation": "Decrypt"}, "TrackingStartDate": "2026-04-23T00:00:00+00:00"}
	call := func(keyID string, answer map[string]any) Call {
		return Call{Service: "kms", Operation: "get_key_last_usage", Expect: map[string]any{"KeyId": keyID}, Response: answer}
	}
	// GIVEN a script that reads GetKeyLastUsage's answer, and scenarios: as expected; asking for another key;
	// an answer left unasked
	results := run(t,
		Scenario{Name: "answered", Events: map[string]any{"KeyId": "k"}, Calls: []Call{call("k", answer)}},
		Scenario{Name: "other key", Events: map[string]any{"KeyId": "other"}, Calls: []Call{call("k", answer)}},
		Scenario{Name: "unasked", Events: map[string]any{"KeyId": "k"}, Calls: []Call{call("k", answer), call("k", answer)}},
	)
	// THEN the answer comes back with its timestamp a datetime, as boto3 gives it
	if r := results[0]; r.Error != "" || r.Output["type"] != "datetime" || r.Output["operation"] != "Decrypt" || len(r.Pending) != 0 {
		t.Errorf("answered: %+v", r)
	}
	// AND a request other than the expected one fails the script
	if r := results[1]; !strings.Contains(r.Error, "StubAssertionError") || !strings.Contains(r.Error, "other") {
		t.Errorf("other key: %+v", r)
	}
	// AND an answer the script did not ask for is reported
	if r := results[2]; len(r.Pending) != 1 {
		t.Errorf("unasked: %+v", r)
	}
}

func TestRunRefusesAnAnswerOutsideTheAPIModel(t *testing.T) {
	// GIVEN an answer with a member GetKeyLastUsage does not have
	_, _, err := Run(script, "handler", []Scenario{{Name: "bad", Events: map[string]any{"KeyId": "k"},
		Calls: []Call{{Service: "kms", Operation: "get_key_last_usage", Response: map[string]any{"LastUsed": "yesterday"}}}}})
	if errors.Is(err, ErrUnavailable) && !Required() {
		t.Skipf("%v (.ci/run requires it)", err)
	}
	// THEN botocore refuses it: the scenario cannot run
	if err == nil || !strings.Contains(err.Error(), "LastUsed") {
		t.Errorf("err = %v; want botocore's validation error naming LastUsed", err)
	}
}
