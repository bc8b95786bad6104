package kmsmonitor

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

const (
	// KeyMaterialExpiryMetricName is the AWS/KMS metric of keys with imported
	// key material that expires; its only dimension is KeyId.
	KeyMaterialExpiryMetricName = "SecondsUntilKeyMaterialExpiration"
	// MaxKeysPerExpiryAlarm bounds per-key mode: one alarm per key, and a
	// stack holds at most 500 resources. Use AllKeys beyond it.
	MaxKeysPerExpiryAlarm = 100
	// FleetExpiryQuery is the Metrics Insights query of fleet mode: one time
	// series per key, so each key in breach is a contributor the alarm names.
	FleetExpiryQuery = `SELECT MIN(SecondsUntilKeyMaterialExpiration) FROM SCHEMA("AWS/KMS", KeyId) GROUP BY KeyId ORDER BY MIN() ASC`
)

// KeyMaterialExpiryAlarmProps configures a KeyMaterialExpiryAlarm. Give keys
// (Keys, KeyArns, KeyIDs), set AllKeys, or both.
type KeyMaterialExpiryAlarmProps struct {
	// Keys to watch, one alarm each. Not aliases: CloudWatch publishes the
	// metric under the key ID.
	// Default: none.
	Keys []awskms.IKey
	// KeyArns of keys to watch, one alarm each (literals or tokens).
	// Default: none.
	KeyArns []string
	// KeyIDs of keys to watch, one alarm each (such as
	// 1234abcd-12ab-34cd-56ef-1234567890ab or mrk-1234abcd12ab34cd56ef1234567890ab).
	// Default: none.
	KeyIDs []string
	// AllKeys adds one alarm on a Metrics Insights query that covers every key
	// of the account and Region, present and future (fleet mode).
	// Default: false.
	AllKeys *bool

	// Threshold is how long before expiry the alarm fires; more than 0 and at
	// most 365 days.
	// Default: 10 days (864000 seconds).
	Threshold awscdk.Duration
	// Period of the Minimum statistic: 10 seconds, 30 seconds or whole minutes up to 1 day.
	// A token (awscdk.Duration_Seconds(param.ValueAsNumber())) sets the
	// alarms' period; Metric() and dashboard graphs then show 1 minute.
	// Default: 1 minute.
	Period awscdk.Duration
	// TreatMissingData of every alarm. The metric exists only while a key has
	// imported material with an expiry: it stops when the material expires
	// (reported by the "KMS Imported Key Material Expiration" event, see
	// LifecycleEvents) or is re-imported without expiry. Both end the
	// condition this alarm warns of, so the alarm returns to OK, and a key
	// without expiring material reads OK rather than INSUFFICIENT_DATA.
	// Default: awscloudwatch.TreatMissingData_NOT_BREACHING.
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
	// shared is the notification a composing construct (KeyMonitoring,
	// CentralKeyMonitoring) decided for all its parts; used when Topic is nil.
	shared *alerting.Notification
}

// KeyMaterialExpiryAlarm raises an alarm before the imported key material of
// a KMS key expires, per key and/or for every key of the account and Region.
type KeyMaterialExpiryAlarm struct {
	constructs.Construct

	// KeyAlarms has one alarm per key, in the order Keys, KeyArns, KeyIDs.
	KeyAlarms []awscloudwatch.Alarm
	// FleetAlarm covers every key; nil unless AllKeys is set.
	FleetAlarm awscloudwatch.Alarm
	// Topic receives the notifications.
	Topic awssns.ITopic
	// TopicKey encrypts Topic; nil when Topic was given.
	TopicKey awskms.Key

	period      awscdk.Duration
	periodToken *float64 // the alarms' period when Period is a token
	threshold   *float64 // seconds
	fleetMetric awscloudwatch.MathExpression
}

// NewKeyMaterialExpiryAlarm creates a KeyMaterialExpiryAlarm. It panics with a
// *ValidationError when props are invalid.
func NewKeyMaterialExpiryAlarm(scope constructs.Construct, id *string, props *KeyMaterialExpiryAlarmProps) *KeyMaterialExpiryAlarm {
	p, node, c := start("kmsmonitor.KeyMaterialExpiryAlarm", scope, id, props)
	keys := p.watchedKeys(c)
	checkStackRoom(c, "Keys", node, len(keys), "per-key alarms",
		"set AllKeys: jsii.Bool(true) for one alarm that covers every key, or give some of the keys to a KeyMaterialExpiryAlarm in another stack")
	c.SameEnv(warnKeyEnvironment, "CloudWatch publishes a key's SecondsUntilKeyMaterialExpiration in the key's own account and Region, where the alarm must be",
		"create one KeyMaterialExpiryAlarm per account and Region, in a stack of that environment", keysPlaced(keys, true))
	c.DurationRange("Threshold", p.Threshold, 0, 365*86400,
		"give more than 0 and at most 365 days, such as awscdk.Duration_Days(jsii.Number(10))")
	c.AlarmPeriod("Period", p.Period)
	alerting.CheckTreatMissingData(c, "TreatMissingData", p.TreatMissingData)
	alerting.CheckDeliveryProps(c, p.Topic, nil, p.Emails)
	c.PanicIfAny()

	if p.Period == nil {
		p.Period = awscdk.Duration_Minutes(jsii.Number(1))
	}
	if p.TreatMissingData == "" {
		p.TreatMissingData = awscloudwatch.TreatMissingData_NOT_BREACHING
	}

	a := &KeyMaterialExpiryAlarm{Construct: node}
	a.period, a.periodToken = alerting.MetricPeriod(p.Period)
	n := alerting.Decide(node, p.Topic, p.Emails, p.NotifyOnOK, p.shared)
	a.Topic, a.TopicKey = n.Topic, n.Key
	threshold, human := 864000.0, "10 days" // the default, without jsii calls
	if p.Threshold != nil {
		threshold, human = *p.Threshold.ToSeconds(nil), *p.Threshold.ToHumanString()
		if propcheck.Unresolved(threshold) {
			// A token's human string would be computed from its placeholder number.
			human = *awscdk.Token_AsString(threshold, nil) + " seconds"
		}
	}
	a.threshold = jsii.Number(threshold)
	fix := "When it expires, AWS KMS deletes the material and the key becomes unusable until the same material is imported again. " +
		"Re-import the key material with a later expiration date (aws kms get-parameters-for-import, then aws kms import-key-material --valid-to), or without expiry."

	for _, k := range keys {
		a.KeyAlarms = append(a.KeyAlarms, alerting.NewAlarm(node, k.constructID, alerting.AlarmSpec{
			Metric:           a.Metric(k.id),
			Threshold:        threshold,
			Comparison:       awscloudwatch.ComparisonOperator_LESS_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData: p.TreatMissingData,
			Description:      fmt.Sprintf("The imported key material of KMS key %s expires in %s or less. %s", *k.id, human, fix),
			PeriodToken:      a.periodToken,
		}, n))
	}
	if p.AllKeys != nil && *p.AllKeys {
		a.FleetAlarm = alerting.NewAlarm(node, "AllKeys", alerting.AlarmSpec{
			Metric:           a.FleetMetric(),
			Threshold:        threshold,
			Comparison:       awscloudwatch.ComparisonOperator_LESS_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData: p.TreatMissingData,
			Description: fmt.Sprintf("The imported key material of a KMS key of this account and Region expires in %s or less. "+
				"Each key in breach is a contributor of this alarm, named by its KeyId in the notification "+
				"(also: aws cloudwatch describe-alarm-contributors --alarm-name <this alarm>). %s", human, fix),
			PeriodToken: a.periodToken,
		}, n)
	}
	return a
}

// Metric returns SecondsUntilKeyMaterialExpiration of one key (statistic
// Minimum over the alarm period). keyID is the key ID, not its ARN.
func (a *KeyMaterialExpiryAlarm) Metric(keyID *string) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String("AWS/KMS"),
		MetricName:    jsii.String(KeyMaterialExpiryMetricName),
		DimensionsMap: &map[string]*string{"KeyId": keyID},
		Statistic:     awscloudwatch.Stats_MINIMUM(),
		Period:        a.period,
	})
}

// ThresholdSeconds is the alarms' threshold: the seconds before expiry at
// which they fire.
func (a *KeyMaterialExpiryAlarm) ThresholdSeconds() float64 { return *a.threshold }

// FleetMetric returns the Metrics Insights query of fleet mode: the minimum
// SecondsUntilKeyMaterialExpiration of each key of the account and Region,
// over the alarm period. It works with or without AllKeys.
func (a *KeyMaterialExpiryAlarm) FleetMetric() awscloudwatch.MathExpression {
	if a.fleetMetric == nil {
		a.fleetMetric = awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String(FleetExpiryQuery),
			Period:     a.period,
			Label:      jsii.String("Seconds until key material expiration"),
		})
	}
	return a.fleetMetric
}

// watchedKeys resolves the keys given and checks their number.
func (p *KeyMaterialExpiryAlarmProps) watchedKeys(c *propcheck.Checker) []keyRef {
	keys := keyInput{keys: p.Keys, keyArns: p.KeyArns, keyIDs: p.KeyIDs, why: "CloudWatch publishes the metric under a key ID", perKey: "one alarm per key"}.resolve(c)
	n := len(p.Keys) + len(p.KeyArns) + len(p.KeyIDs)
	switch {
	case n == 0 && (p.AllKeys == nil || !*p.AllKeys):
		c.Addf("Keys", "no key to watch; give Keys, KeyArns or KeyIDs, or set AllKeys: jsii.Bool(true) to watch every key of the account and Region")
	case n > MaxKeysPerExpiryAlarm:
		c.Addf("Keys", "%d keys would add %d alarms, and a stack holds at most 500 resources; set AllKeys: jsii.Bool(true) for one alarm that covers every key, or split the keys across stacks (at most %d here)",
			n, n, MaxKeysPerExpiryAlarm)
	}
	return keys
}
