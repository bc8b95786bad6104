package kmsmonitor_test

import (
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/iamsimtest"
)

func TestOrganizationDeletionGuard(t *testing.T) {
	// GIVEN the management account's stack WHEN the guard is attached to the root, an OU and an account
	stack := newStack()
	g := kmsmonitor.NewOrganizationDeletionGuard(stack, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{
		TargetIDs:               []string{"r-a1b2", "ou-a1b2-c3d4e5f6", "444455556666"},
		BreakGlassPrincipalArns: []string{"arn:aws:iam::*:role/BreakGlass"},
	})
	tpl := synth(t, stack)
	// THEN one service control policy holds the key policy's denies, without a principal
	denies := guardDenies("365", "30", "arn:aws:iam::*:role/BreakGlass")
	for _, d := range denies {
		delete(d.(obj), "Principal")
	}
	tpl.HasResourceProperties("AWS::Organizations::Policy", obj{
		"Name": "kmsmonitor-deletion-guard", "Type": "SERVICE_CONTROL_POLICY",
		"TargetIds": arr{"r-a1b2", "ou-a1b2-c3d4e5f6", "444455556666"},
		"Content":   obj{"Version": "2012-10-17", "Statement": arr(denies)},
	})
	if g.Policy == nil {
		t.Error("Policy not exported")
	}
}

func TestOrganizationDeletionGuard_PolicySemantics(t *testing.T) {
	// GIVEN the synthesized SCP, next to the default FullAWSAccess, with a key policy and identity policy that allow everything
	stack := newStack()
	kmsmonitor.NewOrganizationDeletionGuard(stack, jsii.String("Guard"), &kmsmonitor.OrganizationDeletionGuardProps{
		TargetIDs: []string{"r-a1b2"}, BreakGlassPrincipalArns: []string{"arn:aws:iam::*:role/BreakGlass*"},
	})
	tpl := synth(t, stack)
	resolved, err := iamsimtest.Resolve(tpl.JSON(), iamsimtest.EnvsFor("", "")[0])
	if err != nil {
		t.Fatal(err)
	}
	policies := resolved.Sorted("AWS::Organizations::Policy")
	if len(policies) != 1 {
		t.Fatalf("%d policies", len(policies))
	}
	scps := []iamsimtest.Policy{
		{Name: "FullAWSAccess", Policy: map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"}}}},
		{Name: "kmsmonitor-deletion-guard", Policy: policies[0].Props["Content"]},
	}
	keyPolicy := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"}}}
	sim := simulator(t)
	// WHEN principals of a member account make the proof's requests THEN the SCP refuses or allows them
	for _, c := range guardRequests("arn:aws:iam::444455556666:role/KeyAdmin", "arn:aws:iam::444455556666:role/BreakGlassOps") {
		c.Resource = "arn:aws:kms:us-east-1:444455556666:key/" + keyID
		c.Identity = []iamsimtest.Policy{adminPolicy}
		c.ResourcePolicy = keyPolicy
		c.SCPs = scps
		c.Context = withPrincipalArn(c.Context, c.Principal)
		got, detail, err := sim.Simulate(c)
		if err != nil || got != c.Want {
			t.Errorf("%s: got %s (%s, %v), want %s", c, got, detail, err, c.Want)
		}
	}
}
