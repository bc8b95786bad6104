// Package alerting is the one place where kmsmonitor constructs decide how an
// alarm is built and where its notifications go: every construct creates its
// alarms and its notification topic through here, so names, actions and
// secure defaults are decided once.
package alerting

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/cdkbyname"
	"github.com/kmsmonitor/kmsmonitor/internal/nagsuppress"
	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

// Notification is where a construct reports.
type Notification struct {
	// Topic receives the notifications.
	Topic awssns.ITopic
	// Key encrypts Topic when this construct created it; nil otherwise.
	Key awskms.Key
	// OnOK also reports alarms returning to OK.
	OnOK bool
}

// Decide decides where a construct reports, in one order for every
// construct: its own topic when the user gave one; else the notification
// handed down by the construct that composes it (KeyMonitoring,
// CentralKeyMonitoring); else a new topic encrypted with a new customer
// managed key (IDs "Topic" and "TopicKey" under scope). onOK, when set,
// overrides the handed-down choice. Each address in emails is subscribed to
// the topic, once per topic whoever asks. Either way the topic's access
// policy, and its key's policy where this app owns the key, let the
// CloudWatch alarms of this account publish (AllowAlarmsToPublish). Check a
// given topic with CheckTopic first.
func Decide(scope constructs.Construct, topic awssns.ITopic, emails []string, onOK *bool, handed *Notification) Notification {
	var n Notification
	switch {
	case topic != nil:
		n.Topic = topic
		AllowAlarmsToPublish(topic)
	case handed != nil:
		n.Topic, n.OnOK = handed.Topic, handed.OnOK
	default:
		n.Key = newTopicKey(scope, "TopicKey")
		n.Topic = awssns.NewTopic(scope, jsii.String("Topic"), &awssns.TopicProps{
			MasterKey:  n.Key,
			EnforceSSL: jsii.Bool(true),
		})
		AllowAlarmsToPublish(n.Topic)
	}
	if onOK != nil {
		n.OnOK = *onOK
	}
	for _, e := range emails {
		// aws-cdk-lib names an e-mail subscription after its address.
		if n.Topic.Node().TryFindChild(jsii.String(e)) == nil {
			n.Topic.AddSubscription(cdkbyname.EmailSubscription(jsii.String(e)))
		}
	}
	return n
}

// AllowAlarmsToPublish lets the CloudWatch alarms of topic's account and
// Region publish to topic and use its key. A topic policy replaces SNS's
// default access policy, so without this statement no alarm action is
// authorized (AWS re:Post: "Why didn't I receive an SNS notification for my
// CloudWatch alarm trigger?"). EventBridge targets grant themselves
// (aws-cdk-lib's SnsTopic target); their key statement is added here too so
// that a topic given by the user works with both. Where the app cannot change
// the topic's or the key's policy (imported), a warning says what to allow.
func AllowAlarmsToPublish(topic awssns.ITopic) {
	stack := awscdk.Stack_Of(topic)
	res := topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarmsOfThisAccount"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{topic.TopicArn()},
		Conditions: alarmsOfThisAccount(stack),
	}))
	key := topic.MasterKey()
	if !*res.StatementAdded {
		env := importedEnv(stack, topic.TopicArn())
		msg := "kmsmonitor cannot change the access policy of this imported topic: add these statements to it, " +
			"or no alarm or event of kmsmonitor reaches it:\n" + topicStatementsJSON(env, topic.TopicArn()) + "\n"
		if key == nil {
			msg += "If the topic is encrypted with a customer managed key, import it with awssns.Topic_FromTopicAttributes and its KeyArn " +
				"(kmsmonitor then grants its own roles that publish, such as DeletionCheck's and AutoCancelDeletion's automations, the key), " +
				"and add this statement to the key's policy, or no notification is delivered:\n" + KeyStatementJSON + "\n"
		}
		msg += "Acknowledge this warning once the policies allow them."
		awscdk.Annotations_Of(topic).AddWarningV2(jsii.String("kmsmonitor:importedTopic"), jsii.String(msg), nil)
	}
	if key != nil {
		allowPublishersToUseKey(key, "kmsmonitor:importedTopicKey", "the key of a kmsmonitor notification topic")
	}
}

// KeyStatementJSON is the key policy statement that lets CloudWatch and
// EventBridge encrypt kmsmonitor's notifications with a topic's key (the
// statements allowPublishersToUseKey adds where the key is the app's).
const KeyStatementJSON = `{"Sid":"AllowKmsmonitorPublishers","Effect":"Allow",` +
	`"Principal":{"Service":["cloudwatch.amazonaws.com","events.amazonaws.com"]},` +
	`"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}`

// importedEnv is where an imported resource is: from its ARN when literal,
// else the stack's; "<partition>", "<region>", "<account>" where unknown.
func importedEnv(stack awscdk.Stack, arn *string) propcheck.Env {
	env := propcheck.EnvOfArn(*arn)
	lit := func(v *string, placeholder string) string {
		if v == nil || propcheck.Unresolved(*v) {
			return placeholder
		}
		return *v
	}
	if env.Account == "" {
		env.Account = lit(stack.Account(), "<account>")
	}
	if env.Region == "" {
		env.Region = lit(stack.Region(), "<region>")
	}
	return env
}

// topicStatementsJSON is the statements AllowAlarmsToPublish and
// aws-cdk-lib's SnsTopic target add to a topic of the app, as JSON (one
// array) for a topic whose policy is not the app's: the alarms of env's
// account and Region, and EventBridge.
func topicStatementsJSON(env propcheck.Env, topicArn *string) string {
	partition := propcheck.Partition(env.Region)
	if partition == "" {
		partition = "<partition>"
	}
	arn := "<topic ARN>"
	if !propcheck.Unresolved(*topicArn) {
		arn = *topicArn
	}
	statements := []map[string]any{
		{"Sid": "AllowCloudWatchAlarmsOfThisAccount", "Effect": "Allow",
			"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish", "Resource": arn,
			"Condition": map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": env.Account},
				"ArnLike":      map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:*", partition, env.Region, env.Account)}}},
		// No condition: "You can't use Condition blocks in Amazon SNS topic
		// policies for EventBridge" (EventBridge User Guide, "Using
		// resource-based policies for Amazon EventBridge"), as aws-cdk-lib's
		// SnsTopic target writes it.
		{"Sid": "AllowEventBridge", "Effect": "Allow",
			"Principal": map[string]any{"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": arn},
	}
	b, _ := json.Marshal(statements)
	return string(b)
}

// alarmsOfThisAccount is the condition naming the alarms of the stack's
// account and Region, which CloudWatch sends as aws:SourceArn and
// aws:SourceAccount.
func alarmsOfThisAccount(stack awscdk.Stack) *map[string]interface{} {
	return &map[string]interface{}{
		"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()},
		"ArnLike": map[string]interface{}{"aws:SourceArn": stack.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("cloudwatch"),
			Resource:     jsii.String("alarm"),
			ResourceName: jsii.String("*"),
			ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})},
	}
}

// newTopicKey creates the key of a notification topic: rotated yearly,
// retained on stack deletion, and usable by the two services that publish to
// the topic.
func newTopicKey(scope constructs.Construct, id string) awskms.Key {
	key := awskms.NewKey(scope, jsii.String(id), &awskms.KeyProps{
		Description:       jsii.String("kmsmonitor: encrypts a notification topic of KMS key monitoring"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	allowPublishersToUseKey(key, "", "")
	return key
}

// allowPublishersToUseKey lets the two services that publish kmsmonitor's
// notifications use key, the key of a topic (or of a queue for EventBridge).
// When the app cannot change the key's policy, the warning warnID says so on
// key, which what names.
func allowPublishersToUseKey(key awskms.IKey, warnID, what string) {
	publish := &[]*string{jsii.String("kms:Decrypt"), jsii.String("kms:GenerateDataKey*")}
	// A key policy's resource is always the key itself, written "*". No
	// source condition: AWS documents none for CloudWatch here (SNS Developer
	// Guide, "Enable compatibility between event sources from AWS services
	// and encrypted topics"), and the topic policy already admits only this
	// account's alarms.
	res := key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarms"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    publish,
		Resources:  jsii.Strings("*"),
	}), jsii.Bool(true))
	allowEventBridgeToUseKey(key)
	if !*res.StatementAdded {
		awscdk.Annotations_Of(key).AddWarningV2(jsii.String(warnID), jsii.String(
			"kmsmonitor cannot change the key policy of "+what+" (the key is imported): add this statement to it, or no notification is delivered:\n"+
				KeyStatementJSON+"\nAcknowledge this warning once it does."), nil)
	}
}

// allowEventBridgeToUseKey lets EventBridge encrypt with key. No
// aws:SourceAccount/SourceArn condition: EventBridge does not send them to
// KMS when it delivers to an encrypted topic or queue, so they would drop
// every event (see "Amazon SNS: Enable compatibility between event sources
// from AWS services and encrypted topics"). No Sid either: the statement is
// then identical to the one aws-cdk-lib's SnsTopic target adds, and the two
// are merged into one. It reports whether the statement was added.
func allowEventBridgeToUseKey(key awskms.IKey) bool {
	res := key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
		Actions:    &[]*string{jsii.String("kms:Decrypt"), jsii.String("kms:GenerateDataKey*")},
		Resources:  jsii.Strings("*"),
	}), jsii.Bool(true))
	return *res.StatementAdded
}

// AlarmSpec is what differs between kmsmonitor alarms; everything else is
// decided by NewAlarm.
type AlarmSpec struct {
	Metric           awscloudwatch.IMetric
	Threshold        float64
	Comparison       awscloudwatch.ComparisonOperator
	TreatMissingData awscloudwatch.TreatMissingData
	Description      string
	// Name is the alarm name; nil lets CloudFormation generate one.
	Name *string
	// PeriodToken, when set, is the alarm's period in seconds as a token
	// (see MetricPeriod); Metric then carries a placeholder period.
	PeriodToken *float64
	// NoActions, when not "", leaves the alarm without actions and says
	// which part notifies its incidents instead (a log alarm that names the
	// caller, KeyUseEvents), for cdk-nag's NIST 800-53 CloudWatchAlarmAction.
	NoActions string
}

// MetricPeriod splits an alarm period given in props into the period the
// metrics carry and, for a token period (a CfnParameter's value), the token
// to write into the alarm (AlarmSpec.PeriodToken). aws-cdk-lib's Metric
// refuses a token period ("'period' must be 1, 5, 10, 30, or a multiple of
// 60 seconds"), so the metrics then carry 1 minute, which only graphs and
// Metric() show.
func MetricPeriod(period awscdk.Duration) (awscdk.Duration, *float64) {
	if period == nil || !*period.IsUnresolved() {
		return period, nil
	}
	return awscdk.Duration_Minutes(jsii.Number(1)), period.ToSeconds(nil)
}

// treatMissingData lists what aws-cdk-lib's TreatMissingData allows.
var treatMissingData = []awscloudwatch.TreatMissingData{
	awscloudwatch.TreatMissingData_BREACHING, awscloudwatch.TreatMissingData_NOT_BREACHING,
	awscloudwatch.TreatMissingData_IGNORE, awscloudwatch.TreatMissingData_MISSING,
}

// CheckTreatMissingData records in c a TreatMissingData prop that is set
// but not one of aws-cdk-lib's constants (jsii would refuse it with an
// obscure error when the alarm is created).
func CheckTreatMissingData(c *propcheck.Checker, prop string, v awscloudwatch.TreatMissingData) {
	propcheck.Enum(c, prop, v, treatMissingData,
		"awscloudwatch.TreatMissingData_BREACHING, TreatMissingData_NOT_BREACHING, TreatMissingData_IGNORE or TreatMissingData_MISSING")
}

// NewAlarm creates an alarm that fires on one breaching datapoint out of one
// and notifies n.Topic on ALARM (and on OK when n.OnOK).
func NewAlarm(scope constructs.Construct, id string, spec AlarmSpec, n Notification) awscloudwatch.Alarm {
	alarm := awscloudwatch.NewAlarm(scope, jsii.String(id), &awscloudwatch.AlarmProps{
		Metric:             spec.Metric,
		Threshold:          jsii.Number(spec.Threshold),
		ComparisonOperator: spec.Comparison,
		EvaluationPeriods:  jsii.Number(1),
		DatapointsToAlarm:  jsii.Number(1),
		TreatMissingData:   spec.TreatMissingData,
		AlarmDescription:   jsii.String(spec.Description),
		AlarmName:          spec.Name,
	})
	if spec.PeriodToken != nil {
		// The period of a metric alarm is the alarm's Period; that of a
		// Metrics Insights alarm, its one query's (no other metrics).
		path := "Period"
		if _, query := spec.Metric.(awscloudwatch.MathExpression); query {
			path = "Metrics.0.Period"
		}
		alarm.Node().DefaultChild().(awscloudwatch.CfnAlarm).AddPropertyOverride(jsii.String(path), spec.PeriodToken)
	}
	if spec.NoActions != "" {
		nagsuppress.On(alarm, nagsuppress.Rule{ID: "NIST.800.53.R5-CloudWatchAlarmAction",
			Reason: "Its incidents are notified once, by " + spec.NoActions + ", which names the key, the caller and the operation; this alarm would send a second, unnamed message."})
		return alarm
	}
	action := cdkbyname.SnsAction(n.Topic)
	alarm.AddAlarmAction(action)
	if n.OnOK {
		alarm.AddOkAction(action)
	}
	return alarm
}

// NewDeadLetterAlarm creates the alarm (ID id under scope) that tells n's
// topic as soon as queue, a dead-letter queue, holds a message: what landed
// there was not delivered, and nothing else would say so.
func NewDeadLetterAlarm(scope constructs.Construct, id string, queue awssqs.IQueue, description string, n Notification) awscloudwatch.Alarm {
	return NewAlarm(scope, id, AlarmSpec{
		Metric: queue.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
			Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum"),
		}),
		Threshold: 1, Comparison: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
		Description:      description,
	}, n)
}

// NewDeadLetterQueue creates the queue that keeps the events an EventBridge
// target could not receive: SSE-SQS encrypted (EventBridge cannot write to a
// queue encrypted with an AWS managed KMS key), TLS only, 14 days, retained.
func NewDeadLetterQueue(scope constructs.Construct, id string) awssqs.Queue {
	q := awssqs.NewQueue(scope, jsii.String(id), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		RemovalPolicy:   awscdk.RemovalPolicy_RETAIN,
	})
	nagsuppress.On(q, nagsuppress.Rule{ID: "AwsSolutions-SQS3",
		Reason: "This queue is itself the dead-letter queue of EventBridge targets; a dead-letter queue of its own would only move the same messages."})
	return q
}

// The retry policy of every EventBridge target kmsmonitor creates:
// EventBridge's maxima, so an event is given up only after a day.
const (
	// RetryAttempts is the number of retries (EventBridge allows 0 to 185).
	RetryAttempts = 185
	// MaxEventAgeSeconds is how long retries go on (EventBridge allows 60 to 86400).
	MaxEventAgeSeconds = 86400
)

// NotifyTarget sends message to topic from an EventBridge rule, retrying
// (RetryAttempts, MaxEventAgeSeconds) and then keeping the event in dlq.
func NotifyTarget(topic awssns.ITopic, message awsevents.RuleTargetInput, dlq awssqs.IQueue) awsevents.IRuleTarget {
	return WithDeadLetterQueue(cdkbyname.SnsTopic(topic, cdkbyname.TargetProps{
		Message:       message,
		RetryAttempts: jsii.Number(RetryAttempts), MaxEventAge: awscdk.Duration_Seconds(jsii.Number(MaxEventAgeSeconds)),
	}), dlq)
}

// CheckTopic records in c why topic, given by the user as prop, cannot carry
// kmsmonitor's notifications: a FIFO topic (CloudWatch alarm actions and
// e-mail subscriptions need a standard topic), or one encrypted with the AWS
// managed key alias/aws/sns (its key policy cannot be changed, so neither
// CloudWatch nor EventBridge may use it).
func CheckTopic(c *propcheck.Checker, prop string, topic awssns.ITopic) {
	if topic == nil {
		return
	}
	c.SameEnv("kmsmonitor:topicEnvironment", "CloudWatch alarms and EventBridge rules notify only topics of their own Region",
		"give a topic of this stack's Region, or leave Topic unset for a new one",
		[]propcheck.Placed{{Prop: prop, What: "the topic", Env: propcheck.EnvOf(topic), SameRegion: true}})
	if f := topic.Fifo(); f != nil && *f {
		c.Addf(prop, "is a FIFO topic; CloudWatch alarms cannot notify FIFO topics and e-mail cannot subscribe to them: give a standard topic, or leave Topic unset for a new one")
	}
	if awsManagedKey(topic.MasterKey(), "alias/aws/sns") {
		c.Addf(prop, "is encrypted with the AWS managed key alias/aws/sns, whose key policy lets neither CloudWatch nor EventBridge publish: encrypt the topic with a customer managed key (awskms.NewKey), or leave Topic unset for a new one")
	}
}

// CheckDeadLetterQueue records in c why queue, given by the user as prop,
// cannot be the dead-letter queue of an EventBridge target: EventBridge
// accepts only standard queues, and cannot use the AWS managed key
// alias/aws/sqs.
func CheckDeadLetterQueue(c *propcheck.Checker, prop string, queue awssqs.IQueue) {
	if queue == nil {
		return
	}
	c.SameEnv("kmsmonitor:deadLetterQueueEnvironment", "EventBridge keeps undelivered events only in a queue of the rule's Region",
		"give a queue of this stack's Region, or leave DeadLetterQueue unset for a new one",
		[]propcheck.Placed{{Prop: prop, What: "the queue", Env: propcheck.EnvOf(queue), SameRegion: true}})
	if f := queue.Fifo(); f != nil && *f {
		c.Addf(prop, "is a FIFO queue; EventBridge dead-letter queues must be standard queues: give a standard queue, or leave DeadLetterQueue unset for a new one")
	}
	if queue.EncryptionType() == awssqs.QueueEncryption_KMS_MANAGED || awsManagedKey(queue.EncryptionMasterKey(), "alias/aws/sqs") {
		c.Addf(prop, "is encrypted with the AWS managed key alias/aws/sqs, which EventBridge cannot use: encrypt it with SSE-SQS (awssqs.QueueEncryption_SQS_MANAGED) or a customer managed key, or leave DeadLetterQueue unset for a new one")
	}
}

// CheckTargetQueue records in c why queue, given by the user as prop to
// receive a rule's events, cannot: the key policy of the AWS managed key
// alias/aws/sqs cannot let EventBridge use it, as for CheckDeadLetterQueue.
func CheckTargetQueue(c *propcheck.Checker, prop string, queue awssqs.IQueue) {
	if queue != nil && (queue.EncryptionType() == awssqs.QueueEncryption_KMS_MANAGED || awsManagedKey(queue.EncryptionMasterKey(), "alias/aws/sqs")) {
		c.Addf(prop, "is encrypted with the AWS managed key alias/aws/sqs, which EventBridge cannot use, so no event would arrive: encrypt it with SSE-SQS (awssqs.QueueEncryption_SQS_MANAGED) or a customer managed key")
	}
}

// UseOrCreateDeadLetterQueue returns existing, or a new NewDeadLetterQueue
// "DeadLetterQueue" under scope. A queue given by the user that is encrypted
// with a key: EventBridge may use the key (or a warning says what to allow
// when the key is imported). Check existing with CheckDeadLetterQueue first.
func UseOrCreateDeadLetterQueue(scope constructs.Construct, existing awssqs.IQueue) awssqs.IQueue {
	if existing == nil {
		return NewDeadLetterQueue(scope, "DeadLetterQueue")
	}
	if key := existing.EncryptionMasterKey(); key != nil && !allowEventBridgeToUseKey(key) {
		awscdk.Annotations_Of(key).AddWarningV2(jsii.String("kmsmonitor:importedQueueKey"), jsii.String(
			"kmsmonitor cannot change the key policy of this dead-letter queue's key (the key is imported): make sure it allows "+
				"kms:GenerateDataKey* and kms:Decrypt to events.amazonaws.com, or EventBridge cannot keep undelivered events. Acknowledge this warning once it does."), nil)
	}
	if !*awscdk.Resource_IsOwnedResource(existing) {
		awscdk.Annotations_Of(existing).AddWarningV2(jsii.String("kmsmonitor:importedQueue"), jsii.String(
			"kmsmonitor cannot change the access policy of this imported dead-letter queue: make sure it allows sqs:SendMessage to "+
				"events.amazonaws.com (aws:SourceArn the kmsmonitor rules), or undelivered events are lost. Acknowledge this warning once it does."), nil)
	}
	return existing
}

// awsManagedKey reports whether key is the AWS managed key alias (such as
// alias/aws/sns), given as an alias or as an alias ARN.
func awsManagedKey(key awskms.IKey, alias string) bool {
	if key == nil {
		return false
	}
	if a, ok := key.(awskms.IAlias); ok {
		if name := a.AliasName(); name != nil && *name == alias {
			return true
		}
	}
	arn := key.KeyArn()
	return arn != nil && strings.HasSuffix(*arn, ":"+alias)
}

// CheckRuleDeliveryProps is CheckDeliveryProps for a construct whose Topic
// is the target of EventBridge rules, which must also be of the stack's
// account (CheckRuleTarget).
func CheckRuleDeliveryProps(c *propcheck.Checker, topic awssns.ITopic, dlq awssqs.IQueue, emails []string) {
	CheckDeliveryProps(c, topic, dlq, emails)
	if topic != nil {
		CheckRuleTarget(c, "Topic", "topic", topic, false)
	}
}

// CheckRuleTarget records in c a target given as prop (what names its kind)
// that an EventBridge rule of this stack cannot deliver to: aws-cdk-lib
// refuses a target of another account or Region ("Cannot create a
// cross-account or cross-region rule for an imported resource"), here
// reported with the fix. alsoRegion is false where another check already
// covers the Region.
func CheckRuleTarget(c *propcheck.Checker, prop, what string, target awscdk.IResource, alsoRegion bool) {
	if *awscdk.Stack_Of(target).Node().Path() != *awscdk.Stack_Of(c.Node()).Node().Path() {
		return // defined in another stack of the app: aws-cdk-lib forwards the events to its environment
	}
	c.SameEnv("kmsmonitor:ruleTargetEnvironment", "aws-cdk-lib attaches an imported "+what+" to a rule only in the rule's own account and Region",
		"give a "+what+" of this stack's account and Region, or create this construct in a stack of the "+what+"'s environment",
		[]propcheck.Placed{{Prop: prop, What: "the " + what, Env: propcheck.EnvOf(target), SameAccount: true, SameRegion: alsoRegion}})
}

// CheckDeliveryProps records in c the problems of the delivery props most
// constructs take: Topic (CheckTopic), DeadLetterQueue (CheckDeadLetterQueue;
// nil for a construct without one) and Emails.
func CheckDeliveryProps(c *propcheck.Checker, topic awssns.ITopic, dlq awssqs.IQueue, emails []string) {
	CheckTopic(c, "Topic", topic)
	CheckDeadLetterQueue(c, "DeadLetterQueue", dlq)
	c.Emails("Emails", emails)
}
