package kmsmonitor

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

const (
	// DefaultMinDaysWithoutUsage is how long a key must have gone without a
	// successful cryptographic operation before it may be disabled or
	// scheduled for deletion. 365 days is AWS's own example (AWS Security
	// Blog, 2026-06-02, "Identify unused AWS KMS keys and prevent accidental
	// key deletions") and covers keys used once a year: yearly jobs, disaster
	// recovery tests, and services such as Amazon EBS that call KMS only when
	// a volume is attached. A shorter period lets such keys be deleted while
	// still needed; deletion cannot be undone, so the guard errs long.
	DefaultMinDaysWithoutUsage = 365
	// DefaultMinPendingWindowInDays is the shortest deletion waiting period
	// allowed: 30 days, the longest KMS accepts and its default.
	DefaultMinPendingWindowInDays = 30
)

// Condition keys and operators of the guard (AWS KMS Developer Guide, "AWS KMS
// condition keys", https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html).
//
// kms:TrailingDaysWithoutKeyUsage is computed by KMS for every DisableKey and
// ScheduleKeyDeletion request (days since the last use, or since the key's
// creation or the start of tracking when none was recorded; rounded down),
// so it is always present and NumericLessThanEquals is used as AWS's example
// does. ...IfExists is not used: it would also deny where the key is absent,
// which KMS documents no case of, and would turn a future request without it
// into a refusal nobody can explain.
//
// kms:ScheduleKeyDeletionPendingWindowInDays takes the request's
// PendingWindowInDays, or its default (30) when the parameter is left out
// (same page, "Conditions for an API operation request"), so a request
// without it is 30 days and must not be denied: plain NumericLessThan.
const (
	trailingDaysKey  = "kms:TrailingDaysWithoutKeyUsage"
	pendingWindowKey = "kms:ScheduleKeyDeletionPendingWindowInDays"
)

// guardPolicy is the decision shared by the key-policy guard and the
// organization guard: which requests are denied, and who is exempt.
type guardPolicy struct {
	minDays, minWindow int
	// minDaysToken and minWindowToken, when set, are token values (such as
	// a CfnParameter's) that replace minDays and minWindow in the policy.
	minDaysToken, minWindowToken *float64
	breakGlass                   []string
}

// number is v as written in a policy condition: the literal, or the token.
func number(v int, token *float64) string {
	if token != nil {
		return *awscdk.Token_AsString(*token, nil)
	}
	return fmt.Sprint(v)
}

// guardStatement is one deny of the guard, in a form both a key policy and a
// service control policy can be written from.
type guardStatement struct {
	sid       string
	actions   []string
	condition map[string]interface{}
}

func (g guardPolicy) statements() []guardStatement {
	exempt := func(c map[string]interface{}) map[string]interface{} {
		if len(g.breakGlass) > 0 {
			// ArnNotLike: break-glass ARNs may hold wildcards (a role path or name prefix).
			c["ArnNotLike"] = map[string]interface{}{"aws:PrincipalArn": g.breakGlass}
		}
		return c
	}
	out := []guardStatement{{
		sid:     "DenyDisablingOrDeletingKeysInUse",
		actions: []string{"kms:DisableKey", "kms:ScheduleKeyDeletion"},
		condition: exempt(map[string]interface{}{
			"NumericLessThanEquals": map[string]interface{}{trailingDaysKey: number(g.minDays, g.minDaysToken)},
		}),
	}}
	if g.minWindow > 7 || g.minWindowToken != nil { // 7 days is the shortest KMS allows: no deny needed
		out = append(out, guardStatement{
			sid:     "DenyShortKeyDeletionWaitingPeriod",
			actions: []string{"kms:ScheduleKeyDeletion"},
			condition: exempt(map[string]interface{}{
				"NumericLessThan": map[string]interface{}{pendingWindowKey: number(g.minWindow, g.minWindowToken)},
			}),
		})
	}
	return out
}

// breakGlassRE accepts IAM role and user ARNs, with wildcards in the name.
var breakGlassRE = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}|\*):(role|user)/[\w+=,.@/*?-]+$`)

// allPrincipalsRE matches a break-glass ARN whose name is only wildcards.
var allPrincipalsRE = regexp.MustCompile(`:(role|user)/[*?/]*\*[*?/]*$`)

// KMS quota: a key policy document holds at most 32 KB (32,768 bytes).
// keyOwnStatementsBytes is what a guarded key keeps for its own statements
// (aws-cdk-lib's account statement, grants, a service's access).
const (
	maxKeyPolicyBytes     = 32768
	keyOwnStatementsBytes = 2048
)

// guardStatementsBytes is the size of the statements the guard adds to a
// key policy: the service control policy's, each with its principal "*",
// and 5% for what the key policy writes more (TestQuotas_KeyPolicySize
// compares with the synthesized policy).
func guardStatementsBytes(g guardPolicy) int {
	b, _ := json.Marshal(scpContent(g))
	return (len(b) + len(g.statements())*len(`"Principal":{"AWS":"*"},`)) * 105 / 100
}

// validateGuard checks the props shared by both guards, with their names in
// the prop, and returns the policy with defaults applied.
func validateGuard(c *propcheck.Checker, minDays, minWindow *float64, breakGlass []string) guardPolicy {
	g := guardPolicy{minDays: DefaultMinDaysWithoutUsage, minWindow: DefaultMinPendingWindowInDays, breakGlass: breakGlass}
	if v, ok := c.Number("MinDaysWithoutUsage", minDays, 1, 3650, true, "give a whole number of days from 1 to 3650, such as jsii.Number(365) (AWS's example)"); ok {
		g.minDays = int(v)
	} else if minDays != nil && propcheck.Unresolved(*minDays) {
		g.minDaysToken = minDays
	}
	if v, ok := c.Number("MinPendingWindowInDays", minWindow, 7, 30, true, "KMS accepts waiting periods of 7 to 30 days: give a whole number from 7 (no minimum) to 30"); ok {
		g.minWindow = int(v)
	} else if minWindow != nil && propcheck.Unresolved(*minWindow) {
		g.minWindowToken = minWindow
	}
	c.ListTokens("BreakGlassPrincipalArns", breakGlass, "")
	seen := map[string]bool{}
	// aws:PrincipalArn carries the partition of the principal's own account:
	// a role of another partition never matches, and the guard locks it out
	// like everyone else.
	stackPartition := propcheck.Partition(*awscdk.Stack_Of(c.Node()).Region())
	partitions := map[string]string{} // partition -> first prop naming it
	for i, arn := range breakGlass {
		prop := fmt.Sprintf("BreakGlassPrincipalArns[%d]", i)
		if propcheck.Unresolved(arn) || !breakGlassRE.MatchString(arn) {
			continue
		}
		partition := strings.SplitN(arn, ":", 3)[1]
		switch {
		case stackPartition != "" && partition != stackPartition:
			c.Addf(prop, "%q is of partition %s, but this stack deploys to partition %s, where aws:PrincipalArn never names it: the break-glass principal would be locked out like everyone else; give a role or user of partition %s (arn:%s:iam::...)",
				arn, partition, stackPartition, stackPartition, stackPartition)
		case stackPartition == "" && len(partitions) > 0 && partitions[partition] == "":
			for other, first := range partitions {
				c.Addf(prop, "%q is of partition %s, but %s is of partition %s; a stack deploys to one partition, where only its own principals match: give the break-glass principals of the partition this stack deploys to", arn, partition, first, other)
				break
			}
		}
		if partitions[partition] == "" {
			partitions[partition] = prop
		}
	}
	for i, arn := range breakGlass {
		prop := fmt.Sprintf("BreakGlassPrincipalArns[%d]", i)
		switch {
		case propcheck.Unresolved(arn):
		case !breakGlassRE.MatchString(arn):
			c.Addf(prop, "%q is not an IAM role or user ARN; give one such as arn:aws:iam::111122223333:role/BreakGlass (aws:PrincipalArn of an assumed role is its role ARN, not the arn:aws:sts::...:assumed-role/... session)", arn)
		case allPrincipalsRE.MatchString(arn):
			c.Addf(prop, "%q names every %s, which would exempt everyone from the guard; name the break-glass roles or users, such as arn:aws:iam::111122223333:role/BreakGlass", arn, allPrincipalsRE.FindStringSubmatch(arn)[1])
		case seen[arn]:
			c.Addf(prop, "%q is listed twice; remove the duplicate", arn)
		}
		seen[arn] = true
	}
	return g
}

// DeletionGuardProps configures DeletionGuard.
type DeletionGuardProps struct {
	// MinDaysWithoutUsage: DisableKey and ScheduleKeyDeletion are denied while
	// kms:TrailingDaysWithoutKeyUsage is at most this many days.
	// Default: DefaultMinDaysWithoutUsage (365 days).
	MinDaysWithoutUsage *float64
	// MinPendingWindowInDays: ScheduleKeyDeletion with a shorter waiting
	// period is denied. 7 turns the check off.
	// Default: DefaultMinPendingWindowInDays (30 days).
	MinPendingWindowInDays *float64
	// BreakGlassPrincipalArns are the IAM roles or users exempt from the
	// guard (aws:PrincipalArn, wildcards allowed).
	// Default: nobody is exempt.
	BreakGlassPrincipalArns []string
}

// DeletionGuard adds to the key policy of KMS keys defined in the app a deny
// of kms:DisableKey and kms:ScheduleKeyDeletion while the key was used within
// MinDaysWithoutUsage days, and a deny of kms:ScheduleKeyDeletion with a
// waiting period under MinPendingWindowInDays; BreakGlassPrincipalArns are
// exempt from both. Protect one key with Protect, or every key of a scope
// (an app, a stage, a stack) with awscdk.Aspects_Of(scope).Add(guard.Aspect(), nil).
//
// Key administration stays possible: only those two actions are denied, so
// the key policy can still be changed, the key enabled, tagged, rotated, and
// a pending deletion cancelled. What it does not stop: anyone allowed
// kms:PutKeyPolicy can remove the denies (restrict it, or add
// OrganizationDeletionGuard); keys whose policies the app does not own (use
// DeletionCheck); and until 2027-04-23 a key created before tracking began
// (2026-04-23) counts at most the days since then, so with the default no
// such key can be disabled or deleted except by a break-glass principal.
// Likewise a key created by this app, even one never used, counts the days
// since its creation: for MinDaysWithoutUsage days it cannot be disabled or
// scheduled for deletion, by CloudFormation either (a key with
// awscdk.RemovalPolicy_DESTROY then fails to delete with its stack, and
// gets a warning at synthesis). Give such a key to AllowDeletionWithStack
// (CloudFormation's execution role is then exempt on that key only), or add
// the role CloudFormation deletes with (the CDK bootstrap's cfn-exec-role, not
// the deploy role) to BreakGlassPrincipalArns for every key. An aspect does not
// reach the keys of a Stage under the scope it is added to (it warns): add
// it to the Stage too. Last usage is recorded up to an hour late.
type DeletionGuard struct {
	constructs.Construct

	policy    guardPolicy
	mu        sync.Mutex
	protected map[string]bool
	keys      []awskms.IKey // the keys protected, in order
}

// NewDeletionGuard creates DeletionGuard. It panics with a *ValidationError
// when props are invalid. The guard changes no key until Protect or its
// Aspect is applied.
func NewDeletionGuard(scope constructs.Construct, id *string, props *DeletionGuardProps) *DeletionGuard {
	p, node, c := start("kmsmonitor.DeletionGuard", scope, id, props)
	policy := validateGuard(c, p.MinDaysWithoutUsage, p.MinPendingWindowInDays, p.BreakGlassPrincipalArns)
	if size := guardStatementsBytes(policy); size > maxKeyPolicyBytes-keyOwnStatementsBytes {
		c.Addf("BreakGlassPrincipalArns", "make the guard's key policy statements %d bytes (the list is in each of its %d denies); a key policy holds at most %d bytes (KMS quota), and the key's own statements need about %d more: name fewer principals, or use wildcards (arn:aws:iam::111122223333:role/BreakGlass*)",
			size, len(policy.statements()), maxKeyPolicyBytes, keyOwnStatementsBytes)
	}
	c.PanicIfAny()
	return &DeletionGuard{Construct: node, policy: policy, protected: map[string]bool{}}
}

// Protect adds the guard to the key policy of each key. Keys imported from
// outside the app (awskms.Key_FromKeyArn) have no policy the app can change:
// they fail with a *ValidationError (use DeletionCheck for them).
func (g *DeletionGuard) Protect(keys ...awskms.IKey) {
	c := propcheck.New("kmsmonitor.DeletionGuard", g.Construct)
	for i, key := range keys {
		if key == nil {
			c.Addf(fmt.Sprintf("Protect[%d]", i), "is nil; pass a key created in the app with awskms.NewKey")
			continue
		}
		switch g.protect(key) {
		case keyProtected:
			if k, ok := key.(awskms.Key); ok {
				// Checked at synthesis: the removal policy may be set after Protect.
				awscdk.Aspects_Of(k).Add(&deletedWithStackCheck{guard: g, key: k}, nil)
			}
		case keyImported:
			c.Addf(fmt.Sprintf("Protect[%d]", i), "%s is imported; its key policy is not part of this app: protect it where it is defined, with OrganizationDeletionGuard, or watch it with DeletionCheck",
				*key.Node().Path())
		case keyOptedOut:
			c.Addf(fmt.Sprintf("Protect[%d]", i), "%s was given to kmsmonitor.OptOut, which leaves it unguarded; protect it, or opt it out, not both", *key.Node().Path())
		case keyTaken:
			c.Addf(fmt.Sprintf("Protect[%d]", i), "%s is already protected by another DeletionGuard; a key takes one guard (the statements of two would share their Sids, and one's break-glass principals would still be refused by the other): protect it with one guard",
				*key.Node().Path())
		}
	}
	c.PanicIfAny()
}

// guardMarker is the child a guard adds to each key it protects, so that
// another guard sees that the key is taken.
const guardMarker = "KmsmonitorDeletionGuard"

// protectResult says what protect did with a key.
type protectResult int

const (
	keyProtected protectResult = iota
	keyImported                // its policy cannot be changed from here
	keyTaken                   // another guard protects it
	keyOptedOut                // given to OptOut
)

// protect adds the statements once per key, unless another guard did.
func (g *DeletionGuard) protect(key awskms.IKey) protectResult {
	g.mu.Lock()
	defer g.mu.Unlock()
	addr := *key.Node().Addr()
	if g.protected[addr] {
		return keyProtected
	}
	if key.Node().TryFindChild(jsii.String(guardMarker)) != nil {
		return keyTaken
	}
	if optedOut(key) {
		return keyOptedOut
	}
	policy := g.policy
	if role := stackDeletionRole(key); role != nil {
		// AllowDeletionWithStack: on this key only, CloudFormation's role is exempt too.
		policy.breakGlass = append(append([]string{}, policy.breakGlass...), *role)
	}
	for _, s := range policy.statements() {
		res := key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String(s.sid),
			Effect:     awsiam.Effect_DENY,
			Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
			Actions:    jsii.Strings(s.actions...),
			// In a key policy the resource is the key itself, written "*".
			Resources:  jsii.Strings("*"),
			Conditions: &s.condition,
		}), jsii.Bool(true))
		if !*res.StatementAdded {
			return keyImported
		}
	}
	if k, ok := key.(constructs.Construct); ok {
		marker := constructs.NewConstruct(k, jsii.String(guardMarker))
		// Another guard meeting the key compares its settings with these.
		constructs.NewConstruct(marker, jsii.String(g.policy.digest()))
	}
	g.protected[addr] = true
	g.keys = append(g.keys, key)
	return keyProtected
}

// Aspect returns an aspect that protects every awskms.Key (L2) of the scope
// it is added to, except keys another guard protects (a key takes one
// guard: given to Protect, it keeps that guard). Keys defined only as
// awskms.CfnKey get a warning instead.
func (g *DeletionGuard) Aspect() awscdk.IAspect { return &deletionGuardAspect{guard: g} }

type deletionGuardAspect struct{ guard *DeletionGuard }

// Visit implements awscdk.IAspect.
func (a *deletionGuardAspect) Visit(node constructs.IConstruct) {
	// aws-cdk-lib does not carry aspects into a Stage (and synthesizes a Stage
	// before the aspects above it run): its keys are not reached unless the
	// Stage has the guard's aspect too. The warning goes on the guard, whose
	// stack is synthesized after.
	for _, child := range *node.Node().Children() {
		if !*awscdk.Stage_IsStage(child) || a.addedTo(child) {
			continue
		}
		var missed []string
		for _, key := range keysUnder(child) {
			if !a.reachedIn(key, child) {
				missed = append(missed, *key.Node().Path())
			}
		}
		if len(missed) > 0 {
			awscdk.Annotations_Of(a.guard.Construct).AddWarningV2(jsii.String("kmsmonitor:guardDoesNotReachStage"), jsii.String(fmt.Sprintf(
				"This DeletionGuard's aspect, added above the Stage %s, does not protect its %d key(s) (%s): aws-cdk-lib does not carry aspects into a Stage. Add it to the Stage too: awscdk.Aspects_Of(stage).Add(guard.Aspect(), nil).",
				*child.Node().Path(), len(missed), strings.Join(missed, ", "))), nil)
		}
	}
	if key, ok := node.(awskms.Key); ok {
		// A key that another guard protects (one given to Protect) keeps that guard.
		switch a.guard.protect(key) {
		case keyProtected:
			a.guard.warnIfDeletedWithStack(key)
		case keyTaken:
			if key.Node().TryFindChild(jsii.String(guardMarker)).Node().TryFindChild(jsii.String(a.guard.policy.digest())) == nil {
				awscdk.Annotations_Of(key).AddWarningV2(jsii.String("kmsmonitor:guardsMeet"), jsii.String(fmt.Sprintf(
					"Another DeletionGuard, with other settings, already protects this key: DeletionGuard %s is not applied to it (a key takes one guard). Protect each key with one guard, or give both the same settings (for KeyMonitoring, enable DeletionGuard in one of them per stack).",
					*a.guard.Node().Path())), nil)
			}
		}
		return
	}
	if cfn, ok := node.(awskms.CfnKey); ok {
		// An L2 key's own CfnKey is its default child: it was handled above.
		if parent, ok := cfn.Node().Scope().(awskms.Key); ok && parent != nil {
			return
		}
		awscdk.Annotations_Of(node).AddWarningV2(jsii.String("kmsmonitor:deletionGuardCfnKey"), jsii.String(
			"DeletionGuard protects awskms.Key constructs only; add its statements to this CfnKey's KeyPolicy yourself, or define the key with awskms.NewKey."), nil)
		return
	}
	if _, ok := node.(awskms.CfnReplicaKey); ok {
		// A replica has its own key policy and its own deletion (ScheduleKeyDeletion on the replica):
		// the primary's guard does not reach it, and aws-cdk-lib has no L2 to add statements to.
		awscdk.Annotations_Of(node).AddWarningV2(jsii.String("kmsmonitor:deletionGuardReplicaKey"), jsii.String(
			"DeletionGuard does not protect this replica key: a replica has its own key policy and is scheduled for deletion on its own. "+
				"Add the guard's two Deny statements (as in the primary's policy) to its KeyPolicy, or watch it with DeletionCheck in the replica's Region."), nil)
	}
}

// cfnExecRoleSample is the role CloudFormation deletes a CDK stack's
// resources with under the default bootstrap (qualifier hnb659fds), for an
// example account and Region: the stand-in when the stack's own is not known
// at synthesis (an environment-agnostic stack).
const cfnExecRoleSample = "arn:aws:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1"

// cfnExecRole returns the ARN of the role CloudFormation deletes key's stack
// with, as far as synthesis knows it: the stack synthesizer's execution role
// with a literal account and name, or "" (another synthesizer, an agnostic stack).
func cfnExecRole(key awskms.Key) string {
	synth, ok := awscdk.Stack_Of(key).Synthesizer().(awscdk.DefaultStackSynthesizer)
	if !ok || synth.CloudFormationExecutionRoleArn() == nil {
		return ""
	}
	// An agnostic stack's role holds ${AWS::AccountId} and ${AWS::Region}, for CloudFormation.
	arn := strings.Replace(*synth.CloudFormationExecutionRoleArn(), "${AWS::Partition}", "aws", 1)
	if propcheck.Unresolved(arn) || strings.Contains(arn, "${") {
		return ""
	}
	return arn
}

// exemptsCloudFormation reports whether a break-glass ARN matches the role
// CloudFormation deletes key's stack with (ArnLike: * and ? in any part but
// the partition), or, where synthesis does not know that role, names a
// cfn-exec-role or matches the default bootstrap's.
func (g *DeletionGuard) exemptsCloudFormation(key awskms.Key) bool {
	role := cfnExecRole(key)
	known := role != ""
	if !known {
		role = cfnExecRoleSample
	}
	for _, arn := range g.policy.breakGlass {
		if propcheck.Unresolved(arn) {
			continue
		}
		rest := arn[strings.Index(arn, ":iam::"):] // the partition aside
		glob := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(rest)) + "$"
		if regexp.MustCompile(glob).MatchString(role[strings.Index(role, ":iam::"):]) ||
			(!known && strings.Contains(strings.ToLower(arn), "cfn-exec-role")) {
			return true
		}
	}
	return false
}

// warnIfDeletedWithStack warns on key when its stack's deletion would
// delete it (RemovalPolicy DESTROY) while the guard refuses that to
// CloudFormation: the deletion of the stack would fail.
func (g *DeletionGuard) warnIfDeletedWithStack(key awskms.Key) {
	cfn, ok := key.Node().DefaultChild().(awskms.CfnKey)
	if !ok || cfn.CfnOptions().DeletionPolicy() != awscdk.CfnDeletionPolicy_DELETE || g.exemptsCloudFormation(key) || deletableWithStack(key) {
		return
	}
	role := cfnExecRole(key)
	if role == "" {
		role = "with the CDK bootstrap, arn:aws:iam::<account>:role/cdk-hnb659fds-cfn-exec-role-<account>-<region>"
	}
	awscdk.Annotations_Of(key).AddWarningV2(jsii.String("kmsmonitor:guardedKeyDeletedWithStack"), jsii.String(fmt.Sprintf(
		"This key is deleted with its stack (RemovalPolicy DESTROY), but DeletionGuard denies kms:ScheduleKeyDeletion, to CloudFormation too, for MinDaysWithoutUsage days after the key's last use (or creation): deleting the stack would fail. "+
			"Keep the key (RemovalPolicy RETAIN), or let CloudFormation delete this key only: kmsmonitor.AllowDeletionWithStack(key) exempts the stack's CloudFormation execution role (%s) on this key's policy. (With cdk deploy --role-arn, add that role to BreakGlassPrincipalArns instead and acknowledge this warning; it can then delete every guarded key.)", role)), nil)
}

// deletedWithStackCheck runs warnIfDeletedWithStack at synthesis, for a key
// given to Protect.
type deletedWithStackCheck struct {
	guard *DeletionGuard
	key   awskms.Key
}

// Visit implements awscdk.IAspect.
func (c *deletedWithStackCheck) Visit(node constructs.IConstruct) {
	if *node.Node().Path() == *c.key.Node().Path() {
		c.guard.warnIfDeletedWithStack(c.key)
	}
}

// digest names the guard's settings, as a construct ID: guards with the same
// digest write the same statements.
func (g guardPolicy) digest() string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%d %d %v %v %q", g.minDays, g.minWindow,
		number(0, g.minDaysToken), number(0, g.minWindowToken), g.breakGlass)))
	return "Settings" + hex.EncodeToString(h[:6])
}

// keysUnder returns the awskms.Key constructs defined under scope.
func keysUnder(scope constructs.IConstruct) []awskms.Key {
	var out []awskms.Key
	for _, c := range *scope.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if k, ok := c.(awskms.Key); ok {
			out = append(out, k)
		}
	}
	return out
}

// addedTo reports whether this guard's aspect is one of scope's own.
func (a *deletionGuardAspect) addedTo(scope constructs.IConstruct) bool {
	for _, other := range *awscdk.Aspects_Of(scope).All() {
		if o, ok := other.(*deletionGuardAspect); ok && o.guard == a.guard {
			return true
		}
	}
	return false
}

// reachedIn reports whether the guard's aspect is added between stage and
// key (a stack or construct of the Stage), where it reaches the key.
func (a *deletionGuardAspect) reachedIn(key awskms.Key, stage constructs.IConstruct) bool {
	stagePath := *stage.Node().Path()
	for _, scope := range *key.Node().Scopes() {
		if p := *scope.Node().Path(); len(p) > len(stagePath) && a.addedTo(scope) {
			return true
		}
	}
	return false
}

// deletableMarker is the child AllowDeletionWithStack adds to a key.
const deletableMarker = "KmsmonitorDeletableWithStack"

// AllowDeletionWithStack lets CloudFormation disable and delete key with
// its stack (awscdk.RemovalPolicy_DESTROY: a test or short-lived key) despite
// kmsmonitor's deletion guards, and nothing else: DeletionGuard exempts, on
// this key's policy only, the role CloudFormation deploys and deletes the
// key's stack with (the CloudFormation execution role of the stack's
// DefaultStackSynthesizer, cdk-<qualifier>-cfn-exec-role-<account>-<region>);
// it tags the key (DeletableWithStackTag, the role's ARN), so that a
// DeletionCheck of the account and Region reports the deletions CloudFormation
// schedules for the key as that role rather than cancelling them; and the key
// gets no kmsmonitor:guardedKeyDeletedWithStack warning. People and other
// roles stay guarded. OrganizationDeletionGuard's service control policy is
// not changed: where it applies, add the execution role to its
// BreakGlassPrincipalArns. Call it before DeletionGuard.Protect (a guard's Aspect, and
// KeyMonitoring's, apply at synthesis and see it whenever it was called).
// It panics with a *ValidationError when key is nil, already protected,
// given to OptOut, or in a stack whose synthesizer names no CloudFormation
// execution role.
func AllowDeletionWithStack(key awskms.Key) {
	if key == nil {
		panic(&ValidationError{Construct: "kmsmonitor.AllowDeletionWithStack", Problems: []string{"key: is nil; pass a key created in the app with awskms.NewKey"}})
	}
	c := propcheck.New("kmsmonitor.AllowDeletionWithStack", key)
	switch {
	case key.Node().TryFindChild(jsii.String(guardMarker)) != nil:
		c.Addf("key", "%s is already protected by a DeletionGuard (Protect), whose statements are written: call AllowDeletionWithStack(key) before guard.Protect(key)", *key.Node().Path())
	case optedOut(key):
		c.Addf("key", "%s was given to OptOut, which leaves it unguarded and its deletion alone already: remove one of the two calls", *key.Node().Path())
	case stackExecutionRole(key) == nil:
		c.Addf("key", "the stack of %s has no CloudFormation execution role kmsmonitor can name (its synthesizer is not a DefaultStackSynthesizer with one): add the role CloudFormation deletes the stack with (cdk deploy --role-arn) to the guard's BreakGlassPrincipalArns instead", *key.Node().Path())
	}
	c.PanicIfAny()
	if !deletableWithStack(key) {
		constructs.NewConstruct(key, jsii.String(deletableMarker))
		// DeletionCheck reads the exemption from the key itself, wherever it is deployed.
		awscdk.Tags_Of(key).Add(jsii.String(DeletableWithStackTag), stackExecutionRole(key), nil)
	}
}

// DeletableWithStackTag is the tag AllowDeletionWithStack puts on a key: its
// value is the ARN of the role CloudFormation may delete the key as.
// DeletionCheck does not cancel a deletion CloudFormation schedules as that
// role. Only CloudFormation's execution role can act on it, and changing it
// is a TagResource call like any other.
const DeletableWithStackTag = "kmsmonitor:deletable-with-stack"

// deletableWithStack reports whether AllowDeletionWithStack was given key.
func deletableWithStack(key awskms.IKey) bool {
	k, ok := key.(constructs.IConstruct)
	return ok && k.Node().TryFindChild(jsii.String(deletableMarker)) != nil
}

// stackExecutionRole is the ARN of the role CloudFormation deploys and
// deletes key's stack with, as a CloudFormation value (Fn::Sub of the
// synthesizer's ARN, whose account and Region are pseudo parameters in an
// environment-agnostic stack), or nil when the synthesizer names none.
func stackExecutionRole(key constructs.IConstruct) *string {
	// CloudFormation deploys and deletes a nested stack with the role of its top-level stack.
	stack := awscdk.Stack_Of(key)
	for stack.NestedStackParent() != nil {
		stack = stack.NestedStackParent()
	}
	synth, ok := stack.Synthesizer().(awscdk.DefaultStackSynthesizer)
	if !ok || synth.CloudFormationExecutionRoleArn() == nil {
		return nil
	}
	arn := *synth.CloudFormationExecutionRoleArn()
	if !strings.Contains(arn, "${") {
		return jsii.String(arn)
	}
	return awscdk.Fn_Sub(jsii.String(arn), nil)
}

// stackDeletionRole is stackExecutionRole for a key given to
// AllowDeletionWithStack, nil for any other.
func stackDeletionRole(key awskms.IKey) *string {
	k, ok := key.(constructs.IConstruct)
	if !ok || !deletableWithStack(key) {
		return nil
	}
	return stackExecutionRole(k)
}

// protectedKeys returns the keys the guard protects so far (all of them
// once its aspect has run, at synthesis).
func (g *DeletionGuard) protectedKeys() []awskms.IKey {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]awskms.IKey{}, g.keys...)
}

// optOutMarker is the child OptOut adds to a key.
const optOutMarker = "KmsmonitorOptOut"

// OptOutTag is the tag OptOut puts on a key, with the value "true".
// DeletionCheck and the key-aware AutoCancelDeletion leave the deletion of a
// key carrying it alone (and report it); tagging a key of another app so
// opts it out too. Changing it is a TagResource call like any other.
const OptOutTag = "kmsmonitor:opt-out"

// OptOut leaves key out of kmsmonitor's deletion protections: a
// DeletionGuard aspect passes it over (Protect refuses it), and it gets the
// tag OptOutTag ("true"), from which DeletionCheck and the key-aware
// AutoCancelDeletion report its deletion instead of cancelling it. Use it for
// keys that are meant to come and go. It panics with a *ValidationError when
// key is nil, already protected, or given to AllowDeletionWithStack.
func OptOut(key awskms.Key) {
	if key == nil {
		panic(&ValidationError{Construct: "kmsmonitor.OptOut", Problems: []string{"key: is nil; pass a key created in the app with awskms.NewKey"}})
	}
	c := propcheck.New("kmsmonitor.OptOut", key)
	if key.Node().TryFindChild(jsii.String(guardMarker)) != nil {
		c.Addf("key", "%s is already protected by a DeletionGuard (Protect), whose statements are written: call OptOut(key) before guard.Protect, or do not protect it", *key.Node().Path())
	}
	if deletableWithStack(key) {
		c.Addf("key", "%s was given to AllowDeletionWithStack, which keeps it guarded but deletable with its stack: remove one of the two calls", *key.Node().Path())
	}
	c.PanicIfAny()
	if !optedOut(key) {
		constructs.NewConstruct(key, jsii.String(optOutMarker))
		awscdk.Tags_Of(key).Add(jsii.String(OptOutTag), jsii.String("true"), nil)
	}
}

// optedOut reports whether OptOut was given key.
func optedOut(key awskms.IKey) bool {
	k, ok := key.(constructs.IConstruct)
	return ok && k.Node().TryFindChild(jsii.String(optOutMarker)) != nil
}
