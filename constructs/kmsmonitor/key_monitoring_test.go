package kmsmonitor_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// dashboardBody returns the dashboard body of a template as text (tokens as JSON).
func dashboardBody(t *testing.T, tpl template) string {
	t.Helper()
	ds := tpl.resourcesOfType("AWS::CloudWatch::Dashboard")
	if len(ds) != 1 {
		t.Fatalf("%d dashboards, want 1", len(ds))
	}
	b, err := json.Marshal(ds[0]["Properties"].(map[string]interface{})["DashboardBody"])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestKeyMonitoring_Defaults(t *testing.T) {
	// GIVEN a stack WHEN the facade is added with an e-mail
	stack := newStack()
	m := kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
		Emails: []string{"security@example.com"},
	})
	tpl := synth(t, stack)
	// THEN one encrypted topic serves every part, with one subscription (two keys: the topic's and the trail's)
	for typ, n := range map[string]int{
		"AWS::SNS::Topic": 1, "AWS::KMS::Key": 2, "AWS::SNS::Subscription": 1,
		"AWS::CloudTrail::Trail": 1, "AWS::Logs::MetricFilter": 2, "AWS::Events::Rule": 1,
		"AWS::CloudWatch::Alarm": 3, "AWS::CloudWatch::Dashboard": 1, "AWS::SSM::Document": 0,
	} {
		tpl.ResourceCountIs(typ, n)
	}
	tpl.HasResourceProperties("AWS::SNS::Topic", obj{"KmsMasterKeyId": getAtt("KmsTopicKey")})
	tpl.HasResourceProperties("AWS::SNS::Subscription", obj{"Endpoint": "security@example.com", "TopicArn": ref("KmsTopic")})
	// AND the uses of keys pending deletion or disabled are notified by two log alarms, whose
	// contributors name the key, the caller and the operation; the recipe's alarms stay, without actions
	tpl.ResourceCountIs("AWS::CloudWatch::LogAlarm", 2)
	tpl.AllResourcesProperties("AWS::CloudWatch::LogAlarm", obj{
		"AlarmActions": arr{ref("KmsTopic")}, "OKActions": assertions.Match_Absent(), "ActionLogLineCount": 10,
		"ScheduledQueryConfiguration": objLike(obj{
			"AggregationExpression": "count(*) by key, caller, operation", "LogGroupIdentifiers": arr{ref("KmsPendingDeletionLogGroup")},
		}),
	})
	for _, suffix := range []string{`pending deletion\.$/`, `disabled\.$/`} {
		tpl.HasResourceProperties("AWS::CloudWatch::LogAlarm", obj{"ScheduledQueryConfiguration": objLike(obj{
			"QueryString": assertions.Match_StringLikeRegexp(jsii.String(regexp.QuoteMeta(suffix)))})})
	}
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{"MetricName": kmsmonitor.DefaultPendingDeletionMetricName, "AlarmActions": assertions.Match_Absent()})
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{"MetricName": kmsmonitor.DefaultDisabledKeyMetricName, "AlarmActions": assertions.Match_Absent()})
	if m.PendingDeletion.LogAlarm == nil || m.PendingDeletion.DisabledKeyLogAlarm == nil {
		t.Error("log alarms missing")
	}
	// AND the fleet expiry alarm notifies the topic
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{"Metrics": arr{objLike(obj{"Expression": kmsmonitor.FleetExpiryQuery})},
		"AlarmActions": arr{ref("KmsTopic")}, "OKActions": assertions.Match_Absent()})
	// AND the lifecycle events go to it
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"Targets": arr{objLike(obj{"Arn": ref("KmsTopic")})}})
	// AND the dashboard shows alarm states, failed calls over time and the minimum seconds until expiry
	body := dashboardBody(t, tpl)
	for _, want := range []string{`\"type\":\"alarm\"`, "KMS key alarms", "KMSKeyPendingDeletionErrorCount", "KMSKeyDisabledErrorCount",
		"Uses of keys pending deletion", "SecondsUntilKeyMaterialExpiration", "alarm threshold", "864000"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
	if m.PendingDeletion == nil || m.KeyMaterialExpiry == nil || m.LifecycleEvents == nil || m.AutoCancel != nil ||
		m.Dashboard == nil || m.TopicKey == nil || len(m.Alarms()) != 3 {
		t.Errorf("members: %+v", m)
	}
}

func TestKeyMonitoring_NilProps(t *testing.T) {
	// GIVEN a stack WHEN the facade has nil props THEN it synthesizes the defaults without a subscription
	stack := newStack()
	kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), nil)
	tpl := synth(t, stack)
	tpl.ResourceCountIs("AWS::SNS::Subscription", 0)
	tpl.ResourceCountIs("AWS::CloudWatch::Alarm", 3)
}

func TestKeyMonitoring_EachSwitch(t *testing.T) {
	cases := []struct {
		name   string
		props  kmsmonitor.KeyMonitoringProps
		counts map[string]int
	}{
		{"no pending-deletion alarm", kmsmonitor.KeyMonitoringProps{PendingDeletionEnabled: jsii.Bool(false)},
			map[string]int{"AWS::CloudTrail::Trail": 0, "AWS::Logs::MetricFilter": 0, "AWS::CloudWatch::Alarm": 1, "AWS::Events::Rule": 1}},
		{"no expiry alarm", kmsmonitor.KeyMonitoringProps{KeyMaterialExpiryEnabled: jsii.Bool(false)},
			map[string]int{"AWS::CloudTrail::Trail": 1, "AWS::CloudWatch::Alarm": 2}},
		{"no lifecycle events", kmsmonitor.KeyMonitoringProps{LifecycleEventsEnabled: jsii.Bool(false)},
			map[string]int{"AWS::Events::Rule": 0, "AWS::SQS::Queue": 0}},
		{"no dashboard", kmsmonitor.KeyMonitoringProps{DashboardEnabled: jsii.Bool(false)},
			map[string]int{"AWS::CloudWatch::Dashboard": 0}},
		{"only lifecycle events", kmsmonitor.KeyMonitoringProps{PendingDeletionEnabled: jsii.Bool(false), KeyMaterialExpiryEnabled: jsii.Bool(false)},
			map[string]int{"AWS::CloudWatch::Alarm": 0, "AWS::Events::Rule": 1, "AWS::CloudWatch::Dashboard": 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// GIVEN a stack WHEN one part is switched off THEN only that part's resources are gone
			stack := newStack()
			props := c.props
			kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &props)
			tpl := synth(t, stack)
			for typ, n := range c.counts {
				tpl.ResourceCountIs(typ, n)
			}
		})
	}
}

func TestKeyMonitoring_ConfiguresEachPart(t *testing.T) {
	// GIVEN an existing topic, an existing trail's log group and part props
	stack := newStack()
	topic := awssns.Topic_FromTopicArn(stack, jsii.String("Ops"), jsii.String("arn:aws:sns:us-west-2:111122223333:ops"))
	lg := awslogs.LogGroup_FromLogGroupName(stack, jsii.String("Trail"), jsii.String("org-trail"))
	// WHEN the facade is configured through each part's props
	m := kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
		Topic:           topic,
		NotifyOnOK:      jsii.Bool(true),
		PendingDeletion: &kmsmonitor.PendingDeletionAlarmProps{LogGroup: lg, DetectDisabledKeys: jsii.Bool(false)},
		KeyMaterialExpiry: &kmsmonitor.KeyMaterialExpiryAlarmProps{
			KeyArns: []string{keyArn}, Threshold: awscdk.Duration_Days(jsii.Number(30)),
		},
		LifecycleEvents:   &kmsmonitor.LifecycleEventsProps{EventTypes: []kmsmonitor.EventType{kmsmonitor.KeyDeletionEvent}},
		AutoCancelEnabled: jsii.Bool(true),
		AutoCancel:        &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(nil, nil, []string{keyArn})},
		DashboardName:     jsii.String("kms-health"),
		// AND a guard with a break-glass role, which alarm-driven cancellation cannot honour
		DeletionGuardEnabled: jsii.Bool(true), DeletionGuard: &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: []string{breakGlassRole}},
	})
	tpl := synth(t, stack)
	// THEN the facade warns that the break-glass role's deletions are cancelled too, with the fix
	if got := warningsWithID(stack, "kmsmonitor:autoCancelIgnoresBreakGlass"); len(got) != 1 || got[0].path != "/Stack/Kms" || !strings.Contains(got[0].msg, "Use a key-aware mode") {
		t.Errorf("warnings %+v; want one on /Stack/Kms naming the fix", got)
	}
	// AND no topic or trail is created, every alarm notifies the given topic on ALARM and OK
	tpl.ResourceCountIs("AWS::SNS::Topic", 0)
	tpl.ResourceCountIs("AWS::CloudTrail::Trail", 0)
	tpl.AllResourcesProperties("AWS::CloudWatch::LogAlarm", obj{
		"AlarmActions": arr{"arn:aws:sns:us-west-2:111122223333:ops"}, "OKActions": arr{"arn:aws:sns:us-west-2:111122223333:ops"},
	})
	for _, a := range tpl.resourcesOfType("AWS::CloudWatch::Alarm") {
		props := a["Properties"].(map[string]any)
		if recipe := props["MetricName"] == kmsmonitor.DefaultPendingDeletionMetricName; recipe != (props["AlarmActions"] == nil) {
			t.Errorf("alarm %v: only the recipe's alarm, whose use the log alarm notifies, has no action", props["MetricName"])
		} else if !recipe && (fmt.Sprint(props["AlarmActions"]) != "[arn:aws:sns:us-west-2:111122223333:ops]" || fmt.Sprint(props["OKActions"]) != "[arn:aws:sns:us-west-2:111122223333:ops]") {
			t.Errorf("alarm %v notifies %v and %v", props["MetricName"], props["AlarmActions"], props["OKActions"])
		}
	}
	// AND the expiry part keeps fleet mode next to the per-key alarm, at 30 days
	tpl.ResourceCountIs("AWS::CloudWatch::Alarm", 3)
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{"Dimensions": arr{obj{"Name": "KeyId", "Value": keyID}}, "Threshold": 2592000})
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{"Metrics": assertions.Match_AnyValue(), "Threshold": 2592000})
	// AND the lifecycle rule has only deletions, and auto-cancel is alarm-driven by the pending-deletion alarm
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": obj{"source": arr{"aws.kms"}, "detail-type": arr{"KMS CMK Deletion"}}})
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{
		"detail": obj{"alarmName": arr{ref("KmsPendingDeletionAlarm")}, "state": obj{"value": arr{"ALARM"}}},
	})})
	tpl.HasResourceProperties("AWS::CloudWatch::Dashboard", obj{"DashboardName": "kms-health"})
	if m.AutoCancel == nil || m.TopicKey != nil || m.PendingDeletion.Trail != nil {
		t.Error("want AutoCancel, the given topic and no trail")
	}
}

func TestKeyMonitoring_DataIsRetainedByDefault(t *testing.T) {
	// GIVEN every part, auto-cancel included, in its default configuration
	stack := newStack()
	kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
		AutoCancelEnabled: jsii.Bool(true),
		AutoCancel:        &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(nil, nil, []string{keyArn})},
	})
	tpl := synth(t, stack)
	// THEN everything that holds data or protects it survives stack deletion and replacement
	for typ, min := range map[string]int{"AWS::S3::Bucket": 2, "AWS::Logs::LogGroup": 1, "AWS::KMS::Key": 2, "AWS::SQS::Queue": 2} {
		resources := tpl.resourcesOfType(typ)
		if len(resources) < min {
			t.Errorf("%d resources of type %s, want at least %d", len(resources), typ, min)
		}
		for _, r := range resources {
			if r["DeletionPolicy"] != "Retain" || r["UpdateReplacePolicy"] != "Retain" {
				t.Errorf("a %s is not retained: DeletionPolicy=%v UpdateReplacePolicy=%v", typ, r["DeletionPolicy"], r["UpdateReplacePolicy"])
			}
		}
	}
}

func TestKeyMonitoring_OptInDetectors(t *testing.T) {
	// GIVEN a stack WHEN the CIS alarm, log-group-free detection and grant auditing are switched on
	stack := newStack()
	m := kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
		CisAlarmEnabled:     jsii.Bool(true),
		KeyUseEventsEnabled: jsii.Bool(true),
		GrantAuditEnabled:   jsii.Bool(true),
		GrantAudit:          &kmsmonitor.GrantAuditProps{KeyArns: []string{keyArn}},
	})
	tpl := synth(t, stack)
	// THEN the CIS filter reads the pending-deletion alarm's log group, and its alarm notifies the shared topic
	tpl.HasResourceProperties("AWS::Logs::MetricFilter", obj{
		"FilterPattern": kmsmonitor.CisKeyChangesFilterPattern, "LogGroupName": ref("KmsPendingDeletionLogGroup"),
	})
	// (4 alarms and the one that says KeyUseEvents' pipe could not deliver)
	tpl.ResourceCountIs("AWS::CloudWatch::Alarm", 5)
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{"MetricName": "KMSKeyDisabledOrScheduledForDeletion", "AlarmActions": arr{ref("KmsTopic")}})
	// AND with KeyUseEvents naming each use, the recipe's alarms have no action and no log alarm is
	// made: one message per use
	tpl.ResourceCountIs("AWS::CloudWatch::LogAlarm", 0)
	for _, name := range []string{kmsmonitor.DefaultPendingDeletionMetricName, kmsmonitor.DefaultDisabledKeyMetricName} {
		tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{"MetricName": name, "AlarmActions": assertions.Match_Absent()})
	}
	// AND the lifecycle, two key-use and grant rules all notify it (the key-use rules through the queue
	// that drops repeats and the pipe that publishes): one topic, one subscription list
	tpl.ResourceCountIs("AWS::Events::Rule", 4)
	for _, r := range tpl.resourcesOfType("AWS::Events::Rule") {
		if target := fmt.Sprint(r["Properties"].(map[string]interface{})["Targets"]); !strings.Contains(target, "KmsTopic") && !strings.Contains(target, "KmsKeyUseEventsBoundedQueue") {
			t.Errorf("a rule notifies neither the shared topic nor the bounded queue: %s", target)
		}
	}
	tpl.HasResourceProperties("AWS::Pipes::Pipe", obj{"Source": getAtt("KmsKeyUseEventsBoundedQueue"), "Target": ref("KmsTopic")})
	tpl.ResourceCountIs("AWS::SNS::Topic", 1)
	if m.CisAlarm == nil || m.KeyUseEvents == nil || m.GrantAudit == nil || len(m.Alarms()) != 4 {
		t.Errorf("members: %+v", m)
	}
}

func TestKeyMonitoring_Partitions(t *testing.T) {
	// GIVEN every part, in the commercial, China and GovCloud partitions and environment-agnostic
	for _, region := range []string{"us-east-1", "cn-north-1", "us-gov-west-1", ""} {
		t.Run("region="+region, func(t *testing.T) {
			var env *awscdk.Environment
			protected := keyArn
			if region != "" {
				env = &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String(region)}
				partition := map[string]string{"us-east-1": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov"}[region]
				protected = "arn:" + partition + ":kms:" + region + ":111122223333:key/" + keyID
			}
			stack := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{Env: env})
			kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
				CisAlarmEnabled: jsii.Bool(true), KeyUseEventsEnabled: jsii.Bool(true), GrantAuditEnabled: jsii.Bool(true),
				AutoCancelEnabled: jsii.Bool(true),
				AutoCancel:        &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(nil, nil, []string{protected})},
			})
			// WHEN synthesized (linted, and its delivery paths evaluated for its partition)
			tpl := synth(t, stack)
			// THEN CloudWatch Logs' principal is built from the Region and the partition's URL suffix, never hard-coded
			want := obj{"Service": join("logs."+region+".", obj{"Ref": "AWS::URLSuffix"})}
			if region == "" {
				want = obj{"Service": join("logs.", obj{"Ref": "AWS::Region"}, ".", obj{"Ref": "AWS::URLSuffix"})}
			}
			tpl.HasResourceProperties("AWS::KMS::Key", obj{"KeyPolicy": objLike(obj{"Statement": arrWith(objLike(obj{
				"Sid": "AllowCloudWatchLogsOfThisAccount", "Principal": want,
			}))})})
		})
	}
}

func TestKeyMonitoring_PartsGetTheSharedNotificationUnlessTheyHaveTheirOwn(t *testing.T) {
	// GIVEN the facade with one e-mail, a part with its own topic, a part with its own NotifyOnOK,
	// and a part that names the facade's e-mail again
	stack := newStack()
	own := awssns.Topic_FromTopicArn(stack, jsii.String("Own"), jsii.String("arn:aws:sns:us-west-2:111122223333:pending"))
	m := kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
		Emails:            []string{"security@example.com"},
		PendingDeletion:   &kmsmonitor.PendingDeletionAlarmProps{Topic: own},
		KeyMaterialExpiry: &kmsmonitor.KeyMaterialExpiryAlarmProps{NotifyOnOK: jsii.Bool(true)},
		LifecycleEvents:   &kmsmonitor.LifecycleEventsProps{Emails: []string{"security@example.com", "keys@example.com"}},
	})
	tpl := synth(t, stack)
	// THEN the part with its own topic notifies it, the others the shared one
	if *m.PendingDeletion.Topic.TopicArn() != "arn:aws:sns:us-west-2:111122223333:pending" || m.KeyMaterialExpiry.Topic != m.Topic || m.LifecycleEvents.Topic != m.Topic {
		t.Error("topics not as decided")
	}
	tpl.HasResourceProperties("AWS::CloudWatch::LogAlarm", obj{"AlarmActions": arr{"arn:aws:sns:us-west-2:111122223333:pending"}})
	// AND OK notifications only where asked
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{"AlarmActions": arr{ref("KmsTopic")}, "OKActions": arr{ref("KmsTopic")}})
	for _, a := range tpl.resourcesOfType("AWS::CloudWatch::Alarm") {
		if _, ok := a["Properties"].(map[string]any)["OKActions"]; ok && strings.Contains(toJSON(t, a), "pending") {
			t.Error("an alarm of the part with its own topic notifies on OK")
		}
	}
	// AND each address is subscribed to the shared topic once
	tpl.ResourceCountIs("AWS::SNS::Subscription", 2)
}

func TestKeyMonitoring_GuardsAndWatchersAsParts(t *testing.T) {
	// GIVEN the facade with the guard, the check and the watchers switched on, and a key of the app in the same stack
	stack := newStack()
	awskms.NewKey(stack, jsii.String("AppKey"), nil)
	m := kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
		KeyUseEventsEnabled: jsii.Bool(true), DeletionGuardEnabled: jsii.Bool(true), DeletionCheckEnabled: jsii.Bool(true),
		KeyPolicyChangesEnabled: jsii.Bool(true), ImportedKeyMaterialChangesEnabled: jsii.Bool(true), MonitorTamperingEnabled: jsii.Bool(true),
		ExternalKeyStoreCertificateEnabled: jsii.Bool(true),
		ExternalKeyStoreCertificate:        &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{CustomKeyStoreIDs: []string{"cks-1234567890abcdef0"}},
		// AND a break-glass role given to each deletion part, one to both
		DeletionGuard: &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: []string{breakGlassRole, "arn:aws:iam::111122223333:role/GuardOps"}},
		DeletionCheck: &kmsmonitor.DeletionCheckProps{BreakGlassPrincipalArns: []string{"arn:aws:iam::111122223333:role/CheckOps", breakGlassRole}},
	})
	tpl := synth(t, stack)
	// THEN the guard and the check share one exemption list: each exempts the three roles
	shared := []any{breakGlassRole, "arn:aws:iam::111122223333:role/GuardOps", "arn:aws:iam::111122223333:role/CheckOps"}
	tpl.HasResourceProperties("AWS::KMS::Key", obj{"KeyPolicy": objLike(obj{"Statement": assertions.Match_ArrayWith(&[]any{objLike(obj{
		"Sid": "DenyDisablingOrDeletingKeysInUse", "Condition": objLike(obj{"ArnNotLike": obj{"aws:PrincipalArn": shared}}),
	})})})})
	_, payload := exemptStep(t, tpl.resourcesOfType("AWS::SSM::Document")[0]["Properties"].(map[string]any)["Content"].(map[string]any))
	if want, _ := json.Marshal(shared); payload["BreakGlass"] != string(want) {
		t.Errorf("DeletionCheck's exemptions are %v, not %s", payload["BreakGlass"], want)
	}
	// THEN every part exists and notifies the one shared topic (without Emails, MonitorTampering's
	// alerts too: TestKeyMonitoring_TamperingTopicFollowsTheAddresses)
	for name, topic := range map[string]awssns.ITopic{
		"DeletionCheck": m.DeletionCheck.Topic, "KeyPolicyChanges": m.KeyPolicyChanges.Topic,
		"ImportedKeyMaterialChanges": m.ImportedKeyMaterialChanges.Topic, "MonitorTampering": m.MonitorTampering.Topic,
		"ExternalKeyStoreCertificate": m.ExternalKeyStoreCertificate.Topic,
	} {
		if topic != m.Topic {
			t.Errorf("%s does not notify the shared topic", name)
		}
	}
	tpl.ResourceCountIs("AWS::SNS::Topic", 1)
	// AND MonitorTampering watches DeletionCheck's document and the trail's bucket
	if len(m.MonitorTampering.DocumentRules) != 1 || len(m.MonitorTampering.BucketRules) != 1 {
		t.Errorf("%d document rules, %d bucket rules; want 1 and 1", len(m.MonitorTampering.DocumentRules), len(m.MonitorTampering.BucketRules))
	}
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{"detail": objLike(obj{
		"eventSource": arr{"ssm.amazonaws.com"}, "requestParameters": obj{"name": arr{obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^KmsDeletionCheckDocument"))}}},
	})})})
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{"detail": objLike(obj{
		"eventSource": arr{"s3.amazonaws.com"}, "requestParameters": obj{"bucketName": arr{obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^KmsPendingDeletionTrailBucket"))}}},
	})})})
	// AND the guard is in the key policy of the app's key (an aspect over the stack)
	guarded := false
	for id, r := range tpl.JSON()["Resources"].(map[string]any) {
		if strings.HasPrefix(id, "AppKey") && strings.Contains(toJSON(t, r), "kms:TrailingDaysWithoutKeyUsage") {
			guarded = true
		}
	}
	if !guarded {
		t.Error("the app's key has no deletion guard")
	}
	// AND tampering is watched on the facade's own trail, alarms and rules
	body := toJSON(t, tpl.JSON())
	for _, want := range []string{"StopLogging", "DeleteAlarms", "DeleteMetricFilter", "DisableRule"} {
		if !strings.Contains(body, want) {
			t.Errorf("no tampering rule for %s", want)
		}
	}
	if n := len(m.Alarms()); n < 4 {
		t.Errorf("Alarms() = %d, want the external key store alarm among them", n)
	}
}
