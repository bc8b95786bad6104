package kmsmonitor_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

func TestMemberStackSet_RollsOutToOrganizationalUnitsAndRegions(t *testing.T) {
	// GIVEN a member stack in its own stage, bootstrapless
	app := newApp()
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
	paths.Check(t, t.Name()+"-member", member0, "", "")
}
