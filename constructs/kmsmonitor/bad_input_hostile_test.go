package kmsmonitor_test

// Issue 26's classes of hostile or unusual configurations, with cases of our
// own for each: the bad-input table counts them per class (TestBadInput logs it).

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

var _ = addBadInputs("quotas (KMS key policy, 500 resources per stack)", []badInput{
	{"DeletionGuard", "Guard", "a break-glass list too long for a key policy (it is in both denies)", func(s awscdk.Stack) {
		arns := make([]string, 330)
		for i := range arns {
			arns[i] = fmt.Sprintf("arn:aws:iam::111122223333:role/platform/break-glass/BreakGlassOperator%04d", i)
		}
		kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: arns})
	}, []string{"BreakGlassPrincipalArns: make the guard's key policy statements", "a key policy holds at most 32768 bytes", "wildcards"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "per-key alarms past the stack's 500 resources", func(s awscdk.Stack) {
		for i := 0; i < 450; i++ {
			awssqs.NewCfnQueue(s, jsii.String(fmt.Sprintf("Queue%d", i)), nil)
		}
		arns := make([]string, 60)
		for i := range arns {
			arns[i] = fmt.Sprintf("arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-%012d", i)
		}
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyArns: arns})
	}, []string{"Keys: 60 per-key alarms would bring stack Stack to 510 resources", "at most 500 per stack", "AllKeys"}},
	{"ExternalKeyStoreCertificateAlarm", "Monitor", "per-store alarms past the stack's 500 resources", func(s awscdk.Stack) {
		ids := make([]string, 501)
		for i := range ids {
			ids[i] = fmt.Sprintf("cks-%017x", i)
		}
		kmsmonitor.NewExternalKeyStoreCertificateAlarm(s, jsii.String("Monitor"), &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{CustomKeyStoreIDs: ids})
	}, []string{"CustomKeyStoreIDs: 501 per-store alarms would bring stack Stack to 501 resources", "another stack"}},
}...)

var _ = addBadInputs("partitions", []badInput{
	{"DeletionGuard", "Guard", "break-glass role of the commercial partition in a European Sovereign Cloud stack", func(awscdk.Stack) {
		s := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("eusc-de-east-1")}})
		kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: []string{"arn:aws:iam::111122223333:role/BreakGlass"}})
	}, []string{"BreakGlassPrincipalArns[0]", "partition aws, but this stack deploys to partition aws-eusc", "arn:aws-eusc:iam::"}},
	{"DeletionGuard", "Guard", "break-glass role of another partition than the stack's", func(awscdk.Stack) {
		kmsmonitor.NewDeletionGuard(eastStack(), jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{
			BreakGlassPrincipalArns: []string{"arn:aws:iam::111122223333:role/BreakGlass", "arn:aws-cn:iam::111122223333:role/BreakGlass"}})
	}, []string{"BreakGlassPrincipalArns[1]", "is of partition aws-cn, but this stack deploys to partition aws", "locked out", "arn:aws:iam::"}},
	{"AutoCancelDeletion", "Rescue", "break-glass role of the commercial partition in a China stack", func(awscdk.Stack) {
		s := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("cn-north-1")}})
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareAllKeys(),
			BreakGlassPrincipalArns: []string{"arn:aws:iam::111122223333:role/BreakGlass"}})
	}, []string{"BreakGlassPrincipalArns[0]", "partition aws, but this stack deploys to partition aws-cn"}},
	{"DeletionCheck", "Check", "environment-agnostic stack, break-glass roles of two partitions", func(s awscdk.Stack) {
		kmsmonitor.NewDeletionCheck(s, jsii.String("Check"), &kmsmonitor.DeletionCheckProps{
			BreakGlassPrincipalArns: []string{"arn:aws:iam::111122223333:role/BreakGlass", "arn:aws-us-gov:iam::111122223333:role/BreakGlass"}})
	}, []string{"BreakGlassPrincipalArns[1]", "is of partition aws-us-gov, but BreakGlassPrincipalArns[0] is of partition aws", "a stack deploys to one partition"}},
}...)

var _ = addBadInputs("tokens and aliases where a key is expected", []badInput{
	{"KeyMaterialExpiryAlarm", "Expiry", "the same key ARN token twice (two alarms for one key)", func(s awscdk.Stack) {
		key := awskms.NewKey(s, jsii.String("AppKey"), nil)
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyArns: []string{*key.KeyArn(), *key.KeyArn()}})
	}, []string{"KeyArns[1]: is the same token as KeyArns[0]", "give each key once"}},
	{"LifecycleEvents", "Events", "the same key ARN token twice in a pattern", func(s awscdk.Stack) {
		arn := *awscdk.NewCfnParameter(s, jsii.String("KeyArn"), nil).ValueAsString()
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{KeyArns: []string{arn, keyArn, arn}})
	}, []string{"KeyArns[2]: is the same token as KeyArns[0]"}},
	{"KeyMaterialExpiryAlarm", "Expiry", "the same key ID token twice", func(s awscdk.Stack) {
		id := *awscdk.NewCfnParameter(s, jsii.String("KeyId"), nil).ValueAsString()
		kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyIDs: []string{id, id}})
	}, []string{"KeyIDs[1]: is the same token as KeyIDs[0]"}},
	{"GrantAudit", "Audit", "an alias created in the app, its name a token", func(s awscdk.Stack) {
		key := awskms.NewKey(s, jsii.String("AppKey"), nil)
		alias := awskms.NewAlias(s, jsii.String("AppAlias"), &awskms.AliasProps{TargetKey: key,
			AliasName: awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("alias/"), awscdk.Aws_STACK_NAME()})})
		kmsmonitor.NewGrantAudit(s, jsii.String("Audit"), &kmsmonitor.GrantAuditProps{Keys: []awskms.IKey{alias}})
	}, []string{"Keys[0]: is the alias Stack/AppAlias", "alias.AliasTargetKey()"}},
	{"AutoCancelDeletion", "Rescue", "an alias in the allow list", func(s awscdk.Stack) {
		alias := awskms.Alias_FromAliasName(s, jsii.String("Imported"), jsii.String("alias/app"))
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Rescue"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed([]awskms.IKey{alias}, nil)})
	}, []string{"Mode.Keys[0]: is the alias Stack/Imported"}},
}...)

var _ = addBadInputs("names unique per organization", []badInput{
	{"OrganizationDeletionGuard", "Guard", "two guards of one stack with the default policy name", func(s awscdk.Stack) {
		kmsmonitor.NewOrganizationDeletionGuard(s, jsii.String("Roots"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"r-a1b2"}})
		kmsmonitor.NewOrganizationDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"ou-a1b2-c3d4e5f6"}})
	}, []string{`PolicyName: "kmsmonitor-deletion-guard" is also the policy name of the guard at "Stack/Roots"`, "DuplicatePolicyException", "its own PolicyName"}},
	{"OrganizationDeletionGuard", "Guard", "guards of two stacks of one app, one management account, one name", func(awscdk.Stack) {
		app := newApp()
		env := &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-east-1")}
		first := awscdk.NewStack(app, jsii.String("Prod"), &awscdk.StackProps{Env: env})
		kmsmonitor.NewOrganizationDeletionGuard(first, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"r-a1b2"}, PolicyName: jsii.String("kms-guard")})
		second := awscdk.NewStack(app, jsii.String("Stack"), &awscdk.StackProps{Env: env})
		kmsmonitor.NewOrganizationDeletionGuard(second, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"r-a1b2"}, PolicyName: jsii.String("kms-guard")})
	}, []string{`PolicyName: "kms-guard" is also the policy name of the guard at "Prod/Guard"`}},
}...)

var _ = addBadInputs("watching what cannot be seen", []badInput{
	{"MonitorTampering", "Tamper", "rules on a custom event bus, of the app and imported", func(s awscdk.Stack) {
		bus := awsevents.NewEventBus(s, jsii.String("Central"), nil)
		rule := awsevents.NewRule(s, jsii.String("OnBus"), &awsevents.RuleProps{EventBus: bus,
			EventPattern: &awsevents.EventPattern{Source: jsii.Strings("aws.kms")}})
		imported := awsevents.Rule_FromEventRuleArn(s, jsii.String("Imported"), jsii.String("arn:aws:events:us-west-2:111122223333:rule/central/kms-use"))
		kmsmonitor.NewMonitorTampering(s, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{Rules: []awsevents.IRule{rule, imported}})
	}, []string{"Rules[0]: is a rule on the event bus (a bus of the app)", "Rules[1]: is a rule on the event bus central", "matches rules of the default bus only", "remove it from Rules"}},
	{"MonitorTampering", "Tamper", "metric filter of a stack in another Region", func(awscdk.Stack) {
		app := newApp()
		west := awscdk.NewStack(app, jsii.String("West"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-west-2")}})
		group := awslogs.NewLogGroup(west, jsii.String("Trail"), nil)
		filter := awslogs.NewMetricFilter(west, jsii.String("Filter"), &awslogs.MetricFilterProps{LogGroup: group,
			FilterPattern: awslogs.FilterPattern_AllEvents(), MetricNamespace: jsii.String("Kms"), MetricName: jsii.String("Uses")})
		east := awscdk.NewStack(app, jsii.String("Stack"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-east-1")}})
		kmsmonitor.NewMonitorTampering(east, jsii.String("Tamper"), &kmsmonitor.MonitorTamperingProps{MetricFilters: []awslogs.MetricFilter{filter}})
	}, []string{"MetricFilters[0]", "the metric filter is in Region us-west-2"}},
}...)

var _ = addBadInputs("one system (exemptions that contradict each other)", []badInput{
	{"AllowDeletionWithStack", "Key", "a key given to OptOut", func(s awscdk.Stack) {
		k := awskms.NewKey(s, jsii.String("Key"), nil)
		kmsmonitor.OptOut(k)
		kmsmonitor.AllowDeletionWithStack(k)
	}, []string{"key: Stack/Key was given to OptOut", "remove one of the two calls"}},
	{"OptOut", "Key", "a key given to AllowDeletionWithStack", func(s awscdk.Stack) {
		k := awskms.NewKey(s, jsii.String("Key"), nil)
		kmsmonitor.AllowDeletionWithStack(k)
		kmsmonitor.OptOut(k)
	}, []string{"key: Stack/Key was given to AllowDeletionWithStack", "remove one of the two calls"}},
}...)
