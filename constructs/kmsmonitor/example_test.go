package kmsmonitor_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// A trail, its bucket and log group, both alarms and an encrypted topic that
// e-mails the security team.
func ExampleNewPendingDeletionAlarm() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	monitor := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("PendingDeletion"), &kmsmonitor.PendingDeletionAlarmProps{
		Emails: []string{"security@example.com"},
	})

	fmt.Println(*monitor.Metric(nil).MetricName(), monitor.Trail != nil)
	// Output: KMSKeyPendingDeletionErrorCount true
}

// Reuse the log group that an existing trail (Control Tower, an organization
// trail) already delivers to: no trail is created.
func ExampleNewPendingDeletionAlarm_existingTrail() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitoring"), nil)

	trailLogs := awslogs.LogGroup_FromLogGroupName(stack, jsii.String("TrailLogs"),
		jsii.String("aws-controltower/CloudTrailLogs"))
	monitor := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("PendingDeletion"), &kmsmonitor.PendingDeletionAlarmProps{
		LogGroup: trailLogs,
		Emails:   []string{"security@example.com"},
		Period:   awscdk.Duration_Minutes(jsii.Number(1)),
	})

	fmt.Println(monitor.Trail == nil, *monitor.Metric(nil).Period().ToSeconds(nil))
	// Output: true 60
}
