package kmsmonitor_test

// Each Example's body holds a README snippet verbatim (tests/readme_test.go
// checks it), so that go test proves every snippet compiles and synthesizes.

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awschatbot"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// The quick start: every detector on one encrypted topic, and a dashboard.
func ExampleNewKeyMonitoring() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	kmsmonitor.NewKeyMonitoring(stack, jsii.String("KeyMonitoring"), &kmsmonitor.KeyMonitoringProps{
		Emails: []string{"security@example.com"},
	})

	printChildren(stack, "KeyMonitoring")
	// Output:
	// TopicKey
	// Topic
	// PendingDeletion
	// KeyMaterialExpiry
	// LifecycleEvents
	// Dashboard
}

// A trail, its bucket and log group, both alarms and an encrypted topic that
// e-mails the security team.
func ExampleNewPendingDeletionAlarm() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	monitor := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("PendingDeletion"), &kmsmonitor.PendingDeletionAlarmProps{
		Emails: []string{"security@example.com"},
	})

	fmt.Println(*monitor.Metric(nil).MetricName(), monitor.Trail != nil)
	// Output: KMSKeyPendingDeletionErrorCount true
}

// Reuse the log group that an existing trail (Control Tower, an organization
// trail) already delivers to: no trail is created.
func ExampleNewPendingDeletionAlarm_existingTrail() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	trailLogs := awslogs.LogGroup_FromLogGroupName(stack, jsii.String("TrailLogs"),
		jsii.String("aws-controltower/CloudTrailLogs"))
	kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("PendingDeletion"), &kmsmonitor.PendingDeletionAlarmProps{
		LogGroup: trailLogs,
		Emails:   []string{"security@example.com"},
	})

	fmt.Println(stack.Node().TryFindChild(jsii.String("PendingDeletion")).Node().TryFindChild(jsii.String("Trail")) == nil)
	// Output: true
}

// One alarm for every key of the account and Region (each key in breach is
// named in its own notification), and one for a given key.
func ExampleNewKeyMaterialExpiryAlarm() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	kmsmonitor.NewKeyMaterialExpiryAlarm(stack, jsii.String("KeyMaterialExpiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{
		AllKeys: jsii.Bool(true), // one alarm for every key of the account and Region
		KeyArns: []string{"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
		Emails:  []string{"pki@example.com"},
	})

	printChildren(stack, "KeyMaterialExpiry")
	// Output:
	// TopicKey
	// Topic
	// Key-1234abcd-12ab-34cd-56ef-1234567890ab
	// AllKeys
}

// Deletions e-mailed as a readable message, and every lifecycle event queued
// for a tool of your own.
func ExampleNewLifecycleEvents() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	kmsmonitor.NewLifecycleEvents(stack, jsii.String("KeyDeletions"), &kmsmonitor.LifecycleEventsProps{
		EventTypes: []kmsmonitor.EventType{kmsmonitor.KeyDeletionEvent},
		Emails:     []string{"security@example.com"},
	})
	queue := awssqs.NewQueue(stack, jsii.String("KmsEvents"), &awssqs.QueueProps{EnforceSSL: jsii.Bool(true)})
	all := kmsmonitor.NewLifecycleEvents(stack, jsii.String("AllEvents"), &kmsmonitor.LifecycleEventsProps{
		NotifyTopic: jsii.Bool(false),
		Queue:       queue,
	})

	fmt.Println(all.Topic == nil, all.DeadLetterQueue != nil)
	// Output: true true
}

// Cancel the deletion of a key still in use: alarm-driven for named keys, and
// key-aware for any key tagged kmsmonitor:auto-cancel=true.
func ExampleNewAutoCancelDeletion() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	pending := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("RescueAlarm"), &kmsmonitor.PendingDeletionAlarmProps{
		Emails: []string{"security@example.com"},
	})
	// Alarm-driven (the documented recipe): the alarm says nothing of the key, so name the keys.
	kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("RescueNamedKeys"), &kmsmonitor.AutoCancelDeletionProps{
		Mode:  kmsmonitor.AlarmDriven(pending.Alarm, nil, []string{"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}),
		Topic: pending.Topic,
	})
	// Key-aware: rescue exactly the key that was used, here any key tagged kmsmonitor:auto-cancel=true.
	kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("RescueTaggedKeys"), &kmsmonitor.AutoCancelDeletionProps{
		Mode:  kmsmonitor.KeyAwareTagged("kmsmonitor:auto-cancel", "true"),
		Topic: pending.Topic,
	})

	fmt.Println(stack.Node().TryFindChild(jsii.String("RescueTaggedKeys")).Node().TryFindChild(jsii.String("Document")) != nil)
	// Output: true
}

// printChildren prints the IDs of what the construct id of stack created.
func printChildren(stack awscdk.Stack, id string) {
	for _, c := range *stack.Node().FindChild(jsii.String(id)).Node().Children() {
		fmt.Println(*c.Node().Id())
	}
}

// Beyond the AWS recipe: the CIS control, alerts in seconds that name the key
// and the caller (no log group), and grant auditing, on one topic.
func ExampleNewKeyMonitoring_moreDetectors() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	full := kmsmonitor.NewKeyMonitoring(stack, jsii.String("FullKeyMonitoring"), &kmsmonitor.KeyMonitoringProps{
		Emails:              []string{"security@example.com"},
		CisAlarmEnabled:     jsii.Bool(true), // Security Hub CloudWatch.7
		KeyUseEventsEnabled: jsii.Bool(true), // seconds, names key, operation and caller
		GrantAuditEnabled:   jsii.Bool(true),
		GrantAudit: &kmsmonitor.GrantAuditProps{
			KeyArns: []string{"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
		},
		PendingDeletion: &kmsmonitor.PendingDeletionAlarmProps{KeyArnDimension: jsii.Bool(true)},
	})

	_ = full // README's chat snippet reads full.Topic (ExampleNewChatNotifications)
	printChildren(stack, "FullKeyMonitoring")
	// Output:
	// TopicKey
	// Topic
	// PendingDeletion
	// KeyMaterialExpiry
	// LifecycleEvents
	// CisAlarm
	// KeyUseEvents
	// GrantAudit
	// Dashboard
}

// KeyMonitoring's messages in a Slack channel through Amazon Q Developer in
// chat applications: ChatNotifications publishes each of them on its chat
// topic in the service's custom notification format; e-mails stay as they
// are.
func ExampleNewChatNotifications() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)
	full := kmsmonitor.NewKeyMonitoring(stack, jsii.String("FullKeyMonitoring"), nil)

	chat := kmsmonitor.NewChatNotifications(stack, jsii.String("Chat"), &kmsmonitor.ChatNotificationsProps{
		Topic: full.Topic,
	})
	awschatbot.NewSlackChannelConfiguration(stack, jsii.String("KmsAlertsChannel"), &awschatbot.SlackChannelConfigurationProps{
		SlackChannelConfigurationName: jsii.String("kms-alerts"),
		SlackWorkspaceId:              jsii.String("T0123456789"), // your workspace, authorized in the console once
		SlackChannelId:                jsii.String("C0123456789"),
		NotificationTopics:            &[]awssns.ITopic{chat.ChatTopic},
	})

	printChildren(stack, "Chat")
	// Output:
	// ChatTopicKey
	// ChatTopic
	// LogGroup
	// DeadLetterQueue
	// Role
	// Function
	// FailureAlarm
}

// The parts alone: the CIS control on your own trail's log group, and
// log-group-free detection.
func ExampleNewCisKeyChangesAlarm() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	trailLogs := awslogs.LogGroup_FromLogGroupName(stack, jsii.String("TrailLogs"),
		jsii.String("aws-controltower/CloudTrailLogs"))
	kmsmonitor.NewCisKeyChangesAlarm(stack, jsii.String("CisKeyChanges"), &kmsmonitor.CisKeyChangesAlarmProps{
		LogGroup: trailLogs,
		Emails:   []string{"security@example.com"},
	})
	kmsmonitor.NewKeyUseEvents(stack, jsii.String("KeyUse"), &kmsmonitor.KeyUseEventsProps{
		Emails: []string{"security@example.com"},
	})

	printChildren(stack, "KeyUse")
	// Output:
	// DeadLetterQueue
	// TopicKey
	// Topic
	// BoundedDeadLetterQueue
	// BoundedQueue
	// BoundedFailureAlarm
	// BoundedPipeRole
	// BoundedPipePolicy
	// BoundedPipe
	// PendingDeletionRule
	// DisabledKeyRule
}

// An organization: the central stack (security account) with the bus only
// the organization may send to, and a StackSet (management account) that
// deploys the member stack to every account of the organizational units and
// Regions, including accounts that join later.
func ExampleNewMemberStackSet() {
	app := awscdk.NewApp(nil)

	central := awscdk.NewStack(app, jsii.String("KmsMonitorCentral"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-east-1")},
	})
	kmsmonitor.NewCentralKeyMonitoring(central, jsii.String("CentralKeyMonitoring"), &kmsmonitor.CentralKeyMonitoringProps{
		OrganizationID: jsii.String("o-a1b2c3d4e5"),
		Emails:         []string{"security@example.com"},
	})
	// The member stack: its own stage, no CDK bootstrap needed in member accounts.
	members := awscdk.NewStage(app, jsii.String("Members"), nil)
	member := awscdk.NewStack(members, jsii.String("KmsMonitorMember"), &awscdk.StackProps{
		Synthesizer: awscdk.NewBootstraplessSynthesizer(nil),
	})
	kmsmonitor.NewMemberKeyMonitoring(member, jsii.String("MemberKeyMonitoring"), &kmsmonitor.MemberKeyMonitoringProps{
		CentralEventBusArn: jsii.String("arn:aws:events:us-east-1:111122223333:event-bus/kmsmonitor-central"),
	})
	rollout := awscdk.NewStack(app, jsii.String("KmsMonitorOrgRollout"), nil)
	kmsmonitor.NewMemberStackSet(rollout, jsii.String("MemberStackSet"), &kmsmonitor.MemberStackSetProps{
		MemberStack:           member,
		OrganizationalUnitIDs: []string{"ou-ab12-cd34ef56"},
		Regions:               []string{"us-east-1", "eu-west-1"},
	})

	printChildren(central, "CentralKeyMonitoring")
	printChildren(rollout, "MemberStackSet")
	// Output:
	// EventBus
	// TopicKey
	// Topic
	// LifecycleEvents
	// KeyUseEvents
	// StackSet
}

// Prevent the deletion of keys still in use: the key-policy guard on a key
// (and every key of its stack), the organization guard and the reactive check.
func ExampleNewDeletionGuard() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	// 1. In the key policy of keys this app defines: one key, or every key of a scope.
	key := awskms.NewKey(stack, jsii.String("DataKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	guard := kmsmonitor.NewDeletionGuard(stack, jsii.String("DeletionGuard"), &kmsmonitor.DeletionGuardProps{
		BreakGlassPrincipalArns: []string{"arn:aws:iam::111122223333:role/BreakGlass"},
	})
	guard.Protect(key)                                // this key
	awscdk.Aspects_Of(stack).Add(guard.Aspect(), nil) // and every other key of this stack

	// 2. For the organization, in the management account's stack: a service control policy.
	kmsmonitor.NewOrganizationDeletionGuard(stack, jsii.String("OrganizationDeletionGuard"), &kmsmonitor.OrganizationDeletionGuardProps{
		TargetIDs:               []string{"r-a1b2"},
		BreakGlassPrincipalArns: []string{"arn:aws:iam::*:role/BreakGlass"},
	})

	// 3. For keys whose policies the app does not own: check every scheduled deletion.
	kmsmonitor.NewDeletionCheck(stack, jsii.String("DeletionCheck"), &kmsmonitor.DeletionCheckProps{
		Emails:                  []string{"security@example.com"},
		BreakGlassPrincipalArns: []string{"arn:aws:iam::111122223333:role/BreakGlass"},
	})

	printChildren(stack, "DeletionCheck")
	// Output:
	// DeadLetterQueue
	// TopicKey
	// Topic
	// Document
	// AutomationRole
	// AutomationPolicy
	// EventsRole
	// EventsPolicy
	// Rule
}

// A stack without an environment watching a key given by ARN works only where
// the key is: the warning says so, and acknowledging it silences it.
func Example_acknowledgeWarning() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	kmsmonitor.NewKeyMaterialExpiryAlarm(stack, jsii.String("ImportedKeyExpiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{
		KeyArns: []string{"arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
	})
	awscdk.Annotations_Of(stack).AcknowledgeWarning(jsii.String("kmsmonitor:keyEnvironment"), jsii.String("deployed to the keys' Region only"))

	warnings := assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("keyEnvironment")))
	fmt.Println(len(*warnings))
	// Output: 0
}

// A key used while pending deletion or disabled, in seconds, naming the key,
// the operation and the caller; at most one message per key, operation and
// caller every 5 minutes.
func ExampleNewKeyUseEvents() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	use := kmsmonitor.NewKeyUseEvents(stack, jsii.String("KeyUse"), &kmsmonitor.KeyUseEventsProps{
		Emails: []string{"security@example.com"},
	})

	fmt.Println(use.PendingDeletionRule != nil, use.DisabledKeyRule != nil, use.Pipe != nil)
	// Output: true true true
}

// Grants created, retired or revoked on two keys.
func ExampleNewGrantAudit() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	audit := kmsmonitor.NewGrantAudit(stack, jsii.String("GrantAudit"), &kmsmonitor.GrantAuditProps{
		KeyArns: []string{
			"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			"arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321",
		},
		Emails: []string{"security@example.com"},
	})

	fmt.Println(len(audit.Rules))
	// Output: 1
}

// Key policies that open a key to everyone or another account (EveryChange
// reports every change).
func ExampleNewKeyPolicyChanges() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	changes := kmsmonitor.NewKeyPolicyChanges(stack, jsii.String("KeyPolicyChanges"), &kmsmonitor.KeyPolicyChangesProps{
		Emails: []string{"security@example.com"},
	})

	fmt.Println(len(changes.Rules))
	// Output: 1
}

// Key material imported into, or deleted from, any key of the account, by people.
func ExampleNewImportedKeyMaterialChanges() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	material := kmsmonitor.NewImportedKeyMaterialChanges(stack, jsii.String("KeyMaterial"), &kmsmonitor.ImportedKeyMaterialChangesProps{
		Emails: []string{"security@example.com"},
	})

	fmt.Println(material.Rule != nil)
	// Output: true
}

// The TLS certificate of an external key store's proxy, 10 days before it expires.
func ExampleNewExternalKeyStoreCertificateAlarm() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	certificate := kmsmonitor.NewExternalKeyStoreCertificateAlarm(stack, jsii.String("XksCertificate"), &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{
		CustomKeyStoreIDs: []string{"cks-1234567890abcdef0"},
		Emails:            []string{"security@example.com"},
	})

	fmt.Println(len(certificate.Alarms))
	// Output: 1
}

// Changes to what a PendingDeletionAlarm relies on: its trail, alarms and
// metric filter. (KeyMonitoring's MonitorTamperingEnabled does this for all
// its parts.)
func ExampleNewMonitorTampering() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)
	monitor := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("PendingDeletion"), nil)

	tampering := kmsmonitor.NewMonitorTampering(stack, jsii.String("Tampering"), &kmsmonitor.MonitorTamperingProps{
		TrailArns:     []string{*monitor.Trail.TrailArn()},
		Alarms:        []awscloudwatch.IAlarm{monitor.Alarm},
		MetricFilters: []awslogs.MetricFilter{monitor.MetricFilter},
		Emails:        []string{"security@example.com"},
	})

	fmt.Println(tampering.TrailRule != nil, len(tampering.AlarmRules), tampering.MetricFilterRule != nil)
	// Output: true 1 true
}

// A deletion scheduled for a key used in the last 365 days is cancelled
// (GetKeyLastUsage, in an SSM Automation started by the ScheduleKeyDeletion event).
func ExampleNewDeletionCheck() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	check := kmsmonitor.NewDeletionCheck(stack, jsii.String("DeletionCheck"), &kmsmonitor.DeletionCheckProps{
		Emails: []string{"security@example.com"},
	})

	fmt.Println(check.Rule != nil, check.Document != nil)
	// Output: true true
}

// DeletionGuard's denies as a service control policy on the organization's
// root, in the management account's stack.
func ExampleNewOrganizationDeletionGuard() {
	app := awscdk.NewApp(nil)
	management := awscdk.NewStack(app, jsii.String("KmsGuardrails"), nil)

	guard := kmsmonitor.NewOrganizationDeletionGuard(management, jsii.String("OrganizationGuard"), &kmsmonitor.OrganizationDeletionGuardProps{
		TargetIDs:               []string{"r-a1b2"},
		BreakGlassPrincipalArns: []string{"arn:aws:iam::*:role/BreakGlass"},
	})

	fmt.Println(*guard.Policy.Type())
	// Output: SERVICE_CONTROL_POLICY
}

// The central account's side of organization-wide monitoring: a bus the
// organization may send to, and the detection on it.
func ExampleNewCentralKeyMonitoring() {
	app := awscdk.NewApp(nil)
	central := awscdk.NewStack(app, jsii.String("KmsMonitorCentral"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-east-1")},
	})

	monitoring := kmsmonitor.NewCentralKeyMonitoring(central, jsii.String("CentralKeyMonitoring"), &kmsmonitor.CentralKeyMonitoringProps{
		OrganizationID: jsii.String("o-a1b2c3d4e5"),
		Emails:         []string{"security@example.com"},
	})

	fmt.Println(monitoring.LifecycleEvents != nil, monitoring.KeyUseEvents != nil)
	// Output: true true
}

// A member account's side: its KMS events forwarded to the central bus (one
// template for every account and Region; MemberStackSet deploys it).
func ExampleNewMemberKeyMonitoring() {
	app := awscdk.NewApp(nil)
	member := awscdk.NewStack(app, jsii.String("KmsMonitorMember"), nil)

	forwarder := kmsmonitor.NewMemberKeyMonitoring(member, jsii.String("MemberKeyMonitoring"), &kmsmonitor.MemberKeyMonitoringProps{
		CentralEventBusArn: jsii.String("arn:aws:events:us-east-1:111122223333:event-bus/kmsmonitor-central"),
	})

	fmt.Println(forwarder.LifecycleRule != nil, forwarder.KeyUseRule != nil)
	// Output: true true
}

// A topic of another stack or team, encrypted with its own key: imported with
// the key, kmsmonitor grants the key to its own roles that publish, and the
// warnings give the statements to add to the topic's and the key's policies.
func ExampleNewKeyUseEvents_encryptedTopicYouBring() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	alerts := awssns.Topic_FromTopicAttributes(stack, jsii.String("SecurityAlerts"), &awssns.TopicAttributes{
		TopicArn: jsii.String("arn:aws:sns:us-east-1:111122223333:security-alerts"),
		KeyArn:   jsii.String("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
	})
	kmsmonitor.NewKeyUseEvents(stack, jsii.String("KeyUseToAlerts"), &kmsmonitor.KeyUseEventsProps{
		Topic: alerts,
	})

	// The two warnings, kmsmonitor:importedTopic and kmsmonitor:importedTopicKey, hold the statements to add.
	warnings := assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("kmsmonitor:imported")))
	fmt.Println(len(*warnings))
	// Output: 2
}
