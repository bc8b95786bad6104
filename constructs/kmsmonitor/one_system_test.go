package kmsmonitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/eventbridgetest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/iamsimtest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/kmseventtest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/ssmscripttest"
)

// cfnExecRole is the CDK bootstrap's CloudFormation execution role in the
// environment of TestOneSystem, and cfnCaller its session as CloudTrail
// records the calls CloudFormation makes with it.
const cfnExecRole = "arn:aws:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-us-west-2"

var cfnCaller = kmseventtest.Caller{
	"type": "AssumedRole", "principalId": "AROAEXAMPLECFN:AWSCloudFormation", "accountId": "111122223333",
	"arn":            "arn:aws:sts::111122223333:assumed-role/cdk-hnb659fds-cfn-exec-role-111122223333-us-west-2/AWSCloudFormation",
	"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": cfnExecRole, "userName": "cdk-hnb659fds-cfn-exec-role-111122223333-us-west-2"}},
	"invokedBy":      "cloudformation.amazonaws.com",
}

// TestOneSystem switches every part on in one app, as issue 24's trial did:
// KeyMonitoring with every detector, the guard, the check, AutoCancelDeletion
// and MonitorTampering; an app key, a test key deleted with its stack, a key
// in a nested stack, and a Stage with its own guard. Then it replays on
// EventBridge's matcher (moto) every call that deploying those templates and
// running kmsmonitor's automations makes, and the deletions the exemptions allow.
func TestOneSystem(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	// GIVEN the app
	app := newApp()
	env := &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-west-2")}
	stack := awscdk.NewStack(app, jsii.String("Monitoring"), &awscdk.StackProps{Env: env})
	rotated := &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)}
	awskms.NewKey(stack, jsii.String("AppKey"), rotated)
	testKey := awskms.NewKey(stack, jsii.String("TestKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true), RemovalPolicy: awscdk.RemovalPolicy_DESTROY})
	kmsmonitor.AllowDeletionWithStack(testKey)
	nested := awscdk.NewNestedStack(stack, jsii.String("Nested"), nil)
	awskms.NewKey(nested, jsii.String("NestedKey"), rotated)
	m := kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), &kmsmonitor.KeyMonitoringProps{
		Emails:               []string{"security@example.com"},
		DeletionGuardEnabled: jsii.Bool(true), DeletionGuard: &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: []string{breakGlassRole}},
		DeletionCheckEnabled: jsii.Bool(true), KeyPolicyChangesEnabled: jsii.Bool(true), MonitorTamperingEnabled: jsii.Bool(true),
		KeyUseEventsEnabled: jsii.Bool(true), GrantAuditEnabled: jsii.Bool(true), ImportedKeyMaterialChangesEnabled: jsii.Bool(true),
		CisAlarmEnabled: jsii.Bool(true), AutoCancelEnabled: jsii.Bool(true), AutoCancel: &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareAllKeys()},
	})
	// AND a key of another stack given to the facade's guard (its policy is watched in its own stack, not here)
	dataStack := awscdk.NewStack(app, jsii.String("Data"), &awscdk.StackProps{Env: env})
	m.DeletionGuard.Protect(awskms.NewKey(dataStack, jsii.String("DataKey"), rotated))
	stage := awscdk.NewStage(app, jsii.String("Prod"), &awscdk.StageProps{Env: env})
	stageStack := awscdk.NewStack(stage, jsii.String("Service"), nil)
	awskms.NewKey(stageStack, jsii.String("StageKey"), rotated)
	// AND a replica of a multi-Region key there (its own policy and deletion: warned about)
	awskms.NewCfnReplicaKey(stageStack, jsii.String("Replica"), &awskms.CfnReplicaKeyProps{
		PrimaryKeyArn: jsii.String("arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"),
		KeyPolicy:     map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Sid": "Admin", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::111122223333:root"}, "Action": []any{"kms:Describe*", "kms:Get*", "kms:CancelKeyDeletion"}, "Resource": "*"}}},
	})
	stageGuard := kmsmonitor.NewDeletionGuard(stageStack, jsii.String("Guard"), &kmsmonitor.DeletionGuardProps{BreakGlassPrincipalArns: []string{breakGlassRole}})
	awscdk.Aspects_Of(stage).Add(stageGuard.Aspect(), nil) // as README says: the Stage's own aspect
	// WHEN it is synthesized (every judge: cfn-lint, cdk-nag, the IAM evaluation of every delivery path)
	var templates []template
	for _, s := range []awscdk.Stack{stack, nested, stageStack, dataStack} {
		templates = append(templates, synthAs(t, t.Name()+"/"+*s.Node().Path(), s, nil))
	}
	// (the monitoring stack does not reference the other stack's key: no export, no deployment order)
	if body := toJSON(t, templates[0].JSON()); strings.Contains(body, "Fn::ImportValue") || strings.Contains(body, "ExportsReader") {
		t.Error("the monitoring stack references another stack")
	}
	if got := warningsWithID(stack, "kmsmonitor:guardedKeysNotWatched"); len(got) != 1 || !strings.Contains(got[0].msg, "not watched: Data/DataKey.") {
		t.Errorf("warnings %+v; want one naming Data/DataKey", got)
	}
	// (the parent's references to the nested stack's key resolve in the nested template)
	nestedID := *stack.GetLogicalId(nested.NestedStackResource())
	var resolved []*iamsimtest.Template
	for i, tpl := range templates {
		var withNested map[string]map[string]any
		if i == 0 {
			withNested = map[string]map[string]any{nestedID: templates[1].JSON()}
		}
		r, err := iamsimtest.ResolveWithNested(tpl.JSON(), iamsimtest.EnvsFor("111122223333", "us-west-2")[0], withNested)
		if err != nil {
			t.Fatal(err)
		}
		resolved = append(resolved, r)
	}
	// THEN every key is guarded, the test key exempting CloudFormation's execution role, and nothing is warned about
	for _, r := range resolved {
		for _, k := range r.Sorted("AWS::KMS::Key") {
			policy := toJSON(t, k.Props["KeyPolicy"])
			if !strings.Contains(policy, "DenyDisablingOrDeletingKeysInUse") {
				t.Errorf("%s is not guarded", k.ID)
			}
			if strings.Contains(policy, cfnExecRole) != strings.HasPrefix(k.ID, "TestKey") {
				t.Errorf("%s: CloudFormation's execution role exempt = %v; want it for TestKey only", k.ID, strings.Contains(policy, cfnExecRole))
			}
		}
	}
	if got := warningsWithID(stageStack, "kmsmonitor:deletionGuardReplicaKey"); len(got) != 1 || got[0].path != "/Prod/Service/Replica" || !strings.Contains(got[0].msg, "Add the guard's two Deny statements") {
		t.Errorf("replica warnings %+v; want one on /Prod/Service/Replica with the fix", got)
	}
	for _, id := range []string{"kmsmonitor:guardDoesNotReachStage", "kmsmonitor:guardedKeyDeletedWithStack", "kmsmonitor:guardsMeet", "kmsmonitor:autoCancelIgnoresBreakGlass"} {
		for _, s := range []awscdk.Stack{stack, stageStack} {
			if got := warningsWithID(s, id); len(got) > 0 {
				t.Errorf("warning %s: %+v", id, got)
			}
		}
	}
	// AND every rule of the app, on EventBridge (moto), its pattern as deployed (references resolved)
	type installed struct {
		id   string
		rule *eventbridgetest.Rule
	}
	var rules []installed
	for _, r := range resolved {
		for _, res := range r.Sorted("AWS::Events::Rule") {
			pattern, err := json.Marshal(res.Props["EventPattern"])
			if err != nil {
				t.Fatal(err)
			}
			rule, err := server.NewRule(ctx, string(pattern), fmt.Sprint(res.Props["State"]))
			if err != nil {
				t.Fatalf("%s: %v", res.ID, err)
			}
			rules = append(rules, installed{res.ID, rule})
		}
	}
	// AND the calls of a deployment (CloudFormation, as its execution role, creating and updating
	// every resource of the three templates) and of kmsmonitor's automations at work
	var names []string
	var events [][]byte
	add := func(name string, record []byte) {
		names = append(names, name)
		events = append(events, kmseventtest.AsEventBridgeEvent(record))
	}
	for _, r := range resolved {
		for _, res := range r.Resources {
			for _, c := range deploymentCalls(t, res) {
				c.Caller = cfnCaller
				add(fmt.Sprintf("CloudFormation %s %s", c.EventName, res.ID), byCloudFormation(c.Record()))
			}
		}
	}
	appKey, topic := resourceStarting(t, resolved[0], "AWS::KMS::Key", "AppKey"), resourceStarting(t, resolved[0], "AWS::SNS::Topic", "KmsTopic")
	automation := kmseventtest.Caller{"type": "AssumedRole", "principalId": "AROAEXAMPLEAUTO:Automation", "accountId": "111122223333",
		"arn":            "arn:aws:sts::111122223333:assumed-role/Monitoring-KmsDeletionCheckAutomationRole/Automation-a1b2",
		"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": "arn:aws:iam::111122223333:role/Monitoring-KmsDeletionCheckAutomationRole"}},
		"invokedBy":      "ssm.amazonaws.com"}
	for _, c := range []kmseventtest.Call{
		{EventSource: "kms.amazonaws.com", EventName: "DescribeKey", RequestParameters: map[string]any{"keyId": appKey.Arn}},
		{EventSource: "kms.amazonaws.com", EventName: "GetKeyLastUsage", RequestParameters: map[string]any{"keyId": appKey.Arn}},
		{EventSource: "kms.amazonaws.com", EventName: "CancelKeyDeletion", RequestParameters: map[string]any{"keyId": appKey.Arn}},
		{EventSource: "iam.amazonaws.com", EventName: "GetRole", RequestParameters: map[string]any{"roleName": "BreakGlass"}},
		{EventSource: "sns.amazonaws.com", EventName: "Publish", RequestParameters: map[string]any{"topicArn": topic.Ref, "subject": "kmsmonitor"}},
	} {
		c.Caller = automation
		add("automation "+c.EventName, kmseventtest.With(c.Record(), map[string]any{"sourceIPAddress": "ssm.amazonaws.com"}, nil))
	}
	// AND people replacing key policies: a guarded key's (by ARN and by ID, the guard kept or dropped),
	// and a key no guard of KeyMonitoring protects (the Stage's own guard)
	appPolicy := appKey.Props["KeyPolicy"].(map[string]any)
	var unguarded []any
	for _, st := range appPolicy["Statement"].([]any) {
		if !strings.HasPrefix(fmt.Sprint(st.(map[string]any)["Sid"]), "Deny") {
			unguarded = append(unguarded, st)
		}
	}
	dropped := map[string]any{"Version": "2012-10-17", "Statement": unguarded}
	stageKey := resourceStarting(t, resolved[2], "AWS::KMS::Key", "StageKey")
	putPolicy := func(keyID string, policy any) []byte {
		return kmseventtest.Call{EventSource: "kms.amazonaws.com", EventName: "PutKeyPolicy", Caller: kmseventtest.IAMUser,
			RequestParameters: map[string]any{"keyId": keyID, "policyName": "default", "policy": toJSON(t, policy)}}.Record()
	}
	policyChanges := []struct {
		name   string
		record []byte
		rules  []string // the rules (logical ID prefixes) that report it
	}{
		{"a person drops the guard from the app key's policy (by ARN)", putPolicy(appKey.Arn, dropped), []string{"KmsMonitorTamperingGuardedKeyPolicyRule"}},
		{"a person drops the guard from the nested key's policy (by ID)", putPolicy(resourceStarting(t, resolved[1], "AWS::KMS::Key", "NestedKey").Ref, dropped), []string{"KmsMonitorTamperingGuardedKeyPolicyRule"}},
		// (the guard's Deny of "*", set by a person, is also a public-principal change: TestKeyPolicyChanges_NoAlertOnWhatKmsmonitorDeploys)
		{"a person puts the app key's policy back, guard included", putPolicy(appKey.Ref, appPolicy), []string{"KmsKeyPolicyChangesRule", "KmsMonitorTamperingGuardedKeyPolicyRule"}},
		{"a person replaces the Stage key's policy", putPolicy(stageKey.Arn, dropped), nil},
		// the topic's key: watched by KeyRules (every policy change not CloudFormation's), once
		{"a person replaces the topic key's policy", putPolicy(resourceStarting(t, resolved[0], "AWS::KMS::Key", "KmsTopicKey").Arn, dropped), []string{"KmsMonitorTamperingKeyRule"}},
	}
	policyStart := len(events)
	for _, c := range policyChanges {
		add(c.name, c.record)
	}
	// AND the deletions the exemptions allow, and one they do not
	testKeyArn := resourceStarting(t, resolved[0], "AWS::KMS::Key", "TestKey").Arn
	schedule := func(key string, caller kmseventtest.Caller, sourceIP string) []byte {
		return kmseventtest.With(kmseventtest.Call{EventSource: "kms.amazonaws.com", EventName: "ScheduleKeyDeletion", Caller: caller,
			RequestParameters: map[string]any{"keyId": key, "pendingWindowInDays": 7}}.Record(),
			map[string]any{"sourceIPAddress": sourceIP, "resources": []any{map[string]any{"accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": key}}}, nil)
	}
	breakGlass := kmseventtest.Caller{"type": "AssumedRole", "principalId": "AROAEXAMPLEBG:ops", "accountId": "111122223333",
		"arn":            "arn:aws:sts::111122223333:assumed-role/BreakGlass/ops",
		"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": breakGlassRole}}}
	deletions := []struct {
		name     string
		record   []byte
		exempt   bool
		getRole  bool
		reported []string // the rules (logical ID prefixes) that see it
	}{
		{"CloudFormation deletes the test key with its stack", schedule(testKeyArn, cfnCaller, "cloudformation.amazonaws.com"), true, false, []string{"KmsDeletionCheckRule"}},
		{"the break-glass role deletes the app key", schedule(appKey.Arn, breakGlass, "203.0.113.7"), true, true, []string{"KmsDeletionCheckRule"}},
		{"a person deletes the test key", schedule(testKeyArn, kmseventtest.IAMUser, "203.0.113.7"), false, false, []string{"KmsDeletionCheckRule"}},
	}
	deploymentCount := len(events) // the deletions' index base
	for _, d := range deletions {
		add(d.name, d.record)
	}
	matched := map[int][]string{}
	for _, r := range rules {
		got, err := r.rule.MatchAll(ctx, events)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range got {
			if m {
				matched[i] = append(matched[i], r.id)
			}
		}
	}
	// THEN each policy change is reported by the rules that watch it, and no other
	for i, c := range policyChanges {
		var seen []string
		for _, id := range matched[policyStart+i] {
			seen = append(seen, strings.TrimRight(id, "0123456789ABCDEF"))
		}
		sort.Strings(seen)
		if strings.Join(seen, ",") != strings.Join(c.rules, ",") {
			t.Errorf("%s: reported by %v; want %v", c.name, matched[policyStart+i], c.rules)
		}
	}
	// AND no rule reports a call of the deployment or of the automations
	for i := 0; i < policyStart; i++ {
		if len(matched[i]) > 0 {
			t.Errorf("self-inflicted alert: %s is reported by %v", names[i], matched[i])
		}
	}
	if deploymentCount < 150 {
		t.Errorf("only %d calls replayed", deploymentCount)
	}
	// AND each deletion reaches DeletionCheck's rule alone, whose automation's first step (Exempt, as
	// deployed in this app) lets the exempt ones through with a report and checks the other
	var document map[string]any
	for _, d := range resolved[0].Sorted("AWS::SSM::Document") {
		if strings.HasPrefix(d.ID, "KmsDeletionCheck") {
			document = d.Props["Content"].(map[string]any)
		}
	}
	script, payload := exemptStep(t, document)
	// (AutoCancelDeletion's key-aware document decides with the same list: KeyMonitoring shares it)
	_, cancelPayload := exemptStep(t, resourceStarting(t, resolved[0], "AWS::SSM::Document", "KmsAutoCancelDocument").Props["Content"].(map[string]any))
	if cancelPayload["BreakGlass"] != payload["BreakGlass"] || !strings.Contains(fmt.Sprint(payload["BreakGlass"]), breakGlassRole) {
		t.Errorf("exemptions: DeletionCheck's %v, AutoCancelDeletion's %v; want one list with %s", payload["BreakGlass"], cancelPayload["BreakGlass"], breakGlassRole)
	}
	var scenarios []ssmscripttest.Scenario
	for i, d := range deletions {
		seen := append([]string{}, matched[deploymentCount+i]...)
		sort.Strings(seen)
		if len(seen) != len(d.reported) || !strings.HasPrefix(strings.Join(seen, ","), d.reported[0]) {
			t.Errorf("%s: seen by %v; want %v", d.name, seen, d.reported)
		}
		var rec struct {
			SourceIP     string         `json:"sourceIPAddress"`
			UserIdentity map[string]any `json:"userIdentity"`
			Resources    []struct{ ARN string }
		}
		if err := json.Unmarshal(d.record, &rec); err != nil {
			t.Fatal(err)
		}
		s := ssmscripttest.Scenario{Name: d.name, Events: map[string]any{"KeyId": rec.Resources[0].ARN, "ScheduledBy": rec.UserIdentity["arn"], "SourceIp": rec.SourceIP,
			"BreakGlass": payload["BreakGlass"]}}
		// The key's tags as deployed: those of its template (Tags of the resolved resource), read first
		tags := []any{}
		for _, k := range resolved[0].Sorted("AWS::KMS::Key") {
			if k.Arn == rec.Resources[0].ARN {
				list, _ := k.Props["Tags"].([]any)
				for _, tag := range list {
					tags = append(tags, map[string]any{"TagKey": tag.(map[string]any)["Key"], "TagValue": tag.(map[string]any)["Value"]})
				}
			}
		}
		s.Calls = []ssmscripttest.Call{{Service: "kms", Operation: "list_resource_tags", Expect: map[string]any{"KeyId": rec.Resources[0].ARN}, Response: map[string]any{"Tags": tags, "Truncated": false}}}
		if d.getRole {
			s.Calls = append(s.Calls, ssmscripttest.Call{Service: "iam", Operation: "get_role", Expect: map[string]any{"RoleName": "BreakGlass"}, Response: map[string]any{"Role": map[string]any{
				"Path": "/", "RoleName": "BreakGlass", "RoleId": "AROAEXAMPLEBG12345678", "Arn": breakGlassRole, "CreateDate": daysAgo(100)}}})
		}
		scenarios = append(scenarios, s)
	}
	results, _, err := ssmscripttest.Run(script, "handler", scenarios)
	ranOrSkip(t, err)
	for i, r := range results {
		if r.Error != "" || len(r.Pending) > 0 || r.Output["exempt"] != deletions[i].exempt {
			t.Errorf("%s: exempt %v (%v), error %s, pending %v; want %v", r.Name, r.Output["exempt"], r.Output["reason"], r.Error, r.Pending, deletions[i].exempt)
		}
	}
}

// resourceStarting returns the resource of type typ whose logical ID starts with prefix.
func resourceStarting(t *testing.T, tpl *iamsimtest.Template, typ, prefix string) *iamsimtest.Resource {
	t.Helper()
	for _, r := range tpl.Sorted(typ) {
		if strings.HasPrefix(r.ID, prefix) {
			return r
		}
	}
	t.Fatalf("no %s %s*", typ, prefix)
	return nil
}

// deploymentCalls are the management calls CloudFormation makes to create
// and update res (resolved), with the request parameters CloudTrail records
// for them (each API's request syntax) that kmsmonitor's rules may match:
// names, ARNs, IDs and policies.
func deploymentCalls(t *testing.T, res *iamsimtest.Resource) []kmseventtest.Call {
	t.Helper()
	p := res.Props
	str := func(v any) string {
		if s, ok := v.(string); ok {
			return s
		}
		return ""
	}
	compact := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	call := func(source, name string, params map[string]any) kmseventtest.Call {
		return kmseventtest.Call{EventSource: source + ".amazonaws.com", EventName: name, RequestParameters: params}
	}
	switch res.Type {
	case "AWS::KMS::Key":
		policy := compact(p["KeyPolicy"])
		return []kmseventtest.Call{
			call("kms", "CreateKey", map[string]any{"policy": policy, "description": str(p["Description"]), "keyUsage": "ENCRYPT_DECRYPT", "keySpec": "SYMMETRIC_DEFAULT", "origin": "AWS_KMS", "bypassPolicyLockoutSafetyCheck": false}),
			call("kms", "PutKeyPolicy", map[string]any{"keyId": res.Ref, "policyName": "default", "policy": policy, "bypassPolicyLockoutSafetyCheck": false}),
			call("kms", "PutKeyPolicy", map[string]any{"keyId": res.Arn, "policyName": "default", "policy": policy}),
			call("kms", "EnableKeyRotation", map[string]any{"keyId": res.Ref}),
			call("kms", "TagResource", map[string]any{"keyId": res.Ref, "tags": []any{}}),
		}
	case "AWS::SNS::Topic":
		return []kmseventtest.Call{
			call("sns", "CreateTopic", map[string]any{"name": res.Ref[strings.LastIndex(res.Ref, ":")+1:], "attributes": map[string]any{"KmsMasterKeyId": str(p["KmsMasterKeyId"])}}),
			call("sns", "SetTopicAttributes", map[string]any{"topicArn": res.Ref, "attributeName": "KmsMasterKeyId", "attributeValue": str(p["KmsMasterKeyId"])}),
		}
	case "AWS::SNS::TopicPolicy":
		var out []kmseventtest.Call
		for _, topic := range p["Topics"].([]any) {
			out = append(out, call("sns", "SetTopicAttributes", map[string]any{"topicArn": topic, "attributeName": "Policy", "attributeValue": compact(p["PolicyDocument"])}))
		}
		return out
	case "AWS::SNS::Subscription":
		return []kmseventtest.Call{call("sns", "Subscribe", map[string]any{"topicArn": p["TopicArn"], "protocol": p["Protocol"], "endpoint": p["Endpoint"], "returnSubscriptionArn": true})}
	case "AWS::S3::Bucket":
		var out []kmseventtest.Call
		for _, op := range []string{"CreateBucket", "PutBucketEncryption", "PutBucketPublicAccessBlock", "PutBucketVersioning", "PutBucketLogging", "PutBucketOwnershipControls", "PutBucketLifecycle"} {
			out = append(out, call("s3", op, map[string]any{"bucketName": res.Ref, "Host": res.Ref + ".s3.us-west-2.amazonaws.com"}))
		}
		return out
	case "AWS::S3::BucketPolicy":
		return []kmseventtest.Call{call("s3", "PutBucketPolicy", map[string]any{"bucketName": p["Bucket"], "bucketPolicy": p["PolicyDocument"], "policy": ""})}
	case "AWS::CloudTrail::Trail":
		return []kmseventtest.Call{
			call("cloudtrail", "CreateTrail", map[string]any{"name": res.Ref, "s3BucketName": p["S3BucketName"], "isMultiRegionTrail": p["IsMultiRegionTrail"], "kmsKeyId": p["KMSKeyId"]}),
			call("cloudtrail", "UpdateTrail", map[string]any{"name": res.Arn, "s3BucketName": p["S3BucketName"]}),
			call("cloudtrail", "StartLogging", map[string]any{"name": res.Arn}),
			call("cloudtrail", "PutEventSelectors", map[string]any{"trailName": res.Arn}),
		}
	case "AWS::Logs::LogGroup":
		return []kmseventtest.Call{
			call("logs", "CreateLogGroup", map[string]any{"logGroupName": res.Ref}),
			call("logs", "PutRetentionPolicy", map[string]any{"logGroupName": res.Ref, "retentionInDays": p["RetentionInDays"]}),
		}
	case "AWS::Logs::MetricFilter":
		return []kmseventtest.Call{call("logs", "PutMetricFilter", map[string]any{"logGroupName": p["LogGroupName"], "filterName": res.Ref, "filterPattern": p["FilterPattern"], "metricTransformations": p["MetricTransformations"]})}
	case "AWS::CloudWatch::Alarm":
		return []kmseventtest.Call{call("monitoring", "PutMetricAlarm", map[string]any{"alarmName": res.Ref, "alarmActions": p["AlarmActions"], "actionsEnabled": true})}
	case "AWS::CloudWatch::Dashboard":
		return []kmseventtest.Call{call("monitoring", "PutDashboard", map[string]any{"dashboardName": res.Ref})}
	case "AWS::Events::Rule":
		name := res.Ref[strings.LastIndex(res.Ref, "|")+1:]
		return []kmseventtest.Call{
			call("events", "PutRule", map[string]any{"name": name, "eventPattern": compact(p["EventPattern"]), "state": p["State"], "description": p["Description"]}),
			call("events", "PutTargets", map[string]any{"rule": name, "targets": p["Targets"]}),
			call("events", "RemoveTargets", map[string]any{"rule": name, "ids": []string{"Target1"}}), // an update dropping a target
			call("events", "EnableRule", map[string]any{"name": name}),
		}
	case "AWS::SSM::Document":
		return []kmseventtest.Call{
			call("ssm", "CreateDocument", map[string]any{"name": res.Ref, "documentType": p["DocumentType"], "documentFormat": p["DocumentFormat"]}),
			call("ssm", "UpdateDocument", map[string]any{"name": res.Ref, "documentVersion": "$LATEST"}),
			call("ssm", "UpdateDocumentDefaultVersion", map[string]any{"name": res.Ref, "documentVersion": "2"}),
		}
	case "AWS::SQS::Queue":
		return []kmseventtest.Call{call("sqs", "CreateQueue", map[string]any{"queueName": res.Ref[strings.LastIndex(res.Ref, "/")+1:]})}
	case "AWS::SQS::QueuePolicy":
		var out []kmseventtest.Call
		for _, q := range p["Queues"].([]any) {
			out = append(out, call("sqs", "SetQueueAttributes", map[string]any{"queueUrl": q, "attributes": map[string]any{"Policy": compact(p["PolicyDocument"])}}))
		}
		return out
	case "AWS::IAM::Role":
		return []kmseventtest.Call{
			call("iam", "CreateRole", map[string]any{"roleName": res.Ref, "assumeRolePolicyDocument": compact(p["AssumeRolePolicyDocument"])}),
			call("iam", "UpdateAssumeRolePolicy", map[string]any{"roleName": res.Ref, "policyDocument": compact(p["AssumeRolePolicyDocument"])}),
		}
	case "AWS::IAM::ManagedPolicy":
		return []kmseventtest.Call{call("iam", "CreatePolicy", map[string]any{"policyName": res.Ref[strings.LastIndex(res.Ref, "/")+1:], "policyDocument": compact(p["PolicyDocument"])})}
	case "AWS::IAM::Policy":
		var out []kmseventtest.Call
		roles, _ := p["Roles"].([]any)
		for _, role := range roles {
			out = append(out, call("iam", "PutRolePolicy", map[string]any{"roleName": role, "policyName": p["PolicyName"], "policyDocument": compact(p["PolicyDocument"])}))
		}
		return out
	}
	return nil
}
