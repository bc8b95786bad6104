// Command existing-trail is an example CDK app for accounts that already have
// a trail delivering to CloudWatch Logs (AWS Control Tower, an organization
// trail): KeyMonitoring reads that trail's log group instead of creating a
// trail.
//
//	npx cdk synth --app "go run ./examples/existing-trail" \
//	  -c trailLogGroupName=aws-controltower/CloudTrailLogs -c emails=security@example.com
//
// Without emails, the placeholder security@example.com synthesizes with no
// AWS account, and is refused when the CDK CLI has resolved one (cdk deploy).
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
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
	stack := awscdk.NewStack(app, jsii.String("KmsMonitorExistingTrail"), &awscdk.StackProps{
		Description: jsii.String("kmsmonitor example: KMS key monitoring on an existing trail's log group"),
	})

	trailLogs := awslogs.LogGroup_FromLogGroupName(stack, jsii.String("TrailLogs"),
		jsii.String(appcontext.String(app, "trailLogGroupName", "aws-controltower/CloudTrailLogs")))
	kmsmonitor.NewKeyMonitoring(stack, jsii.String("KeyMonitoring"), &kmsmonitor.KeyMonitoringProps{
		Emails:          placeholders.List("emails", appcontext.PlaceholderEmail),
		PendingDeletion: &kmsmonitor.PendingDeletionAlarmProps{LogGroup: trailLogs},
	})

	placeholders.RefuseOnDeploy(stack)
	app.Synth(nil)
}
