package kmsmonitor_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

const xksStore = "cks-1234567890abcdef0"

func topicRef() assertions.Matcher {
	return objLike(obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^XksTopic"))})
}

func TestExternalKeyStoreCertificateAlarm_Defaults(t *testing.T) {
	// GIVEN a stack WHEN two external key stores are watched with the defaults
	stack := newStack()
	a := kmsmonitor.NewExternalKeyStoreCertificateAlarm(stack, jsii.String("Xks"), &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{
		CustomKeyStoreIDs: []string{xksStore, "cks-0fedcba0987654321"},
	})
	tpl := synth(t, stack)
	// THEN each store has an alarm under 10 days on the minimum over 5 minutes of its certificate metric, any CN
	tpl.ResourceCountIs("AWS::CloudWatch::Alarm", 2)
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{
		"ComparisonOperator": "LessThanThreshold", "Threshold": 10, "EvaluationPeriods": 1, "DatapointsToAlarm": 1,
		"TreatMissingData": "missing",
		"Metrics": arr{objLike(obj{
			"Expression": `SELECT MIN(XksProxyCertificateDaysToExpire) FROM "AWS/KMS" WHERE CustomKeyStoreId = '` + xksStore + `'`,
			"Period":     300,
		})},
		"AlarmActions":     arr{topicRef()},
		"AlarmDescription": assertions.Match_StringLikeRegexp(jsii.String("external key store " + xksStore + " expires in less than 10 days")),
	})
	if len(a.Alarms) != 2 || a.TopicKey == nil {
		t.Error("members missing")
	}
}

func TestExternalKeyStoreCertificateAlarm_Threshold(t *testing.T) {
	// GIVEN a stack WHEN the threshold is 30 days and OK is notified too
	stack := newStack()
	kmsmonitor.NewExternalKeyStoreCertificateAlarm(stack, jsii.String("Xks"), &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{
		CustomKeyStoreIDs: []string{xksStore}, ThresholdDays: jsii.Number(30), NotifyOnOK: jsii.Bool(true),
	})
	// THEN the alarm fires under 30 days and notifies on OK
	synth(t, stack).HasResourceProperties("AWS::CloudWatch::Alarm", obj{"Threshold": 30, "OKActions": arr{topicRef()}})
}

func TestWatchConstructs_ScopeAndID(t *testing.T) {
	// GIVEN no scope, or no id THEN each constructor of issue 16 says what to pass instead of a nil-pointer panic
	constructors := map[string]func(scope awscdk.Stack, id *string){
		"KeyPolicyChanges":           func(s awscdk.Stack, id *string) { kmsmonitor.NewKeyPolicyChanges(s, id, nil) },
		"ImportedKeyMaterialChanges": func(s awscdk.Stack, id *string) { kmsmonitor.NewImportedKeyMaterialChanges(s, id, nil) },
		"MonitorTampering":           func(s awscdk.Stack, id *string) { kmsmonitor.NewMonitorTampering(s, id, nil) },
		"ExternalKeyStoreCertificateAlarm": func(s awscdk.Stack, id *string) {
			kmsmonitor.NewExternalKeyStoreCertificateAlarm(s, id, nil)
		},
	}
	for name, build := range constructors {
		wantPanic(t, func() { build(nil, jsii.String("X")) }, "kmsmonitor."+name, "scope is nil")
		wantPanic(t, func() { build(newStack(), nil) }, "kmsmonitor."+name, `under "Stack"`, "id is empty")
	}
}
