package kmsmonitor_test

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/cdkbyname"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudtrail"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// Things bad props refer to.
func existingLogGroup(s awscdk.Stack) awslogs.ILogGroup {
	return awslogs.LogGroup_FromLogGroupName(s, jsii.String("Existing"), jsii.String("trail-logs"))
}

func importedAlarm(s awscdk.Stack) awscloudwatch.IAlarm {
	return awscloudwatch.Alarm_FromAlarmArn(s, jsii.String("A"), jsii.String("arn:aws:cloudwatch:us-west-2:111122223333:alarm:kms"))
}

func queueTarget(s awscdk.Stack, id string) awsevents.IRuleTarget {
	return cdkbyname.SqsQueue(awssqs.Queue_FromQueueArn(s, jsii.String(id), jsii.String("arn:aws:sqs:us-west-2:111122223333:"+id)), cdkbyname.TargetProps{})
}

func tooManyKeyIDs() []string {
	var ids []string
	for i := 0; i <= kmsmonitor.MaxKeysPerExpiryAlarm; i++ {
		ids = append(ids, fmt.Sprintf("%08x-0000-0000-0000-000000000000", i))
	}
	return ids
}

// badInput is one invalid prop combination: the construct that must report
// it, its path under the stack, and what the message must say.
type badInput struct {
	construct string // type that reports the error
	path      string // its path under the stack
	name      string
	build     func(s awscdk.Stack)
	want      []string // build may ignore its stack and make its own named "Stack" (another environment, a Stage)
}

// badInputClasses holds the table by class of problem (issue 13's classes);
// each test file adds its own with addBadInputs.
var badInputClasses = map[string][]badInput{}

func addBadInputs(class string, cases ...badInput) bool {
	badInputClasses[class] = append(badInputClasses[class], cases...)
	return true
}

// minBadInputs is the size the whole table must keep.
const minBadInputs = 200

var _ = addBadInputs("range and format", []badInput{
	{"PendingDeletionAlarm", "Monitor", "empty email", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{Emails: []string{" "}})
	}, []string{"Emails[0]", "is empty", "security@example.com"}},
	{"PendingDeletionAlarm", "Monitor", "malformed email", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{Emails: []string{"ok@example.com", "ops at example.com"}})
	}, []string{"Emails[1]", `"ops at example.com" is not an e-mail address`}},
	{"PendingDeletionAlarm", "Monitor", "two addresses in one entry", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{Emails: []string{"a@example.com,b@example.com"}})
	}, []string{"Emails[0]", "one address per entry"}},
	{"PendingDeletionAlarm", "Monitor", "duplicate email", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{Emails: []string{"a@example.com", "A@example.com"}})
	}, []string{"Emails[1]", "listed twice"}},
	{"PendingDeletionAlarm", "Monitor", "period in seconds", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{Period: awscdk.Duration_Seconds(jsii.Number(90))})
	}, []string{"Period", "1 minute 30 seconds", "whole number of minutes"}},
	{"PendingDeletionAlarm", "Monitor", "period too short", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{Period: awscdk.Duration_Seconds(jsii.Number(30))})
	}, []string{"Period", "whole number of minutes"}},
	{"PendingDeletionAlarm", "Monitor", "period too long", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{Period: awscdk.Duration_Days(jsii.Number(2))})
	}, []string{"Period", "1 day"}},
	{"PendingDeletionAlarm", "Monitor", "unknown retention", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{LogRetention: awslogs.RetentionDays("400")})
	}, []string{"LogRetention", `"400" is not a retention CloudWatch Logs offers`, "RetentionDays_ONE_YEAR"}},
	{"PendingDeletionAlarm", "Monitor", "snapshot removal policy", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{RemovalPolicy: awscdk.RemovalPolicy_SNAPSHOT})
	}, []string{"RemovalPolicy", "SNAPSHOT", "RemovalPolicy_RETAIN"}},
	{"PendingDeletionAlarm", "Monitor", "retention with existing log group", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{LogGroup: existingLogGroup(s), LogRetention: awslogs.RetentionDays_ONE_WEEK})
	}, []string{"LogRetention", "only to the log group this construct creates"}},
	{"PendingDeletionAlarm", "Monitor", "removal policy with existing log group", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{LogGroup: existingLogGroup(s), RemovalPolicy: awscdk.RemovalPolicy_DESTROY})
	}, []string{"RemovalPolicy", "remove LogGroup"}},
	{"PendingDeletionAlarm", "Monitor", "text filter pattern", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{FilterPattern: jsii.String(`"is pending deletion"`)})
	}, []string{"FilterPattern", "not a JSON filter pattern", "$.errorMessage"}},
	{"PendingDeletionAlarm", "Monitor", "filter pattern too long", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{FilterPattern: jsii.String("{ $.a = " + strings.Repeat("x", 1100) + " }")})
	}, []string{"FilterPattern", "1024"}},
	{"PendingDeletionAlarm", "Monitor", "AWS namespace", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{MetricNamespace: jsii.String("AWS/KMS")})
	}, []string{"MetricNamespace", "reserved for AWS"}},
	{"PendingDeletionAlarm", "Monitor", "empty metric name", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{MetricName: jsii.String("")})
	}, []string{"MetricName", "is empty"}},
	{"PendingDeletionAlarm", "Monitor", "alarm name too long", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{AlarmName: jsii.String(strings.Repeat("a", 256))})
	}, []string{"AlarmName", "256 characters", "at most 255"}},
	{"PendingDeletionAlarm", "Monitor", "same alarm names", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{AlarmName: jsii.String("kms"), DisabledKeyAlarmName: jsii.String("kms")})
	}, []string{"DisabledKeyAlarmName", "two different names"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "no key and no fleet mode", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{})
	}, []string{"Keys: no key to watch", "AllKeys: jsii.Bool(true)"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "fleet mode off explicitly", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(false)})
	}, []string{"no key to watch"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "zero threshold", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), Threshold: awscdk.Duration_Days(jsii.Number(0))})
	}, []string{"Threshold", "out of range", "more than 0 and at most 365 days"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "threshold over a year", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), Threshold: awscdk.Duration_Days(jsii.Number(366))})
	}, []string{"Threshold", "366 days is out of range"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "period of 20 seconds", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), Period: awscdk.Duration_Seconds(jsii.Number(20))})
	}, []string{"Period", "20 seconds is not a period CloudWatch allows", "10 seconds, 30 seconds"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "period of 90 seconds", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), Period: awscdk.Duration_Seconds(jsii.Number(90))})
	}, []string{"Period", "not a period CloudWatch allows"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "period over a day", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), Period: awscdk.Duration_Days(jsii.Number(2))})
	}, []string{"Period", "up to 1 day"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "malformed key ID", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyIDs: []string{"my-key"}})
	}, []string{"KeyIDs[0]", `"my-key" is not a KMS key ID`}},
	{"KeyMaterialExpiryAlarm", "Expiry", "ARN as key ID", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyIDs: []string{keyArn}})
	}, []string{"KeyIDs[0]", "an ARN goes in KeyArns"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "alias ARN", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyArns: []string{"arn:aws:kms:us-west-2:111122223333:alias/app"}})
	}, []string{"KeyArns[0]", "is not a KMS key ARN", "not an alias ARN"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "malformed ARN", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyArns: []string{"arn:aws:kms:us-west-2:1111:key/" + keyID}})
	}, []string{"KeyArns[0]", "is not a KMS key ARN"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "alias as key", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{Keys: []awskms.IKey{awskms.Alias_FromAliasName(s, jsii.String("A"), jsii.String("alias/app"))}})
	}, []string{"Keys[0]", "not an alias"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "nil key", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{Keys: []awskms.IKey{nil}})
	}, []string{"Keys[0]", "is nil"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "same key twice", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyArns: []string{keyArn}, KeyIDs: []string{keyID}})
	}, []string{"KeyIDs[0]", "also KeyArns[0]"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "too many keys", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyIDs: tooManyKeyIDs()})
	}, []string{"101 keys would add 101 alarms", "500 resources", "AllKeys"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "bad email", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), Emails: []string{"pki"}})
	}, []string{"Emails[0]", "not an e-mail address"}},
	{"LifecycleEvents", "Events", "unknown event type", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{EventTypes: []kmsmonitor.EventType{"KMS Key Deletion"}})
	}, []string{"EventTypes[0]", `"KMS Key Deletion" is not an AWS KMS event`, "KeyDeletionEvent"}},
	{"LifecycleEvents", "Events", "duplicate event type", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{EventTypes: []kmsmonitor.EventType{kmsmonitor.KeyDeletionEvent, kmsmonitor.KeyDeletionEvent}})
	}, []string{"EventTypes[1]", "listed twice"}},
	{"LifecycleEvents", "Events", "key ID instead of ARN", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{KeyArns: []string{keyID}})
	}, []string{"KeyArns[0]", "is not a KMS key ARN", "events name keys by ARN"}},
	{"LifecycleEvents", "Events", "nil key", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{Keys: []awskms.IKey{nil}})
	}, []string{"Keys[0]", "is nil"}},
	{"LifecycleEvents", "Events", "six targets", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{Targets: []awsevents.IRuleTarget{queueTarget(s, "a"), queueTarget(s, "b"), queueTarget(s, "c"), queueTarget(s, "d"), queueTarget(s, "e")}})
	}, []string{"Targets", "6 targets in all", "at most 5"}},
	{"LifecycleEvents", "Events", "nil target", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{Targets: []awsevents.IRuleTarget{nil}})
	}, []string{"Targets[0]", "is nil"}},
	{"LifecycleEvents", "Events", "emails without topic", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{NotifyTopic: jsii.Bool(false), Emails: []string{"a@example.com"}})
	}, []string{"NotifyTopic", "Topic or Emails is set"}},
	{"LifecycleEvents", "Events", "bad email", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{Emails: []string{"security"}})
	}, []string{"Emails[0]", "not an e-mail address"}},
	{"LifecycleEvents", "Events", "too many retries", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{RetryAttempts: jsii.Number(186)})
	}, []string{"RetryAttempts", "186 is out of range", "0 to 185"}},
	{"LifecycleEvents", "Events", "fractional retries", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{RetryAttempts: jsii.Number(1.5)})
	}, []string{"RetryAttempts", "whole number"}},
	{"LifecycleEvents", "Events", "event age too long", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{MaxEventAge: awscdk.Duration_Hours(jsii.Number(25))})
	}, []string{"MaxEventAge", "1 day 1 hour is out of range", "1 minute to 24 hours"}},
	{"LifecycleEvents", "Events", "event age too short", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{MaxEventAge: awscdk.Duration_Seconds(jsii.Number(30))})
	}, []string{"MaxEventAge", "out of range"}},
	{"LifecycleEvents", "Events", "rule name too long", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{RuleName: jsii.String("a-very-long-rule-name-that-goes-on-and-on-beyond-sixty-four-chars")})
	}, []string{"RuleName", "at most 64"}},
	{"AutoCancelDeletion", "Rescue", "no mode", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{})
	}, []string{"Mode: no mode chosen", "kmsmonitor.AlarmDriven(alarm, keys, keyArns)", "KeyAwareAllKeys()"}},
	{"AutoCancelDeletion", "Rescue", "alarm mode without keys", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(importedAlarm(s), nil, nil)})
	}, []string{"Keys: no key to protect", "give the keys to AlarmDriven"}},
	{"AutoCancelDeletion", "Rescue", "alarm without a name", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(awscloudwatch.Alarm_FromAlarmName(s, jsii.String("A"), jsii.String("")), nil, []string{keyArn})})
	}, []string{"Mode: the alarm has no name", "Alarm_FromAlarmArn"}},
	{"AutoCancelDeletion", "Rescue", "key-aware allow list without keys", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, []string{})})
	}, []string{"Mode.Keys", "KeyAwareListed has no key", "KeyAwareAllKeys()"}},
	{"AutoCancelDeletion", "Rescue", "alarm-driven without an alarm", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(nil, nil, []string{keyArn})})
	}, []string{"Mode: AlarmDriven has no alarm", "PendingDeletionAlarm.Alarm"}},
	{"AutoCancelDeletion", "Rescue", "tag without value", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareTagged("protect", "")})
	}, []string{"Mode: KeyAwareTagged needs a tag key and a tag value"}},
	{"AutoCancelDeletion", "Rescue", "malformed key ARN", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(importedAlarm(s), nil, []string{"arn:aws:kms:us-west-2:111122223333:alias/app"})})
	}, []string{"KeyArns[0]", "is not a KMS key ARN"}},
	{"AutoCancelDeletion", "Rescue", "key ID instead of ARN", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, []string{keyID})})
	}, []string{"KeyArns[0]", "is not a KMS key ARN"}},
	{"AutoCancelDeletion", "Rescue", "duplicate key", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(importedAlarm(s), nil, []string{keyArn, keyArn})})
	}, []string{"KeyArns[1]", "also Mode.KeyArns[0]"}},
	{"AutoCancelDeletion", "Rescue", "alias as key", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(importedAlarm(s), []awskms.IKey{awskms.Alias_FromAliasName(s, jsii.String("Al"), jsii.String("alias/app"))}, nil)})
	}, []string{"Keys[0]", "not an alias"}},
	{"AutoCancelDeletion", "Rescue", "nil key", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(importedAlarm(s), []awskms.IKey{nil}, nil)})
	}, []string{"Keys[0]", "is nil"}},
	{"AutoCancelDeletion", "Rescue", "topic while notifications are off", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{
			Mode:        kmsmonitor.KeyAwareAllKeys(),
			NotifyTopic: jsii.Bool(false),
			Topic:       awssns.Topic_FromTopicArn(s, jsii.String("T"), jsii.String("arn:aws:sns:us-west-2:111122223333:t")),
		})
	}, []string{"NotifyTopic", "Topic or Emails is set"}},
	{"KeyMonitoring", "Kms", "everything off", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{PendingDeletionEnabled: jsii.Bool(false), KeyMaterialExpiryEnabled: jsii.Bool(false), LifecycleEventsEnabled: jsii.Bool(false)})
	}, []string{"every part is switched off"}},
	{"KeyMonitoring", "Kms", "alarm-driven auto-cancel without the alarm", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{PendingDeletionEnabled: jsii.Bool(false), AutoCancelEnabled: jsii.Bool(true),
			AutoCancel: &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(nil, nil, []string{keyArn})}})
	}, []string{"AutoCancel", "uses the pending-deletion alarm, which is switched off"}},
	{"KeyMonitoring", "Kms", "props of a part switched off", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{PendingDeletionEnabled: jsii.Bool(false), PendingDeletion: &kmsmonitor.PendingDeletionAlarmProps{}})
	}, []string{"PendingDeletion: is set but PendingDeletionEnabled is not true"}},
	{"KeyMonitoring", "Kms", "opt-in part configured but not enabled", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{GrantAudit: &kmsmonitor.GrantAuditProps{}})
	}, []string{"GrantAudit: is set but GrantAuditEnabled is not true", "GrantAuditEnabled: jsii.Bool(true)"}},
	{"KeyMonitoring", "Kms", "dashboard name without dashboard", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{DashboardEnabled: jsii.Bool(false), DashboardName: jsii.String("kms")})
	}, []string{"DashboardName", "DashboardEnabled is false"}},
	{"KeyMonitoring", "Kms", "bad email", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{Emails: []string{"security@"}})
	}, []string{"Emails[0]", "not an e-mail address"}},
	{"CisKeyChangesAlarm", "Cis", "no log group", func(s awscdk.Stack) {
		kmsmonitor.NewCisKeyChangesAlarm(s, jsii.String("Cis"), nil)
	}, []string{"LogGroup: is missing", "PendingDeletionAlarm.LogGroup"}},
	{"CisKeyChangesAlarm", "Cis", "AWS namespace", func(s awscdk.Stack) {
		kmsmonitor.NewCisKeyChangesAlarm(s, jsii.String("Cis"), &kmsmonitor.CisKeyChangesAlarmProps{LogGroup: existingLogGroup(s), MetricNamespace: jsii.String("AWS/KMS")})
	}, []string{"MetricNamespace", "reserved for AWS"}},
	{"KeyUseEvents", "Use", "bad email", func(s awscdk.Stack) {
		kmsmonitor.NewKeyUseEvents(s, jsii.String("Use"), &kmsmonitor.KeyUseEventsProps{Emails: []string{"security"}})
	}, []string{"Emails[0]", "not an e-mail address"}},
	{"GrantAudit", "Grants", "key ID instead of ARN", func(s awscdk.Stack) {
		kmsmonitor.NewGrantAudit(s, jsii.String("Grants"), &kmsmonitor.GrantAuditProps{KeyArns: []string{keyID}})
	}, []string{"KeyArns[0]", "is not a KMS key ARN"}},
	{"GrantAudit", "Grants", "nil key", func(s awscdk.Stack) {
		kmsmonitor.NewGrantAudit(s, jsii.String("Grants"), &kmsmonitor.GrantAuditProps{Keys: []awskms.IKey{nil}})
	}, []string{"Keys[0]", "is nil"}},
	{"PendingDeletionAlarm", "Monitor", "trail to check without its log group", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{
			ExistingTrail: awscloudtrail.NewCfnTrail(s, jsii.String("T"), &awscloudtrail.CfnTrailProps{IsLogging: jsii.Bool(true), S3BucketName: jsii.String("b")}),
		})
	}, []string{"ExistingTrail", "without LogGroup"}},
	{"KeyMonitoring", "Kms", "CIS alarm without a log group", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{PendingDeletionEnabled: jsii.Bool(false), CisAlarmEnabled: jsii.Bool(true)})
	}, []string{"CisAlarmEnabled", "CisAlarm.LogGroup"}},
	{"KeyMonitoring", "Kms", "CIS props while it is off", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{CisAlarm: &kmsmonitor.CisKeyChangesAlarmProps{}})
	}, []string{"CisAlarm", "CisAlarmEnabled: jsii.Bool(true)"}},
	{"KeyMonitoring", "Kms", "key-use props while it is off", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{KeyUseEvents: &kmsmonitor.KeyUseEventsProps{}})
	}, []string{"KeyUseEvents", "KeyUseEventsEnabled: jsii.Bool(true)"}},
	{"CentralKeyMonitoring", "Central", "no organization", func(s awscdk.Stack) {
		kmsmonitor.NewCentralKeyMonitoring(s, jsii.String("Central"), nil)
	}, []string{"OrganizationID: is missing", "o-a1b2c3d4e5"}},
	{"CentralKeyMonitoring", "Central", "account ID as organization", func(s awscdk.Stack) {
		kmsmonitor.NewCentralKeyMonitoring(s, jsii.String("Central"), &kmsmonitor.CentralKeyMonitoringProps{OrganizationID: jsii.String("111122223333")})
	}, []string{"OrganizationID", `"111122223333" is not an organization ID`}},
	{"MemberKeyMonitoring", "Member", "no central bus", func(s awscdk.Stack) {
		kmsmonitor.NewMemberKeyMonitoring(s, jsii.String("Member"), nil)
	}, []string{"CentralEventBusArn: is missing"}},
	{"MemberKeyMonitoring", "Member", "bus name instead of ARN", func(s awscdk.Stack) {
		kmsmonitor.NewMemberKeyMonitoring(s, jsii.String("Member"), &kmsmonitor.MemberKeyMonitoringProps{CentralEventBusArn: jsii.String("kmsmonitor-central")})
	}, []string{"CentralEventBusArn", "is not an event bus ARN"}},
	{"MemberStackSet", "Rollout", "nothing given", func(s awscdk.Stack) {
		kmsmonitor.NewMemberStackSet(s, jsii.String("Rollout"), nil)
	}, []string{"MemberStack: is missing", "OrganizationalUnitIDs: is empty", "Regions: is empty"}},
	{"MemberStackSet", "Rollout", "account ID as OU and a bad Region", func(s awscdk.Stack) {
		kmsmonitor.NewMemberStackSet(s, jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
			MemberStack:           awscdk.NewStack(awscdk.NewStage(s.Node().Root().(awscdk.App), jsii.String("M"), nil), jsii.String("Member"), nil),
			OrganizationalUnitIDs: []string{"111122223333"}, Regions: []string{"Ireland"},
		})
	}, []string{"OrganizationalUnitIDs[0]", "is not an organizational unit", "Regions[0]", `"Ireland" is not a Region`}},
	{"MemberStackSet", "Rollout", "member stack directly in the app", func(s awscdk.Stack) {
		kmsmonitor.NewMemberStackSet(s, jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
			MemberStack: awscdk.NewStack(s.Node().Root().(awscdk.App), jsii.String("Member"), nil), OrganizationalUnitIDs: []string{"r-ab12"}, Regions: []string{"us-east-1"},
		})
	}, []string{"MemberStack", "its own awscdk.Stage"}},
	{"MemberStackSet", "Rollout", "China Region", func(s awscdk.Stack) {
		kmsmonitor.NewMemberStackSet(s, jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
			MemberStack:           awscdk.NewStack(awscdk.NewStage(s.Node().Root().(awscdk.App), jsii.String("M"), nil), jsii.String("Member"), nil),
			OrganizationalUnitIDs: []string{"r-ab12"}, Regions: []string{"us-east-1", "cn-north-1"},
		})
	}, []string{"Regions[1]", `"cn-north-1" is a China Region, where service-managed StackSets are not available`}},
	// nil props, empty slices and zero values
	{"KeyMaterialExpiryAlarm", "Expiry", "nil props", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), nil)
	}, []string{"Keys: no key to watch"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "empty key lists", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{Keys: []awskms.IKey{}, KeyArns: []string{}, KeyIDs: []string{}})
	}, []string{"Keys: no key to watch"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "empty key ID", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyIDs: []string{""}})
	}, []string{"KeyIDs[0]", `"" is not a KMS key ID`}},
	{"AutoCancelDeletion", "Rescue", "nil props", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), nil)
	}, []string{"Mode: no mode chosen"}},
	{"PendingDeletionAlarm", "Monitor", "zero period", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{Period: awscdk.Duration_Minutes(jsii.Number(0))})
	}, []string{"Period", "whole number of minutes"}},
	{"PendingDeletionAlarm", "Monitor", "empty filter pattern", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{FilterPattern: jsii.String("")})
	}, []string{"FilterPattern", "not a JSON filter pattern"}},
	{"LifecycleEvents", "Events", "zero event type", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{EventTypes: []kmsmonitor.EventType{""}})
	}, []string{"EventTypes[0]", `"" is not an AWS KMS event`}},
	{"LifecycleEvents", "Events", "empty key ARN", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{KeyArns: []string{""}})
	}, []string{"KeyArns[0]", "is not a KMS key ARN"}},
	// a part's own bad props are reported by the part, under its own path
	{"KeyMaterialExpiryAlarm", "Kms/KeyMaterialExpiry", "facade part: bad key ID", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
			KeyMaterialExpiry: &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyIDs: []string{"nope"}},
		})
	}, []string{"KeyIDs[0]"}},
	{"AutoCancelDeletion", "Kms/AutoCancel", "facade part: empty auto-cancel props", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{AutoCancelEnabled: jsii.Bool(true), AutoCancel: &kmsmonitor.AutoCancelDeletionProps{}})
	}, []string{"Mode: no mode chosen"}},
	{"PendingDeletionAlarm", "Kms/PendingDeletion", "facade part: empty namespace", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
			PendingDeletion: &kmsmonitor.PendingDeletionAlarmProps{MetricNamespace: jsii.String("")},
		})
	}, []string{"MetricNamespace", "is empty"}},
	{"PendingDeletionAlarm", "Monitor", "FIFO topic", func(s awscdk.Stack) {
		topic := awssns.NewTopic(s, jsii.String("Fifo"), &awssns.TopicProps{Fifo: jsii.Bool(true), TopicName: jsii.String("alerts")})
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{Topic: topic})
	}, []string{"Topic: is a FIFO topic", "give a standard topic"}},
	{"LifecycleEvents", "Monitor", "topic under alias/aws/sns", func(s awscdk.Stack) {
		topic := awssns.NewTopic(s, jsii.String("Managed"), &awssns.TopicProps{
			MasterKey: awskms.Alias_FromAliasName(s, jsii.String("AwsSns"), jsii.String("alias/aws/sns"))})
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Monitor"), &kmsmonitor.LifecycleEventsProps{Topic: topic})
	}, []string{"Topic: is encrypted with the AWS managed key alias/aws/sns", "customer managed key"}},
	{"LifecycleEvents", "Monitor", "FIFO dead-letter queue", func(s awscdk.Stack) {
		q := awssqs.NewQueue(s, jsii.String("Q"), &awssqs.QueueProps{Fifo: jsii.Bool(true)})
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Monitor"), &kmsmonitor.LifecycleEventsProps{DeadLetterQueue: q})
	}, []string{"DeadLetterQueue: is a FIFO queue", "standard queues"}},
	{"LifecycleEvents", "Monitor", "target queue under alias/aws/sqs (KMS_MANAGED)", func(s awscdk.Stack) {
		q := awssqs.NewQueue(s, jsii.String("Q"), &awssqs.QueueProps{Encryption: awssqs.QueueEncryption_KMS_MANAGED})
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Monitor"), &kmsmonitor.LifecycleEventsProps{Queue: q})
	}, []string{"Queue: is encrypted with the AWS managed key alias/aws/sqs", "no event would arrive", "SSE-SQS"}},
	{"LifecycleEvents", "Monitor", "target queue under alias/aws/sqs (the alias given as key)", func(s awscdk.Stack) {
		q := awssqs.NewQueue(s, jsii.String("Q"), &awssqs.QueueProps{Encryption: awssqs.QueueEncryption_KMS,
			EncryptionMasterKey: awskms.Alias_FromAliasName(s, jsii.String("AwsSqs"), jsii.String("alias/aws/sqs"))})
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Monitor"), &kmsmonitor.LifecycleEventsProps{Queue: q})
	}, []string{"Queue: is encrypted with the AWS managed key alias/aws/sqs", "customer managed key"}},
	{"MemberKeyMonitoring", "Monitor", "dead-letter queue under alias/aws/sqs", func(s awscdk.Stack) {
		q := awssqs.NewQueue(s, jsii.String("Q"), &awssqs.QueueProps{Encryption: awssqs.QueueEncryption_KMS_MANAGED})
		kmsmonitor.NewMemberKeyMonitoring(s, jsii.String("Monitor"), &kmsmonitor.MemberKeyMonitoringProps{
			CentralEventBusArn: jsii.String("arn:aws:events:us-east-1:111122223333:event-bus/central"), DeadLetterQueue: q})
	}, []string{"DeadLetterQueue: is encrypted with the AWS managed key alias/aws/sqs", "SSE-SQS"}},
	{"DeletionGuard", "Guard", "fractional days", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{MinDaysWithoutUsage: jsii.Number(1.5)})
	}, []string{"MinDaysWithoutUsage", "1.5 is not allowed", "whole number of days from 1 to 3650"}},
	{"DeletionGuard", "Guard", "zero days", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{MinDaysWithoutUsage: jsii.Number(0)})
	}, []string{"MinDaysWithoutUsage", "from 1 to 3650"}},
	{"DeletionGuard", "Guard", "waiting period beyond KMS's range", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{MinPendingWindowInDays: jsii.Number(31)})
	}, []string{"MinPendingWindowInDays", "7 to 30 days"}},
	{"DeletionGuard", "Guard", "waiting period below KMS's range", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{MinPendingWindowInDays: jsii.Number(3)})
	}, []string{"MinPendingWindowInDays", "7 (no minimum) to 30"}},
	{"DeletionGuard", "Guard", "break-glass session ARN", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{
			BreakGlassPrincipalArns: []string{"arn:aws:sts::111122223333:assumed-role/BreakGlass/alice"}})
	}, []string{"BreakGlassPrincipalArns[0]", "not an IAM role or user ARN", "arn:aws:iam::111122223333:role/BreakGlass"}},
	{"DeletionGuard", "Guard", "duplicate break-glass ARN", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{
			BreakGlassPrincipalArns: []string{"arn:aws:iam::111122223333:role/BreakGlass", "arn:aws:iam::111122223333:role/BreakGlass"}})
	}, []string{"BreakGlassPrincipalArns[1]", "listed twice"}},
	{"DeletionGuard", "Guard", "imported key", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), nil).Protect(awskms.Key_FromKeyArn(s, jsii.String("K"), jsii.String(keyArn)))
	}, []string{"Protect[0]", "is imported", "DeletionCheck"}},
	{"DeletionGuard", "Guard", "nil key", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), nil).Protect(nil)
	}, []string{"Protect[0]", "is nil", "awskms.NewKey"}},
	{"AutoCancelDeletion", "Cancel", "break-glass principals with alarm-driven mode", func(s awscdk.Stack) {
		alarm := awscloudwatch.Alarm_FromAlarmArn(s, jsii.String("A"), jsii.String("arn:aws:cloudwatch:us-east-1:111122223333:alarm:pending"))
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Cancel"), &kmsmonitor.AutoCancelDeletionProps{
			Mode: kmsmonitor.AlarmDriven(alarm, nil, []string{keyArn}), BreakGlassPrincipalArns: []string{"arn:aws:iam::111122223333:role/BreakGlass"}})
	}, []string{"BreakGlassPrincipalArns", "cannot tell who scheduled a deletion", "key-aware mode"}},
	{"AutoCancelDeletion", "Cancel", "break-glass session ARN", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Cancel"), &kmsmonitor.AutoCancelDeletionProps{
			Mode: kmsmonitor.KeyAwareAllKeys(), BreakGlassPrincipalArns: []string{"arn:aws:sts::111122223333:assumed-role/BreakGlass/alice"}})
	}, []string{"BreakGlassPrincipalArns[0]", "not an IAM role or user ARN", "arn:aws:iam::111122223333:role/BreakGlass"}},
	{"MonitorTampering", "Tamper", "a nil role", func(s awscdk.Stack) {
		kmsmonitor.NewMonitorTampering(s, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{Roles: []awsiam.IRole{nil}})
	}, []string{"Roles[0]", "is nil"}},
	{"AllowDeletionWithStack", "Key", "after Protect", func(s awscdk.Stack) {
		k := awskms.NewKey(s, jsii.String("Key"), nil)
		kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), nil).Protect(k)
		kmsmonitor.AllowDeletionWithStack(k)
	}, []string{"key", "already protected", "before guard.Protect(key)"}},
	{"OrganizationDeletionGuard", "Guard", "no target", func(s awscdk.Stack) {
		kmsmonitor.NewOrganizationDeletionGuard(s, jsii.String("Guard"), nil)
	}, []string{"TargetIDs", "is empty", "r-...", "12 digits"}},
	{"OrganizationDeletionGuard", "Guard", "malformed target", func(s awscdk.Stack) {
		kmsmonitor.NewOrganizationDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"o-a1b2c3d4e5"}})
	}, []string{"TargetIDs[0]", `"o-a1b2c3d4e5" is not a root, OU or account ID`}},
	{"OrganizationDeletionGuard", "Guard", "duplicate target", func(s awscdk.Stack) {
		kmsmonitor.NewOrganizationDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"111122223333", "111122223333"}})
	}, []string{"TargetIDs[1]", "listed twice"}},
	{"OrganizationDeletionGuard", "Guard", "empty policy name", func(s awscdk.Stack) {
		kmsmonitor.NewOrganizationDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"r-a1b2"}, PolicyName: jsii.String(" ")})
	}, []string{"PolicyName", "is empty"}},
	{"OrganizationDeletionGuard", "Guard", "policy too large", func(s awscdk.Stack) {
		var arns []string
		for i := 0; i < 60; i++ {
			arns = append(arns, fmt.Sprintf("arn:aws:iam::%012d:role/break-glass-administrators-of-this-account", i))
		}
		kmsmonitor.NewOrganizationDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"r-a1b2"}, BreakGlassPrincipalArns: arns})
	}, []string{"BreakGlassPrincipalArns", "at most 5120"}},
	{"OrganizationDeletionGuard", "Guard", "waiting period out of range", func(s awscdk.Stack) {
		kmsmonitor.NewOrganizationDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"r-a1b2"}, MinPendingWindowInDays: jsii.Number(45)})
	}, []string{"MinPendingWindowInDays", "7 to 30 days"}},
	{"DeletionCheck", "Check", "break-glass session ARN", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionCheck(s, jsii.String("Check"), &kmsmonitor.DeletionCheckProps{
			BreakGlassPrincipalArns: []string{"arn:aws:sts::111122223333:assumed-role/BreakGlass/alice"}})
	}, []string{"BreakGlassPrincipalArns[0]", "not an IAM role or user ARN", "arn:aws:iam::111122223333:role/BreakGlass"}},
	{"DeletionCheck", "Check", "days out of range", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionCheck(s, jsii.String("Check"), &kmsmonitor.DeletionCheckProps{MinDaysWithoutUsage: jsii.Number(5000)})
	}, []string{"MinDaysWithoutUsage", "from 1 to 3650"}},
	{"DeletionCheck", "Check", "malformed email", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionCheck(s, jsii.String("Check"), &kmsmonitor.DeletionCheckProps{Emails: []string{"ops at example.com"}})
	}, []string{"Emails[0]", "is not an e-mail address"}},
	{"DeletionCheck", "Check", "FIFO topic", func(s awscdk.Stack) {
		topic := awssns.NewTopic(s, jsii.String("Fifo"), &awssns.TopicProps{Fifo: jsii.Bool(true), TopicName: jsii.String("alerts")})
		kmsmonitor.NewDeletionCheck(s, jsii.String("Check"), &kmsmonitor.DeletionCheckProps{Topic: topic})
	}, []string{"Topic: is a FIFO topic"}},
	{"DeletionCheck", "Check", "FIFO dead-letter queue", func(s awscdk.Stack) {
		q := awssqs.NewQueue(s, jsii.String("Q"), &awssqs.QueueProps{Fifo: jsii.Bool(true)})
		kmsmonitor.NewDeletionCheck(s, jsii.String("Check"), &kmsmonitor.DeletionCheckProps{DeadLetterQueue: q})
	}, []string{"DeadLetterQueue: is a FIFO queue"}},
	{"KeyPolicyChanges", "Monitor", "key ID instead of ARN", func(s awscdk.Stack) {
		kmsmonitor.NewKeyPolicyChanges(s, jsii.String("Monitor"), &kmsmonitor.KeyPolicyChangesProps{KeyArns: []string{keyID}, EveryChange: jsii.Bool(true)})
	}, []string{"KeyArns[0]", "is not a KMS key ARN", "arn:aws:kms:"}},
	{"KeyPolicyChanges", "Monitor", "FIFO topic", func(s awscdk.Stack) {
		topic := awssns.NewTopic(s, jsii.String("Fifo"), &awssns.TopicProps{Fifo: jsii.Bool(true), TopicName: jsii.String("alerts")})
		kmsmonitor.NewKeyPolicyChanges(s, jsii.String("Monitor"), &kmsmonitor.KeyPolicyChangesProps{Topic: topic})
	}, []string{"Topic: is a FIFO topic"}},
	{"ImportedKeyMaterialChanges", "Monitor", "nil key", func(s awscdk.Stack) {
		kmsmonitor.NewImportedKeyMaterialChanges(s, jsii.String("Monitor"), &kmsmonitor.ImportedKeyMaterialChangesProps{Keys: []awskms.IKey{nil}})
	}, []string{"Keys[0]", "is nil"}},
	{"ImportedKeyMaterialChanges", "Monitor", "empty email", func(s awscdk.Stack) {
		kmsmonitor.NewImportedKeyMaterialChanges(s, jsii.String("Monitor"), &kmsmonitor.ImportedKeyMaterialChangesProps{Emails: []string{" "}})
	}, []string{"Emails[0]", "is empty"}},
	{"ChatNotifications", "Chat", "no topic", func(s awscdk.Stack) {
		kmsmonitor.NewChatNotifications(s, jsii.String("Chat"), nil)
	}, []string{"Topic: is required", "KeyMonitoring's Topic"}},
	{"ChatNotifications", "Chat", "chat topic is the topic", func(s awscdk.Stack) {
		topic := awssns.NewTopic(s, jsii.String("Alerts"), nil)
		kmsmonitor.NewChatNotifications(s, jsii.String("Chat"), &kmsmonitor.ChatNotificationsProps{Topic: topic, ChatTopic: topic})
	}, []string{"ChatTopic: is Topic itself", "leave ChatTopic unset"}},
	{"ChatNotifications", "Chat", "retention and removal policy that do not exist", func(s awscdk.Stack) {
		kmsmonitor.NewChatNotifications(s, jsii.String("Chat"), &kmsmonitor.ChatNotificationsProps{
			Topic: awssns.NewTopic(s, jsii.String("Alerts"), nil), LogRetention: "7", RemovalPolicy: "delete"})
	}, []string{`LogRetention: "7" is not a retention`, "awslogs.RetentionDays_ONE_YEAR", `RemovalPolicy: "delete" is not allowed`}},
	{"ChatNotifications", "Chat", "FIFO topics", func(s awscdk.Stack) {
		fifo := awssns.NewTopic(s, jsii.String("Fifo"), &awssns.TopicProps{Fifo: jsii.Bool(true), TopicName: jsii.String("alerts")})
		chat := awssns.NewTopic(s, jsii.String("FifoChat"), &awssns.TopicProps{Fifo: jsii.Bool(true), TopicName: jsii.String("chat")})
		kmsmonitor.NewChatNotifications(s, jsii.String("Chat"), &kmsmonitor.ChatNotificationsProps{Topic: fifo, ChatTopic: chat})
	}, []string{"Topic: is a FIFO topic; Lambda cannot subscribe", "ChatTopic: is a FIFO topic", "2 invalid prop(s)"}},
	{"MonitorTampering", "Monitor", "nothing to watch", func(s awscdk.Stack) {
		kmsmonitor.NewMonitorTampering(s, jsii.String("Monitor"), nil)
	}, []string{"TrailArns, Alarms, MetricFilters, Rules", "all empty", "TrailArns: []string{"}},
	{"MonitorTampering", "Monitor", "trail name instead of ARN, nil alarm, nil filter, nil rule", func(s awscdk.Stack) {
		kmsmonitor.NewMonitorTampering(s, jsii.String("Monitor"), &kmsmonitor.MonitorTamperingProps{
			TrailArns: []string{"management-events"}, Alarms: []awscloudwatch.IAlarm{nil},
			MetricFilters: []awslogs.MetricFilter{nil}, Rules: []awsevents.IRule{nil},
		})
	}, []string{"TrailArns[0]", "is not a CloudTrail trail ARN", "trail.TrailArn()", "Alarms[0]: is nil", "MetricFilters[0]: is nil", "Rules[0]: is nil", "4 invalid prop(s)"}},
	{"ExternalKeyStoreCertificateAlarm", "Kms/ExternalKeyStoreCertificate", "facade part: switched on without a store", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{ExternalKeyStoreCertificateEnabled: jsii.Bool(true)})
	}, []string{"CustomKeyStoreIDs: is empty"}},
	{"KeyMonitoring", "Kms", "watcher configured but not enabled", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{MonitorTampering: &kmsmonitor.MonitorTamperingProps{}})
	}, []string{"MonitorTampering: is set but MonitorTamperingEnabled is not true"}},
	{"ExternalKeyStoreCertificateAlarm", "Monitor", "no store", func(s awscdk.Stack) {
		kmsmonitor.NewExternalKeyStoreCertificateAlarm(s, jsii.String("Monitor"), nil)
	}, []string{"CustomKeyStoreIDs: is empty", "cks-1234567890abcdef0"}},
	{"ExternalKeyStoreCertificateAlarm", "Monitor", "bad and duplicate store IDs", func(s awscdk.Stack) {
		kmsmonitor.NewExternalKeyStoreCertificateAlarm(s, jsii.String("Monitor"), &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{
			CustomKeyStoreIDs: []string{"cks-1234567890abcdef0", "my-store' OR 1=1", "cks-1234567890abcdef0"},
		})
	}, []string{"CustomKeyStoreIDs[1]", "is not a custom key store ID", "CustomKeyStoreIDs[2]", "listed twice"}},
	{"ExternalKeyStoreCertificateAlarm", "Monitor", "threshold and period out of range", func(s awscdk.Stack) {
		kmsmonitor.NewExternalKeyStoreCertificateAlarm(s, jsii.String("Monitor"), &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{
			CustomKeyStoreIDs: []string{"cks-1234567890abcdef0"}, ThresholdDays: jsii.Number(0), Period: awscdk.Duration_Seconds(jsii.Number(7)),
		})
	}, []string{"ThresholdDays: 0 is out of range", "Period", "not a period CloudWatch allows"}},
}...)

// TestBadInput runs every invalid prop combination of every construct. Each
// must fail synthesis with a *kmsmonitor.ValidationError (never a nil-pointer
// or jsii panic) whose message names the construct, its path, the prop and
// the fix.
func TestBadInput(t *testing.T) {
	classes := make([]string, 0, len(badInputClasses))
	total := 0
	for class, cases := range badInputClasses {
		classes = append(classes, class)
		total += len(cases)
	}
	sort.Strings(classes)
	if total < minBadInputs {
		t.Fatalf("%d cases; the table must cover at least %d", total, minBadInputs)
	}
	for _, class := range classes {
		t.Logf("bad input: %d cases of class %q", len(badInputClasses[class]), class)
	}
	for _, class := range classes {
		for _, c := range badInputClasses[class] {
			t.Run(class+"/"+c.construct+"/"+c.name, func(t *testing.T) { runBadInput(t, c) })
		}
	}
}

func runBadInput(t *testing.T, c badInput) {
	// GIVEN a stack WHEN the construct gets invalid props
	stack := newStack()
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		c.build(stack)
	}()
	// THEN it fails with a ValidationError naming path, prop and fix
	var verr *kmsmonitor.ValidationError
	err, _ := recovered.(error)
	if !errors.As(err, &verr) {
		t.Fatalf("want a *kmsmonitor.ValidationError, got %T: %v", recovered, recovered)
	}
	msg := verr.Error()
	for _, want := range append([]string{fmt.Sprintf("kmsmonitor.%s at %q", c.construct, "Stack/"+c.path)}, c.want...) {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestBadInput_ScopeAndID(t *testing.T) {
	// GIVEN no scope, or no id THEN each constructor says what to pass instead of a nil-pointer panic
	constructors := map[string]func(scope awscdk.Stack, id *string){
		"PendingDeletionAlarm":   func(s awscdk.Stack, id *string) { kmsmonitor.NewPendingDeletionAlarm(s, id, nil) },
		"KeyMaterialExpiryAlarm": func(s awscdk.Stack, id *string) { kmsmonitor.NewKeyMaterialExpiryAlarm(s, id, nil) },
		"LifecycleEvents":        func(s awscdk.Stack, id *string) { kmsmonitor.NewLifecycleEvents(s, id, nil) },
		"AutoCancelDeletion":     func(s awscdk.Stack, id *string) { kmsmonitor.NewAutoCancelDeletion(s, id, nil) },
		"KeyMonitoring":          func(s awscdk.Stack, id *string) { kmsmonitor.NewKeyMonitoring(s, id, nil) },
		"CisKeyChangesAlarm":     func(s awscdk.Stack, id *string) { kmsmonitor.NewCisKeyChangesAlarm(s, id, nil) },
		"KeyUseEvents":           func(s awscdk.Stack, id *string) { kmsmonitor.NewKeyUseEvents(s, id, nil) },
		"GrantAudit":             func(s awscdk.Stack, id *string) { kmsmonitor.NewGrantAudit(s, id, nil) },
		"CentralKeyMonitoring":   func(s awscdk.Stack, id *string) { kmsmonitor.NewCentralKeyMonitoring(s, id, nil) },
		"MemberKeyMonitoring":    func(s awscdk.Stack, id *string) { kmsmonitor.NewMemberKeyMonitoring(s, id, nil) },
		"MemberStackSet":         func(s awscdk.Stack, id *string) { kmsmonitor.NewMemberStackSet(s, id, nil) },
		"DeletionGuard":          func(s awscdk.Stack, id *string) { kmsmonitor.NewDeletionGuard(s, id, nil) },
		"OrganizationDeletionGuard": func(s awscdk.Stack, id *string) {
			kmsmonitor.NewOrganizationDeletionGuard(s, id, &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"r-a1b2"}})
		},
		"DeletionCheck": func(s awscdk.Stack, id *string) { kmsmonitor.NewDeletionCheck(s, id, nil) },
	}
	for name, build := range constructors {
		wantPanic(t, func() { build(nil, jsii.String("X")) }, "kmsmonitor."+name, "scope is nil")
		wantPanic(t, func() { build(newStack(), nil) }, "kmsmonitor."+name, `under "Stack"`, "id is empty")
		wantPanic(t, func() { build(newStack(), jsii.String("")) }, "id is empty")
	}
	// A negative duration never reaches a construct: aws-cdk-lib refuses the Duration itself.
	wantPanic(t, func() { awscdk.Duration_Seconds(jsii.Number(-60)) }, "Duration amounts cannot be negative")
}
