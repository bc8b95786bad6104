package alerting

import (
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awspipes"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/nagsuppress"
)

// DeduplicationWindowMinutes is how long an SQS FIFO queue drops a message
// whose body equals one it accepted (SQS Developer Guide, "Exactly-once
// processing in Amazon SQS": a 5-minute deduplication interval, fixed).
const DeduplicationWindowMinutes = 5

// regionsWithoutPipes are the Regions whose CloudFormation has no
// AWS::Pipes::Pipe (cfn-lint 1.51's provider schemas, which aws-cdk-lib's
// built-in validation agrees with; TestPipesAvailable_AsCfnLintKnowsThem
// compares the two lists).
var regionsWithoutPipes = []string{
	"ap-east-2", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-west-1", "il-central-1", "mx-central-1", "us-gov-east-1", "us-gov-west-1",
}

// PipesAvailable reports whether a stack in region can have an EventBridge
// pipe: true unless region is one of regionsWithoutPipes, so true for an
// environment-agnostic stack (README says where it cannot be deployed).
func PipesAvailable(region string) bool {
	return !slices.Contains(regionsWithoutPipes, region)
}

// MessageGroupID is the message group of every message EventBridge sends to
// a Bounded queue (EventBridge requires one for a FIFO queue).
const MessageGroupID = "kmsmonitor"

// Bounded carries the messages of EventBridge rules that see one incident
// many times (a caller retrying against a key pending deletion) to a topic,
// at most once per distinct message and DeduplicationWindowMinutes: the
// rules send a body without per-event fields (no time, event ID or source
// address) to an SQS FIFO queue with content-based deduplication, which
// drops the repeats; an EventBridge pipe publishes what it keeps to the
// topic, as text. All AWS-managed parts: no code of ours runs.
type Bounded struct {
	// Queue receives the rules' messages (FIFO, content-based deduplication).
	Queue awssqs.Queue
	// DeadLetterQueue keeps the messages the pipe could not publish after 5 receives (FIFO, 14 days).
	DeadLetterQueue awssqs.Queue
	// Pipe publishes each message Queue keeps to the topic.
	Pipe awspipes.CfnPipe
	// Role is the role the pipe assumes: it reads Queue and publishes to the topic.
	Role awsiam.Role
	// Policy is Role's permissions.
	Policy awsiam.ManagedPolicy
	// FailureAlarm notifies when DeadLetterQueue holds a message (the pipe
	// could not deliver it); nil without a topic to notify.
	FailureAlarm awscloudwatch.Alarm
}

// NewBounded creates, under scope (IDs "Bounded*"), a Bounded delivering to
// topic with the pipe's text template: the text of every message, whose
// "<$.body.FIELD>" placeholders are the fields of the JSON body the rules
// send (Target's body).
func NewBounded(scope constructs.Construct, topic awssns.ITopic, template string) *Bounded {
	statements := []awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("PublishToTheTopic"), Actions: jsii.Strings("sns:Publish"), Resources: &[]*string{topic.TopicArn()},
	})}
	if key := topic.MasterKey(); key != nil {
		stack := awscdk.Stack_Of(scope)
		// SNS Developer Guide, "Key management": a publisher to an encrypted topic needs these two.
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("EncryptNotifications"), Actions: jsii.Strings("kms:Decrypt", "kms:GenerateDataKey"),
			Resources: &[]*string{key.KeyArn()},
			Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{
				"kms:ViaService": awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("sns."), stack.Region(), jsii.String("."), stack.UrlSuffix()}),
			}},
		}))
	}
	return newBounded(scope, "Bounded", topic, pipeTarget{
		what: "notification", does: "publishes each notification the FIFO queue kept (repeats dropped) to the topic",
		delivers: "publish to the notification topic", arn: topic.TopicArn(), statements: statements,
		params: &awspipes.CfnPipe_PipeTargetParametersProperty{InputTemplate: jsii.String(template)},
	})
}

// NewBoundedEvents creates, under scope (IDs prefix + "Queue", ...), a
// Bounded putting each message its queue keeps on bus as an event of source
// and detailType, whose detail is the pipe's JSON template (placeholders
// "<$.body.FIELD>", quoted where the field is a string). bus's policy should
// refuse every other sender (its rules act on what it receives). alarmTopic,
// when not nil, is told when the pipe cannot deliver (FailureAlarm).
func NewBoundedEvents(scope constructs.Construct, prefix string, bus awsevents.IEventBus, source, detailType, template string, alarmTopic awssns.ITopic) *Bounded {
	return newBounded(scope, prefix, alarmTopic, pipeTarget{
		what: "event", does: "puts each event the FIFO queue kept (repeats dropped) on its event bus",
		delivers: "put events on its event bus", arn: bus.EventBusArn(),
		statements: []awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("PutOnTheBus"), Actions: jsii.Strings("events:PutEvents"), Resources: &[]*string{bus.EventBusArn()},
		})},
		params: &awspipes.CfnPipe_PipeTargetParametersProperty{
			InputTemplate: jsii.String(template),
			EventBridgeEventBusParameters: &awspipes.CfnPipe_PipeTargetEventBridgeEventBusParametersProperty{
				Source: jsii.String(source), DetailType: jsii.String(detailType),
			},
		},
	})
}

// pipeTarget is where a Bounded's pipe delivers and how it is described.
type pipeTarget struct {
	what       string // "notification", "event": names the queue and the pipe in descriptions
	does       string // the pipe's description
	delivers   string // the role's description, after "read the queue and"
	arn        *string
	statements []awsiam.PolicyStatement // what the pipe's role needs on the target
	params     *awspipes.CfnPipe_PipeTargetParametersProperty
}

// newBounded creates, with IDs starting with prefix, the queues, role,
// policy and pipe of a Bounded whose pipe delivers to target, and, when
// alarmTopic is not nil, its FailureAlarm.
func newBounded(scope constructs.Construct, prefix string, alarmTopic awssns.ITopic, target pipeTarget) *Bounded {
	what := target.what
	b := &Bounded{}
	b.DeadLetterQueue = awssqs.NewQueue(scope, jsii.String(prefix+"DeadLetterQueue"), &awssqs.QueueProps{
		Fifo:            jsii.Bool(true),
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		RemovalPolicy:   awscdk.RemovalPolicy_RETAIN,
	})
	nagsuppress.On(b.DeadLetterQueue, nagsuppress.Rule{ID: "AwsSolutions-SQS3",
		Reason: "This queue is itself the dead-letter queue of the " + what + " queue; a dead-letter queue of its own would only move the same messages."})
	// SSE-SQS: EventBridge may send to it with no key policy to change (it
	// cannot use the AWS managed key alias/aws/sqs).
	b.Queue = awssqs.NewQueue(scope, jsii.String(prefix+"Queue"), &awssqs.QueueProps{
		Fifo:                      jsii.Bool(true),
		ContentBasedDeduplication: jsii.Bool(true),
		Encryption:                awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:                jsii.Bool(true),
		RetentionPeriod:           awscdk.Duration_Days(jsii.Number(4)),
		RemovalPolicy:             awscdk.RemovalPolicy_RETAIN,
		DeadLetterQueue:           &awssqs.DeadLetterQueue{Queue: b.DeadLetterQueue, MaxReceiveCount: jsii.Number(5)},
	})
	// Only EventBridge rules send to the queue (the queue policy allows
	// kmsmonitor's rules, by aws:SourceArn): a principal of the account
	// allowed sqs:SendMessage by its own policies would otherwise put its
	// own message on the topic, or start what the pipe's target starts. A
	// request made directly, not on a service's behalf, has no aws:SourceArn.
	b.Queue.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("OnlyEventBridgeRules"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("sqs:SendMessage"),
		Resources:  &[]*string{b.Queue.QueueArn()},
		Conditions: &map[string]interface{}{"Null": map[string]interface{}{"aws:SourceArn": "true"}},
	}))
	if alarmTopic != nil {
		b.FailureAlarm = NewDeadLetterAlarm(scope, prefix+"FailureAlarm", b.DeadLetterQueue,
			"kmsmonitor: the "+what+" pipe could not deliver a message after 5 attempts; it waits in "+prefix+"DeadLetterQueue (see the pipe's role and target)",
			Notification{Topic: alarmTopic})
	}
	stack := awscdk.Stack_Of(scope)
	b.Role = awsiam.NewRole(scope, jsii.String(prefix+"PipeRole"), &awsiam.RoleProps{
		Description: jsii.String("kmsmonitor: lets an EventBridge pipe read the " + what + " queue and " + target.delivers),
		// aws:SourceAccount only: AWS documents no aws:SourceArn that Pipes
		// sends when it assumes a pipe's role, and one it does not send would
		// stop the pipe.
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("pipes.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()}},
		}),
	})
	// The pipe's permissions (EventBridge Pipes User Guide, "Amazon SQS
	// queue as a source", and its target's), in a customer managed policy
	// rather than an inline one (NIST 800-53 IAMNoInlinePolicy).
	statements := append([]awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadThe" + strings.ToUpper(what[:1]) + what[1:] + "Queue"),
			Actions:   jsii.Strings("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
			Resources: &[]*string{b.Queue.QueueArn()},
		}),
	}, target.statements...)
	policy := awsiam.NewManagedPolicy(scope, jsii.String(prefix+"PipePolicy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("kmsmonitor: what the " + what + " pipe may do"),
		Roles:       &[]awsiam.IRole{b.Role},
		Statements:  &statements,
	})
	b.Policy = policy
	// awspipes has no L2 in aws-cdk-lib (only the alpha module): the L1.
	b.Pipe = awspipes.NewCfnPipe(scope, jsii.String(prefix+"Pipe"), &awspipes.CfnPipeProps{
		Description: jsii.String("kmsmonitor: " + target.does),
		RoleArn:     b.Role.RoleArn(),
		Source:      b.Queue.QueueArn(),
		SourceParameters: &awspipes.CfnPipe_PipeSourceParametersProperty{
			SqsQueueParameters: &awspipes.CfnPipe_PipeSourceSqsQueueParametersProperty{BatchSize: jsii.Number(1)},
		},
		Target:           target.arn,
		TargetParameters: target.params,
	})
	// Pipes checks the role's permissions when it creates the pipe: after its
	// policy (the role itself comes first through RoleArn).
	b.Pipe.Node().AddDependency(policy)
	return b
}

// Target is the target of a rule sending body (a JSON object whose values
// may be EventBridge input paths: awsevents.EventField_FromPath) to Queue,
// retrying as NotifyTarget does and then keeping the event in dlq. Leave
// per-event fields (time, event ID, source address) out of body, or every
// event is a new message. A value that is one input path alone is written
// unquoted, and EventBridge then quotes a string (aws-cdk-lib's
// RuleTargetInput.fromObject): give such a value only for a path every
// matching event has; concatenate optional paths with something (such as
// another path), which keeps the value quoted, and a missing one empty.
func (b *Bounded) Target(body map[string]interface{}, dlq awssqs.IQueue) awsevents.IRuleTarget {
	return &boundedTarget{queue: b.Queue, input: awsevents.RuleTargetInput_FromObject(body), dlq: dlq}
}

// boundedTarget sends to a Bounded queue. aws-cdk-lib's SqsQueue target
// would also grant sqs:GetQueueAttributes and sqs:GetQueueUrl; EventBridge
// needs sqs:SendMessage only (EventBridge User Guide, "Using resource-based
// policies for Amazon EventBridge": Amazon SQS permissions).
type boundedTarget struct {
	queue awssqs.IQueue
	input awsevents.RuleTargetInput
	dlq   awssqs.IQueue
}

// Bind implements awsevents.IRuleTarget.
func (t *boundedTarget) Bind(rule interfacesawsevents.IRuleRef, _ *string) *awsevents.RuleTargetConfig {
	AllowRuleToSend(t.queue, rule)
	AllowRuleToSend(t.dlq, rule)
	return &awsevents.RuleTargetConfig{
		Arn:              t.queue.QueueArn(),
		Input:            t.input,
		SqsParameters:    &awsevents.CfnRule_SqsParametersProperty{MessageGroupId: jsii.String(MessageGroupID)},
		RetryPolicy:      &awsevents.CfnRule_RetryPolicyProperty{MaximumRetryAttempts: jsii.Number(RetryAttempts), MaximumEventAgeInSeconds: jsii.Number(MaxEventAgeSeconds)},
		DeadLetterConfig: &awsevents.CfnRule_DeadLetterConfigProperty{Arn: t.dlq.QueueArn()},
	}
}
