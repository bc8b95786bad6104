package kmsmonitor_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudtrail"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/filterpattern"
	"github.com/kmsmonitor/kmsmonitor/internal/fixtures"
)

// ---- CIS control ----

func TestCisKeyChangesAlarm_ExactCisFilterAndAlarm(t *testing.T) {
	// GIVEN a trail's log group WHEN the CIS control is added
	stack := newStack()
	lg := awslogs.LogGroup_FromLogGroupName(stack, jsii.String("Trail"), jsii.String("trail-logs"))
	a := kmsmonitor.NewCisKeyChangesAlarm(stack, jsii.String("Cis"), &kmsmonitor.CisKeyChangesAlarmProps{LogGroup: lg})
	// THEN the metric filter carries the CIS string character for character, and the alarm is Sum >= 1 over 5 minutes
	tpl := synth(t, stack)
	tpl.HasResourceProperties("AWS::Logs::MetricFilter", obj{
		"FilterPattern": "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}",
		"LogGroupName":  "trail-logs",
		"MetricTransformations": arr{obj{
			"MetricNamespace": "CISBenchmark", "MetricName": "KMSKeyDisabledOrScheduledForDeletion", "MetricValue": "1",
		}},
	})
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{
		"MetricName": "KMSKeyDisabledOrScheduledForDeletion", "Namespace": "CISBenchmark", "Statistic": "Sum", "Period": 300,
		"Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold", "EvaluationPeriods": 1,
		"AlarmActions":     arr{ref("CisTopic")},
		"AlarmDescription": assertions.Match_StringLikeRegexp(jsii.String("CloudWatch.7")),
	})
	if a.Alarm == nil || a.MetricFilter == nil || a.TopicKey == nil {
		t.Error("members missing")
	}
}

func TestCisKeyChangesAlarm_DetectsDisableAndScheduleDeletion(t *testing.T) {
	// GIVEN both synthesized variants of the filter
	patterns := map[bool]*filterpattern.Pattern{}
	for _, strict := range []bool{false, true} {
		stack := newStack()
		kmsmonitor.NewCisKeyChangesAlarm(stack, jsii.String("Cis"), &kmsmonitor.CisKeyChangesAlarmProps{
			LogGroup:       awslogs.LogGroup_FromLogGroupName(stack, jsii.String("Trail"), jsii.String("trail-logs")),
			SuccessfulOnly: jsii.Bool(strict),
		})
		f := synth(t, stack).resourcesOfType("AWS::Logs::MetricFilter")[0]["Properties"].(map[string]interface{})
		patterns[strict] = filterpattern.MustParse(f["FilterPattern"].(string))
	}
	// WHEN CloudTrail records are evaluated THEN DisableKey and ScheduleKeyDeletion count; failed
	// attempts count only for the exact CIS filter; nothing else counts
	call := func(op, errorCode string, caller fixtures.Caller) []byte {
		f := fixtures.Failure{EventName: op, KeyARN: fixtures.SingleRegionKey, Caller: caller, ErrorCode: errorCode}
		if errorCode != "" {
			f.ErrorMessage = "User is not authorized"
		}
		return withoutEmptyError(t, f.Record())
	}
	cases := []struct {
		name         string
		record       []byte
		cis, success bool
	}{
		{"DisableKey by an IAM user", call("DisableKey", "", fixtures.IAMUser), true, true},
		{"ScheduleKeyDeletion by a role", call("ScheduleKeyDeletion", "", fixtures.AssumedRole), true, true},
		{"ScheduleKeyDeletion from another account", call("ScheduleKeyDeletion", "", fixtures.CrossAccount), true, true},
		{"failed DisableKey", call("DisableKey", "AccessDenied", fixtures.IAMUser), true, false},
		{"failed ScheduleKeyDeletion", call("ScheduleKeyDeletion", "KMSInvalidStateException", fixtures.AssumedRole), true, false},
		{"EnableKey", call("EnableKey", "", fixtures.IAMUser), false, false},
		{"CancelKeyDeletion", call("CancelKeyDeletion", "", fixtures.IAMUser), false, false},
		{"DisableKeyRotation", call("DisableKeyRotation", "", fixtures.IAMUser), false, false},
		{"successful Decrypt", fixtures.CloudTrail("decrypt-success"), false, false},
	}
	for _, c := range cases {
		for strict, want := range map[bool]bool{false: c.cis, true: c.success} {
			got, err := patterns[strict].Match(c.record)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s (successful-only %v): counted = %v, want %v", c.name, strict, got, want)
			}
		}
	}
}

// withoutEmptyError removes errorCode and errorMessage when empty: a
// successful call's record has neither.
func withoutEmptyError(t *testing.T, record []byte) []byte {
	t.Helper()
	var m map[string]interface{}
	if err := json.Unmarshal(record, &m); err != nil {
		t.Fatal(err)
	}
	if m["errorCode"] == "" {
		delete(m, "errorCode")
		delete(m, "errorMessage")
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ---- log-group-free detection ----

func TestKeyUseEvents_RulesAndMessages(t *testing.T) {
	// GIVEN a stack WHEN log-group-free detection is added
	stack := newStack()
	e := kmsmonitor.NewKeyUseEvents(stack, jsii.String("Use"), &kmsmonitor.KeyUseEventsProps{Emails: []string{"security@example.com"}})
	tpl := synth(t, stack)
	// THEN two rules on CloudTrail events of failed KMS calls, in the state that receives read-only events,
	// tell the topic the key, the operation, the caller, where from and what to do
	tpl.ResourceCountIs("AWS::Events::Rule", 2)
	tpl.ResourceCountIs("AWS::Logs::LogGroup", 0)
	for suffix, advice := range map[string]string{" is pending deletion.": "cancel-key-deletion", " is disabled.": "enable-key"} {
		tpl.HasResourceProperties("AWS::Events::Rule", obj{
			"EventPattern": obj{
				"source": arr{"aws.kms"}, "detail-type": arr{"AWS API Call via CloudTrail"},
				"detail": obj{"eventSource": arr{"kms.amazonaws.com"}, "errorMessage": arr{obj{"suffix": suffix}}},
			},
			"State": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
			"Targets": arr{objLike(obj{
				"Arn": ref("UseTopic"),
				"InputTransformer": objLike(obj{"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String(
					"Key: <detail-resources-0--ARN>[\\s\\S]*Operation: <detail-eventName>[\\s\\S]*Caller: <detail-userIdentity-arn><detail-userIdentity-invokedBy>" +
						"[\\s\\S]*from <detail-sourceIPAddress>[\\s\\S]*Account: <account>, Region: <region>, time: <time>[\\s\\S]*" + advice))}),
				"DeadLetterConfig": obj{"Arn": getAtt("UseDeadLetterQueue")},
			})},
		})
	}
	if e.PendingDeletionRule == nil || e.DisabledKeyRule == nil || e.TopicKey == nil {
		t.Error("members missing")
	}
	// AND the disabled-key rule can be switched off
	stack = newStack()
	off := kmsmonitor.NewKeyUseEvents(stack, jsii.String("Use"), &kmsmonitor.KeyUseEventsProps{DetectDisabledKeys: jsii.Bool(false)})
	synth(t, stack).ResourceCountIs("AWS::Events::Rule", 1)
	if off.DisabledKeyRule != nil {
		t.Error("DisabledKeyRule must be nil")
	}
}

func TestKeyUseEvents_PatternFidelityOnEventBridge(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	// GIVEN both rules installed on EventBridge (moto) with their state
	stack := newStack()
	e := kmsmonitor.NewKeyUseEvents(stack, jsii.String("Use"), nil)
	tpl := synth(t, stack)
	cases := representativeCases()
	events := make([][]byte, len(cases))
	for i, c := range cases {
		events[i] = fixtures.AsEventBridgeEvent(c.record)
	}
	for kind, ruleID := range map[string]string{"pending": *e.PendingDeletionRule.Node().Id(), "disabled": *e.DisabledKeyRule.Node().Id()} {
		var pattern, state string
		for id, r := range tpl.JSON()["Resources"].(map[string]interface{}) {
			if strings.HasPrefix(id, "Use"+ruleID) {
				props := r.(map[string]interface{})["Properties"].(map[string]interface{})
				b, _ := json.Marshal(props["EventPattern"])
				pattern, state = string(b), props["State"].(string)
			}
		}
		rule, err := server.NewRule(ctx, pattern, state)
		if err != nil {
			t.Fatal(err)
		}
		// WHEN CloudTrail records of every kind reach EventBridge THEN each rule matches exactly its failures
		got, err := rule.MatchAll(ctx, events)
		if err != nil {
			t.Fatal(err)
		}
		matches := 0
		for i, c := range cases {
			if want := c.want == kind; got[i] != want {
				t.Errorf("%s rule, %s: matched = %v, want %v", kind, c.name, got[i], want)
			}
			if got[i] {
				matches++
			}
		}
		if matches == 0 {
			t.Errorf("%s rule matched nothing", kind)
		}
	}
}

// ---- alerts that name the key, in metric-filter mode ----

func TestPendingDeletionAlarm_KeyArnDimension(t *testing.T) {
	// GIVEN a stack WHEN the KeyArn dimension is on
	stack := newStack()
	a := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{KeyArnDimension: jsii.Bool(true)})
	tpl := synth(t, stack)
	// THEN both metric filters publish the failed call's key ARN as a dimension
	tpl.AllResourcesProperties("AWS::Logs::MetricFilter", obj{"MetricTransformations": arr{objLike(obj{
		"Dimensions": arr{obj{"Key": "KeyArn", "Value": "$.resources[0].ARN"}},
	})}})
	// AND the alarms sum per KeyArn with Metrics Insights, so that each key in use is named as a contributor
	for _, name := range []string{"KMSKeyPendingDeletionErrorCount", "KMSKeyDisabledErrorCount"} {
		tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{
			"Metrics": arr{objLike(obj{
				"Expression": `SELECT SUM(` + name + `) FROM SCHEMA("CloudTrailLogMetrics", KeyArn) GROUP BY KeyArn ORDER BY SUM() DESC`,
				"Period":     300,
			})},
			"Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
		})
	}
	if _, ok := a.AlarmMetric().(awscloudwatch.MathExpression); !ok {
		t.Errorf("AlarmMetric() = %T, want a MathExpression", a.AlarmMetric())
	}
}

// ---- grant auditing ----

func TestGrantAudit_RuleAndMessage(t *testing.T) {
	// GIVEN a stack WHEN grant auditing is added for one key
	stack := newStack()
	g := kmsmonitor.NewGrantAudit(stack, jsii.String("Grants"), &kmsmonitor.GrantAuditProps{KeyArns: []string{keyArn}})
	tpl := synth(t, stack)
	// THEN one rule (write events: ENABLED) matches successful CreateGrant, RetireGrant and RevokeGrant calls on that key
	tpl.HasResourceProperties("AWS::Events::Rule", obj{
		"EventPattern": obj{
			"source": arr{"aws.kms"}, "detail-type": arr{"AWS API Call via CloudTrail"},
			"detail": obj{
				"eventSource": arr{"kms.amazonaws.com"}, "eventName": arr{"CreateGrant", "RetireGrant", "RevokeGrant"},
				"errorCode": arr{obj{"exists": false}}, "resources": obj{"ARN": arr{keyArn}},
			},
		},
		"State": "ENABLED",
		// AND the message names the grantee, the operations and the encryption context
		"Targets": arr{objLike(obj{"InputTransformer": objLike(obj{"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String(
			"Grantee: <detail-requestParameters-granteePrincipal>[\\s\\S]*Operations: <detail-requestParameters-operations>" +
				"[\\s\\S]*Encryption context: <detail-requestParameters-constraints-encryptionContextSubset>"))})})},
	})
	if g.Rule == nil || g.TopicKey == nil || g.DeadLetterQueue == nil {
		t.Error("members missing")
	}
}

func TestGrantAudit_PatternFidelityOnEventBridge(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	// GIVEN the rule for every key, installed on EventBridge (moto)
	stack := newStack()
	kmsmonitor.NewGrantAudit(stack, jsii.String("Grants"), nil)
	pattern, state := rulePattern(t, synth(t, stack))
	rule, err := server.NewRule(ctx, pattern, state)
	if err != nil {
		t.Fatal(err)
	}
	revoke := withoutEmptyError(t, fixtures.Failure{EventName: "RevokeGrant", KeyARN: fixtures.SingleRegionKey, Caller: fixtures.IAMUser}.Record())
	failedCreate := fixtures.Failure{EventName: "CreateGrant", KeyARN: fixtures.SingleRegionKey, Caller: fixtures.IAMUser,
		ErrorCode: "AccessDeniedException", ErrorMessage: "not authorized"}.Record()
	// WHEN the documented ECS Fargate records and others reach EventBridge
	// THEN the grants are reported, their dry runs, other calls and failures are not
	cases := map[string]struct {
		record []byte
		want   bool
	}{
		"Fargate CreateGrant":                             {fixtures.CloudTrail("fargate-create-grant"), true},
		"Fargate RetireGrant":                             {fixtures.CloudTrail("fargate-retire-grant"), true},
		"RevokeGrant":                                     {revoke, true},
		"Fargate CreateGrant dry run":                     {fixtures.CloudTrail("fargate-create-grant-dryrun"), false},
		"Fargate GenerateDataKeyWithoutPlaintext":         {fixtures.CloudTrail("fargate-generate-data-key-without-plaintext"), false},
		"Fargate GenerateDataKeyWithoutPlaintext dry run": {fixtures.CloudTrail("fargate-generate-data-key-without-plaintext-dryrun"), false},
		"successful Decrypt":                              {fixtures.CloudTrail("decrypt-success"), false},
		"failed CreateGrant":                              {failedCreate, false},
	}
	var names []string
	var events [][]byte
	for name, c := range cases {
		names, events = append(names, name), append(events, fixtures.AsEventBridgeEvent(c.record))
	}
	got, err := rule.MatchAll(ctx, events)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		if got[i] != cases[name].want {
			t.Errorf("%s: reported = %v, want %v", name, got[i], cases[name].want)
		}
	}
}

// ---- trail check ----

func TestPendingDeletionAlarm_ChecksTheExistingTrail(t *testing.T) {
	cases := map[string]struct {
		selectors []*awscloudtrail.CfnTrail_EventSelectorProperty
		warnings  []string
	}{
		"records everything": {[]*awscloudtrail.CfnTrail_EventSelectorProperty{{IncludeManagementEvents: jsii.Bool(true), ReadWriteType: jsii.String("All")}}, nil},
		"write events only": {[]*awscloudtrail.CfnTrail_EventSelectorProperty{{IncludeManagementEvents: jsii.Bool(true), ReadWriteType: jsii.String("WriteOnly")}},
			[]string{"kmsmonitor:trailWithoutReadEvents"}},
		"KMS excluded": {[]*awscloudtrail.CfnTrail_EventSelectorProperty{{IncludeManagementEvents: jsii.Bool(true), ExcludeManagementEventSources: jsii.Strings("kms.amazonaws.com")}},
			[]string{"kmsmonitor:trailExcludesKms"}},
		"no management events": {[]*awscloudtrail.CfnTrail_EventSelectorProperty{{IncludeManagementEvents: jsii.Bool(false)}},
			[]string{"kmsmonitor:trailWithoutManagementEvents"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			// GIVEN a trail of this app delivering to a log group
			stack := newStack()
			lg := awslogs.NewLogGroup(stack, jsii.String("TrailLogs"), &awslogs.LogGroupProps{RemovalPolicy: awscdk.RemovalPolicy_RETAIN})
			trail := awscloudtrail.NewCfnTrail(stack, jsii.String("Trail"), &awscloudtrail.CfnTrailProps{
				IsLogging: jsii.Bool(true), S3BucketName: jsii.String("trail-bucket"), EventSelectors: &c.selectors,
			})
			// WHEN the alarm reads that log group and is told the trail
			kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{LogGroup: lg, ExistingTrail: trail})
			// THEN synthesis warns exactly when the trail misses what the detectors need
			var got []string
			for _, w := range *assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("kmsmonitor"))) {
				got = append(got, strings.Fields(w.Entry.Data.(string))[len(strings.Fields(w.Entry.Data.(string)))-1])
				if !strings.Contains(w.Entry.Data.(string), "checked on ExistingTrail Stack/Trail") {
					t.Errorf("warning does not name the trail: %v", w.Entry.Data)
				}
			}
			if len(got) != len(c.warnings) {
				t.Errorf("warnings %v, want %d (%v)", got, len(c.warnings), c.warnings)
			}
		})
	}
}
