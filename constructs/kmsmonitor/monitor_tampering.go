package kmsmonitor

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

// Operations that MonitorTampering reports, by the service that records them.
var (
	TrailTamperingOperations        = []string{"StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"}
	AlarmTamperingOperations        = []string{"DeleteAlarms", "DisableAlarmActions"}
	MetricFilterTamperingOperations = []string{"DeleteMetricFilter", "DeleteLogGroup"}
	RuleTamperingOperations         = []string{"DisableRule", "DeleteRule", "RemoveTargets", "PutRule"}
	// TopicTamperingOperations: on the topics (the first three), on their
	// subscriptions (the others: a filter policy can drop every message).
	TopicTamperingOperations = []string{"DeleteTopic", "SetTopicAttributes", "RemovePermission", "Unsubscribe", "SetSubscriptionAttributes"}
	KeyTamperingOperations   = []string{"DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"}
	// DocumentTamperingOperations: a new version made the default, or the
	// document deleted, changes what the automations run.
	DocumentTamperingOperations = []string{"UpdateDocument", "UpdateDocumentDefaultVersion", "DeleteDocument"}
	// BucketTamperingOperations: the trail's bucket deleted (the first two,
	// whoever calls) or given another policy.
	BucketTamperingOperations = []string{"DeleteBucket", "DeleteBucketPolicy", "PutBucketPolicy"}
	// RoleTamperingOperations: the automations' roles deleted (the first,
	// whoever calls) or given other permissions or trust.
	RoleTamperingOperations = []string{"DeleteRole", "PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy", "DetachRolePolicy",
		"UpdateAssumeRolePolicy", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary"}
	// PolicyTamperingOperations: the roles' customer managed policies deleted
	// (the first, whoever calls) or given another default version.
	PolicyTamperingOperations = []string{"DeletePolicy", "CreatePolicyVersion", "SetDefaultPolicyVersion", "DeletePolicyVersion"}
)

// iamEventRegions are where CloudTrail delivers IAM's calls to EventBridge,
// by partition: IAM is global, and its events go to the partition's home
// Region only (EventBridge User Guide, events from AWS global services).
var iamEventRegions = map[string]string{"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}

// deployedBy is the sourceIPAddress CloudTrail records for the calls
// CloudFormation makes: deployments change topic policies, subscriptions and
// key policies on purpose, so those changes are not reported when
// CloudFormation makes them; deletions and disabled keys are, whoever calls.
const deployedBy = "cloudformation.amazonaws.com"

// MonitorTamperingProps names the resources kmsmonitor's detectors rely on.
// Give at least one.
type MonitorTamperingProps struct {
	// TrailArns of the trails that feed the detectors (literals, or tokens
	// such as PendingDeletionAlarm.Trail.TrailArn()). Deploy in each trail's
	// home Region: CloudTrail records the calls there.
	// Default: no trail watched.
	TrailArns []string
	// Alarms to watch (DeleteAlarms, DisableAlarmActions).
	// Default: none.
	Alarms []awscloudwatch.IAlarm
	// MetricFilters to watch (DeleteMetricFilter, and DeleteLogGroup of their log groups).
	// Default: none.
	MetricFilters []awslogs.MetricFilter
	// Rules to watch (DisableRule, DeleteRule, RemoveTargets, PutRule with
	// the state DISABLED), such as the rules of KeyUseEvents or GrantAudit.
	// Default: none.
	Rules []awsevents.IRule
	// Topics to watch: the topics kmsmonitor notifies (DeleteTopic;
	// SetTopicAttributes, such as a new access policy or key; RemovePermission;
	// Unsubscribe and SetSubscriptionAttributes of their subscriptions). The
	// changes CloudFormation makes (sourceIPAddress cloudformation.amazonaws.com:
	// a deployment changing the topic policy or the e-mail addresses) are not
	// reported; a deletion is, whoever calls. An Unsubscribe through an
	// e-mail's link is not authenticated, and SNS does not log it.
	// Default: none.
	Topics []awssns.ITopic
	// Keys to watch: the keys that encrypt those topics and the trail
	// (DisableKey, ScheduleKeyDeletion, whoever calls; PutKeyPolicy, unless
	// CloudFormation makes it), matched by key ARN or ID: an alias is
	// refused. Keys of the stack's account and Region.
	// Default: none.
	Keys []awskms.IKey
	// Documents to watch: the Systems Manager documents kmsmonitor's
	// automations run (UpdateDocument, UpdateDocumentDefaultVersion,
	// DeleteDocument, unless CloudFormation makes them: a deployment replaces
	// a changed document).
	// Default: none.
	Documents []awsssm.CfnDocument
	// Buckets to watch: the trail's bucket (DeleteBucket, DeleteBucketPolicy,
	// whoever calls; PutBucketPolicy, unless CloudFormation makes it).
	// Default: none.
	Buckets []awss3.IBucket
	// Roles the automations run with, to watch (DeleteRole, whoever calls;
	// their inline and attached policies, trust policy and permissions
	// boundary changed, unless CloudFormation makes it), matched by name.
	// IAM is global and CloudTrail delivers its calls to EventBridge in one
	// Region per partition (us-east-1, cn-north-1, us-gov-west-1): a
	// MonitorTampering with Roles must be in a stack of that Region.
	// Default: none.
	Roles []awsiam.IRole
	// Policies: the customer managed policies of those roles (DeletePolicy,
	// whoever calls; CreatePolicyVersion, SetDefaultPolicyVersion and
	// DeletePolicyVersion, unless CloudFormation makes it: a new default
	// version changes every role the policy is attached to), matched by ARN.
	// The same Region as Roles.
	// Default: none.
	Policies []awsiam.IManagedPolicy
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

// MonitorTampering reports the successful calls that blind kmsmonitor's
// detectors, on the resources given and no others: a trail stopped,
// deleted, updated or given new event selectors; an alarm deleted or its
// actions disabled; a metric filter or its log group deleted; a rule
// disabled, deleted or stripped of its targets. Every PutEventSelectors on
// the trail that CloudFormation did not make is reported, with the selectors
// in the message: an exclusion of AWS KMS or of management events can be
// written as a field, or as an absent selector, which no event pattern can
// see. CloudFormation's UpdateTrail and PutEventSelectors (a deployment
// creating or changing the trail) are not: they are the app's own. Resources are matched by
// name (and trails by ARN too) as synthesized; CloudFormation resolves the
// names at deployment. A stack update or deletion that removes them is
// reported too. Each rule's pattern holds the names it watches: EventBridge
// allows 2,048 characters per pattern by default (4,096 at most), some
// twenty alarm or rule names of usual length.
type MonitorTampering struct {
	constructs.Construct

	// TrailRule is the first of TrailRules; nil without TrailArns.
	TrailRule awsevents.Rule
	// TrailRules match calls on the trails, as many as the pattern quota needs; none without TrailArns.
	TrailRules []awsevents.Rule
	// AlarmRules match calls on the alarms, as many as the pattern quota needs; none without Alarms.
	AlarmRules []awsevents.Rule
	// MetricFilterRule matches calls on the metric filters; nil without MetricFilters.
	MetricFilterRule awsevents.Rule
	// EventRuleRules match calls on the rules, as many as the pattern quota needs; none without Rules.
	EventRuleRules []awsevents.Rule
	// TopicRules match calls on the topics and their subscriptions, as many as the pattern quota needs; none without Topics.
	TopicRules []awsevents.Rule
	// KeyRules match calls on the keys, as many as the pattern quota needs; none without Keys.
	KeyRules []awsevents.Rule
	// GuardedKeyRule matches the key policies people (not CloudFormation)
	// put on the keys KeyMonitoring's DeletionGuard protects, whose guard
	// such a call can remove; nil unless KeyMonitoring has both parts.
	GuardedKeyRule awsevents.Rule
	// DocumentRules match calls on the documents, as many as the pattern quota needs; none without Documents.
	DocumentRules []awsevents.Rule
	// BucketRules match calls on the buckets, as many as the pattern quota needs; none without Buckets.
	BucketRules []awsevents.Rule
	// RoleRules match calls on the roles, as many as the pattern quota needs; none without Roles.
	RoleRules []awsevents.Rule
	// PolicyRules match calls on the policies, as many as the pattern quota needs; none without Policies.
	PolicyRules []awsevents.Rule
	// Topic receives the messages.
	Topic awssns.ITopic
	// TopicKey encrypts Topic; nil when Topic was given.
	TopicKey awskms.Key
	// DeadLetterQueue keeps undelivered messages.
	DeadLetterQueue awssqs.IQueue
}

var trailArnRE = regexp.MustCompile(`^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail/([A-Za-z0-9._-]{3,128})$`)

// NewMonitorTampering creates MonitorTampering. It panics with a
// *ValidationError when props are invalid or name nothing to watch.
func NewMonitorTampering(scope constructs.Construct, id *string, props *MonitorTamperingProps) *MonitorTampering {
	p, node, c := start("kmsmonitor.MonitorTampering", scope, id, props)
	if len(p.TrailArns)+len(p.Alarms)+len(p.MetricFilters)+len(p.Rules)+len(p.Topics)+len(p.Keys)+len(p.Documents)+len(p.Buckets)+len(p.Roles)+len(p.Policies) == 0 {
		c.Addf("TrailArns, Alarms, MetricFilters, Rules, Topics, Keys, Documents, Buckets, Roles, Policies", "all empty; give the resources kmsmonitor relies on, such as TrailArns: []string{*pendingDeletion.Trail.TrailArn()}")
	}
	// EventBridge's default quota is 2,048 characters per event pattern: the
	// trails, alarms and rules are spread over as many rules as they need.
	trails := fitPatterns(c, "TrailArns", trailNamesAndArns(c, p.TrailArns), worstTrail, func(t []trailRef) *awsevents.EventPattern {
		return tamperingPattern("cloudtrail.amazonaws.com", trailAlternatives(t))
	})
	alarms := fitPatterns(c, "Alarms", namesOf(c, "Alarms", p.Alarms, func(a awscloudwatch.IAlarm) *string { return a.AlarmName() }),
		worstName(longestAlarmName), func(n []*string) *awsevents.EventPattern {
			return tamperingPattern("monitoring.amazonaws.com", alarmAlternatives(n))
		})
	for i, r := range p.Rules {
		if r == nil {
			continue
		}
		if bus := ruleBus(r); bus != "" {
			// The patterns match a rule by its name (CloudTrail records the
			// name and the bus apart: requestParameters name or rule, and
			// eventBusName), as the default bus's rules are named: a rule of
			// a custom bus would be confused with a default-bus rule of the
			// same name, and no CloudTrail record of one is at hand to prove
			// the match. Not supported until the patterns match the bus too.
			c.Addf(fmt.Sprintf("Rules[%d]", i), "is a rule on the event bus %s; MonitorTampering matches rules of the default bus only (by name, without the bus), so it cannot tell this one from a default-bus rule of the same name: remove it from Rules (watch the bus's senders instead)", bus)
		}
	}
	rules := fitPatterns(c, "Rules", namesOf(c, "Rules", p.Rules, func(r awsevents.IRule) *string { return r.RuleName() }),
		worstName(longestRuleName), func(n []*string) *awsevents.EventPattern {
			return tamperingPattern("events.amazonaws.com", ruleAlternatives(n))
		})
	topics := fitPatterns(c, "Topics", namesOf(c, "Topics", p.Topics, func(t awssns.ITopic) *string { return t.TopicArn() }),
		worstName(longestTopicArn), func(a []*string) *awsevents.EventPattern {
			return tamperingPattern("sns.amazonaws.com", topicAlternatives(a))
		})
	keys := fitPatterns(c, "Keys", keyIDsAndArns(c, p.Keys), worstKey, func(k []keyIDRef) *awsevents.EventPattern {
		return tamperingPattern("kms.amazonaws.com", keyAlternatives(k))
	})
	documents := fitPatterns(c, "Documents", namesOf(c, "Documents", p.Documents, documentName),
		worstName(longestDocumentName), func(n []*string) *awsevents.EventPattern {
			return tamperingPattern("ssm.amazonaws.com", documentAlternatives(n))
		})
	buckets := fitPatterns(c, "Buckets", namesOf(c, "Buckets", p.Buckets, func(b awss3.IBucket) *string { return b.BucketName() }),
		worstName(longestBucketName), func(n []*string) *awsevents.EventPattern {
			return tamperingPattern("s3.amazonaws.com", bucketAlternatives(n))
		})
	roles := fitPatterns(c, "Roles", namesOf(c, "Roles", p.Roles, func(r awsiam.IRole) *string { return r.RoleName() }),
		worstName(longestRoleName), func(n []*string) *awsevents.EventPattern {
			return tamperingPattern("iam.amazonaws.com", roleAlternatives(n))
		})
	policies := fitPatterns(c, "Policies", namesOf(c, "Policies", p.Policies, func(m awsiam.IManagedPolicy) *string { return m.ManagedPolicyArn() }),
		worstName(longestPolicyArn), func(a []*string) *awsevents.EventPattern {
			return tamperingPattern("iam.amazonaws.com", policyAlternatives(a))
		})
	if len(p.Roles)+len(p.Policies) > 0 {
		checkIAMEventRegion(node, c)
	}
	var filters, groups []*string
	allNamed := true
	for i, f := range p.MetricFilters {
		if f == nil {
			c.Addf(fmt.Sprintf("MetricFilters[%d]", i), "is nil; pass a metric filter such as PendingDeletionAlarm.MetricFilter")
			continue
		}
		cfn := f.Node().DefaultChild().(awslogs.CfnMetricFilter)
		// A filter without a literal name (CloudFormation names it, and its
		// Ref is not documented as the name) cannot be matched by name: then
		// every DeleteMetricFilter in the watched log groups is reported.
		if name := cfn.FilterName(); name != nil && !propcheck.Unresolved(*name) && allNamed {
			filters = append(filters, name)
		} else {
			allNamed = false
		}
		groups = append(groups, cfn.LogGroupName())
	}
	if !allNamed {
		filters = nil
	}
	groups = unique(groups) // filters often share a log group
	worstGroups, worstFilters := worstNames(groups, longestLogGroupName), worstNames(filters, longestFilterName)
	if size := patternSize(tamperingPattern("logs.amazonaws.com", filterAlternatives(worstGroups, worstFilters))); len(groups) > 0 && size > patternQuota {
		c.Addf("MetricFilters", "%d metric filters in %d log groups make an event pattern of up to %d characters; EventBridge's quota is %d: watch fewer metric filters per MonitorTampering",
			len(p.MetricFilters), len(groups), size, patternQuota)
	}
	c.SameEnv("kmsmonitor:watchedResourceEnvironment", "CloudTrail records a call on a trail, alarm, rule, topic or key in that resource's own account and Region, where the rule matching it must be",
		"create one MonitorTampering per account and Region, in a stack of that environment", watchedPlaces(p))
	alerting.CheckRuleDeliveryProps(c, p.Topic, p.DeadLetterQueue, p.Emails)
	ruleCount := 0
	for _, chunks := range [][2]int{{len(trails), len(trails[0])}, {len(alarms), len(alarms[0])}, {len(rules), len(rules[0])},
		{len(topics), len(topics[0])}, {len(keys), len(keys[0])}, {len(documents), len(documents[0])}, {len(buckets), len(buckets[0])},
		{len(roles), len(roles[0])}, {len(policies), len(policies[0])}} {
		if chunks[1] > 0 { // one empty chunk: nothing of that kind to watch
			ruleCount += chunks[0]
		}
	}
	if len(groups) > 0 {
		ruleCount++
	}
	alerting.ReserveSenders(c, "DeadLetterQueue", p.DeadLetterQueue, ruleCount, false)
	c.PanicIfAny()

	m := &MonitorTampering{Construct: node}
	m.DeadLetterQueue = alerting.UseOrCreateDeadLetterQueue(node, p.DeadLetterQueue)
	n := alerting.Decide(node, p.Topic, p.Emails, nil, p.shared)
	m.Topic, m.TopicKey = n.Topic, n.Key
	m.TrailRules = tamperingRules(m, trails, "TrailRule", "cloudtrail.amazonaws.com", "the trail that feeds kmsmonitor was stopped, deleted or changed",
		trailAlternatives,
		"If nobody planned this, start logging again (aws cloudtrail start-logging --name <trail>) and check the event selectors: the detectors see only what the trail records.")
	if len(m.TrailRules) > 0 {
		m.TrailRule = m.TrailRules[0]
	}
	m.AlarmRules = tamperingRules(m, alarms, "AlarmRule", "monitoring.amazonaws.com", "a kmsmonitor alarm was deleted or its actions disabled",
		alarmAlternatives,
		"If nobody planned this, deploy the kmsmonitor stack again (it recreates deleted alarms) or run aws cloudwatch enable-alarm-actions --alarm-names <alarm>.")
	if len(groups) > 0 {
		m.MetricFilterRule = m.rule("MetricFilterRule", "logs.amazonaws.com", "a kmsmonitor metric filter or its log group was deleted",
			filterAlternatives(groups, filters),
			"If nobody planned this, deploy the kmsmonitor stack again: without the filter its alarm sees no data.")
	}
	m.EventRuleRules = tamperingRules(m, rules, "EventRuleRule", "events.amazonaws.com", "a kmsmonitor EventBridge rule was disabled, deleted or lost its targets",
		ruleAlternatives,
		"If nobody planned this, deploy the kmsmonitor stack again, or run aws events enable-rule --name <rule>.")
	m.TopicRules = tamperingRules(m, topics, "TopicRule", "sns.amazonaws.com", "a topic kmsmonitor notifies was deleted, changed or lost a subscription",
		topicAlternatives,
		"If nobody planned this, check the topic's access policy, key and subscriptions (aws sns get-topic-attributes, list-subscriptions-by-topic, get-subscription-attributes) against the kmsmonitor template and put them back (a deployment of an unchanged template does not): its notifications may no longer arrive.")
	m.KeyRules = tamperingRules(m, keys, "KeyRule", "kms.amazonaws.com", "a key kmsmonitor's notifications or trail rely on was disabled, scheduled for deletion or given a new policy",
		keyAlternatives,
		"If nobody planned this, cancel the deletion and enable the key (aws kms cancel-key-deletion, then aws kms enable-key: a cancelled key stays disabled), or put back its policy (the one in the kmsmonitor template): a topic or trail whose key is unusable delivers nothing.")
	m.DocumentRules = tamperingRules(m, documents, "DocumentRule", "ssm.amazonaws.com", "an automation document kmsmonitor runs was changed or deleted",
		documentAlternatives,
		"If nobody planned this, compare the document's default version with the kmsmonitor template (aws ssm get-document --name <document>) and set it back (aws ssm update-document-default-version): the automations run the default version.")
	m.RoleRules = tamperingRules(m, roles, "RoleRule", "iam.amazonaws.com", "a role kmsmonitor's automations run with was deleted or given other permissions",
		roleAlternatives,
		"If nobody planned this, deploy the kmsmonitor stack again (it puts back the role and its policies) and check the role's trust policy: an automation whose role is gone or changed cancels nothing.")
	m.PolicyRules = tamperingRules(m, policies, "PolicyRule", "iam.amazonaws.com", "a managed policy of a role kmsmonitor's automations run with was deleted or given another version",
		policyAlternatives,
		"If nobody planned this, set the policy's default version back (aws iam set-default-policy-version) or deploy the kmsmonitor stack again: an automation whose role lost its permissions cancels nothing.")
	m.BucketRules = tamperingRules(m, buckets, "BucketRule", "s3.amazonaws.com", "the bucket the trail delivers to was deleted or given another policy",
		bucketAlternatives,
		"If nobody planned this, compare the bucket policy with the kmsmonitor template (aws s3api get-bucket-policy --bucket <bucket>) and put it back: a trail that cannot deliver may stop feeding the detectors.")
	return m
}

// Longest names CloudFormation may give: alarm names are up to 255
// characters, rule names 64, trail names 128, log group names 512 and
// metric filter names 512; a trail ARN is at most its prefix and name.
const (
	longestAlarmName    = 255
	longestRuleName     = 64
	longestTrailName    = 128
	longestLogGroupName = 512
	longestFilterName   = 512
)

var (
	longestTrailArn = len("arn:aws-us-gov:cloudtrail:ap-southeast-5:111122223333:trail/") + longestTrailName
	// A topic name is up to 256 characters (a FIFO one's included).
	longestTopicArn = len("arn:aws-us-gov:sns:ap-southeast-5:111122223333:") + 256
)

// Longest names: a Systems Manager document's is 128 characters, a bucket's 63.
const (
	longestDocumentName = 128
	longestBucketName   = 63
	longestRoleName     = 64
	// A customer managed policy's ARN: arn:aws-us-gov:iam::<12 digits>:policy/ and its name
	// (128 at most); CloudFormation's policies have no path.
	longestPolicyArn = 36 + 128
)

// trailRef is a watched trail: its ARN and name, both matched.
type trailRef struct{ arn, name *string }

// tamperingPattern is the pattern of MonitorTampering.rule.
func tamperingPattern(eventSource string, alternatives []interface{}) *awsevents.EventPattern {
	detail := obj{
		"eventSource": []string{eventSource},
		// No error code: the call succeeded and changed something.
		"errorCode": []interface{}{obj{"exists": false}},
	}
	if len(alternatives) == 1 {
		// A $or of one branch is that branch, and event-ruler (EventBridge's
		// matcher) and aws-cdk-lib's validation (E9014, an error in a cdk init
		// app) want two at least. Alarms always make one branch.
		one := alternatives[0].(obj)
		for k, v := range one {
			detail[k] = v
		}
	} else {
		detail["$or"] = alternatives
	}
	// The source of a service's CloudTrail events is aws.<service>: aws.cloudtrail,
	// aws.monitoring (CloudWatch API calls; aws.cloudwatch is for alarm
	// state changes), aws.logs, aws.events (EventBridge events reference).
	return &awsevents.EventPattern{
		Source:     jsii.Strings("aws." + strings.TrimSuffix(eventSource, ".amazonaws.com")),
		DetailType: jsii.Strings("AWS API Call via CloudTrail"),
		Detail:     &detail,
	}
}

func trailAlternatives(trails []trailRef) []interface{} {
	var refs []*string
	for _, t := range trails {
		refs = append(refs, t.arn, t.name)
	}
	// Stopped or deleted, whoever calls; updated or given new event selectors, unless by
	// CloudFormation: a deployment creating or changing the trail calls both.
	return []interface{}{
		obj{"eventName": TrailTamperingOperations[:2], "requestParameters": obj{"name": refs}},
		obj{"eventName": TrailTamperingOperations[2:3], "requestParameters": obj{"name": refs}, "sourceIPAddress": notDeployed()},
		obj{"eventName": TrailTamperingOperations[3:], "requestParameters": obj{"trailName": refs}, "sourceIPAddress": notDeployed()},
	}
}

func alarmAlternatives(names []*string) []interface{} {
	return []interface{}{obj{"eventName": AlarmTamperingOperations, "requestParameters": obj{"alarmNames": names}}}
}

func ruleAlternatives(names []*string) []interface{} {
	return []interface{}{
		obj{"eventName": RuleTamperingOperations[:2], "requestParameters": obj{"name": names}},
		// A deployment that drops a target (NotifyTopic turned off, say) calls RemoveTargets.
		obj{"eventName": RuleTamperingOperations[2:3], "requestParameters": obj{"rule": names}, "sourceIPAddress": notDeployed()},
		obj{"eventName": RuleTamperingOperations[3:], "requestParameters": obj{"name": names, "state": []string{"DISABLED"}}},
	}
}

// notDeployed matches calls CloudFormation did not make.
func notDeployed() []interface{} {
	return []interface{}{obj{"anything-but": []string{deployedBy}}}
}

func topicAlternatives(arns []*string) []interface{} {
	// An Unsubscribe names the subscription, whose ARN is the topic's and ":<id>".
	var subscriptions []interface{}
	for _, a := range arns {
		prefix := jsii.String(*a + ":")
		if propcheck.Unresolved(*a) {
			prefix = awscdk.Fn_Join(jsii.String(""), &[]*string{a, jsii.String(":")})
		}
		subscriptions = append(subscriptions, obj{"prefix": prefix})
	}
	return []interface{}{
		obj{"eventName": TopicTamperingOperations[:1], "requestParameters": obj{"topicArn": arns}},
		obj{"eventName": TopicTamperingOperations[1:3], "requestParameters": obj{"topicArn": arns}, "sourceIPAddress": notDeployed()},
		obj{"eventName": TopicTamperingOperations[3:], "requestParameters": obj{"subscriptionArn": subscriptions}, "sourceIPAddress": notDeployed()},
	}
}

// keyIDRef is a watched key: its ARN and ID, either of which the calls
// watched take as KeyId (no alias).
type keyIDRef struct{ arn, id *string }

// worstKey is k with tokens replaced by stand-ins of their longest length.
func worstKey(k keyIDRef) keyIDRef {
	return keyIDRef{worstName(longestKeyArn)(k.arn), worstName(len("mrk-1234abcd12ab34cd56ef1234567890ab"))(k.id)}
}

// keyIDsAndArns returns the ARN and ID of each key, recording nil entries in c.
func keyIDsAndArns(c *propcheck.Checker, keys []awskms.IKey) []keyIDRef {
	var out []keyIDRef
	for i, k := range keys {
		// The calls watched take a key ID or ARN, never an alias.
		if k != nil && (strings.Contains(*k.KeyArn(), ":alias/") || strings.HasPrefix(*k.KeyId(), "alias/")) {
			c.Addf(fmt.Sprintf("Keys[%d]", i), "is an alias (%s); DisableKey, ScheduleKeyDeletion and PutKeyPolicy name a key by ID or ARN, so calls on it would not match: give the key, such as awskms.Key_FromKeyArn(...)", *k.KeyArn())
		}
	}
	for _, a := range namesOf(c, "Keys", keys, func(k awskms.IKey) *string { return k.KeyArn() }) {
		for _, k := range keys {
			if k != nil && *k.KeyArn() == *a {
				out = append(out, keyIDRef{a, k.KeyId()})
				break
			}
		}
	}
	return out
}

// keyAlternatives matches the calls by requestParameters.keyId, which holds
// what the caller gave: the key's ARN or ID (these calls take no alias). The
// record's resources name the key too, but as an array of objects.
func keyAlternatives(keys []keyIDRef) []interface{} {
	var refs []*string
	for _, k := range keys {
		refs = append(refs, k.arn, k.id)
	}
	// One branch (the keys listed once): tamperingPattern puts its $or in the detail.
	return []interface{}{obj{"requestParameters": obj{"keyId": refs}, "$or": []interface{}{
		obj{"eventName": KeyTamperingOperations[:2]},
		obj{"eventName": KeyTamperingOperations[2:], "sourceIPAddress": notDeployed()},
	}}}
}

// documentName is d's name: its Name when a literal, else its reference
// (CloudFormation resolves it to the name it gave).
func documentName(d awsssm.CfnDocument) *string {
	if n := d.Name(); n != nil && !propcheck.Unresolved(*n) {
		return n
	}
	return d.Ref()
}

func documentAlternatives(names []*string) []interface{} {
	return []interface{}{obj{"eventName": DocumentTamperingOperations, "requestParameters": obj{"name": names}, "sourceIPAddress": notDeployed()}}
}

// roleAlternatives matches IAM's calls by requestParameters.roleName.
func roleAlternatives(names []*string) []interface{} {
	// One branch (the names listed once): tamperingPattern puts its $or in the detail.
	return []interface{}{obj{"requestParameters": obj{"roleName": names}, "$or": []interface{}{
		obj{"eventName": RoleTamperingOperations[:1]},
		obj{"eventName": RoleTamperingOperations[1:], "sourceIPAddress": notDeployed()},
	}}}
}

// policyAlternatives matches IAM's calls by requestParameters.policyArn.
func policyAlternatives(arns []*string) []interface{} {
	// One branch (the ARNs listed once): tamperingPattern puts its $or in the detail.
	return []interface{}{obj{"requestParameters": obj{"policyArn": arns}, "$or": []interface{}{
		obj{"eventName": PolicyTamperingOperations[:1]},
		obj{"eventName": PolicyTamperingOperations[1:], "sourceIPAddress": notDeployed()},
	}}}
}

// checkIAMEventRegion refuses Roles in a stack of another Region than the
// one IAM's events reach, and warns in an environment-agnostic stack.
func checkIAMEventRegion(node constructs.Construct, c *propcheck.Checker) {
	region := *awscdk.Stack_Of(node).Region()
	if propcheck.Unresolved(region) {
		awscdk.Annotations_Of(node).AddWarningV2(jsii.String("kmsmonitor:iamEventsRegion"), jsii.String(
			"MonitorTampering watches Roles or Policies: CloudTrail delivers IAM's calls to EventBridge in us-east-1 only (cn-north-1 in China, us-gov-west-1 in GovCloud): deploy this environment-agnostic stack there, or its role rules see nothing."), nil)
		return
	}
	if isIAMEventRegion(region) {
		return
	}
	c.Addf("Roles, Policies", "this stack is in %s, but CloudTrail delivers IAM's calls to EventBridge in us-east-1 only (cn-north-1 in China, us-gov-west-1 in GovCloud): watch the roles and policies with a MonitorTampering in a stack of that Region (import them with awsiam.Role_FromRoleName and awsiam.ManagedPolicy_FromManagedPolicyArn)", region)
}

// isIAMEventRegion reports whether region is where IAM's events reach EventBridge.
func isIAMEventRegion(region string) bool {
	for _, home := range iamEventRegions {
		if region == home {
			return true
		}
	}
	return false
}

func bucketAlternatives(names []*string) []interface{} {
	// One branch (the names listed once): tamperingPattern puts its $or in the detail.
	return []interface{}{obj{"requestParameters": obj{"bucketName": names}, "$or": []interface{}{
		obj{"eventName": BucketTamperingOperations[:2]},
		obj{"eventName": BucketTamperingOperations[2:], "sourceIPAddress": notDeployed()},
	}}}
}

func filterAlternatives(groups, filters []*string) []interface{} {
	deleteFilter := obj{"logGroupName": groups}
	if len(filters) > 0 {
		deleteFilter["filterName"] = filters
	}
	return []interface{}{
		obj{"eventName": MetricFilterTamperingOperations[:1], "requestParameters": deleteFilter},
		obj{"eventName": MetricFilterTamperingOperations[1:], "requestParameters": obj{"logGroupName": groups}},
	}
}

// worstTrail is t with tokens replaced by stand-ins of their longest length.
func worstTrail(t trailRef) trailRef {
	return trailRef{worstName(longestTrailArn)(t.arn), worstName(longestTrailName)(t.name)}
}

// worstNames applies worstName(longest) to each name.
func worstNames(names []*string, longest int) []*string {
	out := make([]*string, len(names))
	for i, n := range names {
		out[i] = worstName(longest)(n)
	}
	return out
}

// worstName is name, or a stand-in of longest characters for a token.
func worstName(longest int) func(*string) *string {
	return func(name *string) *string {
		if propcheck.Unresolved(*name) {
			return jsii.String(strings.Repeat("n", longest))
		}
		return name
	}
}

// obj shortens event-pattern literals.
type obj = map[string]interface{}

// tamperingRules creates a rule (MonitorTampering.rule) per chunk of watched
// resources, numbered from id; none when the one chunk is empty.
func tamperingRules[T any](m *MonitorTampering, chunks [][]T, id, eventSource, what string, alternatives func([]T) []interface{}, advice string) []awsevents.Rule {
	var out []awsevents.Rule
	for i, chunk := range chunks {
		if len(chunk) == 0 {
			break
		}
		out = append(out, m.rule(numbered(id, i), eventSource, what, alternatives(chunk), advice))
	}
	return out
}

// rule creates a rule on successful calls recorded by eventSource that match
// one of alternatives ($or), notifying the topic.
func (m *MonitorTampering) rule(id, eventSource, what string, alternatives []interface{}, advice string) awsevents.Rule {
	rule := awsevents.NewRule(m.Construct, jsii.String(id), &awsevents.RuleProps{
		Description:  jsii.String("kmsmonitor: " + what),
		EventPattern: tamperingPattern(eventSource, alternatives),
	})
	rule.AddTarget(alerting.NotifyTarget(m.Topic, awsevents.RuleTargetInput_FromMultilineText(jsii.String(fmt.Sprintf(
		"kmsmonitor: %s: the KMS key detectors may be blind.\nOperation: %s on %s\nRequest: %s\nBy: %s%s (%s) from %s\nAccount: %s, Region: %s, time: %s\n%s",
		what, field("$.detail.eventName"), field("$.detail.eventSource"), field("$.detail.requestParameters"),
		field("$.detail.userIdentity.arn"), field("$.detail.userIdentity.invokedBy"), field("$.detail.userIdentity.type"),
		field("$.detail.sourceIPAddress"), field("$.account"), field("$.region"), field("$.time"), advice))), m.DeadLetterQueue))
	return rule
}

// trailNamesAndArns returns each trail's ARN and name (CloudTrail accepts
// either in requestParameters), checking literal ARNs.
func trailNamesAndArns(c *propcheck.Checker, arns []string) []trailRef {
	var out []trailRef
	c.ListTokens("TrailArns", arns, "an event-pattern entry per trail, for its name and for its ARN")
	distinct := c.Distinct()
	for i, arn := range arns {
		if propcheck.IsListToken(arn) {
			continue // reported by ListTokens
		}
		if !distinct.Add(fmt.Sprintf("TrailArns[%d]", i), arn, fmt.Sprintf("%q", arn)) {
			continue
		}
		if propcheck.Unresolved(arn) {
			name := awscdk.Fn_Select(jsii.Number(1), awscdk.Fn_Split(jsii.String("/"), jsii.String(arn), nil))
			out = append(out, trailRef{jsii.String(arn), name})
			continue
		}
		m := trailArnRE.FindStringSubmatch(arn)
		if m == nil {
			c.Addf(fmt.Sprintf("TrailArns[%d]", i), "%q is not a CloudTrail trail ARN; give one such as arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events, or trail.TrailArn()", arn)
			continue
		}
		out = append(out, trailRef{jsii.String(arn), jsii.String(m[1])})
	}
	return out
}

// namesOf returns name(r) for each resource of prop, recording nil entries in c.
func namesOf[R any](c *propcheck.Checker, prop string, resources []R, name func(R) *string) []*string {
	var out []*string
	distinct := c.Distinct()
	for i, r := range resources {
		if any(r) == nil {
			c.Addf(fmt.Sprintf("%s[%d]", prop, i), "is nil; pass the %s created by a kmsmonitor construct", strings.ToLower(strings.TrimSuffix(prop, "s")))
			continue
		}
		n := name(r)
		key, shown := fmt.Sprintf("%p", any(r)), "the same "+strings.ToLower(strings.TrimSuffix(prop, "s"))
		if n != nil && !propcheck.Unresolved(*n) {
			key, shown = *n, fmt.Sprintf("%q", *n)
		}
		if distinct.Add(fmt.Sprintf("%s[%d]", prop, i), key, shown) {
			out = append(out, n)
		}
	}
	return out
}

// watchedPlaces are the watched resources whose account and Region are
// known: calls on them are recorded there.
func watchedPlaces(p MonitorTamperingProps) []propcheck.Placed {
	var out []propcheck.Placed
	add := func(prop, what string, env propcheck.Env) {
		if env.Account != "" || env.Region != "" {
			out = append(out, propcheck.Placed{Prop: prop, What: what, Env: env, SameAccount: true, SameRegion: true})
		}
	}
	for i, arn := range p.TrailArns {
		add(fmt.Sprintf("TrailArns[%d]", i), "trail "+arn, propcheck.EnvOfArn(arn))
	}
	// An imported alarm carries its place only in its ARN (its Env is the stack's).
	envOf := func(r awscdk.IResource, arn *string) propcheck.Env {
		if e := propcheck.EnvOfArn(*arn); e.Account != "" || e.Region != "" {
			return e
		}
		return propcheck.EnvOf(r)
	}
	for i, a := range p.Alarms {
		if a != nil {
			add(fmt.Sprintf("Alarms[%d]", i), "the alarm", envOf(a, a.AlarmArn()))
		}
	}
	for i, r := range p.Rules {
		if r != nil {
			add(fmt.Sprintf("Rules[%d]", i), "the rule", envOf(r, r.RuleArn()))
		}
	}
	for i, t := range p.Topics {
		if t != nil {
			add(fmt.Sprintf("Topics[%d]", i), "the topic", envOf(t, t.TopicArn()))
		}
	}
	for i, k := range p.Keys {
		if k != nil {
			add(fmt.Sprintf("Keys[%d]", i), "the key", envOf(k, k.KeyArn()))
		}
	}
	for i, d := range p.Documents {
		if d != nil {
			// A document (an L1 resource) is where its stack is.
			lit := func(v *string) string {
				if v == nil || propcheck.Unresolved(*v) {
					return ""
				}
				return *v
			}
			s := awscdk.Stack_Of(d)
			add(fmt.Sprintf("Documents[%d]", i), "the document", propcheck.Env{Account: lit(s.Account()), Region: lit(s.Region())})
		}
	}
	for i, b := range p.Buckets {
		if b != nil {
			add(fmt.Sprintf("Buckets[%d]", i), "the bucket", propcheck.EnvOf(b))
		}
	}
	for i, f := range p.MetricFilters {
		if f != nil {
			add(fmt.Sprintf("MetricFilters[%d]", i), "the metric filter", propcheck.EnvOf(f))
		}
	}
	return out
}

// ruleBus returns the event bus of rule when it is not the default bus (a
// rule of the app names it; an imported rule's ARN does: rule/BUS/NAME), or "".
func ruleBus(rule awsevents.IRule) string {
	if cfn, ok := rule.Node().DefaultChild().(awsevents.CfnRule); ok {
		if bus := cfn.EventBusName(); bus != nil && *bus != "default" {
			if propcheck.Unresolved(*bus) {
				return "(a bus of the app)"
			}
			return *bus
		}
		return ""
	}
	if arn := *rule.RuleArn(); !propcheck.Unresolved(arn) {
		if _, rest, ok := strings.Cut(arn, ":rule/"); ok {
			if bus, _, custom := strings.Cut(rest, "/"); custom && bus != "default" {
				return bus
			}
		}
	}
	return ""
}

// unique returns values without repeats, in order.
func unique(values []*string) []*string {
	seen := map[string]bool{}
	var out []*string
	for _, v := range values {
		if !seen[*v] {
			seen[*v] = true
			out = append(out, v)
		}
	}
	return out
}

// guardedKeysPerRule is how many keys GuardedKeyRule watches: one
// {"suffix": key ID} entry each (the keyId PutKeyPolicy records is the key's
// ARN or ID, both ending with the ID; 50 characters with its JSON), within
// EventBridge's 2,048-character pattern quota with the rest of the pattern
// (TestQuotas_GuardedKeysPerRule).
const guardedKeysPerRule = 30

// watchGuard creates GuardedKeyRule over the keys guard protects, known at
// synthesis (its aspect protects them then): PutKeyPolicy on them, not by
// CloudFormation. A guard protecting more keys than one rule's pattern holds
// watches the first guardedKeysPerRule and warns about the others.
func (m *MonitorTampering) watchGuard(guard *DeletionGuard, watched []awskms.IKey) {
	skip := map[string]bool{}
	for _, k := range watched {
		if k != nil {
			skip[*k.Node().Addr()] = true // KeyRules report their policy changes already: one alert per change
		}
	}
	m.GuardedKeyRule = m.rule("GuardedKeyPolicyRule", "kms.amazonaws.com",
		"the key policy of a key DeletionGuard protects was replaced (the guard's two Deny statements may be gone)",
		[]interface{}{obj{"eventName": KeyTamperingOperations[2:], "sourceIPAddress": notDeployed(),
			"requestParameters": obj{"keyId": awscdk.Lazy_UncachedAny(&guardedKeyEntries{guard: guard, skip: skip, stack: awscdk.Stack_Of(m.Construct)}, nil)}}},
		"Check that the new policy still holds DenyDisablingOrDeletingKeysInUse and DenyShortKeyDeletionWaitingPeriod (aws kms get-key-policy --key-id <key> --policy-name default), or deploy the stack again to put the guard back.")
	// Validations run after the aspects (the guard's has protected its keys) and before the
	// templates are written: the warning is recorded with the stack.
	m.Node().AddValidation(&guardedKeysCheck{entries: &guardedKeyEntries{guard: guard, skip: skip, stack: awscdk.Stack_Of(m.Construct)}, on: m.Construct})
}

// guardedKeyEntries produces, at synthesis, the pattern entries of the
// first guardedKeysPerRule keys a guard protects that KeyRules do not watch.
type guardedKeyEntries struct {
	guard *DeletionGuard
	skip  map[string]bool // construct addresses
	stack awscdk.Stack    // the rule's
}

// keys returns the keys to watch, in the order the guard protected them:
// those of the rule's stack and its nested stacks (a key of another stack
// would need a cross-stack reference, and its calls may be recorded in
// another Region), and others, to warn about.
func (e *guardedKeyEntries) keys() (watched, elsewhere []awskms.IKey) {
	for _, k := range e.guard.protectedKeys() {
		if e.skip[*k.Node().Addr()] {
			continue
		}
		stack := awscdk.Stack_Of(k)
		for stack.NestedStackParent() != nil {
			stack = stack.NestedStackParent()
		}
		if *stack.Node().Addr() == *e.stack.Node().Addr() {
			watched = append(watched, k)
		} else {
			elsewhere = append(elsewhere, k)
		}
	}
	return watched, elsewhere
}

// Produce implements awscdk.IAnyProducer (uncached: the guard's aspect may
// protect keys after a first resolution).
func (e *guardedKeyEntries) Produce(awscdk.IResolveContext) interface{} {
	keys, _ := e.keys()
	out := []interface{}{}
	for _, k := range keys {
		if len(out) == guardedKeysPerRule {
			break
		}
		out = append(out, obj{"suffix": k.KeyId()})
	}
	if len(out) == 0 {
		// No key: an entry no successful PutKeyPolicy records (an empty list is not a pattern).
		out = append(out, "kmsmonitor-no-guarded-key")
	}
	return out
}

// guardedKeysCheck warns when a guard protects more keys than
// GuardedKeyRule watches.
type guardedKeysCheck struct {
	entries *guardedKeyEntries
	on      constructs.Construct
}

// Validate implements constructs.IValidation.
func (c *guardedKeysCheck) Validate() *[]*string {
	keys, elsewhere := c.entries.keys()
	if len(elsewhere) > 0 {
		var paths []string
		for _, k := range elsewhere {
			paths = append(paths, *k.Node().Path())
		}
		awscdk.Annotations_Of(c.on).AddWarningV2(jsii.String("kmsmonitor:guardedKeysNotWatched"), jsii.String(fmt.Sprintf(
			"MonitorTampering watches the key policies of the keys DeletionGuard protects in its own stack; these keys of other stacks are not watched: %s. Give them to a MonitorTampering (Keys) in their stack.",
			strings.Join(paths, ", "))), nil)
	}
	if len(keys) > guardedKeysPerRule {
		var rest []string
		for _, k := range keys[guardedKeysPerRule:] {
			rest = append(rest, *k.Node().Path())
		}
		awscdk.Annotations_Of(c.on).AddWarningV2(jsii.String("kmsmonitor:guardedKeysNotWatched"), jsii.String(fmt.Sprintf(
			"MonitorTampering watches the key policies of %d of the %d other keys DeletionGuard protects (one rule's pattern quota); these are not watched: %s. Give them to MonitorTampering.Keys (spread over as many rules as needed).",
			guardedKeysPerRule, len(keys), strings.Join(rest, ", "))), nil)
	}
	return &[]*string{}
}
