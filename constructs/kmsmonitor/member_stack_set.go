package kmsmonitor

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

var (
	ouIDRE   = regexp.MustCompile(`^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$`)
	regionRE = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
)

// MemberStackSetProps configures MemberStackSet.
type MemberStackSetProps struct {
	// MemberStack is the member account's stack (with MemberKeyMonitoring),
	// in its own awscdk.Stage and with an awscdk.BootstraplessSynthesizer:
	// StackSet instances cannot read the CDK bootstrap version.
	MemberStack awscdk.Stack
	// OrganizationalUnitIDs to deploy to (ou-... or the root r-...); new
	// accounts in them get the stack automatically.
	OrganizationalUnitIDs []string
	// Regions to deploy to, such as us-east-1.
	Regions []string
	// StackSetName of the StackSet.
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
// *ValidationError when props are invalid.
func NewMemberStackSet(scope constructs.Construct, id *string, props *MemberStackSetProps) *MemberStackSet {
	p, node, c := start("kmsmonitor.MemberStackSet", scope, id, props)
	if p.MemberStack == nil {
		c.Addf("MemberStack", "is missing; give the member account's stack, in its own awscdk.Stage with an awscdk.BootstraplessSynthesizer")
	}
	if len(p.OrganizationalUnitIDs) == 0 {
		c.Addf("OrganizationalUnitIDs", "is empty; give at least one organizational unit ID such as ou-ab12-cd34ef56, or the root r-ab12")
	}
	for i, ou := range p.OrganizationalUnitIDs {
		if !ouIDRE.MatchString(ou) {
			c.Addf(fmt.Sprintf("OrganizationalUnitIDs[%d]", i), "%q is not an organizational unit or root ID; give one such as ou-ab12-cd34ef56", ou)
		}
	}
	if len(p.Regions) == 0 {
		c.Addf("Regions", "is empty; give at least one Region such as us-east-1")
	}
	for i, r := range p.Regions {
		if !regionRE.MatchString(r) {
			c.Addf(fmt.Sprintf("Regions[%d]", i), "%q is not a Region; give one such as us-east-1", r)
		}
	}
	c.Name("StackSetName", p.StackSetName, 128, "a StackSet name")
	// Trusted access for StackSets with AWS Organizations cannot be enabled in
	// the China Regions (CloudFormation User Guide, "Prerequisites for stack
	// set operations"), so a service-managed StackSet cannot work there.
	if region := *awscdk.Stack_Of(node).Region(); !propcheck.Unresolved(region) && strings.HasPrefix(region, "cn-") {
		c.Addf("MemberStack", "this stack deploys to %s, where service-managed StackSets are not available (no trusted access with AWS Organizations in the China Regions): deploy MemberKeyMonitoring to each account with a self-managed StackSet or a pipeline", region)
	}
	for i, r := range p.Regions {
		if strings.HasPrefix(r, "cn-") {
			c.Addf(fmt.Sprintf("Regions[%d]", i), "%q is a China Region, where service-managed StackSets are not available: deploy MemberKeyMonitoring there another way", r)
		}
	}
	c.PanicIfAny()

	body, err := memberTemplate(p.MemberStack)
	if err != nil {
		c.Addf("MemberStack", "%v", err)
		c.PanicIfAny()
	}
	callAs := "SELF"
	if p.DelegatedAdmin != nil && *p.DelegatedAdmin {
		callAs = "DELEGATED_ADMIN"
	}
	s := &MemberStackSet{Construct: node}
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
		TemplateBody: jsii.String(body),
	})
	return s
}

// memberTemplate synthesizes the member stack's stage and returns the stack's template.
func memberTemplate(stack awscdk.Stack) (string, error) {
	stage := awscdk.Stage_Of(stack)
	if stage == nil || *awscdk.App_IsApp(stage) {
		return "", fmt.Errorf("the member stack must be in its own awscdk.Stage (not directly in the app), so that it is synthesized apart")
	}
	template := stage.Synth(nil).GetStackArtifact(stack.ArtifactId()).Template()
	body, err := json.Marshal(template)
	if err != nil {
		return "", err
	}
	if len(body) > 51200 {
		return "", fmt.Errorf("its template is %d bytes; a StackSet's TemplateBody holds at most 51,200", len(body))
	}
	return string(body), nil
}
