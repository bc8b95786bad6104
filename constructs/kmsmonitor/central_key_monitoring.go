package kmsmonitor

import (
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

var organizationIDRE = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

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
	// BoundedMessages is KeyUseEvents' (KeyUseEventsProps.BoundedMessages).
	// Default: true, but false in a stack of a Region without EventBridge Pipes.
	BoundedMessages *bool
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
	LifecycleEvents *LifecycleEvents
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
	c.AWSName("EventBusName", p.EventBusName, propcheck.EventBusName)
	alerting.CheckRuleDeliveryProps(c, p.Topic, nil, p.Emails)
	checkBoundedMessages(c, node, p.BoundedMessages)
	c.PanicIfAny()

	m := &CentralKeyMonitoring{Construct: node}
	m.EventBus = awsevents.NewEventBus(node, jsii.String("EventBus"), &awsevents.EventBusProps{
		EventBusName: orDefault(p.EventBusName, "kmsmonitor-central"),
		Description:  busDescription(node, "kmsmonitor: KMS events forwarded by the accounts of the organization"),
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
	n := alerting.Decide(node, p.Topic, p.Emails, nil, nil)
	m.Topic, m.TopicKey = n.Topic, n.Key
	m.LifecycleEvents = NewLifecycleEvents(node, jsii.String("LifecycleEvents"), &LifecycleEventsProps{
		EventBus: m.EventBus, shared: &n,
	})
	m.KeyUseEvents = NewKeyUseEvents(node, jsii.String("KeyUseEvents"), &KeyUseEventsProps{
		EventBus: m.EventBus, BoundedMessages: p.BoundedMessages, shared: &n,
	})
	return m
}

// busDescription returns description where the stack's Region is known and
// its AWS::Events::EventBus has a Description, nil elsewhere: the resource's
// CloudFormation schema in the AWS GovCloud (US) Regions has none (cfn-lint
// E3002), and an environment-agnostic stack may be deployed there.
func busDescription(scope constructs.Construct, description string) *string {
	region := *awscdk.Stack_Of(scope).Region()
	if propcheck.Unresolved(region) || strings.HasPrefix(region, "us-gov-") {
		return nil
	}
	return jsii.String(description)
}
