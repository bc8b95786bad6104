package kmsmonitor_test

// Benchmarks of synthesis (go test -run '^$' -bench . -benchmem ./constructs/kmsmonitor/).
// Results and the machine they ran on: BENCHMARKS.md.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/cdkbyname"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudtrail"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// benchSynth builds a fresh app and stack with build, synthesizes the stack
// b.N times, and reports the template's size and resource count.
func benchSynth(b *testing.B, build func(stack awscdk.Stack)) {
	b.Helper()
	// One untimed synthesis first: the first use of each aws-cdk-lib class in
	// the Node.js process pays for loading and JIT, whichever benchmark runs first.
	warmup := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Warmup"), nil)
	build(warmup)
	assertions.Template_FromStack(warmup, nil)
	b.ResetTimer()
	var size, resources int
	for i := 0; i < b.N; i++ {
		stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Bench"), nil)
		build(stack)
		tpl := *assertions.Template_FromStack(stack, nil).ToJSON()
		if i == 0 {
			raw, err := json.Marshal(tpl)
			if err != nil {
				b.Fatal(err)
			}
			size, resources = len(raw), len(tpl["Resources"].(map[string]interface{}))
		}
	}
	b.ReportMetric(float64(size), "template-bytes")
	b.ReportMetric(float64(resources), "resources")
}

// BenchmarkKeyMonitoring synthesizes the facade's defaults with one e-mail.
func BenchmarkKeyMonitoring(b *testing.B) {
	benchSynth(b, func(stack awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{Emails: []string{"security@example.com"}})
	})
}

// BenchmarkHandWrittenBaseline synthesizes the resources, properties and
// metadata of BenchmarkKeyMonitoring written directly with aws-cdk-lib (alarm
// descriptions of the same length, placeholder texts), with no prop
// validation and no reuse: the cost of the library is the difference.
func BenchmarkHandWrittenBaseline(b *testing.B) {
	benchSynth(b, handWrittenKeyMonitoring)
}

func handWrittenKeyMonitoring(stack awscdk.Stack) {
	s := jsii.String
	text := func(n int) *string { return s(strings.Repeat("x", n)) }
	meta := func(c constructs.IConstruct, key string, value interface{}) {
		c.Node().DefaultChild().(awscdk.CfnResource).AddMetadata(s(key), value)
	}
	suppress := func(c constructs.IConstruct, n int) {
		var rules []interface{}
		for i := 0; i < n; i++ {
			rules = append(rules, map[string]interface{}{"id": "AwsSolutions-IAM5", "reason": strings.Repeat("x", 120)})
		}
		meta(c, "cdk_nag", map[string]interface{}{"rules_to_suppress": rules})
	}
	retain := awscdk.RemovalPolicy_RETAIN
	account := stack.Account()
	kms := func(id string) awskms.Key {
		return awskms.NewKey(stack, s(id), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true), RemovalPolicy: retain, Description: text(80)})
	}
	statement := func(key awskms.Key, sid, principal string, actions []string, conditions map[string]interface{}) {
		props := &awsiam.PolicyStatementProps{
			Sid: s(sid), Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(s(principal), nil)},
			Actions: jsii.Strings(actions...), Resources: jsii.Strings("*"),
		}
		if conditions != nil {
			props.Conditions = &conditions
		}
		key.AddToResourcePolicy(awsiam.NewPolicyStatement(props), nil)
	}
	// topic
	topicKey := kms("TopicKey")
	statement(topicKey, "AllowCloudWatchAlarms", "cloudwatch.amazonaws.com", []string{"kms:Decrypt", "kms:GenerateDataKey*"}, nil)
	statement(topicKey, "", "events.amazonaws.com", []string{"kms:Decrypt", "kms:GenerateDataKey*"}, nil)
	topic := awssns.NewTopic(stack, s("Topic"), &awssns.TopicProps{MasterKey: topicKey, EnforceSSL: jsii.Bool(true)})
	topic.AddSubscription(cdkbyname.EmailSubscription(s("security@example.com")))
	// trail
	trailKey := kms("TrailKey")
	statement(trailKey, "AllowCloudTrailToEncryptLogFiles", "cloudtrail.amazonaws.com", []string{"kms:GenerateDataKey*"},
		map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": account},
			"StringLike": map[string]interface{}{"kms:EncryptionContext:aws:cloudtrail:arn": stack.FormatArn(&awscdk.ArnComponents{Service: s("cloudtrail"), Region: s("*"), Resource: s("trail"), ResourceName: s("*")})}})
	statement(trailKey, "AllowCloudTrailToDescribeKey", "cloudtrail.amazonaws.com", []string{"kms:DescribeKey"},
		map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": account}})
	statement(trailKey, "AllowCloudWatchLogsOfThisAccount", "logs."+*stack.Region()+".amazonaws.com",
		[]string{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"},
		map[string]interface{}{"ArnLike": map[string]interface{}{"kms:EncryptionContext:aws:logs:arn": stack.FormatArn(&awscdk.ArnComponents{Service: s("logs"), Resource: s("log-group"), ResourceName: s("*"), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME})}})
	logs := awss3.NewBucket(stack, s("AccessLogsBucket"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(), EnforceSSL: jsii.Bool(true), Encryption: awss3.BucketEncryption_S3_MANAGED,
		Versioned: jsii.Bool(true), RemovalPolicy: retain,
	})
	suppress(logs, 4)
	bucket := awss3.NewBucket(stack, s("TrailBucket"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(), EnforceSSL: jsii.Bool(true), Versioned: jsii.Bool(true), RemovalPolicy: retain,
		Encryption: awss3.BucketEncryption_KMS, EncryptionKey: trailKey, BucketKeyEnabled: jsii.Bool(true),
	})
	suppress(bucket, 1)
	logs.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(s("logging.s3.amazonaws.com"), nil)},
		Actions:    jsii.Strings("s3:PutObject"), Resources: &[]*string{logs.ArnForObjects(s("trail-bucket/*"))},
		Conditions: &map[string]interface{}{"ArnLike": map[string]interface{}{"aws:SourceArn": bucket.BucketArn()}},
	}))
	bucket.Node().DefaultChild().(awss3.CfnBucket).SetLoggingConfiguration(&awss3.CfnBucket_LoggingConfigurationProperty{
		DestinationBucketName: logs.BucketName(), LogFilePrefix: s("trail-bucket/"),
	})
	group := awslogs.NewLogGroup(stack, s("LogGroup"), &awslogs.LogGroupProps{Retention: awslogs.RetentionDays_ONE_YEAR, EncryptionKey: trailKey, RemovalPolicy: retain})
	trail := awscloudtrail.NewTrail(stack, s("Trail"), &awscloudtrail.TrailProps{
		Bucket: bucket, EncryptionKey: trailKey, SendToCloudWatchLogs: jsii.Bool(true), CloudWatchLogGroup: group,
		IsMultiRegionTrail: jsii.Bool(true), IncludeGlobalServiceEvents: jsii.Bool(true), EnableFileValidation: jsii.Bool(true),
		ManagementEvents: awscloudtrail.ReadWriteType_ALL,
	})
	logsRole := trail.Node().FindChild(s("LogsRole"))
	logsRole.Node().DefaultChild().(awsiam.CfnRole).AddPropertyOverride(
		s("AssumeRolePolicyDocument.Statement.0.Condition"), map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": account}})
	suppress(logsRole.Node().FindChild(s("DefaultPolicy")), 1)
	meta(trail, "cfn-lint", map[string]interface{}{"config": map[string]interface{}{"ignore_checks": []string{"W3005"}}})
	// alarms
	var alarms []interfacesawscloudwatch.IAlarmRef
	var filters []awslogs.MetricFilter
	for _, m := range []struct{ id, pattern, name string }{
		{"Pending", kmsmonitor.PendingDeletionFilterPattern, "KMSKeyPendingDeletionErrorCount"},
		{"Disabled", kmsmonitor.DisabledKeyFilterPattern, "KMSKeyDisabledErrorCount"},
	} {
		filter := awslogs.NewMetricFilter(stack, s(m.id+"Filter"), &awslogs.MetricFilterProps{
			LogGroup: group, FilterPattern: awslogs.FilterPattern_Literal(s(m.pattern)),
			MetricNamespace: s("CloudTrailLogMetrics"), MetricName: s(m.name), MetricValue: s("1"),
		})
		filters = append(filters, filter)
		alarms = append(alarms, awscloudwatch.NewAlarm(stack, s(m.id+"Alarm"), &awscloudwatch.AlarmProps{
			Metric:    filter.Metric(&awscloudwatch.MetricOptions{Statistic: s("Sum"), Period: awscdk.Duration_Minutes(jsii.Number(5))}),
			Threshold: jsii.Number(1), EvaluationPeriods: jsii.Number(1), DatapointsToAlarm: jsii.Number(1), AlarmDescription: text(330),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		}))
	}
	fleet := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{Expression: s(kmsmonitor.FleetExpiryQuery), Period: awscdk.Duration_Minutes(jsii.Number(1)), Label: s("expiry")})
	alarms = append(alarms, awscloudwatch.NewAlarm(stack, s("ExpiryAlarm"), &awscloudwatch.AlarmProps{
		Metric: fleet, Threshold: jsii.Number(864000), EvaluationPeriods: jsii.Number(1), DatapointsToAlarm: jsii.Number(1), AlarmDescription: text(560),
		ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_OR_EQUAL_TO_THRESHOLD, TreatMissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
	}))
	for _, a := range alarms {
		a.(awscloudwatch.Alarm).AddAlarmAction(cdkbyname.SnsAction(topic))
	}
	// lifecycle events
	dlq := awssqs.NewQueue(stack, s("DeadLetterQueue"), &awssqs.QueueProps{
		Encryption: awssqs.QueueEncryption_SQS_MANAGED, EnforceSSL: jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)), RemovalPolicy: retain,
	})
	suppress(dlq, 1)
	awsevents.NewRule(stack, s("Lifecycle"), &awsevents.RuleProps{
		EventPattern: &awsevents.EventPattern{Source: jsii.Strings("aws.kms"),
			DetailType: jsii.Strings("KMS CMK Rotation", "KMS Imported Key Material Expiration", "KMS CMK Deletion")},
		Targets: &[]awsevents.IRuleTarget{cdkbyname.SnsTopic(topic, cdkbyname.TargetProps{
			Message: kmsmonitor.LifecycleMessage(), DeadLetterQueue: dlq, RetryAttempts: jsii.Number(185), MaxEventAge: awscdk.Duration_Hours(jsii.Number(24)),
		})},
	})
	// dashboard
	d := awscloudwatch.NewDashboard(stack, s("Dashboard"), &awscloudwatch.DashboardProps{DefaultInterval: awscdk.Duration_Days(jsii.Number(7))})
	d.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{Title: s("alarms"), Alarms: &alarms, Width: jsii.Number(24)}))
	d.AddWidgets(
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: s("calls"), Width: jsii.Number(12), Left: &[]awscloudwatch.IMetric{
			filters[0].Metric(&awscloudwatch.MetricOptions{Statistic: s("Sum"), Label: s("pending")}),
			filters[1].Metric(&awscloudwatch.MetricOptions{Statistic: s("Sum"), Label: s("disabled")}),
		}}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: s("expiry"), Width: jsii.Number(12), Left: &[]awscloudwatch.IMetric{fleet},
			LeftAnnotations: &[]*awscloudwatch.HorizontalAnnotation{{Value: jsii.Number(864000), Label: s("threshold")}}}),
	)
}

// BenchmarkPerKeyExpiryAlarms synthesizes per-key mode for 1 to 400 keys
// (400 keys: four constructs of 100 sharing one topic).
func BenchmarkPerKeyExpiryAlarms(b *testing.B) {
	for _, n := range []int{1, 10, 100, 400} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			benchSynth(b, func(stack awscdk.Stack) {
				topic := awssns.NewTopic(stack, jsii.String("Topic"), &awssns.TopicProps{EnforceSSL: jsii.Bool(true)})
				for start := 0; start < n; start += kmsmonitor.MaxKeysPerExpiryAlarm {
					var ids []string
					for i := start; i < min(start+kmsmonitor.MaxKeysPerExpiryAlarm, n); i++ {
						ids = append(ids, fmt.Sprintf("%08x-0000-0000-0000-000000000000", i))
					}
					kmsmonitor.NewKeyMaterialExpiryAlarm(stack, jsii.String(fmt.Sprintf("Expiry%d", start)), &kmsmonitor.KeyMaterialExpiryAlarmProps{
						KeyIDs: ids, Topic: topic,
					})
				}
			})
		})
	}
}

// BenchmarkFleetExpiryAlarm synthesizes fleet mode: one alarm for every key.
func BenchmarkFleetExpiryAlarm(b *testing.B) {
	benchSynth(b, func(stack awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(stack, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true)})
	})
}
