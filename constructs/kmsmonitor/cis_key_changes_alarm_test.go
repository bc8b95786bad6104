package kmsmonitor_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/kmseventtest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/logsfiltertest"
)

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
	patterns := map[bool]*logsfiltertest.Pattern{}
	for _, strict := range []bool{false, true} {
		stack := newStack()
		kmsmonitor.NewCisKeyChangesAlarm(stack, jsii.String("Cis"), &kmsmonitor.CisKeyChangesAlarmProps{
			LogGroup:       awslogs.LogGroup_FromLogGroupName(stack, jsii.String("Trail"), jsii.String("trail-logs")),
			SuccessfulOnly: jsii.Bool(strict),
		})
		f := synth(t, stack).resourcesOfType("AWS::Logs::MetricFilter")[0]["Properties"].(map[string]interface{})
		patterns[strict] = logsfiltertest.MustParse(f["FilterPattern"].(string))
	}
	// WHEN CloudTrail records are evaluated THEN DisableKey and ScheduleKeyDeletion count; failed
	// attempts count only for the exact CIS filter; nothing else counts
	call := func(op, errorCode string, caller kmseventtest.Caller) []byte {
		f := kmseventtest.Failure{EventName: op, KeyARN: kmseventtest.SingleRegionKey, Caller: caller, ErrorCode: errorCode}
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
		{"DisableKey by an IAM user", call("DisableKey", "", kmseventtest.IAMUser), true, true},
		{"ScheduleKeyDeletion by a role", call("ScheduleKeyDeletion", "", kmseventtest.AssumedRole), true, true},
		{"ScheduleKeyDeletion from another account", call("ScheduleKeyDeletion", "", kmseventtest.CrossAccount), true, true},
		{"failed DisableKey", call("DisableKey", "AccessDenied", kmseventtest.IAMUser), true, false},
		{"failed ScheduleKeyDeletion", call("ScheduleKeyDeletion", "KMSInvalidStateException", kmseventtest.AssumedRole), true, false},
		{"EnableKey", call("EnableKey", "", kmseventtest.IAMUser), false, false},
		{"CancelKeyDeletion", call("CancelKeyDeletion", "", kmseventtest.IAMUser), false, false},
		{"DisableKeyRotation", call("DisableKeyRotation", "", kmseventtest.IAMUser), false, false},
		{"successful Decrypt", kmseventtest.CloudTrail("decrypt-success"), false, false},
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
