package kmsmonitor

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

var (
	ouIDRE         = regexp.MustCompile(`^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$`)
	regionRE       = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
	stackSetNameRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*$`)
)

// maxTemplateBody is the largest TemplateBody of a StackSet, in bytes.
const maxTemplateBody = 51200

// MemberStackSetProps configures MemberStackSet.
type MemberStackSetProps struct {
	// MemberStack is the member account's stack (with MemberKeyMonitoring),
	// in its own awscdk.Stage and with an awscdk.BootstraplessSynthesizer:
	// StackSet instances cannot read the CDK bootstrap version, nor the
	// assets of the deploying account. Its template is read when the app is
	// synthesized, so constructs added to it after NewMemberStackSet are
	// deployed too.
	MemberStack awscdk.Stack
	// OrganizationalUnitIDs to deploy to (ou-... or the root r-...), each
	// once; new accounts in them get the stack automatically. Tokens (a
	// CfnParameter's ValueAsString, or its ValueAsList as the only entry)
	// pass through unchecked.
	OrganizationalUnitIDs []string
	// Regions to deploy to, such as us-east-1, each once. Tokens pass
	// through as for OrganizationalUnitIDs.
	Regions []string
	// StackSetName of the StackSet: a letter, then letters, digits and
	// hyphens, at most 128 characters.
	// Default: "kmsmonitor-member".
	StackSetName *string
	// DelegatedAdmin deploys from a delegated administrator account of
	// CloudFormation StackSets (CallAs DELEGATED_ADMIN) instead of the
	// management account.
	// Default: false.
	DelegatedAdmin *bool
}

// MemberStackSet rolls out the member stack to every account of the given
// organizational units and Regions with a service-managed CloudFormation
// StackSet, automatically to accounts that join later.
type MemberStackSet struct {
	constructs.Construct

	// StackSet is the service-managed StackSet.
	StackSet awscdk.CfnStackSet
}

// NewMemberStackSet creates MemberStackSet. It panics with a
// *ValidationError when props are invalid. The member template is read, and
// checked (size, bootstrap version check, parameters), when the app is
// synthesized; a problem found then fails synthesis ("Validation failed")
// with the same message.
func NewMemberStackSet(scope constructs.Construct, id *string, props *MemberStackSetProps) *MemberStackSet {
	p, node, c := start("kmsmonitor.MemberStackSet", scope, id, props)
	p.validate(c, node)
	c.PanicIfAny()

	callAs := "SELF"
	if p.DelegatedAdmin != nil && *p.DelegatedAdmin {
		callAs = "DELEGATED_ADMIN"
	}
	s := &MemberStackSet{Construct: node}
	member := &memberTemplate{stack: p.MemberStack, node: node}
	node.Node().AddValidation(member)
	s.StackSet = awscdk.NewCfnStackSet(node, jsii.String("StackSet"), &awscdk.CfnStackSetProps{
		StackSetName:    orDefault(p.StackSetName, "kmsmonitor-member"),
		Description:     jsii.String("kmsmonitor: forwards the KMS events of every account to the central security account"),
		PermissionModel: jsii.String("SERVICE_MANAGED"),
		CallAs:          jsii.String(callAs),
		AutoDeployment: &awscdk.CfnStackSet_AutoDeploymentProperty{
			Enabled: jsii.Bool(true), RetainStacksOnAccountRemoval: jsii.Bool(false),
		},
		ManagedExecution: map[string]interface{}{"Active": true},
		Capabilities:     jsii.Strings("CAPABILITY_IAM"),
		OperationPreferences: &awscdk.CfnStackSet_OperationPreferencesProperty{
			FailureTolerancePercentage: jsii.Number(10), MaxConcurrentPercentage: jsii.Number(25), RegionConcurrencyType: jsii.String("PARALLEL"),
		},
		StackInstancesGroup: &[]*awscdk.CfnStackSet_StackInstancesProperty{{
			DeploymentTargets: &awscdk.CfnStackSet_DeploymentTargetsProperty{OrganizationalUnitIds: jsii.Strings(p.OrganizationalUnitIDs...)},
			Regions:           jsii.Strings(p.Regions...),
		}},
		// Read at synthesis, so that the whole member stack is deployed.
		// (Lazy_UncachedString: jsii passes the resolve context, which a Go
		// IStableStringProducer cannot take; the producer caches the body.)
		TemplateBody: awscdk.Lazy_UncachedString(member, nil),
	})
	return s
}

func (p *MemberStackSetProps) validate(c *propcheck.Checker, node constructs.Construct) {
	if p.MemberStack == nil {
		c.Addf("MemberStack", "is missing; give the member account's stack, in its own awscdk.Stage with an awscdk.BootstraplessSynthesizer")
	} else {
		checkMemberStack(c, node, p.MemberStack, p.Regions)
	}
	checkTargets(c, "OrganizationalUnitIDs", p.OrganizationalUnitIDs,
		"is empty; give at least one organizational unit ID such as ou-ab12-cd34ef56, or the root r-ab12",
		func(prop, ou string) {
			if !ouIDRE.MatchString(ou) {
				c.Addf(prop, "%q is not an organizational unit or root ID; give one such as ou-ab12-cd34ef56", ou)
			}
		})
	checkTargets(c, "Regions", p.Regions, "is empty; give at least one Region such as us-east-1",
		func(prop, r string) {
			switch {
			case !regionRE.MatchString(r):
				c.Addf(prop, "%q is not a Region; give one such as us-east-1", r)
			case strings.HasPrefix(r, "cn-"):
				c.Addf(prop, "%q is a China Region, where service-managed StackSets are not available: deploy MemberKeyMonitoring there another way", r)
			}
		})
	if n := p.StackSetName; n != nil && !propcheck.Unresolved(*n) {
		switch {
		case len(*n) > 128:
			c.Addf("StackSetName", "is %d characters long; a StackSet name has at most 128", len(*n))
		case !stackSetNameRE.MatchString(*n):
			c.Addf("StackSetName", "%q is not a StackSet name; start with a letter and use only letters, digits and hyphens (such as kmsmonitor-member)", *n)
		}
	}
	// Trusted access for StackSets with AWS Organizations cannot be enabled in
	// the China Regions (CloudFormation User Guide, "Prerequisites for stack
	// set operations"), so a service-managed StackSet cannot work there.
	if region := *awscdk.Stack_Of(node).Region(); !propcheck.Unresolved(region) && strings.HasPrefix(region, "cn-") {
		c.Addf("MemberStack", "this stack deploys to %s, where service-managed StackSets are not available (no trusted access with AWS Organizations in the China Regions): deploy MemberKeyMonitoring to each account with a self-managed StackSet or a pipeline", region)
	}
}

// checkTargets checks a list of deployment targets: not empty, each literal
// entry checked by check and given once; tokens (a string, or a list token
// as the only entry) pass through.
func checkTargets(c *propcheck.Checker, prop string, values []string, empty string, check func(prop, v string)) {
	if len(values) == 0 {
		c.Addf(prop, "%s", empty)
	}
	c.ListTokens(prop, values, "") // a list token only as the only entry
	distinct := c.Distinct()
	for i, v := range values {
		name := fmt.Sprintf("%s[%d]", prop, i)
		if propcheck.Unresolved(v) {
			continue
		}
		if distinct.Add(name, v, fmt.Sprintf("%q", v)) {
			check(name, v)
		}
	}
}

// checkMemberStack checks what is known of the member stack before
// synthesis. Its synthesizer is checked on its template (checkMemberTemplate):
// asking the stack for it makes the jsii kernel print a warning.
func checkMemberStack(c *propcheck.Checker, node constructs.Construct, member awscdk.Stack, regions []string) {
	stage := awscdk.Stage_Of(member)
	switch {
	case stage == nil || *awscdk.App_IsApp(stage):
		c.Addf("MemberStack", "the member stack must be in its own awscdk.Stage (not directly in the app), so that it is synthesized apart: awscdk.NewStack(awscdk.NewStage(app, jsii.String(\"Member\"), nil), ...)")
	case strings.HasPrefix(*node.Node().Path()+"/", *stage.Node().Path()+"/"):
		c.Addf("MemberStack", "is in the stage %q, which also holds this MemberStackSet; put the member stack in a Stage of its own", *stage.Node().Path())
	}
	// One template serves every account and Region of the StackSet: a
	// literal account or Region written into it (trust conditions, ARNs)
	// would be wrong in all the others.
	// A literal Region is right when it is the StackSet's only Region.
	if account := member.Account(); !propcheck.Unresolved(*account) {
		c.Addf("MemberStack", "has the account %s; a StackSet deploys one template to every account of its targets, so the member stack must not name one: leave its Env's Account unset", *account)
	}
	if region := member.Region(); !propcheck.Unresolved(*region) && (len(regions) != 1 || regions[0] != *region) {
		c.Addf("MemberStack", "has the Region %s; a StackSet deploys one template to every Region of Regions, so the member stack names a Region only when it is the only one in Regions: leave its Env's Region unset", *region)
	}
}

// memberTemplate reads the member stack's template when the app is
// synthesized (the member's stage is synthesized first, with every construct
// added to it by then). It is both the TemplateBody's producer and a
// validation of the MemberStackSet: CDK validates the tree before it
// resolves templates, so a member template that cannot work fails synthesis
// with "Validation failed" and the problems, and is never written.
type memberTemplate struct {
	stack    awscdk.Stack
	node     constructs.Construct
	body     string
	problems *[]*string
}

// read synthesizes the member's stage once, and checks its template.
func (m *memberTemplate) read() {
	if m.problems != nil {
		return
	}
	c := propcheck.New("kmsmonitor.MemberStackSet", m.node)
	template, _ := awscdk.Stage_Of(m.stack).Synth(nil).GetStackArtifact(m.stack.ArtifactId()).Template().(map[string]interface{})
	checkMemberTemplate(c, template)
	body, err := json.Marshal(template)
	if err != nil {
		c.Addf("MemberStack", "its template cannot be written as JSON: %v", err)
	} else if len(body) > maxTemplateBody {
		c.Addf("MemberStack", "its template is %d bytes; a StackSet's TemplateBody holds at most 51,200: split the member stack, or deploy with a self-managed StackSet from a template in S3", len(body))
	}
	m.body, m.problems = string(body), &[]*string{}
	if err := c.Err(); err != nil {
		// One message, as a constructor's *ValidationError reads.
		m.problems = &[]*string{jsii.String(err.Error())}
	}
}

// Validate returns the problems of the member template (IValidation). It
// returns them rather than panicking: a Go panic must not cross a jsii callback.
func (m *memberTemplate) Validate() *[]*string {
	m.read()
	return m.problems
}

// Produce returns the member template (IStringProducer).
func (m *memberTemplate) Produce(awscdk.IResolveContext) *string {
	m.read()
	return jsii.String(m.body)
}

// checkMemberTemplate records what in a member template cannot work in a
// StackSet: the CDK bootstrap version check, and parameters without a
// default (the StackSet passes no parameter values).
func checkMemberTemplate(c *propcheck.Checker, template map[string]interface{}) {
	params, _ := template["Parameters"].(map[string]interface{})
	if _, ok := params["BootstrapVersion"]; ok {
		c.Addf("MemberStack", "its template checks the CDK bootstrap version, which the accounts of a StackSet do not have: create the member stack with awscdk.StackProps{Synthesizer: awscdk.NewBootstraplessSynthesizer(nil)}")
	}
	var missing []string
	for name, v := range params {
		if p, _ := v.(map[string]interface{}); name != "BootstrapVersion" && p["Default"] == nil {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		c.Addf("MemberStack", "its template has parameters without a default (%s), and the StackSet passes no parameter values: give each a Default, or use no assets and no CfnParameter in the member stack",
			strings.Join(missing, ", "))
	}
}
