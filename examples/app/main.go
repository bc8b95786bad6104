// Command app is the example CDK app that cdk.json runs: KeyMonitoring with
// its defaults (a trail, the pending-deletion and disabled-key alarms, the
// key material expiry alarm for every key plus the given ones, the KMS
// lifecycle events, a dashboard), alarm-driven cancellation of the deletion of
// the given protected keys, and, next to it, key-aware cancellation for keys
// tagged kmsmonitor:auto-cancel=true. It also prevents the mistake: the key
// this app creates (and kmsmonitor's own keys) carry the deletion guard in
// their key policy, and any other key scheduled for deletion while still in
// use has its deletion cancelled (DeletionCheck). Everything notifies one
// encrypted topic.
//
//	npx cdk synth -c emails=security@example.com,oncall@example.com \
//	  -c expiringKeyArns=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab \
//	  -c protectedKeyArns=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
//
// Without context, placeholders (security@example.com and an example key ARN)
// let it synthesize with no AWS account; when the CDK CLI has resolved an
// account (cdk deploy), synthesis fails until emails, expiringKeyArns and
// protectedKeyArns are set.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/examples/internal/appcontext"
	"github.com/kmsmonitor/kmsmonitor/internal/jsiiprocess"
)

func main() {
	// One line instead of jsii's banner on a Node.js older than README requires; no waitid noise.
	defer jsiiprocess.Start()()

	app := awscdk.NewApp(nil)
	appcontext.CheckCompliance(app, app) // cdk synth -c nag=true
	placeholders := appcontext.NewPlaceholders(app)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitorExample"), &awscdk.StackProps{
		Description: jsii.String("kmsmonitor example: KMS keys pending deletion, disabled, expiring, deleted; automatic cancellation of deletions"),
	})

	// A key of the application: DeletionGuardEnabled below denies its deletion
	// and disabling while it was used within the last 365 days.
	awskms.NewKey(stack, jsii.String("ApplicationKey"), &awskms.KeyProps{
		Description:       jsii.String("kmsmonitor example: an application's key, guarded against deletion while in use"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})

	monitoring := kmsmonitor.NewKeyMonitoring(stack, jsii.String("KeyMonitoring"), &kmsmonitor.KeyMonitoringProps{
		Emails: placeholders.List("emails", appcontext.PlaceholderEmail),
		KeyMaterialExpiry: &kmsmonitor.KeyMaterialExpiryAlarmProps{
			KeyArns: placeholders.List("expiringKeyArns", appcontext.PlaceholderKeyArn),
		},
		AutoCancelEnabled: jsii.Bool(true),
		AutoCancel: &kmsmonitor.AutoCancelDeletionProps{
			Mode: kmsmonitor.AlarmDriven(nil, nil, placeholders.List("protectedKeyArns", appcontext.PlaceholderKeyArn)),
		},
		DeletionGuardEnabled: jsii.Bool(true),
		DeletionCheckEnabled: jsii.Bool(true),
	})

	// The parts stay usable alone: key-aware cancellation for tagged keys, on the same topic.
	kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("AutoCancelTaggedKeys"), &kmsmonitor.AutoCancelDeletionProps{
		Mode:  kmsmonitor.KeyAwareTagged("kmsmonitor:auto-cancel", "true"),
		Topic: monitoring.Topic,
	})

	placeholders.RefuseOnDeploy(stack)
	app.Synth(nil)
}
