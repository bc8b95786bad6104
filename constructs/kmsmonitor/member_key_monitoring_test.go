package kmsmonitor_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

func TestMemberKeyMonitoring_ForwardsToTheCentralBus(t *testing.T) {
	// GIVEN a member account's stack WHEN forwarding is added
	stack := newStack()
	m := kmsmonitor.NewMemberKeyMonitoring(stack, jsii.String("Member"), &kmsmonitor.MemberKeyMonitoringProps{CentralEventBusArn: jsii.String(centralBusArn)})
	tpl := synth(t, stack)
	// THEN the lifecycle events and the failed calls (state that sees read-only events) go to the central bus, with a role and a DLQ
	target := objLike(obj{"Arn": centralBusArn, "RoleArn": getAtt("MemberForwardingRole"), "DeadLetterConfig": obj{"Arn": getAtt("MemberDeadLetterQueue")}})
	tpl.HasResourceProperties("AWS::Events::Rule", obj{
		"EventPattern": obj{"source": arr{"aws.kms"}, "detail-type": arr{"KMS CMK Rotation", "KMS Imported Key Material Expiration", "KMS CMK Deletion"}},
		"State":        "ENABLED", "Targets": arr{target},
	})
	tpl.HasResourceProperties("AWS::Events::Rule", obj{
		"EventPattern": obj{"source": arr{"aws.kms"}, "detail-type": arr{"AWS API Call via CloudTrail"}, "detail": obj{
			"eventSource":  arr{"kms.amazonaws.com"},
			"errorMessage": arr{obj{"suffix": " is pending deletion."}, obj{"suffix": " is disabled."}},
		}},
		"State": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", "Targets": arr{target},
	})
	// AND the role is trusted by EventBridge of this account only, and may only put events on that bus
	tpl.HasResourceProperties("AWS::IAM::Role", obj{"AssumeRolePolicyDocument": trustedBy("events.amazonaws.com")})
	tpl.HasResourceProperties("AWS::IAM::Policy", obj{"PolicyDocument": objLike(obj{"Statement": arr{
		obj{"Action": "events:PutEvents", "Effect": "Allow", "Resource": centralBusArn},
	}})})
	// AND the template names no account or Region but the central bus's: one template for every account and Region
	b, _ := json.Marshal(tpl.JSON()["Resources"])
	rest := strings.ReplaceAll(string(b), centralBusArn, "")
	for _, literal := range []string{"111122223333", "us-east-1"} {
		if strings.Contains(rest, literal) {
			t.Errorf("the member template holds %s outside the central bus ARN", literal)
		}
	}
	if m.LifecycleRule == nil || m.KeyUseRule == nil || m.Role == nil {
		t.Error("members missing")
	}
}
