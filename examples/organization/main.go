// Command organization is an example CDK app for AWS Organizations: the
// central stack for the security account (an event bus that only the
// organization may send to, and notifications), and, for the management
// account (or a delegated administrator of StackSets), a service-managed
// StackSet that deploys the member stack (forwarding of KMS events) to every
// account of the given organizational units and Regions, new accounts
// included.
//
//	npx cdk synth --app "go run ./examples/organization" \
//	  -c organizationId=o-a1b2c3d4e5 -c centralAccount=111122223333 -c centralRegion=us-east-1 \
//	  -c organizationalUnitIds=ou-ab12-cd34ef56 -c regions=us-east-1,eu-west-1 -c emails=security@example.com
//
// Without context, placeholders synthesize with no AWS account; when the CDK
// CLI has resolved one (cdk deploy), or centralAccount is given, synthesis
// fails until organizationId, centralAccount, organizationalUnitIds and
// emails are set.
//
// Deploy order: KmsMonitorCentral to the security account first (the members
// send to its bus), then KmsMonitorOrgRollout to the management account, and
// KmsMonitorManagementAccount to the management account in each Region: a
// service-managed StackSet never deploys to the management account.
package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/examples/internal/appcontext"
	"github.com/kmsmonitor/kmsmonitor/internal/jsiiprocess"
)

func main() {
	// One line instead of jsii's banner on a Node.js older than README requires; no waitid noise.
	defer jsiiprocess.Start()()

	app := awscdk.NewApp(nil)
	appcontext.CheckCompliance(app, app) // cdk synth -c nag=true
	placeholders := appcontext.NewPlaceholders(app)

	centralAccount := placeholders.String("centralAccount", "111122223333")
	centralRegion := appcontext.String(app, "centralRegion", "us-east-1")

	// Security account: the central bus and the notifications.
	central := awscdk.NewStack(app, jsii.String("KmsMonitorCentral"), &awscdk.StackProps{
		Env:         &awscdk.Environment{Account: jsii.String(centralAccount), Region: jsii.String(centralRegion)},
		Description: jsii.String("kmsmonitor: central KMS monitoring of the organization"),
	})
	kmsmonitor.NewCentralKeyMonitoring(central, jsii.String("CentralKeyMonitoring"), &kmsmonitor.CentralKeyMonitoringProps{
		OrganizationID: jsii.String(placeholders.String("organizationId", "o-a1b2c3d4e5")),
		Emails:         placeholders.List("emails", appcontext.PlaceholderEmail),
	})

	// Member accounts: one template for every account and Region, synthesized
	// apart (its own stage) and without the CDK bootstrap check.
	members := awscdk.NewStage(app, jsii.String("Members"), nil)
	appcontext.CheckCompliance(app, members)
	member := awscdk.NewStack(members, jsii.String("KmsMonitorMember"), &awscdk.StackProps{
		Synthesizer: awscdk.NewBootstraplessSynthesizer(nil),
		Description: jsii.String("kmsmonitor: forwards this account's KMS events to the central security account"),
	})
	kmsmonitor.NewMemberKeyMonitoring(member, jsii.String("MemberKeyMonitoring"), &kmsmonitor.MemberKeyMonitoringProps{
		CentralEventBusArn: jsii.String(fmt.Sprintf("arn:aws:events:%s:%s:event-bus/kmsmonitor-central", centralRegion, centralAccount)),
	})

	// Management account: service-managed StackSets never deploy to it, so it
	// forwards its own KMS events with the same construct, in a stack of its
	// own (deploy it to the management account in each Region you use).
	management := awscdk.NewStack(app, jsii.String("KmsMonitorManagementAccount"), &awscdk.StackProps{
		Description: jsii.String("kmsmonitor: forwards the management account's KMS events to the central security account"),
	})
	kmsmonitor.NewMemberKeyMonitoring(management, jsii.String("MemberKeyMonitoring"), &kmsmonitor.MemberKeyMonitoringProps{
		CentralEventBusArn: jsii.String(fmt.Sprintf("arn:aws:events:%s:%s:event-bus/kmsmonitor-central", centralRegion, centralAccount)),
	})

	// Management account (or delegated administrator): the StackSet.
	rollout := awscdk.NewStack(app, jsii.String("KmsMonitorOrgRollout"), &awscdk.StackProps{
		Description: jsii.String("kmsmonitor: deploys the member stack to the organization"),
	})
	ous := placeholders.List("organizationalUnitIds", "ou-ab12-cd34ef56")
	kmsmonitor.NewMemberStackSet(rollout, jsii.String("MemberStackSet"), &kmsmonitor.MemberStackSetProps{
		MemberStack:           member,
		OrganizationalUnitIDs: ous,
		Regions:               appcontext.List(app, "regions", "us-east-1,eu-west-1"),
	})
	// The same OUs may not delete or disable a KMS key used within the last
	// 365 days, nor schedule a deletion with less than 30 days to reconsider
	// (a service control policy: it does not bind the management account).
	kmsmonitor.NewOrganizationDeletionGuard(rollout, jsii.String("DeletionGuard"), &kmsmonitor.OrganizationDeletionGuardProps{
		TargetIDs: ous,
	})

	placeholders.RefuseOnDeploy(central, rollout)
	app.Synth(nil)
}
