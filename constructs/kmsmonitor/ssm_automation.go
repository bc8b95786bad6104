package kmsmonitor

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/nagsuppress"
)

// Systems Manager Automation started by EventBridge, shared by
// AutoCancelDeletion and DeletionCheck: aws-cdk-lib has no such target.

// newAutomationStarter creates the role (ID "EventsRole" under scope) with
// which EventBridge starts the automations definitionArns, passing
// automationRole to Systems Manager and to nothing else; kind and what name
// the construct and its automation in descriptions.
func newAutomationStarter(scope constructs.Construct, kind, what string, definitionArns []*string, automationRole awsiam.IRole) (awsiam.Role, awsiam.ManagedPolicy) {
	account := &map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": awscdk.Stack_Of(scope).Account()}}
	role := awsiam.NewRole(scope, jsii.String("EventsRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewPrincipalWithConditions(awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil), account),
		Description: jsii.String("kmsmonitor " + kind + ": lets EventBridge start " + what),
	})
	policy := awsiam.NewManagedPolicy(scope, jsii.String("EventsPolicy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("kmsmonitor " + kind + ": what EventBridge may do to start the automation"),
		Roles:       &[]awsiam.IRole{role},
		Statements: &[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("StartTheAutomation"), Actions: jsii.Strings("ssm:StartAutomationExecution"),
				Resources: &definitionArns,
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("PassTheAutomationRole"), Actions: jsii.Strings("iam:PassRole"),
				Resources:  &[]*string{automationRole.RoleArn()},
				Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"iam:PassedToService": "ssm.amazonaws.com"}},
			}),
		},
	})
	nagsuppress.On(policy, definitionWildcard)
	return role, policy
}

// definitionWildcard explains the one wildcard on the automation definition.
var definitionWildcard = nagsuppress.Rule{ID: "AwsSolutions-IAM5",
	Reason: "Any version of this one automation document: EventBridge starts $DEFAULT, and the version changes when the document is updated.",
	AppliesTo: []nagsuppress.Finding{
		nagsuppress.Resource("arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-definition/<*>:*"),
		// AWS-owned runbooks have no account in their ARN.
		nagsuppress.Resource("arn:<AWS::Partition>:ssm:<AWS::Region>::automation-definition/<*>:*"),
	}}

// ssmAutomationTarget is an EventBridge target that starts an SSM
// Automation with role, keeping undelivered events in dlq.
type ssmAutomationTarget struct {
	definitionArn *string
	input         awsevents.RuleTargetInput
	role          awsiam.IRole
	dlq           awssqs.IQueue
}

// Bind implements awsevents.IRuleTarget.
func (t *ssmAutomationTarget) Bind(rule interfacesawsevents.IRuleRef, _ *string) *awsevents.RuleTargetConfig {
	alerting.AllowRuleToSend(t.dlq, rule)
	return &awsevents.RuleTargetConfig{
		Arn:              t.definitionArn,
		Role:             t.role,
		Input:            t.input,
		DeadLetterConfig: &awsevents.CfnRule_DeadLetterConfigProperty{Arn: t.dlq.QueueArn()},
		RetryPolicy: &awsevents.CfnRule_RetryPolicyProperty{
			MaximumRetryAttempts: jsii.Number(alerting.RetryAttempts), MaximumEventAgeInSeconds: jsii.Number(alerting.MaxEventAgeSeconds),
		},
	}
}
