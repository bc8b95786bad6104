package kmsmonitor_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/kmseventtest"
)

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
