package kmsmonitor

import (
	_ "embed"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/cdkbyname"
	"github.com/kmsmonitor/kmsmonitor/internal/nagsuppress"
	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

// chatForwarder is the function's code, inline in the template (Code.ZipFile).
//
//go:embed chat_notifications.py
var chatForwarder string

// ChatNotificationsProps configures ChatNotifications.
type ChatNotificationsProps struct {
	// Topic is the topic whose messages go to chat: KeyMonitoring's Topic, or
	// the Topic of any kmsmonitor construct. Required.
	Topic awssns.ITopic
	// ChatTopic is the topic your channel configuration of Amazon Q Developer
	// in chat applications (AWS Chatbot) subscribes to. It receives every
	// message of Topic in the service's custom notification format. Not Topic
	// itself, and a standard topic.
	// Default: a new SNS topic encrypted with a new customer managed KMS key, TLS only.
	ChatTopic awssns.ITopic
	// LogRetention of the function's log group.
	// Default: one year.
	LogRetention awslogs.RetentionDays
	// RemovalPolicy of the function's log group and dead-letter queue.
	// Default: RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
}

// ChatNotifications makes kmsmonitor's messages readable in Slack or
// Microsoft Teams through Amazon Q Developer in chat applications,
// which shows only the messages it recognizes: a function subscribed to
// Topic publishes each message on ChatTopic in the service's custom
// notification format (a title, and the message in a code block). E-mails
// and other subscribers of Topic get the messages unchanged. Subscribe your
// channel configuration to ChatTopic, not to Topic.
type ChatNotifications struct {
	constructs.Construct

	// Function converts and forwards the messages (Python, inline).
	Function awslambda.Function
	// ChatTopic receives the messages in chat format.
	ChatTopic awssns.ITopic
	// ChatTopicKey encrypts ChatTopic; nil when ChatTopic was given.
	ChatTopicKey awskms.Key
	// LogGroup holds the function's logs.
	LogGroup awslogs.LogGroup
	// DeadLetterQueue keeps the messages the function could not forward after Lambda's two retries.
	DeadLetterQueue awssqs.Queue
	// FailureAlarm notifies Topic when DeadLetterQueue holds a message.
	FailureAlarm awscloudwatch.Alarm
}

// NewChatNotifications creates ChatNotifications. It panics with a
// *ValidationError when props are invalid.
func NewChatNotifications(scope constructs.Construct, id *string, props *ChatNotificationsProps) *ChatNotifications {
	p, node, c := start("kmsmonitor.ChatNotifications", scope, id, props)
	checkChatTopics(c, p.Topic, p.ChatTopic)
	checkRetentionAndRemoval(c, p.LogRetention, p.RemovalPolicy, "a log group and a queue")
	c.PanicIfAny()

	retention := p.LogRetention
	if retention == "" {
		retention = awslogs.RetentionDays_ONE_YEAR
	}
	removal := p.RemovalPolicy
	if removal == "" {
		removal = awscdk.RemovalPolicy_RETAIN
	}
	ch := &ChatNotifications{Construct: node, ChatTopic: p.ChatTopic}
	if ch.ChatTopic == nil {
		ch.ChatTopicKey = awskms.NewKey(node, jsii.String("ChatTopicKey"), &awskms.KeyProps{
			Description:       jsii.String("kmsmonitor: encrypts the chat topic of KMS key monitoring"),
			EnableKeyRotation: jsii.Bool(true),
			RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
		})
		ch.ChatTopic = awssns.NewTopic(node, jsii.String("ChatTopic"), &awssns.TopicProps{
			MasterKey:  ch.ChatTopicKey,
			EnforceSSL: jsii.Bool(true),
		})
	}
	ch.LogGroup = awslogs.NewLogGroup(node, jsii.String("LogGroup"), &awslogs.LogGroupProps{
		Retention:     retention,
		RemovalPolicy: removal,
	})
	nagsuppress.On(ch.LogGroup, nagsuppress.Rule{ID: "NIST.800.53.R5-CloudWatchLogGroupEncrypted",
		Reason: "Holds the function's start, end and report lines and its errors, not the messages; CloudWatch Logs encrypts it at rest."})
	ch.DeadLetterQueue = awssqs.NewQueue(node, jsii.String("DeadLetterQueue"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		RemovalPolicy:   removal,
	})
	nagsuppress.On(ch.DeadLetterQueue, nagsuppress.Rule{ID: "AwsSolutions-SQS3",
		Reason: "This queue is itself the function's dead-letter queue; a dead-letter queue of its own would only move the same messages."})
	// The role is kmsmonitor's own, not aws-cdk-lib's default: that one
	// attaches the managed policy AWSLambdaBasicExecutionRole (logs of every
	// log group); this one writes to LogGroup only.
	role := awsiam.NewRole(node, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("kmsmonitor: forwards KMS key monitoring messages to the chat topic"),
	})
	ch.LogGroup.GrantWrite(role)
	ch.Function = awslambda.NewFunction(node, jsii.String("Function"), &awslambda.FunctionProps{
		Runtime:         awslambda.Runtime_PYTHON_3_14(),
		Architecture:    awslambda.Architecture_ARM_64(),
		Handler:         jsii.String("index.handler"),
		Code:            awslambda.Code_FromInline(jsii.String(chatForwarder)),
		Description:     jsii.String("kmsmonitor: forwards KMS key monitoring messages to the chat topic in chat format"),
		Role:            role,
		LogGroup:        ch.LogGroup,
		Timeout:         awscdk.Duration_Seconds(jsii.Number(30)),
		MemorySize:      jsii.Number(128),
		DeadLetterQueue: ch.DeadLetterQueue,
		Environment:     &map[string]*string{"CHAT_TOPIC_ARN": ch.ChatTopic.TopicArn()},
	})
	ch.ChatTopic.GrantPublish(role)
	// aws-cdk-lib's Function both reads its role with Fn::GetAtt and lists it
	// (and its policy) in DependsOn; cfn-lint W3005 flags that redundancy,
	// which is harmless.
	ch.Function.Node().DefaultChild().(awscdk.CfnResource).AddMetadata(jsii.String("cfn-lint"),
		map[string]any{"config": map[string]any{"ignore_checks": []string{"W3005"}}})
	nagsuppress.On(ch.Function,
		nagsuppress.Rule{ID: "NIST.800.53.R5-LambdaInsideVPC",
			Reason: "The function calls only the SNS API and reads nothing private; a VPC would need an SNS endpoint or a NAT gateway for no protection gained."},
		nagsuppress.Rule{ID: "AwsSolutions-L1",
			Reason: "python3.14, supported by Lambda since November 2025; aws-cdk-lib also lists python3.15, which the rule takes for the latest, though aws-cdk-lib's own choice of the latest Python runtime is still python3.13."},
		nagsuppress.Rule{ID: "NIST.800.53.R5-LambdaConcurrency",
			Reason: "Reserving concurrency fails to deploy in accounts whose concurrency quota is at its minimum of 10; the messages it forwards are already bounded upstream."})
	p.Topic.AddSubscription(cdkbyname.LambdaSubscription(ch.Function))
	// Chat is quiet when it fails: a message the function could not
	// forward after Lambda's two retries is reported on Topic, by e-mail.
	alerting.AllowAlarmsToPublish(p.Topic)
	ch.FailureAlarm = alerting.NewDeadLetterAlarm(node, "FailureAlarm", ch.DeadLetterQueue,
		"kmsmonitor ChatNotifications: messages could not be forwarded to the chat topic; they wait in the function's dead-letter queue (see the function's logs)",
		alerting.Notification{Topic: p.Topic})
	if chatTopicImported(ch.ChatTopic) {
		awscdk.Annotations_Of(node).AddWarningV2(jsii.String("kmsmonitor:importedChatTopic"), jsii.String(fmt.Sprintf(
			"ChatTopic is imported, so kmsmonitor cannot see its key: if it is encrypted with a customer managed key, "+
				"let the function's role (%s) use it (kms:GenerateDataKey* and kms:Decrypt in the key policy), or import the topic with "+
				"awssns.Topic_FromTopicAttributes and its KeyArn; otherwise every message ends in the dead-letter queue. "+
				"Acknowledge this warning once the role may use the key, or if the topic is not encrypted.", *role.Node().Path())), nil)
	}
	return ch
}

// chatTopicImported reports whether topic was imported (not created in the
// app) without a key kmsmonitor knows.
func chatTopicImported(topic awssns.ITopic) bool {
	_, created := topic.Node().DefaultChild().(awssns.CfnTopic)
	return !created && topic.MasterKey() == nil
}

// checkChatTopics records what would keep topic's messages from reaching
// chatTopic: no topic, a FIFO topic (Lambda cannot subscribe to one, and
// chat applications read standard topics only), or the same topic for both
// (each forwarded message would come back to the function).
func checkChatTopics(c *propcheck.Checker, topic, chatTopic awssns.ITopic) {
	if topic == nil {
		c.Addf("Topic", "is required: give the topic whose messages go to chat (KeyMonitoring's Topic, or the Topic of any kmsmonitor construct)")
	} else if f := topic.Fifo(); f != nil && *f {
		c.Addf("Topic", "is a FIFO topic; Lambda cannot subscribe to one: give the standard topic kmsmonitor notifies")
	}
	if chatTopic == nil {
		return
	}
	if f := chatTopic.Fifo(); f != nil && *f {
		c.Addf("ChatTopic", "is a FIFO topic; Amazon Q Developer in chat applications reads standard topics only: give a standard topic, or leave ChatTopic unset for a new one")
	}
	if topic != nil && (topic == chatTopic || *topic.TopicArn() == *chatTopic.TopicArn()) {
		c.Addf("ChatTopic", "is Topic itself; each forwarded message would come back to be forwarded again: give another topic, or leave ChatTopic unset for a new one")
	}
	c.SameEnv("kmsmonitor:chatTopicEnvironment", "the function publishes to topics of its own account and Region",
		"give a chat topic of this stack's account and Region, or leave ChatTopic unset for a new one",
		[]propcheck.Placed{{Prop: "ChatTopic", What: "the chat topic", Env: propcheck.EnvOf(chatTopic), SameRegion: true}})
}
