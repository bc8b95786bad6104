package kmsmonitor_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/iamsimtest"
)

// alarmsMayPublish is the topic policy statement that lets the CloudWatch
// alarms of the stack's account and Region publish.
func alarmsMayPublish(topic interface{}) assertions.Matcher {
	return objLike(obj{
		"Sid": "AllowCloudWatchAlarmsOfThisAccount", "Effect": "Allow", "Action": "sns:Publish",
		"Principal": obj{"Service": "cloudwatch.amazonaws.com"}, "Resource": topic,
		"Condition": obj{
			"StringEquals": obj{"aws:SourceAccount": account},
			"ArnLike":      obj{"aws:SourceArn": join("arn:", partition, ":cloudwatch:", region, ":", account, ":alarm:*")},
		},
	})
}

func TestNotifications_CreatedTopicLetsAlarmsPublish(t *testing.T) {
	// GIVEN each construct that creates its own topic and has alarms
	for name, build := range map[string]func(awscdk.Stack){
		"PendingDeletionAlarm": func(s awscdk.Stack) { kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), nil) },
		"KeyMaterialExpiryAlarm": func(s awscdk.Stack) {
			kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Monitor"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true)})
		},
		"KeyMonitoring": func(s awscdk.Stack) { kmsmonitor.NewKeyMonitoring(s, jsii.String("Monitor"), nil) },
	} {
		t.Run(name, func(t *testing.T) {
			stack := newStack()
			build(stack)
			tpl := synth(t, stack)
			// THEN the topic policy lets CloudWatch alarms of this account and Region publish, next to the TLS deny
			tpl.HasResourceProperties("AWS::SNS::TopicPolicy", obj{"PolicyDocument": objLike(obj{"Statement": arrWith(
				objLike(obj{"Sid": "AllowPublishThroughSSLOnly", "Effect": "Deny"}),
				alarmsMayPublish(ref("MonitorTopic")),
			)})})
			// AND the topic's key lets them encrypt
			tpl.HasResourceProperties("AWS::KMS::Key", obj{"KeyPolicy": objLike(obj{"Statement": arrWith(objLike(obj{
				"Sid": "AllowCloudWatchAlarms", "Principal": obj{"Service": "cloudwatch.amazonaws.com"},
				"Action": arr{"kms:Decrypt", "kms:GenerateDataKey*"},
			}))})})
			// AND a topic shared by several parts carries the statement once
			for _, p := range tpl.resourcesOfType("AWS::SNS::TopicPolicy") {
				n := strings.Count(toJSON(t, p), "AllowCloudWatchAlarmsOfThisAccount")
				if n != 1 {
					t.Errorf("topic policy has the alarm statement %d times, want 1", n)
				}
			}
		})
	}
}

func TestNotifications_UserTopicInTheAppIsGranted(t *testing.T) {
	// GIVEN a topic and its key created in the app WHEN it is given to a construct with alarms
	stack := newStack()
	key := awskms.NewKey(stack, jsii.String("MyKey"), nil)
	topic := awssns.NewTopic(stack, jsii.String("MyTopic"), &awssns.TopicProps{MasterKey: key})
	kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{Topic: topic})
	tpl := synth(t, stack)
	// THEN the topic's policy lets the alarms publish
	tpl.HasResourceProperties("AWS::SNS::TopicPolicy", obj{"PolicyDocument": objLike(obj{"Statement": arrWith(alarmsMayPublish(ref("MyTopic")))})})
	// AND the key's policy lets CloudWatch and EventBridge use it
	tpl.HasResourceProperties("AWS::KMS::Key", obj{"KeyPolicy": objLike(obj{"Statement": arrWith(
		objLike(obj{"Sid": "AllowCloudWatchAlarms", "Principal": obj{"Service": "cloudwatch.amazonaws.com"}}),
		objLike(obj{"Principal": obj{"Service": "events.amazonaws.com"}, "Action": arr{"kms:Decrypt", "kms:GenerateDataKey*"}}),
	)})})
	// AND nothing is left to the user: no warning
	if w := kmsmonitorWarnings(stack); len(w) != 0 {
		t.Errorf("warnings: %v", w)
	}
}

func TestNotifications_ImportedTopicOrKeyWarns(t *testing.T) {
	// GIVEN an imported topic, and a topic of the app encrypted with an imported key
	stack := newStack()
	imported := awssns.Topic_FromTopicArn(stack, jsii.String("Imported"), jsii.String("arn:aws:sns:us-east-1:111122223333:security"))
	kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("A"), &kmsmonitor.PendingDeletionAlarmProps{Topic: imported})
	key := awskms.Key_FromKeyArn(stack, jsii.String("ImportedKey"), jsii.String(keyArn))
	withImportedKey := awssns.NewTopic(stack, jsii.String("T"), &awssns.TopicProps{MasterKey: key})
	kmsmonitor.NewLifecycleEvents(stack, jsii.String("B"), &kmsmonitor.LifecycleEventsProps{Topic: withImportedKey})
	synth(t, stack)
	// THEN each says what its policy must allow, as a warning the user can acknowledge
	got := strings.Join(kmsmonitorWarnings(stack), "\n")
	for _, want := range []string{
		"cannot change the access policy of this imported topic: add these statements to it",
		`"aws:SourceArn":"arn:aws:cloudwatch:us-east-1:111122223333:alarm:*"`, // from the topic's ARN: the stack is environment-agnostic
		"import it with awssns.Topic_FromTopicAttributes and its KeyArn",
		"cannot change the key policy of the key of a kmsmonitor notification topic (the key is imported): add this statement to it",
		`"Principal":{"Service":["cloudwatch.amazonaws.com","events.amazonaws.com"]}`,
		"[ack: kmsmonitor:importedTopic]", "[ack: kmsmonitor:importedTopicKey]",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings lack %q:\n%s", want, got)
		}
	}
}

func TestNotifications_ImportedTopicWarningGivesStatementsThatWork(t *testing.T) {
	// GIVEN a stack of a known environment WHEN a topic of another Region's partition is imported by ARN
	stack := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("cn-north-1")}})
	topicArn := "arn:aws-cn:sns:cn-north-1:111122223333:security"
	imported := awssns.Topic_FromTopicArn(stack, jsii.String("Imported"), jsii.String(topicArn))
	kmsmonitor.NewKeyMaterialExpiryAlarm(stack, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), Topic: imported})
	synth(t, stack)
	// THEN the warning gives the statements as JSON, with the stack's partition, Region and account
	var statements []any // as JSON decodes them (iamsimtest reads policies so)
	var keyStatement map[string]any
	for _, w := range kmsmonitorWarnings(stack) {
		for _, line := range strings.Split(w, "\n") {
			switch {
			case strings.HasPrefix(line, "["):
				if err := json.Unmarshal([]byte(line), &statements); err != nil {
					t.Fatalf("topic statements are not JSON: %v: %s", err, line)
				}
			case strings.HasPrefix(line, "{"):
				if err := json.Unmarshal([]byte(line), &keyStatement); err != nil {
					t.Fatalf("key statement is not JSON: %v: %s", err, line)
				}
			}
		}
	}
	if len(statements) != 2 || keyStatement == nil {
		t.Fatalf("statements %v, key statement %v", statements, keyStatement)
	}
	if _, ok := statements[1].(map[string]any)["Condition"]; ok {
		t.Errorf("EventBridge's statement has a condition, which SNS topic policies for EventBridge cannot use: %v", statements[1])
	}
	// AND, pasted into the topic's and the key's policies, they let this account's alarms and rules publish
	// and encrypt, and no other account's (the IAM evaluation)
	sim := simulator(t)
	topicPolicy := map[string]any{"Version": "2012-10-17", "Statement": statements}
	keyPolicy := map[string]any{"Version": "2012-10-17", "Statement": []any{keyStatement}}
	const keyArn = "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	alarm := func(account string) map[string]any {
		return map[string]any{"aws:SourceAccount": account, "aws:SourceArn": "arn:aws-cn:cloudwatch:cn-north-1:" + account + ":alarm:KmsExpiry", "aws:SecureTransport": "true"}
	}
	rule := map[string]any{"aws:SecureTransport": "true"} // EventBridge sends SNS no source keys to rely on
	for _, c := range []iamsimtest.Case{
		{Kind: "alarm of the account → topic", Principal: "cloudwatch.amazonaws.com", Action: "sns:Publish", Resource: topicArn, Context: alarm("111122223333"), ResourcePolicy: topicPolicy, Want: iamsimtest.Allowed},
		{Kind: "alarm of another account → topic", Principal: "cloudwatch.amazonaws.com", Action: "sns:Publish", Resource: topicArn, Context: alarm("444455556666"), ResourcePolicy: topicPolicy, Want: iamsimtest.Refused},
		{Kind: "rule of the account → topic", Principal: "events.amazonaws.com", Action: "sns:Publish", Resource: topicArn, Context: rule, ResourcePolicy: topicPolicy, Want: iamsimtest.Allowed},
		{Kind: "CloudWatch → topic key", Principal: "cloudwatch.amazonaws.com", Action: "kms:GenerateDataKey", Resource: keyArn, Context: alarm("111122223333"), ResourcePolicy: keyPolicy, Want: iamsimtest.Allowed},
		{Kind: "EventBridge → topic key", Principal: "events.amazonaws.com", Action: "kms:Decrypt", Resource: keyArn, Context: rule, ResourcePolicy: keyPolicy, Want: iamsimtest.Allowed},
	} {
		if got, detail, err := sim.Simulate(c); err != nil || got != c.Want {
			t.Errorf("%s: got %s (%s, %v), want %s", c.Kind, got, detail, err, c.Want)
		}
	}
}

func TestNotifications_DeadLetterQueueKeyOfTheAppIsGranted(t *testing.T) {
	// GIVEN a dead-letter queue of the app encrypted with a key of the app
	stack := newStack()
	key := awskms.NewKey(stack, jsii.String("QueueKey"), nil)
	q := awssqs.NewQueue(stack, jsii.String("Dlq"), &awssqs.QueueProps{Encryption: awssqs.QueueEncryption_KMS, EncryptionMasterKey: key})
	kmsmonitor.NewLifecycleEvents(stack, jsii.String("Monitor"), &kmsmonitor.LifecycleEventsProps{DeadLetterQueue: q})
	tpl := synth(t, stack)
	// THEN EventBridge may use the key to keep undelivered events
	tpl.HasResourceProperties("AWS::KMS::Key", obj{"KeyPolicy": objLike(obj{"Statement": arrWith(objLike(obj{
		"Principal": obj{"Service": "events.amazonaws.com"}, "Action": arr{"kms:Decrypt", "kms:GenerateDataKey*"},
	}))})})
	// AND an imported dead-letter queue warns that its policy is the user's to set
	stack2 := newStack()
	imported := awssqs.Queue_FromQueueArn(stack2, jsii.String("Dlq"), jsii.String("arn:aws:sqs:us-east-1:111122223333:dlq"))
	kmsmonitor.NewLifecycleEvents(stack2, jsii.String("Monitor"), &kmsmonitor.LifecycleEventsProps{DeadLetterQueue: imported})
	synth(t, stack2)
	if got := strings.Join(kmsmonitorWarnings(stack2), "\n"); !strings.Contains(got, "imported dead-letter queue: make sure it allows sqs:SendMessage") {
		t.Errorf("no warning for the imported dead-letter queue:\n%s", got)
	}
}

// kmsmonitorWarnings lists the warnings kmsmonitor added to stack.
func kmsmonitorWarnings(stack awscdk.Stack) []string {
	var out []string
	for _, w := range *assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("kmsmonitor"))) {
		_, msg := message(w)
		out = append(out, msg)
	}
	return out
}

// toJSON marshals v for text searches.
func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
