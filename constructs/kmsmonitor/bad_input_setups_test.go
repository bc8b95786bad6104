package kmsmonitor_test

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// Setups of this file: a stack in us-east-1 of account 111122223333, and
// resources elsewhere.
const (
	eastArn        = "arn:aws:kms:us-east-1:111122223333:key/" + keyID
	otherAcctArn   = "arn:aws:kms:us-east-1:999988887777:key/" + keyID
	westLogGroup   = "arn:aws:logs:us-west-2:111122223333:log-group:trail-logs:*"
	otherAcctLogGp = "arn:aws:logs:us-east-1:999988887777:log-group:trail-logs:*"
)

// eastStack is a stack named "Stack" with an explicit environment.
func eastStack() awscdk.Stack {
	return awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-east-1")}})
}

func westTopic(s awscdk.Stack) awssns.ITopic {
	return awssns.Topic_FromTopicArn(s, jsii.String("WestTopic"), jsii.String("arn:aws:sns:us-west-2:111122223333:alerts"))
}

func westQueue(s awscdk.Stack) awssqs.IQueue {
	return awssqs.Queue_FromQueueArn(s, jsii.String("WestQueue"), jsii.String("arn:aws:sqs:us-west-2:111122223333:dlq"))
}

func logGroupAt(s awscdk.Stack, arn string) awslogs.ILogGroup {
	return awslogs.LogGroup_FromLogGroupArn(s, jsii.String("TrailLogs"), jsii.String(arn))
}

// memberIn returns a bootstrapless member stack in a Stage of app, and a stack "Stack" for the StackSet.
func memberIn(app awscdk.App, synthesizer awscdk.IStackSynthesizer) (member, stack awscdk.Stack) {
	stage := awscdk.NewStage(app, jsii.String("Member"), nil)
	member = awscdk.NewStack(stage, jsii.String("KmsMonitorMember"), &awscdk.StackProps{Synthesizer: synthesizer})
	kmsmonitor.NewMemberKeyMonitoring(member, jsii.String("Member"), &kmsmonitor.MemberKeyMonitoringProps{CentralEventBusArn: jsii.String(centralBusArn)})
	return member, awscdk.NewStack(app, jsii.String("Stack"), nil)
}

func stackSet(props kmsmonitor.MemberStackSetProps) {
	member, stack := memberIn(newApp(), awscdk.NewBootstraplessSynthesizer(nil))
	props.MemberStack = member
	if props.OrganizationalUnitIDs == nil {
		props.OrganizationalUnitIDs = []string{"ou-ab12-cd34ef56"}
	}
	if props.Regions == nil {
		props.Regions = []string{"us-east-1"}
	}
	kmsmonitor.NewMemberStackSet(stack, jsii.String("Rollout"), &props)
}

var _ = addBadInputs("setups that cannot work", []badInput{
	// A resource in another account or Region than the stack.
	{"KeyMaterialExpiryAlarm", "Expiry", "key in another Region", func(awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(eastStack(), jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyArns: []string{keyArn}})
	}, []string{"KeyArns[0]", "is in Region us-west-2, but this stack deploys to us-east-1", "SecondsUntilKeyMaterialExpiration", "per account and Region"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "key of another account", func(awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(eastStack(), jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyArns: []string{otherAcctArn}})
	}, []string{"KeyArns[0]", "is in account 999988887777, but this stack deploys to account 111122223333"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "imported key in another Region", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{
			Keys: []awskms.IKey{awskms.Key_FromKeyArn(s, jsii.String("K"), jsii.String(keyArn))}})
	}, []string{"Keys[0]", "Region us-west-2"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "environment-agnostic stack, keys in two Regions", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyArns: []string{keyArn, "arn:aws:kms:us-east-1:111122223333:key/" + otherID}})
	}, []string{"in 2 places", "Region us-west-2 (KeyArns[0])", "Region us-east-1 (KeyArns[1])", "a stack deploys to one place"}},
	{"LifecycleEvents", "Events", "key in another Region on the default bus", func(awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(eastStack(), jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{KeyArns: []string{keyArn}})
	}, []string{"KeyArns[0]", "Region us-west-2", "default event bus of the key's own account and Region", "EventBus"}},
	{"LifecycleEvents", "Events", "event bus in another Region", func(awscdk.Stack) {
		s := eastStack()
		bus := awsevents.EventBus_FromEventBusArn(s, jsii.String("Bus"), jsii.String("arn:aws:events:us-west-2:111122223333:event-bus/central"))
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{EventBus: bus})
	}, []string{"EventBus", "the event bus is in Region us-west-2", "a bus of its own account and Region"}},
	// Quotas: KMS key policies hold 32,768 bytes.
	// Quotas: 500 resources per stack.
	// Names unique per organization.
	// Partitions: aws:PrincipalArn names principals of the stack's own partition only.
	{"ChatNotifications", "Chat", "chat topic in another Region", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewChatNotifications(s, jsii.String("Chat"), &kmsmonitor.ChatNotificationsProps{
			Topic:     awssns.NewTopic(s, jsii.String("Alerts"), nil),
			ChatTopic: awssns.Topic_FromTopicArn(s, jsii.String("Chat Topic"), jsii.String("arn:aws:sns:eu-west-1:111122223333:kms-chat")),
		})
	}, []string{"ChatTopic", "the chat topic is in Region eu-west-1", "the function publishes to topics of its own account and Region"}},
	{"PendingDeletionAlarm", "Monitor", "named notifications where log alarms do not exist", func(awscdk.Stack) {
		s := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("cn-north-1")}})
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{NamedNotifications: jsii.Bool(true)})
	}, []string{"NamedNotifications", "log alarms do not exist in cn-north-1", "leave it unset or false"}},
	{"PendingDeletionAlarm", "Monitor", "named notifications with a custom filter pattern", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{
			NamedNotifications: jsii.Bool(true), FilterPattern: jsii.String(`{ $.eventSource = kms.amazonaws.com && $.errorMessage = "* is pending deletion."}`)})
	}, []string{"NamedNotifications", "FilterPattern", "remove FilterPattern, or NamedNotifications"}},
	{"KeyMonitoring", "Kms", "named notifications and KeyUseEvents both on", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{KeyUseEventsEnabled: jsii.Bool(true),
			PendingDeletion: &kmsmonitor.PendingDeletionAlarmProps{NamedNotifications: jsii.Bool(true)}})
	}, []string{"PendingDeletion.NamedNotifications", "KeyUseEventsEnabled", "both would notify each incident"}},
	{"KeyUseEvents", "Use", "bounded messages where EventBridge Pipes does not exist", func(awscdk.Stack) {
		s := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-gov-west-1")}})
		kmsmonitor.NewKeyUseEvents(s, jsii.String("Use"), &kmsmonitor.KeyUseEventsProps{BoundedMessages: jsii.Bool(true)})
	}, []string{"BoundedMessages", "EventBridge Pipes", "does not exist in us-gov-west-1", "leave it unset"}},
	{"AutoCancelDeletion", "Rescue", "bounded messages where EventBridge Pipes does not exist", func(awscdk.Stack) {
		s := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("mx-central-1")}})
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareAllKeys(), BoundedMessages: jsii.Bool(true)})
	}, []string{"BoundedMessages", "does not exist in mx-central-1"}},
	{"CentralKeyMonitoring", "Central", "bounded messages where EventBridge Pipes does not exist", func(awscdk.Stack) {
		s := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("il-central-1")}})
		kmsmonitor.NewCentralKeyMonitoring(s, jsii.String("Central"), &kmsmonitor.CentralKeyMonitoringProps{
			OrganizationID: jsii.String("o-a1b2c3d4e5"), BoundedMessages: jsii.Bool(true)})
	}, []string{"BoundedMessages", "does not exist in il-central-1"}},
	{"KeyUseEvents", "Use", "event bus of another account", func(awscdk.Stack) {
		s := eastStack()
		bus := awsevents.EventBus_FromEventBusArn(s, jsii.String("Bus"), jsii.String("arn:aws:events:us-east-1:999988887777:event-bus/central"))
		kmsmonitor.NewKeyUseEvents(s, jsii.String("Use"), &kmsmonitor.KeyUseEventsProps{EventBus: bus})
	}, []string{"EventBus", "is in account 999988887777"}},
	{"GrantAudit", "Grants", "key in another Region", func(awscdk.Stack) {
		kmsmonitor.NewGrantAudit(eastStack(), jsii.String("Grants"), &kmsmonitor.GrantAuditProps{KeyArns: []string{keyArn}})
	}, []string{"KeyArns[0]", "Region us-west-2", "grant calls"}},
	{"KeyPolicyChanges", "Policies", "key of another account", func(awscdk.Stack) {
		kmsmonitor.NewKeyPolicyChanges(eastStack(), jsii.String("Policies"), &kmsmonitor.KeyPolicyChangesProps{KeyArns: []string{otherAcctArn}})
	}, []string{"KeyArns[0]", "account 999988887777", "key policy changes"}},
	{"ImportedKeyMaterialChanges", "Material", "key in another Region", func(awscdk.Stack) {
		kmsmonitor.NewImportedKeyMaterialChanges(eastStack(), jsii.String("Material"), &kmsmonitor.ImportedKeyMaterialChangesProps{KeyArns: []string{keyArn}})
	}, []string{"KeyArns[0]", "Region us-west-2"}},
	{"AutoCancelDeletion", "Rescue", "key of another account (cancellation cannot cross accounts)", func(awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(eastStack(), jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, []string{otherAcctArn})})
	}, []string{"Mode.KeyArns[0]", "account 999988887777", "CancelKeyDeletion works only in the automation's own account and Region"}},
	{"PendingDeletionAlarm", "Monitor", "log group in another Region", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{LogGroup: logGroupAt(s, westLogGroup)})
	}, []string{"LogGroup", "the log group is in Region us-west-2", "metric filter"}},
	{"CisKeyChangesAlarm", "Cis", "log group of another account", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewCisKeyChangesAlarm(s, jsii.String("Cis"), &kmsmonitor.CisKeyChangesAlarmProps{LogGroup: logGroupAt(s, otherAcctLogGp)})
	}, []string{"LogGroup", "account 999988887777"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "topic in another Region", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), Topic: westTopic(s)})
	}, []string{"Topic", "the topic is in Region us-west-2", "notify only topics of their own Region"}},
	{"KeyUseEvents", "Use", "topic in another Region (was a bare aws-cdk-lib error)", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewKeyUseEvents(s, jsii.String("Use"), &kmsmonitor.KeyUseEventsProps{Topic: westTopic(s)})
	}, []string{"Topic", "Region us-west-2"}},
	{"GrantAudit", "Grants", "dead-letter queue in another Region (was a bare aws-cdk-lib error)", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewGrantAudit(s, jsii.String("Grants"), &kmsmonitor.GrantAuditProps{DeadLetterQueue: westQueue(s)})
	}, []string{"DeadLetterQueue", "the queue is in Region us-west-2", "queue of the rule's Region"}},
	{"MonitorTampering", "Tamper", "trail in another Region", func(awscdk.Stack) {
		kmsmonitor.NewMonitorTampering(eastStack(), jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{
			TrailArns: []string{"arn:aws:cloudtrail:us-west-2:111122223333:trail/management-events"}})
	}, []string{"TrailArns[0]", "Region us-west-2", "CloudTrail records a call"}},
	{"MonitorTampering", "Tamper", "alarm of another account", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewMonitorTampering(s, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{
			Alarms: []awscloudwatch.IAlarm{awscloudwatch.Alarm_FromAlarmArn(s, jsii.String("A"), jsii.String("arn:aws:cloudwatch:us-east-1:999988887777:alarm:kms"))}})
	}, []string{"Alarms[0]", "account 999988887777"}},
	{"MonitorTampering", "Tamper", "topic of another account", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewMonitorTampering(s, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{
			Topics: []awssns.ITopic{awssns.Topic_FromTopicArn(s, jsii.String("T"), jsii.String("arn:aws:sns:us-east-1:999988887777:alerts"))}})
	}, []string{"Topics[0]", "account 999988887777", "CloudTrail records a call"}},
	{"MonitorTampering", "Tamper", "key in another Region", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewMonitorTampering(s, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{
			Keys: []awskms.IKey{awskms.Key_FromKeyArn(s, jsii.String("K"), jsii.String("arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"))}})
	}, []string{"Keys[0]", "Region us-west-2"}},
	{"MonitorTampering", "Tamper", "an alias as key", func(s awscdk.Stack) {
		kmsmonitor.NewMonitorTampering(s, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{Keys: []awskms.IKey{awskms.Alias_FromAliasName(s, jsii.String("A"), jsii.String("alias/notify"))}})
	}, []string{"Keys[0]: is an alias", "ID or ARN", "Key_FromKeyArn"}},
	{"MonitorTampering", "Tamper", "nil topic, key, document and bucket", func(s awscdk.Stack) {
		kmsmonitor.NewMonitorTampering(s, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{Topics: []awssns.ITopic{nil}, Keys: []awskms.IKey{nil},
			Documents: []awsssm.CfnDocument{nil}, Buckets: []awss3.IBucket{nil}})
	}, []string{"Topics[0]: is nil", "Keys[0]: is nil", "Documents[0]: is nil", "Buckets[0]: is nil"}},
	{"MonitorTampering", "Tamper", "bucket of another account", func(awscdk.Stack) {
		s := eastStack()
		kmsmonitor.NewMonitorTampering(s, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{
			Buckets: []awss3.IBucket{awss3.Bucket_FromBucketAttributes(s, jsii.String("B"), &awss3.BucketAttributes{BucketName: jsii.String("logs"), Account: jsii.String("999988887777")})}})
	}, []string{"Buckets[0]", "account 999988887777"}},
	{"MonitorTampering", "Tamper", "same key twice", func(s awscdk.Stack) {
		k := awskms.NewKey(s, jsii.String("K"), nil)
		kmsmonitor.NewMonitorTampering(s, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{Keys: []awskms.IKey{k, k}})
	}, []string{"Keys[1]", "listed twice (also Keys[0])"}},

	// Props that other props make ignored.
	{"PendingDeletionAlarm", "Monitor", "disabled-key alarm name while DetectDisabledKeys is false", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{DetectDisabledKeys: jsii.Bool(false), DisabledKeyAlarmName: jsii.String("kms-disabled")})
	}, []string{"DisabledKeyAlarmName: is set but DetectDisabledKeys is false", "silently ignored"}},
	{"PendingDeletionAlarm", "Monitor", "disabled-key metric name while DetectDisabledKeys is false", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{DetectDisabledKeys: jsii.Bool(false), DisabledKeyMetricName: jsii.String("Disabled")})
	}, []string{"DisabledKeyMetricName: is set but DetectDisabledKeys is false"}},
	{"LifecycleEvents", "Events", "dead-letter queue no target uses", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{NotifyTopic: jsii.Bool(false),
			Targets: []awsevents.IRuleTarget{queueTarget(s, "a")}, DeadLetterQueue: awssqs.NewQueue(s, jsii.String("Q"), nil)})
	}, []string{"DeadLetterQueue: is set but no target of this construct uses it", "set it on the targets you pass in Targets"}},
	{"LifecycleEvents", "Events", "retry policy no target uses", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{NotifyTopic: jsii.Bool(false),
			Targets: []awsevents.IRuleTarget{queueTarget(s, "a")}, RetryAttempts: jsii.Number(3), MaxEventAge: awscdk.Duration_Hours(jsii.Number(1))})
	}, []string{"RetryAttempts: is set but", "MaxEventAge: is set but"}},

	// E-mails SNS cannot deliver to.
	{"KeyUseEvents", "Use", "mailto: address", func(s awscdk.Stack) {
		kmsmonitor.NewKeyUseEvents(s, jsii.String("Use"), &kmsmonitor.KeyUseEventsProps{Emails: []string{"mailto:security@example.com"}})
	}, []string{"Emails[0]", "without the mailto: scheme", `"security@example.com"`}},
	{"KeyMonitoring", "Kms", "consecutive dots in the domain", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{Emails: []string{"security@example..com"}})
	}, []string{"Emails[0]", "is not an e-mail address", "no consecutive dots"}},
	{"GrantAudit", "Grants", "leading dot in the name", func(s awscdk.Stack) {
		kmsmonitor.NewGrantAudit(s, jsii.String("Grants"), &kmsmonitor.GrantAuditProps{Emails: []string{".security@example.com"}})
	}, []string{"Emails[0]", "is not an e-mail address"}},
	{"DeletionCheck", "Check", "trailing dot in the domain", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionCheck(s, jsii.String("Check"), &kmsmonitor.DeletionCheckProps{Emails: []string{"security@example.com."}})
	}, []string{"Emails[0]", "is not an e-mail address"}},

	// Entries listed twice.
	{"LifecycleEvents", "Events", "same target twice", func(s awscdk.Stack) {
		t := queueTarget(s, "a")
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{Targets: []awsevents.IRuleTarget{t, t}})
	}, []string{"Targets[1]", "listed twice (also Targets[0])"}},
	{"MonitorTampering", "Tamper", "same trail twice", func(s awscdk.Stack) {
		arn := "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events"
		kmsmonitor.NewMonitorTampering(s, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{TrailArns: []string{arn, arn}})
	}, []string{"TrailArns[1]", "listed twice (also TrailArns[0])"}},
	{"MonitorTampering", "Tamper", "same alarm twice", func(s awscdk.Stack) {
		a := importedAlarm(s)
		kmsmonitor.NewMonitorTampering(s, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{Alarms: []awscloudwatch.IAlarm{a, a}})
	}, []string{"Alarms[1]", `"kms" is listed twice`}},

	// MemberStackSet.
	{"MemberStackSet", "Rollout", "Region listed twice", func(awscdk.Stack) {
		stackSet(kmsmonitor.MemberStackSetProps{Regions: []string{"us-east-1", "eu-west-1", "us-east-1"}})
	}, []string{"Regions[2]", `"us-east-1" is listed twice (also Regions[0])`}},
	{"MemberStackSet", "Rollout", "OU listed twice", func(awscdk.Stack) {
		stackSet(kmsmonitor.MemberStackSetProps{OrganizationalUnitIDs: []string{"ou-ab12-cd34ef56", "ou-ab12-cd34ef56"}})
	}, []string{"OrganizationalUnitIDs[1]", "listed twice"}},
	{"MemberStackSet", "Rollout", "StackSet name with an underscore", func(awscdk.Stack) {
		stackSet(kmsmonitor.MemberStackSetProps{StackSetName: jsii.String("kmsmonitor_member")})
	}, []string{"StackSetName", `"kmsmonitor_member" is not a StackSet name`, "start with a letter"}},
	{"MemberStackSet", "Rollout", "StackSet name starting with a digit", func(awscdk.Stack) {
		stackSet(kmsmonitor.MemberStackSetProps{StackSetName: jsii.String("1kmsmonitor")})
	}, []string{"StackSetName", "is not a StackSet name"}},
	{"MemberStackSet", "Rollout", "StackSet name too long", func(awscdk.Stack) {
		stackSet(kmsmonitor.MemberStackSetProps{StackSetName: jsii.String("k" + strings.Repeat("m", 128))})
	}, []string{"StackSetName", "129 characters", "at most 128"}},
}...)

var _ = addBadInputs("environment matrix", badInput{"DeletionGuard", "Other", "key already protected by another guard", func(s awscdk.Stack) {
	key := awskms.NewKey(s, jsii.String("Key"), nil)
	kmsmonitor.NewDeletionGuard(s, jsii.String("Own"), nil).Protect(key)
	kmsmonitor.NewDeletionGuard(s, jsii.String("Other"), nil).Protect(key)
}, []string{"Protect[0]", "Stack/Key is already protected by another DeletionGuard", "protect it with one guard"}},
	badInput{"MemberStackSet", "Rollout", "stack in a China Region", func(awscdk.Stack) {
		app := newApp()
		stage := awscdk.NewStage(app, jsii.String("Member"), nil)
		member := awscdk.NewStack(stage, jsii.String("KmsMonitorMember"), &awscdk.StackProps{Synthesizer: awscdk.NewBootstraplessSynthesizer(nil)})
		s := awscdk.NewStack(app, jsii.String("Stack"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("cn-north-1")}})
		kmsmonitor.NewMemberStackSet(s, jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
			MemberStack: member, OrganizationalUnitIDs: []string{"r-ab12"}, Regions: []string{"us-east-1"},
		})
	}, []string{"MemberStack", "this stack deploys to cn-north-1, where service-managed StackSets are not available"}},
)
