package iamsimtest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/testing/iamsimtest"
)

func mustJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestResolve_IntrinsicsPerPartition(t *testing.T) {
	// GIVEN a template using every supported intrinsic
	tpl := mustJSON(t, `{
	  "Mappings": {"M": {"aws-cn": {"Suffix": "china"}, "aws": {"Suffix": "global"}, "aws-us-gov": {"Suffix": "global"}}},
	  "Conditions": {
	    "IsChina": {"Fn::Equals": [{"Ref": "AWS::Partition"}, "aws-cn"]},
	    "NotChina": {"Fn::Not": [{"Condition": "IsChina"}]},
	    "Both": {"Fn::And": [{"Condition": "IsChina"}, {"Fn::Or": [{"Condition": "NotChina"}, {"Fn::Equals": ["a", "a"]}]}]}
	  },
	  "Resources": {
	    "Topic": {"Type": "AWS::SNS::Topic"},
	    "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q"}},
	    "Key": {"Type": "AWS::KMS::Key"},
	    "Group": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "g"}},
	    "OnlyChina": {"Type": "AWS::SNS::Topic", "Condition": "IsChina"},
	    "User": {"Type": "AWS::SSM::Parameter", "Properties": {
	      "Join": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":x:", {"Ref": "AWS::Region"}]]},
	      "Sub": {"Fn::Sub": "${AWS::AccountId}/${Queue.QueueName}/${Topic}/${!Literal}/${AWS::URLSuffix}"},
	      "SubVars": {"Fn::Sub": ["${A}-${AWS::StackName}", {"A": {"Fn::GetAtt": ["Queue", "Arn"]}}]},
	      "Select": {"Fn::Select": [1, {"Fn::Split": [":", {"Ref": "Topic"}]}]},
	      "Map": {"Fn::FindInMap": ["M", {"Ref": "AWS::Partition"}, "Suffix"]},
	      "If": {"Fn::If": ["Both", "yes", {"Ref": "AWS::NoValue"}]},
	      "Url": {"Ref": "Queue"}, "KeyId": {"Ref": "Key"}, "KeyArn": {"Fn::GetAtt": ["Key", "Arn"]},
	      "GroupArn": {"Fn::GetAtt": ["Group", "Arn"]}
	    }}
	  }}`)
	for _, env := range iamsimtest.EnvsFor("", "") {
		// WHEN it is resolved for each partition
		got, err := iamsimtest.Resolve(tpl, env)
		if err != nil {
			t.Fatal(err)
		}
		// THEN every value is a literal of the partition and Region
		p := got.Resources["User"].Props
		china := env.Partition == "aws-cn"
		suffix := map[bool]string{true: "amazonaws.com.cn", false: "amazonaws.com"}[china]
		keyID := got.Resources["Key"].Ref
		want := map[string]any{
			"Join":     "arn:" + env.Partition + ":x:" + env.Region,
			"Sub":      "111122223333/q/" + got.Resources["Topic"].Ref + "/${Literal}/" + suffix,
			"SubVars":  "arn:" + env.Partition + ":sqs:" + env.Region + ":111122223333:q-Stack",
			"Select":   env.Partition,
			"Map":      map[bool]string{true: "china", false: "global"}[china],
			"Url":      "https://sqs." + env.Region + "." + suffix + "/111122223333/q",
			"KeyId":    keyID,
			"KeyArn":   "arn:" + env.Partition + ":kms:" + env.Region + ":111122223333:key/" + keyID,
			"GroupArn": "arn:" + env.Partition + ":logs:" + env.Region + ":111122223333:log-group:g:*",
		}
		if china {
			want["If"] = "yes"
		}
		if len(p) != len(want) {
			t.Errorf("%s: got %d properties %v, want %d", env.Partition, len(p), p, len(want))
		}
		for k, w := range want {
			if p[k] != w {
				t.Errorf("%s: %s = %v, want %v", env.Partition, k, p[k], w)
			}
		}
		if !strings.HasPrefix(got.Resources["Topic"].Ref, "arn:"+env.Partition+":sns:"+env.Region+":111122223333:") {
			t.Errorf("topic Ref = %s, want a topic ARN", got.Resources["Topic"].Ref)
		}
		if _, ok := got.Resources["OnlyChina"]; ok != china {
			t.Errorf("%s: conditional resource present = %v", env.Partition, ok)
		}
	}
}

func TestResolve_UnresolvableNamesThePath(t *testing.T) {
	for fn, tpl := range map[string]string{
		"unknown attribute": `{"Resources": {"T": {"Type": "AWS::SNS::Topic"}, "U": {"Type": "X::Y", "Properties": {"A": [{"Fn::GetAtt": ["T", "Nope"]}]}}}}`,
		"unknown ref":       `{"Resources": {"U": {"Type": "X::Y", "Properties": {"A": {"Ref": "Missing"}}}}}`,
		"unsupported":       `{"Resources": {"U": {"Type": "X::Y", "Properties": {"A": {"Fn::ImportValue": "x"}}}}}`,
	} {
		_, err := iamsimtest.Resolve(mustJSON(t, tpl), iamsimtest.AgnosticEnvs[0])
		if err == nil || !strings.Contains(err.Error(), "Resources.U.Properties.A") {
			t.Errorf("%s: error %v does not name Resources.U.Properties.A", fn, err)
		}
	}
}

func TestResolve_NestedStackOutputs(t *testing.T) {
	// GIVEN a parent whose rule names a key of its nested stack through the nested stack's output
	parent := mustJSON(t, `{"Resources": {
	  "Nested": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "https://example.com/n.json"}},
	  "Rule": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"detail": {"keyId": [
	    {"suffix": {"Fn::GetAtt": ["Nested", "Outputs.ParentNestedKeyRef"]}}]}}}}
	}}`)
	nested := mustJSON(t, `{"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {}}},
	  "Outputs": {"ParentNestedKeyRef": {"Value": {"Ref": "Key"}}}}`)
	env := iamsimtest.EnvsFor("111122223333", "us-east-1")[0]
	// WHEN resolved with the nested template, and without it
	with, err := iamsimtest.ResolveWithNested(parent, env, map[string]map[string]any{"Nested": nested})
	if err != nil {
		t.Fatal(err)
	}
	without, err := iamsimtest.Resolve(parent, env)
	if err != nil {
		t.Fatal(err)
	}
	inNested, err := iamsimtest.Resolve(nested, env)
	if err != nil {
		t.Fatal(err)
	}
	suffix := func(tpl *iamsimtest.Template) any {
		return tpl.Resources["Rule"].Props["EventPattern"].(map[string]any)["detail"].(map[string]any)["keyId"].([]any)[0].(map[string]any)["suffix"]
	}
	// THEN the output is the nested key's ID as the nested template resolves it, or a stand-in naming the output
	if got := suffix(with); got != inNested.Resources["Key"].Ref {
		t.Errorf("with the nested template: %v; want %s", got, inNested.Resources["Key"].Ref)
	}
	if got := suffix(without); got != "Nested.Outputs.ParentNestedKeyRef-nested-stack-output" {
		t.Errorf("without it: %v", got)
	}
	// AND an output the nested stack does not have is an error naming it
	delete(nested["Outputs"].(map[string]any), "ParentNestedKeyRef")
	if _, err := iamsimtest.ResolveWithNested(parent, env, map[string]map[string]any{"Nested": nested}); err == nil || !strings.Contains(err.Error(), `no output "ParentNestedKeyRef"`) {
		t.Errorf("error %v", err)
	}
}
