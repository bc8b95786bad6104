package kmsmonitor_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

const (
	keyID    = "1234abcd-12ab-34cd-56ef-1234567890ab"
	keyArn   = "arn:aws:kms:us-west-2:111122223333:key/" + keyID
	mrkID    = "mrk-1234abcd12ab34cd56ef1234567890ab"
	otherID  = "0987dcba-09ba-87dc-65fe-ba0987654321"
	otherArn = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/" + otherID
)

func TestKeyMaterialExpiryAlarm_PerKeyDefaults(t *testing.T) {
	// GIVEN a stack WHEN one key is watched by ID
	stack := newStack()
	a := kmsmonitor.NewKeyMaterialExpiryAlarm(stack, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{
		KeyIDs: []string{keyID},
	})
	// THEN one alarm watches its minimum seconds until expiry over 1 minute, at 10 days
	tpl := synth(t, stack)
	tpl.ResourceCountIs("AWS::CloudWatch::Alarm", 1)
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{
		"Namespace":          "AWS/KMS",
		"MetricName":         "SecondsUntilKeyMaterialExpiration",
		"Dimensions":         arr{obj{"Name": "KeyId", "Value": keyID}},
		"Statistic":          "Minimum",
		"Period":             60,
		"Threshold":          864000,
		"ComparisonOperator": "LessThanOrEqualToThreshold",
		"EvaluationPeriods":  1,
		"DatapointsToAlarm":  1,
		"TreatMissingData":   "notBreaching",
		"AlarmActions":       arr{obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^ExpiryTopic"))}},
		"AlarmDescription":   assertions.Match_StringLikeRegexp(jsii.String("KMS key " + keyID + " expires in 10 days or less.*Re-import")),
	})
	// AND the topic is the shared encrypted one
	tpl.HasResourceProperties("AWS::SNS::Topic", obj{"KmsMasterKeyId": assertions.Match_AnyValue()})
	if len(a.KeyAlarms) != 1 || a.FleetAlarm != nil || a.TopicKey == nil {
		t.Errorf("KeyAlarms=%d FleetAlarm=%v", len(a.KeyAlarms), a.FleetAlarm)
	}
}

func TestKeyMaterialExpiryAlarm_KeyIdDerivedFromEveryKindOfKey(t *testing.T) {
	// GIVEN keys as a created key, an imported key, literal and token ARNs, and IDs
	stack := newStack()
	created := awskms.NewKey(stack, jsii.String("Created"), nil)
	// (in the Region of keyArn: the keys of one alarm stack are in one place)
	imported := awskms.Key_FromKeyArn(stack, jsii.String("Imported"), jsii.String("arn:aws:kms:us-west-2:111122223333:key/"+otherID))
	// (a Default so that the delivery-path harness can resolve the template; the value is still a token here)
	tokenArn := awscdk.NewCfnParameter(stack, jsii.String("KeyArn"), &awscdk.CfnParameterProps{Default: otherArn}).ValueAsString()
	a := kmsmonitor.NewKeyMaterialExpiryAlarm(stack, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{
		Keys:    []awskms.IKey{created, imported},
		KeyArns: []string{keyArn, *tokenArn},
		KeyIDs:  []string{mrkID},
	})
	// THEN each alarm's KeyId dimension is the key ID, never the ARN
	tpl := synth(t, stack)
	tpl.ResourceCountIs("AWS::CloudWatch::Alarm", 5)
	for _, dim := range []interface{}{
		obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Created"))},
		otherID,
		keyID,
		obj{"Fn::Select": arr{1, obj{"Fn::Split": arr{"/", obj{"Fn::Select": arr{5, obj{"Fn::Split": arr{":", obj{"Ref": "KeyArn"}}}}}}}}},
		mrkID,
	} {
		tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{"Dimensions": arr{obj{"Name": "KeyId", "Value": dim}}})
	}
	if len(a.KeyAlarms) != 5 {
		t.Errorf("KeyAlarms = %d, want 5", len(a.KeyAlarms))
	}
}

func TestKeyMaterialExpiryAlarm_FleetMode(t *testing.T) {
	// GIVEN a stack WHEN every key of the account is watched
	stack := newStack()
	a := kmsmonitor.NewKeyMaterialExpiryAlarm(stack, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{
		AllKeys: jsii.Bool(true),
	})
	// THEN one alarm runs the Metrics Insights query, one time series per key
	tpl := synth(t, stack)
	tpl.ResourceCountIs("AWS::CloudWatch::Alarm", 1)
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{
		"Metrics": arr{objLike(obj{
			"Expression": `SELECT MIN(SecondsUntilKeyMaterialExpiration) FROM SCHEMA("AWS/KMS", KeyId) GROUP BY KeyId ORDER BY MIN() ASC`,
			"Period":     60,
			"ReturnData": true,
		})},
		"Threshold":          864000,
		"ComparisonOperator": "LessThanOrEqualToThreshold",
		"EvaluationPeriods":  1,
		"DatapointsToAlarm":  1,
		"TreatMissingData":   "notBreaching",
		"AlarmDescription":   assertions.Match_StringLikeRegexp(jsii.String("contributor.*KeyId.*describe-alarm-contributors")),
		"MetricName":         assertions.Match_Absent(),
	})
	if a.FleetAlarm == nil || len(a.KeyAlarms) != 0 {
		t.Error("want only FleetAlarm")
	}
}

func TestKeyMaterialExpiryAlarm_BothModesAndEveryProp(t *testing.T) {
	// GIVEN an existing topic WHEN both modes run with a custom threshold, period, missing-data treatment and OK notifications
	stack := newStack()
	topic := awssns.Topic_FromTopicArn(stack, jsii.String("Ops"), jsii.String("arn:aws:sns:us-west-2:111122223333:ops"))
	a := kmsmonitor.NewKeyMaterialExpiryAlarm(stack, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{
		KeyIDs:           []string{keyID},
		AllKeys:          jsii.Bool(true),
		Threshold:        awscdk.Duration_Days(jsii.Number(30)),
		Period:           awscdk.Duration_Minutes(jsii.Number(5)),
		TreatMissingData: awscloudwatch.TreatMissingData_IGNORE,
		Topic:            topic,
		Emails:           []string{"pki@example.com"},
		NotifyOnOK:       jsii.Bool(true),
	})
	// THEN both alarms carry them
	tpl := synth(t, stack)
	tpl.ResourceCountIs("AWS::CloudWatch::Alarm", 2)
	tpl.ResourceCountIs("AWS::SNS::Topic", 0)
	tpl.AllResourcesProperties("AWS::CloudWatch::Alarm", obj{
		"Threshold":        2592000,
		"TreatMissingData": "ignore",
		"AlarmActions":     arr{"arn:aws:sns:us-west-2:111122223333:ops"},
		"OKActions":        arr{"arn:aws:sns:us-west-2:111122223333:ops"},
		"AlarmDescription": assertions.Match_StringLikeRegexp(jsii.String("30 days or less")),
	})
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{"Period": 300, "Statistic": "Minimum"})
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{"Metrics": arr{objLike(obj{"Period": 300})}})
	tpl.HasResourceProperties("AWS::SNS::Subscription", obj{"Endpoint": "pki@example.com", "Protocol": "email"})
	// AND Metric(keyID) is the same metric for any key
	m := a.Metric(jsii.String(mrkID))
	if *m.Namespace() != "AWS/KMS" || *m.Statistic() != "Minimum" || (*m.Dimensions())["KeyId"] != mrkID || *m.Period().ToSeconds(nil) != 300 {
		t.Errorf("Metric = %s %s %v", *m.Namespace(), *m.Statistic(), *m.Dimensions())
	}
}
