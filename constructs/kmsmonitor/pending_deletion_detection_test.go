package kmsmonitor_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/kmseventtest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/logsfiltertest"
)

// synthesizedPatterns returns the filter pattern of each metric filter the
// default construct synthesizes, by metric name.
func synthesizedPatterns(t *testing.T) map[string]*logsfiltertest.Pattern {
	t.Helper()
	stack := newStack()
	kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), nil)
	patterns := map[string]*logsfiltertest.Pattern{}
	for _, r := range synth(t, stack).JSON()["Resources"].(map[string]interface{}) {
		res := r.(map[string]interface{})
		if res["Type"] != "AWS::Logs::MetricFilter" {
			continue
		}
		props := res["Properties"].(map[string]interface{})
		name := props["MetricTransformations"].([]interface{})[0].(map[string]interface{})["MetricName"].(string)
		p, err := logsfiltertest.Parse(props["FilterPattern"].(string))
		if err != nil {
			t.Fatalf("synthesized pattern of %s: %v", name, err)
		}
		patterns[name] = p
	}
	if len(patterns) != 2 {
		t.Fatalf("want 2 metric filters, got %d", len(patterns))
	}
	return patterns
}

type detectionCase struct {
	name   string
	record []byte
	want   string // metric that must count the record: "pending", "disabled" or "" for none
}

func detectionCases() []detectionCase {
	var cases []detectionCase
	callers := map[string]kmseventtest.Caller{
		"IAM user": kmseventtest.IAMUser, "assumed role": kmseventtest.AssumedRole,
		"AWS service": kmseventtest.AWSService, "other account": kmseventtest.CrossAccount,
	}
	keys := map[string]string{
		"single-Region key": kmseventtest.SingleRegionKey, "multi-Region key": kmseventtest.MultiRegionKey,
		"China key": kmseventtest.ChinaKey, "GovCloud key": kmseventtest.GovCloudKey,
	}
	ops := make([]string, 0, len(kmseventtest.CryptographicOperations))
	for op := range kmseventtest.CryptographicOperations {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	// Every operation, every kind of caller and key, in both failure states.
	for _, op := range ops {
		for callerName, caller := range callers {
			for keyName, key := range keys {
				f := kmseventtest.Failure{EventName: op, KeyARN: key, Caller: caller, ReadOnly: kmseventtest.CryptographicOperations[op]}
				f.ErrorCode, f.ErrorMessage = "KMSInvalidStateException", key+" is pending deletion."
				cases = append(cases, detectionCase{fmt.Sprintf("%s pending deletion by %s on %s", op, callerName, keyName), f.Record(), "pending"})
				f.ErrorCode, f.ErrorMessage = "DisabledException", key+" is disabled."
				cases = append(cases, detectionCase{fmt.Sprintf("%s disabled by %s on %s", op, callerName, keyName), f.Record(), "disabled"})
			}
		}
	}
	// Some documented records of disabled keys carry KMSInvalidStateException: the message decides.
	cases = append(cases, detectionCase{"disabled with KMSInvalidStateException", kmseventtest.Failure{
		EventName: "Decrypt", KeyARN: kmseventtest.SingleRegionKey, Caller: kmseventtest.IAMUser, ReadOnly: true,
		ErrorCode: "KMSInvalidStateException", ErrorMessage: kmseventtest.SingleRegionKey + " is disabled.",
	}.Record(), "disabled"})
	// Near misses.
	nearMisses := map[string]kmseventtest.Failure{
		"pending import": {EventName: "Decrypt", ErrorCode: "KMSInvalidStateException",
			ErrorMessage: kmseventtest.SingleRegionKey + " is pending import."},
		"access denied": {EventName: "Decrypt", ErrorCode: "AccessDenied",
			ErrorMessage: "User: arn:aws:iam::111122223333:user/Alice is not authorized to perform: kms:Decrypt on resource: " +
				kmseventtest.SingleRegionKey + " because no identity-based policy allows the kms:Decrypt action"},
		"key not found": {EventName: "Encrypt", ErrorCode: "NotFoundException",
			ErrorMessage: "Key '" + kmseventtest.SingleRegionKey + "' does not exist"},
		"pending deletion words from another service": {EventSource: "secretsmanager.amazonaws.com", EventName: "GetSecretValue",
			ErrorCode: "InvalidRequestException", ErrorMessage: "arn:aws:secretsmanager:us-west-2:111122223333:secret:db is pending deletion."},
		"disabled words from another service": {EventSource: "iam.amazonaws.com", EventName: "GetUser",
			ErrorCode: "InvalidInput", ErrorMessage: "arn:aws:iam::111122223333:user/Alice is disabled."},
		"pending deletion mentioned mid-message": {EventName: "Decrypt", ErrorCode: "KMSInvalidStateException",
			ErrorMessage: kmseventtest.SingleRegionKey + " is pending deletion. Cancel it first"},
		"unavailable key": {EventName: "Decrypt", ErrorCode: "KMSInvalidStateException",
			ErrorMessage: kmseventtest.SingleRegionKey + " is unavailable."},
	}
	for name, f := range nearMisses {
		f.KeyARN, f.Caller, f.ReadOnly = kmseventtest.SingleRegionKey, kmseventtest.IAMUser, true
		cases = append(cases, detectionCase{"near miss: " + name, f.Record(), ""})
	}
	// Documented records: a successful Decrypt and the calls ECS Fargate makes, dry runs included.
	for _, name := range kmseventtest.Names("cloudtrail") {
		cases = append(cases, detectionCase{"documented record " + name, kmseventtest.CloudTrail(name), ""})
	}
	return cases
}

func TestPendingDeletionAlarm_SynthesizedPatternsCountExactlyTheRightRecords(t *testing.T) {
	// GIVEN the filter patterns the construct synthesizes by default
	patterns := synthesizedPatterns(t)
	byKind := map[string]string{
		"pending":  kmsmonitor.DefaultPendingDeletionMetricName,
		"disabled": kmsmonitor.DefaultDisabledKeyMetricName,
	}
	cases := detectionCases()
	// WHEN each CloudTrail record is evaluated against each pattern
	// THEN only the metric of its failure kind counts it
	for _, c := range cases {
		for kind, metric := range byKind {
			got, err := patterns[metric].Match(c.record)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if want := c.want == kind; got != want {
				t.Errorf("%s: %s counted = %v, want %v", c.name, metric, got, want)
			}
		}
	}
	if len(cases) < 200 {
		t.Errorf("only %d cases", len(cases))
	}
}

// representativeCases is detectionCases with each operation, caller and key
// kind once (every operation by an IAM user on a single-Region key, every
// caller and key kind with Decrypt) plus every near miss and documented
// record: for matchers where each matching event costs time (moto spends
// about 0.1 s delivering one).
func representativeCases() []detectionCase {
	var out []detectionCase
	for _, c := range detectionCases() {
		if !strings.Contains(c.name, " by ") || strings.HasPrefix(c.name, "Decrypt ") ||
			strings.HasSuffix(c.name, " by IAM user on single-Region key") {
			out = append(out, c)
		}
	}
	return out
}
