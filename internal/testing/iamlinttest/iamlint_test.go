package iamlinttest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/testing/iamlinttest"
)

func TestFindings(t *testing.T) {
	// GIVEN a template with broad and narrow statements of every policy kind
	var tpl map[string]any
	if err := json.Unmarshal([]byte(`{"Resources": {
	  "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": {"Statement": [
	    {"Effect": "Allow", "Action": ["kms:DescribeKey", "ssm:*"], "Resource": "arn:aws:kms:us-east-1:111122223333:key/1"},
	    {"Effect": "Allow", "Action": "kms:GenerateDataKey*", "Resource": "*"}]}}},
	  "Trusted": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
	    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "events.amazonaws.com"}},
	    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ssm.amazonaws.com"}, "Condition": {"StringEquals": {"aws:SourceAccount": "1"}}},
	    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
	  "Role": {"Type": "AWS::IAM::Role", "Properties": {
	    "AssumeRolePolicyDocument": {"Statement": {"Effect": "Allow", "Action": "*", "Principal": {"Service": "ssm.amazonaws.com"}}},
	    "Policies": [{"PolicyDocument": {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}}]}},
	  "Bucket": {"Type": "AWS::S3::BucketPolicy", "Properties": {"PolicyDocument": {"Statement": [
	    {"Effect": "Deny", "Action": "s3:*", "Principal": {"AWS": "*"}}]}}},
	  "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": [
	    {"Effect": "Allow", "Action": "kms:*", "Principal": {"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"]]}}},
	    {"Effect": "Allow", "Action": "kms:*", "Principal": {"Service": "events.amazonaws.com"}}]}}}
	}}`), &tpl); err != nil {
		t.Fatal(err)
	}
	// WHEN it is linted THEN exactly the broad Allow statements are reported
	got := strings.Join(iamlinttest.Findings(tpl), "\n")
	want := strings.Join([]string{
		`Key (AWS::KMS::Key) KeyPolicy: Statement[1] allows "kms:*"`,
		`Policy (AWS::IAM::Policy) PolicyDocument: Statement[0] allows "ssm:*"`,
		`Policy (AWS::IAM::Policy) PolicyDocument: Statement[1] allows "kms:GenerateDataKey*" on Resource "*"`,
		`Role (AWS::IAM::Role) AssumeRolePolicyDocument: Statement[0] allows "*"`,
		`Role (AWS::IAM::Role) AssumeRolePolicyDocument: Statement[0] lets ssm.amazonaws.com assume the role without aws:SourceAccount or aws:SourceArn`,
		`Role (AWS::IAM::Role) Policies[0].PolicyDocument: Statement[0] allows NotAction (everything else)`,
		`Trusted (AWS::IAM::Role) AssumeRolePolicyDocument: Statement[0] lets events.amazonaws.com assume the role without aws:SourceAccount or aws:SourceArn`,
	}, "\n")
	if got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
}

func TestFindings_LogAlarmRolesOnly(t *testing.T) {
	// GIVEN a log alarm's two roles trusted without a source condition (as AWS documents them),
	// a role of the same services that no log alarm names, and a log alarm naming a role of the wrong service
	var tpl map[string]any
	if err := json.Unmarshal([]byte(`{"Resources": {
	  "Alarm": {"Type": "AWS::CloudWatch::LogAlarm", "Properties": {"ActionLogLineRoleArn": {"Fn::GetAtt": ["Lines", "Arn"]},
	    "ScheduledQueryConfiguration": {"ScheduledQueryRoleARN": {"Fn::GetAtt": ["Query", "Arn"]}}}},
	  "Other": {"Type": "AWS::CloudWatch::LogAlarm", "Properties": {"ActionLogLineRoleArn": {"Fn::GetAtt": ["Swapped", "Arn"]}}},
	  "Query": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
	    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "logs.amazonaws.com"}}]}}},
	  "Lines": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
	    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "cloudwatch.amazonaws.com"}}]}}},
	  "Swapped": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
	    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "logs.amazonaws.com"}}]}}},
	  "Unnamed": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
	    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "cloudwatch.amazonaws.com"}}]}}}
	}}`), &tpl); err != nil {
		t.Fatal(err)
	}
	// WHEN it is linted THEN only the log alarm's roles of the right service pass without a condition
	got := strings.Join(iamlinttest.Findings(tpl), "\n")
	want := strings.Join([]string{
		"Swapped (AWS::IAM::Role) AssumeRolePolicyDocument: Statement[0] lets logs.amazonaws.com assume the role without aws:SourceAccount or aws:SourceArn",
		"Unnamed (AWS::IAM::Role) AssumeRolePolicyDocument: Statement[0] lets cloudwatch.amazonaws.com assume the role without aws:SourceAccount or aws:SourceArn",
	}, "\n")
	if got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
}
