package iamsimtest

// What each AWS service sends when it delivers, and the principal it uses.
// This table is the harness's own knowledge: the expected principal of a
// path never comes from the template under test.

// ServicePrincipal returns the principal with which service (such as
// "cloudwatch" or "logs") calls other services from region in partition.
func ServicePrincipal(service, region, partition string) string {
	switch service {
	case "logs-scheduled-query":
		// The role of a log alarm's scheduled query: "The role must trust the
		// logs.amazonaws.com service principal" (CloudWatch User Guide,
		// "Create a log alarm"), the global name, not the Regional one CloudWatch
		// Logs uses with KMS.
		return "logs.amazonaws.com"
	case "logs":
		// CloudWatch Logs is Regional: "Encrypt log data in CloudWatch Logs
		// using AWS KMS" (CloudWatch Logs user guide) gives
		// logs.<region>.amazonaws.com, and logs.<region>.amazonaws.com.cn in
		// the China Regions.
		if partition == "aws-cn" {
			return "logs." + region + ".amazonaws.com.cn"
		}
		return "logs." + region + ".amazonaws.com"
	}
	// cloudwatch: "Amazon SNS topic access policy for CloudWatch alarms"
	// (CloudWatch user guide, "Using Amazon CloudWatch alarms") and AWS
	// re:Post "Why didn't I receive an SNS notification for my CloudWatch
	// alarm trigger?": cloudwatch.amazonaws.com.
	// events: "Using resource-based policies for Amazon EventBridge"
	// (EventBridge user guide): events.amazonaws.com, in every partition.
	// cloudtrail: "Amazon S3 bucket policy for CloudTrail" and "Configure AWS
	// KMS key policies for CloudTrail" (CloudTrail user guide):
	// cloudtrail.amazonaws.com.
	// ssm: "Configure a service role for Automation" (Systems Manager user
	// guide): ssm.amazonaws.com.
	return service + ".amazonaws.com"
}

// Source context: "AWS global condition context keys" (IAM user guide)
// documents that a service calling on behalf of a resource sends
// aws:SourceArn (that resource's ARN) and aws:SourceAccount (its account).
// Every delivery here runs over TLS, so aws:SecureTransport is "true".
func sourceContext(sourceArn, account string) map[string]any {
	ctx := map[string]any{"aws:SecureTransport": "true", "aws:SourceAccount": account}
	if sourceArn != "" {
		ctx["aws:SourceArn"] = sourceArn
	}
	return ctx
}

// eventBridgeToEncryptedTopicContext is what EventBridge sends to KMS when it
// publishes to an encrypted SNS topic: no aws:SourceArn, no
// aws:SourceAccount ("Amazon SNS: Enable compatibility between event sources
// from AWS services and encrypted topics", SNS developer guide: the key
// policy statement for EventBridge carries no source condition). The same is
// assumed for encrypted SQS queues, the stricter assumption.
// eventBridgeToTopicContext is what EventBridge sends to SNS when a rule
// publishes to a topic: no source keys to rely on ("You can't use Condition
// blocks in Amazon SNS topic policies for EventBridge", EventBridge User
// Guide, "Using resource-based policies for Amazon EventBridge"), so a topic
// policy with one refuses the rule.
func eventBridgeToTopicContext() map[string]any {
	return map[string]any{"aws:SecureTransport": "true"}
}

// eventBridgeToKeyContext is what EventBridge sends to the key of an
// encrypted topic or queue: no source keys either.
func eventBridgeToKeyContext() map[string]any {
	return map[string]any{"aws:SecureTransport": "true"}
}

// cloudWatchToKeyContext is what CloudWatch is assumed to send to the key of
// an encrypted topic when an alarm publishes: no source keys. AWS documents
// the key policy statement for CloudWatch without conditions ("Amazon SNS:
// Enable compatibility between event sources from AWS services and encrypted
// topics"; AWS re:Post "cloudwatch-configure-alarm-sns") and nowhere says
// that CloudWatch passes aws:SourceArn to KMS, so the harness assumes the
// stricter case: a key policy that needs them is refused.
func cloudWatchToKeyContext(_, _ string) map[string]any {
	return map[string]any{"aws:SecureTransport": "true"}
}

// Actions each service calls, from the same documents.
var (
	// SNS publishing to an encrypted topic: kms:GenerateDataKey* and kms:Decrypt
	// (SNS developer guide, "Configuring AWS KMS permissions"). The wildcard
	// is evaluated as kms:GenerateDataKey.
	topicKeyActions = []string{"kms:GenerateDataKey", "kms:Decrypt"}
	// SQS sending to an encrypted queue: the same two (SQS developer guide,
	// "Key management").
	queueKeyActions = []string{"kms:GenerateDataKey", "kms:Decrypt"}
	// CloudWatch Logs using the key of an encrypted log group: CloudWatch
	// Logs user guide, "Encrypt log data in CloudWatch Logs using AWS KMS",
	// step 2 (key policy).
	logsKeyActions = []string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:DescribeKey"}
	// CloudTrail delivering to CloudWatch Logs through its role: CloudTrail
	// user guide, "Sending events to CloudWatch Logs" (role policy).
	trailLogsActions = []string{"logs:CreateLogStream", "logs:PutLogEvents"}
)

// A foreign account, outside the organization, used for the paths that must
// be refused.
const foreignAccount = "444455556666"

// An account of the organization other than the test account.
const orgMemberAccount = "777788889999"
