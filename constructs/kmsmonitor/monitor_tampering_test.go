package kmsmonitor_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/kmseventtest"
)

// Names of the watched resources in the fidelity test, and look-alikes.
const (
	watchedTrail  = "kmsmonitor-trail"
	watchedAlarm  = "kmsmonitor-pending-deletion"
	watchedFilter = "kms-pending-deletion"
	watchedGroup  = "trail-logs"
	watchedRule   = "kmsmonitor-key-use"
)

const watchedTrailArn = "arn:aws:cloudtrail:us-west-2:111122223333:trail/" + watchedTrail

// literalTampering watches resources whose names are literals, so that the
// synthesized patterns can be installed on moto as they are.
func literalTampering(s awscdk.Stack) *kmsmonitor.MonitorTampering {
	filter := awslogs.NewMetricFilter(s, jsii.String("Filter"), &awslogs.MetricFilterProps{
		LogGroup:      awslogs.LogGroup_FromLogGroupName(s, jsii.String("Group"), jsii.String(watchedGroup)),
		FilterName:    jsii.String(watchedFilter),
		FilterPattern: awslogs.FilterPattern_AllEvents(), MetricNamespace: jsii.String("KMS"), MetricName: jsii.String("Misuse"),
	})
	return kmsmonitor.NewMonitorTampering(s, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{
		TrailArns:     []string{watchedTrailArn},
		Alarms:        []awscloudwatch.IAlarm{awscloudwatch.Alarm_FromAlarmArn(s, jsii.String("Alarm"), jsii.String("arn:aws:cloudwatch:us-west-2:111122223333:alarm:"+watchedAlarm))},
		MetricFilters: []awslogs.MetricFilter{filter},
		Rules:         []awsevents.IRule{awsevents.Rule_FromEventRuleArn(s, jsii.String("Rule"), jsii.String("arn:aws:events:us-west-2:111122223333:rule/"+watchedRule))},
	})
}

func TestMonitorTampering_RulesAndMessages(t *testing.T) {
	// GIVEN a stack WHEN a trail, an alarm, a metric filter and a rule are watched
	stack := newStack()
	m := literalTampering(stack)
	tpl := synth(t, stack)
	// THEN four ENABLED rules match successful calls on them by name (trails also by ARN)
	tpl.ResourceCountIs("AWS::Events::Rule", 4)
	tpl.HasResourceProperties("AWS::Events::Rule", obj{
		"EventPattern": obj{
			"source": arr{"aws.cloudtrail"}, "detail-type": arr{"AWS API Call via CloudTrail"},
			"detail": obj{
				"eventSource": arr{"cloudtrail.amazonaws.com"}, "errorCode": arr{obj{"exists": false}},
				"$or": arr{
					obj{"eventName": arr{"StopLogging", "DeleteTrail", "UpdateTrail"}, "requestParameters": obj{"name": arr{watchedTrailArn, watchedTrail}}},
					obj{"eventName": arr{"PutEventSelectors"}, "requestParameters": obj{"trailName": arr{watchedTrailArn, watchedTrail}}},
				},
			},
		},
		"State": "ENABLED",
		// AND the message names the change, the request and the caller
		"Targets": arr{objLike(obj{"InputTransformer": objLike(obj{"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String(
			"Operation: <detail-eventName> on <detail-eventSource>[\\s\\S]*Request: <detail-requestParameters>[\\s\\S]*By: <detail-userIdentity-arn>" +
				"[\\s\\S]*Account: <account>, Region: <region>"))})})},
	})
	// (CloudWatch API calls come from aws.monitoring; aws.cloudwatch is for alarm state changes)
	// (one alternative is written without $or, which needs two: aws-cdk-lib's validation E9014)
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{"source": arr{"aws.monitoring"}, "detail": obj{
		"eventSource": arr{"monitoring.amazonaws.com"}, "errorCode": arr{obj{"exists": false}},
		"eventName": arr{"DeleteAlarms", "DisableAlarmActions"}, "requestParameters": obj{"alarmNames": arr{watchedAlarm}},
	}})})
	if m.TrailRule == nil || len(m.AlarmRules) != 1 || m.MetricFilterRule == nil || len(m.EventRuleRules) != 1 || m.TopicKey == nil || m.DeadLetterQueue == nil {
		t.Error("members missing")
	}
}

func TestMonitorTampering_WatchesWhatOtherConstructsCreated(t *testing.T) {
	// GIVEN the trail, filters and alarms of PendingDeletionAlarm and the rules of KeyUseEvents
	stack := newStack()
	p := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("PendingDeletion"), nil)
	u := kmsmonitor.NewKeyUseEvents(stack, jsii.String("KeyUse"), nil)
	// WHEN they are watched
	kmsmonitor.NewMonitorTampering(stack, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{
		TrailArns:     []string{*p.Trail.TrailArn()},
		Alarms:        []awscloudwatch.IAlarm{p.Alarm, p.DisabledKeyAlarm},
		MetricFilters: []awslogs.MetricFilter{p.MetricFilter, p.DisabledKeyMetricFilter},
		Rules:         []awsevents.IRule{u.PendingDeletionRule, u.DisabledKeyRule},
	})
	// THEN the patterns name them with references that CloudFormation resolves (and the template lints clean)
	tpl := synth(t, stack)
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{"detail": objLike(obj{
		"eventSource": arr{"monitoring.amazonaws.com"},
		"eventName":   arr{"DeleteAlarms", "DisableAlarmActions"}, "requestParameters": obj{"alarmNames": arr{
			obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^PendingDeletionAlarm"))},
			obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^PendingDeletionDisabledKeyAlarm"))},
		}},
	})})})
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{"detail": objLike(obj{
		"eventSource": arr{"cloudtrail.amazonaws.com"},
		"$or": arrWith(obj{"eventName": arr{"StopLogging", "DeleteTrail", "UpdateTrail"}, "requestParameters": obj{"name": arr{
			obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^PendingDeletionTrail")), "Arn"}},
			obj{"Fn::Select": arr{1, obj{"Fn::Split": arr{"/", obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^PendingDeletionTrail")), "Arn"}}}}}},
		}}}),
	})})})
}

// rulePatternsByService returns the pattern and state of each rule of tpl,
// keyed by the eventSource it matches.
func rulePatternsByService(t *testing.T, tpl template) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	for _, r := range tpl.resourcesOfType("AWS::Events::Rule") {
		props := r["Properties"].(map[string]interface{})
		pattern, err := json.Marshal(props["EventPattern"])
		if err != nil {
			t.Fatal(err)
		}
		src := props["EventPattern"].(map[string]interface{})["detail"].(map[string]interface{})["eventSource"].([]interface{})[0].(string)
		out[src] = [2]string{string(pattern), props["State"].(string)}
	}
	return out
}

func TestMonitorTampering_PatternFidelityOnEventBridge(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	// GIVEN the four rules, installed on EventBridge (moto)
	stack := newStack()
	literalTampering(stack)
	patterns := rulePatternsByService(t, synth(t, stack))
	call := func(src, name string, params map[string]any) []byte {
		return kmseventtest.Call{EventSource: src, EventName: name, Caller: kmseventtest.IAMUser, RequestParameters: params}.Record()
	}
	const (
		ct, cw, logs, ev = "cloudtrail.amazonaws.com", "monitoring.amazonaws.com", "logs.amazonaws.com", "events.amazonaws.com"
	)
	denied := func(src, name string, params map[string]any) []byte {
		return kmseventtest.Call{EventSource: src, EventName: name, Caller: kmseventtest.IAMUser, RequestParameters: params,
			ErrorCode: "AccessDenied", ErrorMessage: "not authorized"}.Record()
	}
	excludeKMS := []any{map[string]any{"readWriteType": "All", "includeManagementEvents": true, "excludeManagementEventSources": []string{"kms.amazonaws.com"}}}
	// want is the eventSource of the rule that must report the call, "" for none.
	cases := map[string]struct {
		record []byte
		want   string
	}{
		"StopLogging by name":                       {call(ct, "StopLogging", map[string]any{"name": watchedTrail}), ct},
		"StopLogging by ARN":                        {call(ct, "StopLogging", map[string]any{"name": watchedTrailArn}), ct},
		"DeleteTrail":                               {call(ct, "DeleteTrail", map[string]any{"name": watchedTrail}), ct},
		"UpdateTrail":                               {call(ct, "UpdateTrail", map[string]any{"name": watchedTrail, "s3BucketName": "elsewhere"}), ct},
		"PutEventSelectors excluding KMS":           {call(ct, "PutEventSelectors", map[string]any{"trailName": watchedTrail, "eventSelectors": excludeKMS}), ct},
		"StopLogging of a look-alike trail":         {call(ct, "StopLogging", map[string]any{"name": watchedTrail + "-2"}), ""},
		"StopLogging denied":                        {denied(ct, "StopLogging", map[string]any{"name": watchedTrail}), ""},
		"StartLogging":                              {call(ct, "StartLogging", map[string]any{"name": watchedTrail}), ""},
		"DeleteAlarms with others":                  {call(cw, "DeleteAlarms", map[string]any{"alarmNames": []string{"other", watchedAlarm}}), cw},
		"DisableAlarmActions":                       {call(cw, "DisableAlarmActions", map[string]any{"alarmNames": []string{watchedAlarm}}), cw},
		"DeleteAlarms of a look-alike alarm":        {call(cw, "DeleteAlarms", map[string]any{"alarmNames": []string{watchedAlarm + "-copy"}}), ""},
		"EnableAlarmActions":                        {call(cw, "EnableAlarmActions", map[string]any{"alarmNames": []string{watchedAlarm}}), ""},
		"DeleteAlarms denied":                       {denied(cw, "DeleteAlarms", map[string]any{"alarmNames": []string{watchedAlarm}}), ""},
		"DeleteMetricFilter":                        {call(logs, "DeleteMetricFilter", map[string]any{"logGroupName": watchedGroup, "filterName": watchedFilter}), logs},
		"DeleteLogGroup":                            {call(logs, "DeleteLogGroup", map[string]any{"logGroupName": watchedGroup}), logs},
		"DeleteMetricFilter same name, other group": {call(logs, "DeleteMetricFilter", map[string]any{"logGroupName": "app-logs", "filterName": watchedFilter}), ""},
		"DeleteLogGroup of another group":           {call(logs, "DeleteLogGroup", map[string]any{"logGroupName": watchedGroup + "-old"}), ""},
		"PutMetricFilter":                           {call(logs, "PutMetricFilter", map[string]any{"logGroupName": watchedGroup, "filterName": watchedFilter}), ""},
		"DisableRule":                               {call(ev, "DisableRule", map[string]any{"name": watchedRule}), ev},
		"DeleteRule":                                {call(ev, "DeleteRule", map[string]any{"name": watchedRule, "force": false}), ev},
		"RemoveTargets":                             {call(ev, "RemoveTargets", map[string]any{"rule": watchedRule, "ids": []string{"Target0"}}), ev},
		"PutRule disabling it":                      {call(ev, "PutRule", map[string]any{"name": watchedRule, "state": "DISABLED"}), ev},
		"PutRule keeping it enabled":                {call(ev, "PutRule", map[string]any{"name": watchedRule, "state": "ENABLED"}), ""},
		"DisableRule of a look-alike rule":          {call(ev, "DisableRule", map[string]any{"name": watchedRule + "s"}), ""},
		"EnableRule":                                {call(ev, "EnableRule", map[string]any{"name": watchedRule}), ""},
		"DisableRule denied":                        {denied(ev, "DisableRule", map[string]any{"name": watchedRule}), ""},
		"documented PutKeyPolicy":                   {kmseventtest.CloudTrail("put-key-policy"), ""},
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	var events [][]byte
	for _, n := range names {
		events = append(events, kmseventtest.AsEventBridgeEvent(cases[n].record))
	}
	if len(patterns) != 4 {
		t.Fatalf("%d rules, want 4", len(patterns))
	}
	// WHEN every call reaches every rule THEN only the rule of the watched resource reports it
	for src, p := range patterns {
		rule, err := server.NewRule(ctx, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		got, err := rule.MatchAll(ctx, events)
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range names {
			if want := cases[n].want == src; got[i] != want {
				t.Errorf("%s: rule on %s reported = %v, want %v", n, strings.TrimSuffix(src, ".amazonaws.com"), got[i], want)
			}
		}
	}
}

func TestTestApps_BuiltinValidationErrorsFailSynthesis(t *testing.T) {
	// GIVEN a test app (as cdk init makes it) with the pattern MonitorTampering used to write: a $or of one branch
	stack := newStack()
	awsevents.NewCfnRule(stack, jsii.String("Rule"), &awsevents.CfnRuleProps{EventPattern: obj{
		"source": arr{"aws.monitoring"}, "detail": obj{"$or": arr{obj{"eventName": arr{"DeleteAlarms"}}}},
	}})
	// WHEN it is synthesized THEN aws-cdk-lib's built-in validation fails it, its report listing E9014
	msg := panicMessage(func() { assertions.Template_FromStack(stack, nil) })
	if got := validationViolations(msg); !strings.Contains(got, "E9014") {
		t.Errorf("violations %q of %q; want E9014", got, msg)
	}
}
