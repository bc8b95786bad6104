package kmsmonitor

import (
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/nagsuppress"
	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

var (
	organizationIDRE = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	ouIDRE           = regexp.MustCompile(`^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$`)
	regionRE         = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
	eventBusArnRE    = regexp.MustCompile(`^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9._-]+$`)
)

// CentralKeyMonitoringProps configures CentralKeyMonitoring.
type CentralKeyMonitoringProps struct {
	// OrganizationID (o-...) whose accounts may send events to the bus.
	OrganizationID *string
	// EventBusName of the central bus.
	// Default: "kmsmonitor-central".
	EventBusName *string
	// Topic receives every notification.
	// Default: a new SNS topic encrypted with a new customer managed KMS key.
	Topic awssns.ITopic
	// Emails are subscribed to Topic.
	// Default: no subscription.
	Emails []string
}

// CentralKeyMonitoring is the security account's side of organization-wide
// monitoring: an event bus that only accounts of the organization may send
// to, and rules that notify one topic of the KMS lifecycle events and of the
// uses of keys pending deletion or disabled that member accounts forward
// (MemberKeyMonitoring). Every message names the account and Region it came
// from. Remediation stays in the member accounts (AutoCancelDeletion there):
// CancelKeyDeletion cannot be called across accounts.
type CentralKeyMonitoring struct {
	constructs.Construct

	// EventBus receives the members' events.
	EventBus awsevents.EventBus
	// LifecycleEvents notifies the KMS lifecycle events of every account.
	LifecycleEvents *KmsLifecycleEvents
	// KeyUseEvents notifies the uses of keys pending deletion or disabled of every account.
	KeyUseEvents *KeyUseEvents
	// Topic receives the notifications.
	Topic awssns.ITopic
	// TopicKey encrypts Topic; nil when Topic was given.
	TopicKey awskms.Key
}

// NewCentralKeyMonitoring creates CentralKeyMonitoring. It panics with a
// *ValidationError when props are invalid.
func NewCentralKeyMonitoring(scope constructs.Construct, id *string, props *CentralKeyMonitoringProps) *CentralKeyMonitoring {
	p, node, c := start("kmsmonitor.CentralKeyMonitoring", scope, id, props)
	switch {
	case p.OrganizationID == nil || *p.OrganizationID == "":
		c.Addf("OrganizationID", "is missing; give your organization's ID, such as o-a1b2c3d4e5 (aws organizations describe-organization)")
	case !propcheck.Unresolved(*p.OrganizationID) && !organizationIDRE.MatchString(*p.OrganizationID):
		c.Addf("OrganizationID", "%q is not an organization ID; give one such as o-a1b2c3d4e5", *p.OrganizationID)
	}
	c.Name("EventBusName", p.EventBusName, 256, "an event bus name")
	c.Emails("Emails", p.Emails)
	c.PanicIfAny()

	m := &CentralKeyMonitoring{Construct: node}
	m.EventBus = awsevents.NewEventBus(node, jsii.String("EventBus"), &awsevents.EventBusProps{
		EventBusName: orDefault(p.EventBusName, "kmsmonitor-central"),
		Description:  jsii.String("kmsmonitor: KMS events forwarded by the accounts of the organization"),
	})
	// Any principal, but only of this organization: member accounts' rules
	// send with their own roles.
	m.EventBus.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowAccountsOfTheOrganization"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("events:PutEvents"),
		Resources:  &[]*string{m.EventBus.EventBusArn()},
		Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"aws:PrincipalOrgID": *p.OrganizationID}},
	}))
	n := alerting.UseOrCreateTopic(node, p.Topic, p.Emails)
	m.Topic, m.TopicKey = n.Topic, n.Key
	m.LifecycleEvents = NewKmsLifecycleEvents(node, jsii.String("LifecycleEvents"), &KmsLifecycleEventsProps{
		EventBus: m.EventBus, Topic: m.Topic,
	})
	m.KeyUseEvents = NewKeyUseEvents(node, jsii.String("KeyUseEvents"), &KeyUseEventsProps{
		EventBus: m.EventBus, Topic: m.Topic,
	})
	return m
}

// MemberKeyMonitoringProps configures MemberKeyMonitoring.
type MemberKeyMonitoringProps struct {
	// CentralEventBusArn is the ARN of CentralKeyMonitoring's bus.
	CentralEventBusArn *string
	// DeadLetterQueue keeps the events that could not be forwarded after 24 hours.
	// Default: a new SSE-SQS encrypted, TLS-only queue keeping messages 14 days.
	DeadLetterQueue awssqs.IQueue
}

// MemberKeyMonitoring is a member account's side of organization-wide
// monitoring: rules on the default bus that forward to the central bus the
// KMS lifecycle events and the CloudTrail records of KMS calls that failed
// because the key is pending deletion or disabled. It holds no account or
// Region, so one template serves every account and Region of a StackSet.
type MemberKeyMonitoring struct {
	constructs.Construct

	// LifecycleRule forwards the KMS lifecycle events.
	LifecycleRule awsevents.Rule
	// KeyUseRule forwards the failed calls of keys pending deletion or disabled.
	KeyUseRule awsevents.Rule
	// Role is what EventBridge sends to the central bus with.
	Role awsiam.Role
	// DeadLetterQueue keeps undelivered events.
	DeadLetterQueue awssqs.IQueue
}

// NewMemberKeyMonitoring creates MemberKeyMonitoring. It panics with a
// *ValidationError when props are invalid.
func NewMemberKeyMonitoring(scope constructs.Construct, id *string, props *MemberKeyMonitoringProps) *MemberKeyMonitoring {
	p, node, c := start("kmsmonitor.MemberKeyMonitoring", scope, id, props)
	switch {
	case p.CentralEventBusArn == nil || *p.CentralEventBusArn == "":
		c.Addf("CentralEventBusArn", "is missing; give the ARN of the central account's bus (CentralKeyMonitoring.EventBus)")
	case !propcheck.Unresolved(*p.CentralEventBusArn) && !eventBusArnRE.MatchString(*p.CentralEventBusArn):
		c.Addf("CentralEventBusArn", "%q is not an event bus ARN; give one such as arn:aws:events:us-east-1:111122223333:event-bus/kmsmonitor-central", *p.CentralEventBusArn)
	}
	c.PanicIfAny()

	m := &MemberKeyMonitoring{Construct: node, DeadLetterQueue: p.DeadLetterQueue}
	if m.DeadLetterQueue == nil {
		m.DeadLetterQueue = alerting.NewDeadLetterQueue(node, "DeadLetterQueue")
	}
	stack := awscdk.Stack_Of(node)
	central := awsevents.EventBus_FromEventBusArn(node, jsii.String("CentralEventBus"), p.CentralEventBusArn)
	m.Role = awsiam.NewRole(node, jsii.String("ForwardingRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewPrincipalWithConditions(awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
			&map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()}}),
		Description: jsii.String("kmsmonitor: forwards KMS events to the organization's central bus"),
	})
	target := awseventstargets.NewEventBus(central, &awseventstargets.EventBusProps{Role: m.Role, DeadLetterQueue: m.DeadLetterQueue})
	m.LifecycleRule = awsevents.NewRule(node, jsii.String("LifecycleRule"), &awsevents.RuleProps{
		Description: jsii.String("kmsmonitor: forwards the KMS lifecycle events to the central bus"),
		EventPattern: &awsevents.EventPattern{Source: jsii.Strings("aws.kms"), DetailType: &[]*string{
			jsii.String(string(KeyRotationEvent)), jsii.String(string(ImportedKeyMaterialExpirationEvent)), jsii.String(string(KeyDeletionEvent)),
		}},
		Targets: &[]awsevents.IRuleTarget{target},
	})
	m.KeyUseRule = newCloudTrailRule(node, "KeyUseRule", "kmsmonitor: forwards KMS calls that failed on keys pending deletion or disabled", map[string]interface{}{
		"eventSource":  []string{"kms.amazonaws.com"},
		"errorMessage": []interface{}{map[string]string{"suffix": pendingDeletionSuffix}, map[string]string{"suffix": disabledSuffix}},
	}, true, nil)
	m.KeyUseRule.AddTarget(target)
	if policy := m.Role.Node().TryFindChild(jsii.String("DefaultPolicy")); policy != nil {
		nagsuppress.On(policy, nagsuppress.Rule{ID: "NIST.800.53.R5-IAMNoInlinePolicy",
			Reason: "aws-cdk-lib's EventBus target writes this policy when it binds; it allows only events:PutEvents on the central bus."})
	}
	return m
}

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
