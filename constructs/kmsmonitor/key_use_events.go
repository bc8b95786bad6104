package kmsmonitor

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awspipes"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

// KeyUseEventsProps configures KeyUseEvents.
type KeyUseEventsProps struct {
	// DetectDisabledKeys adds the rule for calls that fail because the key is disabled.
	// Default: true.
	DetectDisabledKeys *bool
	// Topic receives the messages.
	// Default: a new SNS topic encrypted with a new customer managed KMS key.
	Topic awssns.ITopic
	// Emails are subscribed to Topic.
	// Default: no subscription.
	Emails []string
	// EventBus the rules listen on: a central bus that member accounts forward
	// their events to (see CentralKeyMonitoring).
	// Default: the account's default event bus.
	EventBus awsevents.IEventBus
	// DeadLetterQueue keeps the messages that could not be delivered after 24 hours.
	// Default: a new SSE-SQS encrypted, TLS-only queue keeping messages 14 days.
	DeadLetterQueue awssqs.IQueue
	// BoundedMessages sends at most one message per key, operation and
	// caller every 5 minutes, however often a caller retries: the rules send
	// to an SQS FIFO queue that drops repeats, and an EventBridge pipe
	// publishes what it keeps. EventBridge Pipes does not exist in
	// ap-east-2, ap-southeast-4 to -7, ca-west-1, il-central-1, mx-central-1
	// and the AWS GovCloud (US) Regions: set false for an environment-agnostic
	// stack that may be deployed there (one message per failed call).
	// Default: true, but false with the warning kmsmonitor:notificationsUnbounded
	// in a stack of one of those Regions.
	BoundedMessages *bool
	// shared is the notification a composing construct (KeyMonitoring,
	// CentralKeyMonitoring) decided for all its parts; used when Topic is nil.
	shared *alerting.Notification
}

// KeyUseEvents detects the use of a KMS key that is pending deletion (and, by
// default, of a disabled key) from the CloudTrail events EventBridge receives,
// with no log group, metric filter or log ingestion, in seconds, and sends a
// message that names the key, the operation and the caller: one per key,
// operation and caller every 5 minutes however often the call is retried
// (an SQS FIFO queue drops the repeats; an EventBridge pipe publishes). It needs a trail
// that records management events, read events included (the default of a
// new trail, and of PendingDeletionAlarm's).
type KeyUseEvents struct {
	constructs.Construct

	// PendingDeletionRule matches calls that failed because the key is pending deletion.
	PendingDeletionRule awsevents.Rule
	// DisabledKeyRule matches calls that failed because the key is disabled; nil when off.
	DisabledKeyRule awsevents.Rule
	// Topic receives the messages.
	Topic awssns.ITopic
	// TopicKey encrypts Topic; nil when Topic was given.
	TopicKey awskms.Key
	// DeadLetterQueue keeps undelivered messages.
	DeadLetterQueue awssqs.IQueue

	// Queue receives the rules' messages and drops the repeats of one key,
	// operation and caller for 5 minutes (SQS FIFO, content-based
	// deduplication); nil in a Region without EventBridge Pipes.
	Queue awssqs.Queue
	// Pipe publishes the messages Queue keeps to Topic; nil in a Region without EventBridge Pipes.
	Pipe awspipes.CfnPipe

	bus     awsevents.IEventBus
	bounded *alerting.Bounded
}

// NewKeyUseEvents creates KeyUseEvents. props may be nil. It panics with a
// *ValidationError when props are invalid.
func NewKeyUseEvents(scope constructs.Construct, id *string, props *KeyUseEventsProps) *KeyUseEvents {
	p, node, c := start("kmsmonitor.KeyUseEvents", scope, id, props)
	checkEventBus(c, p.EventBus)
	alerting.CheckRuleDeliveryProps(c, p.Topic, p.DeadLetterQueue, p.Emails)
	rules := 2
	if p.DetectDisabledKeys != nil && !*p.DetectDisabledKeys {
		rules = 1
	}
	alerting.ReserveSenders(c, "DeadLetterQueue", p.DeadLetterQueue, rules, p.EventBus != nil)
	checkBoundedMessages(c, node, p.BoundedMessages)
	c.PanicIfAny()

	e := &KeyUseEvents{Construct: node, DeadLetterQueue: p.DeadLetterQueue, bus: p.EventBus}
	e.DeadLetterQueue = alerting.UseOrCreateDeadLetterQueue(node, p.DeadLetterQueue)
	n := alerting.Decide(node, p.Topic, p.Emails, nil, p.shared)
	e.Topic, e.TopicKey = n.Topic, n.Key
	if e.bounded = boundedOrWarn(node, p.BoundedMessages, e.Topic, keyUseMessage, "KeyUseEvents",
		"use PendingDeletionAlarm there (one alarm notification per incident; in KeyMonitoring, switch KeyUseEventsEnabled off and its pending-deletion alarms notify), "+
			"or deploy KeyUseEvents in a Region with Pipes"); e.bounded != nil {
		e.Queue, e.Pipe = e.bounded.Queue, e.bounded.Pipe
	}
	e.PendingDeletionRule = e.rule("PendingDeletionRule", pendingDeletionSuffix,
		"a KMS key that is pending deletion was used", "Something still needs it: cancel the deletion now",
		"aws kms cancel-key-deletion --key-id")
	if p.DetectDisabledKeys == nil || *p.DetectDisabledKeys {
		e.DisabledKeyRule = e.rule("DisabledKeyRule", disabledSuffix,
			"a disabled KMS key was used", "If it was disabled ahead of its deletion, something still needs it: do not delete it; if the caller is legitimate, enable it",
			"aws kms enable-key --key-id")
	}
	return e
}

func (e *KeyUseEvents) rule(id, suffix, what, advice, command string) awsevents.Rule {
	rule := newCloudTrailRule(e.Construct, id, "kmsmonitor: "+what+" (CloudTrail event)", map[string]interface{}{
		"eventSource":  []string{"kms.amazonaws.com"},
		"errorMessage": []interface{}{map[string]string{"suffix": suffix}},
	}, true, e.bus)
	if e.bounded == nil {
		rule.AddTarget(alerting.NotifyTarget(e.Topic, awsevents.RuleTargetInput_FromMultilineText(jsii.String(fmt.Sprintf(
			"kmsmonitor: %s.\nKey: %s\nOperation: %s (%s)\nCaller: %s%s (%s) from %s\nAccount: %s, Region: %s, time: %s\n%s: %s %s",
			what, field("$.detail.resources[0].ARN"), field("$.detail.eventName"), field("$.detail.errorCode"),
			field("$.detail.userIdentity.arn"), field("$.detail.userIdentity.invokedBy"), field("$.detail.userIdentity.type"),
			field("$.detail.sourceIPAddress"), field("$.account"), field("$.region"), field("$.time"),
			advice, command, field("$.detail.resources[0].ARN")))), e.DeadLetterQueue))
		return rule
	}
	// No per-event field (time, event ID, source address): the queue drops
	// the repeats of one key, operation and caller (Bounded).
	rule.AddTarget(e.bounded.Target(map[string]interface{}{
		"what": what,
		// Paths every failed KMS call has (resources[0] names the key: kmseventtest's documented records).
		"key":        awsevents.EventField_FromPath(jsii.String("$.detail.resources[0].ARN")),
		"operation":  awsevents.EventField_FromPath(jsii.String("$.detail.eventName")),
		"error":      awsevents.EventField_FromPath(jsii.String("$.detail.errorCode")),
		"callerType": awsevents.EventField_FromPath(jsii.String("$.detail.userIdentity.type")),
		"account":    awsevents.EventField_FromPath(jsii.String("$.account")),
		"region":     awsevents.EventField_FromPath(jsii.String("$.region")),
		// A principal's ARN, or the AWS service's name: one of the two is missing, so the
		// value stays a quoted string (Bounded.Target).
		"caller": field("$.detail.userIdentity.arn") + field("$.detail.userIdentity.invokedBy"),
		// The caller's account: what names a principal of another account (type AWSAccount), which has neither.
		"callerAccount": "account " + field("$.detail.userIdentity.accountId"),
		"advice":        advice,
		"command":       command,
	}, e.DeadLetterQueue))
	return rule
}

// boundedOrWarn returns the Bounded delivery of what's messages to topic
// (under scope), or nil: when bounded is false, or, with the warning
// kmsmonitor:notificationsUnbounded, in a Region without EventBridge Pipes.
func boundedOrWarn(scope constructs.Construct, bounded *bool, topic awssns.ITopic, template, what, advice string) *alerting.Bounded {
	if !boundedWanted(scope, bounded, what+" sends one message per failed call", advice) {
		return nil
	}
	return alerting.NewBounded(scope, topic, template)
}

// boundedWanted reports whether scope's messages (or starts) are bounded:
// unless bounded is false, where EventBridge Pipes exists; elsewhere the
// warning kmsmonitor:notificationsUnbounded says that what happens instead,
// and advice what to do.
func boundedWanted(scope constructs.Construct, bounded *bool, what, advice string) bool {
	region := *awscdk.Stack_Of(scope).Region()
	switch {
	case bounded != nil && !*bounded:
		return false
	case alerting.PipesAvailable(region):
		return true
	}
	awscdk.Annotations_Of(scope).AddWarningV2(jsii.String("kmsmonitor:notificationsUnbounded"), jsii.String(fmt.Sprintf(
		"EventBridge Pipes is not available in %s, so %s, however often an application retries: "+
			"%s; set BoundedMessages to false to acknowledge.", region, what, advice)), nil)
	return false
}

// checkBoundedMessages refuses BoundedMessages true in a stack of a Region
// without EventBridge Pipes.
func checkBoundedMessages(c *propcheck.Checker, scope constructs.Construct, bounded *bool) {
	if region := *awscdk.Stack_Of(scope).Region(); bounded != nil && *bounded && !alerting.PipesAvailable(region) {
		c.Addf("BoundedMessages", "is true, but EventBridge Pipes, which bounds the messages, does not exist in %s: leave it unset (one message per failed call, with a warning) or false", region)
	}
}

// keyUseMessage is the text of KeyUseEvents' notifications, from the body its rules send.
var keyUseMessage = fmt.Sprintf("kmsmonitor: <$.body.what>.\n"+
	"Key: <$.body.key>\n"+
	"Operation: <$.body.operation> (<$.body.error>)\n"+
	"Caller: <$.body.caller> (<$.body.callerType>, <$.body.callerAccount>)\n"+
	"Account: <$.body.account>, Region: <$.body.region>\n"+
	"<$.body.advice>: <$.body.command> <$.body.key>\n"+
	"This message is sent once per key, operation and caller every %d minutes while the calls go on: "+
	"find every call in CloudTrail (event history, or the trail's log group).", alerting.DeduplicationWindowMinutes)
