package kmsmonitor_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

func TestMemberStackSet_TargetsFromCfnParametersPassThrough(t *testing.T) {
	// GIVEN OUs and Regions as CloudFormation parameters: a string and a list
	member, stack := memberIn(newApp(), awscdk.NewBootstraplessSynthesizer(nil))
	ou := awscdk.NewCfnParameter(stack, jsii.String("RootId"), &awscdk.CfnParameterProps{Default: "r-ab12"}).ValueAsString()
	ous := awscdk.NewCfnParameter(stack, jsii.String("OrganizationalUnitIds"), &awscdk.CfnParameterProps{
		Type: jsii.String("CommaDelimitedList"), Default: "ou-ab12-cd34ef56"}).ValueAsList()
	regions := awscdk.NewCfnParameter(stack, jsii.String("Regions"), &awscdk.CfnParameterProps{
		Type: jsii.String("CommaDelimitedList"), Default: "us-east-1,eu-west-1"}).ValueAsList()
	// WHEN the StackSet gets them (a list token as the only entry)
	kmsmonitor.NewMemberStackSet(stack, jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
		MemberStack: member, OrganizationalUnitIDs: []string{*ou}, Regions: []string{*(*regions)[0]},
	})
	kmsmonitor.NewMemberStackSet(stack, jsii.String("RolloutToList"), &kmsmonitor.MemberStackSetProps{
		MemberStack: member, OrganizationalUnitIDs: []string{*(*ous)[0]}, Regions: []string{"us-east-1"}, StackSetName: jsii.String("kmsmonitor-member-2"),
	})
	// THEN they reach the StackSet's targets unchanged
	tpl := synth(t, stack)
	tpl.HasResourceProperties("AWS::CloudFormation::StackSet", obj{"StackInstancesGroup": arr{obj{
		"DeploymentTargets": obj{"OrganizationalUnitIds": arr{obj{"Ref": "RootId"}}},
		"Regions":           obj{"Ref": "Regions"},
	}}})
	tpl.HasResourceProperties("AWS::CloudFormation::StackSet", obj{"StackInstancesGroup": arr{obj{
		"DeploymentTargets": obj{"OrganizationalUnitIds": obj{"Ref": "OrganizationalUnitIds"}},
		"Regions":           arr{"us-east-1"},
	}}})
}

func TestMemberStackSet_ConstructAddedLaterIsDeployed(t *testing.T) {
	// GIVEN a StackSet of a member stack
	member, stack := memberIn(newApp(), awscdk.NewBootstraplessSynthesizer(nil))
	kmsmonitor.NewMemberStackSet(stack, jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
		MemberStack: member, OrganizationalUnitIDs: []string{"r-ab12"}, Regions: []string{"us-east-1"},
	})
	// WHEN a construct is added to the member stack afterwards
	awssqs.NewQueue(member, jsii.String("AddedLater"), &awssqs.QueueProps{EnforceSSL: jsii.Bool(true)})
	// THEN the StackSet's template has it: the member template is read at synthesis
	tpl := synth(t, stack)
	var body map[string]interface{}
	raw := tpl.resourcesOfType("AWS::CloudFormation::StackSet")[0]["Properties"].(map[string]interface{})["TemplateBody"].(string)
	if err := json.Unmarshal([]byte(raw), &body); err != nil {
		t.Fatal(err)
	}
	found := false
	for id, r := range body["Resources"].(map[string]interface{}) {
		found = found || (strings.HasPrefix(id, "AddedLater") && r.(map[string]interface{})["Type"] == "AWS::SQS::Queue")
	}
	if !found {
		t.Errorf("the queue added after NewMemberStackSet is not in the StackSet's template")
	}
}

func TestMemberStackSet_RefusesAMemberStackThatNeedsTheBootstrap(t *testing.T) {
	// GIVEN a member stack with the default synthesizer (bootstrap version check, asset bucket, roles)
	member, stack := memberIn(newApp(), nil)
	kmsmonitor.NewMemberStackSet(stack, jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
		MemberStack: member, OrganizationalUnitIDs: []string{"r-ab12"}, Regions: []string{"us-east-1"},
	})
	// WHEN the app is synthesized THEN it fails, naming the construct and the fix
	wantPanic(t, func() { assertions.Template_FromStack(stack, nil) },
		`kmsmonitor.MemberStackSet at "Stack/Rollout"`, "checks the CDK bootstrap version", "awscdk.NewBootstraplessSynthesizer(nil)")
}

func TestMemberStackSet_RefusesParametersWithoutDefault(t *testing.T) {
	// GIVEN a member stack with a parameter the StackSet cannot fill
	member, stack := memberIn(newApp(), awscdk.NewBootstraplessSynthesizer(nil))
	awscdk.NewCfnParameter(member, jsii.String("CentralBus"), nil)
	kmsmonitor.NewMemberStackSet(stack, jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
		MemberStack: member, OrganizationalUnitIDs: []string{"r-ab12"}, Regions: []string{"us-east-1"},
	})
	// WHEN the app is synthesized THEN it fails, naming the parameter
	wantPanic(t, func() { assertions.Template_FromStack(stack, nil) }, "parameters without a default (CentralBus)", "passes no parameter values")
}

func TestMemberStackSet_RefusesAMemberStackInItsOwnStage(t *testing.T) {
	// GIVEN the member stack and the StackSet's stack in one stage
	stage := awscdk.NewStage(newApp(), jsii.String("Org"), nil)
	member := awscdk.NewStack(stage, jsii.String("Member"), &awscdk.StackProps{Synthesizer: awscdk.NewBootstraplessSynthesizer(nil)})
	stack := awscdk.NewStack(stage, jsii.String("Stack"), nil)
	// WHEN the StackSet is created THEN a ValidationError says to separate them (synthesizing the stage would read itself)
	wantPanic(t, func() {
		kmsmonitor.NewMemberStackSet(stack, jsii.String("Rollout"), &kmsmonitor.MemberStackSetProps{
			MemberStack: member, OrganizationalUnitIDs: []string{"r-ab12"}, Regions: []string{"us-east-1"}})
	}, `kmsmonitor.MemberStackSet at "Org/Stack/Rollout"`, `MemberStack: is in the stage "Org"`, "a Stage of its own")
}

func TestPendingDeletionAlarm_MetricsInsightsQuotesNames(t *testing.T) {
	// GIVEN a metric name with hyphens, a reserved word, and a namespace with a space and a hyphen
	stack := newStack()
	kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), &kmsmonitor.PendingDeletionAlarmProps{
		KeyArnDimension: jsii.Bool(true), MetricName: jsii.String("kms-pending-deletion"), MetricNamespace: jsii.String("Security KMS-Alarms"),
		DisabledKeyMetricName: jsii.String("Select"), AlarmName: jsii.String("kms-pending"), DisabledKeyAlarmName: jsii.String("kms-disabled"),
	})
	kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Quoted"), &kmsmonitor.PendingDeletionAlarmProps{
		KeyArnDimension: jsii.Bool(true), LogGroup: existingLogGroup(stack), MetricName: jsii.String("Key's use"), DetectDisabledKeys: jsii.Bool(false), AlarmName: jsii.String("kms-quoted"),
		MetricNamespace: jsii.String("Security"),
	})
	// THEN the queries quote them as the Metrics Insights grammar requires (SELECT SUM(kms-pending-deletion) does not parse)
	tpl := synth(t, stack)
	for _, q := range []string{
		`SELECT SUM("kms-pending-deletion") FROM SCHEMA("Security KMS-Alarms", KeyArn) GROUP BY KeyArn ORDER BY SUM() DESC`,
		`SELECT SUM("Select") FROM SCHEMA("Security KMS-Alarms", KeyArn) GROUP BY KeyArn ORDER BY SUM() DESC`,
		`SELECT SUM("Key\'s use") FROM SCHEMA("Security", KeyArn) GROUP BY KeyArn ORDER BY SUM() DESC`,
	} {
		tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{"Metrics": arrWith(objLike(obj{"Expression": q}))})
	}
}
