package kmsmonitor_test

import (
	"bytes"
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

// AWS quotas, as AWS documents them (not read from the package under test).
const (
	eventPatternQuota   = 2048 // EventBridge, characters of an event pattern (default)
	managedPolicyQuota  = 6144 // IAM, characters of a managed policy without whitespace
	managedPoliciesRole = 10   // IAM, managed policies attached to a role (default)
	queuePolicyQuota    = 8192 // SQS, bytes of a queue policy
	queueStatements     = 20   // SQS, statements of a queue policy
	targetsPerRule      = 5    // EventBridge
	alarmsPerWidget     = 100  // CloudWatch, alarms of an alarm status widget
)

// Longest deployed values, in the partitions kmsmonitor supports.
const (
	worstPartition = "aws-us-gov"
	worstRegion    = "ap-southeast-5"
	worstAccount   = "111122223333"
)

var (
	worstKeyArnLen   = len("arn:aws-us-gov:kms:ap-southeast-5:111122223333:key/mrk-") + 32
	worstRuleArnLen  = len("arn:aws-us-gov:events:ap-southeast-5:111122223333:rule/") + 64
	worstQueueArnLen = len("arn:aws-us-gov:sqs:ap-southeast-5:111122223333:") + 80
)

// longestKeyArns returns n distinct literal key ARNs of the longest form.
func longestKeyArns(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("arn:%s:kms:%s:%s:key/mrk-%032x", worstPartition, worstRegion, worstAccount, i)
	}
	return out
}

// worstCase resolves the intrinsics of a template value to their longest
// deployed strings: pseudo parameters, key, rule and queue ARNs, imported
// values (key ARNs here) and other references (names of up to 128 characters).
func worstCase(tpl template, v any) any {
	resources := tpl.JSON()["Resources"].(map[string]any)
	typeOf := func(id string) string {
		if r, ok := resources[id].(map[string]any); ok {
			return r["Type"].(string)
		}
		return ""
	}
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok && len(x) == 1 {
			switch ref {
			case "AWS::Partition":
				return worstPartition
			case "AWS::Region":
				return worstRegion
			case "AWS::AccountId":
				return worstAccount
			case "AWS::URLSuffix":
				return "amazonaws.com.cn"
			}
			if params, ok := tpl.JSON()["Parameters"].(map[string]any); ok && params[ref] != nil {
				return strings.Repeat("k", worstKeyArnLen) // parameters are key ARNs in these tests
			}
			return strings.Repeat("r", 128)
		}
		if att, ok := x["Fn::GetAtt"].([]any); ok && len(x) == 1 {
			switch typeOf(att[0].(string)) {
			case "AWS::KMS::Key":
				return strings.Repeat("k", worstKeyArnLen)
			case "AWS::Events::Rule":
				return strings.Repeat("e", worstRuleArnLen)
			case "AWS::SQS::Queue":
				return strings.Repeat("q", worstQueueArnLen)
			}
			return strings.Repeat("a", 2048) // unknown: fail loudly
		}
		if _, ok := x["Fn::ImportValue"]; ok && len(x) == 1 {
			return strings.Repeat("k", worstKeyArnLen)
		}
		if join, ok := x["Fn::Join"].([]any); ok && len(x) == 1 {
			var parts []string
			for _, p := range join[1].([]any) {
				parts = append(parts, worstCase(tpl, p).(string))
			}
			return strings.Join(parts, join[0].(string))
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = worstCase(tpl, e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = worstCase(tpl, e)
		}
		return out
	}
	return v
}

// minified is v as minified JSON, as AWS stores patterns and policies.
func minified(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(b.String())
}

// rules returns the event rules of the template by logical ID.
func rulesOf(tpl template) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tpl.JSON()["Resources"].(map[string]any) {
		if res := r.(map[string]any); res["Type"] == "AWS::Events::Rule" {
			out[id] = res["Properties"].(map[string]any)
		}
	}
	return out
}

// checkPatterns asserts that every rule's pattern, at its longest, is within
// the quota, and returns the longest size.
func checkPatterns(t *testing.T, tpl template) int {
	t.Helper()
	longest := 0
	for id, r := range rulesOf(tpl) {
		n := utf8.RuneCountInString(minified(t, worstCase(tpl, r["EventPattern"])))
		if n > eventPatternQuota {
			t.Errorf("rule %s: event pattern of %d characters; EventBridge allows %d", id, n, eventPatternQuota)
		}
		longest = max(longest, n)
	}
	return longest
}

// checkSameTargets asserts that every rule has as many targets as want, each
// with its dead-letter queue and retry policy where the first rule has them.
func checkSameTargets(t *testing.T, tpl template, want int) {
	t.Helper()
	for id, r := range rulesOf(tpl) {
		targets, _ := r["Targets"].([]any)
		if len(targets) != want {
			t.Errorf("rule %s has %d targets; want %d", id, len(targets), want)
		}
		for i, tg := range targets {
			m := tg.(map[string]any)
			if _, ok := m["DeadLetterConfig"]; !ok {
				t.Errorf("rule %s target %d has no dead-letter queue", id, i)
			}
			if _, ok := m["RetryPolicy"]; !ok {
				t.Errorf("rule %s target %d has no retry policy", id, i)
			}
		}
	}
}

// keysPerRule is measured by TestQuotas_EventPatternKeysPerRule: the most
// keys of the longest form one rule of each construct lists (README, Limits).
var keysPerRule = []struct {
	name  string
	limit int
	build func(s awscdk.Stack, arns []string)
}{
	{"LifecycleEvents", 21, func(s awscdk.Stack, arns []string) {
		kmsmonitor.NewLifecycleEvents(s, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{KeyArns: arns})
	}},
	{"GrantAudit", 20, func(s awscdk.Stack, arns []string) {
		kmsmonitor.NewGrantAudit(s, jsii.String("Grants"), &kmsmonitor.GrantAuditProps{KeyArns: arns})
	}},
	{"ImportedKeyMaterialChanges", 19, func(s awscdk.Stack, arns []string) {
		kmsmonitor.NewImportedKeyMaterialChanges(s, jsii.String("Material"), &kmsmonitor.ImportedKeyMaterialChangesProps{KeyArns: arns})
	}},
	{"KeyPolicyChanges EveryChange", 19, func(s awscdk.Stack, arns []string) {
		kmsmonitor.NewKeyPolicyChanges(s, jsii.String("Policies"), &kmsmonitor.KeyPolicyChangesProps{KeyArns: arns, EveryChange: jsii.Bool(true)})
	}},
	{"KeyPolicyChanges", 16, func(s awscdk.Stack, arns []string) {
		kmsmonitor.NewKeyPolicyChanges(s, jsii.String("Policies"), &kmsmonitor.KeyPolicyChangesProps{KeyArns: arns})
	}},
	{"AutoCancelDeletion KeyAwareListed", 17, func(s awscdk.Stack, arns []string) {
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Cancel"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, arns)})
	}},
}

func TestQuotas_EventPatternKeysPerRule(t *testing.T) {
	for _, c := range keysPerRule {
		t.Run(c.name, func(t *testing.T) {
			// GIVEN as many keys of the longest ARN as one pattern holds
			stack := newStack()
			c.build(stack, longestKeyArns(c.limit))
			// WHEN synthesized
			tpl := synth(t, stack)
			// THEN one rule, its pattern within the quota, with no room for one key more
			if n := len(rulesOf(tpl)); n != 1 {
				t.Fatalf("%d rules; want 1", n)
			}
			if longest := checkPatterns(t, tpl); longest+worstKeyArnLen+3 <= eventPatternQuota {
				t.Errorf("pattern of %d characters has room for one key more: the limit is not %d", longest, c.limit)
			}

			// GIVEN one key more
			stack = newStack()
			c.build(stack, longestKeyArns(c.limit+1))
			tpl = synth(t, stack)
			// THEN the keys are split over two rules, each within the quota, with the same targets
			rules := rulesOf(tpl)
			if len(rules) != 2 {
				t.Fatalf("%d rules; want 2", len(rules))
			}
			checkPatterns(t, tpl)
			var first []any
			for _, r := range rules {
				first, _ = r["Targets"].([]any)
				break
			}
			checkSameTargets(t, tpl, len(first))
		})
	}
}

func TestQuotas_TokenKeysCountAtTheirLongest(t *testing.T) {
	tokens := func(s awscdk.Stack, n int) []awskms.IKey {
		var keys []awskms.IKey
		for i := 0; i < n; i++ {
			arn := awscdk.NewCfnParameter(s, jsii.String(fmt.Sprintf("KeyArn%d", i)), &awscdk.CfnParameterProps{Type: jsii.String("String")}).ValueAsString()
			keys = append(keys, awskms.Key_FromKeyArn(s, jsii.String(fmt.Sprintf("K%d", i)), arn))
		}
		return keys
	}
	// GIVEN 20 keys given as tokens (parameters), GrantAudit's limit for the longest ARN
	stack := newStack()
	g := kmsmonitor.NewGrantAudit(stack, jsii.String("Grants"), &kmsmonitor.GrantAuditProps{Keys: tokens(stack, 20)})
	tpl := synth(t, stack)
	// THEN one rule, within the quota once every token is the longest key ARN
	if len(g.Rules) != 1 || g.Rule != g.Rules[0] {
		t.Errorf("%d rules; want 1, Rule being the first", len(g.Rules))
	}
	checkPatterns(t, tpl)
	// WHEN one token key more THEN two rules
	stack = newStack()
	g = kmsmonitor.NewGrantAudit(stack, jsii.String("Grants"), &kmsmonitor.GrantAuditProps{Keys: tokens(stack, 21)})
	tpl = synth(t, stack)
	if len(g.Rules) != 2 {
		t.Errorf("%d rules; want 2", len(g.Rules))
	}
	checkPatterns(t, tpl)
}

func TestQuotas_MonitorTamperingNamesPerRule(t *testing.T) {
	build := func(alarms, rules, trails int) (*kmsmonitor.MonitorTampering, template) {
		stack := newStack() // its trails, alarms and rules in one place, as MonitorTampering requires
		p := &kmsmonitor.MonitorTamperingProps{}
		for i := 0; i < alarms; i++ {
			name := strings.Repeat("a", 252) + fmt.Sprintf("%03d", i) // 255, the longest alarm name
			p.Alarms = append(p.Alarms, awscloudwatch.Alarm_FromAlarmArn(stack, jsii.String(fmt.Sprintf("A%d", i)), jsii.String(fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", worstPartition, worstRegion, worstAccount, name))))
		}
		for i := 0; i < rules; i++ {
			name := strings.Repeat("r", 61) + fmt.Sprintf("%03d", i) // 64, the longest rule name
			p.Rules = append(p.Rules, awsevents.Rule_FromEventRuleArn(stack, jsii.String(fmt.Sprintf("R%d", i)), jsii.String(fmt.Sprintf("arn:%s:events:%s:%s:rule/%s", worstPartition, worstRegion, worstAccount, name))))
		}
		for i := 0; i < trails; i++ {
			name := strings.Repeat("t", 125) + fmt.Sprintf("%03d", i) // 128, the longest trail name
			p.TrailArns = append(p.TrailArns, fmt.Sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", worstPartition, worstRegion, worstAccount, name))
		}
		m := kmsmonitor.NewMonitorTampering(stack, jsii.String("Tampering"), p)
		return m, synth(t, stack)
	}
	// GIVEN 6 alarms, 8 rules and 2 trails of the longest names WHEN synthesized
	m, tpl := build(6, 8, 2)
	// THEN one rule each, within the quota
	if len(m.AlarmRules) != 1 || len(m.EventRuleRules) != 1 || len(m.TrailRules) != 1 || m.TrailRule != m.TrailRules[0] {
		t.Errorf("rules: %d alarm, %d event rule, %d trail; want 1 each", len(m.AlarmRules), len(m.EventRuleRules), len(m.TrailRules))
	}
	checkPatterns(t, tpl)
	// GIVEN one more of each THEN two rules each, within the quota, with the same targets
	m, tpl = build(7, 9, 3)
	if len(m.AlarmRules) != 2 || len(m.EventRuleRules) != 2 || len(m.TrailRules) != 2 {
		t.Errorf("rules: %d alarm, %d event rule, %d trail; want 2 each", len(m.AlarmRules), len(m.EventRuleRules), len(m.TrailRules))
	}
	checkPatterns(t, tpl)
	checkSameTargets(t, tpl, 1)
}

func TestQuotas_SharedDeadLetterQueueOnBuses(t *testing.T) {
	// GIVEN one dead-letter queue shared by 8 KeyUseEvents on custom buses (16 rules, the limit on buses)
	stack := newStack()
	dlq := awssqs.NewQueue(stack, jsii.String("Dlq"), &awssqs.QueueProps{EnforceSSL: jsii.Bool(true)})
	for i := 0; i < 8; i++ {
		bus := awsevents.NewEventBus(stack, jsii.String(fmt.Sprintf("Bus%d", i)), nil)
		kmsmonitor.NewKeyUseEvents(stack, jsii.String(fmt.Sprintf("Use%d", i)), &kmsmonitor.KeyUseEventsProps{EventBus: bus, DeadLetterQueue: dlq})
	}
	tpl := synth(t, stack)
	// THEN one statement lets the 16 rules send
	var statements []any
	for _, p := range tpl.resourcesOfType("AWS::SQS::QueuePolicy") {
		statements = append(statements, p["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any)...)
	}
	if len(statements) != 2 {
		t.Errorf("%d statements on the shared queue; want the TLS-only deny and one for the rules", len(statements))
	}
	// WHEN a ninth shares it THEN a ValidationError names the quota
	bus := awsevents.NewEventBus(stack, jsii.String("Bus8"), nil)
	wantPanic(t, func() {
		kmsmonitor.NewKeyUseEvents(stack, jsii.String("Use8"), &kmsmonitor.KeyUseEventsProps{EventBus: bus, DeadLetterQueue: dlq})
	}, "DeadLetterQueue", "8192 bytes")
}

func TestQuotas_TargetsOfSplitRules(t *testing.T) {
	// GIVEN LifecycleEvents with 22 keys (two rules) and 5 targets: the topic and 4 queues
	stack := newStack()
	var targets []awsevents.IRuleTarget
	for _, id := range []string{"a", "b", "c", "d"} {
		targets = append(targets, queueTarget(stack, id))
	}
	e := kmsmonitor.NewLifecycleEvents(stack, jsii.String("Events"), &kmsmonitor.LifecycleEventsProps{KeyArns: longestKeyArns(22), Targets: targets})
	tpl := synth(t, stack)
	// THEN each rule has the 5 targets
	if len(e.Rules) != 2 || e.Rule != e.Rules[0] {
		t.Fatalf("%d rules; want 2, Rule being the first", len(e.Rules))
	}
	for id, r := range rulesOf(tpl) {
		if n := len(r["Targets"].([]any)); n != targetsPerRule {
			t.Errorf("rule %s has %d targets; want %d", id, n, targetsPerRule)
		}
	}
	// (6 targets: the bad-input table, "6 targets in all")
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
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Cancel"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, longestKeyArns(656))})
	}, []string{"Mode", "6144 characters per managed policy", "takes 10", "KeyAwareTagged"}},
	{"AutoCancelDeletion", "Cancel", "alarm-driven rules past the dead-letter queue policy", func(s awscdk.Stack) {
		alarm := awscloudwatch.Alarm_FromAlarmArn(s, jsii.String("A"), jsii.String("arn:aws:cloudwatch:us-east-1:111122223333:alarm:pending"))
		kmsmonitor.NewAutoCancelDeletion(s, jsii.String("Cancel"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(alarm, nil, longestKeyArns(217))})
	}, []string{"DeadLetterQueue", "55 more EventBridge rules", "8192 bytes"}},
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
