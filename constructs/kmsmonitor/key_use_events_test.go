package kmsmonitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/eventbridgetest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/kmseventtest"
)

func TestKeyUseEvents_RulesAndMessages(t *testing.T) {
	// GIVEN a stack WHEN log-group-free detection is added
	stack := newStack()
	e := kmsmonitor.NewKeyUseEvents(stack, jsii.String("Use"), &kmsmonitor.KeyUseEventsProps{Emails: []string{"security@example.com"}})
	tpl := synth(t, stack)
	// THEN two rules on CloudTrail events of failed KMS calls, in the state that receives read-only events,
	// send the key, the operation, the caller and what to do, and no per-event field, to a FIFO queue
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
				"Arn":           getAtt("UseBoundedQueue"),
				"SqsParameters": obj{"MessageGroupId": "kmsmonitor"},
				"InputTransformer": objLike(obj{"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String(
					`"caller":"<detail-userIdentity-arn><detail-userIdentity-invokedBy>".*"command":"aws kms ` + advice + `.*"key":<detail-resources-0--ARN>.*"operation":<detail-eventName>`))}),
				"DeadLetterConfig": obj{"Arn": getAtt("UseDeadLetterQueue")},
			})},
		})
	}
	for _, r := range tpl.resourcesOfType("AWS::Events::Rule") {
		input := fmt.Sprint(r)
		for _, perEvent := range []string{"<time>", "<id>", "sourceIPAddress", "eventID", "requestID", "eventTime"} {
			if strings.Contains(input, perEvent) {
				t.Errorf("a rule sends the per-event field %s: every event would be a new message", perEvent)
			}
		}
	}
	// AND the queue drops repeats for 5 minutes, and a pipe publishes what it keeps as text naming the key, operation and caller
	tpl.HasResourceProperties("AWS::SQS::Queue", obj{"FifoQueue": true, "ContentBasedDeduplication": true, "SqsManagedSseEnabled": true,
		"RedrivePolicy": obj{"deadLetterTargetArn": getAtt("UseBoundedDeadLetterQueue"), "maxReceiveCount": 5}})
	tpl.HasResourceProperties("AWS::Pipes::Pipe", obj{
		"Source": getAtt("UseBoundedQueue"), "Target": ref("UseTopic"), "RoleArn": getAtt("UseBoundedPipeRole"),
		"SourceParameters": obj{"SqsQueueParameters": obj{"BatchSize": 1}},
		"TargetParameters": obj{"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String(
			`Key: <\$.body.key>[\s\S]*Operation: <\$.body.operation>[\s\S]*Caller: <\$.body.caller>`))},
	})
	if e.PendingDeletionRule == nil || e.DisabledKeyRule == nil || e.TopicKey == nil || e.Queue == nil || e.Pipe == nil {
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
		events[i] = kmseventtest.AsEventBridgeEvent(c.record)
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

// failedCalls returns n CloudTrail records of op on key by caller failing with
// msg, each with its own event ID, request ID, time (spread over 10 minutes)
// and source address, as an application retrying sends them.
func failedCalls(n int, key, op string, caller kmseventtest.Caller, msg string) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		rec := kmseventtest.Failure{EventName: op, KeyARN: key, Caller: caller, ErrorCode: "KMSInvalidStateException",
			ErrorMessage: key + msg, ReadOnly: kmseventtest.CryptographicOperations[op]}.Record()
		at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * 10 * time.Minute / time.Duration(n))
		out[i] = kmseventtest.AsEventBridgeEvent(kmseventtest.With(rec, map[string]any{
			"eventID": fmt.Sprintf("%08d-ba1a-467c-b4ba-f729d45ae521", i), "requestID": fmt.Sprintf("%08d-30d5-4b28-98b9-9153da559963", i),
			"eventTime": at.Format(time.RFC3339), "sourceIPAddress": fmt.Sprintf("192.0.2.%d", i%250),
		}, nil))
	}
	return out
}

// ruleTarget reads the event pattern, state and first target of the rule
// whose logical ID starts with prefix.
func ruleTarget(t *testing.T, tpl template, prefix string) (pattern, state string, target eventbridgetest.Target) {
	t.Helper()
	return fifoTargetWhere(t, tpl, prefix, "with SqsParameters", func(tg map[string]interface{}) bool {
		_, ok := tg["SqsParameters"]
		return ok
	})
}

// fifoTargetWhere returns the pattern and state of the rule whose logical ID
// starts with prefix, and the last of its targets for which pick holds (what
// describes them), as eventbridgetest installs it.
func fifoTargetWhere(t *testing.T, tpl template, prefix, what string, pick func(tg map[string]interface{}) bool) (pattern, state string, target eventbridgetest.Target) {
	t.Helper()
	for id, r := range tpl.JSON()["Resources"].(map[string]interface{}) {
		if !strings.HasPrefix(id, prefix) {
			continue
		}
		props := r.(map[string]interface{})["Properties"].(map[string]interface{})
		b, _ := json.Marshal(props["EventPattern"])
		var tg map[string]interface{}
		for _, raw := range props["Targets"].([]interface{}) {
			if pick(raw.(map[string]interface{})) {
				tg = raw.(map[string]interface{})
			}
		}
		if tg == nil {
			t.Fatalf("rule %s has no target %s", id, what)
		}
		it := tg["InputTransformer"].(map[string]interface{})
		paths := map[string]string{}
		for k, v := range it["InputPathsMap"].(map[string]interface{}) {
			paths[k] = v.(string)
		}
		group, _ := tg["SqsParameters"].(map[string]interface{})["MessageGroupId"].(string)
		return string(b), props["State"].(string), eventbridgetest.Target{InputPathsMap: paths, InputTemplate: it["InputTemplate"].(string), MessageGroupID: group}
	}
	t.Fatalf("no rule %s*", prefix)
	return
}

// pipeText renders a pipe's text template on an SQS message body, as
// EventBridge Pipes does for <$.body.FIELD> of a JSON body (implicit body
// parsing); a placeholder without a field in body fails t.
func pipeText(t *testing.T, template, body string) string {
	t.Helper()
	var fields map[string]any
	if err := json.Unmarshal([]byte(body), &fields); err != nil {
		t.Fatalf("the rule's message is not a JSON object, so the pipe cannot read its fields: %v: %s", err, body)
	}
	return regexp.MustCompile(`<\$\.body\.([A-Za-z]+)>`).ReplaceAllStringFunc(template, func(m string) string {
		name := m[len("<$.body.") : len(m)-1]
		v, ok := fields[name]
		if !ok {
			t.Errorf("the pipe's template reads %s, which the body lacks: %s", name, body)
		}
		if v == nil {
			return ""
		}
		return fmt.Sprint(v)
	})
}

func TestKeyUseEvents_BoundedUnderLoad(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	// GIVEN KeyUseEvents' rules installed on EventBridge (moto) with their FIFO target as synthesized
	stack := newStack()
	e := kmsmonitor.NewKeyUseEvents(stack, jsii.String("Use"), nil)
	tpl := synth(t, stack)
	var template string
	for _, p := range tpl.resourcesOfType("AWS::Pipes::Pipe") {
		template = p["Properties"].(map[string]interface{})["TargetParameters"].(map[string]interface{})["InputTemplate"].(string)
	}
	app := kmseventtest.AssumedRole
	other := kmseventtest.Caller{"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/batch/nightly", "accountId": "111122223333"}
	for _, tc := range []struct {
		rule, msg string
		events    [][]byte
		want      []string // key, operation, caller of each message kept
	}{
		{*e.PendingDeletionRule.Node().Id(), " is pending deletion.",
			// WHEN an application retries Decrypt 1,000 times in 10 minutes on a key pending deletion
			failedCalls(1000, kmseventtest.SingleRegionKey, "Decrypt", app, " is pending deletion."),
			// THEN one message names the key, the operation and the caller
			[]string{kmseventtest.SingleRegionKey + " Decrypt " + app["arn"].(string)}},
		{*e.PendingDeletionRule.Node().Id(), " is pending deletion.",
			// WHEN two keys fail at once, and a second caller and operation join on the first key
			slices.Concat(failedCalls(30, kmseventtest.SingleRegionKey, "Decrypt", app, " is pending deletion."),
				failedCalls(30, kmseventtest.MultiRegionKey, "Decrypt", app, " is pending deletion."),
				failedCalls(20, kmseventtest.SingleRegionKey, "GenerateDataKey", other, " is pending deletion.")),
			// THEN one message for each key, operation and caller: none is hidden by another
			[]string{kmseventtest.SingleRegionKey + " Decrypt " + app["arn"].(string),
				kmseventtest.MultiRegionKey + " Decrypt " + app["arn"].(string),
				kmseventtest.SingleRegionKey + " GenerateDataKey " + other["arn"].(string)}},
		{*e.PendingDeletionRule.Node().Id(), " is pending deletion.",
			// WHEN an AWS service (no ARN, its name in invokedBy) retries on a key pending deletion
			failedCalls(20, kmseventtest.SingleRegionKey, "GenerateDataKey", kmseventtest.AWSService, " is pending deletion."),
			// THEN one message names the service as the caller
			[]string{kmseventtest.SingleRegionKey + " GenerateDataKey ec2-frontend-api.amazonaws.com"}},
		{*e.PendingDeletionRule.Node().Id(), " is pending deletion.",
			// WHEN a principal of another account (no ARN, no service) retries
			failedCalls(20, kmseventtest.SingleRegionKey, "Decrypt", kmseventtest.CrossAccount, " is pending deletion."),
			// THEN one message names its account
			[]string{kmseventtest.SingleRegionKey + " Decrypt  444455556666"}},
		{*e.DisabledKeyRule.Node().Id(), " is disabled.",
			// WHEN the same happens on a disabled key (100 calls: the bound is the queue's, proven above with 1,000)
			// THEN the disabled-key rule is bounded the same way
			failedCalls(100, kmseventtest.MultiRegionKey, "Encrypt", app, " is disabled."),
			[]string{kmseventtest.MultiRegionKey + " Encrypt " + app["arn"].(string)}},
	} {
		pattern, state, target := ruleTarget(t, tpl, "Use"+tc.rule)
		rule, err := server.NewFIFORule(ctx, pattern, state, target)
		if err != nil {
			t.Fatal(err)
		}
		bodies, err := rule.Deliver(ctx, tc.events)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, b := range bodies {
			text := pipeText(t, template, b)
			m := regexp.MustCompile(`Key: (\S+)\nOperation: (\S+) \(KMSInvalidStateException\)\nCaller: (\S*) \((AssumedRole|AWSService|AWSAccount), account (\d*)\)`).FindStringSubmatch(text)
			if m == nil {
				t.Errorf("%s: the message does not name the key, the operation and the caller:\n%s", tc.rule, text)
				continue
			}
			if m[4] == "AWSAccount" {
				got = append(got, m[1]+" "+m[2]+" "+m[3]+" "+m[5])
			} else {
				got = append(got, m[1]+" "+m[2]+" "+m[3])
			}
			if !strings.Contains(text, strings.TrimSuffix(tc.msg, ".")[4:]) {
				t.Errorf("%s: the message does not say what happened:\n%s", tc.rule, text)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s, %d failed calls: messages %q, want %q", tc.rule, len(tc.events), got, tc.want)
		}
	}
}

func TestKeyUseEvents_RegionsWithoutPipes(t *testing.T) {
	// GIVEN an environment-agnostic stack that must deploy where EventBridge Pipes does not exist too
	stack := newStack()
	// WHEN BoundedMessages is false THEN the rules notify the topic per event, with no warning
	e := kmsmonitor.NewKeyUseEvents(stack, jsii.String("Use"), &kmsmonitor.KeyUseEventsProps{BoundedMessages: jsii.Bool(false)})
	tpl := synth(t, stack)
	tpl.ResourceCountIs("AWS::Pipes::Pipe", 0)
	tpl.AllResourcesProperties("AWS::Events::Rule", obj{"Targets": arr{objLike(obj{"Arn": ref("UseTopic")})}})
	if w := warningsWithID(stack, "kmsmonitor:notificationsUnbounded"); len(w) != 0 || e.Pipe != nil {
		t.Errorf("BoundedMessages false: warnings %+v, pipe %v", w, e.Pipe)
	}

	for region, bounded := range map[string]bool{"us-east-1": true, "cn-north-1": true, "us-gov-west-1": false, "il-central-1": false} {
		// GIVEN a stack in a Region with or without EventBridge Pipes
		stack := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{
			Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String(region)}})
		// WHEN KeyUseEvents is added
		e := kmsmonitor.NewKeyUseEvents(stack, jsii.String("Use"), nil)
		tpl := synthAs(t, t.Name()+"_"+region, stack, nil)
		warned := warningsWithID(stack, "kmsmonitor:notificationsUnbounded")
		if bounded {
			// THEN with Pipes, the rules send to the queue that drops repeats, and nothing warns
			tpl.ResourceCountIs("AWS::Pipes::Pipe", 1)
			tpl.AllResourcesProperties("AWS::Events::Rule", obj{"Targets": arr{objLike(obj{"Arn": getAtt("UseBoundedQueue")})}})
			if len(warned) != 0 || e.Pipe == nil {
				t.Errorf("%s: warned %v, pipe %v", region, warned, e.Pipe)
			}
			continue
		}
		// THEN without, the rules notify the topic per event (as before), and a warning names the Region and what to do
		tpl.ResourceCountIs("AWS::Pipes::Pipe", 0)
		tpl.ResourceCountIs("AWS::SQS::Queue", 1) // the dead-letter queue only
		tpl.AllResourcesProperties("AWS::Events::Rule", obj{"Targets": arr{objLike(obj{"Arn": ref("UseTopic")})}})
		if len(warned) != 1 || !strings.Contains(warned[0].msg, region) || !strings.Contains(warned[0].msg, "PendingDeletionAlarm") || e.Pipe != nil || e.Queue != nil {
			t.Errorf("%s: warnings %+v, pipe %v", region, warned, e.Pipe)
		}
	}
}
