package kmsmonitor

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsorganizations"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

// maxSCPSize is the largest service control policy AWS Organizations accepts, in characters.
const maxSCPSize = 5120

// accountIDRE: an account target; ouIDRE (member_stack_set.go) covers roots
// and OUs (Organizations API Reference, AttachPolicy TargetId).
var accountIDRE = regexp.MustCompile(`^\d{12}$`)

// OrganizationDeletionGuardProps configures OrganizationDeletionGuard.
type OrganizationDeletionGuardProps struct {
	// TargetIDs are the roots (r-...), organizational units (ou-...-...) and
	// accounts (12 digits) the policy is attached to. Required.
	TargetIDs []string
	// PolicyName names the service control policy.
	// Default: "kmsmonitor-deletion-guard".
	PolicyName *string
	// MinDaysWithoutUsage: DisableKey and ScheduleKeyDeletion are denied while
	// kms:TrailingDaysWithoutKeyUsage is at most this many days.
	// Default: DefaultMinDaysWithoutUsage (365 days).
	MinDaysWithoutUsage *float64
	// MinPendingWindowInDays: ScheduleKeyDeletion with a shorter waiting
	// period is denied. 7 turns the check off.
	// Default: DefaultMinPendingWindowInDays (30 days).
	MinPendingWindowInDays *float64
	// BreakGlassPrincipalArns are the IAM roles or users exempt from the
	// policy (aws:PrincipalArn, wildcards allowed, such as
	// arn:aws:iam::*:role/BreakGlass for the role of that name in every account).
	// Default: nobody is exempt.
	BreakGlassPrincipalArns []string
}

// OrganizationDeletionGuard is DeletionGuard's denies as a service control
// policy, for the stack of the organization's management account (or of a
// delegated administrator for policies): every principal of the target
// accounts, break-glass principals aside, is refused kms:DisableKey and
// kms:ScheduleKeyDeletion on keys used within MinDaysWithoutUsage days, and
// waiting periods under MinPendingWindowInDays.
//
// Service control policies do not apply to the management account itself,
// nor to service-linked roles: keys there need DeletionGuard or DeletionCheck.
// SCPs limit principals of the member accounts whatever the key policy says,
// including principals allowed kms:PutKeyPolicy, which DeletionGuard cannot
// stop. Service control policies must be enabled in the organization.
type OrganizationDeletionGuard struct {
	constructs.Construct

	// Policy is the service control policy (aws-cdk-lib has no L2).
	Policy awsorganizations.CfnPolicy
}

// NewOrganizationDeletionGuard creates OrganizationDeletionGuard. It panics
// with a *ValidationError when props are invalid.
func NewOrganizationDeletionGuard(scope constructs.Construct, id *string, props *OrganizationDeletionGuardProps) *OrganizationDeletionGuard {
	p, node, c := start("kmsmonitor.OrganizationDeletionGuard", scope, id, props)
	policy := validateGuard(c, p.MinDaysWithoutUsage, p.MinPendingWindowInDays, p.BreakGlassPrincipalArns)
	checkTargetIDs(c, p.TargetIDs)
	c.AWSName("PolicyName", p.PolicyName, propcheck.SCPName)
	content := scpContent(policy)
	if b, _ := json.Marshal(content); propcheck.Length(string(b)) > maxSCPSize {
		c.Addf("BreakGlassPrincipalArns", "make the policy %d characters long; a service control policy holds at most %d: use fewer ARNs or wildcards", propcheck.Length(string(b)), maxSCPSize)
	}
	name := "kmsmonitor-deletion-guard"
	if p.PolicyName != nil {
		name = *p.PolicyName
	}
	if !propcheck.Unresolved(name) {
		// Policy names are unique in an organization: a second guard of the
		// same name (two stacks of the app, or two guards in one) fails to
		// deploy with DuplicatePolicyException.
		// The names taken so far are kept in the app (metadata of its root):
		// the app, not this process, is what one deployment holds.
		root := node.Node().Root()
		taken := name + " "
		for _, m := range *root.Node().Metadata() {
			if v, ok := m.Data.(string); ok && *m.Type == scpNameMetadata && strings.HasPrefix(v, taken) {
				c.Addf("PolicyName", "%q is also the policy name of the guard at %q; AWS Organizations refuses a second policy of that name (DuplicatePolicyException): give each OrganizationDeletionGuard its own PolicyName", name, strings.TrimPrefix(v, taken))
			}
		}
		root.Node().AddMetadata(jsii.String(scpNameMetadata), taken+*node.Node().Path(), nil)
	}
	c.PanicIfAny()

	g := &OrganizationDeletionGuard{Construct: node}
	g.Policy = awsorganizations.NewCfnPolicy(node, jsii.String("Policy"), &awsorganizations.CfnPolicyProps{
		Name:        jsii.String(name),
		Type:        jsii.String("SERVICE_CONTROL_POLICY"),
		Description: jsii.String(fmt.Sprintf("kmsmonitor: deny disabling or deleting KMS keys used within %d days", policy.minDays)),
		Content:     content,
		TargetIds:   jsii.Strings(p.TargetIDs...),
	})
	return g
}

// scpNameMetadata is the type of the app root's metadata entries that
// record the literal policy name of each guard ("NAME PATH"). Names are
// unique in an organization, whichever account (management or delegated
// administrator) creates the policy: one name per app.
const scpNameMetadata = "kmsmonitor:scpName"

// scpContent writes the guard as a service control policy: no principal
// (an SCP applies to the principals of its targets).
func scpContent(g guardPolicy) map[string]interface{} {
	var statements []interface{}
	for _, s := range g.statements() {
		var action interface{} = s.actions
		if len(s.actions) == 1 {
			action = s.actions[0] // as IAM writes it, and shorter
		}
		statements = append(statements, map[string]interface{}{
			"Sid": s.sid, "Effect": "Deny", "Action": action, "Resource": "*", "Condition": s.condition,
		})
	}
	return map[string]interface{}{"Version": "2012-10-17", "Statement": statements}
}

func checkTargetIDs(c *propcheck.Checker, ids []string) {
	if len(ids) == 0 {
		c.Addf("TargetIDs", "is empty; give the roots (r-...), organizational units (ou-...) or accounts (12 digits) to attach the policy to")
	}
	c.ListTokens("TargetIDs", ids, "")
	seen := map[string]bool{}
	for i, id := range ids {
		prop := fmt.Sprintf("TargetIDs[%d]", i)
		switch {
		case propcheck.Unresolved(id):
		case !ouIDRE.MatchString(id) && !accountIDRE.MatchString(id):
			c.Addf(prop, "%q is not a root, OU or account ID; give one such as r-a1b2, ou-a1b2-c3d4e5f6 or 111122223333", id)
		case seen[id]:
			c.Addf(prop, "%q is listed twice; remove the duplicate", id)
		}
		seen[id] = true
	}
}
