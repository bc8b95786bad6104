package kmsmonitor_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// tokenCase gives token values (CfnParameters) to the props of a construct
// and names where each parameter's Ref must arrive in the template.
type tokenCase struct {
	name  string
	build func(s awscdk.Stack)
	// want maps a parameter's logical ID to the resource type and the
	// property (its first path element under Properties) that must hold its
	// Ref; trailing spaces make a second key for the same parameter.
	want map[string][2]string
}

func TestTokens_PassThroughToTheTemplate(t *testing.T) {
	// ARNs get a default: the delivery-path check of synth resolves a
	// parameter to its default (and to a stand-in that is no ARN without one).
	arnParam := func(s awscdk.Stack, id, def string) string {
		return *awscdk.NewCfnParameter(s, jsii.String(id), &awscdk.CfnParameterProps{Default: def}).ValueAsString()
	}
	cases := []tokenCase{
		{"PendingDeletionAlarm names and period", func(s awscdk.Stack) {
			kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{
				AlarmName: jsii.String(stringParam(s, "AlarmName")), MetricName: jsii.String(stringParam(s, "MetricName")),
				MetricNamespace: jsii.String(stringParam(s, "Namespace")), Period: awscdk.Duration_Seconds(numberParam(s, "Period")),
				Emails: []string{stringParam(s, "Email")},
			})
		}, map[string][2]string{
			"AlarmName": {"AWS::CloudWatch::Alarm", "AlarmName"}, "MetricName": {"AWS::Logs::MetricFilter", "MetricTransformations"},
			"Namespace": {"AWS::Logs::MetricFilter", "MetricTransformations"}, "Period": {"AWS::CloudWatch::Alarm", "Period"},
			"Email": {"AWS::SNS::Subscription", "Endpoint"},
		}},
		{"PendingDeletionAlarm period of a Metrics Insights alarm", func(s awscdk.Stack) {
			kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{
				KeyArnDimension: jsii.Bool(true), Period: awscdk.Duration_Seconds(numberParam(s, "Period")),
			})
		}, map[string][2]string{"Period": {"AWS::CloudWatch::Alarm", "Metrics"}}},
		{"KeyMaterialExpiryAlarm threshold, period, key ID", func(s awscdk.Stack) {
			kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{
				KeyIDs: []string{stringParam(s, "KeyId")}, Threshold: awscdk.Duration_Seconds(numberParam(s, "Threshold")),
				Period: awscdk.Duration_Seconds(numberParam(s, "Period")),
			})
		}, map[string][2]string{
			"KeyId": {"AWS::CloudWatch::Alarm", "Dimensions"}, "Threshold": {"AWS::CloudWatch::Alarm", "Threshold"},
			"Period": {"AWS::CloudWatch::Alarm", "Period"}, "Threshold ": {"AWS::CloudWatch::Alarm", "AlarmDescription"},
		}},
		{"KeyMaterialExpiryAlarm fleet period", func(s awscdk.Stack) {
			kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{
				AllKeys: jsii.Bool(true), Period: awscdk.Duration_Seconds(numberParam(s, "Period")),
			})
		}, map[string][2]string{"Period": {"AWS::CloudWatch::Alarm", "Metrics"}}},
		{"ExternalKeyStoreCertificateAlarm threshold, store, period", func(s awscdk.Stack) {
			kmsmonitor.NewExternalKeyStoreCertificateAlarm(s, jsii.String("Monitor"), &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{
				CustomKeyStoreIDs: []string{stringParam(s, "Store")}, ThresholdDays: numberParam(s, "Days"),
				Period: awscdk.Duration_Seconds(numberParam(s, "Period")),
			})
		}, map[string][2]string{
			"Store": {"AWS::CloudWatch::Alarm", "Metrics"}, "Days": {"AWS::CloudWatch::Alarm", "Threshold"},
			"Period": {"AWS::CloudWatch::Alarm", "Metrics"}, "Days ": {"AWS::CloudWatch::Alarm", "AlarmDescription"},
		}},
		{"LifecycleEvents retries, event age, rule name, key ARN", func(s awscdk.Stack) {
			kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{
				RetryAttempts: numberParam(s, "Retries"), MaxEventAge: awscdk.Duration_Seconds(numberParam(s, "Age")),
				RuleName: jsii.String(stringParam(s, "RuleName")), KeyArns: []string{stringParam(s, "KeyArns")},
			})
		}, map[string][2]string{
			"Retries": {"AWS::Events::Rule", "Targets"}, "Age": {"AWS::Events::Rule", "Targets"},
			"RuleName": {"AWS::Events::Rule", "Name"}, "KeyArns": {"AWS::Events::Rule", "EventPattern"},
		}},
		{"GrantAudit key ARN", func(s awscdk.Stack) {
			kmsmonitor.NewGrantAudit(s, jsii.String("Audit"), &kmsmonitor.GrantAuditProps{KeyArns: []string{stringParam(s, "KeyArns")}})
		}, map[string][2]string{"KeyArns": {"AWS::Events::Rule", "EventPattern"}}},
		{"KeyPolicyChanges key ARN", func(s awscdk.Stack) {
			kmsmonitor.NewKeyPolicyChanges(s, jsii.String("Policies"), &kmsmonitor.KeyPolicyChangesProps{KeyArns: []string{stringParam(s, "KeyArns")}})
		}, map[string][2]string{"KeyArns": {"AWS::Events::Rule", "EventPattern"}}},
		{"ImportedKeyMaterialChanges key ARN", func(s awscdk.Stack) {
			kmsmonitor.NewImportedKeyMaterialChanges(s, jsii.String("Imports"), &kmsmonitor.ImportedKeyMaterialChangesProps{KeyArns: []string{stringParam(s, "KeyArns")}})
		}, map[string][2]string{"KeyArns": {"AWS::Events::Rule", "EventPattern"}}},
		{"KeyMonitoring dashboard name and e-mail", func(s awscdk.Stack) {
			kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
				DashboardName: jsii.String(stringParam(s, "Dashboard")), Emails: []string{stringParam(s, "Email")},
			})
		}, map[string][2]string{
			"Dashboard": {"AWS::CloudWatch::Dashboard", "DashboardName"}, "Email": {"AWS::SNS::Subscription", "Endpoint"},
		}},
		{"CentralKeyMonitoring bus name and organization", func(s awscdk.Stack) {
			kmsmonitor.NewCentralKeyMonitoring(s, jsii.String("Central"), &kmsmonitor.CentralKeyMonitoringProps{
				OrganizationID: jsii.String(stringParam(s, "Org")), EventBusName: jsii.String(stringParam(s, "Bus")),
			})
		}, map[string][2]string{"Bus": {"AWS::Events::EventBus", "Name"}, "Org": {"AWS::Events::EventBusPolicy", "Statement"}}},
		{"MemberKeyMonitoring central bus", func(s awscdk.Stack) {
			kmsmonitor.NewMemberKeyMonitoring(s, jsii.String("Member"), &kmsmonitor.MemberKeyMonitoringProps{CentralEventBusArn: jsii.String(arnParam(s, "BusArn", "arn:aws:events:us-east-1:111122223333:event-bus/kmsmonitor-central"))})
		}, map[string][2]string{"BusArn": {"AWS::Events::Rule", "Targets"}}},
		{"DeletionGuard days and waiting period", func(s awscdk.Stack) {
			g := kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{
				MinDaysWithoutUsage: numberParam(s, "Days"), MinPendingWindowInDays: numberParam(s, "Window"),
			})
			g.Protect(awskms.NewKey(s, jsii.String("Key"), nil))
		}, map[string][2]string{"Days": {"AWS::KMS::Key", "KeyPolicy"}, "Window": {"AWS::KMS::Key", "KeyPolicy"}}},
		{"OrganizationDeletionGuard targets, name, days, break-glass list", func(s awscdk.Stack) {
			kmsmonitor.NewOrganizationDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{
				TargetIDs: listParam(s, "Targets"), PolicyName: jsii.String(stringParam(s, "Name")),
				MinDaysWithoutUsage: numberParam(s, "Days"), BreakGlassPrincipalArns: listParam(s, "BreakGlass"),
			})
		}, map[string][2]string{
			"Targets": {"AWS::Organizations::Policy", "TargetIds"}, "Name": {"AWS::Organizations::Policy", "Name"},
			"Days": {"AWS::Organizations::Policy", "Content"}, "BreakGlass": {"AWS::Organizations::Policy", "Content"},
		}},
		{"DeletionCheck days", func(s awscdk.Stack) {
			kmsmonitor.NewDeletionCheck(s, jsii.String("Check"), &kmsmonitor.DeletionCheckProps{MinDaysWithoutUsage: numberParam(s, "Days")})
		}, map[string][2]string{"Days": {"AWS::Events::Rule", "Targets"}}},
		{"AutoCancelDeletion tag value", func(s awscdk.Stack) {
			kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{
				Mode: kmsmonitor.KeyAwareTagged("kmsmonitor:auto-cancel", stringParam(s, "TagValue"))})
		}, map[string][2]string{"TagValue": {"AWS::IAM::ManagedPolicy", "PolicyDocument"}}},
		{"AutoCancelDeletion listed key ARN", func(s awscdk.Stack) {
			kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{
				Mode: kmsmonitor.KeyAwareListed(nil, []string{arnParam(s, "KeyArn", keyArn)})})
		}, map[string][2]string{"KeyArn": {"AWS::IAM::ManagedPolicy", "PolicyDocument"}}},
		{"MonitorTampering trail ARN", func(s awscdk.Stack) {
			kmsmonitor.NewMonitorTampering(s, jsii.String("Tampering"), &kmsmonitor.MonitorTamperingProps{TrailArns: []string{arnParam(s, "Trail", "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events")}})
		}, map[string][2]string{"Trail": {"AWS::Events::Rule", "EventPattern"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// GIVEN a stack whose props come from CfnParameters
			stack := newStack()
			// WHEN the construct is created with them THEN no check refuses the tokens
			if msg := panicMessage(func() { c.build(stack) }); msg != "" {
				t.Fatalf("tokens refused: %s", msg)
			}
			// AND each parameter's Ref reaches the property it was given for
			tpl := synth(t, stack)
			for param, where := range c.want {
				param = strings.TrimSpace(param) // "Name " is a second place for Name
				if !refersTo(tpl, where[0], where[1], param) {
					t.Errorf("no %s has {Ref: %s} in %s", where[0], param, where[1])
				}
			}
		})
	}
}

// refersTo reports whether a resource of type typ holds {"Ref": param}
// somewhere in its property prop.
func refersTo(tpl template, typ, prop, param string) bool {
	ref, _ := json.Marshal(map[string]string{"Ref": param})
	for _, r := range tpl.resourcesOfType(typ) {
		props, _ := r["Properties"].(map[string]interface{})
		b, _ := json.Marshal(props[prop])
		if strings.Contains(string(b), string(ref)) {
			return true
		}
	}
	return false
}

func TestNames_LengthsInCharacters(t *testing.T) {
	// GIVEN an alarm name of 255 characters of 2 bytes each (510 bytes)
	name := accented(255)
	stack := newStack()
	// WHEN it names the alarm THEN it is accepted: CloudWatch allows 255 characters
	kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{AlarmName: jsii.String(name), DetectDisabledKeys: jsii.Bool(false)})
	synth(t, stack).HasResourceProperties("AWS::CloudWatch::Alarm", obj{"AlarmName": name})
	// AND one character more is refused, counted in characters
	wantValidationErrorOf(t, func() {
		kmsmonitor.NewPendingDeletionAlarm(newStack(), jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{AlarmName: jsii.String(name + "é")})
	}, "AlarmName: is 256 characters long", "at most 255")
}

func TestEmails_SameAddressOnASharedTopicIsSubscribedOnce(t *testing.T) {
	// GIVEN one topic shared by two constructs, and the facade's topic shared by its parts
	stack := newStack()
	topic := awssns.NewTopic(stack, jsii.String("Alerts"), nil)
	// WHEN the same address is given to each
	kmsmonitor.NewLifecycleEvents(stack, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{Topic: topic, Emails: []string{"sec@example.com"}})
	kmsmonitor.NewKeyUseEvents(stack, jsii.String("Uses"), &kmsmonitor.KeyUseEventsProps{Topic: topic, Emails: []string{"sec@example.com"}})
	kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
		Emails: []string{"ops@example.com"}, LifecycleEvents: &kmsmonitor.LifecycleEventsProps{Emails: []string{"ops@example.com"}},
	})
	// THEN each topic has one subscription per address
	tpl := synth(t, stack)
	tpl.ResourceCountIs("AWS::SNS::Subscription", 2)
}
