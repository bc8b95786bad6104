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

func TestExecuteFollowsStepsAsAutomationDoes(t *testing.T) {
	// GIVEN a document: read a key (2 attempts, else step Failed), branch on its state, publish what happened
	publish := func(name, msg string) map[string]any {
		return map[string]any{"name": name, "action": "aws:executeAwsApi", "isEnd": true,
			"inputs": map[string]any{"Service": "sns", "Api": "Publish", "TopicArn": "{{ Topic }}", "Message": msg}}
	}
	doc := map[string]any{
		"schemaVersion": "0.3",
		"parameters":    map[string]any{"Key": map[string]any{"type": "String"}, "Topic": map[string]any{"type": "String", "default": "arn:aws:sns:us-east-1:111122223333:t"}},
		"mainSteps": []any{
			map[string]any{"name": "Read", "action": "aws:executeAwsApi", "maxAttempts": 2, "onFailure": "step:Failed",
				"inputs":  map[string]any{"Service": "kms", "Api": "DescribeKey", "KeyId": "{{ Key }}"},
				"outputs": []any{map[string]any{"Name": "State", "Selector": "$.KeyMetadata.KeyState", "Type": "String"}}},
			map[string]any{"name": "IsEnabled", "action": "aws:branch", "inputs": map[string]any{
				"Choices": []any{map[string]any{"Variable": "{{ Read.State }}", "StringEquals": "Enabled", "NextStep": "Enabled"}}, "Default": "Other"}},
			publish("Enabled", "{{ Key }} is enabled"),
			publish("Other", "{{ Key }} is {{ Read.State }}"),
			publish("Failed", "{{ Key }} unreadable"),
		},
	}
	describe := func(state string) Call {
		return Call{Service: "kms", Operation: "describe_key", Expect: map[string]any{"KeyId": "k1"}, Response: map[string]any{"KeyMetadata": map[string]any{"KeyId": "k1", "KeyState": state}}}
	}
	throttled := Call{Service: "kms", Operation: "describe_key", Error: &APIError{Code: "ThrottlingException"}}
	sent := Call{Service: "sns", Operation: "publish", Response: map[string]any{"MessageId": "m"}}
	runs, _, err := Execute(doc, []Scenario{
		{Name: "enabled", Events: map[string]any{"Key": "k1"}, Calls: []Call{describe("Enabled"), sent}},
		{Name: "throttled once", Events: map[string]any{"Key": "k1"}, Calls: []Call{throttled, describe("Disabled"), sent}},
		{Name: "throttled twice", Events: map[string]any{"Key": "k1"}, Calls: []Call{throttled, throttled, sent}},
	})
	if errors.Is(err, ErrUnavailable) && !Required() {
		t.Skipf("%v (.ci/run requires it)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	// THEN each follows its branch, retries as maxAttempts says, goes to onFailure's step, and publishes with references resolved
	// AND a critical step that failed (isCritical's default with onFailure step:) makes the execution Failed
	for i, want := range []struct{ steps, message, status string }{
		{"Read > IsEnabled > Enabled", "k1 is enabled", "Success"},
		{"Read > IsEnabled > Other", "k1 is Disabled", "Success"},
		{"Read! > Failed", "k1 unreadable", "Failed"},
	} {
		r := runs[i]
		if r.Steps() != want.steps || len(r.Published) != 1 || r.Published[0].Message != want.message || len(r.Pending) > 0 || r.Status != want.status {
			t.Errorf("%s: %s %+v %v %s; want %s, %q, %s", r.Name, r.Steps(), r.Published, r.Pending, r.Status, want.steps, want.message, want.status)
		}
	}
}

func TestExecuteEndsAsAutomationDoes(t *testing.T) {
	// GIVEN a document: cancel (onFailure Continue, so not critical), then wait for the state (2 attempts of 60 s)
	doc := map[string]any{
		"schemaVersion": "0.3",
		"parameters":    map[string]any{"Key": map[string]any{"type": "String"}},
		"mainSteps": []any{
			map[string]any{"name": "Cancel", "action": "aws:executeAwsApi", "onFailure": "Continue",
				"inputs": map[string]any{"Service": "kms", "Api": "CancelKeyDeletion", "KeyId": "{{ Key }}"}},
			map[string]any{"name": "Wait", "action": "aws:waitForAwsResourceProperty", "maxAttempts": 2, "timeoutSeconds": 60, "isEnd": true,
				"inputs": map[string]any{"Service": "kms", "Api": "DescribeKey", "KeyId": "{{ Key }}",
					"PropertySelector": "$.KeyMetadata.KeyState", "DesiredValues": []string{"Disabled"}}},
		},
	}
	describe := func(state string) Call {
		return Call{Service: "kms", Operation: "describe_key", Response: map[string]any{"KeyMetadata": map[string]any{"KeyId": "k1", "KeyState": state}}}
	}
	failure := func(op, code string) Call { return Call{Service: "kms", Operation: op, Error: &APIError{Code: code}} }
	cancelled := Call{Service: "kms", Operation: "cancel_key_deletion", Response: map[string]any{"KeyId": "k1"}}
	runs, _, err := Execute(doc, []Scenario{
		{Name: "cancel refused, state reached", Events: map[string]any{"Key": "k1"}, Calls: []Call{failure("cancel_key_deletion", "KMSInvalidStateException"), describe("Disabled")}},
		{Name: "cancelled, state never reached", Events: map[string]any{"Key": "k1"}, Calls: []Call{cancelled, describe("PendingDeletion"), describe("PendingDeletion")}},
		{Name: "cancelled, state unreadable", Events: map[string]any{"Key": "k1"}, Calls: []Call{cancelled, failure("describe_key", "AccessDeniedException"), failure("describe_key", "AccessDeniedException")}},
	})
	if errors.Is(err, ErrUnavailable) && !Required() {
		t.Skipf("%v (.ci/run requires it)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	// THEN a failed step that is not critical leaves the execution a Success; a wait whose state
	// never comes times out (TimedOut), one that cannot read it fails (Failed)
	for i, want := range []struct{ steps, status string }{
		{"Cancel! > Wait", "Success"},
		{"Cancel > Wait!", "TimedOut"},
		{"Cancel > Wait!", "Failed"},
	} {
		r := runs[i]
		if r.Steps() != want.steps || r.Status != want.status || len(r.Pending) > 0 {
			t.Errorf("%s: %s %s %v; want %s %s\n%+v", r.Name, r.Steps(), r.Status, r.Pending, want.steps, want.status, r.Taken)
		}
	}
}
