// Command app is the example CDK app that cdk.json runs: a stack with a
// PendingDeletionAlarm in its default configuration.
//
//	npx cdk synth -c emails=security@example.com,oncall@example.com
package main

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// placeholderEmail lets `cdk synth` run with no context; replace it with -c emails=...
const placeholderEmail = "security@example.com"

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("KmsMonitorExample"), &awscdk.StackProps{
		Description: jsii.String("kmsmonitor example: alarms when a KMS key pending deletion or disabled is used"),
	})

	kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("PendingDeletion"), &kmsmonitor.PendingDeletionAlarmProps{
		Emails: emails(app),
	})

	app.Synth(nil)
}

// emails reads the comma-separated context value "emails".
func emails(app awscdk.App) []string {
	v, ok := app.Node().TryGetContext(jsii.String("emails")).(string)
	if !ok || strings.TrimSpace(v) == "" {
		return []string{placeholderEmail}
	}
	var out []string
	for _, e := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(e))
	}
	return out
}
