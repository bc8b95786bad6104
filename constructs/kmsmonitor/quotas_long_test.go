//go:build longtest

// Quotas at their limits with hundreds of keys or alarms: long tests (build
// tag longtest; .ci/run runs them, README says how). Their templates (some
// 1.3 MB) take cfn-lint about 20 s of CPU, and the automation role's 655 keys
// are 2,750 distinct IAM evaluations (about 11 s).

package kmsmonitor_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

func TestQuotas_AutomationPolicyKeysPerPolicy(t *testing.T) {
	for _, c := range []struct {
		name  string
		limit int
		mode  func([]string) *kmsmonitor.AutoCancelMode
	}{
		{"AlarmDriven", 61, func(arns []string) *kmsmonitor.AutoCancelMode {
			return kmsmonitor.AlarmDriven(awscloudwatch.Alarm_FromAlarmArn(newStack(), jsii.String("A"), jsii.String("arn:aws:cloudwatch:us-east-1:111122223333:alarm:pending")), nil, arns)
		}},
		{"KeyAwareListed", 61, func(arns []string) *kmsmonitor.AutoCancelMode { return kmsmonitor.KeyAwareListed(nil, arns) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, n := range []int{c.limit, c.limit + 1} {
				// GIVEN n keys of the longest ARN
				stack := newStack()
				a := kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Cancel"), &kmsmonitor.AutoCancelDeletionProps{Mode: c.mode(longestKeyArns(n))})
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
	// GIVEN 655 keys listed, 10 managed policies' worth WHEN synthesized
	stack := newStack()
	a := kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Cancel"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, longestKeyArns(655))})
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
