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

// KeyPolicyOperations are the KMS API calls that set a key policy.
var KeyPolicyOperations = []string{"PutKeyPolicy", "CreateKey"}

// PublicPrincipalPolicyPatterns are the EventBridge wildcard patterns that
// KeyPolicyChanges matches against requestParameters.policy, the key policy
// as the caller sent it: one JSON string, which event patterns cannot parse.
// Each finds the principal "*" (`\*` is a literal asterisk) written as a
// string or as the first entry of a list, with the spacing of compact JSON,
// of json.dumps and of pretty-printed JSON (" : ", as in the console's
// recorded policies); "*" within one line. They apply to every caller but
// CloudFormation: they cannot tell an Allow from a Deny, and a deployment
// sets DeletionGuard's Deny of "*" in every guarded key's policy. A policy
// laid out otherwise (a "*" later in a list, other whitespace, Unicode
// escapes) is not matched: use EveryChange on the keys that matter for a
// complete record.
var PublicPrincipalPolicyPatterns = []string{
	`*"Principal":"\*"*`, `*"Principal": "\*"*`, `*"Principal" : "\*"*`,
	`*"AWS":"\*"*`, `*"AWS": "\*"*`, `*"AWS" : "\*"*`,
	`*"AWS":["\*"*`, `*"AWS": ["\*"*`, `*"AWS" : [ "\*"*`,
}

// PublicAllowPolicyPatterns find, in the compact JSON CloudFormation sends
// (aws-cdk-lib writes "Effect" right before "Principal"), a statement that
// allows the principal "*": they apply to CloudFormation's calls, where a
// Deny of "*" (DeletionGuard's) must not be reported.
var PublicAllowPolicyPatterns = []string{
	`*"Effect":"Allow","Principal":"\*"*`, `*"Effect":"Allow","Principal":{"AWS":"\*"*`, `*"Effect":"Allow","Principal":{"AWS":["\*"*`,
}

// KeyPolicyChangesProps configures KeyPolicyChanges.
type KeyPolicyChangesProps struct {
	// Keys limits the report to these keys. CreateKey names a key that did
	// not exist before, so with keys given only PutKeyPolicy is reported.
	// Default: every key.
	Keys []awskms.IKey
	// KeyArns limits the report to these key ARNs.
	// Default: every key.
	KeyArns []string
	// EveryChange reports every successful PutKeyPolicy, and every CreateKey
	// that sets a policy, instead of only those whose policy names the
	// principal "*". It is the only way to see grants to other accounts,
	// which no event pattern can tell from grants to your own. AWS services
	// and CloudFormation deployments change key policies too: give Keys or
	// KeyArns with it.
	// Default: false.
	EveryChange *bool
	// Topic receives the messages.
	// Default: a new SNS topic encrypted with a new customer managed KMS key.
	Topic awssns.ITopic
	// Emails are subscribed to Topic.
	// Default: no subscription.
	Emails []string
	// DeadLetterQueue keeps the messages that could not be delivered after 24 hours.
	// Default: a new SSE-SQS encrypted, TLS-only queue keeping messages 14 days.
	DeadLetterQueue awssqs.IQueue
	// shared is the notification a composing construct (KeyMonitoring)
	// decided for all its parts; used when Topic is nil.
	shared *alerting.Notification
}

// KeyPolicyChanges reports key policies set by PutKeyPolicy or CreateKey, by
// default those that grant to the principal "*" (anyone, in any account,
// unless a Condition narrows it), from the CloudTrail events EventBridge
// receives. The message quotes the whole policy, so the reader sees the
// conditions and the accounts named. EventBridge matches the policy as text
// (see PublicPrincipalPolicyPatterns): a policy whose "*" carries a Condition
// is reported too, and a policy laid out unusually is not. Failed calls
// change no policy and are not reported.
type KeyPolicyChanges struct {
	constructs.Construct

	// Rule is the first of Rules.
	Rule awsevents.Rule
	// Rules match the policy changes: one, or as many as the event pattern quota needs for the keys given.
	Rules []awsevents.Rule
	// Topic receives the messages.
	Topic awssns.ITopic
	// TopicKey encrypts Topic; nil when Topic was given.
	TopicKey awskms.Key
	// DeadLetterQueue keeps undelivered messages.
	DeadLetterQueue awssqs.IQueue
}

// NewKeyPolicyChanges creates KeyPolicyChanges. props may be nil. It panics
// with a *ValidationError when props are invalid.
func NewKeyPolicyChanges(scope constructs.Construct, id *string, props *KeyPolicyChangesProps) *KeyPolicyChanges {
	p, node, c := start("kmsmonitor.KeyPolicyChanges", scope, id, props)
	every := p.EveryChange != nil && *p.EveryChange
	w := keyCallRules{keys: p.Keys, keyArns: p.KeyArns, detail: func(k []*string) map[string]interface{} { return keyPolicyDetail(k, every) },
		// Only the key's own account can create it or change its policy.
		sameAccount: true, events: "CloudTrail events of key policy changes",
		topic: p.Topic, dlq: p.DeadLetterQueue, emails: p.Emails, shared: p.shared}
	chunks := w.validate(c)
	c.PanicIfAny()

	k := &KeyPolicyChanges{Construct: node}
	var n alerting.Notification
	k.DeadLetterQueue, n = w.delivery(node)
	k.Topic, k.TopicKey = n.Topic, n.Key
	what, description := "a KMS key policy names the principal \"*\"", "kmsmonitor: KMS key policies that name the principal \"*\""
	if every {
		what, description = "a KMS key policy was set", "kmsmonitor: every KMS key policy set"
	}
	k.Rules = w.rules(node, chunks, description, k.target(what))
	k.Rule = k.Rules[0]
	return k
}

// keyPolicyDetail matches the policy changes on keyArns (every key when
// empty): every change, or those naming the principal "*" (by anyone but
// CloudFormation) or allowing it (CloudFormation included).
func keyPolicyDetail(keyArns []*string, every bool) map[string]interface{} {
	detail := map[string]interface{}{
		"eventSource": []string{"kms.amazonaws.com"},
		"eventName":   KeyPolicyOperations,
		"errorCode":   []interface{}{map[string]bool{"exists": false}},
	}
	wildcards := func(patterns []string) map[string]interface{} {
		var policy []interface{}
		for _, w := range patterns {
			policy = append(policy, map[string]string{"wildcard": w})
		}
		return map[string]interface{}{"policy": policy}
	}
	if every {
		// CreateKey without a policy gets the default key policy: nothing to report.
		detail["requestParameters"] = map[string]interface{}{"policy": []interface{}{map[string]bool{"exists": true}}}
	} else {
		detail["$or"] = []interface{}{
			map[string]interface{}{"requestParameters": wildcards(PublicAllowPolicyPatterns)},
			map[string]interface{}{"requestParameters": wildcards(PublicPrincipalPolicyPatterns),
				"sourceIPAddress": []interface{}{map[string]interface{}{"anything-but": []string{deployedBy}}}},
		}
	}
	if len(keyArns) > 0 {
		detail["resources"] = map[string]interface{}{"ARN": keyArns}
	}
	return detail
}

func (k *KeyPolicyChanges) target(what string) awsevents.IRuleTarget {
	return alerting.NotifyTarget(k.Topic, awsevents.RuleTargetInput_FromMultilineText(jsii.String(fmt.Sprintf(
		"kmsmonitor: %s.\nKey: %s\nOperation: %s\nBy: %s%s (%s) from %s\nAccount: %s, Region: %s, time: %s\n"+
			"Check every statement whose Principal is \"*\" or another account: without a Condition that narrows it, it lets anyone use or manage the key.\n"+
			"Policy as set:\n%s",
		what, field("$.detail.resources[0].ARN"), field("$.detail.eventName"),
		field("$.detail.userIdentity.arn"), field("$.detail.userIdentity.invokedBy"), field("$.detail.userIdentity.type"),
		field("$.detail.sourceIPAddress"), field("$.account"), field("$.region"), field("$.time"),
		field("$.detail.requestParameters.policy")))), k.DeadLetterQueue)
}
