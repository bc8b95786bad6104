package kmsmonitor

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

// keyCallRules is what the constructs that watch successful KMS calls on
// keys through CloudTrail (GrantAudit, KeyPolicyChanges,
// ImportedKeyMaterialChanges) share: their keys, where the calls are
// recorded, the rules (one per chunk of keys within the pattern quota), and
// where the notifications go.
type keyCallRules struct {
	keys    []awskms.IKey
	keyArns []string
	// sameAccount: only the key's own account makes (and records) the call.
	sameAccount bool
	// events names the calls in messages, such as "CloudTrail events of grant calls".
	events string
	// detail is the CloudTrail detail pattern for a chunk of key ARNs.
	detail func(keyArns []*string) map[string]interface{}

	topic  awssns.ITopic
	dlq    awssqs.IQueue
	emails []string
	shared *alerting.Notification
}

// validate checks the keys and delivery props in c's pass, and returns the
// key ARNs in chunks, one rule each.
func (w keyCallRules) validate(c *propcheck.Checker) [][]*string {
	keys := keyInput{keys: w.keys, keyArns: w.keyArns, why: "CloudTrail names keys by ARN"}.resolve(c)
	checkKeyEventsRegion(c, nil, keys, w.sameAccount, w.events)
	chunks := fitPatterns(c, "KeyArns", arns(keys), worstKeyArn, func(k []*string) *awsevents.EventPattern { return cloudTrailPattern(w.detail(k)) })
	alerting.CheckRuleDeliveryProps(c, w.topic, w.dlq, w.emails)
	alerting.ReserveSenders(c, "DeadLetterQueue", w.dlq, len(chunks), false)
	return chunks
}

// delivery creates (or takes) the dead-letter queue and the topic.
func (w keyCallRules) delivery(node constructs.Construct) (awssqs.IQueue, alerting.Notification) {
	dlq := alerting.UseOrCreateDeadLetterQueue(node, w.dlq)
	return dlq, alerting.Decide(node, w.topic, w.emails, nil, w.shared)
}

// rules creates one rule per chunk ("Rule", "Rule2"...), each with target.
// The calls are write events: rules in the ENABLED state receive them.
func (w keyCallRules) rules(node constructs.Construct, chunks [][]*string, description string, target awsevents.IRuleTarget) []awsevents.Rule {
	var out []awsevents.Rule
	for i, chunk := range chunks {
		rule := newCloudTrailRule(node, numbered("Rule", i), description, w.detail(chunk), false, nil)
		rule.AddTarget(target)
		out = append(out, rule)
	}
	return out
}
