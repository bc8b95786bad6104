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

// GrantOperations are the KMS API calls GrantAudit reports.
var GrantOperations = []string{"CreateGrant", "RetireGrant", "RevokeGrant"}

// GrantAuditProps configures GrantAudit.
type GrantAuditProps struct {
	// Keys limits the audit to these keys.
	// Default: every key.
	Keys []awskms.IKey
	// KeyArns limits the audit to these key ARNs.
	// Default: every key.
	KeyArns []string
	// Topic receives the messages.
	// Default: a new SNS topic encrypted with a new customer managed KMS key.
	Topic awssns.ITopic
	// Emails are subscribed to Topic.
	// Default: no subscription.
	Emails []string
	// DeadLetterQueue keeps the messages that could not be delivered after 24 hours.
	// Default: a new SSE-SQS encrypted, TLS-only queue keeping messages 14 days.
	DeadLetterQueue awssqs.IQueue
	// shared is the notification a composing construct (KeyMonitoring,
	// CentralKeyMonitoring) decided for all its parts; used when Topic is nil.
	shared *alerting.Notification
}

// GrantAudit reports every grant created, retired or revoked on KMS keys
// (grants give other principals, such as AWS services, use of a key) with
// the grantee, the operations and the encryption context. Failed and DryRun
// calls are not reported: they change no grant. AWS services create grants
// all the time (ECS Fargate for its ephemeral storage keys, EBS, RDS...):
// limit it to the keys you care about.
type GrantAudit struct {
	constructs.Construct

	// Rule is the first of Rules.
	Rule awsevents.Rule
	// Rules match the grant calls: one, or as many as the event pattern quota needs for the keys given.
	Rules []awsevents.Rule
	// Topic receives the messages.
	Topic awssns.ITopic
	// TopicKey encrypts Topic; nil when Topic was given.
	TopicKey awskms.Key
	// DeadLetterQueue keeps undelivered messages.
	DeadLetterQueue awssqs.IQueue
}

// NewGrantAudit creates GrantAudit. props may be nil. It panics with a
// *ValidationError when props are invalid.
func NewGrantAudit(scope constructs.Construct, id *string, props *GrantAuditProps) *GrantAudit {
	p, node, c := start("kmsmonitor.GrantAudit", scope, id, props)
	w := keyCallRules{keys: p.Keys, keyArns: p.KeyArns, detail: grantDetail,
		// A grant call on a key of another account is recorded in the caller's account too: only the Region must match.
		sameAccount: false, events: "CloudTrail events of grant calls",
		topic: p.Topic, dlq: p.DeadLetterQueue, emails: p.Emails, shared: p.shared}
	chunks := w.validate(c)
	c.PanicIfAny()

	g := &GrantAudit{Construct: node}
	var n alerting.Notification
	g.DeadLetterQueue, n = w.delivery(node)
	g.Topic, g.TopicKey = n.Topic, n.Key
	g.Rules = w.rules(node, chunks, "kmsmonitor: KMS grants created, retired or revoked", g.target())
	g.Rule = g.Rules[0]
	return g
}

// grantDetail matches the grant calls on keyArns (every key when empty).
func grantDetail(keyArns []*string) map[string]interface{} {
	detail := map[string]interface{}{
		"eventSource": []string{"kms.amazonaws.com"},
		"eventName":   GrantOperations,
		// No error code: the call succeeded (DryRun calls fail with DryRunOperationException).
		"errorCode": []interface{}{map[string]bool{"exists": false}},
	}
	if len(keyArns) > 0 {
		detail["resources"] = map[string]interface{}{"ARN": keyArns}
	}
	return detail
}

func (g *GrantAudit) target() awsevents.IRuleTarget {
	return alerting.NotifyTarget(g.Topic, awsevents.RuleTargetInput_FromMultilineText(jsii.String(fmt.Sprintf(
		"kmsmonitor grant audit: %s on KMS key %s\nGrantee: %s\nOperations: %s\nEncryption context: %s\nGrant ID: %s%s\nBy: %s%s from %s, account %s, Region %s, at %s",
		field("$.detail.eventName"), field("$.detail.resources[0].ARN"),
		field("$.detail.requestParameters.granteePrincipal"), field("$.detail.requestParameters.operations"),
		field("$.detail.requestParameters.constraints.encryptionContextSubset"),
		field("$.detail.responseElements.grantId"), field("$.detail.additionalEventData.grantId"),
		field("$.detail.userIdentity.arn"), field("$.detail.userIdentity.invokedBy"), field("$.detail.sourceIPAddress"),
		field("$.account"), field("$.region"), field("$.time")))), g.DeadLetterQueue)
}
