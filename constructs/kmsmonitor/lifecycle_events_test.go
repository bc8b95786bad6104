package kmsmonitor_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/cdkbyname"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/kmseventtest"
)

func TestLifecycleEvents_Defaults(t *testing.T) {
	// GIVEN a stack WHEN the construct is added with nil props
	stack := newStack()
	e := kmsmonitor.NewLifecycleEvents(stack, jsii.String("Events"), nil)
	// THEN one rule on the default bus matches the three KMS events
	tpl := synth(t, stack)
	tpl.ResourceCountIs("AWS::Events::Rule", 1)
	tpl.HasResourceProperties("AWS::Events::Rule", obj{
		"EventPattern": obj{
			"source":      arr{"aws.kms"},
			"detail-type": arr{"KMS CMK Rotation", "KMS Imported Key Material Expiration", "KMS CMK Deletion"},
		},
		"State":        "ENABLED",
		"EventBusName": assertions.Match_Absent(),
		// AND sends a readable message to the encrypted topic, with retries and a dead-letter queue
		"Targets": arr{obj{
			"Id":  "Target0",
			"Arn": obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^EventsTopic"))},
			"InputTransformer": obj{
				"InputPathsMap": obj{
					"detail-type": "$.detail-type", "detail-key-id": "$.detail.key-id", "resources-0-": "$.resources[0]",
					"account": "$.account", "region": "$.region", "time": "$.time",
				},
				"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String(
					`AWS KMS event: <detail-type>[\s\S]*Key ID: <detail-key-id>[\s\S]*Key ARN: <resources-0->[\s\S]*Account: <account>[\s\S]*Region: <region>[\s\S]*Time: <time>[\s\S]*more than once`)),
			},
			"RetryPolicy":      obj{"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400},
			"DeadLetterConfig": obj{"Arn": obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^EventsDeadLetterQueue")), "Arn"}}},
		}},
	})
	// AND the dead-letter queue is encrypted, TLS-only, keeps 14 days, is retained, and only this rule may write to it
	tpl.HasResource("AWS::SQS::Queue", obj{
		"Properties":     obj{"SqsManagedSseEnabled": true, "MessageRetentionPeriod": 1209600},
		"DeletionPolicy": "Retain",
	})
	tpl.HasResourceProperties("AWS::SQS::QueuePolicy", obj{"PolicyDocument": objLike(obj{"Statement": arrWith(
		objLike(obj{"Effect": "Deny", "Condition": obj{"Bool": obj{"aws:SecureTransport": "false"}}}),
		objLike(obj{
			"Effect": "Allow", "Action": "sqs:SendMessage", "Principal": obj{"Service": "events.amazonaws.com"},
			"Condition": obj{"ArnEquals": obj{"aws:SourceArn": obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^EventsRule")), "Arn"}}}},
		}),
	)})})
	// AND the topic is the encrypted, TLS-only one, which EventBridge may publish to
	tpl.HasResourceProperties("AWS::SNS::Topic", obj{"KmsMasterKeyId": assertions.Match_AnyValue()})
	tpl.HasResourceProperties("AWS::SNS::TopicPolicy", obj{"PolicyDocument": objLike(obj{"Statement": arrWith(
		objLike(obj{"Effect": "Allow", "Action": "sns:Publish", "Principal": obj{"Service": "events.amazonaws.com"}}),
	)})})
	if e.Rule == nil || e.Topic == nil || e.TopicKey == nil || e.DeadLetterQueue == nil {
		t.Errorf("a created member is nil: %+v", e)
	}
}

func TestLifecycleEvents_EventTypesKeysBusAndName(t *testing.T) {
	// GIVEN a custom bus and a key WHEN only deletions of that key and one ARN are routed
	stack := newStack()
	bus := awsevents.NewEventBus(stack, jsii.String("Bus"), nil)
	key := awskms.NewKey(stack, jsii.String("Key"), nil)
	kmsmonitor.NewLifecycleEvents(stack, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{
		EventTypes: []kmsmonitor.EventType{kmsmonitor.KeyDeletionEvent},
		Keys:       []awskms.IKey{key},
		KeyArns:    []string{keyArn},
		EventBus:   bus,
		RuleName:   jsii.String("kms-deletions"),
	})
	// THEN the pattern lists the deletion event and both key ARNs, on that bus, with that name
	tpl := synth(t, stack)
	tpl.HasResourceProperties("AWS::Events::Rule", obj{
		"Name": "kms-deletions",
		"EventPattern": obj{
			"source":      arr{"aws.kms"},
			"detail-type": arr{"KMS CMK Deletion"},
			"resources":   arr{obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^Key")), "Arn"}}, keyArn},
		},
		"EventBusName": obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Bus"))},
	})
}

func TestLifecycleEvents_EveryTargetKind(t *testing.T) {
	// GIVEN a topic, queue, function, stream and an extra target of the user's
	stack := newStack()
	topic := awssns.Topic_FromTopicArn(stack, jsii.String("Ops"), jsii.String("arn:aws:sns:us-west-2:111122223333:ops"))
	queue := awssqs.NewQueue(stack, jsii.String("Queue"), &awssqs.QueueProps{EnforceSSL: jsii.Bool(true)})
	fn := awslambda.NewFunction(stack, jsii.String("Fn"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_NODEJS_22_X(), Handler: jsii.String("index.handler"),
		Code: awslambda.Code_FromInline(jsii.String("exports.handler = async () => {};")),
	})
	// The user's function, not ours: aws-cdk-lib writes a DependsOn on its role that cfn-lint W3005 calls redundant.
	fn.Node().DefaultChild().(awscdk.CfnResource).AddMetadata(jsii.String("cfn-lint"), obj{"config": obj{"ignore_checks": arr{"W3005"}}})
	stream := awskinesis.Stream_FromStreamArn(stack, jsii.String("Stream"), jsii.String("arn:aws:kinesis:us-west-2:111122223333:stream/kms"))
	extra := awssqs.Queue_FromQueueArn(stack, jsii.String("Extra"), jsii.String("arn:aws:sqs:us-west-2:111122223333:extra"))
	dlq := awssqs.Queue_FromQueueArn(stack, jsii.String("Dlq"), jsii.String("arn:aws:sqs:us-west-2:111122223333:dlq"))
	// WHEN all are routed, with the user's dead-letter queue and retry policy, and one more target added later
	e := kmsmonitor.NewLifecycleEvents(stack, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{
		Topic: topic, Emails: []string{"security@example.com"},
		Queue: queue, Function: fn, Stream: stream,
		DeadLetterQueue: dlq, RetryAttempts: jsii.Number(3), MaxEventAge: awscdk.Duration_Hours(jsii.Number(2)),
	})
	e.AddTarget(cdkbyname.SqsQueue(extra, cdkbyname.TargetProps{}))
	// THEN the rule has five targets; the four conveniences carry the DLQ and retry policy
	tpl := synth(t, stack)
	tpl.ResourceCountIs("AWS::SQS::Queue", 1) // the user's queue: no DLQ is created
	tpl.ResourceCountIs("AWS::SNS::Topic", 0)
	retry := obj{"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 7200}
	dlqCfg := obj{"Arn": "arn:aws:sqs:us-west-2:111122223333:dlq"}
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"Targets": arr{
		objLike(obj{"Arn": "arn:aws:sns:us-west-2:111122223333:ops", "RetryPolicy": retry, "DeadLetterConfig": dlqCfg, "InputTransformer": assertions.Match_AnyValue()}),
		objLike(obj{"Arn": obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^Queue")), "Arn"}}, "RetryPolicy": retry, "DeadLetterConfig": dlqCfg, "InputTransformer": assertions.Match_Absent()}),
		objLike(obj{"Arn": obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^Fn")), "Arn"}}, "RetryPolicy": retry, "DeadLetterConfig": dlqCfg}),
		objLike(obj{"Arn": "arn:aws:kinesis:us-west-2:111122223333:stream/kms", "RetryPolicy": retry, "DeadLetterConfig": dlqCfg,
			"KinesisParameters": obj{"PartitionKeyPath": "$.detail.key-id"}, "RoleArn": assertions.Match_AnyValue()}),
		objLike(obj{"Arn": "arn:aws:sqs:us-west-2:111122223333:extra", "RetryPolicy": assertions.Match_Absent()}),
	}})
	// AND the role EventBridge writes to the stream with is trusted by EventBridge of this account only
	tpl.HasResourceProperties("AWS::IAM::Role", obj{"AssumeRolePolicyDocument": trustedBy("events.amazonaws.com")})
	// AND the e-mail is subscribed to the given topic, and the function may be invoked only by this rule
	tpl.HasResourceProperties("AWS::SNS::Subscription", obj{"Endpoint": "security@example.com", "TopicArn": "arn:aws:sns:us-west-2:111122223333:ops"})
	tpl.HasResourceProperties("AWS::Lambda::Permission", obj{
		"Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com",
		"SourceArn": obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^EventsRule")), "Arn"}},
	})
	if e.TopicKey != nil || *e.DeadLetterQueue.QueueArn() != "arn:aws:sqs:us-west-2:111122223333:dlq" {
		t.Error("want the given topic and dead-letter queue")
	}
}

func TestLifecycleEvents_OnlyUserTargets(t *testing.T) {
	// GIVEN a stack WHEN the topic is switched off and only the user's target is given
	stack := newStack()
	extra := awssqs.Queue_FromQueueArn(stack, jsii.String("Extra"), jsii.String("arn:aws:sqs:us-west-2:111122223333:extra"))
	e := kmsmonitor.NewLifecycleEvents(stack, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{
		NotifyTopic: jsii.Bool(false),
		Targets:     []awsevents.IRuleTarget{cdkbyname.SqsQueue(extra, cdkbyname.TargetProps{})},
	})
	// THEN no topic, key or dead-letter queue is created
	tpl := synth(t, stack)
	for _, typ := range []string{"AWS::SNS::Topic", "AWS::KMS::Key", "AWS::SQS::Queue"} {
		tpl.ResourceCountIs(typ, 0)
	}
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"Targets": arr{objLike(obj{"Arn": "arn:aws:sqs:us-west-2:111122223333:extra"})}})
	if e.Topic != nil || e.DeadLetterQueue != nil {
		t.Error("Topic and DeadLetterQueue must be nil")
	}
}

// rulePattern returns the event pattern (as JSON) and state of the only rule of a template.
func rulePattern(t *testing.T, tpl template) (string, string) {
	t.Helper()
	rules := tpl.resourcesOfType("AWS::Events::Rule")
	if len(rules) != 1 {
		t.Fatalf("%d rules, want 1", len(rules))
	}
	props := rules[0]["Properties"].(map[string]interface{})
	pattern, err := json.Marshal(props["EventPattern"])
	if err != nil {
		t.Fatal(err)
	}
	return string(pattern), props["State"].(string)
}

// rulePatternOf returns the event pattern (JSON) and state of the one rule
// whose logical ID starts with prefix.
func rulePatternOf(t *testing.T, tpl template, prefix string) (string, string) {
	t.Helper()
	var found []interface{}
	for id, r := range tpl.JSON()["Resources"].(map[string]interface{}) {
		if strings.HasPrefix(id, prefix) && r.(map[string]interface{})["Type"] == "AWS::Events::Rule" {
			found = append(found, r.(map[string]interface{})["Properties"])
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d rules %s*, want 1", len(found), prefix)
	}
	props := found[0].(map[string]interface{})
	pattern, _ := json.Marshal(props["EventPattern"])
	return string(pattern), props["State"].(string)
}

// otherEvents are events that no lifecycle rule may match.
func otherEvents(t *testing.T) map[string][]byte {
	t.Helper()
	var deletion map[string]interface{}
	if err := json.Unmarshal(kmseventtest.EventBridge("kms-cmk-deletion"), &deletion); err != nil {
		t.Fatal(err)
	}
	deletion["source"] = "aws.cloudwatch"
	sameTypeOtherSource, _ := json.Marshal(deletion)
	var record map[string]interface{}
	if err := json.Unmarshal(kmseventtest.CloudTrail("decrypt-success"), &record); err != nil {
		t.Fatal(err)
	}
	apiCall, _ := json.Marshal(map[string]interface{}{
		"source": "aws.kms", "detail-type": "AWS API Call via CloudTrail", "time": "2020-07-27T22:58:24Z", "resources": []string{}, "detail": record,
	})
	return map[string][]byte{"KMS API call via CloudTrail": apiCall, "KMS CMK Deletion from aws.cloudwatch": sameTypeOtherSource}
}

func TestLifecycleEvents_PatternFidelityOnEventBridge(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	outside := "arn:aws:kms:us-west-2:111122223333:key/" + otherID
	cases := []struct {
		name  string
		props *kmsmonitor.LifecycleEventsProps
		want  map[string]bool // fixture name -> matched; fixtures not listed must not match
	}{
		{"all events", nil, map[string]bool{"kms-cmk-rotation": true, "kms-imported-key-material-expiration": true, "kms-cmk-deletion": true}},
		{"rotation only", &kmsmonitor.LifecycleEventsProps{EventTypes: []kmsmonitor.EventType{kmsmonitor.KeyRotationEvent}},
			map[string]bool{"kms-cmk-rotation": true}},
		{"expiration only", &kmsmonitor.LifecycleEventsProps{EventTypes: []kmsmonitor.EventType{kmsmonitor.ImportedKeyMaterialExpirationEvent}},
			map[string]bool{"kms-imported-key-material-expiration": true}},
		{"deletion only", &kmsmonitor.LifecycleEventsProps{EventTypes: []kmsmonitor.EventType{kmsmonitor.KeyDeletionEvent}},
			map[string]bool{"kms-cmk-deletion": true}},
		{"the fixtures' key only", &kmsmonitor.LifecycleEventsProps{KeyArns: []string{kmseventtest.SingleRegionKey}},
			map[string]bool{"kms-cmk-rotation": true, "kms-imported-key-material-expiration": true, "kms-cmk-deletion": true}},
		{"another key only", &kmsmonitor.LifecycleEventsProps{KeyArns: []string{outside}}, map[string]bool{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// GIVEN the rule the construct synthesizes, installed on EventBridge (moto)
			stack := newStack()
			kmsmonitor.NewLifecycleEvents(stack, jsii.String("Events"), c.props)
			pattern, state := rulePattern(t, synth(t, stack))
			rule, err := server.NewRule(ctx, pattern, state)
			if err != nil {
				t.Fatal(err)
			}
			// WHEN each documented KMS event is sent THEN exactly the configured ones reach the target
			names, events := kmseventtest.Names("eventbridge"), [][]byte{}
			for _, name := range names {
				events = append(events, kmseventtest.EventBridge(name))
			}
			want := make([]bool, len(names))
			for i, name := range names {
				want[i] = c.want[name]
			}
			// AND a CloudTrail API call from aws.kms and a lifecycle detail-type from another source never do
			for name, ev := range otherEvents(t) {
				names, events, want = append(names, name), append(events, ev), append(want, false)
			}
			got, err := rule.MatchAll(ctx, events)
			if err != nil {
				t.Fatal(err)
			}
			for i, name := range names {
				if got[i] != want[i] {
					t.Errorf("%s: matched = %v, want %v (pattern %s)", name, got[i], want[i], pattern)
				}
			}
		})
	}
}
