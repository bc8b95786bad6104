//go:build longtest

package kmsmonitor_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
)

// TestLogAlarmsAvailable_AsTheBuiltInValidationKnowsThem synthesizes a log
// alarm in every Region cfn-lint has schemas for, with aws-cdk-lib's built-in
// validation (which knows in which Regions CloudFormation has each type), and
// compares where it refuses the type with alerting.LogAlarmsAvailable.
func TestLogAlarmsAvailable_AsTheBuiltInValidationKnowsThem(t *testing.T) {
	out, err := exec.Command("python3", "-c", `
import pkgutil, cfnlint.data.schemas.providers as p
print(" ".join(m.name.replace("_", "-") for m in pkgutil.iter_modules(p.__path__)))`).Output()
	if err != nil {
		t.Fatalf("cfn-lint's Regions: %v", err)
	}
	regions := strings.Fields(string(out))
	if len(regions) < 30 {
		t.Fatalf("read %d Regions: %s", len(regions), out)
	}
	for _, region := range regions {
		// GIVEN a stack in the Region WHEN it has a log alarm
		stack := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{
			Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String(region)}})
		awscloudwatch.NewCfnLogAlarm(stack, jsii.String("Alarm"), &awscloudwatch.CfnLogAlarmProps{
			ComparisonOperator: jsii.String("GreaterThanOrEqualToThreshold"), Threshold: jsii.Number(1),
			QueryResultsToAlarm: jsii.Number(1), QueryResultsToEvaluate: jsii.Number(1),
			ScheduledQueryConfiguration: &awscloudwatch.CfnLogAlarm_ScheduledQueryConfigurationProperty{
				AggregationExpression: jsii.String("count(*)"), QueryString: jsii.String("fields @message"),
				LogGroupIdentifiers: jsii.Strings("trail"), ScheduledQueryRoleArn: jsii.String("arn:aws:iam::111122223333:role/query"),
				ScheduleConfiguration: &awscloudwatch.CfnLogAlarm_ScheduleConfigurationProperty{ScheduleExpression: jsii.String("rate(5 minutes)"), StartTimeOffset: jsii.Number(900)},
			},
		})
		msg := panicMessage(func() { awscdk.Stage_Of(stack).Synth(nil) })
		refused := msg != "" && strings.Contains(validationViolations(msg), "F3006")
		if msg != "" && !refused {
			t.Errorf("%s: %s", region, msg)
		}
		// THEN LogAlarmsAvailable is false wherever the validation refuses it, and true wherever it
		// accepts it but in the Regions AWS's announcement leaves out
		announcedMissing := slices.Contains(alerting.LogAlarmsAnnouncedMissing, region)
		if want := !refused && !announcedMissing; alerting.LogAlarmsAvailable(region) != want {
			t.Errorf("%s: built-in validation refuses it: %v, left out by the announcement: %v; LogAlarmsAvailable: %v",
				region, refused, announcedMissing, alerting.LogAlarmsAvailable(region))
		}
		if refused && announcedMissing {
			t.Errorf("%s: the validation refuses it now: drop it from LogAlarmsAnnouncedMissing", region)
		}
	}
}
