package kmsmonitor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/eventbridgetest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/kmseventtest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/ssmscripttest"
)

// ref matches {"Ref": <logical ID starting with prefix>}; getAtt matches Fn::GetAtt of Arn.
func ref(prefix string) obj {
	return obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^" + prefix))}
}
func getAtt(prefix string) obj {
	return obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^" + prefix)), "Arn"}}
}

// join matches an Fn::Join of exactly parts.
func join(parts ...interface{}) obj { return obj{"Fn::Join": arr{"", parts}} }

var (
	partition = obj{"Ref": "AWS::Partition"}
	region    = obj{"Ref": "AWS::Region"}
	account   = obj{"Ref": "AWS::AccountId"}
	// trustedBy is the trust policy of a role that only service of this account may assume.
	trustedBy = func(service string) obj {
		return obj{"Statement": arr{obj{
			"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": obj{"Service": service},
			"Condition": obj{"StringEquals": obj{"aws:SourceAccount": account}},
		}}, "Version": "2012-10-17"}
	}
)

func alarmModeStack(t *testing.T, keyArns []string) (awscdk.Stack, *kmsmonitor.AutoCancelDeletion) {
	t.Helper()
	stack := newStack()
	pd := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Pending"), &kmsmonitor.PendingDeletionAlarmProps{
		AlarmName: jsii.String("kms-pending-deletion-used"),
	})
	a := kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{
		Mode:  kmsmonitor.AlarmDriven(pd.Alarm, nil, keyArns),
		Topic: pd.Topic,
	})
	return stack, a
}

func TestAutoCancelDeletion_AlarmMode(t *testing.T) {
	// GIVEN a PendingDeletionAlarm WHEN alarm-driven mode protects one key
	stack, a := alarmModeStack(t, []string{keyArn})
	tpl := synth(t, stack)
	// THEN a rule on the alarm's change to ALARM starts the AWS runbook with the key's ID and the automation role
	tpl.HasResourceProperties("AWS::Events::Rule", obj{
		"EventPattern": obj{
			"source": arr{"aws.cloudwatch"},
			// AND also on contributor state changes: with KeyArnDimension a key that breaches while the alarm is in ALARM arrives so
			"detail-type": arr{"CloudWatch Alarm State Change", "CloudWatch Alarm Contributor State Change"},
			"detail":      obj{"alarmName": arr{ref("PendingAlarm")}, "state": obj{"value": arr{"ALARM"}}},
		},
		"State": "ENABLED",
		"Targets": arr{
			obj{
				"Id": "Target0",
				// The account form of the ARN, as the Systems Manager User Guide shows for EventBridge targets
				"Arn":     join("arn:", partition, ":ssm:", region, ":", account, ":automation-definition/AWSConfigRemediation-CancelKeyDeletion:$DEFAULT"),
				"RoleArn": getAtt("RescueEventsRole"),
				"Input": join(`{"AutomationAssumeRole":["`, getAtt("RescueAutomationRole"),
					`"],"KeyId":["`+keyID+`"]}`),
				"DeadLetterConfig": obj{"Arn": getAtt("RescueDeadLetterQueue")},
				"RetryPolicy":      obj{"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400},
			},
			// AND the shared topic is told which keys are being rescued
			objLike(obj{
				"Id": "Target1", "Arn": ref("PendingTopic"),
				"InputTransformer": objLike(obj{"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String(
					"alarm <detail-alarmName> reported ALARM[\\s\\S]*" + keyID + "[\\s\\S]*stay disabled"))}),
				"DeadLetterConfig": obj{"Arn": getAtt("RescueDeadLetterQueue")},
			}),
		},
	})
	// AND only that rule may write to the dead-letter queue
	tpl.HasResourceProperties("AWS::SQS::QueuePolicy", obj{"PolicyDocument": objLike(obj{"Statement": arrWith(objLike(obj{
		"Effect": "Allow", "Action": "sqs:SendMessage", "Principal": obj{"Service": "events.amazonaws.com"},
		"Condition": obj{"ArnEquals": obj{"aws:SourceArn": getAtt("RescueAlarmRule")}},
	}))})})
	if len(a.Rules) != 1 || a.Document != nil || a.TopicKey != nil {
		t.Errorf("Rules=%d Document=%v", len(a.Rules), a.Document)
	}
}

func TestAutoCancelDeletion_AlarmModeRoles(t *testing.T) {
	// GIVEN alarm-driven mode for two keys
	sameRegion := "arn:aws:kms:us-west-2:111122223333:key/" + otherID
	stack, _ := alarmModeStack(t, []string{keyArn, sameRegion})
	tpl := synth(t, stack)
	// The runbook in both forms: with the account (EventBridge's target) and without (the AWS-owned runbook's own ARN)
	definition := arr{
		join("arn:", partition, ":ssm:", region, ":", account, ":automation-definition/AWSConfigRemediation-CancelKeyDeletion:*"),
		join("arn:", partition, ":ssm:", region, "::automation-definition/AWSConfigRemediation-CancelKeyDeletion:*"),
	}
	// THEN the automation role is trusted by SSM of this account only, and may cancel only those keys' deletion
	tpl.HasResourceProperties("AWS::IAM::Role", obj{
		"AssumeRolePolicyDocument": trustedBy("ssm.amazonaws.com"),
		"Description":              assertions.Match_StringLikeRegexp(jsii.String("cancels the deletion")),
	})
	tpl.HasResourceProperties("AWS::IAM::ManagedPolicy", obj{
		"Roles": arr{ref("RescueAutomationRole")},
		"PolicyDocument": obj{"Version": "2012-10-17", "Statement": arr{
			obj{"Sid": "CancelDeletionOfProtectedKeys", "Effect": "Allow",
				"Action": arr{"kms:CancelKeyDeletion", "kms:DescribeKey"}, "Resource": arr{keyArn, sameRegion}},
			obj{"Sid": "RunThisAutomation", "Effect": "Allow", "Action": "ssm:StartAutomationExecution", "Resource": definition},
			obj{"Sid": "ReadItsExecutions", "Effect": "Allow", "Action": "ssm:GetAutomationExecution",
				"Resource": join("arn:", partition, ":ssm:", region, ":", account, ":automation-execution/*")},
		}},
	})
	// AND the EventBridge role is trusted by EventBridge of this account only, may start only that runbook
	// and pass only the automation role, only to SSM
	tpl.HasResourceProperties("AWS::IAM::Role", obj{"AssumeRolePolicyDocument": trustedBy("events.amazonaws.com")})
	tpl.HasResourceProperties("AWS::IAM::ManagedPolicy", obj{
		"Roles": arr{ref("RescueEventsRole")},
		"PolicyDocument": obj{"Version": "2012-10-17", "Statement": arr{
			obj{"Sid": "StartTheAutomation", "Effect": "Allow", "Action": "ssm:StartAutomationExecution", "Resource": definition},
			obj{"Sid": "PassTheAutomationRole", "Effect": "Allow", "Action": "iam:PassRole",
				"Resource":  getAtt("RescueAutomationRole"),
				"Condition": obj{"StringEquals": obj{"iam:PassedToService": "ssm.amazonaws.com"}}},
		}},
	})
}

func TestAutoCancelDeletion_AlarmModeSplitsKeysAcrossRules(t *testing.T) {
	// GIVEN nine keys (a rule holds 5 targets: 4 automations and the notification)
	var arns []string
	for i := 0; i < 9; i++ {
		arns = append(arns, fmt.Sprintf("arn:aws:kms:us-west-2:111122223333:key/%08x-0000-0000-0000-000000000000", i))
	}
	stack, a := alarmModeStack(t, arns)
	tpl := synth(t, stack)
	// THEN three rules hold 4, 4 and 1 automation targets, each with its notification
	var counts []int
	for _, r := range tpl.resourcesOfType("AWS::Events::Rule") {
		targets := r["Properties"].(map[string]interface{})["Targets"].([]interface{})
		counts = append(counts, len(targets))
	}
	if len(a.Rules) != 3 || fmt.Sprint(sortedInts(counts)) != "[2 5 5]" {
		t.Errorf("rules=%d targets per rule=%v, want 3 rules with [2 5 5]", len(a.Rules), counts)
	}
	// AND the automation role may cancel all nine keys
	tpl.HasResourceProperties("AWS::IAM::ManagedPolicy", obj{
		"Roles": arr{ref("RescueAutomationRole")},
		"PolicyDocument": objLike(obj{"Statement": arrWith(objLike(obj{
			"Sid": "CancelDeletionOfProtectedKeys", "Resource": assertions.Match_ArrayWith(&arr{arns[0], arns[8]}),
		}))}),
	})
}

func sortedInts(v []int) []int {
	for i := range v {
		for j := i + 1; j < len(v); j++ {
			if v[j] < v[i] {
				v[i], v[j] = v[j], v[i]
			}
		}
	}
	return v
}

func TestAutoCancelDeletion_KeyAwareAllKeys(t *testing.T) {
	// GIVEN a stack WHEN key-aware mode covers every key
	stack := newStack()
	a := kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{
		Mode:   kmsmonitor.KeyAwareAllKeys(),
		Emails: []string{"security@example.com"},
	})
	tpl := synth(t, stack)
	// THEN one rule on failed KMS calls of keys pending deletion, in the state that sees read-only events,
	// sends the failed call's key ARN alone to the FIFO queue that drops its repeats for 5 minutes
	tpl.HasResourceProperties("AWS::Events::Rule", obj{
		"EventPattern": obj{
			"source": arr{"aws.kms"}, "detail-type": arr{"AWS API Call via CloudTrail"},
			"detail": obj{"eventSource": arr{"kms.amazonaws.com"}, "errorMessage": arr{obj{"suffix": " is pending deletion."}}},
		},
		"State": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
		"Targets": arr{
			obj{
				"Id":  "Target0",
				"Arn": getAtt("RescueBoundedStartQueue"), "SqsParameters": obj{"MessageGroupId": "kmsmonitor"},
				"InputTransformer": obj{
					"InputPathsMap": obj{"detail-resources-0--ARN": "$.detail.resources[0].ARN"},
					"InputTemplate": `{"key":<detail-resources-0--ARN>}`,
				},
				"DeadLetterConfig": obj{"Arn": getAtt("RescueDeadLetterQueue")},
				"RetryPolicy":      obj{"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400},
			},
			// AND the notification of the key, the operation and the caller goes through the queue that drops
			// repeats (no per-event field) and the pipe that publishes: one per key, operation and caller every 5 minutes
			objLike(obj{"Id": "Target1", "Arn": getAtt("RescueBoundedQueue"), "SqsParameters": obj{"MessageGroupId": "kmsmonitor"},
				"InputTransformer": objLike(obj{"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String(
					`"caller":"<detail-userIdentity-arn><detail-userIdentity-invokedBy>".*"key":<detail-resources-0--ARN>.*"operation":<detail-eventName>`))})}),
		},
	})
	tpl.HasResourceProperties("AWS::Pipes::Pipe", obj{"Source": getAtt("RescueBoundedQueue"), "Target": ref("RescueTopic"),
		"TargetParameters": obj{"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String(
			`KMS key <\$.body.key> is pending deletion[\s\S]*<\$.body.operation> by <\$.body.caller>`))}})
	for _, r := range tpl.resourcesOfType("AWS::Events::Rule") {
		if in := fmt.Sprint(r); strings.Contains(in, "sourceIPAddress") || strings.Contains(in, "<time>") {
			t.Errorf("the key-aware rule sends a per-event field: every use would be a new message")
		}
	}
	if a.Queue == nil || a.Pipe == nil {
		t.Error("Queue and Pipe missing")
	}
	// AND a pipe puts what the start queue keeps on a bus of its own, which refuses every other sender,
	tpl.HasResourceProperties("AWS::Pipes::Pipe", obj{"Source": getAtt("RescueBoundedStartQueue"), "Target": getAtt("RescueStartBus"),
		"TargetParameters": obj{"InputTemplate": `{"key": "<$.body.key>"}`,
			"EventBridgeEventBusParameters": obj{"Source": "kmsmonitor.autocancel", "DetailType": "KMS key used while pending deletion"}}})
	tpl.HasResourceProperties("AWS::Events::EventBusPolicy", obj{"EventBusName": ref("RescueStartBus"), "Statement": objLike(obj{
		"Effect": "Deny", "Principal": obj{"AWS": "*"}, "Action": "events:PutEvents",
		"Condition": obj{"ArnNotEquals": obj{"aws:PrincipalArn": getAtt("RescueBoundedStartPipeRole")}}})})
	// AND the bus's rule passes the key to our own automation document
	tpl.HasResourceProperties("AWS::Events::Rule", obj{
		"EventBusName": ref("RescueStartBus"),
		"EventPattern": obj{"source": arr{"kmsmonitor.autocancel"}, "detail-type": arr{"KMS key used while pending deletion"}},
		"Targets": arr{obj{
			"Id":      "Target0",
			"Arn":     join("arn:", partition, ":ssm:", region, ":", account, ":automation-definition/", ref("RescueDocument"), ":$DEFAULT"),
			"RoleArn": getAtt("RescueEventsRole"),
			"InputTransformer": obj{
				"InputPathsMap": obj{"detail-key": "$.detail.key"},
				"InputTemplate": join(`{"AutomationAssumeRole":["`, getAtt("RescueAutomationRole"), `"],"KeyId":[<detail-key>],"TopicArn":["`, ref("RescueTopic"), `"]}`),
			},
			"DeadLetterConfig": obj{"Arn": getAtt("RescueDeadLetterQueue")},
			"RetryPolicy":      obj{"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400},
		}},
	})
	if a.StartQueue == nil || a.StartPipe == nil || a.StartBus == nil || a.StartRule == nil {
		t.Error("StartQueue, StartPipe, StartBus or StartRule missing")
	}
	// AND the document finds who scheduled the deletion and leaves an exempt one alone (reported:
	// TestAutoCancelDeletion_KeyAwareDocumentScenarios), else cancels the deletion of a key given by
	// ID or ARN and checks it is no longer pending deletion
	tpl.HasResourceProperties("AWS::SSM::Document", obj{
		"DocumentType": "Automation", "DocumentFormat": "JSON", "UpdateMethod": "NewVersion",
		"Content": objLike(obj{
			"schemaVersion": "0.3", "assumeRole": "{{ AutomationAssumeRole }}",
			"parameters": objLike(obj{"KeyId": objLike(obj{"allowedPattern": assertions.Match_StringLikeRegexp(jsii.String(`arn:aws`))})}),
			"mainSteps": arr{
				objLike(obj{"name": "WhoScheduled", "action": "aws:executeScript", "onFailure": "step:CancelKeyDeletion", "isCritical": false}),
				objLike(obj{"name": "Exempt", "action": "aws:executeScript", "onFailure": "step:CancelKeyDeletion", "isCritical": false}),
				objLike(obj{"name": "IsExempt", "action": "aws:branch"}),
				objLike(obj{"action": "aws:executeAwsApi", "inputs": obj{"Service": "kms", "Api": "CancelKeyDeletion", "KeyId": "{{ KeyId }}"}}),
				objLike(obj{"action": "aws:waitForAwsResourceProperty", "maxAttempts": 3, "inputs": objLike(obj{"Api": "DescribeKey", "DesiredValues": arr{"Disabled", "Enabled"}})}),
				objLike(obj{"name": "NotifyExempt", "isEnd": true, "inputs": objLike(obj{"Api": "Publish", "TopicArn": "{{ TopicArn }}"})}),
			},
		}),
	})
	// AND the automation role may cancel the deletion of (and read the tags of) any key of this account and
	// Region, run only that document, look up who scheduled a deletion, and report to the topic
	tpl.HasResourceProperties("AWS::IAM::ManagedPolicy", obj{
		"Roles": arr{ref("RescueAutomationRole")},
		"PolicyDocument": objLike(obj{"Statement": arr{
			obj{"Sid": "CancelDeletionOfProtectedKeys", "Effect": "Allow", "Action": arr{"kms:CancelKeyDeletion", "kms:DescribeKey", "kms:ListResourceTags"},
				"Resource": join("arn:", partition, ":kms:", region, ":", account, ":key/*")},
			obj{"Sid": "RunThisAutomation", "Effect": "Allow", "Action": "ssm:StartAutomationExecution",
				"Resource": join("arn:", partition, ":ssm:", region, ":", account, ":automation-definition/", ref("RescueDocument"), ":*")},
			objLike(obj{"Sid": "ReadItsExecutions"}),
			obj{"Sid": "FindWhoScheduledTheDeletion", "Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*"},
			obj{"Sid": "ReportExemptDeletions", "Effect": "Allow", "Action": "sns:Publish", "Resource": ref("RescueTopic")},
			objLike(obj{"Sid": "EncryptReports", "Action": arr{"kms:Decrypt", "kms:GenerateDataKey*"}, "Resource": getAtt("RescueTopicKey")}),
		}}),
	})
	tpl.HasResourceProperties("AWS::SNS::Subscription", obj{"Endpoint": "security@example.com"})
	if len(a.Rules) != 1 || a.Document == nil || a.TopicKey == nil {
		t.Error("want one rule, the document and a new topic")
	}
}

func TestAutoCancelDeletion_KeyAwareAllowListAndTag(t *testing.T) {
	// GIVEN an allow list of a created key and an ARN
	stack := newStack()
	key := awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Listed"), &kmsmonitor.AutoCancelDeletionProps{
		Mode:        kmsmonitor.KeyAwareListed([]awskms.IKey{key}, []string{keyArn}),
		NotifyTopic: jsii.Bool(false),
	})
	// AND tag-scoped mode next to it
	kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Tagged"), &kmsmonitor.AutoCancelDeletionProps{
		Mode:        kmsmonitor.KeyAwareTagged("kmsmonitor:auto-cancel", "true"),
		NotifyTopic: jsii.Bool(false),
	})
	tpl := synth(t, stack)
	// THEN the allow-listed rule matches only those keys, and its role may touch only them
	tpl.HasResourceProperties("AWS::Events::Rule", obj{
		"EventPattern": objLike(obj{"detail": obj{
			"eventSource":  arr{"kms.amazonaws.com"},
			"errorMessage": arr{join(getAtt("Key"), " is pending deletion."), keyArn + " is pending deletion."},
		}}),
		"Targets": arr{objLike(obj{"Id": "Target0"})}, // no notification
	})
	tpl.HasResourceProperties("AWS::IAM::ManagedPolicy", obj{
		"Roles": arr{ref("ListedAutomationRole")},
		"PolicyDocument": objLike(obj{"Statement": arrWith(obj{
			"Sid": "CancelDeletionOfProtectedKeys", "Effect": "Allow", "Action": arr{"kms:CancelKeyDeletion", "kms:DescribeKey", "kms:ListResourceTags"},
			"Resource": arr{getAtt("Key"), keyArn},
		})}),
	})
	// AND the tag-scoped role may touch only keys carrying the tag
	tpl.HasResourceProperties("AWS::IAM::ManagedPolicy", obj{
		"Roles": arr{ref("TaggedAutomationRole")},
		"PolicyDocument": objLike(obj{"Statement": arrWith(obj{
			"Sid": "CancelDeletionOfProtectedKeys", "Effect": "Allow", "Action": arr{"kms:CancelKeyDeletion", "kms:DescribeKey", "kms:ListResourceTags"},
			"Resource":  join("arn:", partition, ":kms:", region, ":", account, ":key/*"),
			"Condition": obj{"StringEquals": obj{"aws:ResourceTag/kmsmonitor:auto-cancel": "true"}},
		})}),
	})
	tpl.ResourceCountIs("AWS::SNS::Topic", 0)
}

func TestAutoCancelDeletion_KeyAwareMessagesPromiseOnlyWhatTheRoleMayDo(t *testing.T) {
	// GIVEN tag-scoped and listed key-aware modes, each notifying
	stack := newStack()
	kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Tagged"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareTagged("kmsmonitor:auto-cancel", "true")})
	kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Listed"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, []string{keyArn})})
	tpl := synth(t, stack)
	messages := map[string]string{}
	for id, r := range tpl.JSON()["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] != "AWS::Events::Rule" {
			continue
		}
		for _, tg := range res["Properties"].(map[string]any)["Targets"].([]any) {
			if it, ok := tg.(map[string]any)["InputTransformer"].(map[string]any); ok && strings.Contains(toJSON(t, it), `outcome`) {
				messages[strings.TrimRight(id, "0123456789ABCDEF")] = fmt.Sprint(it["InputTemplate"])
			}
		}
	}
	// THEN the tag-scoped rule, which sees every key, promises nothing for an untagged key and says how to protect it
	tagged, listed := "", ""
	for id, m := range messages {
		switch {
		case strings.HasPrefix(id, "Tagged"):
			tagged = m
		case strings.HasPrefix(id, "Listed"):
			listed = m
		}
	}
	for _, want := range []string{"may touch only keys tagged kmsmonitor:auto-cancel=true", "NOT protected", "cancel by hand now: aws kms cancel-key-deletion --key-id <detail-resources-0--ARN>"} {
		if !strings.Contains(tagged, want) {
			t.Errorf("tag-scoped message lacks %q: %s", want, tagged)
		}
	}
	if strings.Contains(tagged, "Starting the automation") {
		t.Errorf("tag-scoped message promises a cancellation: %s", tagged)
	}
	// AND the listed rule, which sees only keys its role may cancel, says it starts the cancellation (not its outcome)
	if !strings.Contains(listed, "Starting the automation that cancels its scheduled deletion") {
		t.Errorf("listed message: %s", listed)
	}
}

func TestAutoCancelDeletion_KeyAwarePatternFidelityOnEventBridge(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		props *kmsmonitor.AutoCancelDeletionProps
		keyOK func(arn string) bool // whether a pending-deletion failure of this key must match
	}{
		{"all keys", &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareAllKeys()}, func(string) bool { return true }},
		{"allow list", &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, []string{kmseventtest.MultiRegionKey})},
			func(arn string) bool { return arn == kmseventtest.MultiRegionKey }},
	} {
		t.Run(c.name, func(t *testing.T) {
			// GIVEN the key-aware rule installed on EventBridge (moto), with its state
			stack := newStack()
			kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Rescue"), c.props)
			pattern, state := rulePatternOf(t, synth(t, stack), "RescueKeyAwareRule")
			if state != "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" {
				t.Fatalf("state = %s", state)
			}
			rule, err := server.NewRule(ctx, pattern, state)
			if err != nil {
				t.Fatal(err)
			}
			// WHEN CloudTrail records reach EventBridge THEN exactly the pending-deletion failures of covered keys match
			cases := representativeCases()
			events := make([][]byte, len(cases))
			for i, dc := range cases {
				events[i] = kmseventtest.AsEventBridgeEvent(dc.record)
			}
			got, err := rule.MatchAll(ctx, events)
			if err != nil {
				t.Fatal(err)
			}
			matches := 0
			for i, dc := range cases {
				want := dc.want == "pending" && c.keyOK(recordKeyArn(t, dc.record))
				if got[i] != want {
					t.Errorf("%s: matched = %v, want %v", dc.name, got[i], want)
				}
				if got[i] {
					matches++
				}
			}
			if len(cases) < 50 || matches == 0 {
				t.Errorf("%d events, %d matches: too few to prove anything", len(cases), matches)
			}
		})
	}
}

func TestAutoCancelDeletion_AlarmPatternFidelityOnEventBridge(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	// GIVEN the alarm-driven rule of an alarm known by name, installed on EventBridge (moto)
	stack := newStack()
	kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{
		Mode: kmsmonitor.AlarmDriven(awscloudwatch.Alarm_FromAlarmArn(stack, jsii.String("Alarm"),
			jsii.String("arn:aws:cloudwatch:us-west-2:111122223333:alarm:kms-pending-deletion-used")), nil, []string{keyArn}),
	})
	pattern, state := rulePattern(t, synth(t, stack))
	rule, err := server.NewRule(ctx, pattern, state)
	if err != nil {
		t.Fatal(err)
	}
	// WHEN alarm state changes arrive THEN only that alarm going to ALARM matches
	for _, c := range []struct {
		alarm, state string
		want         bool
	}{
		{"kms-pending-deletion-used", "ALARM", true},
		{"kms-pending-deletion-used", "OK", false},
		{"kms-pending-deletion-used", "INSUFFICIENT_DATA", false},
		{"another-alarm", "ALARM", false},
	} {
		got, err := rule.Matches(ctx, kmseventtest.AlarmStateChange(c.alarm, c.state))
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s %s: matched = %v, want %v", c.alarm, c.state, got, c.want)
		}
	}
	// AND a key breaching that alarm while it is already in ALARM (a contributor of a KeyArnDimension alarm) matches too
	for _, c := range []struct {
		alarm, state string
		want         bool
	}{
		{"kms-pending-deletion-used", "ALARM", true},
		{"kms-pending-deletion-used", "OK", false},
		{"another-alarm", "ALARM", false},
	} {
		got, err := rule.Matches(ctx, kmseventtest.AlarmContributorStateChange(c.alarm, c.state, keyArn))
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("contributor %s %s: matched = %v, want %v", c.alarm, c.state, got, c.want)
		}
	}
}

// recordKeyArn returns resources[0].ARN of a CloudTrail record.
func recordKeyArn(t *testing.T, record []byte) string {
	t.Helper()
	var rec struct {
		Resources []struct {
			ARN string `json:"ARN"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(record, &rec); err != nil || len(rec.Resources) == 0 {
		t.Fatalf("record without resources[0].ARN: %v", err)
	}
	return rec.Resources[0].ARN
}

func TestAutoCancelDeletion_KeysMustBeOfTheStacksAccountAndRegion(t *testing.T) {
	// GIVEN a stack in us-east-1 of account 111122223333
	inEnv := func() awscdk.Stack {
		return awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{
			Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-east-1")}})
	}
	// WHEN it protects a key of us-west-2, or of another account THEN synthesis fails naming the key, both places and the fix
	for _, arn := range []string{keyArn, "arn:aws:kms:us-east-1:444455556666:key/" + keyID} {
		wantValidationErrorOf(t, func() {
			kmsmonitor.NewAutoCancelDeletion(inEnv(), jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, []string{arn})})
		}, `kmsmonitor.AutoCancelDeletion at "Stack/Rescue"`, "KeyArns[0]: "+arn, "this stack deploys to account 111122223333 in us-east-1",
			"one AutoCancelDeletion per account and Region")
	}
	// AND keys of two places fail even in an environment-agnostic stack: one automation cannot reach both
	wantValidationErrorOf(t, func() {
		kmsmonitor.NewAutoCancelDeletion(newStack(), jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, []string{keyArn, otherArn})})
	}, "KeyArns: the keys belong to 2 accounts or Regions (111122223333 us-gov-west-1, 111122223333 us-west-2)")
	// AND a key of its own account and Region is accepted
	stack := inEnv()
	kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{
		Mode: kmsmonitor.KeyAwareListed(nil, []string{"arn:aws:kms:us-east-1:111122223333:key/" + keyID}),
	})
	synth(t, stack)
	// AND an environment-agnostic stack is told where it must be deployed
	agnostic := newStack()
	kmsmonitor.NewAutoCancelDeletion(agnostic, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, []string{keyArn})})
	synth(t, agnostic)
	if got := strings.Join(kmsmonitorWarnings(agnostic), "\n"); !strings.Contains(got, "protects keys of (account Region) 111122223333 us-west-2: deploy this environment-agnostic stack to that account and Region") {
		t.Errorf("no environment warning:\n%s", got)
	}
}

// wantValidationErrorOf fails unless f panics with a *kmsmonitor.ValidationError containing every part.
func wantValidationErrorOf(t *testing.T, f func(), parts ...string) {
	t.Helper()
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		f()
	}()
	var verr *kmsmonitor.ValidationError
	if err, _ := recovered.(error); !errors.As(err, &verr) {
		t.Fatalf("want a *kmsmonitor.ValidationError, got %T: %v", recovered, recovered)
	}
	for _, p := range parts {
		if !strings.Contains(verr.Error(), p) {
			t.Errorf("message lacks %q:\n%s", p, verr.Error())
		}
	}
}

func TestAutoCancelDeletion_KeyAwareDocumentScenarios(t *testing.T) {
	// GIVEN key-aware mode's document exactly as synthesized (tag-scoped: the mode whose role may be
	// refused), with a break-glass role and the default topic
	stack := newStack()
	kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Tagged"), &kmsmonitor.AutoCancelDeletionProps{
		Mode: kmsmonitor.KeyAwareTagged("kmsmonitor:auto-cancel", "true"), BreakGlassPrincipalArns: []string{breakGlassRole},
	})
	tpl := synth(t, stack)
	docs := tpl.resourcesOfType("AWS::SSM::Document")
	if len(docs) != 1 {
		t.Fatalf("%d documents, want 1", len(docs))
	}
	document := docs[0]["Properties"].(map[string]any)["Content"].(map[string]any)
	// AND the key ARN the rule passes (<detail-resources-0--ARN>), which the KeyId parameter admits
	const key = "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"
	pattern := document["parameters"].(map[string]any)["KeyId"].(map[string]any)["allowedPattern"].(string)
	if !regexp.MustCompile(pattern).MatchString(key) || !regexp.MustCompile(pattern).MatchString("1234abcd-12ab-34cd-56ef-1234567890ab") {
		t.Fatalf("KeyId's allowedPattern %s refuses a key ARN or ID", pattern)
	}
	params := map[string]any{"AutomationAssumeRole": "arn:aws:iam::111122223333:role/Stack-TaggedAutomationRole", "KeyId": key,
		"TopicArn": "arn:aws:sns:us-east-1:111122223333:Stack-TaggedTopic"}
	kms := func(op string, answer map[string]any) ssmscripttest.Call {
		return ssmscripttest.Call{Service: "kms", Operation: op, Expect: map[string]any{"KeyId": key}, Response: answer}
	}
	kmsError := func(op, code string) ssmscripttest.Call {
		return ssmscripttest.Call{Service: "kms", Operation: op, Expect: map[string]any{"KeyId": key}, Error: &ssmscripttest.APIError{Code: code, Message: code}}
	}
	state := func(s string) ssmscripttest.Call {
		return kms("describe_key", map[string]any{"KeyMetadata": map[string]any{"KeyId": key, "KeyState": s}})
	}
	cancelled := kms("cancel_key_deletion", map[string]any{"KeyId": key})
	// CloudTrail's event history, looked up by event name: the newest events first, as LookupEvents returns them
	lookup := func(name string, events ...map[string]any) ssmscripttest.Call {
		return ssmscripttest.Call{Service: "cloudtrail", Operation: "lookup_events",
			Expect: map[string]any{"LookupAttributes": []any{map[string]any{"AttributeKey": "EventName", "AttributeValue": name}},
				"StartTime": "<ANY>", "EndTime": "<ANY>", "MaxResults": 50},
			Response: map[string]any{"Events": append([]map[string]any{}, events...)}}
	}
	event := func(name, onKey string, daysBefore int, caller map[string]any, sourceIP string) map[string]any {
		record := map[string]any{"eventName": name, "eventID": "e1", "userIdentity": caller, "sourceIPAddress": sourceIP,
			"requestParameters": map[string]any{"keyId": onKey}, "resources": []any{map[string]any{"ARN": onKey, "type": "AWS::KMS::Key"}}}
		blob, _ := json.Marshal(record)
		return map[string]any{"EventId": "e1", "EventName": name, "EventTime": daysAgo(daysBefore), "CloudTrailEvent": string(blob),
			"Resources": []any{map[string]any{"ResourceType": "AWS::KMS::Key", "ResourceName": onKey}}}
	}
	const otherKey = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	person := map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/Mary"}
	breakGlassSession := map[string]any{"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/BreakGlass/ops"}
	cfnSession := map[string]any{"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1/AWSCloudFormation"}
	// who scheduled the key's deletion: the schedule (another key's newer one in between), and no cancellation since
	// the key's tags, which the Exempt step reads first (OptOut's, AllowDeletionWithStack's)
	tagged := func(tags ...map[string]any) ssmscripttest.Call {
		return kms("list_resource_tags", map[string]any{"Tags": append([]map[string]any{}, tags...), "Truncated": false})
	}
	noTags := tagged()
	scheduledBy := func(caller map[string]any, sourceIP string, tags ssmscripttest.Call) []ssmscripttest.Call {
		return []ssmscripttest.Call{
			lookup("ScheduleKeyDeletion", event("ScheduleKeyDeletion", otherKey, 1, person, "203.0.113.9"), event("ScheduleKeyDeletion", key, 2, caller, sourceIP)),
			lookup("CancelKeyDeletion", event("CancelKeyDeletion", otherKey, 0, person, "203.0.113.9")), tags}
	}
	getRole := ssmscripttest.Call{Service: "iam", Operation: "get_role", Expect: map[string]any{"RoleName": "BreakGlass"}, Response: map[string]any{"Role": map[string]any{
		"Path": "/", "RoleName": "BreakGlass", "RoleId": "AROAEXAMPLEBG12345678", "Arn": breakGlassRole, "CreateDate": daysAgo(100)}}}
	published := ssmscripttest.Call{Service: "sns", Operation: "publish", Response: map[string]any{"MessageId": "m1"}}
	calls := func(c ...[]ssmscripttest.Call) []ssmscripttest.Call {
		var out []ssmscripttest.Call
		for _, x := range c {
			out = append(out, x...)
		}
		return out
	}
	one := func(c ...ssmscripttest.Call) []ssmscripttest.Call { return c }
	byPerson := scheduledBy(person, "203.0.113.7", noTags)
	const checked = "WhoScheduled > Exempt > IsExempt > "
	cases := []struct {
		s      ssmscripttest.Scenario
		steps  string // the steps taken ("!" failed)
		status string // the execution's
	}{
		{ssmscripttest.Scenario{Name: "pending deletion: cancelled, left disabled",
			Calls: calls(byPerson, one(cancelled, state("Disabled")))},
			checked + "CancelKeyDeletion > VerifyKeyIsNoLongerPendingDeletion", "Success"},
		{ssmscripttest.Scenario{Name: "KMS still shows PendingDeletion once after the cancel (eventual consistency)",
			Calls: calls(byPerson, one(cancelled, state("PendingDeletion"), state("Disabled")))},
			checked + "CancelKeyDeletion > VerifyKeyIsNoLongerPendingDeletion", "Success"},
		{ssmscripttest.Scenario{Name: "throttled once, then cancelled",
			Calls: calls(byPerson, one(kmsError("cancel_key_deletion", "ThrottlingException"), cancelled, state("Disabled")))},
			checked + "CancelKeyDeletion > VerifyKeyIsNoLongerPendingDeletion", "Success"},
		{ssmscripttest.Scenario{Name: "already cancelled by an earlier execution or a person, and enabled again",
			Calls: calls(byPerson, one(kmsError("cancel_key_deletion", "KMSInvalidStateException"), kmsError("cancel_key_deletion", "KMSInvalidStateException"),
				kmsError("cancel_key_deletion", "KMSInvalidStateException"), state("Enabled")))},
			checked + "CancelKeyDeletion! > VerifyKeyIsNoLongerPendingDeletion", "Success"},
		{ssmscripttest.Scenario{Name: "a key the role may not touch (untagged): the execution fails, nothing was promised",
			Calls: calls(byPerson, one(kmsError("cancel_key_deletion", "AccessDeniedException"), kmsError("cancel_key_deletion", "AccessDeniedException"),
				kmsError("cancel_key_deletion", "AccessDeniedException"), kmsError("describe_key", "AccessDeniedException"),
				kmsError("describe_key", "AccessDeniedException"), kmsError("describe_key", "AccessDeniedException")))},
			checked + "CancelKeyDeletion! > VerifyKeyIsNoLongerPendingDeletion!", "Failed"},
		{ssmscripttest.Scenario{Name: "still pending deletion until the wait ends: the execution times out",
			Calls: calls(byPerson, one(cancelled, state("PendingDeletion"), state("PendingDeletion"), state("PendingDeletion")))},
			checked + "CancelKeyDeletion > VerifyKeyIsNoLongerPendingDeletion!", "TimedOut"},
		// The exemptions: DeletionCheck's, on who CloudTrail says scheduled the deletion
		{ssmscripttest.Scenario{Name: "scheduled by the break-glass role: reported, not cancelled",
			Calls: calls(scheduledBy(breakGlassSession, "203.0.113.7", noTags), one(getRole, published))},
			checked + "NotifyExempt", "Success"},
		{ssmscripttest.Scenario{Name: "scheduled by CloudFormation as the role the key's tag names: reported, not cancelled",
			Calls: calls(scheduledBy(cfnSession, "cloudformation.amazonaws.com",
				tagged(map[string]any{"TagKey": kmsmonitor.DeletableWithStackTag, "TagValue": "arn:aws:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1"})),
				one(published))},
			checked + "NotifyExempt", "Success"},
		{ssmscripttest.Scenario{Name: "a key opted out (kmsmonitor.OptOut's tag), scheduled by a person: reported, not cancelled",
			Calls: calls(scheduledBy(person, "203.0.113.7", tagged(map[string]any{"TagKey": kmsmonitor.OptOutTag, "TagValue": "true"})), one(published))},
			checked + "NotifyExempt", "Success"},
		{ssmscripttest.Scenario{Name: "the break-glass role's schedule was cancelled since, and the pending one is not in the event history yet: cancelled",
			Calls: one(lookup("ScheduleKeyDeletion", event("ScheduleKeyDeletion", key, 3, breakGlassSession, "203.0.113.7")),
				lookup("CancelKeyDeletion", event("CancelKeyDeletion", key, 1, breakGlassSession, "203.0.113.7")), noTags, cancelled, state("Disabled"))},
			checked + "CancelKeyDeletion > VerifyKeyIsNoLongerPendingDeletion", "Success"},
		{ssmscripttest.Scenario{Name: "who scheduled it is not in the event history yet: cancelled",
			Calls: one(lookup("ScheduleKeyDeletion", event("ScheduleKeyDeletion", otherKey, 1, person, "203.0.113.9")), noTags, cancelled, state("Disabled"))},
			checked + "CancelKeyDeletion > VerifyKeyIsNoLongerPendingDeletion", "Success"},
		// (botocore's own retries, total_max_attempts 4 in standard mode, do not run under Stubber: one error stands for them)
		{ssmscripttest.Scenario{Name: "the event history unreadable (throttled throughout): cancelled, the execution's status the cancellation's",
			Calls: one(ssmscripttest.Call{Service: "cloudtrail", Operation: "lookup_events", Error: &ssmscripttest.APIError{Code: "ThrottlingException", Message: "Rate exceeded", Status: 400}},
				cancelled, state("Disabled"))},
			"WhoScheduled! > CancelKeyDeletion > VerifyKeyIsNoLongerPendingDeletion", "Success"},
	}
	scenarios := make([]ssmscripttest.Scenario, len(cases))
	for i, c := range cases {
		scenarios[i] = c.s
		scenarios[i].Events = params
	}
	// WHEN each scenario runs the document step by step, CloudTrail, IAM, KMS and SNS answered as botocore's models allow
	runs, _, err := ssmscripttest.Execute(document, scenarios)
	ranOrSkip(t, err)
	// THEN each takes the path its case says, asks every answer, and ends as Automation would; an exempt
	// deletion is reported in one message naming why, and not cancelled
	for i, r := range runs {
		c := cases[i]
		if got := r.Steps(); got != c.steps || r.Status != c.status || len(r.Pending) > 0 {
			t.Errorf("%s: steps %s (%s), answers not asked for %v; want %s (%s)\n%+v", r.Name, got, r.Status, r.Pending, c.steps, c.status, r.Taken)
		}
		if strings.HasSuffix(c.steps, "NotifyExempt") {
			if len(r.Published) != 1 || !strings.Contains(r.Published[0].Message, "NOT cancelled") && !strings.Contains(r.Published[0].Subject, "NOT cancelled") ||
				strings.Contains(r.Published[0].Message, "{{") || !strings.Contains(r.Published[0].Message, "cancel-key-deletion --key-id "+key) {
				t.Errorf("%s: messages %+v", r.Name, r.Published)
			}
		} else if len(r.Published) != 0 {
			t.Errorf("%s: %d messages published by the automation; want none (the rule's notification says a cancellation starts)", r.Name, len(r.Published))
		}
		t.Logf("%s: %s (%s)", r.Name, r.Steps(), r.Status)
	}
}

func TestAutoCancelDeletion_KeyAwareMessagesAndStartsBoundedUnderLoad(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	// GIVEN key-aware AutoCancelDeletion's rule installed on EventBridge (moto), each of its two bounded targets as synthesized
	stack := newStack()
	a := kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareAllKeys()})
	tpl := synth(t, stack)
	pipeTemplates := map[string]string{} // the pipe's target (logical ID) -> its template
	for _, p := range tpl.resourcesOfType("AWS::Pipes::Pipe") {
		props := p["Properties"].(map[string]interface{})
		b, _ := json.Marshal(props["Target"])
		pipeTemplates[string(b)] = props["TargetParameters"].(map[string]interface{})["InputTemplate"].(string)
	}
	messageTemplate, startTemplate := pipeTemplates[`{"Ref":"`+logicalID(stack, a.Topic)+`"}`], pipeTemplates[`{"Fn::GetAtt":["`+logicalID(stack, a.StartBus)+`","Arn"]}`]
	// WHEN an application retries Decrypt 200 times in 10 minutes on a key pending deletion, another caller
	// 50 times on it, and an application 50 times on a second key (the same bounded path as KeyUseEvents',
	// proven there with 1,000)
	calls := slices.Concat(failedCalls(200, kmseventtest.SingleRegionKey, "Decrypt", kmseventtest.AssumedRole, " is pending deletion."),
		failedCalls(50, kmseventtest.SingleRegionKey, "GenerateDataKey", kmseventtest.AWSService, " is pending deletion."),
		failedCalls(50, kmseventtest.MultiRegionKey, "Decrypt", kmseventtest.AssumedRole, " is pending deletion."))
	deliver := func(queue string) []string {
		t.Helper()
		pattern, state, target := fifoTarget(t, tpl, "Rescue"+*a.Rules[0].Node().Id(), queue)
		rule, err := server.NewFIFORule(ctx, pattern, state, target)
		if err != nil {
			t.Fatal(err)
		}
		bodies, err := rule.Deliver(ctx, calls)
		if err != nil {
			t.Fatal(err)
		}
		return bodies
	}
	// THEN one message per key, operation and caller names them and says what the automation does
	messages := deliver(logicalID(stack, a.Queue))
	if len(messages) != 3 {
		t.Fatalf("%d messages, want 3", len(messages))
	}
	text := pipeText(t, messageTemplate, messages[0])
	for _, want := range []string{"KMS key " + kmseventtest.SingleRegionKey + " is pending deletion", "Operation: Decrypt by " + kmseventtest.AssumedRole["arn"].(string),
		"Starting the automation that cancels its scheduled deletion"} {
		if !strings.Contains(text, want) {
			t.Errorf("message lacks %q:\n%s", want, text)
		}
	}
	// AND the automation starts once per key: the start queue keeps one message per key, which the start pipe
	// puts on the start bus as an event whose detail names the key
	starts := deliver(logicalID(stack, a.StartQueue))
	if len(starts) != 2 {
		t.Fatalf("%d starts kept, want 2 (one per key): %v", len(starts), starts)
	}
	var events [][]byte
	for _, body := range starts {
		var detail map[string]any
		if err := json.Unmarshal([]byte(pipeText(t, startTemplate, body)), &detail); err != nil {
			t.Fatalf("the start pipe's event detail is not JSON: %v", err)
		}
		e, _ := json.Marshal(map[string]any{"version": "0", "id": "7a1b2c3d-0000-4000-8000-000000000000",
			"detail-type": "KMS key used while pending deletion", "source": "kmsmonitor.autocancel",
			"account": "111122223333", "time": "2026-12-06T10:00:00Z", "region": "us-west-2", "resources": []string{}, "detail": detail})
		events = append(events, e)
	}
	// AND the start bus's rule matches those events and gives the automation the key (its target's
	// transformation, rendered by EventBridge (moto) on a queue in the automation's place)
	startRule := tpl.JSON()["Resources"].(map[string]interface{})[logicalID(stack, a.StartRule)].(map[string]interface{})["Properties"].(map[string]interface{})
	pattern, _ := json.Marshal(startRule["EventPattern"])
	transformer := startRule["Targets"].([]interface{})[0].(map[string]interface{})["InputTransformer"].(map[string]interface{})
	paths := map[string]string{}
	for k, v := range transformer["InputPathsMap"].(map[string]interface{}) {
		paths[k] = v.(string)
	}
	rule, err := server.NewFIFORule(ctx, string(pattern), "ENABLED", eventbridgetest.Target{InputPathsMap: paths,
		InputTemplate: joinLiteral(transformer["InputTemplate"], "arn:aws:iam::111122223333:role/resolved"), MessageGroupID: "automation"})
	if err != nil {
		t.Fatal(err)
	}
	inputs, err := rule.Deliver(ctx, events)
	if err != nil || len(inputs) != 2 {
		t.Fatalf("%d automation starts, %v; want 2", len(inputs), err)
	}
	for i, want := range []string{kmseventtest.SingleRegionKey, kmseventtest.MultiRegionKey} {
		var input map[string][]string
		if err := json.Unmarshal([]byte(inputs[i]), &input); err != nil || len(input["KeyId"]) != 1 || input["KeyId"][0] != want {
			t.Errorf("automation input %d: %s (%v), want KeyId [%s]", i, inputs[i], err, want)
		}
	}
}

// fifoTarget returns the pattern and state of the rule whose logical ID
// starts with rulePrefix, and its target that sends to the FIFO queue queueID.
func fifoTarget(t *testing.T, tpl template, rulePrefix, queueID string) (pattern, state string, target eventbridgetest.Target) {
	t.Helper()
	return fifoTargetWhere(t, tpl, rulePrefix, "sending to "+queueID, func(tg map[string]interface{}) bool {
		arn, _ := json.Marshal(tg["Arn"])
		return string(arn) == `{"Fn::GetAtt":["`+queueID+`","Arn"]}`
	})
}

// logicalID is the logical ID of construct's default child (its CloudFormation resource).
func logicalID(stack awscdk.Stack, construct constructs.IConstruct) string {
	if cfn, ok := construct.(awscdk.CfnElement); ok {
		return *stack.GetLogicalId(cfn)
	}
	return *stack.GetLogicalId(construct.Node().DefaultChild().(awscdk.CfnElement))
}

// joinLiteral returns v (a string, or an Fn::Join of strings and references)
// as a string, each reference written as resolved.
func joinLiteral(v interface{}, resolved string) string {
	if s, ok := v.(string); ok {
		return s
	}
	parts := v.(map[string]interface{})["Fn::Join"].([]interface{})[1].([]interface{})
	var out strings.Builder
	for _, p := range parts {
		if s, ok := p.(string); ok {
			out.WriteString(s)
		} else {
			out.WriteString(resolved)
		}
	}
	return out.String()
}

func TestAutoCancelDeletion_BoundedStartsWithoutTopicAndWithoutPipes(t *testing.T) {
	// GIVEN key-aware AutoCancelDeletion WHEN it does not notify
	stack := newStack()
	a := kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{
		Mode: kmsmonitor.KeyAwareAllKeys(), NotifyTopic: jsii.Bool(false)})
	tpl := synth(t, stack)
	// THEN its starts are bounded all the same: one pipe, to the start bus
	tpl.ResourceCountIs("AWS::Pipes::Pipe", 1)
	tpl.HasResourceProperties("AWS::Pipes::Pipe", obj{"Target": getAtt("RescueStartBus")})
	if a.StartQueue == nil || a.Queue != nil {
		t.Errorf("StartQueue %v, Queue %v", a.StartQueue, a.Queue)
	}

	// GIVEN a stack in a Region without EventBridge Pipes WHEN key-aware AutoCancelDeletion is added
	stack = awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("il-central-1")}})
	a = kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareAllKeys()})
	tpl = synthAs(t, t.Name()+"_il-central-1", stack, nil)
	// THEN the rule starts the automation and notifies per event, as before, and one warning says both
	tpl.ResourceCountIs("AWS::Pipes::Pipe", 0)
	tpl.ResourceCountIs("AWS::Events::EventBus", 0)
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"Targets": arr{
		objLike(obj{"RoleArn": getAtt("RescueEventsRole")}), objLike(obj{"Arn": ref("RescueTopic")})}})
	warned := warningsWithID(stack, "kmsmonitor:notificationsUnbounded")
	if len(warned) != 1 || !strings.Contains(warned[0].msg, "starts one automation and sends one message per failed call") || a.StartQueue != nil {
		t.Errorf("warnings %+v, start queue %v", warned, a.StartQueue)
	}
}
