// Package cdkbyname creates the few aws-cdk-lib helper objects kmsmonitor
// needs from packages it does not import: the EventBridge targets of
// aws-events-targets, the e-mail subscription of aws-sns-subscriptions and
// the SNS alarm action of aws-cloudwatch-actions.
//
// Why: the Go bindings of those three packages import 89 more aws-cdk-go
// packages (ECS, RDS, SageMaker, Glue, API Gateway, AppSync...) for the
// types of targets kmsmonitor never creates, and every app that imports
// kmsmonitor compiled them: 187 aws-cdk-go packages instead of 98, about 77
// s of CPU on an empty build cache. The objects made here are the same
// JavaScript classes of aws-cdk-lib, created by their jsii name as the
// generated bindings create them; only the Go handle differs. A long test
// (cdkbyname_long_test.go) compares their templates with the bindings'.
package cdkbyname

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawsevents"
	"github.com/aws/constructs-go/constructs/v10"
	_jsii_ "github.com/aws/jsii-runtime-go/runtime"
)

// TargetProps are the props kmsmonitor gives an EventBridge target
// (aws-events-targets' TargetBaseProps and the few a target adds).
type TargetProps struct {
	// RetryAttempts and MaxEventAge are the target's retry policy.
	RetryAttempts *float64
	MaxEventAge   awscdk.Duration
	// DeadLetterQueue keeps the events the target could not receive, with
	// a statement per rule in the queue's policy (kmsmonitor's constructs
	// use alerting.WithDeadLetterQueue instead).
	DeadLetterQueue awssqs.IQueue
	// Message replaces the event (SnsTopic only).
	Message awsevents.RuleTargetInput
	// PartitionKeyPath is the Kinesis partition key's JSON path (KinesisStream only).
	PartitionKeyPath *string
	// Role is the role EventBridge assumes (EventBus only).
	Role awsiam.IRole
}

// wire is props as the jsii kernel reads a struct: its JavaScript names,
// unset fields left out.
func (p TargetProps) wire() map[string]interface{} {
	m := map[string]interface{}{}
	if p.RetryAttempts != nil {
		m["retryAttempts"] = p.RetryAttempts
	}
	if p.MaxEventAge != nil {
		m["maxEventAge"] = p.MaxEventAge
	}
	if p.DeadLetterQueue != nil {
		m["deadLetterQueue"] = p.DeadLetterQueue
	}
	if p.Message != nil {
		m["message"] = p.Message
	}
	if p.PartitionKeyPath != nil {
		m["partitionKeyPath"] = p.PartitionKeyPath
	}
	if p.Role != nil {
		m["role"] = p.Role
	}
	return m
}

// SnsTopic is aws-events-targets' SnsTopic (awseventstargets.NewSnsTopic).
func SnsTopic(topic awssns.ITopic, props TargetProps) awsevents.IRuleTarget {
	return newTarget("SnsTopic", topic, props)
}

// SqsQueue is aws-events-targets' SqsQueue (awseventstargets.NewSqsQueue).
func SqsQueue(queue awssqs.IQueue, props TargetProps) awsevents.IRuleTarget {
	return newTarget("SqsQueue", queue, props)
}

// LambdaFunction is aws-events-targets' LambdaFunction (awseventstargets.NewLambdaFunction).
func LambdaFunction(function awslambda.IFunction, props TargetProps) awsevents.IRuleTarget {
	return newTarget("LambdaFunction", function, props)
}

// KinesisStream is aws-events-targets' KinesisStream (awseventstargets.NewKinesisStream).
func KinesisStream(stream awskinesis.IStream, props TargetProps) awsevents.IRuleTarget {
	return newTarget("KinesisStream", stream, props)
}

// EventBus is aws-events-targets' EventBus (awseventstargets.NewEventBus).
func EventBus(bus awsevents.IEventBus, props TargetProps) awsevents.IRuleTarget {
	return newTarget("EventBus", bus, props)
}

func newTarget(class string, resource interface{}, props TargetProps) awsevents.IRuleTarget {
	t := &jsiiProxy_ruleTarget{}
	_jsii_.Create(_jsii_.FQN("aws-cdk-lib.aws_events_targets."+class), []interface{}{resource, props.wire()}, t)
	return t
}

// EmailSubscription is aws-sns-subscriptions' EmailSubscription
// (awssnssubscriptions.NewEmailSubscription(address, nil)).
func EmailSubscription(address *string) awssns.ITopicSubscription {
	s := &jsiiProxy_topicSubscription{}
	_jsii_.Create("aws-cdk-lib.aws_sns_subscriptions.EmailSubscription", []interface{}{address}, s)
	return s
}

// LambdaSubscription is aws-sns-subscriptions' LambdaSubscription
// (awssnssubscriptions.NewLambdaSubscription(fn, nil)).
func LambdaSubscription(fn awslambda.IFunction) awssns.ITopicSubscription {
	s := &jsiiProxy_topicSubscription{}
	_jsii_.Create("aws-cdk-lib.aws_sns_subscriptions.LambdaSubscription", []interface{}{fn}, s)
	return s
}

// SnsAction is aws-cloudwatch-actions' SnsAction (awscloudwatchactions.NewSnsAction).
func SnsAction(topic awssns.ITopic) awscloudwatch.IAlarmAction {
	a := &jsiiProxy_alarmAction{}
	_jsii_.Create("aws-cdk-lib.aws_cloudwatch_actions.SnsAction", []interface{}{topic}, a)
	return a
}

// The handles below follow the generated bindings: the jsiiProxy_ prefix
// tells jsii-runtime-go that the type stands for a JavaScript object (its
// methods call JavaScript), not a Go implementation JavaScript should call.

type jsiiProxy_ruleTarget struct{ _ byte }

// Bind implements awsevents.IRuleTarget.
func (j *jsiiProxy_ruleTarget) Bind(rule interfacesawsevents.IRuleRef, id *string) *awsevents.RuleTargetConfig {
	var config *awsevents.RuleTargetConfig
	_jsii_.Invoke(j, "bind", []interface{}{rule, id}, &config)
	return config
}

type jsiiProxy_topicSubscription struct{ _ byte }

// Bind implements awssns.ITopicSubscription.
func (j *jsiiProxy_topicSubscription) Bind(topic awssns.ITopic) *awssns.TopicSubscriptionConfig {
	var config *awssns.TopicSubscriptionConfig
	_jsii_.Invoke(j, "bind", []interface{}{topic}, &config)
	return config
}

type jsiiProxy_alarmAction struct{ _ byte }

// Bind implements awscloudwatch.IAlarmAction.
func (j *jsiiProxy_alarmAction) Bind(scope constructs.Construct, alarm awscloudwatch.IAlarm) *awscloudwatch.AlarmActionConfig {
	var config *awscloudwatch.AlarmActionConfig
	_jsii_.Invoke(j, "bind", []interface{}{scope, alarm}, &config)
	return config
}
