package kmsmonitor_test

import (
	"encoding/json"
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
	// AND the lifecycle and key-use rules listen on that bus (state ENABLED: forwarded events are ordinary events)
	tpl.ResourceCountIs("AWS::Events::Rule", 3)
	tpl.AllResourcesProperties("AWS::Events::Rule", obj{"EventBusName": ref("CentralEventBus"), "State": "ENABLED"})
	tpl.AllResourcesProperties("AWS::Events::Rule", obj{"Targets": arr{objLike(obj{"Arn": ref("CentralTopic")})}})
	if m.EventBus == nil || m.LifecycleEvents == nil || m.KeyUseEvents == nil {
		t.Error("members missing")
	}
}

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

func TestMemberStackSet_RollsOutToOrganizationalUnitsAndRegions(t *testing.T) {
	// GIVEN a member stack in its own stage, bootstrapless
	app := awscdk.NewApp(nil)
	stage := awscdk.NewStage(app, jsii.String("Member"), nil)
	member := awscdk.NewStack(stage, jsii.String("KmsMonitorMember"), &awscdk.StackProps{Synthesizer: awscdk.NewBootstraplessSynthesizer(nil)})
	kmsmonitor.NewMemberKeyMonitoring(member, jsii.String("Member"), &kmsmonitor.MemberKeyMonitoringProps{CentralEventBusArn: jsii.String(centralBusArn)})
	// WHEN the management account's stack rolls it out
	stack := awscdk.NewStack(app, jsii.String("Stack"), nil)
	s := kmsmonitor.NewMemberStackSet(stack, jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
		MemberStack: member, OrganizationalUnitIDs: []string{"ou-ab12-cd34ef56", "r-ab12"}, Regions: []string{"us-east-1", "eu-west-1"},
	})
	tpl := synth(t, stack)
	// THEN a service-managed StackSet deploys to those OUs and Regions, and to accounts that join later
	tpl.HasResourceProperties("AWS::CloudFormation::StackSet", obj{
		"StackSetName": "kmsmonitor-member", "PermissionModel": "SERVICE_MANAGED", "CallAs": "SELF",
		"AutoDeployment":   obj{"Enabled": true, "RetainStacksOnAccountRemoval": false},
		"ManagedExecution": obj{"Active": true},
		"Capabilities":     arr{"CAPABILITY_IAM"},
		"StackInstancesGroup": arr{obj{
			"DeploymentTargets": obj{"OrganizationalUnitIds": arr{"ou-ab12-cd34ef56", "r-ab12"}},
			"Regions":           arr{"us-east-1", "eu-west-1"},
		}},
		"TemplateBody": assertions.Match_AnyValue(),
	})
	// AND its template is the member stack's, without the CDK bootstrap check
	body := tpl.resourcesOfType("AWS::CloudFormation::StackSet")[0]["Properties"].(map[string]interface{})["TemplateBody"].(string)
	var member0 map[string]interface{}
	if err := json.Unmarshal([]byte(body), &member0); err != nil {
		t.Fatal(err)
	}
	if _, ok := member0["Rules"]; ok {
		t.Error("the member template checks the CDK bootstrap version, which StackSet instances cannot read")
	}
	rules := 0
	for _, r := range member0["Resources"].(map[string]interface{}) {
		if r.(map[string]interface{})["Type"] == "AWS::Events::Rule" {
			rules++
		}
	}
	if rules != 2 || s.StackSet == nil {
		t.Errorf("member template has %d rules, want 2", rules)
	}
	lint.Add(t.Name()+"-member", member0)
}
