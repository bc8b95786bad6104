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

// KeyMaterialOperations are the KMS API calls ImportedKeyMaterialChanges reports.
var KeyMaterialOperations = []string{"ImportKeyMaterial", "DeleteImportedKeyMaterial"}

// ImportedKeyMaterialChangesProps configures ImportedKeyMaterialChanges.
type ImportedKeyMaterialChangesProps struct {
	// Keys limits the report to these keys.
	// Default: every key.
	Keys []awskms.IKey
	// KeyArns limits the report to these key ARNs.
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
	// shared is the notification a composing construct (KeyMonitoring)
	// decided for all its parts; used when Topic is nil.
	shared *alerting.Notification
}

// ImportedKeyMaterialChanges reports key material imported into, or deleted
// from, KMS keys (ImportKeyMaterial, DeleteImportedKeyMaterial): deleting
// the material makes a key unusable at once, and importing attacker-held
// material is a ransomware technique (Sigma, Elastic detection rules). Calls
// by AWS services (userIdentity.type AWSService, or a userIdentity.invokedBy)
// and failed calls are not reported.
type ImportedKeyMaterialChanges struct {
	constructs.Construct

	// Rule is the first of Rules.
	Rule awsevents.Rule
	// Rules match the calls: one, or as many as the event pattern quota needs for the keys given.
	Rules []awsevents.Rule
	// Topic receives the messages.
	Topic awssns.ITopic
	// TopicKey encrypts Topic; nil when Topic was given.
	TopicKey awskms.Key
	// DeadLetterQueue keeps undelivered messages.
	DeadLetterQueue awssqs.IQueue
}

// NewImportedKeyMaterialChanges creates ImportedKeyMaterialChanges. props may
// be nil. It panics with a *ValidationError when props are invalid.
func NewImportedKeyMaterialChanges(scope constructs.Construct, id *string, props *ImportedKeyMaterialChangesProps) *ImportedKeyMaterialChanges {
	p, node, c := start("kmsmonitor.ImportedKeyMaterialChanges", scope, id, props)
	w := keyCallRules{keys: p.Keys, keyArns: p.KeyArns, detail: keyMaterialDetail,
		// Only the key's own account can import or delete its key material.
		sameAccount: true, events: "CloudTrail events of key material imports and deletions",
		topic: p.Topic, dlq: p.DeadLetterQueue, emails: p.Emails, shared: p.shared}
	chunks := w.validate(c)
	c.PanicIfAny()

	m := &ImportedKeyMaterialChanges{Construct: node}
	var n alerting.Notification
	m.DeadLetterQueue, n = w.delivery(node)
	m.Topic, m.TopicKey = n.Topic, n.Key
	m.Rules = w.rules(node, chunks, "kmsmonitor: KMS key material imported or deleted", m.target())
	m.Rule = m.Rules[0]
	return m
}

// keyMaterialDetail matches the calls on keyArns (every key when empty).
func keyMaterialDetail(keyArns []*string) map[string]interface{} {
	detail := map[string]interface{}{
		"eventSource": []string{"kms.amazonaws.com"},
		"eventName":   KeyMaterialOperations,
		"errorCode":   []interface{}{map[string]bool{"exists": false}},
		"userIdentity": map[string]interface{}{
			"type":      []interface{}{map[string]string{"anything-but": "AWSService"}},
			"invokedBy": []interface{}{map[string]bool{"exists": false}},
		},
	}
	if len(keyArns) > 0 {
		detail["resources"] = map[string]interface{}{"ARN": keyArns}
	}
	return detail
}

func (m *ImportedKeyMaterialChanges) target() awsevents.IRuleTarget {
	key := field("$.detail.resources[0].ARN")
	return alerting.NotifyTarget(m.Topic, awsevents.RuleTargetInput_FromMultilineText(jsii.String(fmt.Sprintf(
		"kmsmonitor: key material of a KMS key was imported or deleted.\nKey: %s\nOperation: %s\n"+
			"Key material ID: %s, valid to: %s (%s)\nBy: %s (%s) from %s\nAccount: %s, Region: %s, time: %s\n"+
			"If nobody planned this, treat it as an attack: material imported by someone else can be deleted or left to expire by them, "+
			"and deleted material makes the key unusable until the same material is imported again. Check the key with: aws kms describe-key --key-id %s",
		key, field("$.detail.eventName"),
		field("$.detail.responseElements.keyMaterialId"), field("$.detail.requestParameters.validTo"), field("$.detail.requestParameters.expirationModel"),
		field("$.detail.userIdentity.arn"), field("$.detail.userIdentity.type"), field("$.detail.sourceIPAddress"),
		field("$.account"), field("$.region"), field("$.time"), key))), m.DeadLetterQueue)
}
