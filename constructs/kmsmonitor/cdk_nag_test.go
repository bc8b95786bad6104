package kmsmonitor_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// TestCdkNag runs the AwsSolutions and NIST 800-53 rev 5 rule packs over each
// construct in its default configuration (and each mode): no finding may
// remain, and every suppression is scoped to one resource and one rule with
// its reason (see internal/nagsuppress and the constructs).
func TestCdkNag(t *testing.T) {
	cases := map[string]func(s awscdk.Stack){
		"PendingDeletionAlarm": func(s awscdk.Stack) { kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("C"), nil) },
		"PendingDeletionAlarm on an existing log group": func(s awscdk.Stack) {
			kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("C"), &kmsmonitor.PendingDeletionAlarmProps{
				LogGroup: awslogs.LogGroup_FromLogGroupName(s, jsii.String("L"), jsii.String("trail")),
			})
		},
		"KeyMaterialExpiryAlarm, both modes": func(s awscdk.Stack) {
			kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("C"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), KeyIDs: []string{keyID}})
		},
		"LifecycleEvents": func(s awscdk.Stack) { kmsmonitor.NewLifecycleEvents(s, jsii.String("C"), nil) },
		"AutoCancelDeletion, alarm-driven": func(s awscdk.Stack) {
			kmsmonitor.NewAutoCancelDeletion(s, jsii.String("C"), &kmsmonitor.AutoCancelDeletionProps{
				Mode: kmsmonitor.AlarmDriven(kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("P"), nil).Alarm, nil, []string{keyArn}),
			})
		},
		"AutoCancelDeletion, key-aware, all keys": func(s awscdk.Stack) {
			kmsmonitor.NewAutoCancelDeletion(s, jsii.String("C"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareAllKeys()})
		},
		"AutoCancelDeletion, key-aware, tagged": func(s awscdk.Stack) {
			kmsmonitor.NewAutoCancelDeletion(s, jsii.String("C"), &kmsmonitor.AutoCancelDeletionProps{
				Mode: kmsmonitor.KeyAwareTagged("protect", "yes"),
			})
		},
		"AutoCancelDeletion, key-aware, allow list": func(s awscdk.Stack) {
			kmsmonitor.NewAutoCancelDeletion(s, jsii.String("C"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, []string{keyArn})})
		},
		"KeyMonitoring": func(s awscdk.Stack) { kmsmonitor.NewKeyMonitoring(s, jsii.String("C"), nil) },
		"CentralKeyMonitoring": func(s awscdk.Stack) {
			kmsmonitor.NewCentralKeyMonitoring(s, jsii.String("C"), &kmsmonitor.CentralKeyMonitoringProps{OrganizationID: jsii.String("o-a1b2c3d4e5")})
		},
		"MemberKeyMonitoring": func(s awscdk.Stack) {
			kmsmonitor.NewMemberKeyMonitoring(s, jsii.String("C"), &kmsmonitor.MemberKeyMonitoringProps{CentralEventBusArn: jsii.String(centralBusArn)})
		},
		"KeyMonitoring with every opt-in part": func(s awscdk.Stack) {
			kmsmonitor.NewKeyMonitoring(s, jsii.String("C"), &kmsmonitor.KeyMonitoringProps{
				CisAlarmEnabled: jsii.Bool(true), KeyUseEventsEnabled: jsii.Bool(true), GrantAuditEnabled: jsii.Bool(true),
				DeletionGuardEnabled: jsii.Bool(true), DeletionCheckEnabled: jsii.Bool(true), KeyPolicyChangesEnabled: jsii.Bool(true),
				ImportedKeyMaterialChangesEnabled: jsii.Bool(true), MonitorTamperingEnabled: jsii.Bool(true),
				ExternalKeyStoreCertificateEnabled: jsii.Bool(true),
				ExternalKeyStoreCertificate:        &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{CustomKeyStoreIDs: []string{"cks-1234567890abcdef0"}},
				AutoCancelEnabled:                  jsii.Bool(true),
				AutoCancel:                         &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(nil, nil, []string{keyArn})},
				PendingDeletion:                    &kmsmonitor.PendingDeletionAlarmProps{KeyArnDimension: jsii.Bool(true)},
			})
		},
		"KeyPolicyChanges":           func(s awscdk.Stack) { kmsmonitor.NewKeyPolicyChanges(s, jsii.String("C"), nil) },
		"ImportedKeyMaterialChanges": func(s awscdk.Stack) { kmsmonitor.NewImportedKeyMaterialChanges(s, jsii.String("C"), nil) },
		"MonitorTampering of PendingDeletionAlarm": func(s awscdk.Stack) {
			p := kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("P"), nil)
			kmsmonitor.NewMonitorTampering(s, jsii.String("C"), &kmsmonitor.MonitorTamperingProps{
				TrailArns: []string{*p.Trail.TrailArn()}, Alarms: []awscloudwatch.IAlarm{p.Alarm}, MetricFilters: []awslogs.MetricFilter{p.MetricFilter},
			})
		},
		"ExternalKeyStoreCertificateAlarm": func(s awscdk.Stack) {
			kmsmonitor.NewExternalKeyStoreCertificateAlarm(s, jsii.String("C"), &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{CustomKeyStoreIDs: []string{"cks-1234567890abcdef0"}})
		},
	}
	// Issue 15's guards and check.
	cases["DeletionGuard on a key"] = func(s awscdk.Stack) {
		key := awskms.NewKey(s, jsii.String("K"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
		kmsmonitor.NewDeletionGuard(s, jsii.String("C"), &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: []string{"arn:aws:iam::111122223333:role/BreakGlass"}}).Protect(key)
	}
	cases["OrganizationDeletionGuard"] = func(s awscdk.Stack) {
		kmsmonitor.NewOrganizationDeletionGuard(s, jsii.String("C"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"r-a1b2"}})
	}
	cases["DeletionCheck"] = func(s awscdk.Stack) { kmsmonitor.NewDeletionCheck(s, jsii.String("C"), nil) }
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			// GIVEN a stack checked by both rule packs WHEN the construct is added
			stack := newStack()
			for _, pack := range []awscdk.IAspect{
				cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}),
				cdknag.NewNIST80053R5Checks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}),
			} {
				awscdk.Aspects_Of(stack).Add(pack, nil)
			}
			build(stack)
			synth(t, stack)
			// THEN no error or warning of either pack remains
			ann := assertions.Annotations_FromStack(stack)
			rule := assertions.Match_StringLikeRegexp(jsii.String("(AwsSolutions|NIST)"))
			for _, e := range append(*ann.FindError(jsii.String("*"), rule), *ann.FindWarning(jsii.String("*"), rule)...) {
				t.Errorf("%s: %s", *e.Id, fmt.Sprint(e.Entry.Data))
			}
		})
	}
}
