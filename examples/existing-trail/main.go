// Command existing-trail is an example CDK app for accounts that already have
// a trail delivering to CloudWatch Logs (AWS Control Tower, an organization
// trail): KeyMonitoring reads that trail's log group instead of creating a
// trail.
//
//	npx cdk synth --app "go run ./examples/existing-trail" \
//	  -c trailLogGroupName=aws-controltower/CloudTrailLogs -c emails=security@example.com
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/examples/internal/appcontext"
)

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	appcontext.CheckCompliance(app, app) // cdk synth -c nag=true
	stack := awscdk.NewStack(app, jsii.String("KmsMonitorExistingTrail"), &awscdk.StackProps{
		Description: jsii.String("kmsmonitor example: KMS key monitoring on an existing trail's log group"),
	})

	trailLogs := awslogs.LogGroup_FromLogGroupName(stack, jsii.String("TrailLogs"),
		jsii.String(appcontext.String(app, "trailLogGroupName", "aws-controltower/CloudTrailLogs")))
	kmsmonitor.NewKeyMonitoring(stack, jsii.String("KeyMonitoring"), &kmsmonitor.KeyMonitoringProps{
		Emails:          appcontext.List(app, "emails", appcontext.PlaceholderEmail),
		PendingDeletion: &kmsmonitor.PendingDeletionAlarmProps{LogGroup: trailLogs},
	})

	app.Synth(nil)
}
