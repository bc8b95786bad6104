package kmsmonitor_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/iamsimtest"
)

const breakGlassRole = "arn:aws:iam::111122223333:role/BreakGlass"

// guardDenies are the two statements the guard adds with break-glass ARNs.
func guardDenies(days, window string, breakGlass ...interface{}) []interface{} {
	exempt := func(c obj) obj {
		if len(breakGlass) > 0 {
			c["ArnNotLike"] = obj{"aws:PrincipalArn": breakGlass}
		}
		return c
	}
	return []interface{}{
		obj{"Sid": "DenyDisablingOrDeletingKeysInUse", "Effect": "Deny", "Principal": obj{"AWS": "*"},
			"Action": arr{"kms:DisableKey", "kms:ScheduleKeyDeletion"}, "Resource": "*",
			"Condition": exempt(obj{"NumericLessThanEquals": obj{"kms:TrailingDaysWithoutKeyUsage": days}})},
		obj{"Sid": "DenyShortKeyDeletionWaitingPeriod", "Effect": "Deny", "Principal": obj{"AWS": "*"},
			"Action": "kms:ScheduleKeyDeletion", "Resource": "*",
			"Condition": exempt(obj{"NumericLessThan": obj{"kms:ScheduleKeyDeletionPendingWindowInDays": window}})},
	}
}

func TestDeletionGuard_ProtectOneKey(t *testing.T) {
	// GIVEN a key and a guard with a break-glass role
	stack := newStack()
	key := awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	other := awskms.NewKey(stack, jsii.String("Other"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	guard := kmsmonitor.NewDeletionGuard(stack, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{
		BreakGlassPrincipalArns: []string{breakGlassRole},
	})
	// WHEN it protects one key (twice: idempotent)
	guard.Protect(key)
	guard.Protect(key)
	tpl := synth(t, stack)
	// THEN that key's policy keeps the account's administration and adds both denies, once
	statements := keyPolicyStatements(t, tpl, "Key")
	if len(statements) != 3 {
		t.Fatalf("%d statements, want the default one and two denies: %v", len(statements), statements)
	}
	tpl.HasResourceProperties("AWS::KMS::Key", obj{"KeyPolicy": obj{"Version": "2012-10-17", "Statement": arr{
		objLike(obj{"Effect": "Allow", "Action": "kms:*"}),
		guardDenies("365", "30", breakGlassRole)[0], guardDenies("365", "30", breakGlassRole)[1],
	}}})
	// AND the other key is untouched
	if n := len(keyPolicyStatements(t, tpl, "Other")); n != 1 {
		t.Errorf("other key has %d statements, want 1", n)
	}
	_ = other
}

func TestDeletionGuard_AspectOverScope(t *testing.T) {
	// GIVEN an app with keys in two stacks, one imported key, and a guard without break-glass, 90 days, 14-day minimum
	app := newApp()
	a := awscdk.NewStack(app, jsii.String("A"), nil)
	b := awscdk.NewStack(app, jsii.String("B"), nil)
	awskms.NewKey(a, jsii.String("KeyA"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	awskms.NewKey(b, jsii.String("KeyB"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	awskms.Key_FromKeyArn(b, jsii.String("Imported"), jsii.String(keyArn))
	guard := kmsmonitor.NewDeletionGuard(a, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{
		MinDaysWithoutUsage: jsii.Number(90), MinPendingWindowInDays: jsii.Number(14),
	})
	// WHEN its aspect is added to the app
	awscdk.Aspects_Of(app).Add(guard.Aspect(), nil)
	// THEN every key of every stack gets the denies, without an exemption
	for _, stack := range []awscdk.Stack{a, b} {
		tpl := synth(t, stack)
		tpl.AllResourcesProperties("AWS::KMS::Key", obj{"KeyPolicy": obj{"Version": "2012-10-17", "Statement": arr{
			objLike(obj{"Effect": "Allow", "Action": "kms:*"}), guardDenies("90", "14")[0], guardDenies("90", "14")[1],
		}}})
	}
}

func TestDeletionGuard_NoWindowStatementAtSeven(t *testing.T) {
	// GIVEN a guard whose minimum waiting period is KMS's own minimum
	stack := newStack()
	key := awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	kmsmonitor.NewDeletionGuard(stack, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{MinPendingWindowInDays: jsii.Number(7)}).Protect(key)
	// THEN only the usage deny is added
	if n := len(keyPolicyStatements(t, synth(t, stack), "Key")); n != 2 {
		t.Errorf("%d statements, want 2", n)
	}
}

func TestDeletionGuard_ImportedKeyRefused(t *testing.T) {
	// GIVEN an imported key WHEN Protect is called THEN a ValidationError says where to protect it
	stack := newStack()
	guard := kmsmonitor.NewDeletionGuard(stack, jsii.String("Guard"), nil)
	imported := awskms.Key_FromKeyArn(stack, jsii.String("Imported"), jsii.String(keyArn))
	var verr *kmsmonitor.ValidationError
	func() {
		defer func() {
			err, _ := recover().(error)
			if !errors.As(err, &verr) {
				t.Fatalf("want a ValidationError, got %v", err)
			}
		}()
		guard.Protect(imported)
	}()
	wantPanic(t, func() { guard.Protect(imported) }, `kmsmonitor.DeletionGuard at "Stack/Guard"`, "Protect[0]", "is imported", "DeletionCheck")
}

// keyPolicyStatements returns the key policy statements of the key whose logical ID starts with prefix.
func keyPolicyStatements(t *testing.T, tpl template, prefix string) []interface{} {
	t.Helper()
	for id, r := range tpl.JSON()["Resources"].(map[string]interface{}) {
		res := r.(map[string]interface{})
		if res["Type"] == "AWS::KMS::Key" && len(id) >= len(prefix) && id[:len(prefix)] == prefix {
			return res["Properties"].(map[string]interface{})["KeyPolicy"].(map[string]interface{})["Statement"].([]interface{})
		}
	}
	t.Fatalf("no key %s*", prefix)
	return nil
}

// simulator starts iam-simulate for one test, or skips where it is not required.
func simulator(t *testing.T) *iamsimtest.Simulator {
	t.Helper()
	sim, err := iamsimtest.StartSimulator()
	if errors.Is(err, iamsimtest.ErrUnavailable) && !iamsimtest.Required() {
		t.Skipf("policy semantics not evaluated: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim
}

// guardRequests are the requests the proof names, with the expected outcome.
func guardRequests(admin, breakGlass string) []iamsimtest.Case {
	used3 := map[string]any{"kms:TrailingDaysWithoutKeyUsage": "3", "kms:ScheduleKeyDeletionPendingWindowInDays": "30"}
	unused400 := map[string]any{"kms:TrailingDaysWithoutKeyUsage": "400", "kms:ScheduleKeyDeletionPendingWindowInDays": "30"}
	boundary := map[string]any{"kms:TrailingDaysWithoutKeyUsage": "365", "kms:ScheduleKeyDeletionPendingWindowInDays": "30"}
	week := map[string]any{"kms:TrailingDaysWithoutKeyUsage": "400", "kms:ScheduleKeyDeletionPendingWindowInDays": "7"}
	noWindow := map[string]any{"kms:TrailingDaysWithoutKeyUsage": "400"}
	return []iamsimtest.Case{
		{Kind: "schedule deletion of a key used 3 days ago", Principal: admin, Action: "kms:ScheduleKeyDeletion", Context: used3, Want: iamsimtest.Refused},
		{Kind: "schedule deletion of a key used 365 days ago", Principal: admin, Action: "kms:ScheduleKeyDeletion", Context: boundary, Want: iamsimtest.Refused},
		{Kind: "schedule deletion of a key unused for 400 days", Principal: admin, Action: "kms:ScheduleKeyDeletion", Context: unused400, Want: iamsimtest.Allowed},
		{Kind: "schedule deletion without a waiting period (KMS's default, 30)", Principal: admin, Action: "kms:ScheduleKeyDeletion", Context: noWindow, Want: iamsimtest.Allowed},
		{Kind: "break-glass schedules deletion of a key used 3 days ago", Principal: breakGlass, Action: "kms:ScheduleKeyDeletion", Context: used3, Want: iamsimtest.Allowed},
		{Kind: "7-day waiting period", Principal: admin, Action: "kms:ScheduleKeyDeletion", Context: week, Want: iamsimtest.Refused},
		{Kind: "break-glass with a 7-day waiting period", Principal: breakGlass, Action: "kms:ScheduleKeyDeletion", Context: week, Want: iamsimtest.Allowed},
		{Kind: "disable a key used 3 days ago", Principal: admin, Action: "kms:DisableKey", Context: map[string]any{"kms:TrailingDaysWithoutKeyUsage": "3"}, Want: iamsimtest.Refused},
		{Kind: "disable a key unused for 400 days", Principal: admin, Action: "kms:DisableKey", Context: map[string]any{"kms:TrailingDaysWithoutKeyUsage": "400"}, Want: iamsimtest.Allowed},
		{Kind: "break-glass disables a key used 3 days ago", Principal: breakGlass, Action: "kms:DisableKey", Context: map[string]any{"kms:TrailingDaysWithoutKeyUsage": "3"}, Want: iamsimtest.Allowed},
		// Administration stays possible, also of a key in use.
		{Kind: "change the key policy", Principal: admin, Action: "kms:PutKeyPolicy", Want: iamsimtest.Allowed},
		{Kind: "cancel a deletion", Principal: admin, Action: "kms:CancelKeyDeletion", Want: iamsimtest.Allowed},
		{Kind: "enable the key", Principal: admin, Action: "kms:EnableKey", Want: iamsimtest.Allowed},
	}
}

// adminPolicy is an administrator's identity policy: everything on KMS.
var adminPolicy = iamsimtest.Policy{Name: "KeyAdmin", Policy: map[string]any{"Version": "2012-10-17", "Statement": []any{
	map[string]any{"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
}}}

func TestDeletionGuard_PolicySemantics(t *testing.T) {
	// GIVEN the key policy as synthesized, resolved for an account and Region
	stack := newStack()
	key := awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	kmsmonitor.NewDeletionGuard(stack, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{
		BreakGlassPrincipalArns: []string{"arn:aws:iam::111122223333:role/BreakGlass*"},
	}).Protect(key)
	tpl := synth(t, stack)
	resolved, err := iamsimtest.Resolve(tpl.JSON(), iamsimtest.EnvsFor("", "")[0])
	if err != nil {
		t.Fatal(err)
	}
	keys := resolved.Sorted("AWS::KMS::Key")
	if len(keys) != 1 {
		t.Fatalf("%d keys", len(keys))
	}
	sim := simulator(t)
	// WHEN iam-simulate evaluates each request of an administrator (kms:* by IAM) and of a break-glass role
	for _, c := range guardRequests("arn:aws:iam::111122223333:role/KeyAdmin", "arn:aws:iam::111122223333:role/BreakGlassOps") {
		c.Resource = keys[0].Arn
		c.Identity = []iamsimtest.Policy{adminPolicy}
		c.ResourcePolicy = keys[0].Props["KeyPolicy"]
		c.Context = withPrincipalArn(c.Context, c.Principal)
		// THEN each is refused or allowed as the guard intends
		got, detail, err := sim.Simulate(c)
		if err != nil || got != c.Want {
			t.Errorf("%s: got %s (%s, %v), want %s", c, got, detail, err, c.Want)
		}
	}
}

// withPrincipalArn adds aws:PrincipalArn, which AWS sets on every request
// (the role ARN for a role session) and iam-simulate does not derive.
func withPrincipalArn(ctx map[string]any, principal string) map[string]any {
	out := map[string]any{"aws:PrincipalArn": principal}
	for k, v := range ctx {
		out[k] = v
	}
	return out
}

func TestDeletionGuard_OneGuardPerKey(t *testing.T) {
	// GIVEN a key protected by a guard with a break-glass role, in a stack whose KeyMonitoring guards every key
	stack := newStack()
	key := awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	own := kmsmonitor.NewDeletionGuard(stack, jsii.String("Own"), &kmsmonitor.DeletionGuardProps{
		BreakGlassPrincipalArns: []string{"arn:aws:iam::111122223333:role/BreakGlass"},
	})
	own.Protect(key)
	kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{DeletionGuardEnabled: jsii.Bool(true)})
	// WHEN another guard protects it explicitly
	other := kmsmonitor.NewDeletionGuard(stack, jsii.String("Other"), nil)
	// THEN it is refused, naming the key
	wantPanic(t, func() { other.Protect(key) }, "Protect[0]", "Key is already protected by another DeletionGuard")
	// AND at synthesis the key keeps its own guard alone (its break-glass role exempt, each Sid once), while KeyMonitoring's topic key gets KeyMonitoring's
	tpl := synth(t, stack)
	for id, r := range tpl.JSON()["Resources"].(map[string]interface{}) {
		res := r.(map[string]interface{})
		if res["Type"] != "AWS::KMS::Key" {
			continue
		}
		sids := map[string]int{}
		breakGlass := 0
		for _, st := range res["Properties"].(map[string]interface{})["KeyPolicy"].(map[string]interface{})["Statement"].([]interface{}) {
			sm := st.(map[string]interface{})
			if sid, _ := sm["Sid"].(string); strings.HasPrefix(sid, "Deny") {
				sids[sid]++
				if strings.Contains(fmt.Sprint(sm["Condition"]), "BreakGlass") {
					breakGlass++
				}
			}
		}
		own := strings.HasPrefix(id, "Key")
		if sids["DenyDisablingOrDeletingKeysInUse"] != 1 || sids["DenyShortKeyDeletionWaitingPeriod"] != 1 || (breakGlass == 2) != own {
			t.Errorf("%s: deny statements %v, %d with the break-glass role", id, sids, breakGlass)
		}
	}
}

func TestDeletionGuard_WarnsWhenAKeyIsDeletedWithItsStack(t *testing.T) {
	const id = "kmsmonitor:guardedKeyDeletedWithStack"
	destroy := &awskms.KeyProps{RemovalPolicy: awscdk.RemovalPolicy_DESTROY}
	cases := []struct {
		name       string
		build      func(s awscdk.Stack)
		warnedPath string // "" for no warning
	}{
		{"Protect, DESTROY, nobody exempt", func(s awscdk.Stack) {
			kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), nil).Protect(awskms.NewKey(s, jsii.String("Key"), destroy))
		}, "/Stack/Key"},
		{"Protect, then DESTROY applied", func(s awscdk.Stack) {
			k := awskms.NewKey(s, jsii.String("Key"), nil)
			kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), nil).Protect(k)
			k.ApplyRemovalPolicy(awscdk.RemovalPolicy_DESTROY)
		}, "/Stack/Key"},
		{"aspect, DESTROY, a break-glass role that is not CloudFormation's", func(s awscdk.Stack) {
			awskms.NewKey(s, jsii.String("Key"), destroy)
			g := kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: []string{breakGlassRole}})
			awscdk.Aspects_Of(s).Add(g.Aspect(), nil)
		}, "/Stack/Key"},
		{"Protect, DESTROY, the bootstrap's cfn-exec role exempt", func(s awscdk.Stack) {
			kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: []string{
				"arn:aws:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1"}}).Protect(awskms.NewKey(s, jsii.String("Key"), destroy))
		}, ""},
		{"aspect, DESTROY, a pattern matching the bootstrap's roles exempt", func(s awscdk.Stack) {
			awskms.NewKey(s, jsii.String("Key"), destroy)
			g := kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: []string{"arn:aws:iam::*:role/cdk-hnb659fds-*"}})
			awscdk.Aspects_Of(s).Add(g.Aspect(), nil)
		}, ""},
		{"Protect, RETAIN (the default)", func(s awscdk.Stack) {
			kmsmonitor.NewDeletionGuard(s, jsii.String("Guard"), nil).Protect(awskms.NewKey(s, jsii.String("Key"), nil))
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// GIVEN a guarded key WHEN synthesized
			stack := newStack()
			c.build(stack)
			synth(t, stack)
			// THEN a key deleted with its stack, CloudFormation not exempt, is warned about, with the fix
			got := warningsWithID(stack, id)
			if c.warnedPath == "" {
				if len(got) != 0 {
					t.Errorf("unexpected warning: %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].path != c.warnedPath || !strings.Contains(got[0].msg, "cdk-hnb659fds-cfn-exec-role-<account>-<region>") ||
				!strings.Contains(got[0].msg, "deleting the stack would fail") {
				t.Errorf("warnings %+v; want one on %s naming the fix", got, c.warnedPath)
			}
		})
	}
}

// guarded reports whether the key policy of the key with logical ID prefix in tpl has the guard.
func guarded(t *testing.T, tpl template, prefix string) bool {
	t.Helper()
	for id, r := range tpl.JSON()["Resources"].(map[string]any) {
		if strings.HasPrefix(id, prefix) && strings.Contains(toJSON(t, r), "kms:TrailingDaysWithoutKeyUsage") {
			return true
		}
	}
	return false
}

func TestDeletionGuard_StagesAndGuardsThatMeet(t *testing.T) {
	const stageID, meetID = "kmsmonitor:guardDoesNotReachStage", "kmsmonitor:guardsMeet"
	// build returns a stack of the app (with a key) and a stack of a Stage (with a key).
	build := func(alsoOnStage bool) (top, staged awscdk.Stack) {
		app := newApp()
		top = awscdk.NewStack(app, jsii.String("Top"), nil)
		awskms.NewKey(top, jsii.String("TopKey"), nil)
		stage := awscdk.NewStage(app, jsii.String("Prod"), nil)
		staged = awscdk.NewStack(stage, jsii.String("Data"), nil)
		awskms.NewKey(staged, jsii.String("DataKey"), nil)
		g := kmsmonitor.NewDeletionGuard(top, jsii.String("Guard"), nil)
		awscdk.Aspects_Of(app).Add(g.Aspect(), nil)
		if alsoOnStage {
			awscdk.Aspects_Of(stage).Add(g.Aspect(), nil)
		}
		return top, staged
	}
	t.Run("aspect on the app only", func(t *testing.T) {
		// GIVEN the guard's aspect on the app, a key in the app's stack and one in a Stage's
		top, staged := build(false)
		topTpl, stagedTpl := synth(t, top), synth(t, staged)
		// THEN the app's key is guarded; the Stage's is not, as aws-cdk-lib does not carry aspects
		// into a Stage, and it is warned about with the fix
		if !guarded(t, topTpl, "TopKey") || guarded(t, stagedTpl, "DataKey") {
			t.Fatalf("guarded: app's key %v (want true), Stage's key %v (want false)", guarded(t, topTpl, "TopKey"), guarded(t, stagedTpl, "DataKey"))
		}
		got := warningsWithID(top, stageID)
		if len(got) != 1 || got[0].path != "/Top/Guard" || !strings.Contains(got[0].msg, "Stage Prod, does not protect its 1 key(s) (Prod/Data/DataKey)") ||
			!strings.Contains(got[0].msg, "awscdk.Aspects_Of(stage).Add(guard.Aspect(), nil)") {
			t.Errorf("warnings %+v; want one on the guard naming the Stage's key and the fix", got)
		}
	})
	t.Run("aspect on the app and on the Stage", func(t *testing.T) {
		// GIVEN the same, with the aspect added to the Stage too THEN both keys are guarded, no warning
		top, staged := build(true)
		topTpl, stagedTpl := synth(t, top), synth(t, staged)
		if !guarded(t, topTpl, "TopKey") || !guarded(t, stagedTpl, "DataKey") {
			t.Fatal("a key is not guarded")
		}
		if w := warningsWithID(top, stageID); len(w) != 0 {
			t.Errorf("unexpected warning: %+v", w)
		}
	})
	for _, c := range []struct {
		name   string
		second *kmsmonitor.DeletionGuardProps
		warned bool
	}{
		{"two guards with other settings over one stack", &kmsmonitor.DeletionGuardProps{MinDaysWithoutUsage: jsii.Number(30)}, true},
		{"two guards with the same settings over one stack", nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			// GIVEN two guards' aspects over one stack with a key
			stack := newStack()
			awskms.NewKey(stack, jsii.String("Key"), nil)
			awscdk.Aspects_Of(stack).Add(kmsmonitor.NewDeletionGuard(stack, jsii.String("First"), nil).Aspect(), nil)
			awscdk.Aspects_Of(stack).Add(kmsmonitor.NewDeletionGuard(stack, jsii.String("Second"), c.second).Aspect(), nil)
			tpl := synth(t, stack)
			// THEN the key takes one guard, and a second with other settings is warned about
			if !guarded(t, tpl, "Key") {
				t.Fatal("the key is not guarded")
			}
			got := warningsWithID(stack, meetID)
			if c.warned && (len(got) != 1 || got[0].path != "/Stack/Key" || !strings.Contains(got[0].msg, "Stack/Second is not applied")) {
				t.Errorf("warnings %+v; want one on the key naming the guard not applied", got)
			}
			if !c.warned && len(got) != 0 {
				t.Errorf("unexpected warning: %+v", got)
			}
		})
	}
}

func TestDeletionGuard_DeletedWithStackKnowsTheStacksExecutionRole(t *testing.T) {
	const id = "kmsmonitor:guardedKeyDeletedWithStack"
	const role = "arn:aws:iam::444455556666:role/cdk-hnb659fds-cfn-exec-role-444455556666-eu-west-1"
	for _, c := range []struct {
		name       string
		breakGlass string
		warned     bool
	}{
		{"another account's execution role exempt", "arn:aws:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1", true},
		{"this stack's execution role exempt", role, false},
		{"a pattern matching it", "arn:aws:iam::444455556666:role/cdk-*-cfn-exec-role-*", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			// GIVEN a stack of account 444455556666, eu-west-1, and a guarded key deleted with it
			stack := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{
				Env: &awscdk.Environment{Account: jsii.String("444455556666"), Region: jsii.String("eu-west-1")}})
			g := kmsmonitor.NewDeletionGuard(stack, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: []string{c.breakGlass}})
			g.Protect(awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{RemovalPolicy: awscdk.RemovalPolicy_DESTROY}))
			synth(t, stack)
			// THEN the warning is there unless the stack's own execution role is exempt, and names that role
			got := warningsWithID(stack, id)
			if c.warned && (len(got) != 1 || !strings.Contains(got[0].msg, role)) {
				t.Errorf("warnings %+v; want one naming %s", got, role)
			}
			if !c.warned && len(got) != 0 {
				t.Errorf("unexpected warning: %+v", got)
			}
		})
	}
}

func TestDeletionGuard_AllowDeletionWithStack(t *testing.T) {
	// GIVEN an environment-agnostic stack whose guard's aspect covers three keys deleted with the stack:
	// one given to AllowDeletionWithStack, one not, and one given to it and then to Protect (before the aspect runs)
	app := newApp()
	stack := awscdk.NewStack(app, jsii.String("Stack"), nil)
	destroy := &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true), RemovalPolicy: awscdk.RemovalPolicy_DESTROY}
	testKey := awskms.NewKey(stack, jsii.String("TestKey"), destroy)
	awskms.NewKey(stack, jsii.String("OtherKey"), destroy)
	protected := awskms.NewKey(stack, jsii.String("ProtectedKey"), destroy)
	guard := kmsmonitor.NewDeletionGuard(stack, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: []string{breakGlassRole}})
	awscdk.Aspects_Of(stack).Add(guard.Aspect(), nil)
	kmsmonitor.AllowDeletionWithStack(protected)
	guard.Protect(protected)
	kmsmonitor.AllowDeletionWithStack(testKey) // after the aspect was added: read when it runs
	kmsmonitor.AllowDeletionWithStack(testKey) // twice is once
	// AND a key opted out of kmsmonitor's deletion protections (RETAIN: no warning either way)
	scratch := awskms.NewKey(stack, jsii.String("ScratchKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	kmsmonitor.OptOut(scratch)
	tpl := synth(t, stack)
	// THEN the opted-out key is not guarded, and carries the tag DeletionCheck and AutoCancelDeletion read
	if guarded(t, tpl, "ScratchKey") {
		t.Error("the opted-out key is guarded")
	}
	tpl.HasResourceProperties("AWS::KMS::Key", obj{"Tags": arr{obj{"Key": kmsmonitor.OptOutTag, "Value": "true"}}})
	// THEN the keys given to it carry the tag naming that role (which DeletionCheck reads), and only
	// the key not given to it is warned about
	tpl.HasResourceProperties("AWS::KMS::Key", obj{"Tags": arr{obj{"Key": kmsmonitor.DeletableWithStackTag,
		"Value": obj{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}"}}}})
	if n := strings.Count(toJSON(t, tpl.JSON()), `"Key":"`+kmsmonitor.DeletableWithStackTag+`"`); n != 2 {
		t.Errorf("%d keys tagged; want 2", n)
	}
	// AND only the key not given to it is warned about
	if got := warningsWithID(stack, "kmsmonitor:guardedKeyDeletedWithStack"); len(got) != 1 || got[0].path != "/Stack/OtherKey" {
		t.Errorf("warnings %+v; want one, on /Stack/OtherKey", got)
	}
	// AND, resolved for an account and Region, CloudFormation's execution role may disable and schedule the
	// deletion of the keys given to it, in use or not, and of no other; people stay guarded; break-glass as before
	env := iamsimtest.EnvsFor("", "")[0]
	resolved, err := iamsimtest.Resolve(tpl.JSON(), env)
	if err != nil {
		t.Fatal(err)
	}
	cfnRole := "arn:aws:iam::" + env.Account + ":role/cdk-hnb659fds-cfn-exec-role-" + env.Account + "-" + env.Region
	sim := simulator(t)
	used3 := map[string]any{"kms:TrailingDaysWithoutKeyUsage": "3", "kms:ScheduleKeyDeletionPendingWindowInDays": "7"}
	for _, key := range resolved.Sorted("AWS::KMS::Key") {
		optedOut := strings.HasPrefix(key.ID, "ScratchKey") // unguarded: everyone with kms:* may
		deletable := strings.HasPrefix(key.ID, "TestKey") || strings.HasPrefix(key.ID, "ProtectedKey") || optedOut
		for _, c := range []iamsimtest.Case{
			{Kind: "CloudFormation schedules the deletion (7 days) of a key used 3 days ago", Principal: cfnRole, Action: "kms:ScheduleKeyDeletion", Context: used3, Want: map[bool]iamsimtest.Result{true: iamsimtest.Allowed, false: iamsimtest.Refused}[deletable]},
			{Kind: "CloudFormation disables a key used 3 days ago", Principal: cfnRole, Action: "kms:DisableKey", Context: used3, Want: map[bool]iamsimtest.Result{true: iamsimtest.Allowed, false: iamsimtest.Refused}[deletable]},
			{Kind: "an administrator schedules its deletion", Principal: "arn:aws:iam::" + env.Account + ":role/KeyAdmin", Action: "kms:ScheduleKeyDeletion", Context: used3, Want: map[bool]iamsimtest.Result{true: iamsimtest.Allowed, false: iamsimtest.Refused}[optedOut]},
			{Kind: "break-glass schedules its deletion", Principal: breakGlassRole, Action: "kms:ScheduleKeyDeletion", Context: used3, Want: iamsimtest.Allowed},
		} {
			c.Kind = key.ID + ": " + c.Kind
			c.Resource, c.ResourcePolicy, c.Identity = key.Arn, key.Props["KeyPolicy"], []iamsimtest.Policy{adminPolicy}
			c.Context = withPrincipalArn(c.Context, c.Principal)
			if got, detail, err := sim.Simulate(c); err != nil || got != c.Want {
				t.Errorf("%s: got %s (%s, %v), want %s", c, got, detail, err, c.Want)
			}
		}
	}
	// AND a nil key, or one whose stack names no CloudFormation execution role, is refused with the fix
	for name, c := range map[string]struct {
		key  func() awskms.Key
		want string
	}{
		"nil key": {func() awskms.Key { return nil }, "key: is nil"},
		"a stack synthesized with CLI credentials": {func() awskms.Key {
			s := awscdk.NewStack(app, jsii.String("Cli"), &awscdk.StackProps{Synthesizer: awscdk.NewCliCredentialsStackSynthesizer(nil)})
			return awskms.NewKey(s, jsii.String("Key"), nil)
		}, "no CloudFormation execution role kmsmonitor can name"},
	} {
		key := c.key()
		msg := panicMessage(func() { kmsmonitor.AllowDeletionWithStack(key) })
		if !strings.Contains(msg, "kmsmonitor.AllowDeletionWithStack") || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %q; want a ValidationError with %q", name, msg, c.want)
		}
	}
	// AND a guard refuses a key opted out, and OptOut a key already protected, each with the fix
	if msg := panicMessage(func() { guard.Protect(scratch) }); !strings.Contains(msg, "Protect[0]") || !strings.Contains(msg, "was given to kmsmonitor.OptOut") {
		t.Errorf("Protect of an opted-out key: %q", msg)
	}
	if msg := panicMessage(func() { kmsmonitor.OptOut(protected) }); !strings.Contains(msg, `kmsmonitor.OptOut at "Stack/ProtectedKey"`) || !strings.Contains(msg, "call OptOut(key) before guard.Protect") {
		t.Errorf("OptOut of a protected key: %q", msg)
	}
	if msg := panicMessage(func() { kmsmonitor.OptOut(nil) }); !strings.Contains(msg, "kmsmonitor.OptOut") || !strings.Contains(msg, "key: is nil") {
		t.Errorf("OptOut(nil): %q", msg)
	}
}
