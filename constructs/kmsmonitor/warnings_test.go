package kmsmonitor_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// legalButUnchecked is a setup synthesis cannot check: an
// environment-agnostic stack with a resource whose account or Region is a
// literal. It must warn, with an acknowledgeable ID, on the construct.
type legalButUnchecked struct {
	name  string
	id    string // the warning ID
	path  string // the construct warned on, under the stack
	want  string // in the message
	build func(s awscdk.Stack)
}

var legalButUncheckedSetups = []legalButUnchecked{
	{"expiry alarm on a key ARN", "kmsmonitor:keyEnvironment", "Expiry", "account 111122223333, Region us-west-2 (KeyArns[0])",
		func(s awscdk.Stack) {
			kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyArns: []string{keyArn}})
		}},
	{"lifecycle rule on the default bus", "kmsmonitor:keyEnvironment", "Events", "Region us-west-2 (KeyArns[0])",
		func(s awscdk.Stack) {
			kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{KeyArns: []string{keyArn}})
		}},
	{"grant audit", "kmsmonitor:keyEnvironment", "Grants", "Region us-west-2",
		func(s awscdk.Stack) {
			kmsmonitor.NewGrantAudit(s, jsii.String("Grants"), &kmsmonitor.GrantAuditProps{KeyArns: []string{keyArn}})
		}},
	{"auto-cancel (existing warning)", "kmsmonitor:autoCancelEnvironment", "Rescue", "111122223333 us-west-2",
		func(s awscdk.Stack) {
			kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, []string{keyArn})})
		}},
	{"pending-deletion alarm on a log group ARN", "kmsmonitor:logGroupEnvironment", "Monitor", "account 111122223333, Region us-west-2 (LogGroup)",
		func(s awscdk.Stack) {
			kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{LogGroup: logGroupAt(s, westLogGroup)})
		}},
	{"CIS alarm on a log group ARN", "kmsmonitor:logGroupEnvironment", "Cis", "Region us-west-2",
		func(s awscdk.Stack) {
			kmsmonitor.NewCisKeyChangesAlarm(s, jsii.String("Cis"), &kmsmonitor.CisKeyChangesAlarmProps{LogGroup: logGroupAt(s, westLogGroup)})
		}},
	{"key-use rules on a bus ARN", "kmsmonitor:eventBusEnvironment", "Use", "Region us-west-2 (EventBus)",
		func(s awscdk.Stack) {
			bus := awsevents.EventBus_FromEventBusArn(s, jsii.String("Bus"), jsii.String("arn:aws:events:us-west-2:111122223333:event-bus/central"))
			kmsmonitor.NewKeyUseEvents(s, jsii.String("Use"), &kmsmonitor.KeyUseEventsProps{EventBus: bus})
		}},
	{"alarm notifying a topic ARN", "kmsmonitor:topicEnvironment", "Expiry", "Region us-west-2 (Topic)",
		func(s awscdk.Stack) {
			kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), Topic: westTopic(s)})
		}},
	{"chat forwarder with a chat topic ARN", "kmsmonitor:chatTopicEnvironment", "Chat", "Region us-west-2 (ChatTopic)",
		func(s awscdk.Stack) {
			kmsmonitor.NewChatNotifications(s, jsii.String("Chat"), &kmsmonitor.ChatNotificationsProps{
				Topic: awssns.NewTopic(s, jsii.String("Alerts"), nil), ChatTopic: westTopic(s)})
		}},
	{"rule with a dead-letter queue ARN", "kmsmonitor:deadLetterQueueEnvironment", "Grants", "Region us-west-2 (DeadLetterQueue)",
		func(s awscdk.Stack) {
			kmsmonitor.NewGrantAudit(s, jsii.String("Grants"), &kmsmonitor.GrantAuditProps{DeadLetterQueue: westQueue(s)})
		}},
	{"tampering watch on a trail ARN", "kmsmonitor:watchedResourceEnvironment", "Tamper", "Region us-west-2 (TrailArns[0])",
		func(s awscdk.Stack) {
			kmsmonitor.NewMonitorTampering(s, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{
				TrailArns: []string{"arn:aws:cloudtrail:us-west-2:111122223333:trail/management-events"}})
		}},
	{"tampering watch on an alarm ARN", "kmsmonitor:watchedResourceEnvironment", "Tamper", "(Alarms[0])",
		func(s awscdk.Stack) {
			kmsmonitor.NewMonitorTampering(s, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{Alarms: []awscloudwatch.IAlarm{importedAlarm(s)}})
		}},
}

func TestWarnings_LegalSetupsThatSynthesisCannotCheck(t *testing.T) {
	for _, c := range legalButUncheckedSetups {
		t.Run(c.name, func(t *testing.T) {
			// GIVEN an environment-agnostic stack WHEN the construct gets a resource of a known place
			stack := newStack()
			c.build(stack)
			// THEN it synthesizes, with the warning on the construct naming where to deploy
			got := warningsWithID(stack, c.id)
			if len(got) != 1 || got[0].path != "/Stack/"+c.path {
				t.Fatalf("want one %s warning on /Stack/%s, got %+v", c.id, c.path, got)
			}
			if !strings.Contains(got[0].msg, c.want) {
				t.Errorf("warning lacks %q: %s", c.want, got[0].msg)
			}
			// AND acknowledging it (once deployed there) removes it
			stack = newStack()
			c.build(stack)
			// (the construct as the tree holds it: a Go construct struct cannot be passed back to jsii)
			awscdk.Annotations_Of(stack.Node().FindChild(jsii.String(c.path))).AcknowledgeWarning(jsii.String(c.id), jsii.String("deployed to us-west-2"))
			if got := warningsWithID(stack, c.id); len(got) != 0 {
				t.Errorf("acknowledged warning still there: %+v", got)
			}
		})
	}
}

func TestWarnings_NoneWhereTheStackIsInThePlace(t *testing.T) {
	// GIVEN stacks in us-west-2 of account 111122223333 WHEN the same setups are built there
	for _, c := range legalButUncheckedSetups {
		stack := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{
			Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-west-2")}})
		c.build(stack)
		// THEN nothing is left to warn about
		if got := warningsWithID(stack, c.id); len(got) != 0 {
			t.Errorf("%s: unexpected warning %+v", c.name, got)
		}
	}
}

func TestWarnings_ImportedTopicOfThisRegionIsNotWarnedAbout(t *testing.T) {
	// GIVEN an environment-agnostic stack WHEN a topic is imported with the stack's own Region (a token)
	stack := newStack()
	topic := awssns.Topic_FromTopicArn(stack, jsii.String("T"), stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("sns"), Resource: jsii.String("alerts")}))
	q := awssqs.Queue_FromQueueArn(stack, jsii.String("Q"), stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("sqs"), Resource: jsii.String("dlq")}))
	kmsmonitor.NewGrantAudit(stack, jsii.String("Grants"), &kmsmonitor.GrantAuditProps{Topic: topic, DeadLetterQueue: q})
	// THEN no environment warning: its place is the stack's
	for _, id := range []string{"kmsmonitor:topicEnvironment", "kmsmonitor:deadLetterQueueEnvironment"} {
		if got := warningsWithID(stack, id); len(got) != 0 {
			t.Errorf("unexpected %s: %+v", id, got)
		}
	}
}

type warning struct{ path, msg string }

// warningsWithID returns the warnings of stack acknowledgeable as id.
func warningsWithID(stack awscdk.Stack, id string) []warning {
	var out []warning
	for _, w := range *assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(".*"))) {
		path, msg := message(w)
		if strings.Contains(msg, "[ack: "+id+"]") {
			out = append(out, warning{path, msg})
		}
	}
	return out
}
