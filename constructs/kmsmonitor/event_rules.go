package kmsmonitor

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// maxRuleTargets is EventBridge's limit of targets per rule.
const maxRuleTargets = 5

// Error-message suffixes of KMS calls that fail because of the key's state:
// the one home of these strings (filter patterns, event patterns, the allow
// list of key-aware cancellation).
const (
	pendingDeletionSuffix = " is pending deletion."
	disabledSuffix        = " is disabled."
)

// newCloudTrailRule creates a rule on "AWS API Call via CloudTrail" events of
// AWS KMS whose detail matches detail. With readOnly, the rule also receives
// read-only management events (Decrypt, Encrypt, GenerateDataKey...), which
// reach only rules in the state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS,
// on the default bus and on custom buses alike (EventBridge User Guide,
// "Receiving read-only management events from AWS services"): a central bus
// receiving forwarded read-only events needs that state too.
func newCloudTrailRule(scope constructs.Construct, id, description string, detail map[string]interface{}, readOnly bool, bus awsevents.IEventBus) awsevents.Rule {
	rule := awsevents.NewRule(scope, jsii.String(id), &awsevents.RuleProps{
		EventBus:    bus,
		Description: jsii.String(description),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.kms"),
			DetailType: jsii.Strings("AWS API Call via CloudTrail"),
			Detail:     &detail,
		},
	})
	if readOnly {
		// The L2 Rule writes only ENABLED or DISABLED.
		rule.Node().DefaultChild().(awsevents.CfnRule).AddPropertyOverride(jsii.String("State"), jsii.String("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"))
	}
	return rule
}

// field is the input-transformer placeholder of the event field at path.
func field(path string) string { return *awsevents.EventField_FromPath(jsii.String(path)) }
