package kmsmonitor

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

// XksCertificateMetricName is the AWS/KMS metric of the days left before the
// TLS certificate of an external key store's proxy endpoint expires. Its
// dimensions are CustomKeyStoreId and CertificateName, the subject CN
// (AWS KMS Developer Guide, "Monitor KMS keys with Amazon CloudWatch",
// https://docs.aws.amazon.com/kms/latest/developerguide/monitoring-cloudwatch.html#metric-xks-proxy-certificate-days-to-expire).
const XksCertificateMetricName = "XksProxyCertificateDaysToExpire"

// ExternalKeyStoreCertificateAlarmProps configures ExternalKeyStoreCertificateAlarm.
type ExternalKeyStoreCertificateAlarmProps struct {
	// CustomKeyStoreIDs of the external key stores to watch, one alarm each,
	// such as cks-1234567890abcdef0. Required: AWS KMS publishes the metric
	// per store, and one alarm cannot cover stores created later.
	CustomKeyStoreIDs []string
	// ThresholdDays: the alarm fires when fewer days than this are left;
	// more than 0 and at most 365.
	// Default: 10, as the AWS KMS Developer Guide advises.
	ThresholdDays *float64
	// Period of the Minimum statistic: 10 seconds, 30 seconds or whole minutes up to 1 day.
	// A token (awscdk.Duration_Seconds(param.ValueAsNumber())) sets the
	// alarms' period; Metric() and dashboard graphs then show 1 minute.
	// Default: 5 minutes, as the AWS KMS Developer Guide advises.
	Period awscdk.Duration
	// TreatMissingData of every alarm. AWS KMS publishes no value while the
	// store is disconnected, nor for a certificate whose subject CN has a
	// wildcard (AWS KMS Developer Guide, "Monitor external key stores"):
	// the alarm then shows INSUFFICIENT_DATA rather than a false OK.
	// Default: awscloudwatch.TreatMissingData_MISSING.
	TreatMissingData awscloudwatch.TreatMissingData
	// Topic receives the alarm notifications.
	// Default: a new SNS topic encrypted with a new customer managed KMS key.
	Topic awssns.ITopic
	// Emails are subscribed to the topic.
	// Default: no subscription.
	Emails []string
	// NotifyOnOK also notifies the topic when an alarm returns to OK.
	// Default: false.
	NotifyOnOK *bool
	// shared is the notification a composing construct (KeyMonitoring)
	// decided for all its parts; used when Topic is nil.
	shared *alerting.Notification
}

// ExternalKeyStoreCertificateAlarm raises an alarm before the TLS certificate
// of an external key store proxy expires: then AWS KMS can no longer reach
// the proxy, and everything protected by the store's keys is unreadable
// until the certificate is renewed (AWS KMS Developer Guide, "Create
// CloudWatch alarms for external key stores",
// https://docs.aws.amazon.com/kms/latest/developerguide/xks-alarms.html).
// Each alarm is a Metrics Insights query on XksCertificateMetricName
// filtered by CustomKeyStoreId only, so it needs no certificate name and
// keeps working when the certificate is replaced by one with another CN.
type ExternalKeyStoreCertificateAlarm struct {
	constructs.Construct

	// Alarms has one alarm per store, in the order of CustomKeyStoreIDs.
	Alarms []awscloudwatch.Alarm
	// Topic receives the notifications.
	Topic awssns.ITopic
	// TopicKey encrypts Topic; nil when Topic was given.
	TopicKey awskms.Key
}

var customKeyStoreIDRE = regexp.MustCompile(`^cks-[0-9a-zA-Z]{1,60}$`)

// XksCertificateQuery is the Metrics Insights query of the alarm on store:
// FROM the namespace without SCHEMA matches the metric whatever its other
// dimensions, and MIN keeps the certificate closest to expiry.
func XksCertificateQuery(store string) string {
	return fmt.Sprintf(`SELECT MIN(%s) FROM "AWS/KMS" WHERE CustomKeyStoreId = '%s'`, XksCertificateMetricName, store)
}

// NewExternalKeyStoreCertificateAlarm creates ExternalKeyStoreCertificateAlarm.
// It panics with a *ValidationError when props are invalid.
func NewExternalKeyStoreCertificateAlarm(scope constructs.Construct, id *string, props *ExternalKeyStoreCertificateAlarmProps) *ExternalKeyStoreCertificateAlarm {
	p, node, c := start("kmsmonitor.ExternalKeyStoreCertificateAlarm", scope, id, props)
	if len(p.CustomKeyStoreIDs) == 0 {
		c.Addf("CustomKeyStoreIDs", "is empty; give the ID of each external key store to watch, such as cks-1234567890abcdef0 (aws kms describe-custom-key-stores)")
	}
	c.ListTokens("CustomKeyStoreIDs", p.CustomKeyStoreIDs, "one alarm per key store")
	seen := map[string]bool{}
	for i, s := range p.CustomKeyStoreIDs {
		switch {
		case propcheck.Unresolved(s):
		case !customKeyStoreIDRE.MatchString(s):
			c.Addf(fmt.Sprintf("CustomKeyStoreIDs[%d]", i), "%q is not a custom key store ID; give one such as cks-1234567890abcdef0", s)
		case seen[s]:
			c.Addf(fmt.Sprintf("CustomKeyStoreIDs[%d]", i), "%q is listed twice; remove the duplicate", s)
		}
		seen[s] = true
	}
	threshold := 10.0
	if p.ThresholdDays != nil {
		threshold = *p.ThresholdDays
		if v, ok := c.Number("ThresholdDays", p.ThresholdDays, 0, 365, false, "give more than 0 and at most 365 days, such as 10"); ok && v == 0 {
			c.Addf("ThresholdDays", "0 is out of range; give more than 0 and at most 365 days, such as 10")
		}
	}
	if p.Period == nil {
		p.Period = awscdk.Duration_Minutes(jsii.Number(5))
	}
	c.AlarmPeriod("Period", p.Period)
	alerting.CheckTreatMissingData(c, "TreatMissingData", p.TreatMissingData)
	if p.TreatMissingData == "" {
		p.TreatMissingData = awscloudwatch.TreatMissingData_MISSING
	}
	alerting.CheckDeliveryProps(c, p.Topic, nil, p.Emails)
	checkStackRoom(c, "CustomKeyStoreIDs", node, len(p.CustomKeyStoreIDs), "per-store alarms",
		"give some of the stores to an ExternalKeyStoreCertificateAlarm in another stack")
	c.PanicIfAny()

	thresholdText := fmt.Sprint(threshold)
	if propcheck.Unresolved(threshold) {
		thresholdText = *awscdk.Token_AsString(threshold, nil) // a CfnParameter's value, in the description too
	}
	a := &ExternalKeyStoreCertificateAlarm{Construct: node}
	n := alerting.Decide(node, p.Topic, p.Emails, p.NotifyOnOK, p.shared)
	a.Topic, a.TopicKey = n.Topic, n.Key
	period, periodToken := alerting.MetricPeriod(p.Period)
	for i, store := range p.CustomKeyStoreIDs {
		metric := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String(XksCertificateQuery(store)),
			Period:     period,
			Label:      jsii.String("Days before the XKS proxy certificate expires"),
		})
		a.Alarms = append(a.Alarms, alerting.NewAlarm(node, fmt.Sprintf("Alarm%d", i), alerting.AlarmSpec{
			Metric:           metric,
			Threshold:        threshold,
			Comparison:       awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
			TreatMissingData: p.TreatMissingData,
			Description: fmt.Sprintf("kmsmonitor: the TLS certificate of the proxy of external key store %s expires in less than %s days. "+
				"When it expires, AWS KMS cannot reach the proxy and data protected by the store's keys is unreadable: renew the certificate "+
				"(aws kms describe-custom-key-stores --custom-key-store-id %s shows the endpoint).", store, thresholdText, store),
			PeriodToken: periodToken,
		}, n))
	}
	return a
}
