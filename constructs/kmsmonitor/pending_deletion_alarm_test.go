package kmsmonitor_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudtrail"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/kmseventtest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/logalarmtest"
)

func TestPendingDeletionAlarm_DefaultsCreateTrailBucketAndLogGroup(t *testing.T) {
	// GIVEN a stack
	stack := newStack()
	// WHEN the construct is added with nil props
	a := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), nil)
	// THEN a multi-Region trail logs all management events to a new log group
	tpl := synth(t, stack)
	tpl.ResourceCountIs("AWS::CloudTrail::Trail", 1)
	tpl.HasResourceProperties("AWS::CloudTrail::Trail", obj{
		"IsMultiRegionTrail":         true,
		"IncludeGlobalServiceEvents": true,
		"EnableLogFileValidation":    true,
		"IsLogging":                  true,
		"EventSelectors":             arr{obj{"IncludeManagementEvents": true, "ReadWriteType": "All"}},
		"CloudWatchLogsLogGroupArn":  obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^MonitorLogGroup")), "Arn"}},
		"S3BucketName":               obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^MonitorTrailBucket"))},
	})
	// AND the trail encrypts its log files and log group with its own rotated, retained key
	tpl.HasResourceProperties("AWS::CloudTrail::Trail", obj{"KMSKeyId": getAtt("MonitorTrailKey")})
	tpl.HasResourceProperties("AWS::Logs::LogGroup", obj{"KmsKeyId": getAtt("MonitorTrailKey")})
	tpl.HasResource("AWS::KMS::Key", obj{
		"Properties": objLike(obj{
			"EnableKeyRotation": true,
			"KeyPolicy": objLike(obj{"Statement": arrWith(
				objLike(obj{"Sid": "AllowCloudTrailToEncryptLogFiles", "Principal": obj{"Service": "cloudtrail.amazonaws.com"},
					"Action": "kms:GenerateDataKey*", "Condition": objLike(obj{"StringEquals": obj{"aws:SourceAccount": account}})}),
				// kms:Decrypt too, without encryption context: the trail bucket uses an S3 Bucket Key (CloudTrail User Guide)
				objLike(obj{"Sid": "AllowCloudTrailToDecryptWithTheBucketKey", "Action": "kms:Decrypt", "Condition": obj{
					"StringEquals": obj{"aws:SourceAccount": account},
					"ArnLike":      obj{"aws:SourceArn": join("arn:", partition, ":cloudtrail:*:", account, ":trail/*")}}}),
				objLike(obj{"Sid": "AllowCloudTrailToDescribeKey", "Action": "kms:DescribeKey"}),
				// CloudWatch Logs' principal is logs.<region>.<URL suffix>: logs.cn-north-1.amazonaws.com.cn in China
				objLike(obj{"Sid": "AllowCloudWatchLogsOfThisAccount", "Principal": obj{"Service": join("logs.", region, ".", obj{"Ref": "AWS::URLSuffix"})},
					"Condition": objLike(obj{"ArnLike": assertions.Match_AnyValue()})}),
			)}),
		}),
		"DeletionPolicy": "Retain",
	})
	// AND the trail bucket blocks public access, is KMS-encrypted, versioned, retained, and logs its access
	blocked := obj{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}
	tpl.HasResource("AWS::S3::Bucket", obj{
		"Properties": objLike(obj{
			"PublicAccessBlockConfiguration": blocked,
			"BucketEncryption": obj{"ServerSideEncryptionConfiguration": arr{obj{
				"BucketKeyEnabled":              true,
				"ServerSideEncryptionByDefault": obj{"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": getAtt("MonitorTrailKey")},
			}}},
			"VersioningConfiguration": obj{"Status": "Enabled"},
			"LoggingConfiguration":    obj{"DestinationBucketName": ref("MonitorAccessLogsBucket"), "LogFilePrefix": "trail-bucket/"},
		}),
		"DeletionPolicy":      "Retain",
		"UpdateReplacePolicy": "Retain",
	})
	// AND the access-log bucket is SSE-S3 encrypted (the only encryption S3 log delivery accepts), versioned and retained
	tpl.HasResource("AWS::S3::Bucket", obj{
		"Properties": objLike(obj{
			"PublicAccessBlockConfiguration": blocked,
			"BucketEncryption": obj{"ServerSideEncryptionConfiguration": arr{
				obj{"ServerSideEncryptionByDefault": obj{"SSEAlgorithm": "AES256"}},
			}},
			"VersioningConfiguration": obj{"Status": "Enabled"},
		}),
		"DeletionPolicy": "Retain",
	})
	// AND the bucket denies requests without TLS and lets CloudTrail write only under AWSLogs/<account>/
	tpl.HasResourceProperties("AWS::S3::BucketPolicy", obj{
		"PolicyDocument": objLike(obj{"Statement": arrWith(
			objLike(obj{"Effect": "Deny", "Action": "s3:*", "Condition": obj{"Bool": obj{"aws:SecureTransport": "false"}}}),
			objLike(obj{"Effect": "Allow", "Action": "s3:PutObject", "Principal": obj{"Service": "cloudtrail.amazonaws.com"}}),
		)}),
	})
	// AND the log group keeps one year and is retained
	tpl.HasResource("AWS::Logs::LogGroup", obj{
		"Properties":     obj{"RetentionInDays": 365},
		"DeletionPolicy": "Retain",
	})
	// AND the trail's delivery role is trusted by CloudTrail of this account only, and may write only to that log group
	tpl.HasResourceProperties("AWS::IAM::Role", obj{"AssumeRolePolicyDocument": trustedBy("cloudtrail.amazonaws.com")})
	tpl.HasResourceProperties("AWS::IAM::Policy", obj{
		"PolicyDocument": objLike(obj{"Statement": arr{obj{
			"Effect":   "Allow",
			"Action":   arr{"logs:PutLogEvents", "logs:CreateLogStream"},
			"Resource": obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^MonitorLogGroup")), "Arn"}},
		}}}),
	})
	// AND the struct exposes what was created
	if a.Trail == nil || a.TrailBucket == nil || a.AccessLogsBucket == nil || a.TrailKey == nil || a.LogGroup == nil || a.MetricFilter == nil || a.Alarm == nil ||
		a.DisabledKeyMetricFilter == nil || a.DisabledKeyAlarm == nil || a.Topic == nil || a.TopicKey == nil {
		t.Errorf("a created member is nil: %+v", a)
	}
}

func TestPendingDeletionAlarm_DefaultMetricFilterAndAlarm(t *testing.T) {
	// GIVEN a stack WHEN the construct is added with empty props
	stack := newStack()
	kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{})
	tpl := synth(t, stack)
	// THEN the metric filter is exactly the documented one
	tpl.HasResourceProperties("AWS::Logs::MetricFilter", obj{
		"FilterPattern": `{ $.eventSource = kms* && $.errorMessage = "* is pending deletion."}`,
		"LogGroupName":  obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^MonitorLogGroup"))},
		"MetricTransformations": arr{obj{
			"MetricName": "KMSKeyPendingDeletionErrorCount", "MetricNamespace": "CloudTrailLogMetrics", "MetricValue": "1",
		}},
	})
	// AND the alarm fires on one failed call in 5 minutes, notifying the topic
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{
		"MetricName":         "KMSKeyPendingDeletionErrorCount",
		"Namespace":          "CloudTrailLogMetrics",
		"Statistic":          "Sum",
		"Period":             300,
		"Threshold":          1,
		"ComparisonOperator": "GreaterThanOrEqualToThreshold",
		"EvaluationPeriods":  1,
		"DatapointsToAlarm":  1,
		"TreatMissingData":   "notBreaching",
		"AlarmActions":       arr{obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^MonitorTopic"))}},
		"AlarmDescription":   assertions.Match_StringLikeRegexp(jsii.String("pending deletion.*cancel-key-deletion.*CloudTrail")),
		"OKActions":          assertions.Match_Absent(),
		"AlarmName":          assertions.Match_Absent(),
	})
	// AND a second filter and alarm watch disabled keys
	tpl.ResourceCountIs("AWS::Logs::MetricFilter", 2)
	tpl.ResourceCountIs("AWS::CloudWatch::Alarm", 2)
	tpl.HasResourceProperties("AWS::Logs::MetricFilter", obj{
		"FilterPattern": `{ $.eventSource = kms* && $.errorMessage = "* is disabled."}`,
		"MetricTransformations": arr{obj{
			"MetricName": "KMSKeyDisabledErrorCount", "MetricNamespace": "CloudTrailLogMetrics", "MetricValue": "1",
		}},
	})
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{
		"MetricName":         "KMSKeyDisabledErrorCount",
		"Statistic":          "Sum",
		"Period":             300,
		"Threshold":          1,
		"ComparisonOperator": "GreaterThanOrEqualToThreshold",
		"TreatMissingData":   "notBreaching",
		"AlarmDescription":   assertions.Match_StringLikeRegexp(jsii.String("disabled KMS key was used.*enable-key")),
	})
}

func TestPendingDeletionAlarm_DefaultTopicIsEncryptedAndSSLOnly(t *testing.T) {
	// GIVEN a stack WHEN the construct is added with defaults
	stack := newStack()
	kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), nil)
	tpl := synth(t, stack)
	// THEN the topic is encrypted with a new rotated, retained customer managed key
	tpl.HasResourceProperties("AWS::SNS::Topic", obj{
		"KmsMasterKeyId": obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^MonitorTopicKey")), "Arn"}},
	})
	// AND the key lets CloudWatch alarms of this account and EventBridge use it
	tpl.HasResource("AWS::KMS::Key", obj{
		"Properties": objLike(obj{
			"EnableKeyRotation": true,
			"KeyPolicy": objLike(obj{"Statement": arrWith(
				// (no source condition on the key: AWS documents none for CloudWatch there; the topic policy scopes it)
				obj{
					"Sid": "AllowCloudWatchAlarms", "Effect": "Allow",
					"Principal": obj{"Service": "cloudwatch.amazonaws.com"},
					"Action":    arr{"kms:Decrypt", "kms:GenerateDataKey*"}, "Resource": "*",
				},
				obj{
					"Effect":    "Allow",
					"Principal": obj{"Service": "events.amazonaws.com"},
					"Action":    arr{"kms:Decrypt", "kms:GenerateDataKey*"}, "Resource": "*",
				},
			)}),
		}),
		"DeletionPolicy": "Retain",
	})
	// AND the topic policy denies publishing without TLS
	tpl.HasResourceProperties("AWS::SNS::TopicPolicy", obj{
		"PolicyDocument": objLike(obj{"Statement": arrWith(objLike(obj{
			"Effect": "Deny", "Action": "sns:Publish", "Principal": "*",
			"Condition": obj{"Bool": obj{"aws:SecureTransport": "false"}},
		}))}),
	})
	// AND no e-mail is subscribed
	tpl.ResourceCountIs("AWS::SNS::Subscription", 0)
}

func TestPendingDeletionAlarm_ExistingLogGroupCreatesNoTrail(t *testing.T) {
	// GIVEN the log group of an existing organization trail
	stack := newStack()
	lg := awslogs.LogGroup_FromLogGroupName(stack, jsii.String("OrgTrail"), jsii.String("aws-controltower/CloudTrailLogs"))
	// WHEN the construct reads it
	a := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{LogGroup: lg})
	// THEN no trail, bucket or log group is created and the filters read the given group
	tpl := synth(t, stack)
	for _, typ := range []string{"AWS::CloudTrail::Trail", "AWS::S3::Bucket", "AWS::Logs::LogGroup", "AWS::IAM::Role"} {
		tpl.ResourceCountIs(typ, 0)
	}
	tpl.AllResourcesProperties("AWS::Logs::MetricFilter", obj{"LogGroupName": "aws-controltower/CloudTrailLogs"})
	if a.Trail != nil || a.TrailBucket != nil {
		t.Error("Trail and TrailBucket must be nil with an existing log group")
	}
	if *a.LogGroup.LogGroupName() != "aws-controltower/CloudTrailLogs" {
		t.Errorf("LogGroup = %s", *a.LogGroup.LogGroupName())
	}
}

func TestPendingDeletionAlarm_RetentionAndRemovalPolicy(t *testing.T) {
	// GIVEN a stack WHEN retention is three months and data may be destroyed
	stack := newStack()
	kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{
		LogRetention:  awslogs.RetentionDays_THREE_MONTHS,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	// THEN the log group keeps 90 days and both it and the bucket are deleted with the stack
	tpl := synth(t, stack)
	tpl.HasResource("AWS::Logs::LogGroup", obj{"Properties": obj{"RetentionInDays": 90}, "DeletionPolicy": "Delete"})
	tpl.HasResource("AWS::S3::Bucket", obj{"DeletionPolicy": "Delete"})
	// AND the topic key is still retained: losing it would lose nothing, but deleting keys is what we warn about
	tpl.HasResource("AWS::KMS::Key", obj{"DeletionPolicy": "Retain"})
}

func TestPendingDeletionAlarm_CustomFilterMetricPeriodAndNames(t *testing.T) {
	// GIVEN a stack WHEN every filter, metric and alarm prop is set
	stack := newStack()
	pattern := `{ $.eventSource = "kms.amazonaws.com" && $.errorMessage = "* is pending deletion." && $.userIdentity.type = AssumedRole }`
	a := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{
		FilterPattern:         jsii.String(pattern),
		MetricNamespace:       jsii.String("Security/KMS"),
		MetricName:            jsii.String("PendingDeletionUse"),
		DisabledKeyMetricName: jsii.String("DisabledUse"),
		Period:                awscdk.Duration_Minutes(jsii.Number(1)),
		AlarmName:             jsii.String("kms-pending-deletion-used"),
		DisabledKeyAlarmName:  jsii.String("kms-disabled-key-used"),
	})
	// THEN the template carries them
	tpl := synth(t, stack)
	tpl.HasResourceProperties("AWS::Logs::MetricFilter", obj{
		"FilterPattern":         pattern,
		"MetricTransformations": arr{obj{"MetricName": "PendingDeletionUse", "MetricNamespace": "Security/KMS", "MetricValue": "1"}},
	})
	tpl.HasResourceProperties("AWS::Logs::MetricFilter", obj{
		"MetricTransformations": arr{obj{"MetricName": "DisabledUse", "MetricNamespace": "Security/KMS", "MetricValue": "1"}},
	})
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{
		"AlarmName": "kms-pending-deletion-used", "MetricName": "PendingDeletionUse", "Namespace": "Security/KMS", "Period": 60,
	})
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{
		"AlarmName": "kms-disabled-key-used", "MetricName": "DisabledUse", "Period": 60,
	})
	// AND Metric() follows the period and sums by default, but takes options
	m := a.Metric(nil)
	if *m.MetricName() != "PendingDeletionUse" || *m.Namespace() != "Security/KMS" || *m.Statistic() != "Sum" || *m.Period().ToSeconds(nil) != 60 {
		t.Errorf("Metric(nil) = %s/%s %s %v", *m.Namespace(), *m.MetricName(), *m.Statistic(), *m.Period().ToSeconds(nil))
	}
	m = a.Metric(&awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum"), Period: awscdk.Duration_Hours(jsii.Number(1))})
	if *m.Statistic() != "Maximum" || *m.Period().ToSeconds(nil) != 3600 {
		t.Errorf("Metric(opts) = %s %v", *m.Statistic(), *m.Period().ToSeconds(nil))
	}
	if dm := a.DisabledKeyMetric(nil); *dm.MetricName() != "DisabledUse" || *dm.Statistic() != "Sum" {
		t.Errorf("DisabledKeyMetric(nil) = %s %s", *dm.MetricName(), *dm.Statistic())
	}
}

func TestPendingDeletionAlarm_ExistingTopicAndEmails(t *testing.T) {
	// GIVEN an existing topic
	stack := newStack()
	topic := awssns.Topic_FromTopicArn(stack, jsii.String("Ops"), jsii.String("arn:aws:sns:us-east-1:111122223333:ops"))
	// WHEN the construct notifies it, subscribes two addresses and notifies on OK
	a := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{
		Topic:      topic,
		Emails:     []string{"security@example.com", "oncall@example.org"},
		NotifyOnOK: jsii.Bool(true),
	})
	// THEN no topic or key is created, and both alarms notify the given topic on ALARM and OK
	tpl := synth(t, stack)
	tpl.ResourceCountIs("AWS::SNS::Topic", 0)
	tpl.ResourceCountIs("AWS::KMS::Key", 1) // the trail's key only
	tpl.AllResourcesProperties("AWS::CloudWatch::Alarm", obj{
		"AlarmActions": arr{"arn:aws:sns:us-east-1:111122223333:ops"},
		"OKActions":    arr{"arn:aws:sns:us-east-1:111122223333:ops"},
	})
	// AND each address is subscribed to it
	tpl.ResourceCountIs("AWS::SNS::Subscription", 2)
	for _, e := range []string{"security@example.com", "oncall@example.org"} {
		tpl.HasResourceProperties("AWS::SNS::Subscription", obj{
			"Protocol": "email", "Endpoint": e, "TopicArn": "arn:aws:sns:us-east-1:111122223333:ops",
		})
	}
	if a.TopicKey != nil || *a.Topic.TopicArn() != "arn:aws:sns:us-east-1:111122223333:ops" {
		t.Error("Topic must be the given topic and TopicKey nil")
	}
}

func TestPendingDeletionAlarm_DisabledKeyDetectionOff(t *testing.T) {
	// GIVEN a stack WHEN disabled-key detection is switched off
	stack := newStack()
	a := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{
		DetectDisabledKeys: jsii.Bool(false),
	})
	// THEN only the pending-deletion filter and alarm exist
	tpl := synth(t, stack)
	tpl.ResourceCountIs("AWS::Logs::MetricFilter", 1)
	tpl.ResourceCountIs("AWS::CloudWatch::Alarm", 1)
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{"MetricName": "KMSKeyPendingDeletionErrorCount"})
	if a.DisabledKeyAlarm != nil || a.DisabledKeyMetricFilter != nil || a.DisabledKeyMetric(nil) != nil {
		t.Error("disabled-key members must be nil when detection is off")
	}
}

func TestPendingDeletionAlarm_DoesNotWriteDefaultsIntoProps(t *testing.T) {
	// GIVEN props with only an e-mail
	props := &kmsmonitor.PendingDeletionAlarmProps{Emails: []string{"security@example.com"}}
	// WHEN the construct is created
	kmsmonitor.NewPendingDeletionAlarm(newStack(), jsii.String("Monitor"), props)
	// THEN the caller's struct is unchanged
	if props.Period != nil || props.FilterPattern != nil || props.LogRetention != "" || props.DetectDisabledKeys != nil {
		t.Errorf("props were modified: %+v", props)
	}
}

func TestPendingDeletionAlarm_TokensAreNotValidated(t *testing.T) {
	// GIVEN values known only at deploy time
	stack := newStack()
	email := awscdk.NewCfnParameter(stack, jsii.String("Email"), nil).ValueAsString()
	name := awscdk.NewCfnParameter(stack, jsii.String("AlarmName"), nil).ValueAsString()
	// WHEN they are used as props
	kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{
		Emails: []string{*email}, AlarmName: name,
	})
	// THEN synthesis succeeds and passes them through
	tpl := synth(t, stack)
	tpl.HasResourceProperties("AWS::SNS::Subscription", obj{"Endpoint": obj{"Ref": "Email"}})
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{"AlarmName": obj{"Ref": "AlarmName"}})
}

func TestPendingDeletionAlarm_ReportsEveryProblemAtOnce(t *testing.T) {
	// GIVEN three invalid props WHEN the construct is created
	msg := panicMessage(func() {
		kmsmonitor.NewPendingDeletionAlarm(newStack(), jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{
			Emails: []string{"nope"}, Period: awscdk.Duration_Seconds(jsii.Number(10)), MetricName: jsii.String(""),
		})
	})
	// THEN one error lists all three
	for _, want := range []string{"3 invalid prop(s)", "Emails[0]", "Period", "MetricName"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestPendingDeletionAlarm_PanicValueIsValidationError(t *testing.T) {
	// GIVEN an invalid e-mail WHEN the construct panics THEN the value is a *ValidationError
	defer func() {
		err, ok := recover().(*kmsmonitor.ValidationError)
		if !ok || err.Path != "Stack/Monitor" || len(err.Problems) != 1 || err.Construct != "kmsmonitor.PendingDeletionAlarm" {
			t.Errorf("recovered %#v", err)
		}
	}()
	kmsmonitor.NewPendingDeletionAlarm(newStack(), jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{Emails: []string{"x"}})
}

func TestPendingDeletionAlarm_KeyArnDimension(t *testing.T) {
	// GIVEN a stack WHEN the KeyArn dimension is on
	stack := newStack()
	a := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{KeyArnDimension: jsii.Bool(true)})
	tpl := synth(t, stack)
	// THEN both metric filters publish the failed call's key ARN as a dimension
	tpl.AllResourcesProperties("AWS::Logs::MetricFilter", obj{"MetricTransformations": arr{objLike(obj{
		"Dimensions": arr{obj{"Key": "KeyArn", "Value": "$.resources[0].ARN"}},
	})}})
	// AND the alarms sum per KeyArn with Metrics Insights, so that each key in use is named as a contributor
	for _, name := range []string{"KMSKeyPendingDeletionErrorCount", "KMSKeyDisabledErrorCount"} {
		tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{
			"Metrics": arr{objLike(obj{
				"Expression": `SELECT SUM(` + name + `) FROM SCHEMA("CloudTrailLogMetrics", KeyArn) GROUP BY KeyArn ORDER BY SUM() DESC`,
				"Period":     300,
			})},
			"Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
		})
	}
	if _, ok := a.AlarmMetric().(awscloudwatch.MathExpression); !ok {
		t.Errorf("AlarmMetric() = %T, want a MathExpression", a.AlarmMetric())
	}
}

func TestPendingDeletionAlarm_ChecksTheExistingTrail(t *testing.T) {
	cases := map[string]struct {
		selectors []*awscloudtrail.CfnTrail_EventSelectorProperty
		warnings  []string
	}{
		"records everything": {[]*awscloudtrail.CfnTrail_EventSelectorProperty{{IncludeManagementEvents: jsii.Bool(true), ReadWriteType: jsii.String("All")}}, nil},
		"write events only": {[]*awscloudtrail.CfnTrail_EventSelectorProperty{{IncludeManagementEvents: jsii.Bool(true), ReadWriteType: jsii.String("WriteOnly")}},
			[]string{"kmsmonitor:trailWithoutReadEvents"}},
		"KMS excluded": {[]*awscloudtrail.CfnTrail_EventSelectorProperty{{IncludeManagementEvents: jsii.Bool(true), ExcludeManagementEventSources: jsii.Strings("kms.amazonaws.com")}},
			[]string{"kmsmonitor:trailExcludesKms"}},
		"no management events": {[]*awscloudtrail.CfnTrail_EventSelectorProperty{{IncludeManagementEvents: jsii.Bool(false)}},
			[]string{"kmsmonitor:trailWithoutManagementEvents"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			// GIVEN a trail of this app delivering to a log group
			stack := newStack()
			lg := awslogs.NewLogGroup(stack, jsii.String("TrailLogs"), &awslogs.LogGroupProps{RemovalPolicy: awscdk.RemovalPolicy_RETAIN})
			trail := awscloudtrail.NewCfnTrail(stack, jsii.String("Trail"), &awscloudtrail.CfnTrailProps{
				IsLogging: jsii.Bool(true), S3BucketName: jsii.String("trail-bucket"), EventSelectors: &c.selectors,
			})
			// WHEN the alarm reads that log group and is told the trail
			kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{LogGroup: lg, ExistingTrail: trail})
			// THEN synthesis warns exactly when the trail misses what the detectors need
			var got []string
			for _, w := range *assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("kmsmonitor"))) {
				_, msg := message(w)
				got = append(got, strings.Fields(msg)[len(strings.Fields(msg))-1])
				if !strings.Contains(msg, "checked on ExistingTrail Stack/Trail") {
					t.Errorf("warning does not name the trail: %v", msg)
				}
			}
			if len(got) != len(c.warnings) {
				t.Errorf("warnings %v, want %d (%v)", got, len(c.warnings), c.warnings)
			}
		})
	}
}

func TestPendingDeletionAlarm_NamedNotifications(t *testing.T) {
	// GIVEN the recipe with NamedNotifications and OK notifications
	stack := newStack()
	a := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{
		NamedNotifications: jsii.Bool(true), NotifyOnOK: jsii.Bool(true),
	})
	tpl := synth(t, stack)
	// THEN two log alarms on the trail's log group notify the topic on ALARM and OK (and when their query
	// fails: INSUFFICIENT_DATA), with 10 log lines,
	// running as two roles that may query that log group only (IAM evaluation: every template)
	tpl.ResourceCountIs("AWS::CloudWatch::LogAlarm", 2)
	tpl.AllResourcesProperties("AWS::CloudWatch::LogAlarm", obj{
		"AlarmActions": arr{ref("MonitorTopic")}, "OKActions": arr{ref("MonitorTopic")}, "InsufficientDataActions": arr{ref("MonitorTopic")},
		"ActionLogLineCount": 10, "ActionLogLineRoleArn": getAtt("MonitorLogAlarmLogLinesRole"),
		"ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 1, "QueryResultsToAlarm": 1, "QueryResultsToEvaluate": 1,
		"TreatMissingData": "notBreaching",
		"ScheduledQueryConfiguration": obj{
			"QueryString":           assertions.Match_StringLikeRegexp(jsii.String(`^filter eventSource like /\^kms/ and errorMessage like / is `)),
			"AggregationExpression": "count(*) by key, caller, operation",
			"LogGroupIdentifiers":   arr{ref("MonitorLogGroup")},
			"ScheduledQueryRoleARN": getAtt("MonitorLogAlarmQueryRole"),
			"ScheduleConfiguration": obj{"ScheduleExpression": "rate(5 minutes)", "StartTimeOffset": 900, "EndTimeOffset": 0},
		},
	})
	// AND the recipe's metric filters and alarms stay, as the AWS page has them, without actions
	tpl.ResourceCountIs("AWS::Logs::MetricFilter", 2)
	tpl.AllResourcesProperties("AWS::CloudWatch::Alarm", obj{"AlarmActions": assertions.Match_Absent(), "OKActions": assertions.Match_Absent()})
	if a.LogAlarm == nil || a.DisabledKeyLogAlarm == nil || a.Alarm == nil {
		t.Error("members missing")
	}
	// AND without it (the recipe's default) no log alarm is made and the recipe's alarms notify
	stack = newStack()
	kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), nil)
	plain := synth(t, stack)
	plain.ResourceCountIs("AWS::CloudWatch::LogAlarm", 0)
	plain.AllResourcesProperties("AWS::CloudWatch::Alarm", obj{"AlarmActions": arr{ref("MonitorTopic")}})
}

// logAlarmOf reads the log alarm whose logical ID starts with prefix.
func logAlarmOf(t *testing.T, tpl template, prefix string) logalarmtest.Alarm {
	t.Helper()
	for id, r := range tpl.JSON()["Resources"].(map[string]interface{}) {
		if strings.HasPrefix(id, prefix) && r.(map[string]interface{})["Type"] == "AWS::CloudWatch::LogAlarm" {
			a, err := logalarmtest.FromTemplate(r.(map[string]interface{})["Properties"].(map[string]interface{}))
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
	}
	t.Fatalf("no log alarm %s*", prefix)
	return logalarmtest.Alarm{}
}

func TestPendingDeletionAlarm_NamedNotificationsUnderLoad(t *testing.T) {
	// GIVEN the log alarms as synthesized
	stack := newStack()
	kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{NamedNotifications: jsii.Bool(true)})
	tpl := synth(t, stack)
	pending, disabled := logAlarmOf(t, tpl, "MonitorLogAlarm"), logAlarmOf(t, tpl, "MonitorDisabledKeyLogAlarm")
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	// records delivered to the log group 5 minutes after the call (CloudTrail's average), and one late by 12
	delivered := func(events [][]byte, delay time.Duration) []logalarmtest.Record {
		var out []logalarmtest.Record
		for _, e := range events {
			var ev struct {
				Detail json.RawMessage `json:"detail"`
			}
			_ = json.Unmarshal(e, &ev)
			var rec struct {
				EventTime time.Time `json:"eventTime"`
			}
			_ = json.Unmarshal(ev.Detail, &rec)
			out = append(out, logalarmtest.Record{JSON: ev.Detail, Received: rec.EventTime.Add(delay)})
		}
		return out
	}
	app, batch := kmseventtest.AssumedRole, kmseventtest.Caller{"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/batch/nightly", "accountId": "111122223333"}
	records := slices.Concat(
		// WHEN an application retries Decrypt 1,000 times in 10 minutes on a key pending deletion
		delivered(failedCalls(1000, kmseventtest.SingleRegionKey, "Decrypt", app, " is pending deletion."), 5*time.Minute),
		// AND, 3 minutes in, a batch job fails 200 times on another key, one of its records 12 minutes late
		delivered(shifted(failedCalls(200, kmseventtest.MultiRegionKey, "GenerateDataKey", batch, " is pending deletion."), 3*time.Minute), 5*time.Minute),
		delivered(shifted(failedCalls(1, kmseventtest.MultiRegionKey, "GenerateDataKey", batch, " is pending deletion."), 13*time.Minute), 12*time.Minute),
		// AND a disabled key is used 50 times, and another service's resource "is pending deletion." (not KMS)
		delivered(failedCalls(50, kmseventtest.SingleRegionKey, "Encrypt", app, " is disabled."), 5*time.Minute),
		delivered(otherService(20), 5*time.Minute),
	)
	for _, tc := range []struct {
		name  string
		alarm logalarmtest.Alarm
		want  []string // contributor and state of each notification
	}{
		// THEN the pending-deletion alarm notifies each key once, naming it, the caller and the operation,
		// the second key not hidden by the first; each returns to OK once the calls stop (no OK action by default)
		{"pending deletion", pending, []string{
			"ALARM " + kmseventtest.SingleRegionKey + " " + app["arn"].(string) + " Decrypt",
			"ALARM " + kmseventtest.MultiRegionKey + " " + batch["arn"].(string) + " GenerateDataKey",
			"OK " + kmseventtest.SingleRegionKey + " " + app["arn"].(string) + " Decrypt",
			"OK " + kmseventtest.MultiRegionKey + " " + batch["arn"].(string) + " GenerateDataKey",
		}},
		// AND the disabled-key alarm its own failures only
		{"disabled key", disabled, []string{
			"ALARM " + kmseventtest.SingleRegionKey + " " + app["arn"].(string) + " Encrypt",
			"OK " + kmseventtest.SingleRegionKey + " " + app["arn"].(string) + " Encrypt",
		}},
	} {
		got, err := tc.alarm.Run(records, t0, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var states []string
		for _, n := range got {
			states = append(states, n.State+" "+n.Contributor["key"]+" "+n.Contributor["caller"]+" "+n.Contributor["operation"])
		}
		if !slices.Equal(states, tc.want) {
			t.Errorf("%s: notifications\n%s\nwant\n%s", tc.name, strings.Join(states, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// shifted moves events (EventBridge events of CloudTrail records) later by d.
func shifted(events [][]byte, d time.Duration) [][]byte {
	out := make([][]byte, len(events))
	for i, e := range events {
		var ev map[string]any
		_ = json.Unmarshal(e, &ev)
		detail := ev["detail"].(map[string]any)
		at, _ := time.Parse(time.RFC3339, detail["eventTime"].(string))
		detail["eventTime"] = at.Add(d).Format(time.RFC3339)
		out[i], _ = json.Marshal(ev)
	}
	return out
}

// otherService is n records of another service's call failing with the same
// words ("... is pending deletion."), which the filter must not count.
func otherService(n int) [][]byte {
	rec := kmseventtest.Failure{EventSource: "secretsmanager.amazonaws.com", EventName: "GetSecretValue", KeyARN: "arn:aws:secretsmanager:us-west-2:111122223333:secret:db",
		Caller: kmseventtest.AssumedRole, ErrorCode: "InvalidRequestException", ErrorMessage: "The secret db is pending deletion.", ReadOnly: true}.Record()
	return failedLike(rec, n)
}

// failedLike is n copies of rec, a minute apart from 2026-11-23T10:00:00Z.
func failedLike(rec []byte, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * 10 * time.Minute / time.Duration(n))
		out[i] = kmseventtest.AsEventBridgeEvent(kmseventtest.With(rec, map[string]any{"eventTime": at.Format(time.RFC3339)}, nil))
	}
	return out
}
