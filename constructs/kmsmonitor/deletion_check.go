package kmsmonitor

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/nagsuppress"
)

// DeletionCheckProps configures DeletionCheck.
type DeletionCheckProps struct {
	// MinDaysWithoutUsage: a key used within this many days has its deletion
	// cancelled.
	// Default: DefaultMinDaysWithoutUsage (365 days).
	MinDaysWithoutUsage *float64
	// UnknownCountsAsUsed decides a key with no use recorded, created before
	// tracking began (KeyCreationDate before TrackingStartDate), when
	// tracking has not yet covered MinDaysWithoutUsage days: true cancels its
	// deletion. Deletion cannot be undone and cancelling can (schedule it
	// again, with this set to false or after checking CloudTrail).
	// Default: true.
	UnknownCountsAsUsed *bool
	// Topic receives one message per scheduled deletion: the key, what was
	// decided, the last operation, its time and CloudTrail event ID, and who
	// scheduled the deletion.
	// Default: a new SNS topic encrypted with a new customer managed KMS key.
	Topic awssns.ITopic
	// Emails are subscribed to Topic.
	// Default: no subscription.
	Emails []string
	// DeadLetterQueue keeps the events whose automation could not be started
	// after 185 attempts over 24 hours.
	// Default: a new SSE-SQS encrypted, TLS-only queue keeping messages 14 days.
	DeadLetterQueue awssqs.IQueue
	// BreakGlassPrincipalArns are the IAM roles and users whose deletions are
	// reported and not cancelled: the same list as DeletionGuard's, matched
	// as its aws:PrincipalArn condition is (ArnLike; a role session is its
	// role's ARN, path included).
	// Default: nobody is exempt.
	BreakGlassPrincipalArns []string

	// shared is the notification a composing construct (KeyMonitoring)
	// decided for all its parts; used when Topic is nil.
	shared *alerting.Notification
}

// DeletionCheck reacts to every successful ScheduleKeyDeletion of a key of
// its account and Region, for keys whose policies the app does not own: an
// EventBridge rule on the CloudTrail record starts this construct's own
// Systems Manager Automation document, which reads the key's last use
// (kms:GetKeyLastUsage). If the key was used within MinDaysWithoutUsage days
// (or the answer is unknown and UnknownCountsAsUsed), it cancels the deletion:
// the key is then left disabled, as CancelKeyDeletion leaves every key; enable
// it again once you know who needs it. Either way it notifies Topic. A
// deletion scheduled by a BreakGlassPrincipalArns principal, or by
// CloudFormation for a key of this stack given to AllowDeletionWithStack, is
// reported at once and neither checked nor cancelled.
//
// A multi-Region primary key with replicas goes to PendingReplicaDeletion,
// others to PendingDeletion: both are handled. Primary and replica keys are
// tracked apart, so the check judges the scheduled key's own use only; the
// message says so for multi-Region keys. Failed and dry-run calls are ignored.
//
// Needs a trail that records management events (write events suffice).
// The automation waits an hour first (last use is recorded up to an hour
// late). Its Decide step (aws:executeScript, python3.11) calls
// GetKeyLastUsage (April 2026) with the boto3 of the Automation runtime; that
// its SDK has the operation could not be verified offline. If the call cannot
// be made or fails (an SDK without it, access denied, throttled throughout),
// the key's last use is "unknown", which UnknownCountsAsUsed decides, and the
// message says why.
type DeletionCheck struct {
	constructs.Construct

	// Rule starts the automation on successful ScheduleKeyDeletion calls.
	Rule awsevents.Rule
	// Document is the automation document.
	Document awsssm.CfnDocument
	// AutomationRole is the role the automation runs with.
	AutomationRole awsiam.Role
	// EventsRole is the role EventBridge starts the automation with.
	EventsRole awsiam.Role
	// AutomationPolicy and EventsPolicy are the roles' managed policies.
	AutomationPolicy, EventsPolicy awsiam.ManagedPolicy
	// Topic receives the notifications.
	Topic awssns.ITopic
	// TopicKey encrypts Topic; nil when Topic was given.
	TopicKey awskms.Key
	// DeadLetterQueue keeps undelivered events.
	DeadLetterQueue awssqs.IQueue
}

// NewDeletionCheck creates DeletionCheck. It panics with a *ValidationError
// when props are invalid.
func NewDeletionCheck(scope constructs.Construct, id *string, props *DeletionCheckProps) *DeletionCheck {
	p, node, c := start("kmsmonitor.DeletionCheck", scope, id, props)
	policy := validateGuard(c, p.MinDaysWithoutUsage, nil, p.BreakGlassPrincipalArns)
	alerting.CheckDeliveryProps(c, p.Topic, p.DeadLetterQueue, p.Emails)
	alerting.ReserveSenders(c, "DeadLetterQueue", p.DeadLetterQueue, 1, false)
	c.PanicIfAny()
	unknownUsed := p.UnknownCountsAsUsed == nil || *p.UnknownCountsAsUsed

	d := &DeletionCheck{Construct: node}
	stack := awscdk.Stack_Of(node)
	d.DeadLetterQueue = alerting.UseOrCreateDeadLetterQueue(node, p.DeadLetterQueue)
	n := alerting.Decide(node, p.Topic, p.Emails, nil, p.shared)
	d.Topic, d.TopicKey = n.Topic, n.Key

	// aws-cdk-lib has no L2 for SSM documents.
	d.Document = awsssm.NewCfnDocument(node, jsii.String("Document"), &awsssm.CfnDocumentProps{
		DocumentType:   jsii.String("Automation"),
		Content:        deletionCheckDocument(policy.minDays, unknownUsed, stack.ToJsonString(policy.breakGlass, nil)),
		UpdateMethod:   jsii.String("NewVersion"),
		DocumentFormat: jsii.String("JSON"),
	})
	definition := func(version string) *string {
		return stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("ssm"), Resource: jsii.String("automation-definition"),
			ResourceName: jsii.String(*d.Document.Ref() + ":" + version), ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME,
		})
	}
	d.createRoles(stack, definition("*"), len(policy.breakGlass) > 0)

	d.Rule = newCloudTrailRule(node, "Rule", "kmsmonitor: check the last use of a KMS key scheduled for deletion", map[string]interface{}{
		"eventSource": []string{"kms.amazonaws.com"},
		"eventName":   []string{"ScheduleKeyDeletion"},
		// Failed calls carry an errorCode (ScheduleKeyDeletion has no dry run).
		"errorCode": []interface{}{map[string]bool{"exists": false}},
	}, false, nil)
	d.Rule.AddTarget(&ssmAutomationTarget{
		definitionArn: definition("$DEFAULT"), role: d.EventsRole, dlq: d.DeadLetterQueue,
		input: awsevents.RuleTargetInput_FromObject(withMinDays(map[string]interface{}{
			"AutomationAssumeRole": []interface{}{d.AutomationRole.RoleArn()},
			"KeyId":                []interface{}{field("$.detail.resources[0].ARN")},
			"ScheduledBy":          []interface{}{field("$.detail.userIdentity.arn")},
			"SourceIp":             []interface{}{field("$.detail.sourceIPAddress")},
			"EventId":              []interface{}{field("$.detail.eventID")},
			"EventTime":            []interface{}{field("$.detail.eventTime")},
			"TopicArn":             []interface{}{d.Topic.TopicArn()},
		}, policy)),
	})
	return d
}

func (d *DeletionCheck) createRoles(stack awscdk.Stack, definitionArn *string, breakGlass bool) {
	account := &map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()}}
	d.AutomationRole = awsiam.NewRole(d.Construct, jsii.String("AutomationRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewPrincipalWithConditions(awsiam.NewServicePrincipal(jsii.String("ssm.amazonaws.com"), nil), account),
		Description: jsii.String("kmsmonitor DeletionCheck: reads the last use of a KMS key scheduled for deletion and cancels it if recent"),
	})
	statements := []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:     jsii.String("CheckAndCancelKeyDeletion"),
			Actions: jsii.Strings("kms:CancelKeyDeletion", "kms:DescribeKey", "kms:GetKeyLastUsage", "kms:ListResourceTags"),
			Resources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("kms"), Resource: jsii.String("key"), ResourceName: jsii.String("*"),
			})},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("Notify"), Actions: jsii.Strings("sns:Publish"), Resources: &[]*string{d.Topic.TopicArn()},
		}),
	}
	if breakGlass {
		// The Exempt step reads the path of the role whose session scheduled the deletion
		// (aws:PrincipalArn holds it; CloudTrail's assumed-role ARN does not).
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("ReadSchedulingRole"), Actions: jsii.Strings("iam:GetRole"),
			Resources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("iam"), Region: jsii.String(""), Resource: jsii.String("role"), ResourceName: jsii.String("*"),
			})},
		}))
	}
	if key := d.Topic.MasterKey(); key != nil {
		// SNS encrypts the message with the topic's key on the publisher's behalf.
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("EncryptNotifications"), Actions: jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
			Resources:  &[]*string{key.KeyArn()},
			Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"kms:ViaService": awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("sns."), stack.Region(), jsii.String("."), stack.UrlSuffix()})}},
		}))
	}
	// Customer managed policies rather than inline ones (NIST 800-53 IAMNoInlinePolicy).
	policy := awsiam.NewManagedPolicy(d.Construct, jsii.String("AutomationPolicy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("kmsmonitor DeletionCheck: what the check automation may do"),
		Roles:       &[]awsiam.IRole{d.AutomationRole},
		Statements:  &statements,
	})
	rules := []nagsuppress.Rule{{ID: "AwsSolutions-IAM5",
		Reason:    "Any key of this account and Region may be scheduled for deletion: the automation reads the tags and the use of, and may cancel the deletion of, the one key the CloudTrail record names.",
		AppliesTo: []nagsuppress.Finding{nagsuppress.Resource("arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*")}}}
	if breakGlass {
		rules = append(rules, nagsuppress.Rule{ID: "AwsSolutions-IAM5",
			Reason:    "Any role of this account may schedule a deletion: the automation reads the one role (its path) whose session the CloudTrail record names, to compare it with the break-glass principals.",
			AppliesTo: []nagsuppress.Finding{nagsuppress.Resource("arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*")}})
	}
	if d.Topic.MasterKey() != nil {
		rules = append(rules, nagsuppress.Rule{ID: "AwsSolutions-IAM5",
			Reason:    "kms:GenerateDataKey* names the GenerateDataKey family SNS calls for an encrypted topic, on the topic's key only.",
			AppliesTo: []nagsuppress.Finding{nagsuppress.Action("kms:GenerateDataKey*")}})
	}
	nagsuppress.On(policy, rules...)

	d.AutomationPolicy = policy
	d.EventsRole, d.EventsPolicy = newAutomationStarter(d.Construct, "DeletionCheck", "the check automation", []*string{definitionArn}, d.AutomationRole)
}

// decideScript reads the key's last use (kms:GetKeyLastUsage) and decides:
// "cancel" or "keep", with the case that applies and a one-line summary for
// the message. It calls KMS itself (boto3, as the automation role), so that
// the timestamps it compares come from the SDK as datetime objects and never
// cross an Automation output type. It retries throttling with backoff (KMS
// request quotas are per account and Region: deletions scheduled together
// check together), and turns what it cannot read (access denied, an SDK
// without the operation, any other error) into the "unknown" case, which
// UnknownCountsAsUsed decides. Executed in the tests
// against botocore's model of the KMS API (TestDeletionCheck_ScriptScenarios).
const decideScript = `import random
import time
from datetime import datetime, timedelta, timezone

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

ATTEMPTS = 8
# Retried with backoff: throttling, and the errors the KMS API reference
# documents as transient (KMSInternalException, DependencyTimeoutException),
# server errors, and lost connections; within RETRY_SECONDS, so that the
# step (timeoutSeconds 180) ends with a verdict.
THROTTLED = {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
TRANSIENT = THROTTLED | {"KMSInternalException", "DependencyTimeoutException", "InternalFailure", "ServiceUnavailable"}
RETRY_SECONDS = 100
# TrackingStartDate is the later of the date tracking began and the key's
# creation date: a key created after tracking began has both the same.
SAME_INSTANT = timedelta(minutes=1)


def utc(v):
    if not isinstance(v, datetime):
        return None
    return v if v.tzinfo else v.replace(tzinfo=timezone.utc)


def last_usage(key_id):
    """GetKeyLastUsage's answer, or None and why it could not be read."""
    # Retries are this loop's alone: botocore's would multiply them. Short
    # timeouts: a hung call is retried rather than waited for a minute.
    kms = boto3.client("kms", config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=10))
    if not hasattr(kms, "get_key_last_usage"):
        return None, "the automation runtime's AWS SDK (botocore %s) has no GetKeyLastUsage" % botocore.__version__
    start = time.monotonic()
    for attempt in range(ATTEMPTS):
        backoff = min(20.0, 0.5 * 2 ** attempt) * (0.5 + random.random() / 2)
        retry = attempt + 1 < ATTEMPTS and time.monotonic() - start + backoff < RETRY_SECONDS
        try:
            return kms.get_key_last_usage(KeyId=key_id), None
        except ClientError as e:
            error = e.response.get("Error", {})
            code = error.get("Code", "")
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if (code in TRANSIENT or status >= 500) and retry:
                time.sleep(backoff)
                continue
            if code == "AccessDeniedException":
                return None, ("access denied: the key policy (or a service control policy) does not let "
                              "the automation role call kms:GetKeyLastUsage on this key")
            if code in THROTTLED:
                return None, "GetKeyLastUsage was throttled %d times in a row" % (attempt + 1)
            return None, "GetKeyLastUsage failed %d time(s), last: %s: %s" % (attempt + 1, code, error.get("Message", ""))
        except BotoCoreError as e:
            if retry:
                time.sleep(backoff)
                continue
            return None, "GetKeyLastUsage failed %d time(s), last: %s" % (attempt + 1, e)


def handler(events, context):
    now = datetime.now(timezone.utc)
    min_days = int(events["MinDaysWithoutUsage"])
    unknown_used = str(events["UnknownCountsAsUsed"]).lower() == "true"
    note = ""
    if str(events.get("MultiRegion")).lower() == "true":
        note = " Multi-Region key: its primary and replicas are tracked apart; check the others too."
    answer, failure = last_usage(events["KeyId"])
    if answer is None:
        verdict = "cancel" if unknown_used else "keep"
        return {"verdict": verdict, "case": "unknown",
                "summary": "Its last use could not be read: %s (UnknownCountsAsUsed is %s).%s" % (
                    failure, "true" if unknown_used else "false", note)}
    usage = answer.get("KeyLastUsage") or {}
    last = utc(usage.get("Timestamp"))
    tracking = utc(answer.get("TrackingStartDate"))
    created = utc(answer.get("KeyCreationDate"))
    if last is not None:
        days = (now - last).days
        summary = "Used since tracking began: last used %d day(s) ago (%s at %s, CloudTrail event ID %s); the minimum is %d day(s) without use." % (
            days, usage.get("Operation", "?"), last.isoformat(), usage.get("CloudTrailEventId", "?"), min_days)
        return {"verdict": "cancel" if days <= min_days else "keep", "case": "used", "summary": summary + note}
    if created is not None and tracking is not None and created < tracking - SAME_INSTANT:
        tracked = (now - tracking).days
        if tracked <= min_days:
            verdict = "cancel" if unknown_used else "keep"
            summary = ("No use recorded, created before tracking began: created on %s, tracked since %s (%d day(s), "
                       "fewer than the minimum of %d), so it may have been used before (check CloudTrail; "
                       "UnknownCountsAsUsed is %s)." % (created.date(), tracking.date(), tracked, min_days,
                                                         "true" if unknown_used else "false"))
            return {"verdict": verdict, "case": "no-use-recorded", "summary": summary + note}
        summary = "No use recorded, created before tracking began: no use in the %d day(s) tracked since %s." % (
            tracked, tracking.date())
        return {"verdict": "keep", "case": "no-use-recorded", "summary": summary + note}
    if created is None or tracking is None:
        verdict = "cancel" if unknown_used else "keep"
        return {"verdict": verdict, "case": "unknown",
                "summary": "Its last use could not be read: GetKeyLastUsage recorded no use and gave no %s "
                           "(UnknownCountsAsUsed is %s).%s" % (
                               "KeyCreationDate" if created is None else "TrackingStartDate",
                               "true" if unknown_used else "false", note)}
    summary = "Never used: created after tracking began (on %s), and no use recorded since." % created.date()
    return {"verdict": "keep", "case": "never-used", "summary": summary + note}
`

// exemptScript decides whether a scheduled deletion is exempt: a key opted
// out (its tag OptOutTag is "true", read with kms:ListResourceTags); CloudFormation
// deleting, as the role the key's own tag names, a key given to
// AllowDeletionWithStack (its tag DeletableWithStackTag, read with
// kms:ListResourceTags: the exemption goes with the key, through stack
// updates, replacements and other stacks); or a caller whose aws:PrincipalArn
// matches a break-glass ARN as DeletionGuard's ArnNotLike condition does
// (IAM's ArnLike: the six colon-separated parts compared one by one, * and ?
// matching within a part, case-sensitive). CloudTrail names a role session
// arn:...:sts::ACCOUNT:assumed-role/NAME/SESSION, while aws:PrincipalArn is
// the role's ARN with its path: the script reads it with iam:GetRole. Where
// it cannot read what it needs, the deletion is not exempt: the check goes
// on (cancelling can be undone). BreakGlass comes as a JSON string. Executed
// in the tests against botocore's models of the IAM and KMS APIs
// (TestDeletionCheck_ExemptScenarios).
const exemptScript = `import json
import re

import boto3
from botocore.config import Config

ASSUMED_ROLE = re.compile(r"^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([^/]+)/")
TAG = "` + DeletableWithStackTag + `"
OPT_OUT = "` + OptOutTag + `"
CONFIG = Config(retries={"total_max_attempts": 3}, connect_timeout=5, read_timeout=10)


def arn_like(pattern, arn):
    """IAM's ArnLike: each of the six colon-separated parts matches its own."""
    p, a = pattern.split(":", 5), arn.split(":", 5)
    if len(p) != 6 or len(a) != 6:
        return False
    for want, got in zip(p, a):
        rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in want)
        if not re.fullmatch(rx, got, flags=re.S):
            return False
    return True


def without_path(role_arn):
    """A role's ARN without its path: a role's name is unique in its account."""
    head, _, rest = role_arn.partition(":role/")
    return head + ":role/" + rest.rsplit("/", 1)[-1] if rest else role_arn


def handler(events, context):
    key = events["KeyId"]
    key_account = key.split(":")[4] if key.count(":") >= 5 else ""
    kms = boto3.client("kms", config=CONFIG)
    try:
        answer = kms.list_resource_tags(KeyId=key)
        tags, unreadable = {t.get("TagKey"): t.get("TagValue") for t in answer.get("Tags", [])}, None
    except Exception as e:
        tags, unreadable = {}, e
    if tags.get(OPT_OUT) == "true":
        return {"exempt": True, "reason": "the key is opted out (its tag %s is true: kmsmonitor.OptOut)" % OPT_OUT}
    caller = events.get("ScheduledBy") or ""
    if not caller:
        return {"exempt": False, "reason": "who scheduled the deletion is not known"}
    session = ASSUMED_ROLE.match(caller)
    role = "arn:%s:iam::%s:role/%s" % session.groups() if session else None
    if events.get("SourceIp") == "cloudformation.amazonaws.com" and role:
        if unreadable is not None:
            return {"exempt": False, "reason": "CloudFormation scheduled it, and the key's tags could not be read (%s)" % unreadable}
        allowed = tags.get(TAG)
        if allowed and without_path(allowed) == role:
            return {"exempt": True, "reason": "CloudFormation scheduled it as %s, the role the key's tag %s names (kmsmonitor.AllowDeletionWithStack)" % (role, TAG)}
    patterns = [p for p in json.loads(events.get("BreakGlass") or "[]") if p]
    if not patterns:
        return {"exempt": False, "reason": "no exemption applies"}
    principal = caller
    if session:
        if session.group(2) != key_account:
            return {"exempt": False, "reason": "%s is a role of another account than the key's" % role}
        try:
            principal = boto3.client("iam", config=CONFIG).get_role(RoleName=session.group(3))["Role"]["Arn"]
        except Exception as e:  # denied, deleted since, throttled
            return {"exempt": False, "reason": "%s: its path could not be read (%s), so it was not compared with the break-glass principals" % (role, e)}
    for pattern in patterns:
        if arn_like(pattern, principal):
            return {"exempt": True, "reason": "%s scheduled it, which matches the break-glass principal %s" % (principal, pattern)}
    return {"exempt": False, "reason": "%s is not a break-glass principal" % principal}
`

// exemptStep is the aws:executeScript step Exempt (exemptScript) of both
// automations, for the caller and source given as references; a failure
// goes to onFailure without failing the execution (isCritical false).
func exemptStep(onFailure, scheduledBy, sourceIP string, breakGlass *string) map[string]interface{} {
	return map[string]interface{}{
		"name": "Exempt", "action": "aws:executeScript", "onFailure": "step:" + onFailure, "isCritical": false, "nextStep": "IsExempt",
		"timeoutSeconds": 60,
		"inputs": map[string]interface{}{
			"Runtime": "python3.11", "Handler": "handler", "Script": exemptScript,
			"InputPayload": map[string]interface{}{
				"KeyId": "{{ KeyId }}", "ScheduledBy": scheduledBy, "SourceIp": sourceIP, "BreakGlass": breakGlass,
			},
		},
		"outputs": []interface{}{
			map[string]interface{}{"Name": "Exempt", "Selector": "$.Payload.exempt", "Type": "Boolean"},
			map[string]interface{}{"Name": "Reason", "Selector": "$.Payload.reason", "Type": "String"},
		},
	}
}

// apiAttempts is how many times the document tries an AWS API step.
const apiAttempts = 3

// deletionCheckDocument is DeletionCheck's automation. Steps: read the key's
// state; stop unless it is pending deletion (PendingDeletion, or
// PendingReplicaDeletion for a multi-Region primary with replicas); read its
// last use and decide (one script: decideScript); cancel or not; notify. If
// the script itself fails, the "unknown" branch decides.
func deletionCheckDocument(minDays int, unknownUsed bool, breakGlass *string) map[string]interface{} {
	str := func(desc string) map[string]interface{} {
		return map[string]interface{}{"type": "String", "description": desc}
	}
	api := func(name, apiName string, inputs map[string]interface{}, extra map[string]interface{}) map[string]interface{} {
		in := map[string]interface{}{"Service": "kms", "Api": apiName, "KeyId": "{{ KeyId }}"}
		for k, v := range inputs {
			in[k] = v
		}
		// Automation does not retry a failed step unless maxAttempts says so (default 1); throttling is the usual cause.
		step := map[string]interface{}{"name": name, "action": "aws:executeAwsApi", "inputs": in, "maxAttempts": apiAttempts}
		for k, v := range extra {
			step[k] = v
		}
		return step
	}
	who := "Key: {{ KeyId }}\nScheduled for deletion by {{ ScheduledBy }} at {{ EventTime }} (CloudTrail event ID {{ EventId }}).\n"
	publish := func(name, subject, message string) map[string]interface{} {
		return map[string]interface{}{
			"name": name, "action": "aws:executeAwsApi", "isEnd": true, "maxAttempts": apiAttempts,
			"inputs": map[string]interface{}{
				"Service": "sns", "Api": "Publish", "TopicArn": "{{ TopicArn }}",
				"Subject": subject, "Message": message,
			},
		}
	}
	cancelled := "The deletion was cancelled. The key is left DISABLED: find who uses it before enabling it again or scheduling its deletion again."
	return map[string]interface{}{
		"schemaVersion": "0.3",
		"description":   "kmsmonitor DeletionCheck: cancel the scheduled deletion of a KMS key that was used recently (GetKeyLastUsage). The key is left disabled.",
		"assumeRole":    "{{ AutomationAssumeRole }}",
		"parameters": map[string]interface{}{
			"AutomationAssumeRole": map[string]interface{}{
				"type": "String", "description": "ARN of the role the automation runs with.",
				"allowedPattern": `^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`,
			},
			"KeyId": map[string]interface{}{
				"type": "String", "description": "ARN of the KMS key scheduled for deletion.",
				"allowedPattern": `^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`,
			},
			"ScheduledBy": str("ARN of the principal that scheduled the deletion."),
			"SourceIp":    str("Source of the ScheduleKeyDeletion call (cloudformation.amazonaws.com when CloudFormation made it)."),
			"EventId":     str("CloudTrail event ID of the ScheduleKeyDeletion call."),
			"EventTime":   str("Time of the ScheduleKeyDeletion call."),
			"TopicArn":    str("SNS topic notified of the outcome."),
			"MinDaysWithoutUsage": map[string]interface{}{
				"type": "Integer", "default": minDays, "description": "A key used within this many days has its deletion cancelled.",
			},
			"UnknownCountsAsUsed": map[string]interface{}{
				"type": "Boolean", "default": unknownUsed,
				"description": "Whether a key without recorded use, created before tracking began, counts as used.",
			},
		},
		"mainSteps": []interface{}{
			// Exemptions first: a deletion they allow is reported at once, not checked or cancelled.
			// If the step fails, the check goes on (cancelling is the side that can be undone).
			exemptStep("DescribeKey", "{{ ScheduledBy }}", "{{ SourceIp }}", breakGlass),
			map[string]interface{}{
				"name": "IsExempt", "action": "aws:branch",
				"inputs": map[string]interface{}{
					"Choices": []interface{}{map[string]interface{}{"Variable": "{{ Exempt.Exempt }}", "BooleanEquals": true, "NextStep": "NotifyExempt"}},
					"Default": "DescribeKey",
				},
			},
			api("DescribeKey", "DescribeKey", nil, map[string]interface{}{
				"onFailure": "step:NotifyFailed",
				"outputs": []interface{}{
					map[string]interface{}{"Name": "KeyState", "Selector": "$.KeyMetadata.KeyState", "Type": "String"},
					map[string]interface{}{"Name": "MultiRegion", "Selector": "$.KeyMetadata.MultiRegion", "Type": "Boolean"},
				},
			}),
			pendingBranch("IsPendingDeletion", "DescribeKey", "WaitForUsageRecords", "NotifyNotPending"),
			// Last usage is recorded up to an hour late (KMS developer guide); the waiting period is 7 days at least.
			map[string]interface{}{
				"name": "WaitForUsageRecords", "action": "aws:sleep", "nextStep": "Decide",
				"inputs": map[string]interface{}{"Duration": "PT1H"},
			},
			map[string]interface{}{
				"name": "Decide", "action": "aws:executeScript", "onFailure": "step:UsageUnreadable", "nextStep": "CancelOrKeep",
				// Its retries sleep 52 s at most, plus the calls; a timeout takes the "check failed" branch.
				"timeoutSeconds": 180,
				"inputs": map[string]interface{}{
					"Runtime": "python3.11", "Handler": "handler", "Script": decideScript,
					"InputPayload": map[string]interface{}{
						"KeyId": "{{ KeyId }}", "MultiRegion": "{{ DescribeKey.MultiRegion }}",
						"MinDaysWithoutUsage": "{{ MinDaysWithoutUsage }}", "UnknownCountsAsUsed": "{{ UnknownCountsAsUsed }}",
					},
				},
				"outputs": []interface{}{
					map[string]interface{}{"Name": "Verdict", "Selector": "$.Payload.verdict", "Type": "String"},
					map[string]interface{}{"Name": "Case", "Selector": "$.Payload.case", "Type": "String"},
					map[string]interface{}{"Name": "Summary", "Selector": "$.Payload.summary", "Type": "String"},
				},
			},
			map[string]interface{}{
				"name": "CancelOrKeep", "action": "aws:branch",
				"inputs": map[string]interface{}{
					"Choices": []interface{}{map[string]interface{}{"Variable": "{{ Decide.Verdict }}", "StringEquals": "cancel", "NextStep": "CancelKeyDeletion"}},
					"Default": "NotifyScheduled",
				},
			},
			api("CancelKeyDeletion", "CancelKeyDeletion", nil, map[string]interface{}{"nextStep": "VerifyCancelled", "onFailure": "step:StateAfterCancel"}),
			// CancelKeyDeletion leaves the key Disabled; KMS is eventually consistent: wait for it
			// (timeoutSeconds applies to each attempt: 3 minutes at most in all).
			map[string]interface{}{
				"name": "VerifyCancelled", "action": "aws:waitForAwsResourceProperty", "nextStep": "NotifyCancelled", "onFailure": "step:NotifyCancelNotConfirmed",
				"timeoutSeconds": 60, "maxAttempts": apiAttempts,
				"inputs": map[string]interface{}{
					"Service": "kms", "Api": "DescribeKey", "KeyId": "{{ KeyId }}",
					"PropertySelector": "$.KeyMetadata.KeyState", "DesiredValues": []string{"Disabled"},
				},
			},
			// The cancellation failed: another path (AutoCancelDeletion, a person), or an attempt of this
			// step whose answer was lost, may have cancelled it meanwhile.
			api("StateAfterCancel", "DescribeKey", nil, map[string]interface{}{
				"onFailure": "step:NotifyCancelFailed",
				"outputs": []interface{}{
					map[string]interface{}{"Name": "KeyState", "Selector": "$.KeyMetadata.KeyState", "Type": "String"},
				},
			}),
			pendingBranch("StillPending", "StateAfterCancel", "NotifyCancelFailed", "NotifyCancelledElsewhere"),
			publish("NotifyCancelled", "kmsmonitor: deletion of a KMS key cancelled",
				"kmsmonitor DeletionCheck: the scheduled deletion of a KMS key was cancelled.\n"+who+"{{ Decide.Summary }}\n"+cancelled),
			publish("NotifyCancelFailed", "kmsmonitor: KMS key in use scheduled for deletion, cancellation FAILED",
				"kmsmonitor DeletionCheck: a KMS key scheduled for deletion should have had its deletion cancelled, and the cancellation failed "+
					"(the error is in the automation execution; a key policy that shuts this account's roles out is one cause). "+
					"If it is still pending deletion (aws kms describe-key --key-id {{ KeyId }}) and needed, cancel it now: "+
					"aws kms cancel-key-deletion --key-id {{ KeyId }}\n"+who+"{{ Decide.Summary }}"),
			publish("NotifyCancelNotConfirmed", "kmsmonitor: deletion of a KMS key cancelled, state not confirmed",
				"kmsmonitor DeletionCheck: this automation cancelled the scheduled deletion of a KMS key (CancelKeyDeletion succeeded), "+
					"but the key did not show the Disabled state within 3 minutes (enabled again meanwhile, or scheduled again): "+
					"check it with aws kms describe-key --key-id {{ KeyId }}\n"+who+"{{ Decide.Summary }}"),
			publish("NotifyCancelledElsewhere", "kmsmonitor: KMS key no longer pending deletion",
				"kmsmonitor DeletionCheck: a KMS key scheduled for deletion was to have its deletion cancelled, but it is no longer pending deletion "+
					"(state {{ StateAfterCancel.KeyState }}): its deletion was cancelled meanwhile, by something else (AutoCancelDeletion, a person) "+
					"or by an earlier attempt of this automation's cancellation whose answer was lost.\n"+who+"{{ Decide.Summary }}"),
			publish("NotifyScheduled", "kmsmonitor: KMS key scheduled for deletion",
				"kmsmonitor DeletionCheck: a KMS key is scheduled for deletion and was not cancelled.\n"+who+"{{ Decide.Summary }}\n"+
					"Last use is not the only evidence: some services use their key rarely (Amazon EBS when a volume is attached). "+
					"AWS advises disabling a key first and watching CloudTrail for DisabledException before deleting it."),
			map[string]interface{}{
				"name": "UsageUnreadable", "action": "aws:branch",
				"inputs": map[string]interface{}{
					"Choices": []interface{}{map[string]interface{}{"Variable": "{{ UnknownCountsAsUsed }}", "BooleanEquals": true, "NextStep": "CancelUnreadable"}},
					"Default": "NotifyUnreadable",
				},
			},
			api("CancelUnreadable", "CancelKeyDeletion", nil, map[string]interface{}{"nextStep": "NotifyCancelledUnreadable", "onFailure": "step:NotifyFailed"}),
			publish("NotifyCancelledUnreadable", "kmsmonitor: deletion of a KMS key cancelled (check failed)",
				"kmsmonitor DeletionCheck: the check of a KMS key scheduled for deletion failed (its Decide step: see the automation execution), "+
					"and UnknownCountsAsUsed is true.\n"+who+cancelled),
			publish("NotifyUnreadable", "kmsmonitor: KMS key scheduled for deletion (check failed)",
				"kmsmonitor DeletionCheck: the check of a KMS key scheduled for deletion failed (its Decide step: see the automation execution); the deletion stays scheduled.\n"+who),
			publish("NotifyExempt", "kmsmonitor: KMS key scheduled for deletion (exempt, not checked)",
				"kmsmonitor DeletionCheck: a KMS key was scheduled for deletion by a principal its exemptions allow: {{ Exempt.Reason }}. "+
					"The deletion stays scheduled; it was neither checked nor cancelled.\n"+who+
					"If the key is still needed, cancel it: aws kms cancel-key-deletion --key-id {{ KeyId }}"),
			publish("NotifyNotPending", "kmsmonitor: KMS key no longer pending deletion",
				"kmsmonitor DeletionCheck: a KMS key was scheduled for deletion but is no longer pending deletion (state {{ DescribeKey.KeyState }}); nothing to do.\n"+who),
			// A key whose policy does not let this account's IAM policies apply
			// refuses DescribeKey or CancelKeyDeletion: say so rather than fail silently.
			publish("NotifyFailed", "kmsmonitor: KMS key scheduled for deletion, NOT checked",
				"kmsmonitor DeletionCheck: a KMS key was scheduled for deletion and reading it or cancelling its deletion failed "+
					"(the error is in the automation execution; a key policy that shuts this account's roles out is one cause). "+
					"Check its state (aws kms describe-key --key-id {{ KeyId }}), and if it is still pending deletion and needed, cancel it: "+
					"aws kms cancel-key-deletion --key-id {{ KeyId }}\n"+who),
		},
	}
}

// pendingBranch is an aws:branch step that goes to ifPending when the
// KeyState output of step is PendingDeletion or PendingReplicaDeletion (a
// multi-Region primary with replicas), else to otherwise.
func pendingBranch(name, step, ifPending, otherwise string) map[string]interface{} {
	state := "{{ " + step + ".KeyState }}"
	return map[string]interface{}{
		"name": name, "action": "aws:branch",
		"inputs": map[string]interface{}{
			"Choices": []interface{}{map[string]interface{}{
				"Or": []interface{}{
					map[string]interface{}{"Variable": state, "StringEquals": "PendingDeletion"},
					map[string]interface{}{"Variable": state, "StringEquals": "PendingReplicaDeletion"},
				},
				"NextStep": ifPending,
			}},
			"Default": otherwise,
		},
	}
}

// withMinDays adds to the automation's parameters a MinDaysWithoutUsage
// given as a token (a CfnParameter's value): the document's default holds
// only literals.
func withMinDays(params map[string]interface{}, policy guardPolicy) map[string]interface{} {
	if policy.minDaysToken != nil {
		params["MinDaysWithoutUsage"] = []interface{}{number(0, policy.minDaysToken)}
	}
	return params
}
