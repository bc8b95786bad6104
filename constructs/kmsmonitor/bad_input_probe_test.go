package kmsmonitor_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// Cases found by a held-out probe of hostile configurations (issue 13's
// review): each panicked inside aws-cdk-lib or synthesized a setup that
// cannot work.

func otherAccountTopic(s awscdk.Stack) awssns.ITopic {
	return awssns.Topic_FromTopicArn(s, jsii.String("OtherTopic"), jsii.String("arn:aws:sns:us-east-1:999988887777:alerts"))
}

var _ = addBadInputs("panics in aws-cdk-lib", []badInput{
	{"LifecycleEvents", "Events", "queue target in another Region", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{
			Queue: awssqs.Queue_FromQueueArn(s, jsii.String("Q"), jsii.String("arn:aws:sqs:us-west-2:111122223333:q"))})
	}, []string{"Queue", "Region us-west-2", "attaches an imported queue to a rule only in the rule's own account and Region"}},
	{"LifecycleEvents", "Events", "function target of another account", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{
			Function: awslambda.Function_FromFunctionArn(s, jsii.String("F"), jsii.String("arn:aws:lambda:us-east-1:999988887777:function:f"))})
	}, []string{"Function", "account 999988887777", "a function of this stack's account and Region"}},
	{"LifecycleEvents", "Events", "stream target of another account", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{
			Stream: awskinesis.Stream_FromStreamArn(s, jsii.String("K"), jsii.String("arn:aws:kinesis:us-east-1:999988887777:stream/s"))})
	}, []string{"Stream", "account 999988887777"}},
	{"LifecycleEvents", "Events", "topic of another account", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{Topic: otherAccountTopic(s)})
	}, []string{"Topic", "account 999988887777", "a topic of this stack's account and Region"}},
	{"GrantAudit", "Kms/GrantAudit", "facade part: topic of another account", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
			GrantAuditEnabled: jsii.Bool(true), GrantAudit: &kmsmonitor.GrantAuditProps{Topic: otherAccountTopic(s)}})
	}, []string{"Topic", "account 999988887777"}},
	{"KeyMonitoring", "Kms", "facade topic of another account with rule parts on", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{Topic: otherAccountTopic(s)})
	}, []string{"Topic", "account 999988887777"}},
	{"CentralKeyMonitoring", "Central", "topic of another account", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewCentralKeyMonitoring(s, jsii.String("Central"), &kmsmonitor.CentralKeyMonitoringProps{
			OrganizationID: jsii.String("o-a1b2c3d4e5"), Topic: otherAccountTopic(s)})
	}, []string{"Topic", "account 999988887777"}},
}...)

var _ = addBadInputs("setups that cannot work", []badInput{
	{"KeyMaterialExpiryAlarm", "Expiry", "multi-Region primary and replica: two keys, two Regions", func(awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(eastStack(), jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyArns: []string{
			"arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
			"arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"}})
	}, []string{"KeyArns[1]", "Region us-west-2"}},
	{"LifecycleEvents", "Events", "key of another account on the default bus", func(awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(eastStack(), jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{KeyArns: []string{otherAcctArn}})
	}, []string{"KeyArns[0]", "account 999988887777", "key's own account and Region", "EventBus"}},
	{"PendingDeletionAlarm", "Monitor", "both filters into one metric", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{MetricName: jsii.String("Same"), DisabledKeyMetricName: jsii.String("Same")})
	}, []string{"DisabledKeyMetricName", `"Same" is also the MetricName`, "two different names"}},
	{"PendingDeletionAlarm", "Monitor", "metric name of the disabled-key filter given to the pending-deletion one", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{MetricName: jsii.String(kmsmonitor.DefaultDisabledKeyMetricName)})
	}, []string{"DisabledKeyMetricName", "is also the MetricName"}},
	{"DeletionGuard", "Guard", "break-glass ARN naming every role", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: []string{"arn:aws:iam::*:role/*"}})
	}, []string{"BreakGlassPrincipalArns[0]", "names every role", "exempt everyone"}},
	{"AutoCancelDeletion", "Rescue", "tag key under the reserved aws: prefix", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareTagged("aws:autocancel", "v")})
	}, []string{"aws:autocancel", "reserved for AWS", "kmsmonitor:auto-cancel"}},
	{"PendingDeletionAlarm", "Monitor", "alarm name with a line feed", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{AlarmName: jsii.String("kms\npending")})
	}, []string{"AlarmName", "control character (U+000A) at character 4", "remove it"}},
}...)

var _ = addBadInputs("setups that cannot work", []badInput{
	{"AutoCancelDeletion", "Rescue", "alarm in another Region", func(awscdk.Stack) {
		s := eastStack()
		alarm := awscloudwatch.Alarm_FromAlarmArn(s, jsii.String("A"), jsii.String("arn:aws:cloudwatch:us-west-2:111122223333:alarm:kms"))
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(alarm, nil, []string{eastArn})})
	}, []string{"Mode", "the alarm", "Region us-west-2", "next to the alarm"}},
	{"LifecycleEvents", "Events", "no target at all", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{NotifyTopic: jsii.Bool(false)})
	}, []string{"NotifyTopic", "deliver the events nowhere", "give a target"}},
	{"LifecycleEvents", "Events", "FIFO queue target", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{Queue: awssqs.NewQueue(s, jsii.String("F"), &awssqs.QueueProps{Fifo: jsii.Bool(true)})})
	}, []string{"Queue", "is a FIFO queue", "message group ID", "standard queue"}},
	{"MemberStackSet", "Rollout", "member stack with an explicit environment", func(awscdk.Stack) {
		app := newApp()
		member := awscdk.NewStack(awscdk.NewStage(app, jsii.String("Members"), nil), jsii.String("Member"), &awscdk.StackProps{
			Synthesizer: awscdk.NewBootstraplessSynthesizer(nil), Env: &awscdk.Environment{Account: jsii.String("444455556666"), Region: jsii.String("us-east-1")}})
		kmsmonitor.NewMemberKeyMonitoring(member, jsii.String("Member"), &kmsmonitor.MemberKeyMonitoringProps{CentralEventBusArn: jsii.String(centralBusArn)})
		kmsmonitor.NewMemberStackSet(awscdk.NewStack(app, jsii.String("Stack"), nil), jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
			MemberStack: member, OrganizationalUnitIDs: []string{"ou-ab12-cd34ef56"}, Regions: []string{"us-east-1"}})
	}, []string{"MemberStack", "has the account 444455556666", "leave its Env's Account unset"}},
	{"MemberStackSet", "Rollout", "member stack in one Region, StackSet in two", func(awscdk.Stack) {
		app := newApp()
		member := awscdk.NewStack(awscdk.NewStage(app, jsii.String("Members"), nil), jsii.String("Member"), &awscdk.StackProps{
			Synthesizer: awscdk.NewBootstraplessSynthesizer(nil), Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
		kmsmonitor.NewMemberKeyMonitoring(member, jsii.String("Member"), &kmsmonitor.MemberKeyMonitoringProps{CentralEventBusArn: jsii.String(centralBusArn)})
		kmsmonitor.NewMemberStackSet(awscdk.NewStack(app, jsii.String("Stack"), nil), jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
			MemberStack: member, OrganizationalUnitIDs: []string{"ou-ab12-cd34ef56"}, Regions: []string{"us-east-1", "eu-west-1"}})
	}, []string{"MemberStack", "has the Region us-east-1", "only one in Regions"}},
	{"AutoCancelDeletion", "Rescue", "tag key under the reserved prefix in upper case", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareTagged("AWS:autocancel", "v")})
	}, []string{"AWS:autocancel", "reserved for AWS", "in any case"}},
}...)

var _ = addBadInputs("tokens", badInput{"MemberStackSet", "Rollout", "Regions: a list token among literal Regions", func(awscdk.Stack) {
	member, stack := memberIn(newApp(), awscdk.NewBootstraplessSynthesizer(nil))
	kmsmonitor.NewMemberStackSet(stack, jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
		MemberStack: member, OrganizationalUnitIDs: []string{"ou-ab12-cd34ef56"}, Regions: append(listParam(stack, "R"), "us-east-1")})
}, []string{"Regions[0]: is a list token among other elements", "awscdk.Fn_Select"}})

func TestProbe_LegalLookAlikesSynthesize(t *testing.T) {
	t.Run("multi-Region primary and replica on a central bus", func(t *testing.T) {
		// GIVEN a primary and its replica (same key ID, two Regions) WHEN watched on a bus events are forwarded to
		s := eastStack()
		bus := awsevents.NewEventBus(s, jsii.String("Central"), nil)
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{EventBus: bus, Keys: []awskms.IKey{
			awskms.Key_FromKeyArn(s, jsii.String("Primary"), jsii.String("arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab")),
			awskms.Key_FromKeyArn(s, jsii.String("Replica"), jsii.String("arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab")),
		}})
		// THEN both keys are in the pattern: two keys, not one given twice
		synth(t, s).HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{"resources": arr{
			"arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
			"arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"}})})
	})
	t.Run("member stack in the StackSet's only Region", func(t *testing.T) {
		// GIVEN a member stack naming the one Region the StackSet deploys to
		app := newApp()
		member := awscdk.NewStack(awscdk.NewStage(app, jsii.String("Members"), nil), jsii.String("Member"), &awscdk.StackProps{
			Synthesizer: awscdk.NewBootstraplessSynthesizer(nil), Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
		kmsmonitor.NewMemberKeyMonitoring(member, jsii.String("Member"), &kmsmonitor.MemberKeyMonitoringProps{CentralEventBusArn: jsii.String(centralBusArn)})
		s := awscdk.NewStack(app, jsii.String("Stack"), nil)
		kmsmonitor.NewMemberStackSet(s, jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
			MemberStack: member, OrganizationalUnitIDs: []string{"ou-ab12-cd34ef56"}, Regions: []string{"us-east-1"}})
		// THEN the StackSet synthesizes, deploying to that Region
		synth(t, s).HasResourceProperties("AWS::CloudFormation::StackSet", obj{"StackInstancesGroup": arr{objLike(obj{"Regions": arr{"us-east-1"}})}})
	})
}
