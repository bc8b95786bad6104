package kmsmonitor_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

const centralBusArn = "arn:aws:events:us-east-1:111122223333:event-bus/kmsmonitor-central"

func TestCentralKeyMonitoring_BusAdmitsOnlyTheOrganization(t *testing.T) {
	// GIVEN a security account's stack WHEN central monitoring is added
	stack := newStack()
	m := kmsmonitor.NewCentralKeyMonitoring(stack, jsii.String("Central"), &kmsmonitor.CentralKeyMonitoringProps{
		OrganizationID: jsii.String("o-a1b2c3d4e5"), Emails: []string{"security@example.com"},
	})
	tpl := synth(t, stack)
	// THEN the bus accepts PutEvents from any principal of the organization, and from nobody else
	tpl.HasResourceProperties("AWS::Events::EventBus", obj{"Name": "kmsmonitor-central"})
	tpl.ResourceCountIs("AWS::Events::EventBusPolicy", 1)
	tpl.HasResourceProperties("AWS::Events::EventBusPolicy", obj{
		"EventBusName": ref("CentralEventBus"),
		"Statement": obj{
			"Sid": "cdk-AllowAccountsOfTheOrganization", "Effect": "Allow", "Action": "events:PutEvents",
			"Principal": obj{"AWS": "*"}, "Resource": getAtt("CentralEventBus"),
			"Condition": obj{"StringEquals": obj{"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
		},
	})
	// AND the lifecycle and key-use rules listen on that bus; the key-use rules match forwarded read-only
	// calls (Decrypt...), which reach rules of a custom bus only in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
	tpl.ResourceCountIs("AWS::Events::Rule", 3)
	tpl.AllResourcesProperties("AWS::Events::Rule", obj{"EventBusName": ref("CentralEventBus")})
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"EventPattern": objLike(obj{"detail-type": arr{"KMS CMK Rotation", "KMS Imported Key Material Expiration", "KMS CMK Deletion"}}), "State": "ENABLED"})
	readOnly := 0
	for _, r := range tpl.resourcesOfType("AWS::Events::Rule") {
		props := r["Properties"].(map[string]interface{})
		if props["EventPattern"].(map[string]interface{})["detail-type"].([]interface{})[0] == "AWS API Call via CloudTrail" {
			if props["State"] != "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" {
				t.Errorf("key-use rule on the central bus has State %v", props["State"])
			}
			readOnly++
		}
	}
	if readOnly != 2 {
		t.Errorf("%d key-use rules on the central bus, want 2", readOnly)
	}
	// AND they notify the shared topic: the lifecycle rule directly, the key-use rules through the
	// queue that drops repeats and the pipe that publishes
	tpl.HasResourceProperties("AWS::Events::Rule", obj{"Targets": arr{objLike(obj{"Arn": ref("CentralTopic")})}})
	tpl.HasResourceProperties("AWS::Pipes::Pipe", obj{"Source": getAtt("CentralKeyUseEventsBoundedQueue"), "Target": ref("CentralTopic")})
	for _, r := range tpl.resourcesOfType("AWS::Events::Rule") {
		if target := fmt.Sprint(r["Properties"].(map[string]interface{})["Targets"]); !strings.Contains(target, "CentralTopic") && !strings.Contains(target, "CentralKeyUseEventsBoundedQueue") {
			t.Errorf("a rule notifies neither the shared topic nor the bounded queue: %s", target)
		}
	}
	if m.EventBus == nil || m.LifecycleEvents == nil || m.KeyUseEvents == nil {
		t.Error("members missing")
	}
}

func TestCentralKeyMonitoring_BusDescriptionWhereTheSchemaHasIt(t *testing.T) {
	// GIVEN the central stack environment-agnostic, in a commercial Region and in GovCloud
	for region, want := range map[string]bool{"": false, "us-east-1": true, "cn-north-1": true, "us-gov-west-1": false} {
		var env *awscdk.Environment
		if region != "" {
			env = &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String(region)}
		}
		stack := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{Env: env})
		// WHEN CentralKeyMonitoring creates its bus
		kmsmonitor.NewCentralKeyMonitoring(stack, jsii.String("Central"), &kmsmonitor.CentralKeyMonitoringProps{OrganizationID: jsii.String("o-a1b2c3d4e5")})
		// THEN the bus is described only where AWS::Events::EventBus has a Description (not GovCloud, which an agnostic stack may reach)
		desc := assertions.Match_Absent()
		if want {
			desc = assertions.Match_StringLikeRegexp(jsii.String("^kmsmonitor: "))
		}
		if msg := panicMessage(func() {
			assertions.Template_FromStack(stack, nil).HasResourceProperties(jsii.String("AWS::Events::EventBus"), obj{"Description": desc})
		}); msg != "" {
			t.Errorf("region %q: %s", region, msg)
		}
	}
}
