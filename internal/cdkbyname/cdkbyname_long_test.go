//go:build longtest

// A long test (build tag longtest; .ci/run runs it, README says how): it
// imports the Go bindings this package exists to keep out of the build.

package cdkbyname_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/cdkbyname"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// resources are what a case binds to: made alike in each of the two stacks.
type resources struct {
	stack  awscdk.Stack
	rule   awsevents.Rule
	topic  awssns.Topic
	queue  awssqs.Queue
	dlq    awssqs.Queue
	fn     awslambda.Function
	stream awskinesis.Stream
	bus    awsevents.IEventBus
	role   awsiam.Role
	alarm  awscloudwatch.Alarm
}

func newResources(app awscdk.App, id string) resources {
	stack := awscdk.NewStack(app, jsii.String(id), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("eu-west-1")},
	})
	key := awskms.NewKey(stack, jsii.String("Key"), nil)
	r := resources{stack: stack}
	r.rule = awsevents.NewRule(stack, jsii.String("Rule"), &awsevents.RuleProps{
		EventPattern: &awsevents.EventPattern{Source: jsii.Strings("aws.kms")},
	})
	r.topic = awssns.NewTopic(stack, jsii.String("Topic"), &awssns.TopicProps{MasterKey: key})
	r.queue = awssqs.NewQueue(stack, jsii.String("Queue"), &awssqs.QueueProps{EncryptionMasterKey: key})
	r.dlq = awssqs.NewQueue(stack, jsii.String("DeadLetters"), nil)
	r.fn = awslambda.NewFunction(stack, jsii.String("Function"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_PYTHON_3_12(), Handler: jsii.String("index.handler"),
		Code: awslambda.Code_FromInline(jsii.String("def handler(event, context):\n    return None\n")),
	})
	r.stream = awskinesis.NewStream(stack, jsii.String("Stream"), nil)
	r.bus = awsevents.EventBus_FromEventBusArn(stack, jsii.String("Central"),
		jsii.String("arn:aws:events:eu-west-1:444455556666:event-bus/central"))
	r.role = awsiam.NewRole(stack, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
	})
	r.alarm = awscloudwatch.NewAlarm(stack, jsii.String("Alarm"), &awscloudwatch.AlarmProps{
		Metric:            awscloudwatch.NewMetric(&awscloudwatch.MetricProps{Namespace: jsii.String("AWS/KMS"), MetricName: jsii.String("SecondsUntilKeyMaterialExpiration")}),
		Threshold:         jsii.Number(864000),
		EvaluationPeriods: jsii.Number(1),
	})
	return r
}

func templateOf(t *testing.T, stack awscdk.Stack) string {
	t.Helper()
	b, err := json.MarshalIndent(*assertions.Template_FromStack(stack, nil).ToJSON(), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestObjectsSynthesizeAsTheGoBindingsDo binds every object this package
// makes, with the props kmsmonitor gives, and the same object made by the
// Go bindings, to twin stacks, and compares the templates.
func TestObjectsSynthesizeAsTheGoBindingsDo(t *testing.T) {
	retries := jsii.Number(185)
	maxAge := awscdk.Duration_Seconds(jsii.Number(86400))
	message := awsevents.RuleTargetInput_FromText(jsii.String("key <aws.events.event.json>"))
	cases := []struct {
		name           string
		bindings, ours func(r resources)
	}{
		{"SnsTopic with a message and retries, given a dead-letter queue by kmsmonitor",
			func(r resources) {
				r.rule.AddTarget(alerting.WithDeadLetterQueue(awseventstargets.NewSnsTopic(r.topic, &awseventstargets.SnsTopicProps{
					Message: message, RetryAttempts: retries, MaxEventAge: maxAge}), r.dlq))
			},
			func(r resources) {
				r.rule.AddTarget(alerting.WithDeadLetterQueue(cdkbyname.SnsTopic(r.topic, cdkbyname.TargetProps{
					Message: message, RetryAttempts: retries, MaxEventAge: maxAge}), r.dlq))
			}},
		{"SnsTopic with a dead-letter queue of its own",
			func(r resources) {
				r.rule.AddTarget(awseventstargets.NewSnsTopic(r.topic, &awseventstargets.SnsTopicProps{DeadLetterQueue: r.dlq}))
			},
			func(r resources) {
				r.rule.AddTarget(cdkbyname.SnsTopic(r.topic, cdkbyname.TargetProps{DeadLetterQueue: r.dlq}))
			}},
		{"SqsQueue encrypted with a customer managed key",
			func(r resources) {
				r.rule.AddTarget(alerting.WithDeadLetterQueue(awseventstargets.NewSqsQueue(r.queue, &awseventstargets.SqsQueueProps{
					RetryAttempts: retries, MaxEventAge: maxAge}), r.dlq))
			},
			func(r resources) {
				r.rule.AddTarget(alerting.WithDeadLetterQueue(cdkbyname.SqsQueue(r.queue, cdkbyname.TargetProps{
					RetryAttempts: retries, MaxEventAge: maxAge}), r.dlq))
			}},
		{"SqsQueue without props",
			func(r resources) { r.rule.AddTarget(awseventstargets.NewSqsQueue(r.dlq, nil)) },
			func(r resources) { r.rule.AddTarget(cdkbyname.SqsQueue(r.dlq, cdkbyname.TargetProps{})) }},
		{"LambdaFunction",
			func(r resources) {
				r.rule.AddTarget(alerting.WithDeadLetterQueue(awseventstargets.NewLambdaFunction(r.fn, &awseventstargets.LambdaFunctionProps{
					RetryAttempts: retries, MaxEventAge: maxAge}), r.dlq))
			},
			func(r resources) {
				r.rule.AddTarget(alerting.WithDeadLetterQueue(cdkbyname.LambdaFunction(r.fn, cdkbyname.TargetProps{
					RetryAttempts: retries, MaxEventAge: maxAge}), r.dlq))
			}},
		{"KinesisStream with a partition key path",
			func(r resources) {
				r.rule.AddTarget(alerting.WithDeadLetterQueue(awseventstargets.NewKinesisStream(r.stream, &awseventstargets.KinesisStreamProps{
					PartitionKeyPath: jsii.String("$.detail.key-id"), RetryAttempts: retries, MaxEventAge: maxAge}), r.dlq))
			},
			func(r resources) {
				r.rule.AddTarget(alerting.WithDeadLetterQueue(cdkbyname.KinesisStream(r.stream, cdkbyname.TargetProps{
					PartitionKeyPath: jsii.String("$.detail.key-id"), RetryAttempts: retries, MaxEventAge: maxAge}), r.dlq))
			}},
		{"EventBus with a role",
			func(r resources) {
				r.rule.AddTarget(alerting.WithDeadLetterQueue(awseventstargets.NewEventBus(r.bus, &awseventstargets.EventBusProps{Role: r.role}), r.dlq))
			},
			func(r resources) {
				r.rule.AddTarget(alerting.WithDeadLetterQueue(cdkbyname.EventBus(r.bus, cdkbyname.TargetProps{Role: r.role}), r.dlq))
			}},
		{"EmailSubscription, literal and token addresses",
			func(r resources) {
				r.topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String("security@example.com"), nil))
				r.topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(awscdk.NewCfnParameter(r.stack, jsii.String("Email"), nil).ValueAsString(), nil))
			},
			func(r resources) {
				r.topic.AddSubscription(cdkbyname.EmailSubscription(jsii.String("security@example.com")))
				r.topic.AddSubscription(cdkbyname.EmailSubscription(awscdk.NewCfnParameter(r.stack, jsii.String("Email"), nil).ValueAsString()))
			}},
		{"LambdaSubscription",
			func(r resources) { r.topic.AddSubscription(awssnssubscriptions.NewLambdaSubscription(r.fn, nil)) },
			func(r resources) { r.topic.AddSubscription(cdkbyname.LambdaSubscription(r.fn)) }},
		{"SnsAction on ALARM and OK",
			func(r resources) {
				a := awscloudwatchactions.NewSnsAction(r.topic)
				r.alarm.AddAlarmAction(a)
				r.alarm.AddOkAction(a)
			},
			func(r resources) {
				a := cdkbyname.SnsAction(r.topic)
				r.alarm.AddAlarmAction(a)
				r.alarm.AddOkAction(a)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// GIVEN twin stacks
			app := awscdk.NewApp(nil)
			bindings, ours := newResources(app, "Twin"), newResources(awscdk.NewApp(nil), "Twin")
			// WHEN each binds the object its way
			c.bindings(bindings)
			c.ours(ours)
			// THEN the templates are the same, and not the template of no binding
			want, got := templateOf(t, bindings.stack), templateOf(t, ours.stack)
			if got != want {
				t.Errorf("template with cdkbyname:\n%s\nwith the Go bindings:\n%s", got, want)
			}
			if bare := templateOf(t, newResources(awscdk.NewApp(nil), "Twin").stack); bare == want {
				t.Errorf("binding changed nothing in the template: the case proves nothing")
			}
		})
	}
}

// TestLifecycleEventsTakesTheGoBindingsTargetsToo: a user's target from
// awseventstargets and kmsmonitor's own, made here, on one rule.
func TestLifecycleEventsTakesTheGoBindingsTargetsToo(t *testing.T) {
	// GIVEN LifecycleEvents with a queue (kmsmonitor's SqsQueue, made here) and
	// a user's target made by the Go bindings
	r := newResources(awscdk.NewApp(nil), "Stack")
	kmsmonitor.NewLifecycleEvents(r.stack, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{
		Queue:   r.queue,
		Targets: []awsevents.IRuleTarget{awseventstargets.NewSqsQueue(r.dlq, nil)},
	})
	// WHEN synthesized THEN the rule has both targets
	tpl := assertions.Template_FromStack(r.stack, nil)
	tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
		"Targets": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"Arn": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Queue")), "Arn"}}}),
			assertions.Match_ObjectLike(&map[string]any{"Arn": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^DeadLetters")), "Arn"}}}),
		}),
	})
}
