package kmsmonitor

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
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
	// shared is the notification a composing construct (KeyMonitoring,
	// CentralKeyMonitoring) decided for all its parts; used when Topic is nil.
	shared *alerting.Notification
}

// KeyUseEvents detects the use of a KMS key that is pending deletion (and, by
// default, of a disabled key) from the CloudTrail events EventBridge receives,
// with no log group, metric filter or log ingestion, in seconds, and sends a
// message that names the key, the operation and the caller. It needs a trail
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

	bus awsevents.IEventBus
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
	c.PanicIfAny()

	e := &KeyUseEvents{Construct: node, DeadLetterQueue: p.DeadLetterQueue, bus: p.EventBus}
	e.DeadLetterQueue = alerting.UseOrCreateDeadLetterQueue(node, p.DeadLetterQueue)
	n := alerting.Decide(node, p.Topic, p.Emails, nil, p.shared)
	e.Topic, e.TopicKey = n.Topic, n.Key
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
	key := field("$.detail.resources[0].ARN")
	rule.AddTarget(alerting.NotifyTarget(e.Topic, awsevents.RuleTargetInput_FromMultilineText(jsii.String(fmt.Sprintf(
		"kmsmonitor: %s.\nKey: %s\nOperation: %s (%s)\nCaller: %s%s (%s) from %s\nAccount: %s, Region: %s, time: %s\n%s: %s %s",
		what, key, field("$.detail.eventName"), field("$.detail.errorCode"),
		field("$.detail.userIdentity.arn"), field("$.detail.userIdentity.invokedBy"), field("$.detail.userIdentity.type"),
		field("$.detail.sourceIPAddress"), field("$.account"), field("$.region"), field("$.time"),
		advice, command, key))), e.DeadLetterQueue))
	return rule
}
