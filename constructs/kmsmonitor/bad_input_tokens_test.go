package kmsmonitor_test

import (
	"math"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// Values of CfnParameters, as users pass them: a string, a number, and the
// one element of a list token (param.ValueAsList()).
func stringParam(s awscdk.Stack, id string) string {
	return *awscdk.NewCfnParameter(s, jsii.String(id), nil).ValueAsString()
}

func numberParam(s awscdk.Stack, id string) *float64 {
	return awscdk.NewCfnParameter(s, jsii.String(id), &awscdk.CfnParameterProps{Type: jsii.String("Number")}).ValueAsNumber()
}

func listParam(s awscdk.Stack, id string) []string {
	l := awscdk.NewCfnParameter(s, jsii.String(id), &awscdk.CfnParameterProps{Type: jsii.String("CommaDelimitedList")}).ValueAsList()
	return []string{*(*l)[0]}
}

func seconds(v float64) awscdk.Duration { return awscdk.Duration_Seconds(jsii.Number(v)) }

// accented is n characters of 2 bytes each in UTF-8.
func accented(n int) string { return strings.Repeat("é", n) }

// Values that passed kmsmonitor's checks and then failed inside
// aws-cdk-lib (or jsii) with something other than a *ValidationError.
var _ = addBadInputs("panics in aws-cdk-lib", []badInput{
	{"KeyMaterialExpiryAlarm", "Expiry", "threshold of 1.5 seconds", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), Threshold: seconds(1.5)})
	}, []string{"Threshold: 1.5 seconds is not a whole number of seconds", "awscdk.Duration_Seconds(jsii.Number(2))"}},
	{"LifecycleEvents", "Events", "max event age of 59.5 seconds", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{MaxEventAge: seconds(59.5)})
	}, []string{"MaxEventAge: 59.5 seconds is not a whole number of seconds"}},
	{"LifecycleEvents", "Events", "max event age of 90.5 seconds (in range)", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{MaxEventAge: seconds(90.5)})
	}, []string{"MaxEventAge: 90.5 seconds is not a whole number"}},
	{"PendingDeletionAlarm", "Monitor", "period of 300.5 seconds", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{Period: seconds(300.5)})
	}, []string{"Period: 300.5 seconds is not a whole number of seconds"}},
	{"ExternalKeyStoreCertificateAlarm", "Monitor", "period of 10.5 seconds", func(s awscdk.Stack) {
		kmsmonitor.NewExternalKeyStoreCertificateAlarm(s, jsii.String("Monitor"), &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{
			CustomKeyStoreIDs: []string{"cks-1234567890abcdef0"}, Period: seconds(10.5)})
	}, []string{"Period: 10.5 seconds is not a whole number of seconds"}},
	{"LifecycleEvents", "Events", "rule name with spaces", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{RuleName: jsii.String("kms lifecycle")})
	}, []string{"RuleName", `"kms lifecycle" is not an EventBridge rule name`, "letters, digits, '.', '-' and '_'"}},
	{"KeyMonitoring", "Kms", "dashboard name with spaces", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{DashboardName: jsii.String("KMS health")})
	}, []string{"DashboardName", `"KMS health" is not a dashboard name`}},
	{"KeyMonitoring", "Kms", "dashboard name with a slash", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{DashboardName: jsii.String("kms/health")})
	}, []string{"DashboardName", "letters, digits, '-' and '_'"}},
	{"CentralKeyMonitoring", "Central", "bus named default", func(s awscdk.Stack) {
		kmsmonitor.NewCentralKeyMonitoring(s, jsii.String("Central"), &kmsmonitor.CentralKeyMonitoringProps{OrganizationID: jsii.String("o-a1b2c3d4e5"), EventBusName: jsii.String("default")})
	}, []string{"EventBusName", `"default" is reserved`}},
	{"CentralKeyMonitoring", "Central", "bus name with a slash", func(s awscdk.Stack) {
		kmsmonitor.NewCentralKeyMonitoring(s, jsii.String("Central"), &kmsmonitor.CentralKeyMonitoringProps{OrganizationID: jsii.String("o-a1b2c3d4e5"), EventBusName: jsii.String("org/kms")})
	}, []string{"EventBusName", `"org/kms" is not an event bus name`, "only in partner buses"}},
	{"CentralKeyMonitoring", "Central", "bus name with spaces, and a bad organization ID in the same pass", func(s awscdk.Stack) {
		kmsmonitor.NewCentralKeyMonitoring(s, jsii.String("Central"), &kmsmonitor.CentralKeyMonitoringProps{OrganizationID: jsii.String("org"), EventBusName: jsii.String("kms bus")})
	}, []string{"2 invalid prop(s)", "OrganizationID", "EventBusName", `"kms bus" is not an event bus name`}},
	{"KeyMaterialExpiryAlarm", "Expiry", "unknown TreatMissingData", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), TreatMissingData: "notBreachingg"})
	}, []string{"TreatMissingData", `"notBreachingg" is not allowed`, "awscloudwatch.TreatMissingData_BREACHING", "TreatMissingData_NOT_BREACHING"}},
	{"ExternalKeyStoreCertificateAlarm", "Monitor", "unknown TreatMissingData", func(s awscdk.Stack) {
		kmsmonitor.NewExternalKeyStoreCertificateAlarm(s, jsii.String("Monitor"), &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{
			CustomKeyStoreIDs: []string{"cks-1234567890abcdef0"}, TreatMissingData: awscloudwatch.TreatMissingData("missing")})
	}, []string{"TreatMissingData", `"missing" is not allowed`, "TreatMissingData_MISSING"}},
	{"PendingDeletionAlarm", "Monitor", "namespace with a colon", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{MetricNamespace: jsii.String("Security:KMS")})
	}, []string{"MetricNamespace", `"Security:KMS" is not a metric namespace`, "refuses ':', '*' and '$'"}},
	{"PendingDeletionAlarm", "Monitor", "namespace with a star and a metric name with a dollar", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{MetricNamespace: jsii.String("KMS*"), DisabledKeyMetricName: jsii.String("Disabled$Count")})
	}, []string{"2 invalid prop(s)", "MetricNamespace", "DisabledKeyMetricName", `"Disabled$Count" is not a metric name`}},
	{"CisKeyChangesAlarm", "Cis", "namespace with a dollar", func(s awscdk.Stack) {
		kmsmonitor.NewCisKeyChangesAlarm(s, jsii.String("Cis"), &kmsmonitor.CisKeyChangesAlarmProps{LogGroup: existingLogGroup(s), MetricNamespace: jsii.String("CIS$")})
	}, []string{"MetricNamespace", `"CIS$" is not a metric namespace`}},
	{"PendingDeletionAlarm", "Monitor", "alarm name with a control character", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{AlarmName: jsii.String("kms\npending")})
	}, []string{"AlarmName", "control character"}},
	{"AutoCancelDeletion", "Rescue", "tag key with a quote", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareTagged(`team"x`, "true")})
	}, []string{"Mode.TagKey", "is not a tag key"}},
	{"ExternalKeyStoreCertificateAlarm", "Monitor", "threshold NaN (JSON cannot carry it to jsii)", func(s awscdk.Stack) {
		kmsmonitor.NewExternalKeyStoreCertificateAlarm(s, jsii.String("Monitor"), &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{
			CustomKeyStoreIDs: []string{"cks-1234567890abcdef0"}, ThresholdDays: jsii.Number(math.NaN())})
	}, []string{"ThresholdDays: NaN is not a number"}},
	{"LifecycleEvents", "Events", "infinite retries", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{RetryAttempts: jsii.Number(math.Inf(1))})
	}, []string{"RetryAttempts: +Inf is not a number"}},
	{"DeletionGuard", "Guard", "days NaN and waiting period -Inf", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{MinDaysWithoutUsage: jsii.Number(math.NaN()), MinPendingWindowInDays: jsii.Number(math.Inf(-1))})
	}, []string{"2 invalid prop(s)", "MinDaysWithoutUsage: NaN is not a number", "MinPendingWindowInDays: -Inf is not a number"}},
	{"AutoCancelDeletion", "Rescue", "key of another Region and a bad e-mail, in one pass", func(_ awscdk.Stack) {
		stack := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{
			Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("eu-west-1")}})
		kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{
			Mode: kmsmonitor.KeyAwareListed(nil, []string{keyArn}), Emails: []string{"ops at example.com"}})
	}, []string{"2 invalid prop(s)", "Mode.KeyArns[0]", "this stack deploys to account 111122223333 in eu-west-1", "Emails[0]"}},
}...)

// Tokens that cannot work where they are given, each with the way out.
var _ = addBadInputs("tokens", []badInput{
	{"KeyMaterialExpiryAlarm", "Expiry", "list token in Emails", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), Emails: listParam(s, "Emails")})
	}, []string{"Emails[0]: is a list token", "one e-mail subscription per address", "awscdk.Fn_Select"}},
	{"KeyMonitoring", "Kms", "list token in the facade's Emails", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{Emails: listParam(s, "Emails")})
	}, []string{"Emails[0]: is a list token"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "list token in KeyIDs", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyIDs: listParam(s, "Keys")})
	}, []string{"KeyIDs[0]: is a list token", "one alarm per key", "Fn_Select"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "list token in KeyArns", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyArns: listParam(s, "Keys")})
	}, []string{"KeyArns[0]: is a list token", "one alarm per key"}},
	{"AutoCancelDeletion", "Rescue", "list token in KeyAwareListed", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, listParam(s, "Keys"))})
	}, []string{"Mode.KeyArns[0]: is a list token", "IAM resources per key"}},
	{"AutoCancelDeletion", "Rescue", "list token in AlarmDriven", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(importedAlarm(s), nil, listParam(s, "Keys"))})
	}, []string{"Mode.KeyArns[0]: is a list token"}},
	{"LifecycleEvents", "Events", "list token in KeyArns beside Keys", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{
			Keys: []awskms.IKey{awskms.Key_FromKeyArn(s, jsii.String("K"), jsii.String(keyArn))}, KeyArns: listParam(s, "Keys")})
	}, []string{"KeyArns[0]: is a list token", "2,048 characters", "Fn_Select"}},
	{"LifecycleEvents", "Events", "list token alone in KeyArns (its length, and so the rules it needs, is known only at deployment)", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{KeyArns: listParam(s, "Keys")})
	}, []string{"KeyArns[0]: is a list token", "event patterns split by the number of keys", "one string token per element"}},
	{"GrantAudit", "Audit", "list token among other KeyArns", func(s awscdk.Stack) {
		kmsmonitor.NewGrantAudit(s, jsii.String("Audit"), &kmsmonitor.GrantAuditProps{KeyArns: append([]string{keyArn}, listParam(s, "Keys")...)})
	}, []string{"KeyArns[1]: is a list token", "2,048 characters"}},
	{"OrganizationDeletionGuard", "Guard", "list token among other TargetIDs", func(s awscdk.Stack) {
		kmsmonitor.NewOrganizationDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: append([]string{"r-a1b2"}, listParam(s, "Targets")...)})
	}, []string{"TargetIDs[1]: is a list token among other elements"}},
	{"DeletionGuard", "Guard", "list token among other break-glass ARNs", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: append(listParam(s, "Principals"), "arn:aws:iam::111122223333:role/BreakGlass")})
	}, []string{"BreakGlassPrincipalArns[0]: is a list token among other elements"}},
	{"ExternalKeyStoreCertificateAlarm", "Monitor", "list token in CustomKeyStoreIDs", func(s awscdk.Stack) {
		kmsmonitor.NewExternalKeyStoreCertificateAlarm(s, jsii.String("Monitor"), &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{CustomKeyStoreIDs: listParam(s, "Stores")})
	}, []string{"CustomKeyStoreIDs[0]: is a list token", "one alarm per key store"}},
	{"MonitorTampering", "Monitor", "list token in TrailArns", func(s awscdk.Stack) {
		kmsmonitor.NewMonitorTampering(s, jsii.String("Monitor"), &kmsmonitor.MonitorTamperingProps{TrailArns: listParam(s, "Trails")})
	}, []string{"TrailArns[0]: is a list token", "per trail"}},
	{"AutoCancelDeletion", "Rescue", "token tag key", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareTagged(stringParam(s, "TagKey"), "true")})
	}, []string{"Mode.TagKey: is a token", "aws:ResourceTag/<tag key>", "the tag value may be a token"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "token period in minutes", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), Period: awscdk.Duration_Minutes(numberParam(s, "Period"))})
	}, []string{"Period: is a token in minutes", "awscdk.Duration_Seconds(param.ValueAsNumber())"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "token threshold in days", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), Threshold: awscdk.Duration_Days(numberParam(s, "Days"))})
	}, []string{"Threshold: is a token in days"}},
	{"LifecycleEvents", "Events", "token max event age in hours", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{MaxEventAge: awscdk.Duration_Hours(numberParam(s, "Age"))})
	}, []string{"MaxEventAge: is a token in hours"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "token TreatMissingData", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), TreatMissingData: awscloudwatch.TreatMissingData(stringParam(s, "Missing"))})
	}, []string{"TreatMissingData: is a token", "needs this enum's value at synthesis"}},
	{"LifecycleEvents", "Events", "token retries beside a bad rule name: the token passes, the name fails", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{RetryAttempts: numberParam(s, "Retries"), RuleName: jsii.String("a rule")})
	}, []string{"1 invalid prop(s)", "RuleName"}},
}...)

// Lengths are counted in characters, as AWS counts them: 2-byte characters
// count once.
var _ = addBadInputs("lengths in characters", []badInput{
	{"OrganizationDeletionGuard", "Guard", "policy name outside ASCII", func(s awscdk.Stack) {
		kmsmonitor.NewOrganizationDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"r-a1b2"}, PolicyName: jsii.String("garde-clés")})
	}, []string{"PolicyName", "printable ASCII characters"}},
	{"PendingDeletionAlarm", "Monitor", "alarm name of 256 accented characters", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{AlarmName: jsii.String(accented(256))})
	}, []string{"AlarmName: is 256 characters long", "at most 255"}},
	{"PendingDeletionAlarm", "Monitor", "disabled-key alarm name of 256 CJK characters", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{DisabledKeyAlarmName: jsii.String(strings.Repeat("鍵", 256))})
	}, []string{"DisabledKeyAlarmName: is 256 characters long"}},
	{"PendingDeletionAlarm", "Monitor", "metric name of 256 accented characters", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{MetricName: jsii.String(accented(256))})
	}, []string{"MetricName: is 256 characters long", "a metric name has at most 255"}},
	{"PendingDeletionAlarm", "Monitor", "namespace of 256 characters", func(s awscdk.Stack) {
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{MetricNamespace: jsii.String(strings.Repeat("n", 256))})
	}, []string{"MetricNamespace: is 256 characters long"}},
	{"PendingDeletionAlarm", "Monitor", "filter pattern of 1025 characters", func(s awscdk.Stack) {
		p := `{ $.errorMessage = "` + accented(1025-23) + `" }`
		kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{FilterPattern: jsii.String(p)})
	}, []string{"FilterPattern: is 1025 characters long", "allows 1024"}},
	{"LifecycleEvents", "Events", "rule name of 65 characters", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{RuleName: jsii.String(strings.Repeat("r", 65))})
	}, []string{"RuleName: is 65 characters long", "at most 64"}},
	{"KeyMonitoring", "Kms", "dashboard name of 256 characters", func(s awscdk.Stack) {
		kmsmonitor.NewKeyMonitoring(s, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{DashboardName: jsii.String(strings.Repeat("d", 256))})
	}, []string{"DashboardName: is 256 characters long"}},
	{"CentralKeyMonitoring", "Central", "bus name of 257 characters", func(s awscdk.Stack) {
		kmsmonitor.NewCentralKeyMonitoring(s, jsii.String("Central"), &kmsmonitor.CentralKeyMonitoringProps{OrganizationID: jsii.String("o-a1b2c3d4e5"), EventBusName: jsii.String(strings.Repeat("b", 257))})
	}, []string{"EventBusName: is 257 characters long", "at most 256"}},
	{"OrganizationDeletionGuard", "Guard", "policy name of 129 accented characters", func(s awscdk.Stack) {
		kmsmonitor.NewOrganizationDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"r-a1b2"}, PolicyName: jsii.String(accented(129))})
	}, []string{"PolicyName: is 129 characters long", "at most 128"}},
	{"AutoCancelDeletion", "Rescue", "tag key of 129 and tag value of 257 accented characters", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareTagged(accented(129), accented(257))})
	}, []string{"2 invalid prop(s)", "Mode.TagKey: is 129 characters long", "Mode.TagValue: is 257 characters long"}},
}...)
