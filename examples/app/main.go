// Command app is the example CDK app that cdk.json runs: a stack with a
// PendingDeletionAlarm in its default configuration and a
// KeyMaterialExpiryAlarm for every key plus one given key, and the KMS
// lifecycle events (rotation, key material expiration, deletion), and the
// automatic cancellation of deletions (alarm-driven for a demo key, key-aware
// for keys tagged kmsmonitor:auto-cancel=true), all notifying one encrypted
// topic.
//
//	npx cdk synth -c emails=security@example.com,oncall@example.com \
//	  -c expiringKeyArn=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab \
//	  -c protectedKeyArn=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
package main

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// Placeholders let `cdk synth` run with no context; replace them with -c.
const (
	placeholderEmail  = "security@example.com"
	placeholderKeyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitorExample"), &awscdk.StackProps{
		Description: jsii.String("kmsmonitor example: alarms when a KMS key pending deletion or disabled is used, or when imported key material is about to expire; KMS lifecycle events; automatic cancellation of deletions"),
	})

	pending := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("PendingDeletion"), &kmsmonitor.PendingDeletionAlarmProps{
		Emails: emails(app),
	})
	kmsmonitor.NewKeyMaterialExpiryAlarm(stack, jsii.String("KeyMaterialExpiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{
		AllKeys: jsii.Bool(true),
		KeyArns: []string{contextOr(app, "expiringKeyArn", placeholderKeyArn)},
		Topic:   pending.Topic,
	})
	kmsmonitor.NewKmsLifecycleEvents(stack, jsii.String("LifecycleEvents"), &kmsmonitor.KmsLifecycleEventsProps{
		Topic: pending.Topic,
	})
	// Alarm-driven: when the pending-deletion alarm fires, rescue the demo key.
	kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("AutoCancelDemoKey"), &kmsmonitor.AutoCancelDeletionProps{
		Alarm:   pending.Alarm,
		KeyArns: []string{contextOr(app, "protectedKeyArn", placeholderKeyArn)},
		Topic:   pending.Topic,
	})
	// Key-aware: rescue exactly the key that was used, if it carries the tag.
	kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("AutoCancelTaggedKeys"), &kmsmonitor.AutoCancelDeletionProps{
		KeyAware: jsii.Bool(true),
		TagKey:   jsii.String("kmsmonitor:auto-cancel"),
		TagValue: jsii.String("true"),
		Topic:    pending.Topic,
	})

	app.Synth(nil)
}

// contextOr returns the context value key, or def when it is not set.
func contextOr(app awscdk.App, key, def string) string {
	if v, ok := app.Node().TryGetContext(jsii.String(key)).(string); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// emails reads the comma-separated context value "emails".
func emails(app awscdk.App) []string {
	v := contextOr(app, "emails", placeholderEmail)
	var out []string
	for _, e := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(e))
	}
	return out
}
