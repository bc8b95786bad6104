// Package alerting is the one place where kmsmonitor constructs decide how an
// alarm is built and where its notifications go: every construct creates its
// alarms and its notification topic through here, so names, actions and
// secure defaults are decided once.
package alerting

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/nagsuppress"
)

// Notification is where a construct's alarms and events are sent.
type Notification struct {
	// Topic receives the notifications.
	Topic awssns.ITopic
	// Key encrypts Topic; nil when the topic was given by the user.
	Key awskms.Key
}

// UseOrCreateTopic returns existing when it is not nil, else a new topic
// encrypted with a new customer managed key (IDs "Topic" and "TopicKey" under
// scope). Each address in emails is subscribed to the topic either way.
func UseOrCreateTopic(scope constructs.Construct, existing awssns.ITopic, emails []string) Notification {
	n := Notification{Topic: existing}
	if existing == nil {
		n.Key = newTopicKey(scope, "TopicKey")
		n.Topic = awssns.NewTopic(scope, jsii.String("Topic"), &awssns.TopicProps{
			MasterKey:  n.Key,
			EnforceSSL: jsii.Bool(true),
		})
	}
	for _, e := range emails {
		n.Topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(e), nil))
	}
	return n
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
	stack := awscdk.Stack_Of(scope)
	publish := &[]*string{jsii.String("kms:Decrypt"), jsii.String("kms:GenerateDataKey*")}
	// A key policy's resource is always the key itself, written "*".
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarmsOfThisAccount"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    publish,
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]interface{}{
			"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()},
			"ArnLike": map[string]interface{}{"aws:SourceArn": stack.FormatArn(&awscdk.ArnComponents{
				Service:      jsii.String("cloudwatch"),
				Resource:     jsii.String("alarm"),
				ResourceName: jsii.String("*"),
				ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
			})},
		},
	}), nil)
	// No aws:SourceAccount/SourceArn condition here: EventBridge does not send
	// them to KMS when it delivers to an encrypted topic, so they would drop
	// every event (see "Amazon SNS: Enable compatibility between event sources
	// from AWS services and encrypted topics"). No Sid either: the statement is
	// then identical to the one aws-cdk-lib's SnsTopic target adds, and the two
	// are merged into one.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
		Actions:    publish,
		Resources:  jsii.Strings("*"),
	}), nil)
	return key
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
}

// NewAlarm creates an alarm that fires on one breaching datapoint out of one
// and notifies n.Topic on ALARM (and on OK when notifyOK is set).
func NewAlarm(scope constructs.Construct, id string, spec AlarmSpec, n Notification, notifyOK bool) awscloudwatch.Alarm {
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
	action := awscloudwatchactions.NewSnsAction(n.Topic)
	alarm.AddAlarmAction(action)
	if notifyOK {
		alarm.AddOkAction(action)
	}
	return alarm
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

// NotifyTarget sends message to topic from an EventBridge rule, retrying for
// 24 hours (185 attempts) and then keeping the event in dlq.
func NotifyTarget(topic awssns.ITopic, message awsevents.RuleTargetInput, dlq awssqs.IQueue) awsevents.IRuleTarget {
	return awseventstargets.NewSnsTopic(topic, &awseventstargets.SnsTopicProps{
		Message: message, DeadLetterQueue: dlq,
		RetryAttempts: jsii.Number(185), MaxEventAge: awscdk.Duration_Hours(jsii.Number(24)),
	})
}
