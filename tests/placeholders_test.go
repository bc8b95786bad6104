package tests

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// synthErrors runs the Go CDK app in dir as the CDK CLI does, with the
// context ctx and the account the CLI would pass (CDK_DEFAULT_ACCOUNT, ""
// when it found no AWS credentials), and returns the errors of the cloud
// assembly (the CLI refuses to deploy when there is one) and the output.
func synthErrors(t *testing.T, dir, account string, ctx map[string]any) (errs []string, output string) {
	t.Helper()
	out, output := runApp(t, dir, ctx, account)
	for _, e := range manifestEntries(t, filepath.Join(out, "manifest.json")) {
		if e.Type == "aws:cdk:error" {
			errs = append(errs, e.Artifact+": "+fmt.Sprint(e.Data))
		}
	}
	return errs, output
}

func TestExampleApps_RefusePlaceholdersForARealAccount(t *testing.T) {
	t.Parallel() // runs apps: processes of their own (runApp)
	for _, tc := range []struct {
		dir    string
		stacks []string
		keys   []string
	}{
		{"../examples/app", []string{"KmsMonitorExample"}, []string{"emails", "expiringKeyArns", "protectedKeyArns"}},
		{"../examples/existing-trail", []string{"KmsMonitorExistingTrail"}, []string{"emails"}},
		{"../examples/organization", []string{"KmsMonitorCentral", "KmsMonitorOrgRollout"}, []string{"centralAccount", "organizationId", "emails", "organizationalUnitIds"}},
	} {
		t.Run(filepath.Base(tc.dir), func(t *testing.T) {
			t.Parallel() // one app process each
			// GIVEN an example app with no context but the cdk-nag packs' WHEN the CDK CLI has resolved
			// an account (cdk deploy -c nag=true: the run TestExampleApps_CdkNagClean reads too)
			all, _ := synthErrors(t, tc.dir, deployAccount, nagContext)
			var errs []string
			for _, e := range all {
				if _, msg, _ := strings.Cut(e, ": "); !isNagFinding(msg) { // the packs' findings: TestExampleApps_CdkNagClean
					errs = append(errs, e)
				}
			}
			// THEN each stack carries one error that names the account and every context key to set
			if len(errs) != len(tc.stacks) {
				t.Errorf("%s: %d errors, want one per stack %v: %q", tc.dir, len(errs), tc.stacks, errs)
			}
			for _, e := range errs {
				for _, k := range tc.keys {
					if !strings.Contains(e, "-c "+k+"=") {
						t.Errorf("%s: error does not name %s: %s", tc.dir, k, e)
					}
				}
				if !strings.Contains(e, "account "+deployAccount) {
					t.Errorf("%s: error does not name the account: %s", tc.dir, e)
				}
			}
		})
	}
}

func TestExampleApp_RealValuesDeploy(t *testing.T) {
	t.Parallel() // runs apps: processes of their own (runApp)
	// GIVEN an account AND every context value the error names
	key := "arn:aws:kms:eu-west-1:444455556666:key/mrk-0123456789abcdef0123456789abcdef"
	errs, output := synthErrors(t, "../examples/app", "444455556666", map[string]any{
		"emails": "sec@example.org", "expiringKeyArns": key, "protectedKeyArns": key,
	})
	// THEN nothing is refused
	if len(errs) != 0 {
		t.Errorf("errors: %q", errs)
	}
	// AND the output is empty on a supported Node.js, one line on an older one
	// (never jsii's banner, nor its unterminated waitid line)
	for _, line := range strings.Split(strings.TrimSpace(output), "\n") {
		if line != "" && !strings.HasPrefix(line, "kmsmonitor: Node.js ") {
			t.Errorf("unexpected output line %q in:\n%s", line, output)
		}
	}
	// AND a value that is the placeholder itself is still one
	errs, _ = synthErrors(t, "../examples/app", "444455556666", map[string]any{
		"emails": "sec@example.org", "expiringKeyArns": key,
		"protectedKeyArns": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
	})
	if len(errs) != 1 || !strings.Contains(errs[0], "-c protectedKeyArns=") || strings.Contains(errs[0], "-c emails=") {
		t.Errorf("errors: %q", errs)
	}
}

func TestOrganizationExample_CentralAccountGivenIsReal(t *testing.T) {
	t.Parallel() // runs apps: processes of their own (runApp)
	// GIVEN no AWS credentials (no account from the CLI) but a central account of the user's own
	errs, _ := synthErrors(t, "../examples/organization", "", map[string]any{"centralAccount": "444455556666"})
	// THEN the central stack, which names that account, refuses the other placeholders; the rollout stack does not
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "KmsMonitorCentral: ") || !strings.Contains(errs[0], "-c organizationId=") {
		t.Errorf("errors: %q", errs)
	}
}
