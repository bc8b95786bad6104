//go:build longtest

// Quotas at their limits: the long tests (build tag longtest; .ci/run runs
// them, README says how). Each synthesizes a construct at the most keys,
// alarms, rules or names of the longest form a quota admits, and one past
// it: the largest templates of the suite (up to 1.3 MB; cfn-lint takes
// about 30 s of CPU for them all, and the automation role's 645 keys are
// 2,750 distinct IAM evaluations, about 11 s). The quota checks that need no
// such template (errors one past a limit: the bad-input table "AWS quotas";
// the SCP and StackSet sizes) stay in quotas_test.go.

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
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
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

var (
	worstKeyArnLen   = len("arn:aws-us-gov:kms:ap-southeast-5:111122223333:key/mrk-") + 32
	worstRuleArnLen  = len("arn:aws-us-gov:events:ap-southeast-5:111122223333:rule/") + 64
	worstQueueArnLen = len("arn:aws-us-gov:sqs:ap-southeast-5:111122223333:") + 80
)

func TestQuotas_AutomationPolicyKeysPerPolicy(t *testing.T) {
	// Key-aware mode at its longest: a break-glass list (iam:GetRole) and a topic of the longest name,
	// encrypted (the statements that report an exempt deletion).
	longest := func(s awscdk.Stack, p *kmsmonitor.AutoCancelDeletionProps) {
		p.BreakGlassPrincipalArns = []string{"arn:aws:iam::111122223333:role/BreakGlass"}
		p.Topic = awssns.Topic_FromTopicAttributes(s, jsii.String("T"), &awssns.TopicAttributes{
			TopicArn: jsii.String(fmt.Sprintf("arn:%s:sns:%s:%s:%s", worstPartition, worstRegion, worstAccount, strings.Repeat("t", 256))),
			KeyArn:   jsii.String(longestKeyArns(1)[0]),
		})
	}
	for _, c := range []struct {
		name  string
		limit int
		mode  func([]string) *kmsmonitor.AutoCancelMode
		extra func(awscdk.Stack, *kmsmonitor.AutoCancelDeletionProps)
	}{
		{"AlarmDriven", 61, func(arns []string) *kmsmonitor.AutoCancelMode {
			return kmsmonitor.AlarmDriven(awscloudwatch.Alarm_FromAlarmArn(newStack(), jsii.String("A"), jsii.String("arn:aws:cloudwatch:us-east-1:111122223333:alarm:pending")), nil, arns)
		}, nil},
		// (key-aware mode's first policy also lets the automation find who scheduled the deletion, read a role, and report)
		{"KeyAwareListed", 51, func(arns []string) *kmsmonitor.AutoCancelMode { return kmsmonitor.KeyAwareListed(nil, arns) }, longest},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, n := range []int{c.limit, c.limit + 1} {
				// GIVEN n keys of the longest ARN
				stack := newStack()
				props := &kmsmonitor.AutoCancelDeletionProps{Mode: c.mode(longestKeyArns(n))}
				if c.extra != nil {
					c.extra(stack, props)
				}
				a := kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Cancel"), props)
				tpl := synth(t, stack)
				// THEN the automation role's policies are 1 at the limit and 2 past it, each within IAM's quota
				want := 1
				if n > c.limit {
					want = 2
				}
				if len(a.AutomationPolicies) != want {
					t.Errorf("%d keys: %d automation policies; want %d", n, len(a.AutomationPolicies), want)
				}
				for sids, size := range policySizes(t, tpl) {
					if size > managedPolicyQuota {
						t.Errorf("%d keys: policy %s of %d characters; IAM allows %d", n, sids, size, managedPolicyQuota)
					}
					// AND at the limit the first policy has no room for one key more
					if n == c.limit && strings.HasPrefix(sids, "CancelDeletionOfProtectedKeys,RunThisAutomation") && size+worstKeyArnLen+3 <= managedPolicyQuota {
						t.Errorf("%d keys: policy of %d characters has room for one key more", n, size)
					}
				}
			}
		})
	}
}

func TestQuotas_AutomationPoliciesPerRole(t *testing.T) {
	// GIVEN 645 keys listed, 10 managed policies' worth WHEN synthesized
	stack := newStack()
	a := kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Cancel"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, longestKeyArns(645))})
	tpl := synth(t, stack)
	// THEN the role has 10 policies, each within the quota, and every pattern too
	if len(a.AutomationPolicies) != managedPoliciesRole {
		t.Errorf("%d automation policies; want %d", len(a.AutomationPolicies), managedPoliciesRole)
	}
	for _, size := range policySizes(t, tpl) {
		if size > managedPolicyQuota {
			t.Errorf("a managed policy of %d characters; IAM allows %d", size, managedPolicyQuota)
		}
	}
	checkPatterns(t, tpl)
	// WHEN one key more THEN a ValidationError names the quota and the way out (see the bad-input table)
}

func TestQuotas_DeadLetterQueueRules(t *testing.T) {
	// GIVEN AlarmDriven with 216 keys: 54 rules of 4 automations and a notification, one dead-letter queue
	stack := newStack()
	alarm := awscloudwatch.Alarm_FromAlarmArn(stack, jsii.String("A"), jsii.String("arn:aws:cloudwatch:us-east-1:111122223333:alarm:pending"))
	a := kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Cancel"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(alarm, nil, longestKeyArns(216))})
	tpl := synth(t, stack)
	if len(a.Rules) != 54 {
		t.Fatalf("%d rules; want 54", len(a.Rules))
	}
	// THEN the queue policy lets all of them send in one statement, within SQS's quotas
	checkSameTargets(t, tpl, targetsPerRule)
	policies := tpl.resourcesOfType("AWS::SQS::QueuePolicy")
	if len(policies) != 1 {
		t.Fatalf("%d queue policies; want 1", len(policies))
	}
	doc := worstCase(tpl, policies[0]["Properties"].(map[string]any)["PolicyDocument"]).(map[string]any)
	statements := doc["Statement"].([]any)
	if len(statements) > queueStatements || len(statements) != 2 {
		t.Errorf("%d statements; want the TLS-only deny and one for the rules", len(statements))
	}
	if n := len(minified(t, doc)); n > queuePolicyQuota {
		t.Errorf("queue policy of %d bytes; SQS allows %d", n, queuePolicyQuota)
	}
	// (55 rules: the bad-input table, "8192 bytes")
	senders := statements[1].(map[string]any)["Condition"].(map[string]any)["ArnEquals"].(map[string]any)["aws:SourceArn"].([]any)
	if len(senders) != 54 {
		t.Errorf("aws:SourceArn lists %d rules; want 54", len(senders))
	}
}

func TestQuotas_DashboardAlarmsPerWidget(t *testing.T) {
	for _, c := range []struct {
		keys int
		want []int
	}{{97, []int{100}}, {98, []int{100, 1}}} {
		// GIVEN 3 alarms (pending deletion, disabled key, fleet expiry) and one per key
		stack := newStack()
		kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
			KeyMaterialExpiry: &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyIDs: tooManyKeyIDs()[:c.keys]},
		})
		// THEN 100 alarms fit one widget, 101 take two
		if got := alarmWidgets(t, synth(t, stack)); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%d alarms: widgets of %v alarms; want %v (at most %d each)", c.keys+3, got, c.want, alarmsPerWidget)
		}
	}
}

// policySizes returns the size of each managed policy as IAM counts it, by
// the Sids of its statements.
func policySizes(t *testing.T, tpl template) map[string]int {
	out := map[string]int{}
	for _, r := range tpl.resourcesOfType("AWS::IAM::ManagedPolicy") {
		doc := worstCase(tpl, r["Properties"].(map[string]any)["PolicyDocument"]).(map[string]any)
		var sids []string
		for _, st := range doc["Statement"].([]any) {
			sids = append(sids, fmt.Sprint(st.(map[string]any)["Sid"]))
		}
		out[strings.Join(sids, ",")+fmt.Sprint(len(out))] = utf8.RuneCountInString(strings.Join(strings.Fields(minified(t, doc)), ""))
	}
	return out
}

// alarmWidgets returns the number of alarms of each alarm status widget.
func alarmWidgets(t *testing.T, tpl template) []int {
	t.Helper()
	text := dashboardText(tpl)
	var body struct {
		Widgets []struct{ Properties struct{ Alarms []any } }
	}
	if err := json.Unmarshal([]byte(text), &body); err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, w := range body.Widgets {
		if n := len(w.Properties.Alarms); n > 0 {
			out = append(out, n)
		}
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
			if typeOf(ref) == "AWS::KMS::Key" {
				return strings.Repeat("i", 36) // a key ID: a UUID, or mrk- and 32 hexadecimal digits
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
		// Not AutoCancelDeletion's StartRule: it matches kmsmonitor's own events, a pattern without keys.
		if res := r.(map[string]any); res["Type"] == "AWS::Events::Rule" && !strings.Contains(fmt.Sprint(res["Properties"].(map[string]any)["EventPattern"]), "kmsmonitor.autocancel") {
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
	{"KeyPolicyChanges", 12, func(s awscdk.Stack, arns []string) {
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
	// GIVEN 6 alarms, 7 rules and 1 trail of the longest names WHEN synthesized (a trail's name and
	// ARN appear in three alternatives: stopped or deleted; updated and selectors, not CloudFormation's;
	// a rule's name in three too: RemoveTargets apart, not CloudFormation's)
	m, tpl := build(6, 7, 1)
	// THEN one rule each, within the quota
	if len(m.AlarmRules) != 1 || len(m.EventRuleRules) != 1 || len(m.TrailRules) != 1 || m.TrailRule != m.TrailRules[0] {
		t.Errorf("rules: %d alarm, %d event rule, %d trail; want 1 each", len(m.AlarmRules), len(m.EventRuleRules), len(m.TrailRules))
	}
	checkPatterns(t, tpl)
	// GIVEN one more of each THEN two rules each, within the quota, with the same targets
	m, tpl = build(7, 8, 2)
	if len(m.AlarmRules) != 2 || len(m.EventRuleRules) != 2 || len(m.TrailRules) != 2 {
		t.Errorf("rules: %d alarm, %d event rule, %d trail; want 2 each", len(m.AlarmRules), len(m.EventRuleRules), len(m.TrailRules))
	}
	checkPatterns(t, tpl)
	checkSameTargets(t, tpl, 1)
}

func TestQuotas_GuardedKeysPerRule(t *testing.T) {
	build := func(keys int) (*kmsmonitor.KeyMonitoring, awscdk.Stack, template) {
		stack := newStack()
		for i := 0; i < keys; i++ {
			awskms.NewKey(stack, jsii.String(fmt.Sprintf("AppKey%d", i)), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
		}
		m := kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
			DeletionGuardEnabled: jsii.Bool(true), MonitorTamperingEnabled: jsii.Bool(true),
			PendingDeletionEnabled: jsii.Bool(false), KeyMaterialExpiryEnabled: jsii.Bool(false), LifecycleEventsEnabled: jsii.Bool(false), DashboardEnabled: jsii.Bool(false),
		})
		return m, stack, synth(t, stack)
	}
	// GIVEN KeyMonitoring's guard and MonitorTampering over 30 keys of the app (and the topic's key, watched by KeyRules)
	m, stack, tpl := build(30)
	// THEN one rule watches the policies of the 30, within the pattern quota (key IDs at their longest), without a warning
	pattern := toJSON(t, tpl.JSON()["Resources"].(map[string]any)[*stack.GetLogicalId(m.MonitorTampering.GuardedKeyRule.Node().DefaultChild().(awscdk.CfnElement))])
	if n := strings.Count(pattern, `"suffix"`); n != 30 {
		t.Errorf("%d keys watched; want 30", n)
	}
	checkPatterns(t, tpl)
	if got := warningsWithID(stack, "kmsmonitor:guardedKeysNotWatched"); len(got) != 0 {
		t.Errorf("warnings %+v", got)
	}
	// GIVEN one key more THEN it is named in a warning with the fix, and the rule stays within the quota
	_, stack, tpl = build(31)
	checkPatterns(t, tpl)
	if got := warningsWithID(stack, "kmsmonitor:guardedKeysNotWatched"); len(got) != 1 || !strings.Contains(got[0].msg, "not watched: Stack/AppKey30.") || !strings.Contains(got[0].msg, "MonitorTampering.Keys") {
		t.Errorf("warnings %+v; want one naming Stack/AppKey30 alone", got)
	}
}

func TestQuotas_MonitorTamperingTopicsKeysDocumentsBucketsPerRule(t *testing.T) {
	build := func(topics, keys, documents, buckets int) (*kmsmonitor.MonitorTampering, template) {
		stack := newStack()
		p := &kmsmonitor.MonitorTamperingProps{}
		for i := 0; i < topics; i++ {
			name := strings.Repeat("s", 253) + fmt.Sprintf("%03d", i) // 256, the longest topic name
			p.Topics = append(p.Topics, awssns.Topic_FromTopicArn(stack, jsii.String(fmt.Sprintf("T%d", i)), jsii.String(fmt.Sprintf("arn:%s:sns:%s:%s:%s", worstPartition, worstRegion, worstAccount, name))))
		}
		for i := 0; i < keys; i++ {
			p.Keys = append(p.Keys, awskms.Key_FromKeyArn(stack, jsii.String(fmt.Sprintf("K%d", i)), jsii.String(fmt.Sprintf("arn:%s:kms:%s:%s:key/mrk-1234abcd12ab34cd56ef12345678%04d", worstPartition, worstRegion, worstAccount, i))))
		}
		for i := 0; i < documents; i++ {
			name := strings.Repeat("d", 125) + fmt.Sprintf("%03d", i) // 128, the longest document name
			p.Documents = append(p.Documents, awsssm.NewCfnDocument(stack, jsii.String(fmt.Sprintf("D%d", i)), &awsssm.CfnDocumentProps{
				Name: jsii.String(name), DocumentType: jsii.String("Automation"),
				Content: map[string]any{"schemaVersion": "0.3", "mainSteps": []any{map[string]any{"name": "Wait", "action": "aws:sleep", "inputs": map[string]any{"Duration": "PT1M"}}}},
			}))
		}
		for i := 0; i < buckets; i++ {
			name := strings.Repeat("b", 60) + fmt.Sprintf("%03d", i) // 63, the longest bucket name
			p.Buckets = append(p.Buckets, awss3.Bucket_FromBucketName(stack, jsii.String(fmt.Sprintf("B%d", i)), jsii.String(name)))
		}
		return kmsmonitor.NewMonitorTampering(stack, jsii.String("Tampering"), p), synth(t, stack)
	}
	// GIVEN 1 topic of the longest name, 13 multi-Region keys of the longest ARNs, 13 documents
	// and 25 buckets of the longest names WHEN synthesized
	m, tpl := build(1, 13, 13, 25)
	// THEN one rule each, within the quota
	if len(m.TopicRules) != 1 || len(m.KeyRules) != 1 || len(m.DocumentRules) != 1 || len(m.BucketRules) != 1 {
		t.Errorf("rules: %d topic, %d key, %d document, %d bucket; want 1 each", len(m.TopicRules), len(m.KeyRules), len(m.DocumentRules), len(m.BucketRules))
	}
	checkPatterns(t, tpl)
	// GIVEN one more of each THEN two rules each, within the quota, with the same targets
	m, tpl = build(2, 14, 14, 26)
	if len(m.TopicRules) != 2 || len(m.KeyRules) != 2 || len(m.DocumentRules) != 2 || len(m.BucketRules) != 2 {
		t.Errorf("rules: %d topic, %d key, %d document, %d bucket; want 2 each", len(m.TopicRules), len(m.KeyRules), len(m.DocumentRules), len(m.BucketRules))
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
		if props := p["Properties"].(map[string]any); strings.Contains(fmt.Sprint(props["Queues"]), "Dlq") { // not the FIFO queues' own
			statements = append(statements, props["PolicyDocument"].(map[string]any)["Statement"].([]any)...)
		}
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

func TestMonitorTampering_FacadeWithManyAlarmsStaysWithinThePatternQuota(t *testing.T) {
	// GIVEN the facade watching its own 103 alarms, 2 unnamed metric filters and its rules
	stack := newStack()
	m := kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
		KeyMaterialExpiry:       &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyIDs: tooManyKeyIDs()[:kmsmonitor.MaxKeysPerExpiryAlarm]},
		KeyUseEventsEnabled:     jsii.Bool(true),
		GrantAuditEnabled:       jsii.Bool(true),
		MonitorTamperingEnabled: jsii.Bool(true),
	})
	tpl := synth(t, stack)
	// THEN the alarms are spread over several rules
	if len(m.MonitorTampering.AlarmRules) < 2 {
		t.Errorf("%d alarm rules for 103 alarms", len(m.MonitorTampering.AlarmRules))
	}
	// AND every pattern fits EventBridge's default quota of 2,048 characters, generated names at their longest
	for _, r := range tpl.resourcesOfType("AWS::Events::Rule") {
		pattern := r["Properties"].(map[string]any)["EventPattern"]
		if n := patternLength(t, pattern); n > 2048 {
			t.Errorf("event pattern of %d characters: %s", n, toJSON(t, pattern)[:200])
		}
		// AND no list in a pattern is empty (EventBridge refuses empty arrays)
		if strings.Contains(toJSON(t, pattern), "[]") {
			t.Errorf("empty list in pattern %s", toJSON(t, pattern))
		}
	}
	// AND unnamed metric filters are watched through their log group
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{"source": arr{"aws.logs"}, "detail": objLike(obj{
		"$or": arr{obj{"eventName": arr{"DeleteMetricFilter"}, "requestParameters": obj{"logGroupName": arr{ref("KmsPendingDeletionLogGroup")}}},
			assertions.Match_AnyValue()},
	})})})
}

func TestKeyMonitoring_DashboardRespectsWidgetLimits(t *testing.T) {
	// GIVEN 103 alarms (pending deletion, disabled key, fleet expiry, 100 per-key expiry) and per-key metrics
	stack := newStack()
	kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
		PendingDeletion:   &kmsmonitor.PendingDeletionAlarmProps{KeyArnDimension: jsii.Bool(true)},
		KeyMaterialExpiry: &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyIDs: tooManyKeyIDs()[:kmsmonitor.MaxKeysPerExpiryAlarm]},
	})
	tpl := synth(t, stack)
	var body struct {
		Widgets []struct {
			Properties struct {
				Title   string
				Alarms  []any
				Metrics []any
			}
		}
	}
	text := dashboardText(tpl)
	if err := json.Unmarshal([]byte(text), &body); err != nil {
		t.Fatalf("dashboard body: %v\n%s", err, text)
	}
	alarmWidgets, alarms := 0, 0
	for _, w := range body.Widgets {
		p := w.Properties
		// THEN no alarm widget holds more than 100 alarms, and every alarm is shown
		if len(p.Alarms) > 0 {
			alarmWidgets++
			alarms += len(p.Alarms)
			if len(p.Alarms) > 100 {
				t.Errorf("widget %q has %d alarms; CloudWatch shows at most 100", p.Title, len(p.Alarms))
			}
		}
		// AND no graph widget holds more than one Metrics Insights query
		if n := strings.Count(toJSON(t, p.Metrics), "SELECT "); n > 1 {
			t.Errorf("widget %q has %d Metrics Insights queries; CloudWatch allows one per graph", p.Title, n)
		}
	}
	if alarmWidgets != 2 || alarms != 103 {
		t.Errorf("%d alarm widgets with %d alarms; want 2 widgets, 103 alarms", alarmWidgets, alarms)
	}
}

func TestKeyMaterialExpiryAlarm_HundredKeysAllowed(t *testing.T) {
	// GIVEN the largest number of keys per-key mode takes
	var ids []string
	for i := 0; i < kmsmonitor.MaxKeysPerExpiryAlarm; i++ {
		ids = append(ids, fmt.Sprintf("%08x-0000-0000-0000-000000000000", i))
	}
	stack := newStack()
	kmsmonitor.NewKeyMaterialExpiryAlarm(stack, jsii.String("Expiry"), &kmsmonitor.KeyMaterialExpiryAlarmProps{KeyIDs: ids})
	// THEN there is one alarm per key
	synth(t, stack).ResourceCountIs("AWS::CloudWatch::Alarm", kmsmonitor.MaxKeysPerExpiryAlarm)
}

// patternLength is the length of an event pattern once deployed, each
// CloudFormation token counted as a string of the longest generated name of
// what it names: 255 characters for an alarm, 64 for a rule, 128 otherwise.
func patternLength(t *testing.T, pattern any) int {
	longest := 128
	switch fmt.Sprint(pattern.(map[string]any)["source"]) {
	case "[aws.monitoring]":
		longest = 255
	case "[aws.events]":
		longest = 64
	}
	t.Helper()
	var widen func(v any) any
	widen = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return strings.Repeat("x", longest)
				}
			}
			out := map[string]any{}
			for k, e := range x {
				out[k] = widen(e)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = widen(e)
			}
			return out
		}
		return v
	}
	return len(toJSON(t, widen(pattern)))
}

// dashboardText returns the body of the template's first dashboard, a
// Fn::Join of text and tokens, as text with each token written "TOKEN".
func dashboardText(tpl template) string {
	var text strings.Builder
	for _, part := range tpl.resourcesOfType("AWS::CloudWatch::Dashboard")[0]["Properties"].(map[string]any)["DashboardBody"].(map[string]any)["Fn::Join"].([]any)[1].([]any) {
		if s, ok := part.(string); ok {
			text.WriteString(s)
		} else {
			text.WriteString("TOKEN")
		}
	}
	return text.String()
}
