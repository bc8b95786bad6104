package kmsmonitor

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

const (
	// CisKeyChangesFilterPattern is the filter of the CIS AWS Foundations
	// Benchmark control "Ensure a log metric filter and alarm exist for
	// disabling or scheduled deletion of customer created CMKs" (AWS Security
	// Hub CloudWatch.7), character for character: Security Hub compares it.
	CisKeyChangesFilterPattern = "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}"
	// CisKeyChangesSuccessfulOnlyFilterPattern is the stricter variant that
	// ignores failed attempts (records with an errorCode). Security Hub does
	// not recognize it as the CIS control.
	CisKeyChangesSuccessfulOnlyFilterPattern = "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) && ($.errorCode NOT EXISTS)}"
)

// CisKeyChangesAlarmProps configures CisKeyChangesAlarm.
type CisKeyChangesAlarmProps struct {
	// LogGroup is the log group of a multi-Region trail that records
	// management events (PendingDeletionAlarm.LogGroup, or your own trail's).
	LogGroup awslogs.ILogGroup
	// SuccessfulOnly uses CisKeyChangesSuccessfulOnlyFilterPattern, which
	// ignores failed attempts but is not the exact CIS string.
	// Default: false (the exact CIS filter).
	SuccessfulOnly *bool
	// MetricNamespace of the metric.
	// Default: "CISBenchmark".
	MetricNamespace *string
	// MetricName of the metric.
	// Default: "KMSKeyDisabledOrScheduledForDeletion".
	MetricName *string
	// Topic receives the alarm notifications.
	// Default: a new SNS topic encrypted with a new customer managed KMS key.
	Topic awssns.ITopic
	// Emails are subscribed to Topic.
	// Default: no subscription.
	Emails []string
	// NotifyOnOK also notifies when the alarm returns to OK.
	// Default: false.
	NotifyOnOK *bool
	// shared is the notification a composing construct (KeyMonitoring,
	// CentralKeyMonitoring) decided for all its parts; used when Topic is nil.
	shared *alerting.Notification
}

// CisKeyChangesAlarm is the CIS AWS Foundations Benchmark control on KMS keys
// (Security Hub CloudWatch.7): a metric filter and an alarm, Sum over 5
// minutes >= 1, for DisableKey and ScheduleKeyDeletion calls.
type CisKeyChangesAlarm struct {
	constructs.Construct

	// MetricFilter counts the calls.
	MetricFilter awslogs.MetricFilter
	// Alarm fires on one call.
	Alarm awscloudwatch.Alarm
	// Topic receives the notifications.
	Topic awssns.ITopic
	// TopicKey encrypts Topic; nil when Topic was given.
	TopicKey awskms.Key
}

// NewCisKeyChangesAlarm creates CisKeyChangesAlarm. It panics with a
// *ValidationError when props are invalid.
func NewCisKeyChangesAlarm(scope constructs.Construct, id *string, props *CisKeyChangesAlarmProps) *CisKeyChangesAlarm {
	p, node, c := start("kmsmonitor.CisKeyChangesAlarm", scope, id, props)
	if p.LogGroup == nil {
		c.Addf("LogGroup", "is missing; pass the log group of a trail that records management events, such as PendingDeletionAlarm.LogGroup")
	}
	checkLogGroup(c, p.LogGroup)
	c.MetricNamespace("MetricNamespace", p.MetricNamespace, DefaultMetricNamespace)
	c.AWSName("MetricName", p.MetricName, propcheck.MetricName)
	alerting.CheckDeliveryProps(c, p.Topic, nil, p.Emails)
	c.PanicIfAny()

	pattern := CisKeyChangesFilterPattern
	if p.SuccessfulOnly != nil && *p.SuccessfulOnly {
		pattern = CisKeyChangesSuccessfulOnlyFilterPattern
	}
	a := &CisKeyChangesAlarm{Construct: node}
	n := alerting.Decide(node, p.Topic, p.Emails, p.NotifyOnOK, p.shared)
	a.Topic, a.TopicKey = n.Topic, n.Key
	a.MetricFilter = awslogs.NewMetricFilter(node, jsii.String("MetricFilter"), &awslogs.MetricFilterProps{
		LogGroup:        p.LogGroup,
		FilterPattern:   awslogs.FilterPattern_Literal(jsii.String(pattern)),
		MetricNamespace: orDefault(p.MetricNamespace, "CISBenchmark"),
		MetricName:      orDefault(p.MetricName, "KMSKeyDisabledOrScheduledForDeletion"),
		MetricValue:     jsii.String("1"),
	})
	a.Alarm = alerting.NewAlarm(node, "Alarm", alerting.AlarmSpec{
		Metric: a.MetricFilter.Metric(&awscloudwatch.MetricOptions{
			Statistic: jsii.String("Sum"), Period: awscdk.Duration_Minutes(jsii.Number(5)),
		}),
		Threshold:        1,
		Comparison:       awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
		Description: "CIS AWS Foundations Benchmark (Security Hub CloudWatch.7): a customer managed KMS key was disabled or scheduled for deletion. " +
			"Check in CloudTrail (eventName DisableKey or ScheduleKeyDeletion) who did it and whether it was intended; cancel an unintended deletion with aws kms cancel-key-deletion.",
	}, n)
	return a
}
