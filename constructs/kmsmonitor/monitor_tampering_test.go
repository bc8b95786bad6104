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
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/eventbridgetest"
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
					obj{"eventName": arr{"StopLogging", "DeleteTrail"}, "requestParameters": obj{"name": arr{watchedTrailArn, watchedTrail}}},
					// (a deployment creating or changing the trail calls these: TestOneSystem)
					obj{"eventName": arr{"UpdateTrail"}, "requestParameters": obj{"name": arr{watchedTrailArn, watchedTrail}}, "sourceIPAddress": arr{obj{"anything-but": arr{"cloudformation.amazonaws.com"}}}},
					obj{"eventName": arr{"PutEventSelectors"}, "requestParameters": obj{"trailName": arr{watchedTrailArn, watchedTrail}}, "sourceIPAddress": arr{obj{"anything-but": arr{"cloudformation.amazonaws.com"}}}},
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
		"$or": arrWith(obj{"eventName": arr{"StopLogging", "DeleteTrail"}, "requestParameters": obj{"name": arr{
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
	cases := map[string]tamperingCase{
		"StopLogging by name":                               {call(ct, "StopLogging", map[string]any{"name": watchedTrail}), ct},
		"StopLogging by ARN":                                {call(ct, "StopLogging", map[string]any{"name": watchedTrailArn}), ct},
		"DeleteTrail":                                       {call(ct, "DeleteTrail", map[string]any{"name": watchedTrail}), ct},
		"UpdateTrail":                                       {call(ct, "UpdateTrail", map[string]any{"name": watchedTrail, "s3BucketName": "elsewhere"}), ct},
		"PutEventSelectors excluding KMS":                   {call(ct, "PutEventSelectors", map[string]any{"trailName": watchedTrail, "eventSelectors": excludeKMS}), ct},
		"UpdateTrail by CloudFormation (a deployment)":      {kmseventtest.With(call(ct, "UpdateTrail", map[string]any{"name": watchedTrail}), map[string]any{"sourceIPAddress": "cloudformation.amazonaws.com"}, nil), ""},
		"PutEventSelectors by CloudFormation":               {kmseventtest.With(call(ct, "PutEventSelectors", map[string]any{"trailName": watchedTrailArn}), map[string]any{"sourceIPAddress": "cloudformation.amazonaws.com"}, nil), ""},
		"DeleteTrail by CloudFormation (the stack deleted)": {kmseventtest.With(call(ct, "DeleteTrail", map[string]any{"name": watchedTrailArn}), map[string]any{"sourceIPAddress": "cloudformation.amazonaws.com"}, nil), ct},
		"StopLogging of a look-alike trail":                 {call(ct, "StopLogging", map[string]any{"name": watchedTrail + "-2"}), ""},
		"StopLogging denied":                                {denied(ct, "StopLogging", map[string]any{"name": watchedTrail}), ""},
		"StartLogging":                                      {call(ct, "StartLogging", map[string]any{"name": watchedTrail}), ""},
		"DeleteAlarms with others":                          {call(cw, "DeleteAlarms", map[string]any{"alarmNames": []string{"other", watchedAlarm}}), cw},
		"DisableAlarmActions":                               {call(cw, "DisableAlarmActions", map[string]any{"alarmNames": []string{watchedAlarm}}), cw},
		"DeleteAlarms of a look-alike alarm":                {call(cw, "DeleteAlarms", map[string]any{"alarmNames": []string{watchedAlarm + "-copy"}}), ""},
		"EnableAlarmActions":                                {call(cw, "EnableAlarmActions", map[string]any{"alarmNames": []string{watchedAlarm}}), ""},
		"DeleteAlarms denied":                               {denied(cw, "DeleteAlarms", map[string]any{"alarmNames": []string{watchedAlarm}}), ""},
		"DeleteMetricFilter":                                {call(logs, "DeleteMetricFilter", map[string]any{"logGroupName": watchedGroup, "filterName": watchedFilter}), logs},
		"DeleteLogGroup":                                    {call(logs, "DeleteLogGroup", map[string]any{"logGroupName": watchedGroup}), logs},
		"DeleteMetricFilter same name, other group":         {call(logs, "DeleteMetricFilter", map[string]any{"logGroupName": "app-logs", "filterName": watchedFilter}), ""},
		"DeleteLogGroup of another group":                   {call(logs, "DeleteLogGroup", map[string]any{"logGroupName": watchedGroup + "-old"}), ""},
		"PutMetricFilter":                                   {call(logs, "PutMetricFilter", map[string]any{"logGroupName": watchedGroup, "filterName": watchedFilter}), ""},
		"DisableRule":                                       {call(ev, "DisableRule", map[string]any{"name": watchedRule}), ev},
		"DeleteRule":                                        {call(ev, "DeleteRule", map[string]any{"name": watchedRule, "force": false}), ev},
		"RemoveTargets":                                     {call(ev, "RemoveTargets", map[string]any{"rule": watchedRule, "ids": []string{"Target0"}}), ev},
		"RemoveTargets by CloudFormation (a deployment dropping a target)": {kmseventtest.With(call(ev, "RemoveTargets", map[string]any{"rule": watchedRule, "ids": []string{"Target1"}}), map[string]any{"sourceIPAddress": "cloudformation.amazonaws.com"}, nil), ""},
		"PutRule disabling it":             {call(ev, "PutRule", map[string]any{"name": watchedRule, "state": "DISABLED"}), ev},
		"PutRule keeping it enabled":       {call(ev, "PutRule", map[string]any{"name": watchedRule, "state": "ENABLED"}), ""},
		"DisableRule of a look-alike rule": {call(ev, "DisableRule", map[string]any{"name": watchedRule + "s"}), ""},
		"EnableRule":                       {call(ev, "EnableRule", map[string]any{"name": watchedRule}), ""},
		"DisableRule denied":               {denied(ev, "DisableRule", map[string]any{"name": watchedRule}), ""},
		"documented PutKeyPolicy":          {kmseventtest.CloudTrail("put-key-policy"), ""},
	}
	if len(patterns) != 4 {
		t.Fatalf("%d rules, want 4", len(patterns))
	}
	// WHEN every call reaches every rule THEN only the rule of the watched resource reports it
	checkReportedBy(t, server, patterns, cases)
}

// userCall is a successful call of an IAM user, as CloudTrail records it.
func userCall(src, name string, params map[string]any) []byte {
	return kmseventtest.Call{EventSource: src, EventName: name, Caller: kmseventtest.IAMUser, RequestParameters: params}.Record()
}

// byCloudFormation is record as CloudFormation makes the call during a
// deployment (its service name as source address).
func byCloudFormation(record []byte) []byte {
	return kmseventtest.With(record, map[string]any{"sourceIPAddress": "cloudformation.amazonaws.com", "userAgent": "cloudformation.amazonaws.com"}, nil)
}

// deniedCall is record refused (errorCode): a failed call changes nothing.
func deniedCall(record []byte) []byte {
	return kmseventtest.With(record, map[string]any{"errorCode": "AccessDenied", "errorMessage": "not authorized"}, nil)
}

// tamperingCase is a CloudTrail record and the eventSource of the rule that
// must report it ("" for none).
type tamperingCase struct {
	record []byte
	want   string
}

// checkReportedBy installs each pattern (keyed by the eventSource it
// matches) on EventBridge, sends every case's record to each, and checks that
// only the rule of the case's want reports it.
func checkReportedBy(t *testing.T, server *eventbridgetest.Server, patterns map[string][2]string, cases map[string]tamperingCase) {
	t.Helper()
	ctx := context.Background()
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	var events [][]byte
	for _, n := range names {
		events = append(events, kmseventtest.AsEventBridgeEvent(cases[n].record))
	}
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

// The notification path watched in the fidelity test: a topic and a key of literal ARNs.
const (
	watchedTopicArn = "arn:aws:sns:us-west-2:111122223333:kmsmonitor-alerts"
	watchedKeyArn   = "arn:aws:kms:us-west-2:111122223333:key/a1b2c3d4-1111-2222-3333-444455556666"
	otherKeyArn     = "arn:aws:kms:us-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321"
)

func TestMonitorTampering_NotificationPathOnEventBridge(t *testing.T) {
	server := eventBridge(t)
	// GIVEN MonitorTampering over a topic and a key, its two rules installed on EventBridge (moto)
	stack := newStack()
	m := kmsmonitor.NewMonitorTampering(stack, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{
		Topics: []awssns.ITopic{awssns.Topic_FromTopicArn(stack, jsii.String("Topic"), jsii.String(watchedTopicArn))},
		Keys:   []awskms.IKey{awskms.Key_FromKeyArn(stack, jsii.String("Key"), jsii.String(watchedKeyArn))},
	})
	if len(m.TopicRules) != 1 || len(m.KeyRules) != 1 {
		t.Fatalf("%d topic rules, %d key rules; want 1 and 1", len(m.TopicRules), len(m.KeyRules))
	}
	patterns := rulePatternsByService(t, synth(t, stack))
	const sns, kms = "sns.amazonaws.com", "kms.amazonaws.com"
	call, denied, deployed := userCall, deniedCall, byCloudFormation
	// A KMS call records the KeyId given (an ID here) and names its key in resources (KMS developer guide, CloudTrail examples).
	onKey := func(name, arn string) []byte {
		return kmseventtest.With(call(kms, name, map[string]any{"keyId": arn[strings.LastIndex(arn, "/")+1:]}), map[string]any{
			"resources": []any{map[string]any{"accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": arn}},
		}, nil)
	}
	topicPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:Subscribe","Resource":"` + watchedTopicArn + `"}]}`
	cases := map[string]tamperingCase{
		"DeleteTopic": {call(sns, "DeleteTopic", map[string]any{"topicArn": watchedTopicArn}), sns},
		"SetTopicAttributes: a new access policy":     {call(sns, "SetTopicAttributes", map[string]any{"topicArn": watchedTopicArn, "attributeName": "Policy", "attributeValue": topicPolicy}), sns},
		"SetTopicAttributes: another key":             {call(sns, "SetTopicAttributes", map[string]any{"topicArn": watchedTopicArn, "attributeName": "KmsMasterKeyId", "attributeValue": "alias/aws/sns"}), sns},
		"RemovePermission":                            {call(sns, "RemovePermission", map[string]any{"topicArn": watchedTopicArn, "label": "events"}), sns},
		"Unsubscribe of a subscription to the topic":  {call(sns, "Unsubscribe", map[string]any{"subscriptionArn": watchedTopicArn + ":9f8e7d6c-5b4a-4321-9fed-cba987654321"}), sns},
		"Unsubscribe from a look-alike topic":         {call(sns, "Unsubscribe", map[string]any{"subscriptionArn": watchedTopicArn + "-dev:9f8e7d6c-5b4a-4321-9fed-cba987654321"}), ""},
		"DeleteTopic of another topic":                {call(sns, "DeleteTopic", map[string]any{"topicArn": watchedTopicArn + "-dev"}), ""},
		"SetTopicAttributes denied":                   {denied(call(sns, "SetTopicAttributes", map[string]any{"topicArn": watchedTopicArn, "attributeName": "Policy", "attributeValue": topicPolicy})), ""},
		"SetTopicAttributes by a deployment":          {deployed(call(sns, "SetTopicAttributes", map[string]any{"topicArn": watchedTopicArn, "attributeName": "Policy", "attributeValue": topicPolicy})), ""},
		"Unsubscribe by a deployment (Emails change)": {deployed(call(sns, "Unsubscribe", map[string]any{"subscriptionArn": watchedTopicArn + ":9f8e7d6c-5b4a-4321-9fed-cba987654321"})), ""},
		"Subscribe to the topic":                      {call(sns, "Subscribe", map[string]any{"topicArn": watchedTopicArn, "protocol": "email", "endpoint": "security@example.com"}), ""},
		"SetSubscriptionAttributes: a filter policy":  {call(sns, "SetSubscriptionAttributes", map[string]any{"subscriptionArn": watchedTopicArn + ":9f8e7d6c-5b4a-4321-9fed-cba987654321", "attributeName": "FilterPolicy", "attributeValue": `{"none":["x"]}`}), sns},
		"SetSubscriptionAttributes, look-alike topic": {call(sns, "SetSubscriptionAttributes", map[string]any{"subscriptionArn": watchedTopicArn + "-dev:9f8e7d6c-5b4a-4321-9fed-cba987654321", "attributeName": "FilterPolicy", "attributeValue": `{"none":["x"]}`}), ""},
		"DeleteTopic by a stack":                      {deployed(call(sns, "DeleteTopic", map[string]any{"topicArn": watchedTopicArn})), sns},
		"ScheduleKeyDeletion by a stack":              {deployed(onKey("ScheduleKeyDeletion", watchedKeyArn)), kms},
		"DisableKey":                                  {onKey("DisableKey", watchedKeyArn), kms},
		"DisableKey given the key ARN":                {kmseventtest.With(onKey("DisableKey", watchedKeyArn), nil, map[string]any{"keyId": watchedKeyArn}), kms},
		"ScheduleKeyDeletion":                         {kmseventtest.With(onKey("ScheduleKeyDeletion", watchedKeyArn), nil, map[string]any{"pendingWindowInDays": 7}), kms},
		"PutKeyPolicy by a person":                    {onKey("PutKeyPolicy", watchedKeyArn), kms},
		"PutKeyPolicy by a deployment":                {deployed(onKey("PutKeyPolicy", watchedKeyArn)), ""},
		"DisableKey of another key":                   {onKey("DisableKey", otherKeyArn), ""},
		"ScheduleKeyDeletion denied":                  {denied(onKey("ScheduleKeyDeletion", watchedKeyArn)), ""},
		"EnableKey":                                   {onKey("EnableKey", watchedKeyArn), ""},
		"CancelKeyDeletion":                           {onKey("CancelKeyDeletion", watchedKeyArn), ""},
		"documented PutKeyPolicy of another key":      {kmseventtest.CloudTrail("put-key-policy"), ""},
	}
	if len(patterns) != 2 {
		t.Fatalf("%d rules, want 2", len(patterns))
	}
	// WHEN every call reaches both rules THEN only the rule of the watched resource reports it,
	// and neither reports a deployment's own changes
	checkReportedBy(t, server, patterns, cases)
}

func TestKeyMonitoring_TamperingWatchesTheNotificationPath(t *testing.T) {
	// GIVEN KeyMonitoring with MonitorTampering on
	stack := newStack()
	m := kmsmonitor.NewKeyMonitoring(stack, jsii.String("Monitor"), &kmsmonitor.KeyMonitoringProps{
		Emails: []string{"security@example.com"}, MonitorTamperingEnabled: jsii.Bool(true),
	})
	tpl := synth(t, stack)
	topicRef := obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^MonitorTopic"))}
	// THEN its topic (and the topic's subscriptions) is watched by its ARN, as a reference
	if len(m.MonitorTampering.TopicRules) != 1 || len(m.MonitorTampering.KeyRules) != 1 {
		t.Fatalf("%d topic rules, %d key rules; want 1 and 1", len(m.MonitorTampering.TopicRules), len(m.MonitorTampering.KeyRules))
	}
	// AND the alerts go to a topic of their own, with its own key, subscribed to the same address:
	// a deleted topic or a disabled key does not silence the alert that reports it
	if m.MonitorTampering.Topic == m.Topic || m.MonitorTampering.TopicKey == nil {
		t.Fatal("MonitorTampering reports through the topic it watches")
	}
	tpl.ResourceCountIs("AWS::SNS::Topic", 2)
	tpl.HasResourceProperties("AWS::SNS::Subscription", obj{"Endpoint": "security@example.com",
		"TopicArn": obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^MonitorMonitorTamperingTopic"))}})
	tpl.HasResourceProperties("AWS::SNS::Subscription", obj{"Endpoint": "security@example.com", "TopicArn": topicRef})
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{"detail": objLike(obj{
		"eventSource": arr{"sns.amazonaws.com"},
		"$or": arrWith(obj{"eventName": arr{"DeleteTopic"}, "requestParameters": obj{"topicArn": arr{topicRef}}},
			obj{"eventName": arr{"SetTopicAttributes", "RemovePermission"},
				"requestParameters": obj{"topicArn": arr{topicRef}}, "sourceIPAddress": arr{obj{"anything-but": arr{"cloudformation.amazonaws.com"}}}}),
	})})})
	// AND the log alarms that name the key and the caller, by name (from their ARNs), with the recipe's alarms
	for _, prefix := range []string{"MonitorPendingDeletionLogAlarm", "MonitorPendingDeletionDisabledKeyLogAlarm"} {
		name := obj{"Fn::Select": arr{6, obj{"Fn::Split": arr{":", obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^" + prefix + "[0-9A-F]{8}$")), "Arn"}}}}}}
		tpl.HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{"detail": objLike(obj{
			"eventSource": arr{"monitoring.amazonaws.com"}, "eventName": arr{"DeleteAlarms", "DisableAlarmActions"},
			"requestParameters": obj{"alarmNames": arrWith(name)},
		})})})
	}
	// AND the topic's key and the trail's key, each by ARN and by ID
	keyRef := func(prefix string) []any {
		arn := obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^" + prefix)), "Arn"}}
		return []any{arn, obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^" + prefix))}}
	}
	keys := append(keyRef("MonitorTopicKey"), keyRef("MonitorPendingDeletionTrailKey")...)
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{"detail": objLike(obj{
		"eventSource": arr{"kms.amazonaws.com"}, "requestParameters": obj{"keyId": keys},
		"$or": arr{obj{"eventName": arr{"DisableKey", "ScheduleKeyDeletion"}},
			obj{"eventName": arr{"PutKeyPolicy"}, "sourceIPAddress": arr{obj{"anything-but": arr{"cloudformation.amazonaws.com"}}}}},
	})})})
}

func TestKeyMonitoring_TamperingTopicFollowsTheAddresses(t *testing.T) {
	// GIVEN the same address for the facade and for MonitorTampering WHEN synthesized
	stack := newStack()
	m := kmsmonitor.NewKeyMonitoring(stack, jsii.String("Monitor"), &kmsmonitor.KeyMonitoringProps{
		Emails: []string{"security@example.com"}, MonitorTamperingEnabled: jsii.Bool(true),
		MonitorTampering: &kmsmonitor.MonitorTamperingProps{Emails: []string{"security@example.com", "oncall@example.com"}},
	})
	tpl := synth(t, stack)
	// THEN the alerts' own topic has each address once
	if m.MonitorTampering.Topic == m.Topic {
		t.Fatal("MonitorTampering reports through the topic it watches")
	}
	tamperingTopic := obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^MonitorMonitorTamperingTopic"))}
	subs := 0
	for _, r := range tpl.resourcesOfType("AWS::SNS::Subscription") {
		if strings.Contains(toJSON(t, r), "MonitorMonitorTamperingTopic") {
			subs++
		}
	}
	if subs != 2 {
		t.Errorf("%d subscriptions to the alerts' topic, want 2 (security@ once, oncall@)", subs)
	}
	tpl.HasResourceProperties("AWS::SNS::Subscription", obj{"Endpoint": "oncall@example.com", "TopicArn": tamperingTopic})

	// GIVEN no address at all (the topic is subscribed elsewhere: chat, a queue)
	stack = newStack()
	m = kmsmonitor.NewKeyMonitoring(stack, jsii.String("Monitor"), &kmsmonitor.KeyMonitoringProps{MonitorTamperingEnabled: jsii.Bool(true)})
	synth(t, stack)
	// THEN the alerts go to that topic: a second topic nobody subscribes would lose them
	if m.MonitorTampering.Topic != m.Topic {
		t.Error("MonitorTampering reports to a topic without subscriptions")
	}
}

func TestMonitorTampering_DocumentsAndBucketsOnEventBridge(t *testing.T) {
	server := eventBridge(t)
	// GIVEN MonitorTampering over an automation document and the trail's bucket, of literal names,
	// its two rules installed on EventBridge (moto)
	const document, bucket = "kmsmonitor-cancel-key-deletion", "kmsmonitor-trail-logs"
	stack := newStack()
	doc := awsssm.NewCfnDocument(stack, jsii.String("Document"), &awsssm.CfnDocumentProps{
		Name: jsii.String(document), DocumentType: jsii.String("Automation"),
		Content: map[string]any{"schemaVersion": "0.3", "mainSteps": []any{map[string]any{"name": "Wait", "action": "aws:sleep", "inputs": map[string]any{"Duration": "PT1M"}}}},
	})
	m := kmsmonitor.NewMonitorTampering(stack, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{
		Documents: []awsssm.CfnDocument{doc},
		Buckets:   []awss3.IBucket{awss3.Bucket_FromBucketName(stack, jsii.String("Bucket"), jsii.String(bucket))},
	})
	if len(m.DocumentRules) != 1 || len(m.BucketRules) != 1 {
		t.Fatalf("%d document rules, %d bucket rules; want 1 and 1", len(m.DocumentRules), len(m.BucketRules))
	}
	patterns := rulePatternsByService(t, synth(t, stack))
	if len(patterns) != 2 {
		t.Fatalf("%d rules, want 2", len(patterns))
	}
	const ssm, s3 = "ssm.amazonaws.com", "s3.amazonaws.com"
	call, denied, deployed := userCall, deniedCall, byCloudFormation
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"*"}]}`
	// WHEN every call reaches both rules THEN only the rule of the watched resource reports it
	checkReportedBy(t, server, patterns, map[string]tamperingCase{
		"UpdateDocument":                           {call(ssm, "UpdateDocument", map[string]any{"name": document, "documentVersion": "$LATEST", "content": "{}"}), ssm},
		"UpdateDocumentDefaultVersion":             {call(ssm, "UpdateDocumentDefaultVersion", map[string]any{"name": document, "documentVersion": "2"}), ssm},
		"DeleteDocument":                           {call(ssm, "DeleteDocument", map[string]any{"name": document}), ssm},
		"DeleteDocument by a deployment (replace)": {deployed(call(ssm, "DeleteDocument", map[string]any{"name": document})), ""},
		"DeleteDocument of another document":       {call(ssm, "DeleteDocument", map[string]any{"name": document + "-old"}), ""},
		"UpdateDocument denied":                    {denied(call(ssm, "UpdateDocument", map[string]any{"name": document, "content": "{}"})), ""},
		"StartAutomationExecution":                 {call(ssm, "StartAutomationExecution", map[string]any{"documentName": document}), ""},
		"PutBucketPolicy":                          {call(s3, "PutBucketPolicy", map[string]any{"bucketName": bucket, "bucketPolicy": policy, "Host": bucket + ".s3.amazonaws.com"}), s3},
		"PutBucketPolicy by a deployment":          {deployed(call(s3, "PutBucketPolicy", map[string]any{"bucketName": bucket, "bucketPolicy": policy})), ""},
		"DeleteBucketPolicy":                       {call(s3, "DeleteBucketPolicy", map[string]any{"bucketName": bucket}), s3},
		"DeleteBucketPolicy by a stack":            {deployed(call(s3, "DeleteBucketPolicy", map[string]any{"bucketName": bucket})), s3},
		"DeleteBucket":                             {call(s3, "DeleteBucket", map[string]any{"bucketName": bucket}), s3},
		"PutBucketPolicy of another bucket":        {call(s3, "PutBucketPolicy", map[string]any{"bucketName": bucket + "-2", "bucketPolicy": policy}), ""},
		"DeleteBucket denied":                      {denied(call(s3, "DeleteBucket", map[string]any{"bucketName": bucket})), ""},
		"PutBucketTagging":                         {call(s3, "PutBucketTagging", map[string]any{"bucketName": bucket}), ""},
	})
}

func TestMonitorTampering_RolesWhereIAMEventsArrive(t *testing.T) {
	server := eventBridge(t)
	// GIVEN a stack of us-east-1 (where CloudTrail delivers IAM's calls to EventBridge) with KeyMonitoring's
	// DeletionCheck and MonitorTampering, and a MonitorTampering watching an imported role
	stack := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-east-1")}})
	m := kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
		DeletionCheckEnabled: jsii.Bool(true), MonitorTamperingEnabled: jsii.Bool(true),
		PendingDeletionEnabled: jsii.Bool(false), KeyMaterialExpiryEnabled: jsii.Bool(false), LifecycleEventsEnabled: jsii.Bool(false), DashboardEnabled: jsii.Bool(false),
	})
	const watched = "ops-automation"
	const watchedPolicy = "arn:aws:iam::111122223333:policy/ops-automation-permissions"
	roles := kmsmonitor.NewMonitorTampering(stack, jsii.String("Roles"), &kmsmonitor.MonitorTamperingProps{
		Roles:    []awsiam.IRole{awsiam.Role_FromRoleName(stack, jsii.String("Ops"), jsii.String(watched), nil)},
		Policies: []awsiam.IManagedPolicy{awsiam.ManagedPolicy_FromManagedPolicyArn(stack, jsii.String("OpsPolicy"), jsii.String(watchedPolicy))},
	})
	tpl := synth(t, stack)
	// THEN the facade watches DeletionCheck's two roles by name, and their two managed policies by ARN
	if len(m.MonitorTampering.RoleRules) != 1 || len(m.MonitorTampering.PolicyRules) != 1 {
		t.Fatalf("%d role rules, %d policy rules in the facade; want 1 and 1", len(m.MonitorTampering.RoleRules), len(m.MonitorTampering.PolicyRules))
	}
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{"source": arr{"aws.iam"}, "detail": objLike(obj{
		"requestParameters": obj{"roleName": arr{ref("KmsDeletionCheckAutomationRole"), ref("KmsDeletionCheckEventsRole")}},
	})})})
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{"source": arr{"aws.iam"}, "detail": objLike(obj{
		"requestParameters": obj{"policyArn": arr{ref("KmsDeletionCheckAutomationPolicy"), ref("KmsDeletionCheckEventsPolicy")}},
	})})})
	// AND the imported role's rule reports, on EventBridge (moto), the calls that change or delete it
	var pattern, policyPattern [2]string
	for _, r := range tpl.resourcesOfType("AWS::Events::Rule") {
		props := r["Properties"].(map[string]any)
		b, _ := json.Marshal(props["EventPattern"])
		switch body := string(b); {
		case strings.Contains(body, `"roleName":["`+watched+`"]`):
			pattern = [2]string{body, props["State"].(string)}
		case strings.Contains(body, watchedPolicy):
			policyPattern = [2]string{body, props["State"].(string)}
		}
	}
	if pattern[0] == "" || policyPattern[0] == "" || len(roles.RoleRules) != 1 || len(roles.PolicyRules) != 1 {
		t.Fatal("no rule watches the imported role or policy")
	}
	call := func(name, role string) []byte {
		return kmseventtest.Call{EventSource: "iam.amazonaws.com", EventName: name, Caller: kmseventtest.IAMUser,
			RequestParameters: map[string]any{"roleName": role, "policyName": "p", "policyDocument": "{}"}}.Record()
	}
	const iam = "iam.amazonaws.com"
	cases := map[string]tamperingCase{
		"DeleteRole":                      {call("DeleteRole", watched), iam},
		"DeleteRole by CloudFormation":    {byCloudFormation(call("DeleteRole", watched)), iam},
		"PutRolePolicy":                   {call("PutRolePolicy", watched), iam},
		"PutRolePolicy by CloudFormation": {byCloudFormation(call("PutRolePolicy", watched)), ""},
		"AttachRolePolicy":                {call("AttachRolePolicy", watched), iam},
		"DetachRolePolicy":                {call("DetachRolePolicy", watched), iam},
		"UpdateAssumeRolePolicy":          {call("UpdateAssumeRolePolicy", watched), iam},
		"DeleteRolePermissionsBoundary":   {call("DeleteRolePermissionsBoundary", watched), iam},
		"PutRolePolicy on another role":   {call("PutRolePolicy", watched+"-2"), ""},
		"GetRole (a read)":                {call("GetRole", watched), ""},
		"DeleteRole denied": {kmseventtest.Call{EventSource: iam, EventName: "DeleteRole", Caller: kmseventtest.IAMUser,
			RequestParameters: map[string]any{"roleName": watched}, ErrorCode: "AccessDenied", ErrorMessage: "not authorized"}.Record(), ""},
	}
	checkReportedBy(t, server, map[string][2]string{iam: pattern}, cases)
	// AND the imported policy's rule reports a new default version or its deletion, not CloudFormation's update
	policyCall := func(name, arn string) []byte {
		return kmseventtest.Call{EventSource: iam, EventName: name, Caller: kmseventtest.IAMUser,
			RequestParameters: map[string]any{"policyArn": arn, "versionId": "v2", "setAsDefault": true, "policyDocument": "{}"}}.Record()
	}
	checkReportedBy(t, server, map[string][2]string{iam: policyPattern}, map[string]tamperingCase{
		"CreatePolicyVersion":                   {policyCall("CreatePolicyVersion", watchedPolicy), iam},
		"SetDefaultPolicyVersion":               {policyCall("SetDefaultPolicyVersion", watchedPolicy), iam},
		"DeletePolicy":                          {policyCall("DeletePolicy", watchedPolicy), iam},
		"CreatePolicyVersion by CloudFormation": {byCloudFormation(policyCall("CreatePolicyVersion", watchedPolicy)), ""},
		"CreatePolicyVersion of another policy": {policyCall("CreatePolicyVersion", watchedPolicy+"-2"), ""},
		"GetPolicyVersion (a read)":             {policyCall("GetPolicyVersion", watchedPolicy), ""},
	})
	// AND in a stack of another Region the roles are refused with the fix, and an environment-agnostic stack warns
	other := awscdk.NewStack(newApp(), jsii.String("West"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-west-2")}})
	msg := panicMessage(func() {
		kmsmonitor.NewMonitorTampering(other, jsii.String("Roles"), &kmsmonitor.MonitorTamperingProps{
			Roles: []awsiam.IRole{awsiam.Role_FromRoleName(other, jsii.String("Ops"), jsii.String(watched), nil)}})
	})
	if !strings.Contains(msg, `kmsmonitor.MonitorTampering at "West/Roles"`) || !strings.Contains(msg, "Roles, Policies: this stack is in us-west-2") || !strings.Contains(msg, "Role_FromRoleName") {
		t.Errorf("us-west-2: %q", msg)
	}
	agnostic := newStack()
	kmsmonitor.NewMonitorTampering(agnostic, jsii.String("Roles"), &kmsmonitor.MonitorTamperingProps{
		Roles: []awsiam.IRole{awsiam.Role_FromRoleName(agnostic, jsii.String("Ops"), jsii.String(watched), nil)}})
	if got := warningsWithID(agnostic, "kmsmonitor:iamEventsRegion"); len(got) != 1 {
		t.Errorf("agnostic: warnings %+v; want one", got)
	}
}
