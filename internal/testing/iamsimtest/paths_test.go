package iamsimtest_test

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/testing/iamsimtest"
)

var sim struct {
	once sync.Once
	s    *iamsimtest.Simulator
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	sim.s.Close()
	os.Exit(code)
}

// simulator returns the shared simulator, or skips (fails where
// iamsimtest.RequireEnv demands it) when it is not installed.
func simulator(t *testing.T) *iamsimtest.Simulator {
	t.Helper()
	sim.once.Do(func() { sim.s, sim.err = iamsimtest.StartSimulator() })
	if errors.Is(sim.err, iamsimtest.ErrUnavailable) && !iamsimtest.Required() {
		t.Skipf("not evaluated: %v (.ci/run requires it)", sim.err)
	}
	if sim.err != nil {
		t.Fatal(sim.err)
	}
	return sim.s
}

// alarmTopic is a tiny template: an alarm publishing to a topic whose policy
// lets PRINCIPAL publish, and denies requests without TLS.
const alarmTopic = `{"Resources": {
  "Topic": {"Type": "AWS::SNS::Topic"},
  "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmName": "a", "AlarmActions": [{"Ref": "Topic"}]}},
  "Policy": {"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": "Topic"}], "PolicyDocument": {"Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": {"Ref": "Topic"}, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Effect": "Allow", "Principal": {"Service": "PRINCIPAL"}, "Action": "sns:Publish", "Resource": {"Ref": "Topic"}}]}}}}}`

// results evaluates the paths of tpl in us-east-1 by kind.
func results(t *testing.T, tpl string) map[string][]iamsimtest.Result {
	t.Helper()
	s := simulator(t)
	resolved, err := iamsimtest.Resolve(mustJSON(t, tpl), iamsimtest.AgnosticEnvs[0])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]iamsimtest.Result{}
	for _, c := range iamsimtest.Paths(resolved) {
		got, detail, err := s.Simulate(c)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s → %s (%s)", c, got, detail)
		out[c.Kind] = append(out[c.Kind], got)
	}
	return out
}

func TestPaths_AlarmToTopicNeedsCloudWatchInTheTopicPolicy(t *testing.T) {
	for principal, want := range map[string]iamsimtest.Result{
		"events.amazonaws.com":     iamsimtest.Refused,
		"cloudwatch.amazonaws.com": iamsimtest.Allowed,
	} {
		// GIVEN a topic policy allowing only principal WHEN the alarm → topic path is evaluated
		got := results(t, strings.ReplaceAll(alarmTopic, "PRINCIPAL", principal))
		// THEN CloudWatch may publish only when the policy names it
		if len(got["alarm → topic"]) != 1 || got["alarm → topic"][0] != want {
			t.Errorf("topic policy allowing %s: alarm → topic %v, want %s", principal, got["alarm → topic"], want)
		}
		// AND without TLS it is refused whenever it is allowed with TLS
		if want == iamsimtest.Allowed && fmtResults(got["alarm → topic without TLS"]) != "Refused" {
			t.Errorf("without TLS: %v, want Refused", got["alarm → topic without TLS"])
		}
	}
}

func TestPaths_DefaultTopicPolicyRefusesCloudWatch(t *testing.T) {
	// GIVEN a topic without a TopicPolicy (SNS's default: the owner's account only)
	got := results(t, `{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"},
	  "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmActions": [{"Ref": "Topic"}]}}}}`)
	// THEN the alarm cannot publish
	if fmtResults(got["alarm → topic"]) != "Refused" {
		t.Errorf("alarm → topic %v, want Refused", got["alarm → topic"])
	}
}

func TestPaths_ForeignAccountCannotPublish(t *testing.T) {
	// GIVEN a topic policy allowing CloudWatch WHEN a foreign account publishes
	got := results(t, strings.ReplaceAll(alarmTopic, "PRINCIPAL", "cloudwatch.amazonaws.com"))
	// THEN it is refused, even with its own identity policy allowing it
	if fmtResults(got["foreign account → topic"]) != "Refused" {
		t.Errorf("foreign account → topic %v, want Refused", got["foreign account → topic"])
	}
	// AND a policy open to every principal lets it in: the check is not vacuous
	open := strings.ReplaceAll(alarmTopic, `{"Service": "PRINCIPAL"}`, `"*"`)
	if got := results(t, open); fmtResults(got["foreign account → topic"]) != "Allowed" {
		t.Errorf("open policy: foreign account → topic %v, want Allowed", got["foreign account → topic"])
	}
}

func fmtResults(rs []iamsimtest.Result) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// automationTopic is a tiny template: a rule starting an automation whose
// role may (PUBLISH) publish to the topic the rule passes, encrypted with a
// key of the template.
const automationTopic = `{"Resources": {
  "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": [
    {"Effect": "Allow", "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}, "Action": "kms:*", "Resource": "*"}]}}},
  "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}},
  "Auto": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ssm.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
  "AutoPolicy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"Roles": [{"Ref": "Auto"}], "PolicyDocument": {"Statement": [
    {"Effect": "Allow", "Action": "PUBLISH", "Resource": {"Ref": "Topic"}},
    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": {"Fn::GetAtt": ["Key", "Arn"]},
     "Condition": {"StringEquals": {"kms:ViaService": {"Fn::Sub": "sns.${AWS::Region}.${AWS::URLSuffix}"}}}}]}}},
  "Starter": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
    {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
  "Rule": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"source": ["aws.kms"]}, "Targets": [{"Id": "T",
    "Arn": {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:automation-definition/doc:$DEFAULT"},
    "RoleArn": {"Fn::GetAtt": ["Starter", "Arn"]},
    "Input": {"Fn::Join": ["", ["{\"AutomationAssumeRole\":[\"", {"Fn::GetAtt": ["Auto", "Arn"]}, "\"],\"TopicArn\":[\"", {"Ref": "Topic"}, "\"]}"]]}}]}}}}`

func TestPaths_AutomationPublishesToTheTopicItIsGiven(t *testing.T) {
	for action, want := range map[string]iamsimtest.Result{"sns:Publish": iamsimtest.Allowed, "sns:Subscribe": iamsimtest.Refused} {
		// GIVEN an automation role allowed action on the topic the rule passes WHEN its paths are evaluated
		got := results(t, strings.ReplaceAll(automationTopic, "PUBLISH", action))
		// THEN it may publish only with sns:Publish, and SNS may use the topic's key on its behalf
		if fmtResults(got["automation role → topic"]) != string(want) {
			t.Errorf("%s: automation role → topic %v, want %s", action, got["automation role → topic"], want)
		}
		if fmtResults(got["automation role → topic key via SNS"]) != "Allowed,Allowed" {
			t.Errorf("%s: automation role → topic key via SNS %v, want Allowed twice", action, got["automation role → topic key via SNS"])
		}
	}
}

// functionTopics is a tiny template: a function subscribed to Topic (its
// permission lets SNS invoke it from SOURCE) whose role may PUBLISH to the
// topic its environment names, and write its log group.
const functionTopics = `{"Resources": {
  "Topic": {"Type": "AWS::SNS::Topic"},
  "Chat": {"Type": "AWS::SNS::Topic"},
  "Logs": {"Type": "AWS::Logs::LogGroup"},
  "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
  "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": [{"Ref": "Role"}], "PolicyDocument": {"Statement": [
    {"Effect": "Allow", "Action": "PUBLISH", "Resource": {"Ref": "Chat"}},
    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": {"Fn::GetAtt": ["Logs", "Arn"]}}]}}},
  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]},
    "LoggingConfig": {"LogGroup": {"Ref": "Logs"}}, "Environment": {"Variables": {"CHAT_TOPIC_ARN": {"Ref": "Chat"}}}}},
  "Perm": {"Type": "AWS::Lambda::Permission", "Properties": {"Action": "lambda:InvokeFunction",
    "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]}, "Principal": "sns.amazonaws.com", "SourceArn": {"Ref": "SOURCE"}}},
  "Sub": {"Type": "AWS::SNS::Subscription", "Properties": {"Protocol": "lambda", "Endpoint": {"Fn::GetAtt": ["Fn", "Arn"]}, "TopicArn": {"Ref": "Topic"}}}}}`

func TestPaths_FunctionForwardsFromItsTopicToTheTopicItNames(t *testing.T) {
	for _, c := range []struct {
		action, source           string
		invoke, publish, logging string
	}{
		{"sns:Publish", "Topic", "Allowed", "Allowed", "Allowed,Allowed"},
		// a permission for another topic than the subscribed one, a role without sns:Publish
		{"sns:Subscribe", "Chat", "Refused", "Refused", "Allowed,Allowed"},
	} {
		// GIVEN a function subscribed to a topic WHEN its paths are evaluated
		got := results(t, strings.NewReplacer("PUBLISH", c.action, "SOURCE", c.source).Replace(functionTopics))
		// THEN SNS invokes it from that topic only, and its role publishes to the named topic and writes its log group
		if fmtResults(got["topic → function"]) != c.invoke || fmtResults(got["unrelated topic → function"]) != "Refused" {
			t.Errorf("%s/%s: topic → function %v, unrelated %v", c.action, c.source, got["topic → function"], got["unrelated topic → function"])
		}
		if fmtResults(got["function role → topic"]) != c.publish || fmtResults(got["function role → unrelated topic"]) != "Refused" {
			t.Errorf("%s: function role → topic %v, unrelated %v", c.action, got["function role → topic"], got["function role → unrelated topic"])
		}
		if fmtResults(got["function role → log group"]) != c.logging || fmtResults(got["function assumes its role"]) != "Allowed" {
			t.Errorf("%s: log group %v, assumes %v", c.action, got["function role → log group"], got["function assumes its role"])
		}
	}
}
