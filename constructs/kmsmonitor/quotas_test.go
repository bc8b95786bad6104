package kmsmonitor_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// Quotas: the checks that need no template at a limit (the SCP and StackSet
// sizes; errors one past a limit in the bad-input table). The syntheses at
// each limit are long tests: quotas_long_test.go.

// Longest deployed values, in the partitions kmsmonitor supports.
const (
	worstPartition = "aws-us-gov"
	worstRegion    = "ap-southeast-5"
	worstAccount   = "111122223333"
)

// longestKeyArns returns n distinct literal key ARNs of the longest form.
func longestKeyArns(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("arn:%s:kms:%s:%s:key/mrk-%032x", worstPartition, worstRegion, worstAccount, i)
	}
	return out
}

var _ = addBadInputs("AWS quotas", []badInput{
	{"MonitorTampering", "Tampering", "metric filters past one event pattern", func(s awscdk.Stack) {
		var filters []awslogs.MetricFilter
		for i := 0; i < 5; i++ { // 5 log groups of 500 characters: 2,500 characters of names alone
			group := awslogs.LogGroup_FromLogGroupName(s, jsii.String(fmt.Sprintf("G%d", i)), jsii.String(fmt.Sprintf("%s%03d", strings.Repeat("g", 497), i)))
			filters = append(filters, awslogs.NewMetricFilter(s, jsii.String(fmt.Sprintf("F%d", i)), &awslogs.MetricFilterProps{
				LogGroup: group, FilterPattern: awslogs.FilterPattern_AllEvents(), MetricName: jsii.String("m"), MetricNamespace: jsii.String("n"),
			}))
		}
		kmsmonitor.NewMonitorTampering(s, jsii.String("Tampering"), &kmsmonitor.MonitorTamperingProps{MetricFilters: filters})
	}, []string{"MetricFilters", "5 metric filters in 5 log groups", "quota is 2048", "watch fewer metric filters"}},
	{"AutoCancelDeletion", "Cancel", "keys past 10 managed policies", func(s awscdk.Stack) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Cancel"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, longestKeyArns(646))})
	}, []string{"Mode", "6144 characters per managed policy", "takes 10", "KeyAwareTagged"}},
	{"AutoCancelDeletion", "Cancel", "alarm-driven rules past the dead-letter queue policy", func(s awscdk.Stack) {
		alarm := awscloudwatch.Alarm_FromAlarmArn(s, jsii.String("A"), jsii.String("arn:aws:cloudwatch:us-east-1:111122223333:alarm:pending"))
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Cancel"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(alarm, nil, longestKeyArns(217))})
	}, []string{"DeadLetterQueue", "55 more EventBridge rules", "8192 bytes"}},
	{"KeyUseEvents", "Use8", "a ninth KeyUseEvents on custom buses sharing one dead-letter queue", func(s awscdk.Stack) {
		// 8 share it (16 rules, the limit on buses: TestQuotas_SharedDeadLetterQueueOnBuses synthesizes them)
		dlq := awssqs.NewQueue(s, jsii.String("Dlq"), &awssqs.QueueProps{EnforceSSL: jsii.Bool(true)})
		for i := 0; i < 9; i++ {
			bus := awsevents.NewEventBus(s, jsii.String(fmt.Sprintf("Bus%d", i)), nil)
			kmsmonitor.NewKeyUseEvents(s, jsii.String(fmt.Sprintf("Use%d", i)), &kmsmonitor.KeyUseEventsProps{EventBus: bus, DeadLetterQueue: dlq})
		}
	}, []string{"DeadLetterQueue", "8192 bytes"}},
	{"LifecycleEvents", "Events", "rule name with keys for two rules", func(s awscdk.Stack) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{RuleName: jsii.String("kms-events"), KeyArns: longestKeyArns(22)})
	}, []string{"RuleName", "22 keys need 2 rules", "2048 characters", "leave RuleName unset"}},
}...)

func TestQuotas_ServiceControlPolicySize(t *testing.T) {
	guard := func(n int) (awscdk.Stack, string) {
		stack := newStack()
		var arns []string
		for i := 0; i < n; i++ {
			arns = append(arns, fmt.Sprintf("arn:aws:iam::%012d:role/break-glass-administrators-of-this-account", i))
		}
		msg := panicMessage(func() {
			kmsmonitor.NewOrganizationDeletionGuard(stack, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"r-a1b2"}, BreakGlassPrincipalArns: arns})
		})
		return stack, msg
	}
	// GIVEN the most break-glass ARNs that fit (found by adding one at a time)
	n := 1
	for ; n < 200; n++ {
		if _, msg := guard(n + 1); msg != "" {
			break
		}
	}
	stack, msg := guard(n)
	if msg != "" {
		t.Fatalf("%d ARNs: %s", n, msg)
	}
	// THEN the policy, as Organizations counts it (minified JSON), is within 5,120 characters and one more ARN would not be
	content := synth(t, stack).resourcesOfType("AWS::Organizations::Policy")[0]["Properties"].(map[string]any)["Content"]
	b, _ := json.Marshal(content)
	one := len(`,"arn:aws:iam::000000000000:role/break-glass-administrators-of-this-account"`)
	if size := utf8.RuneCount(b); size > 5120 || size+one <= 5120 {
		t.Errorf("%d ARNs make %d characters; want at most 5,120, and past it with one more (%d)", n, size, one)
	}
	// WHEN one more ARN is given THEN the quota is named
	_, msg = guard(n + 1)
	for _, want := range []string{"kmsmonitor.OrganizationDeletionGuard", "BreakGlassPrincipalArns", "at most 5120"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%d ARNs: message lacks %q: %s", n+1, want, msg)
		}
	}
	t.Logf("service control policy: %d break-glass ARNs of 75 characters fit", n)
}

func TestQuotas_KeyPolicySize(t *testing.T) {
	arns := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("arn:aws:iam::%012d:role/break-glass-administrators-of-this-account", i)
		}
		return out
	}
	guarded := func(n int) (awscdk.Stack, string) {
		stack := newStack()
		msg := panicMessage(func() {
			kmsmonitor.NewDeletionGuard(stack, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: arns(n)}).
				Protect(awskms.NewKey(stack, jsii.String("AppKey"), nil))
		})
		return stack, msg
	}
	// GIVEN the most break-glass ARNs the guard accepts (found by halving)
	lo, hi := 1, 1000
	for lo+1 < hi {
		if _, msg := guarded((lo + hi) / 2); msg == "" {
			lo = (lo + hi) / 2
		} else {
			hi = (lo + hi) / 2
		}
	}
	stack, msg := guarded(lo)
	if msg != "" {
		t.Fatalf("%d ARNs: %s", lo, msg)
	}
	// THEN the key policy as synthesized (its references still CloudFormation functions, longer than
	// the ARNs they become) leaves the key 2,048 bytes or more of the 32,768 KMS allows
	policy := synth(t, stack).resourcesOfType("AWS::KMS::Key")[0]["Properties"].(map[string]any)["KeyPolicy"]
	b, _ := json.Marshal(policy)
	if len(b) > 32768-2048 {
		t.Errorf("%d ARNs make a key policy of %d bytes; the guard must leave 2,048 of 32,768", lo, len(b))
	}
	// AND one more ARN is refused, naming the quota
	if _, msg := guarded(lo + 1); !strings.Contains(msg, "BreakGlassPrincipalArns") || !strings.Contains(msg, "32768 bytes") {
		t.Errorf("%d ARNs: %s", lo+1, msg)
	}
	t.Logf("key policy: %d break-glass ARNs of 75 characters fit (%d bytes as synthesized)", lo, len(b))
}

func TestQuotas_StackSetTemplateBody(t *testing.T) {
	// pad makes a member stack whose template is extra bytes longer than without it.
	build := func(extra int) (awscdk.Stack, string) {
		member, stack := memberIn(newApp(), awscdk.NewBootstraplessSynthesizer(nil))
		if extra > 0 {
			awscdk.NewCfnWaitConditionHandle(member, jsii.String("Pad"), nil)
			// Template metadata: no limit of its own (a Description has 1,024 bytes at most).
			member.TemplateOptions().SetMetadata(&map[string]interface{}{"Pad": strings.Repeat("x", extra)})
		}
		kmsmonitor.NewMemberStackSet(stack, jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
			MemberStack: member, OrganizationalUnitIDs: []string{"ou-ab12-cd34ef56"}, Regions: []string{"us-east-1"},
		})
		var body string
		msg := panicMessage(func() {
			for _, r := range *assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::CloudFormation::StackSet"), nil) {
				body = (*r)["Properties"].(map[string]any)["TemplateBody"].(string)
			}
		})
		return stack, body + msg
	}
	// GIVEN the member template's size with one character of padding
	_, base := build(1)
	// WHEN it is padded to exactly 51,200 bytes THEN the StackSet synthesizes with that body
	at := 51200 - len(base) + 1
	_, body := build(at)
	if len(body) != 51200 {
		t.Fatalf("body of %d bytes, want 51,200 (or a failure: %.300s)", len(body), body)
	}
	// WHEN one byte more THEN synthesis fails naming the quota
	_, msg := build(at + 1)
	for _, want := range []string{"kmsmonitor.MemberStackSet", "51201 bytes", "at most 51,200"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %.500s", want, msg)
		}
	}
}
