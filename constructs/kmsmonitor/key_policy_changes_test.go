package kmsmonitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/eventbridgetest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/iamsimtest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/kmseventtest"
)

func TestKeyPolicyChanges_PublicPrincipalRuleAndMessage(t *testing.T) {
	// GIVEN a stack WHEN key policy changes are watched with the defaults
	stack := newStack()
	k := kmsmonitor.NewKeyPolicyChanges(stack, jsii.String("Policies"), nil)
	tpl := synth(t, stack)
	// THEN one ENABLED rule matches successful PutKeyPolicy and CreateKey whose policy names the principal "*"
	wildcards := func(patterns []string) arr {
		var out arr
		for _, w := range patterns {
			out = append(out, obj{"wildcard": w})
		}
		return out
	}
	tpl.HasResourceProperties("AWS::Events::Rule", obj{
		"EventPattern": obj{
			"source": arr{"aws.kms"}, "detail-type": arr{"AWS API Call via CloudTrail"},
			"detail": obj{
				"eventSource": arr{"kms.amazonaws.com"}, "eventName": arr{"PutKeyPolicy", "CreateKey"},
				"errorCode": arr{obj{"exists": false}},
				// a statement allowing "*", whoever calls; naming "*", anyone but CloudFormation
				// (whose deployments write DeletionGuard's Deny of "*")
				"$or": arr{
					obj{"requestParameters": obj{"policy": wildcards(kmsmonitor.PublicAllowPolicyPatterns)}},
					obj{"requestParameters": obj{"policy": wildcards(kmsmonitor.PublicPrincipalPolicyPatterns)},
						"sourceIPAddress": arr{obj{"anything-but": arr{"cloudformation.amazonaws.com"}}}},
				},
			},
		},
		"State": "ENABLED",
		// AND the message names the key, the caller, account and Region, and quotes the policy
		"Targets": arr{objLike(obj{"InputTransformer": objLike(obj{"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String(
			"Key: <detail-resources-0--ARN>[\\s\\S]*By: <detail-userIdentity-arn>[\\s\\S]*Account: <account>, Region: <region>" +
				"[\\s\\S]*Policy as set:[\\s\\S]*<detail-requestParameters-policy>"))})})},
	})
	if k.Rule == nil || k.TopicKey == nil || k.DeadLetterQueue == nil {
		t.Error("members missing")
	}
}

func TestKeyPolicyChanges_EveryChangeOfGivenKeys(t *testing.T) {
	// GIVEN a stack WHEN every policy change of one key is reported
	stack := newStack()
	kmsmonitor.NewKeyPolicyChanges(stack, jsii.String("Policies"), &kmsmonitor.KeyPolicyChangesProps{
		KeyArns: []string{keyArn}, EveryChange: jsii.Bool(true),
	})
	// THEN the rule matches any policy set on that key, not only public ones
	synth(t, stack).HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{"detail": obj{
		"eventSource": arr{"kms.amazonaws.com"}, "eventName": arr{"PutKeyPolicy", "CreateKey"},
		"errorCode": arr{obj{"exists": false}}, "requestParameters": obj{"policy": arr{obj{"exists": true}}},
		"resources": obj{"ARN": arr{keyArn}},
	}})})
}

// policyRecord is the documented PutKeyPolicy record (or CreateKey with
// create) setting policy.
func policyRecord(create bool, policy string) []byte {
	name := "put-key-policy"
	if create {
		name = "create-key"
	}
	return kmseventtest.With(kmseventtest.CloudTrail(name), nil, map[string]any{"policy": policy})
}

func TestKeyPolicyChanges_PatternFidelityOnEventBridge(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	const (
		public         = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`
		publicAWS      = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}]}`
		publicList     = `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"kms:Decrypt","Resource":"*"}]}`
		console        = `{ "Statement" : [ { "Effect" : "Allow", "Principal" : { "AWS" : "*" }, "Action" : "kms:Decrypt", "Resource" : "*" } ] }`
		ownAccount     = `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
		starInAction   = `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/admin"},"Action":"*","Resource":"*"}]}`
		denyAll        = `{"Statement":[{"Action":"kms:ScheduleKeyDeletion","Effect":"Deny","Principal":{"AWS":"*"},"Resource":"*"}]}`
		denyAllSpace   = `{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:DisableKey", "Resource": "*"}]}`
		principalFirst = `{"Statement":[{"Principal":"*","Effect":"Allow","Action":"kms:*","Resource":"*"}]}`
	)
	failed := kmseventtest.With(policyRecord(false, public), map[string]any{"errorCode": "AccessDeniedException", "errorMessage": "not authorized"}, nil)
	deployed := func(record []byte) []byte {
		return kmseventtest.With(record, map[string]any{"sourceIPAddress": "cloudformation.amazonaws.com", "userAgent": "cloudformation.amazonaws.com"}, nil)
	}
	noPolicy := kmseventtest.With(kmseventtest.CloudTrail("create-key"), nil, map[string]any{"policy": nil})
	cases := map[string]struct {
		record              []byte
		wantPublic, wantAll bool
	}{
		// "*" as the principal, in the layouts of compact JSON, json.dumps and the console
		"PutKeyPolicy Principal \"*\"":           {policyRecord(false, public), true, true},
		"PutKeyPolicy Principal AWS \"*\"":       {policyRecord(false, publicAWS), true, true},
		"CreateKey Principal AWS [\"*\"]":        {policyRecord(true, publicList), true, true},
		"PutKeyPolicy console layout":            {policyRecord(false, console), true, true},
		"documented PutKeyPolicy (own account)":  {kmseventtest.CloudTrail("put-key-policy"), false, true},
		"documented CreateKey (another account)": {kmseventtest.CloudTrail("create-key"), false, true},
		"PutKeyPolicy own account, compact":      {policyRecord(false, ownAccount), false, true},
		"PutKeyPolicy \"*\" only as Action":      {policyRecord(false, starInAction), false, true},
		// by a person, any "*" as principal is reported (a pattern cannot tell Allow from Deny)
		"PutKeyPolicy Deny of AWS \"*\", compact": {policyRecord(false, denyAll), true, true},
		"CreateKey Deny of \"*\", spaced":         {policyRecord(true, denyAllSpace), true, true},
		"PutKeyPolicy Principal before Effect":    {policyRecord(false, principalFirst), true, true},
		// by CloudFormation (a deployment), only a statement allowing "*", compact
		"deployed Allow of \"*\"":                     {deployed(policyRecord(false, public)), true, true},
		"deployed Allow of AWS [\"*\"]":               {deployed(policyRecord(true, publicList)), true, true},
		"deployed Deny of \"*\" (DeletionGuard's)":    {deployed(policyRecord(false, denyAll)), false, true},
		"deployed Principal before Effect (not read)": {deployed(policyRecord(false, principalFirst)), false, true},
		"failed PutKeyPolicy Principal \"*\"":         {failed, false, false},
		"CreateKey without policy (default policy)":   {noPolicy, false, false},
		"documented GetKeyPolicy-like read":           {kmseventtest.CloudTrail("decrypt-success"), false, false},
		"documented ImportKeyMaterial":                {kmseventtest.CloudTrail("import-key-material"), false, false},
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	var events [][]byte
	for _, n := range names {
		events = append(events, kmseventtest.AsEventBridgeEvent(cases[n].record))
	}
	for _, every := range []bool{false, true} {
		// GIVEN the rule of each mode, for every key, installed on EventBridge (moto)
		stack := newStack()
		kmsmonitor.NewKeyPolicyChanges(stack, jsii.String("Policies"), &kmsmonitor.KeyPolicyChangesProps{EveryChange: jsii.Bool(every)})
		pattern, state := rulePattern(t, synth(t, stack))
		rule, err := server.NewRule(ctx, pattern, state)
		if err != nil {
			t.Fatal(err)
		}
		// WHEN the records reach EventBridge THEN exactly the expected ones are reported
		got, err := rule.MatchAll(ctx, events)
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range names {
			want := cases[n].wantPublic
			if every {
				want = cases[n].wantAll
			}
			if got[i] != want {
				t.Errorf("EveryChange=%v, %s: reported = %v, want %v", every, n, got[i], want)
			}
		}
	}
}

func TestKeyPolicyChanges_PatternsFitEventBridgeLimits(t *testing.T) {
	// GIVEN the default rule THEN its pattern stays under EventBridge's default 2,048 characters
	stack := newStack()
	kmsmonitor.NewKeyPolicyChanges(stack, jsii.String("Policies"), &kmsmonitor.KeyPolicyChangesProps{KeyArns: []string{keyArn}})
	pattern, _ := rulePattern(t, synth(t, stack))
	if len(pattern) > 2048 {
		t.Errorf("pattern is %d characters", len(pattern))
	}
	var v any
	if err := json.Unmarshal([]byte(pattern), &v); err != nil {
		t.Fatal(err)
	}
}

// policyText writes v as JSON with keys in order, the separators given
// (compact: ":" and ","; json.dumps: ": " and ", "; the console's: " : " and
// ", " with spaces inside braces and brackets).
func policyText(v any, colon, comma string, inner bool) string {
	pad := func(open, body, close string) string {
		if inner && body != "" {
			return open + " " + body + " " + close
		}
		return open + body + close
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + colon + policyText(x[k], colon, comma, inner)
		}
		return pad("{", strings.Join(parts, comma), "}")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = policyText(e, colon, comma, inner)
		}
		return pad("[", strings.Join(parts, comma), "]")
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func TestKeyPolicyChanges_NoAlertOnWhatKmsmonitorDeploys(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	// GIVEN every guarded key policy kmsmonitor writes: the facade's topic and trail keys and an
	// app key under its guard, and keys under guards of other settings
	stack := newStack()
	awskms.NewKey(stack, jsii.String("AppKey"), nil)
	kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
		Emails: []string{"security@example.com"}, DeletionGuardEnabled: jsii.Bool(true), KeyPolicyChangesEnabled: jsii.Bool(true),
	})
	other := newStack()
	kmsmonitor.NewDeletionGuard(other, jsii.String("BreakGlass"), &kmsmonitor.DeletionGuardProps{
		BreakGlassPrincipalArns: []string{breakGlassRole, "arn:aws:iam::111122223333:role/cdk-*"}, MinDaysWithoutUsage: jsii.Number(90)}).Protect(awskms.NewKey(other, jsii.String("A"), nil))
	kmsmonitor.NewDeletionGuard(other, jsii.String("NoWindow"), &kmsmonitor.DeletionGuardProps{MinPendingWindowInDays: jsii.Number(7)}).Protect(awskms.NewKey(other, jsii.String("B"), nil))
	tpl := synth(t, stack)
	var policies []any
	for _, s := range []template{tpl, synth(t, other)} {
		resolved, err := iamsimtest.Resolve(s.JSON(), iamsimtest.AgnosticEnvs[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range resolved.Sorted("AWS::KMS::Key") {
			policies = append(policies, r.Props["KeyPolicy"])
		}
	}
	if len(policies) != 5 {
		t.Fatalf("%d key policies, want 5 (topic, trail and app keys; two more)", len(policies))
	}
	// AND the rule of the facade's KeyPolicyChanges, installed on EventBridge (moto)
	var rule *eventbridgetest.Rule
	for _, r := range tpl.resourcesOfType("AWS::Events::Rule") {
		props := r["Properties"].(map[string]any)
		if strings.Contains(toJSON(t, props["EventPattern"]), "PutKeyPolicy") && strings.Contains(toJSON(t, props["EventPattern"]), "wildcard") {
			pattern, _ := json.Marshal(props["EventPattern"])
			var err error
			if rule, err = server.NewRule(ctx, string(pattern), props["State"].(string)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if rule == nil {
		t.Fatal("no KeyPolicyChanges rule")
	}
	// WHEN each policy is set by CreateKey and PutKeyPolicy, as deployed and with a statement allowing
	// "*" added: by CloudFormation (compact), and by a person (compact, json.dumps, pretty-printed)
	public := map[string]any{"Action": "kms:Decrypt", "Effect": "Allow", "Principal": map[string]any{"AWS": "*"}, "Resource": "*"}
	var events [][]byte
	var names []string
	for i, p := range policies {
		opened := map[string]any{}
		for k, v := range p.(map[string]any) {
			opened[k] = v
		}
		opened["Statement"] = append(append([]any{}, p.(map[string]any)["Statement"].([]any)...), public)
		for _, layout := range []struct {
			name         string
			colon, comma string
			inner        bool
			deployment   bool
		}{{"CloudFormation, compact", ":", ",", false, true}, {"a person, compact", ":", ",", false, false},
			{"a person, json.dumps", ": ", ", ", false, false}, {"a person, pretty-printed", " : ", ", ", true, false}} {
			for _, create := range []bool{true, false} {
				for _, v := range []struct {
					name   string
					policy any
				}{{"as deployed", p}, {"with a public Allow", opened}} {
					record := policyRecord(create, policyText(v.policy, layout.colon, layout.comma, layout.inner))
					if layout.deployment {
						record = kmseventtest.With(record, map[string]any{"sourceIPAddress": "cloudformation.amazonaws.com"}, nil)
					}
					names = append(names, fmt.Sprintf("policy %d, by %s, CreateKey %v, %s", i, layout.name, create, v.name))
					events = append(events, kmseventtest.AsEventBridgeEvent(record))
				}
			}
		}
	}
	got, err := rule.MatchAll(ctx, events)
	if err != nil {
		t.Fatal(err)
	}
	// THEN no deployment of a guarded policy is reported (the guards' Deny of "*" grants nothing),
	// every policy with the public Allow is, and a person setting a guarded policy by hand is too
	// (the patterns for people name "*" and cannot tell a Deny)
	for i, n := range names {
		want := strings.HasSuffix(n, "with a public Allow") || !strings.Contains(n, "by CloudFormation")
		if got[i] != want {
			t.Errorf("%s: reported = %v, want %v", n, got[i], want)
		}
	}
}
