package kmsmonitor

import (
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/cdkbyname"
	"github.com/kmsmonitor/kmsmonitor/internal/cdkchild"
	"github.com/kmsmonitor/kmsmonitor/internal/nagsuppress"
	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

var eventBusArnRE = regexp.MustCompile(`^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9._-]+$`)

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
	alerting.CheckDeadLetterQueue(c, "DeadLetterQueue", p.DeadLetterQueue)
	alerting.ReserveSenders(c, "DeadLetterQueue", p.DeadLetterQueue, 2, false)
	c.PanicIfAny()

	m := &MemberKeyMonitoring{Construct: node, DeadLetterQueue: p.DeadLetterQueue}
	m.DeadLetterQueue = alerting.UseOrCreateDeadLetterQueue(node, p.DeadLetterQueue)
	stack := awscdk.Stack_Of(node)
	central := awsevents.EventBus_FromEventBusArn(node, jsii.String("CentralEventBus"), p.CentralEventBusArn)
	m.Role = awsiam.NewRole(node, jsii.String("ForwardingRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewPrincipalWithConditions(awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
			&map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()}}),
		Description: jsii.String("kmsmonitor: forwards KMS events to the organization's central bus"),
	})
	target := alerting.WithDeadLetterQueue(cdkbyname.EventBus(central, cdkbyname.TargetProps{Role: m.Role}), m.DeadLetterQueue)
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
	nagsuppress.On(cdkchild.Find(m.Role, cdkchild.RoleDefaultPolicy), nagsuppress.Rule{ID: "NIST.800.53.R5-IAMNoInlinePolicy",
		Reason: "aws-cdk-lib's EventBus target writes this policy when it binds; it allows only events:PutEvents on the central bus."})
	return m
}
