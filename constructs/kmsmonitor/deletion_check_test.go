package kmsmonitor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/iamsimtest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/kmseventtest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/ssmscripttest"
)

func TestDeletionCheck(t *testing.T) {
	// GIVEN a stack WHEN the reactive check is added with an address
	stack := newStack()
	d := kmsmonitor.NewDeletionCheck(stack, jsii.String("Check"), &kmsmonitor.DeletionCheckProps{Emails: []string{"security@example.com"}})
	tpl := synth(t, stack)
	// THEN a rule on successful ScheduleKeyDeletion calls (write events: state ENABLED) starts the document
	// with the key ARN, who scheduled it, the event ID and time, and the topic
	tpl.HasResourceProperties("AWS::Events::Rule", obj{
		"EventPattern": obj{
			"source": arr{"aws.kms"}, "detail-type": arr{"AWS API Call via CloudTrail"},
			"detail": obj{"eventSource": arr{"kms.amazonaws.com"}, "eventName": arr{"ScheduleKeyDeletion"}, "errorCode": arr{obj{"exists": false}}},
		},
		"State": "ENABLED",
		"Targets": arr{obj{
			"Id":      "Target0",
			"Arn":     join("arn:", partition, ":ssm:", region, ":", account, ":automation-definition/", ref("CheckDocument"), ":$DEFAULT"),
			"RoleArn": getAtt("CheckEventsRole"),
			"InputTransformer": obj{
				"InputPathsMap": obj{
					"detail-resources-0--ARN": "$.detail.resources[0].ARN", "detail-userIdentity-arn": "$.detail.userIdentity.arn",
					"detail-eventID": "$.detail.eventID", "detail-eventTime": "$.detail.eventTime", "detail-sourceIPAddress": "$.detail.sourceIPAddress",
				},
				"InputTemplate": join(`{"AutomationAssumeRole":["`, getAtt("CheckAutomationRole"),
					`"],"EventId":[<detail-eventID>],"EventTime":[<detail-eventTime>],"KeyId":[<detail-resources-0--ARN>],"ScheduledBy":[<detail-userIdentity-arn>],"SourceIp":[<detail-sourceIPAddress>],"TopicArn":["`,
					ref("CheckTopic"), `"]}`),
			},
			"DeadLetterConfig": obj{"Arn": getAtt("CheckDeadLetterQueue")},
			"RetryPolicy":      obj{"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400},
		}},
	})
	// AND the document reads the state, handles both pending states, reads last usage and decides in a script, cancels and notifies
	step := func(name, action string, more obj) interface{} {
		o := obj{"name": name, "action": action}
		for k, v := range more {
			o[k] = v
		}
		return objLike(o)
	}
	tpl.HasResourceProperties("AWS::SSM::Document", obj{
		"DocumentType": "Automation", "DocumentFormat": "JSON", "UpdateMethod": "NewVersion",
		"Content": objLike(obj{
			"schemaVersion": "0.3", "assumeRole": "{{ AutomationAssumeRole }}",
			"parameters": objLike(obj{
				"MinDaysWithoutUsage": objLike(obj{"type": "Integer", "default": 365}),
				"UnknownCountsAsUsed": objLike(obj{"type": "Boolean", "default": true}),
			}),
			"mainSteps": arr{
				// (exemptions first, reported at once: TestDeletionCheck_ExemptScenarios runs the script; no break-glass here)
				step("Exempt", "aws:executeScript", obj{"onFailure": "step:DescribeKey", "inputs": objLike(obj{"InputPayload": obj{
					"KeyId": "{{ KeyId }}", "ScheduledBy": "{{ ScheduledBy }}", "SourceIp": "{{ SourceIp }}", "BreakGlass": "[]"}})}),
				step("IsExempt", "aws:branch", obj{"inputs": obj{"Choices": arr{
					obj{"Variable": "{{ Exempt.Exempt }}", "BooleanEquals": true, "NextStep": "NotifyExempt"}}, "Default": "DescribeKey"}}),
				step("DescribeKey", "aws:executeAwsApi", obj{"onFailure": "step:NotifyFailed", "inputs": obj{"Service": "kms", "Api": "DescribeKey", "KeyId": "{{ KeyId }}"}}),
				step("IsPendingDeletion", "aws:branch", obj{"inputs": obj{"Choices": arr{obj{"Or": arr{
					obj{"Variable": "{{ DescribeKey.KeyState }}", "StringEquals": "PendingDeletion"},
					obj{"Variable": "{{ DescribeKey.KeyState }}", "StringEquals": "PendingReplicaDeletion"},
				}, "NextStep": "WaitForUsageRecords"}}, "Default": "NotifyNotPending"}}),
				// (last use is recorded up to an hour late)
				step("WaitForUsageRecords", "aws:sleep", obj{"inputs": obj{"Duration": "PT1H"}, "nextStep": "Decide"}),
				// (the script reads the key's last use itself: TestDeletionCheck_ScriptScenarios runs it)
				step("Decide", "aws:executeScript", obj{"onFailure": "step:UsageUnreadable", "inputs": objLike(obj{"Runtime": "python3.11", "Handler": "handler"})}),
				step("CancelOrKeep", "aws:branch", obj{"inputs": obj{"Choices": arr{
					obj{"Variable": "{{ Decide.Verdict }}", "StringEquals": "cancel", "NextStep": "CancelKeyDeletion"}}, "Default": "NotifyScheduled"}}),
				step("CancelKeyDeletion", "aws:executeAwsApi", obj{"onFailure": "step:StateAfterCancel", "maxAttempts": 3, "inputs": obj{"Service": "kms", "Api": "CancelKeyDeletion", "KeyId": "{{ KeyId }}"}}),
				step("VerifyCancelled", "aws:waitForAwsResourceProperty", obj{"onFailure": "step:NotifyCancelNotConfirmed", "inputs": objLike(obj{"DesiredValues": arr{"Disabled"}})}),
				// AND a failed cancellation tells whether the key is still pending deletion, or was cancelled meanwhile
				step("StateAfterCancel", "aws:executeAwsApi", obj{"onFailure": "step:NotifyCancelFailed", "inputs": obj{"Service": "kms", "Api": "DescribeKey", "KeyId": "{{ KeyId }}"}}),
				step("StillPending", "aws:branch", obj{"inputs": objLike(obj{"Default": "NotifyCancelledElsewhere"})}),
				step("NotifyCancelled", "aws:executeAwsApi", obj{"inputs": objLike(obj{"Service": "sns", "Api": "Publish",
					"Message": assertions.Match_StringLikeRegexp(jsii.String(`Key: \{\{ KeyId \}\}[\s\S]*by \{\{ ScheduledBy \}\} at \{\{ EventTime \}\} \(CloudTrail event ID \{\{ EventId \}\}\)[\s\S]*\{\{ Decide.Summary \}\}[\s\S]*left DISABLED`))})}),
				step("NotifyCancelFailed", "aws:executeAwsApi", obj{"inputs": objLike(obj{"Message": assertions.Match_StringLikeRegexp(jsii.String(`cancellation failed[\s\S]*cancel-key-deletion --key-id \{\{ KeyId \}\}[\s\S]*\{\{ Decide.Summary \}\}`))})}),
				step("NotifyCancelNotConfirmed", "aws:executeAwsApi", obj{"inputs": objLike(obj{"Message": assertions.Match_StringLikeRegexp(jsii.String(`this automation cancelled[\s\S]*did not show the Disabled state`))})}),
				step("NotifyCancelledElsewhere", "aws:executeAwsApi", obj{"inputs": objLike(obj{"Message": assertions.Match_StringLikeRegexp(jsii.String(`no longer pending deletion[\s\S]*\{\{ StateAfterCancel.KeyState \}\}`))})}),
				step("NotifyScheduled", "aws:executeAwsApi", nil),
				step("UsageUnreadable", "aws:branch", obj{"inputs": obj{"Choices": arr{
					obj{"Variable": "{{ UnknownCountsAsUsed }}", "BooleanEquals": true, "NextStep": "CancelUnreadable"}}, "Default": "NotifyUnreadable"}}),
				step("CancelUnreadable", "aws:executeAwsApi", obj{"onFailure": "step:NotifyFailed", "inputs": obj{"Service": "kms", "Api": "CancelKeyDeletion", "KeyId": "{{ KeyId }}"}}),
				step("NotifyCancelledUnreadable", "aws:executeAwsApi", nil),
				step("NotifyUnreadable", "aws:executeAwsApi", nil),
				step("NotifyExempt", "aws:executeAwsApi", obj{"inputs": objLike(obj{"Message": assertions.Match_StringLikeRegexp(jsii.String(`exemptions allow: \{\{ Exempt.Reason \}\}[\s\S]*neither checked nor cancelled[\s\S]*cancel-key-deletion --key-id \{\{ KeyId \}\}`))})}),
				step("NotifyNotPending", "aws:executeAwsApi", nil),
				// AND a failed check or cancellation is told, never silent
				step("NotifyFailed", "aws:executeAwsApi", obj{"isEnd": true, "inputs": objLike(obj{"Service": "sns", "Api": "Publish",
					"Message": assertions.Match_StringLikeRegexp(jsii.String(`reading it or cancelling its deletion failed[\s\S]*describe-key --key-id \{\{ KeyId \}\}[\s\S]*cancel-key-deletion --key-id \{\{ KeyId \}\}`))})}),
			},
		}),
	})
	// AND the automation role, trusted by SSM of this account only, may read and cancel keys of this account and Region, and notify
	tpl.HasResourceProperties("AWS::IAM::Role", obj{"AssumeRolePolicyDocument": trustedBy("ssm.amazonaws.com"),
		"Description": assertions.Match_StringLikeRegexp(jsii.String("DeletionCheck"))})
	tpl.HasResourceProperties("AWS::IAM::ManagedPolicy", obj{
		"Roles": arr{ref("CheckAutomationRole")},
		"PolicyDocument": obj{"Version": "2012-10-17", "Statement": arr{
			obj{"Sid": "CheckAndCancelKeyDeletion", "Effect": "Allow",
				"Action":   arr{"kms:CancelKeyDeletion", "kms:DescribeKey", "kms:GetKeyLastUsage", "kms:ListResourceTags"},
				"Resource": join("arn:", partition, ":kms:", region, ":", account, ":key/*")},
			obj{"Sid": "Notify", "Effect": "Allow", "Action": "sns:Publish", "Resource": ref("CheckTopic")},
			obj{"Sid": "EncryptNotifications", "Effect": "Allow", "Action": arr{"kms:Decrypt", "kms:GenerateDataKey*"},
				"Resource": getAtt("CheckTopicKey"),
				// SNS's endpoint in the partition: sns.cn-north-1.amazonaws.com.cn in China
				"Condition": obj{"StringEquals": obj{"kms:ViaService": join("sns.", region, ".", obj{"Ref": "AWS::URLSuffix"})}}},
		}},
	})
	// AND the EventBridge role may only start this document and pass that role to SSM
	tpl.HasResourceProperties("AWS::IAM::ManagedPolicy", obj{
		"Roles": arr{ref("CheckEventsRole")},
		"PolicyDocument": obj{"Version": "2012-10-17", "Statement": arr{
			obj{"Sid": "StartTheAutomation", "Effect": "Allow", "Action": "ssm:StartAutomationExecution",
				"Resource": join("arn:", partition, ":ssm:", region, ":", account, ":automation-definition/", ref("CheckDocument"), ":*")},
			obj{"Sid": "PassTheAutomationRole", "Effect": "Allow", "Action": "iam:PassRole", "Resource": getAtt("CheckAutomationRole"),
				"Condition": obj{"StringEquals": obj{"iam:PassedToService": "ssm.amazonaws.com"}}},
		}},
	})
	tpl.HasResourceProperties("AWS::SNS::Subscription", obj{"Endpoint": "security@example.com"})
	if d.Rule == nil || d.Document == nil || d.TopicKey == nil || d.DeadLetterQueue == nil {
		t.Error("want the rule, document, topic key and queue exported")
	}
}

func TestDeletionCheck_Options(t *testing.T) {
	// GIVEN 90 days and unknown not counting as used WHEN synthesized THEN the document's defaults say so
	stack := newStack()
	kmsmonitor.NewDeletionCheck(stack, jsii.String("Check"), &kmsmonitor.DeletionCheckProps{
		MinDaysWithoutUsage: jsii.Number(90), UnknownCountsAsUsed: jsii.Bool(false),
	})
	synth(t, stack).HasResourceProperties("AWS::SSM::Document", obj{"Content": objLike(obj{"parameters": objLike(obj{
		"MinDaysWithoutUsage": objLike(obj{"default": 90}), "UnknownCountsAsUsed": objLike(obj{"default": false}),
	})})})
}

// scheduleKeyDeletion is a ScheduleKeyDeletion record shaped like the KMS
// developer guide's example ("ScheduleKeyDeletion" in "Logging AWS KMS API
// calls with AWS CloudTrail"): the key in resources[0].ARN, the new state
// in responseElements. A failed or dry-run call has an errorCode and no
// responseElements.
func scheduleKeyDeletion(keyArn, state, errorCode string, dryRun bool) []byte {
	rec := map[string]any{
		"eventVersion": "1.08", "userIdentity": kmseventtest.IAMUser, "eventTime": "2026-11-23T10:00:00Z",
		"eventSource": "kms.amazonaws.com", "eventName": "ScheduleKeyDeletion", "awsRegion": "us-west-2",
		"sourceIPAddress": "192.0.2.0", "userAgent": "aws-cli/2.0",
		"requestParameters": map[string]any{"keyId": keyArn, "pendingWindowInDays": 30},
		"responseElements":  map[string]any{"keyId": keyArn, "deletionDate": "Dec 23, 2026, 10:00:00 AM", "keyState": state, "pendingWindowInDays": 30},
		"requestID":         "12345126-30d5-4b28-98b9-9153da559963", "eventID": "abcde202-ba1a-467c-b4ba-f729d45ae521",
		"readOnly": false, "resources": []any{map[string]any{"accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": keyArn}},
		"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333", "eventCategory": "Management",
	}
	if dryRun {
		rec["requestParameters"].(map[string]any)["dryRun"] = true
	}
	if errorCode != "" {
		rec["errorCode"], rec["errorMessage"], rec["responseElements"] = errorCode, "the call did not succeed", nil
	}
	b, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	return b
}

func TestDeletionCheck_PatternOnEventBridge(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	// GIVEN the rule the construct synthesizes, installed on EventBridge (moto)
	stack := newStack()
	kmsmonitor.NewDeletionCheck(stack, jsii.String("Check"), nil)
	pattern, state := rulePattern(t, synth(t, stack))
	rule, err := server.NewRule(ctx, pattern, state)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		event []byte
		want  bool
	}{
		{"successful, single-Region key", scheduleKeyDeletion(kmseventtest.SingleRegionKey, "PendingDeletion", "", false), true},
		{"successful, multi-Region replica or primary without replicas", scheduleKeyDeletion(kmseventtest.MultiRegionKey, "PendingDeletion", "", false), true},
		{"successful, multi-Region primary with replicas", scheduleKeyDeletion(kmseventtest.MultiRegionKey, "PendingReplicaDeletion", "", false), true},
		{"failed: access denied (the guard)", scheduleKeyDeletion(kmseventtest.SingleRegionKey, "", "AccessDenied", false), false},
		{"failed: key already pending deletion", scheduleKeyDeletion(kmseventtest.MultiRegionKey, "", "KMSInvalidStateException", false), false},
		{"dry run", scheduleKeyDeletion(kmseventtest.SingleRegionKey, "", "DryRunOperationException", true), false},
		{"another call", kmseventtest.Failure{EventName: "DisableKey", KeyARN: kmseventtest.SingleRegionKey, Caller: kmseventtest.IAMUser}.Record(), false},
	}
	events := make([][]byte, len(cases))
	for i, c := range cases {
		events[i] = kmseventtest.AsEventBridgeEvent(c.event)
	}
	// WHEN each record is sent THEN only successful calls reach the target
	got, err := rule.MatchAll(ctx, events)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		if got[i] != c.want {
			t.Errorf("%s: matched=%v, want %v", c.name, got[i], c.want)
		}
	}
}

// daysAgo is the time days ago, as an AWS answer gives it (ISO 8601, UTC).
func daysAgo(days int) string { return time.Now().UTC().AddDate(0, 0, -days).Format(time.RFC3339) }

// ranOrSkip fails the test when ssmscripttest could not run, or skips it
// where python3 with botocore is missing and not required.
func ranOrSkip(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, ssmscripttest.ErrUnavailable) && !ssmscripttest.Required() {
		t.Skipf("%v (.ci/run requires it)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// decideStep returns the script and the input payload of the Decide step of
// the DeletionCheck document in tpl.
func decideStep(t *testing.T, tpl template) (script string, payload map[string]any) {
	t.Helper()
	for _, doc := range tpl.resourcesOfType("AWS::SSM::Document") {
		steps, _ := doc["Properties"].(map[string]any)["Content"].(map[string]any)["mainSteps"].([]any)
		for _, s := range steps {
			if step := s.(map[string]any); step["name"] == "Decide" {
				in := step["inputs"].(map[string]any)
				return in["Script"].(string), in["InputPayload"].(map[string]any)
			}
		}
	}
	t.Fatal("no Decide step")
	return "", nil
}

func TestDeletionCheck_ScriptScenarios(t *testing.T) {
	// GIVEN the Decide step's script exactly as DeletionCheck synthesizes it (the configuration of TestDeletionCheck)
	stack := newStack()
	kmsmonitor.NewDeletionCheck(stack, jsii.String("Check"), &kmsmonitor.DeletionCheckProps{Emails: []string{"security@example.com"}})
	tpl := synth(t, stack)
	script, payload := decideStep(t, tpl)
	// AND the payload Automation gives it: the key, whether multi-Region, the two parameters
	if fmt.Sprint(payload) != "map[KeyId:{{ KeyId }} MinDaysWithoutUsage:{{ MinDaysWithoutUsage }} MultiRegion:{{ DescribeKey.MultiRegion }} UnknownCountsAsUsed:{{ UnknownCountsAsUsed }}]" {
		t.Errorf("payload %v", payload)
	}
	// AND the IAM evaluation judges the calls the script makes as the automation role: GetKeyLastUsage
	// on a key of the account and Region (synth evaluated these paths)
	resolved, err := iamsimtest.Resolve(tpl.JSON(), iamsimtest.AgnosticEnvs[0])
	if err != nil {
		t.Fatal(err)
	}
	judged := map[string]bool{}
	for _, c := range iamsimtest.Paths(resolved) {
		if strings.HasPrefix(c.Kind, "automation role → ") {
			judged[c.Kind+" "+c.Action] = true
		}
	}
	for _, want := range []string{"automation role → protected key kms:GetKeyLastUsage", "automation role → key of another account kms:GetKeyLastUsage"} {
		if !judged[want] {
			t.Errorf("no delivery path %q among %v", want, judged)
		}
	}
	const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	events := func(minDays int, unknownUsed, multiRegion bool) map[string]any {
		// As Automation resolves the parameters: an Integer, Booleans
		return map[string]any{"KeyId": key, "MinDaysWithoutUsage": minDays, "UnknownCountsAsUsed": unknownUsed, "MultiRegion": multiRegion}
	}
	lastUsage := func(answer map[string]any) ssmscripttest.Call {
		answer["KeyId"] = key
		return ssmscripttest.Call{Service: "kms", Operation: "get_key_last_usage", Expect: map[string]any{"KeyId": key}, Response: answer}
	}
	used := func(days int) map[string]any {
		return map[string]any{
			"KeyLastUsage":      map[string]any{"Operation": "Decrypt", "Timestamp": daysAgo(days), "CloudTrailEventId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "KmsRequestId": "e5f6a7b8-5678-90ab-cdef-EXAMPLE22222"},
			"TrackingStartDate": daysAgo(500), "KeyCreationDate": daysAgo(900),
		}
	}
	// A key never used since tracking began: KeyLastUsage is empty (KMS developer guide, "Determine past usage of a KMS key").
	unused := func(tracking, created int) map[string]any {
		return map[string]any{"KeyLastUsage": map[string]any{}, "TrackingStartDate": daysAgo(tracking), "KeyCreationDate": daysAgo(created)}
	}
	failure := func(code, msg string) ssmscripttest.Call {
		return ssmscripttest.Call{Service: "kms", Operation: "get_key_last_usage", Expect: map[string]any{"KeyId": key}, Error: &ssmscripttest.APIError{Code: code, Message: msg}}
	}
	throttled := failure("ThrottlingException", "Rate exceeded")
	serverError := failure("InternalFailure", "internal failure")
	serverError.Error.Status = 500
	type want struct {
		verdict, kase string
		summary       []string // in the summary
		sleeps        int
	}
	cases := []struct {
		s    ssmscripttest.Scenario
		want want
	}{
		{ssmscripttest.Scenario{Name: "used 3 days ago", Events: events(365, true, false), Calls: []ssmscripttest.Call{lastUsage(used(3))}},
			want{"cancel", "used", []string{"last used 3 day(s) ago", "Decrypt", "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"}, 0}},
		{ssmscripttest.Scenario{Name: "used 200 days ago, 90-day minimum", Events: events(90, true, false), Calls: []ssmscripttest.Call{lastUsage(used(200))}},
			want{"keep", "used", []string{"last used 200 day(s) ago", "minimum is 90"}, 0}},
		{ssmscripttest.Scenario{Name: "never used, created after tracking began", Events: events(365, true, false), Calls: []ssmscripttest.Call{lastUsage(unused(500, 40))}},
			want{"keep", "never-used", []string{"Never used", "created after tracking began"}, 0}},
		{ssmscripttest.Scenario{Name: "no use recorded, created before tracking began, within the minimum", Events: events(90, true, false), Calls: []ssmscripttest.Call{lastUsage(unused(30, 900))}},
			want{"cancel", "no-use-recorded", []string{"created before tracking began", "30 day(s), fewer than the minimum of 90", "check CloudTrail"}, 0}},
		{ssmscripttest.Scenario{Name: "the same, UnknownCountsAsUsed false", Events: events(90, false, false), Calls: []ssmscripttest.Call{lastUsage(unused(30, 900))}},
			want{"keep", "no-use-recorded", []string{"UnknownCountsAsUsed is false"}, 0}},
		{ssmscripttest.Scenario{Name: "no use recorded, created before tracking began, beyond the minimum", Events: events(365, true, false), Calls: []ssmscripttest.Call{lastUsage(unused(400, 900))}},
			want{"keep", "no-use-recorded", []string{"no use in the 400 day(s) tracked"}, 0}},
		{ssmscripttest.Scenario{Name: "access denied", Events: events(365, true, false), Calls: []ssmscripttest.Call{failure("AccessDeniedException", "User is not authorized to perform: kms:GetKeyLastUsage")}},
			want{"cancel", "unknown", []string{"access denied", "kms:GetKeyLastUsage", "UnknownCountsAsUsed is true"}, 0}},
		{ssmscripttest.Scenario{Name: "access denied, UnknownCountsAsUsed false", Events: events(365, false, false), Calls: []ssmscripttest.Call{failure("AccessDeniedException", "denied")}},
			want{"keep", "unknown", []string{"access denied", "UnknownCountsAsUsed is false"}, 0}},
		{ssmscripttest.Scenario{Name: "throttled once, then answered", Events: events(365, true, false), Calls: []ssmscripttest.Call{throttled, lastUsage(used(3))}},
			want{"cancel", "used", []string{"last used 3 day(s) ago"}, 1}},
		{ssmscripttest.Scenario{Name: "throttled throughout", Events: events(365, true, false), Calls: []ssmscripttest.Call{throttled, throttled, throttled, throttled, throttled, throttled, throttled, throttled}},
			want{"cancel", "unknown", []string{"throttled 8 times in a row"}, 7}},
		{ssmscripttest.Scenario{Name: "KMSInternalException, then DependencyTimeoutException, then answered", Events: events(365, false, false),
			Calls: []ssmscripttest.Call{failure("KMSInternalException", "internal"), failure("DependencyTimeoutException", "timeout"), lastUsage(used(3))}},
			want{"cancel", "used", []string{"last used 3 day(s) ago"}, 2}},
		{ssmscripttest.Scenario{Name: "a server error throughout", Events: events(365, false, false),
			Calls: []ssmscripttest.Call{serverError, serverError, serverError, serverError, serverError, serverError, serverError, serverError}},
			want{"keep", "unknown", []string{"failed 8 time(s), last: InternalFailure", "UnknownCountsAsUsed is false"}, 7}},
		{ssmscripttest.Scenario{Name: "never used, created after tracking began (TrackingStartDate is then the creation date, to the millisecond or so)", Events: events(30, true, false),
			Calls: []ssmscripttest.Call{lastUsage(map[string]any{"KeyLastUsage": map[string]any{}, "TrackingStartDate": "2026-11-06T08:00:00.123000+00:00", "KeyCreationDate": "2026-11-06T08:00:00.122000+00:00"})}},
			want{"keep", "never-used", []string{"Never used", "created after tracking began"}, 0}},
		{ssmscripttest.Scenario{Name: "the runtime's SDK lacks GetKeyLastUsage", Events: events(365, true, false), Lacking: []string{"get_key_last_usage"}},
			want{"cancel", "unknown", []string{"has no GetKeyLastUsage", "botocore"}, 0}},
		{ssmscripttest.Scenario{Name: "key not found", Events: events(365, false, false), Calls: []ssmscripttest.Call{failure("NotFoundException", "Key does not exist")}},
			want{"keep", "unknown", []string{"failed 1 time(s), last: NotFoundException: Key does not exist"}, 0}},
		{ssmscripttest.Scenario{Name: "no use recorded, no creation date given", Events: events(365, true, false), Calls: []ssmscripttest.Call{lastUsage(map[string]any{"KeyLastUsage": map[string]any{}, "TrackingStartDate": daysAgo(30)})}},
			want{"cancel", "unknown", []string{"gave no KeyCreationDate"}, 0}},
		{ssmscripttest.Scenario{Name: "multi-Region key used yesterday", Events: events(365, true, true), Calls: []ssmscripttest.Call{lastUsage(used(1))}},
			want{"cancel", "used", []string{"last used 1 day(s) ago", "Multi-Region key"}, 0}},
	}
	scenarios := make([]ssmscripttest.Scenario, len(cases))
	for i, c := range cases {
		scenarios[i] = c.s
	}
	// WHEN each scenario runs the handler with botocore answering as KMS would (its model checks every request and answer)
	results, botocore, err := ssmscripttest.Run(script, "handler", scenarios)
	ranOrSkip(t, err)
	// THEN each decides as its case says, says so in the summary, sleeps between throttled attempts only, and asks for every answer
	for i, r := range results {
		c := cases[i]
		if r.Error != "" || len(r.Pending) > 0 {
			t.Errorf("%s: error %s, answers not asked for %v", r.Name, r.Error, r.Pending)
			continue
		}
		summary, _ := r.Output["summary"].(string)
		if r.Output["verdict"] != c.want.verdict || r.Output["case"] != c.want.kase {
			t.Errorf("%s: verdict %v, case %v; want %s, %s (%s)", r.Name, r.Output["verdict"], r.Output["case"], c.want.verdict, c.want.kase, summary)
		}
		for _, s := range c.want.summary {
			if !strings.Contains(summary, s) {
				t.Errorf("%s: summary lacks %q: %s", r.Name, s, summary)
			}
		}
		if len(r.Sleeps) != c.want.sleeps {
			t.Errorf("%s: %d sleeps %v, want %d", r.Name, len(r.Sleeps), r.Sleeps, c.want.sleeps)
		}
		t.Logf("%s: %s, %s: %s", r.Name, r.Output["verdict"], r.Output["case"], summary)
	}
	t.Logf("answered by botocore %s", botocore)
}

func TestDeletionCheck_DocumentScenarios(t *testing.T) {
	// GIVEN DeletionCheck's document exactly as synthesized (the configuration of TestDeletionCheck)
	stack := newStack()
	kmsmonitor.NewDeletionCheck(stack, jsii.String("Check"), &kmsmonitor.DeletionCheckProps{Emails: []string{"security@example.com"}})
	tpl := synth(t, stack)
	document := tpl.resourcesOfType("AWS::SSM::Document")[0]["Properties"].(map[string]any)["Content"].(map[string]any)
	const key = "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"
	// The execution's parameters, as the rule passes them (MinDaysWithoutUsage only when given as a token)
	params := func(extra map[string]any) map[string]any {
		p := map[string]any{
			"AutomationAssumeRole": "arn:aws:iam::111122223333:role/Stack-CheckAutomationRole", "KeyId": key,
			"ScheduledBy": "arn:aws:iam::111122223333:user/Mary", "EventId": "a1b2c3d4-5678-90ab-cdef-EXAMPLEaaaaa",
			"EventTime": "2026-12-06T10:00:00Z", "TopicArn": "arn:aws:sns:us-east-1:111122223333:Stack-CheckTopic",
			"SourceIp": "203.0.113.7",
		}
		for k, v := range extra {
			p[k] = v
		}
		return p
	}
	kms := func(op string, answer map[string]any) ssmscripttest.Call {
		return ssmscripttest.Call{Service: "kms", Operation: op, Expect: map[string]any{"KeyId": key}, Response: answer}
	}
	kmsError := func(op, code string) ssmscripttest.Call {
		return ssmscripttest.Call{Service: "kms", Operation: op, Expect: map[string]any{"KeyId": key}, Error: &ssmscripttest.APIError{Code: code, Message: code}}
	}
	state := func(s string, multiRegion bool) ssmscripttest.Call {
		return kms("describe_key", map[string]any{"KeyMetadata": map[string]any{"KeyId": key, "KeyState": s, "MultiRegion": multiRegion}})
	}
	usedDaysAgo := func(days int) ssmscripttest.Call {
		return kms("get_key_last_usage", map[string]any{"KeyId": key, "TrackingStartDate": daysAgo(500), "KeyCreationDate": daysAgo(900),
			"KeyLastUsage": map[string]any{"Operation": "Decrypt", "Timestamp": daysAgo(days), "CloudTrailEventId": "e1"}})
	}
	publish := ssmscripttest.Call{Service: "sns", Operation: "publish", Response: map[string]any{"MessageId": "m1"}}
	cancelled := kms("cancel_key_deletion", map[string]any{"KeyId": key})
	invalidState := kmsError("cancel_key_deletion", "KMSInvalidStateException")
	cases := []struct {
		s       ssmscripttest.Scenario
		steps   string   // the steps taken ("!" failed)
		message []string // in the one message published
	}{
		{ssmscripttest.Scenario{Name: "PendingReplicaDeletion of a multi-Region primary, used 3 days ago", Events: params(nil),
			Calls: []ssmscripttest.Call{state("PendingReplicaDeletion", true), usedDaysAgo(3), cancelled, state("Disabled", true), publish}},
			"Exempt > IsExempt > DescribeKey > IsPendingDeletion > WaitForUsageRecords > Decide > CancelOrKeep > CancelKeyDeletion > VerifyCancelled > NotifyCancelled",
			[]string{"deletion of a KMS key was cancelled", "last used 3 day(s) ago", "Multi-Region key", "left DISABLED", "by arn:aws:iam::111122223333:user/Mary"}},
		{ssmscripttest.Scenario{Name: "already cancelled by someone else", Events: params(nil),
			Calls: []ssmscripttest.Call{state("Disabled", false), publish}},
			"Exempt > IsExempt > DescribeKey > IsPendingDeletion > NotifyNotPending", []string{"no longer pending deletion (state Disabled)"}},
		{ssmscripttest.Scenario{Name: "cancelled by another path between check and cancel", Events: params(nil),
			Calls: []ssmscripttest.Call{state("PendingDeletion", false), usedDaysAgo(3), invalidState, invalidState, invalidState, state("Disabled", false), publish}},
			"Exempt > IsExempt > DescribeKey > IsPendingDeletion > WaitForUsageRecords > Decide > CancelOrKeep > CancelKeyDeletion! > StateAfterCancel > StillPending > NotifyCancelledElsewhere",
			[]string{"cancelled meanwhile, by something else", "or by an earlier attempt", "(state Disabled)", "last used 3 day(s) ago"}},
		{ssmscripttest.Scenario{Name: "the cancellation refused, the key still pending", Events: params(nil),
			Calls: []ssmscripttest.Call{state("PendingDeletion", false), usedDaysAgo(3), kmsError("cancel_key_deletion", "AccessDeniedException"),
				kmsError("cancel_key_deletion", "AccessDeniedException"), kmsError("cancel_key_deletion", "AccessDeniedException"), state("PendingDeletion", false), publish}},
			"Exempt > IsExempt > DescribeKey > IsPendingDeletion > WaitForUsageRecords > Decide > CancelOrKeep > CancelKeyDeletion! > StateAfterCancel > StillPending > NotifyCancelFailed",
			[]string{"cancellation failed", "aws kms cancel-key-deletion --key-id " + key, "last used 3 day(s) ago"}},
		{ssmscripttest.Scenario{Name: "cancelled, but the key shows Enabled (enabled again meanwhile)", Events: params(nil),
			Calls: []ssmscripttest.Call{state("PendingDeletion", false), usedDaysAgo(3), cancelled, state("Enabled", false), state("Enabled", false), publish}},
			"Exempt > IsExempt > DescribeKey > IsPendingDeletion > WaitForUsageRecords > Decide > CancelOrKeep > CancelKeyDeletion > VerifyCancelled! > NotifyCancelNotConfirmed",
			[]string{"this automation cancelled", "did not show the Disabled state", "describe-key --key-id " + key}},
		{ssmscripttest.Scenario{Name: "MinDaysWithoutUsage 90 from a CloudFormation parameter, used 200 days ago", Events: params(map[string]any{"MinDaysWithoutUsage": 90}),
			Calls: []ssmscripttest.Call{state("PendingDeletion", false), usedDaysAgo(200), publish}},
			"Exempt > IsExempt > DescribeKey > IsPendingDeletion > WaitForUsageRecords > Decide > CancelOrKeep > NotifyScheduled",
			[]string{"was not cancelled", "last used 200 day(s) ago", "minimum is 90"}},
		{ssmscripttest.Scenario{Name: "the default minimum (365 days), used 200 days ago", Events: params(nil),
			Calls: []ssmscripttest.Call{state("PendingDeletion", false), usedDaysAgo(200), cancelled, state("Disabled", false), publish}},
			"Exempt > IsExempt > DescribeKey > IsPendingDeletion > WaitForUsageRecords > Decide > CancelOrKeep > CancelKeyDeletion > VerifyCancelled > NotifyCancelled",
			[]string{"minimum is 365"}},
		{ssmscripttest.Scenario{Name: "the key unreadable (throttled 3 times)", Events: params(nil),
			Calls: []ssmscripttest.Call{kmsError("describe_key", "ThrottlingException"), kmsError("describe_key", "ThrottlingException"), kmsError("describe_key", "ThrottlingException"), publish}},
			"Exempt > IsExempt > DescribeKey! > NotifyFailed", []string{"NOT checked", "cancel-key-deletion --key-id " + key}},
		{ssmscripttest.Scenario{Name: "throttled once, then read", Events: params(nil),
			Calls: []ssmscripttest.Call{kmsError("describe_key", "ThrottlingException"), state("Disabled", false), publish}},
			"Exempt > IsExempt > DescribeKey > IsPendingDeletion > NotifyNotPending", []string{"no longer pending deletion"}},
	}
	scenarios := make([]ssmscripttest.Scenario, len(cases))
	for i, c := range cases {
		scenarios[i] = c.s
		// The Exempt step reads the key's tags first: none that exempts it
		scenarios[i].Calls = append([]ssmscripttest.Call{kms("list_resource_tags", map[string]any{"Tags": []any{}, "Truncated": false})}, c.s.Calls...)
	}
	// WHEN each scenario runs the document step by step, KMS and SNS answered as botocore's model allows
	runs, _, err := ssmscripttest.Execute(document, scenarios)
	ranOrSkip(t, err)
	// AND the execution's status: Failed where a step whose failure is critical (isCritical's default
	// with onFailure step:) failed, TimedOut where such a step timed out ("Properties shared by all actions")
	status := map[string]string{
		"cancelled by another path between check and cancel":             "Failed", // this execution's own CancelKeyDeletion failed
		"the cancellation refused, the key still pending":                "Failed",
		"cancelled, but the key shows Enabled (enabled again meanwhile)": "TimedOut",
		"the key unreadable (throttled 3 times)":                         "Failed",
	}
	// THEN each takes the path its case says and ends in exactly one message, which says what happened
	for i, r := range runs {
		c := cases[i]
		want := status[r.Name]
		if want == "" {
			want = "Success"
		}
		if got := r.Steps(); got != c.steps || r.Status != want || len(r.Pending) > 0 {
			t.Errorf("%s: steps %s (%s), answers not asked for %v; want %s (%s)\n%+v", r.Name, got, r.Status, r.Pending, c.steps, want, r.Taken)
		}
		if len(r.Published) != 1 {
			t.Errorf("%s: %d messages published, want 1", r.Name, len(r.Published))
			continue
		}
		m := r.Published[0]
		if strings.Contains(m.Message, "{{") || strings.Contains(m.Subject, "{{") {
			t.Errorf("%s: unresolved reference in %q / %q", r.Name, m.Subject, m.Message)
		}
		for _, want := range c.message {
			if !strings.Contains(m.Subject+"\n"+m.Message, want) {
				t.Errorf("%s: message lacks %q:\n%s\n%s", r.Name, want, m.Subject, m.Message)
			}
		}
		t.Logf("%s: %s: %s", r.Name, r.Steps(), m.Subject)
	}
}

func TestDeletionCheck_ExemptScenarios(t *testing.T) {
	// GIVEN DeletionCheck with break-glass principals (a role at a path, a wildcard in the account and
	// the name, a user), in a stack with a key given to AllowDeletionWithStack
	stack := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-east-1")}})
	kmsmonitor.AllowDeletionWithStack(awskms.NewKey(stack, jsii.String("TestKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true), RemovalPolicy: awscdk.RemovalPolicy_DESTROY}))
	breakGlass := []string{"arn:aws:iam::111122223333:role/ops/BreakGlass", "arn:aws:iam::*:role/Emergency*", "arn:aws:iam::111122223333:user/root-ops"}
	kmsmonitor.NewDeletionCheck(stack, jsii.String("Check"), &kmsmonitor.DeletionCheckProps{
		Emails: []string{"security@example.com"}, BreakGlassPrincipalArns: breakGlass,
	})
	tpl := synth(t, stack)
	resolved, err := iamsimtest.Resolve(tpl.JSON(), iamsimtest.EnvsFor("111122223333", "us-east-1")[0])
	if err != nil {
		t.Fatal(err)
	}
	// THEN the key carries the exemption: a tag naming CloudFormation's execution role
	const cfnRole = "cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1"
	testKey := resourceStarting(t, resolved, "AWS::KMS::Key", "TestKey")
	if tags := toJSON(t, testKey.Props["Tags"]); !strings.Contains(tags, `{"Key":"`+kmsmonitor.DeletableWithStackTag+`","Value":"arn:aws:iam::111122223333:role/`+cfnRole+`"}`) {
		t.Errorf("the key's tags %s", tags)
	}
	document := resourceStarting(t, resolved, "AWS::SSM::Document", "CheckDocument").Props["Content"].(map[string]any)
	script, payload := exemptStep(t, document)
	// AND the payload holds the break-glass list as given, as a JSON string
	if want, _ := json.Marshal(breakGlass); payload["BreakGlass"] != string(want) {
		t.Fatalf("payload %v; want the break-glass list %s", payload, want)
	}
	// AND the automation role may read roles of its account (their paths) and keys' tags, judged by the IAM evaluation
	sim := simulator(t)
	var identity []iamsimtest.Policy
	for _, p := range resolved.Sorted("AWS::IAM::ManagedPolicy") {
		if strings.Contains(fmt.Sprint(p.Props["Roles"]), "CheckAutomationRole") {
			identity = append(identity, iamsimtest.Policy{Name: p.ID, Policy: p.Props["PolicyDocument"]})
		}
	}
	for _, c := range []iamsimtest.Case{
		{Kind: "automation role reads a role of its account", Action: "iam:GetRole", Resource: "arn:aws:iam::111122223333:role/ops/BreakGlass", Want: iamsimtest.Allowed},
		{Kind: "automation role reads a role of another account", Action: "iam:GetRole", Resource: "arn:aws:iam::444455556666:role/EmergencyAdmin", ResourceAccount: "444455556666", Want: iamsimtest.Refused},
		{Kind: "automation role reads a key's tags", Action: "kms:ListResourceTags", Resource: testKey.Arn, ResourcePolicy: testKey.Props["KeyPolicy"], Want: iamsimtest.Allowed},
	} {
		c.Principal, c.Identity = "arn:aws:iam::111122223333:role/Stack-CheckAutomationRole", identity
		if got, detail, err := sim.Simulate(c); err != nil || got != c.Want {
			t.Errorf("%s: got %s (%s, %v), want %s", c, got, detail, err, c.Want)
		}
	}
	const otherKey = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	events := func(key, scheduledBy, sourceIP string) map[string]any {
		return map[string]any{"KeyId": key, "ScheduledBy": scheduledBy, "SourceIp": sourceIP, "BreakGlass": payload["BreakGlass"]}
	}
	getRole := func(name, arn string) ssmscripttest.Call {
		return ssmscripttest.Call{Service: "iam", Operation: "get_role", Expect: map[string]any{"RoleName": name}, Response: map[string]any{"Role": map[string]any{
			"Path": "/", "RoleName": name, "RoleId": "AROAEXAMPLEID12345678", "Arn": arn, "CreateDate": daysAgo(100),
		}}}
	}
	tags := func(key string, value string) ssmscripttest.Call {
		answer := map[string]any{"Tags": []any{map[string]any{"TagKey": "team", "TagValue": "payments"}}, "Truncated": false}
		if value != "" {
			answer["Tags"] = append(answer["Tags"].([]any), map[string]any{"TagKey": kmsmonitor.DeletableWithStackTag, "TagValue": value})
		}
		return ssmscripttest.Call{Service: "kms", Operation: "list_resource_tags", Expect: map[string]any{"KeyId": key}, Response: answer}
	}
	cfnSession := "arn:aws:sts::111122223333:assumed-role/" + cfnRole + "/AWSCloudFormation"
	cfnRoleArn := "arn:aws:iam::111122223333:role/" + cfnRole
	cases := []struct {
		s      ssmscripttest.Scenario
		exempt bool
		reason string
	}{
		{ssmscripttest.Scenario{Name: "a session of the break-glass role at its path", Events: events(otherKey, "arn:aws:sts::111122223333:assumed-role/BreakGlass/alice", "203.0.113.7"),
			Calls: []ssmscripttest.Call{getRole("BreakGlass", "arn:aws:iam::111122223333:role/ops/BreakGlass")}},
			true, "arn:aws:iam::111122223333:role/ops/BreakGlass scheduled it, which matches the break-glass principal arn:aws:iam::111122223333:role/ops/BreakGlass"},
		{ssmscripttest.Scenario{Name: "a role of the same name at another path", Events: events(otherKey, "arn:aws:sts::111122223333:assumed-role/BreakGlass/bob", "203.0.113.7"),
			Calls: []ssmscripttest.Call{getRole("BreakGlass", "arn:aws:iam::111122223333:role/dev/BreakGlass")}},
			false, "role/dev/BreakGlass is not a break-glass principal"},
		{ssmscripttest.Scenario{Name: "a wildcard in the account and the name", Events: events(otherKey, "arn:aws:sts::111122223333:assumed-role/EmergencyAdmin/carol", "203.0.113.7"),
			Calls: []ssmscripttest.Call{getRole("EmergencyAdmin", "arn:aws:iam::111122223333:role/EmergencyAdmin")}},
			true, "matches the break-glass principal arn:aws:iam::*:role/Emergency*"},
		{ssmscripttest.Scenario{Name: "the role's path unreadable (access denied)", Events: events(otherKey, "arn:aws:sts::111122223333:assumed-role/EmergencyAdmin/carol", "203.0.113.7"),
			Calls: []ssmscripttest.Call{{Service: "iam", Operation: "get_role", Expect: map[string]any{"RoleName": "EmergencyAdmin"}, Error: &ssmscripttest.APIError{Code: "AccessDenied", Message: "denied", Status: 403}}}},
			false, "its path could not be read"},
		{ssmscripttest.Scenario{Name: "a role of another account", Events: events(otherKey, "arn:aws:sts::444455556666:assumed-role/EmergencyAdmin/dave", "203.0.113.7")},
			false, "a role of another account than the key's"},
		{ssmscripttest.Scenario{Name: "a break-glass user", Events: events(otherKey, "arn:aws:iam::111122223333:user/root-ops", "203.0.113.7")},
			true, "matches the break-glass principal arn:aws:iam::111122223333:user/root-ops"},
		{ssmscripttest.Scenario{Name: "another user", Events: events(otherKey, "arn:aws:iam::111122223333:user/Mary", "203.0.113.7")},
			false, "user/Mary is not a break-glass principal"},
		{ssmscripttest.Scenario{Name: "CloudFormation, as the role the key's tag names, deletes it", Events: events(testKey.Arn, cfnSession, "cloudformation.amazonaws.com"),
			Calls: []ssmscripttest.Call{tags(testKey.Arn, cfnRoleArn)}},
			true, "CloudFormation scheduled it as " + cfnRoleArn + ", the role the key's tag"},
		{ssmscripttest.Scenario{Name: "CloudFormation deletes a key without the tag", Events: events(otherKey, cfnSession, "cloudformation.amazonaws.com"),
			Calls: []ssmscripttest.Call{tags(otherKey, ""), getRole(cfnRole, cfnRoleArn)}},
			false, "is not a break-glass principal"},
		{ssmscripttest.Scenario{Name: "CloudFormation, as another role (cdk deploy --role-arn), deletes the tagged key", Events: events(testKey.Arn, "arn:aws:sts::111122223333:assumed-role/DeployAnything/AWSCloudFormation", "cloudformation.amazonaws.com"),
			Calls: []ssmscripttest.Call{tags(testKey.Arn, cfnRoleArn), getRole("DeployAnything", "arn:aws:iam::111122223333:role/DeployAnything")}},
			false, "role/DeployAnything is not a break-glass principal"},
		{ssmscripttest.Scenario{Name: "CloudFormation with a person's own credentials (no service role) deletes the tagged key", Events: events(testKey.Arn, "arn:aws:iam::111122223333:user/Mary", "cloudformation.amazonaws.com")},
			false, "user/Mary is not a break-glass principal"},
		{ssmscripttest.Scenario{Name: "the key's tags unreadable", Events: events(testKey.Arn, cfnSession, "cloudformation.amazonaws.com"),
			Calls: []ssmscripttest.Call{{Service: "kms", Operation: "list_resource_tags", Expect: map[string]any{"KeyId": testKey.Arn}, Error: &ssmscripttest.APIError{Code: "AccessDeniedException", Message: "denied", Status: 400}}}},
			false, "the key's tags could not be read"},
		{ssmscripttest.Scenario{Name: "a person deletes the tagged key", Events: events(testKey.Arn, "arn:aws:iam::111122223333:user/Mary", "203.0.113.7")},
			false, "user/Mary is not a break-glass principal"},
		{ssmscripttest.Scenario{Name: "a person deletes a key opted out (kmsmonitor.OptOut's tag)", Events: events(otherKey, "arn:aws:iam::111122223333:user/Mary", "203.0.113.7"),
			Calls: []ssmscripttest.Call{{Service: "kms", Operation: "list_resource_tags", Expect: map[string]any{"KeyId": otherKey},
				Response: map[string]any{"Tags": []any{map[string]any{"TagKey": kmsmonitor.OptOutTag, "TagValue": "true"}}, "Truncated": false}}}},
			true, "the key is opted out"},
		{ssmscripttest.Scenario{Name: "the opt-out tag set to another value", Events: events(otherKey, "arn:aws:iam::111122223333:user/Mary", "203.0.113.7"),
			Calls: []ssmscripttest.Call{{Service: "kms", Operation: "list_resource_tags", Expect: map[string]any{"KeyId": otherKey},
				Response: map[string]any{"Tags": []any{map[string]any{"TagKey": kmsmonitor.OptOutTag, "TagValue": "false"}}, "Truncated": false}}}},
			false, "user/Mary is not a break-glass principal"},
	}
	scenarios := make([]ssmscripttest.Scenario, len(cases))
	for i, c := range cases {
		scenarios[i] = c.s
		// The script reads the key's tags first (OptOut's, AllowDeletionWithStack's): none special, unless the case says
		if len(c.s.Calls) == 0 || c.s.Calls[0].Operation != "list_resource_tags" {
			scenarios[i].Calls = append([]ssmscripttest.Call{tags(c.s.Events["KeyId"].(string), "")}, c.s.Calls...)
		}
	}
	// WHEN the Exempt step's script runs each, IAM and KMS answered as botocore's models allow
	results, _, err := ssmscripttest.Run(script, "handler", scenarios)
	ranOrSkip(t, err)
	// THEN the exemptions are DeletionGuard's (ArnLike on aws:PrincipalArn, the role's path included) and
	// CloudFormation's as the role the key's tag names; what cannot be read is not exempt; the reason says which applied
	for i, r := range results {
		c := cases[i]
		reason, _ := r.Output["reason"].(string)
		if r.Error != "" || len(r.Pending) > 0 || r.Output["exempt"] != c.exempt || !strings.Contains(reason, c.reason) {
			t.Errorf("%s: exempt %v (%q), error %s, answers not asked for %v; want %v, %q", r.Name, r.Output["exempt"], reason, r.Error, r.Pending, c.exempt, c.reason)
		}
	}
	// AND the whole document reports an exempt deletion at once, in one message, without checking or cancelling it
	runs, _, err := ssmscripttest.Execute(document, []ssmscripttest.Scenario{{Name: "CloudFormation deletes its test key", Events: map[string]any{
		"AutomationAssumeRole": "arn:aws:iam::111122223333:role/Stack-CheckAutomationRole", "KeyId": testKey.Arn,
		"ScheduledBy": cfnSession, "SourceIp": "cloudformation.amazonaws.com",
		"EventId": "a1b2c3d4-5678-90ab-cdef-EXAMPLEaaaaa", "EventTime": "2026-12-06T10:00:00Z", "TopicArn": "arn:aws:sns:us-east-1:111122223333:Stack-CheckTopic",
	}, Calls: []ssmscripttest.Call{tags(testKey.Arn, cfnRoleArn), {Service: "sns", Operation: "publish", Response: map[string]any{"MessageId": "m1"}}}}})
	ranOrSkip(t, err)
	for _, r := range runs {
		if r.Steps() != "Exempt > IsExempt > NotifyExempt" || r.Status != "Success" || len(r.Published) != 1 || len(r.Pending) > 0 {
			t.Fatalf("%s: steps %s (%s), %d messages, pending %v", r.Name, r.Steps(), r.Status, len(r.Published), r.Pending)
		}
		if m := r.Published[0].Message; !strings.Contains(m, "AllowDeletionWithStack") || !strings.Contains(m, "neither checked nor cancelled") || strings.Contains(m, "{{") {
			t.Errorf("message %q", m)
		}
	}
}

// exemptStep returns the script and input payload of DeletionCheck's Exempt step in document.
func exemptStep(t *testing.T, document map[string]any) (script string, payload map[string]any) {
	t.Helper()
	for _, s := range document["mainSteps"].([]any) {
		if step := s.(map[string]any); step["name"] == "Exempt" {
			in := step["inputs"].(map[string]any)
			return in["Script"].(string), in["InputPayload"].(map[string]any)
		}
	}
	t.Fatal("no Exempt step")
	return "", nil
}
