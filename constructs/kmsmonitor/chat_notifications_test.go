package kmsmonitor_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/kmseventtest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/ssmscripttest"
)

func TestChatNotifications_Resources(t *testing.T) {
	// GIVEN KeyMonitoring WHEN its topic goes to chat through ChatNotifications
	stack := newStack()
	km := kmsmonitor.NewKeyMonitoring(stack, jsii.String("Kms"), nil)
	ch := kmsmonitor.NewChatNotifications(stack, jsii.String("Chat"), &kmsmonitor.ChatNotificationsProps{Topic: km.Topic})
	tpl := synth(t, stack)
	// THEN a Python function, its code inline, is subscribed to KeyMonitoring's topic
	tpl.HasResourceProperties("AWS::Lambda::Function", obj{
		"Runtime": "python3.14", "Handler": "index.handler", "Architectures": arr{"arm64"},
		"Code":        obj{"ZipFile": assertions.Match_AnyValue()},
		"Environment": obj{"Variables": obj{"CHAT_TOPIC_ARN": obj{"Ref": stack.GetLogicalId(ch.ChatTopic.Node().DefaultChild().(awssns.CfnTopic))}}},
	})
	tpl.HasResourceProperties("AWS::SNS::Subscription", obj{"Protocol": "lambda",
		"TopicArn": obj{"Ref": stack.GetLogicalId(km.Topic.Node().DefaultChild().(awssns.CfnTopic))}})
	// AND a new chat topic, encrypted, whose key is retained
	tpl.HasResourceProperties("AWS::SNS::Topic", obj{"KmsMasterKeyId": objLike(obj{})})
	if ch.ChatTopicKey == nil || ch.Function == nil || ch.LogGroup == nil || ch.DeadLetterQueue == nil {
		t.Error("members missing")
	}
	// AND the function's log group keeps a year and is retained; no managed policy on its role
	tpl.HasResource("AWS::Logs::LogGroup", obj{"Properties": obj{"RetentionInDays": 365}, "DeletionPolicy": "Retain"})
	for _, r := range tpl.resourcesOfType("AWS::IAM::Role") {
		if _, ok := r["Properties"].(map[string]interface{})["ManagedPolicyArns"]; ok {
			t.Errorf("a role has managed policies: %v", r["Properties"])
		}
	}
	// AND the inline code fits CloudFormation's inline limit (4,096 characters, as its older docs give it)
	code := tpl.resourcesOfType("AWS::Lambda::Function")[0]["Properties"].(map[string]interface{})["Code"].(map[string]interface{})["ZipFile"].(string)
	if len(code) > 4096 {
		t.Errorf("inline code is %d characters, more than 4,096", len(code))
	}
}

func TestChatNotifications_FailuresAreReportedByEmail(t *testing.T) {
	// GIVEN ChatNotifications on a topic WHEN a message cannot be forwarded (it lands in the dead-letter queue)
	stack := newStack()
	topic := awssns.NewTopic(stack, jsii.String("Alerts"), nil)
	ch := kmsmonitor.NewChatNotifications(stack, jsii.String("Chat"), &kmsmonitor.ChatNotificationsProps{Topic: topic})
	tpl := synth(t, stack)
	// THEN an alarm on the queue notifies the topic (and its readers by e-mail)
	tpl.HasResourceProperties("AWS::CloudWatch::Alarm", obj{
		"MetricName": "ApproximateNumberOfMessagesVisible", "Namespace": "AWS/SQS", "Statistic": "Maximum",
		"Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
		"Dimensions":   arr{obj{"Name": "QueueName", "Value": obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^ChatDeadLetterQueue")), "QueueName"}}}},
		"AlarmActions": arr{ref("Alerts")},
	})
	if ch.FailureAlarm == nil {
		t.Error("FailureAlarm missing")
	}
}

func TestChatNotifications_ImportedChatTopicWarns(t *testing.T) {
	// GIVEN a chat topic imported by ARN (its key unknown) WHEN it is given
	stack := awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-east-1")}})
	topic := awssns.NewTopic(stack, jsii.String("Alerts"), nil)
	chat := awssns.Topic_FromTopicArn(stack, jsii.String("Chat Topic"), jsii.String("arn:aws:sns:us-east-1:111122223333:kms-chat"))
	kmsmonitor.NewChatNotifications(stack, jsii.String("Chat"), &kmsmonitor.ChatNotificationsProps{Topic: topic, ChatTopic: chat})
	synth(t, stack)
	// THEN a warning says to let the function's role use its key, naming the role
	w := warningsWithID(stack, "kmsmonitor:importedChatTopic")
	if len(w) != 1 || !strings.Contains(w[0].msg, "Stack/Chat/Role") || !strings.Contains(w[0].msg, "Topic_FromTopicAttributes") {
		t.Errorf("warnings %+v", w)
	}
	// AND imported with its key, no warning, and the role may use the key
	stack = awscdk.NewStack(newApp(), jsii.String("Stack"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("us-east-1")}})
	topic = awssns.NewTopic(stack, jsii.String("Alerts"), nil)
	chat = awssns.Topic_FromTopicAttributes(stack, jsii.String("Chat Topic"), &awssns.TopicAttributes{
		TopicArn: jsii.String("arn:aws:sns:us-east-1:111122223333:kms-chat"),
		KeyArn:   jsii.String("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")})
	kmsmonitor.NewChatNotifications(stack, jsii.String("Chat"), &kmsmonitor.ChatNotificationsProps{Topic: topic, ChatTopic: chat})
	tpl := synth(t, stack)
	if w := warningsWithID(stack, "kmsmonitor:importedChatTopic"); len(w) != 0 {
		t.Errorf("warnings %+v", w)
	}
	tpl.HasResourceProperties("AWS::IAM::Policy", obj{"PolicyDocument": objLike(obj{"Statement": arrWith(objLike(obj{
		"Action": arr{"kms:Decrypt", "kms:GenerateDataKey*"}, "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}))})})
}

func TestChatNotifications_GivenChatTopic(t *testing.T) {
	// GIVEN a chat topic of the app WHEN it is given
	stack := newStack()
	topic, chat := awssns.NewTopic(stack, jsii.String("Alerts"), nil), awssns.NewTopic(stack, jsii.String("ChatTopic"), nil)
	ch := kmsmonitor.NewChatNotifications(stack, jsii.String("Chat"), &kmsmonitor.ChatNotificationsProps{Topic: topic, ChatTopic: chat})
	tpl := synth(t, stack)
	// THEN no new topic or key: the function publishes to the given one
	tpl.ResourceCountIs("AWS::SNS::Topic", 2)
	tpl.ResourceCountIs("AWS::KMS::Key", 0)
	if ch.ChatTopic != chat || ch.ChatTopicKey != nil {
		t.Error("ChatTopic is not the given topic")
	}
}

// chatForwarder returns the function's code as synthesized, with the
// environment the function gets.
func chatForwarder(t *testing.T, tpl template) string {
	t.Helper()
	fn := tpl.resourcesOfType("AWS::Lambda::Function")[0]["Properties"].(map[string]interface{})
	return "import os\nos.environ['CHAT_TOPIC_ARN'] = " + jsonString(chatTopicArn) + "\n" +
		fn["Code"].(map[string]interface{})["ZipFile"].(string)
}

const chatTopicArn = "arn:aws:sns:us-east-1:111122223333:kmsmonitor-chat"

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestChatNotifications_MessagesInChatFormat(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	// GIVEN the message KeyUseEvents sends for 100 failed calls (its rule on EventBridge (moto), its FIFO queue, its pipe's template)
	stack := newStack()
	e := kmsmonitor.NewKeyUseEvents(stack, jsii.String("Use"), nil)
	kmsmonitor.NewChatNotifications(stack, jsii.String("Chat"), &kmsmonitor.ChatNotificationsProps{Topic: e.Topic})
	tpl := synth(t, stack)
	pipeTemplate := tpl.resourcesOfType("AWS::Pipes::Pipe")[0]["Properties"].(map[string]interface{})["TargetParameters"].(map[string]interface{})["InputTemplate"].(string)
	pattern, state, target := ruleTarget(t, tpl, "Use"+*e.PendingDeletionRule.Node().Id())
	rule, err := server.NewFIFORule(ctx, pattern, state, target)
	if err != nil {
		t.Fatal(err)
	}
	bodies, err := rule.Deliver(ctx, failedCalls(100, kmseventtest.SingleRegionKey, "Decrypt", kmseventtest.AssumedRole, " is pending deletion."))
	if err != nil || len(bodies) != 1 {
		t.Fatalf("%d messages, %v", len(bodies), err)
	}
	keyUse := pipeText(t, pipeTemplate, bodies[0])
	// AND the other kinds of message the topic carries: a CloudWatch metric alarm (the documented JSON),
	// a log alarm (fields beyond the metric alarm's are shown as they come), an Automation's message with a subject,
	// a message already in chat format, and a key policy too long for chat
	alarm := `{"AlarmName":"Kms-KeyMaterialExpiry","AlarmDescription":"kmsmonitor: imported key material expires in 10 days or less",` +
		`"AWSAccountId":"111122223333","NewStateValue":"ALARM","NewStateReason":"Threshold Crossed: 1 datapoint [863000.0] was less than or equal to the threshold (864000.0).",` +
		`"StateChangeTime":"2026-12-06T10:00:00.000+0000","Region":"US East (N. Virginia)","AlarmArn":"arn:aws:cloudwatch:us-east-1:111122223333:alarm:Kms-KeyMaterialExpiry",` +
		`"OldStateValue":"OK","AlarmActions":["arn:aws:sns:us-east-1:111122223333:alerts"],` +
		`"Trigger":{"MetricName":"SecondsUntilKeyMaterialExpiration","Namespace":"AWS/KMS","Statistic":"MINIMUM","Dimensions":[{"name":"KeyId","value":"1234abcd-12ab-34cd-56ef-1234567890ab"}]}}`
	logAlarm := `{"AlarmName":"Kms-PendingDeletion-Named","NewStateValue":"ALARM","NewStateReason":"1 contributor breaching",` +
		`"Contributor":{"key":"` + kmseventtest.SingleRegionKey + `","caller":"arn:aws:sts::111122223333:assumed-role/app/i-0abc","operation":"Decrypt"},` +
		`"LogLines":["{\"eventSource\":\"kms.amazonaws.com\",\"errorMessage\":\"` + kmseventtest.SingleRegionKey + ` is pending deletion.\"}"]}`
	custom := `{"version":"1.0","source":"custom","content":{"description":"already for chat"}}`
	long := "kmsmonitor: key policy changed.\nPolicy as set:\n```" + strings.Repeat(`{"Effect":"Allow","Principal":"*","Action":"kms:*"}`, 200)
	records := func(notes ...map[string]any) map[string]any {
		var rs []any
		for _, n := range notes {
			n["TopicArn"], n["Type"], n["MessageId"] = "arn:aws:sns:us-east-1:111122223333:Kms-Topic", "Notification", "95df01b4-ee98-5cb9-9903-4c221d41eb5e"
			rs = append(rs, map[string]any{"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": n})
		}
		return map[string]any{"Records": rs}
	}
	publish := func(n int) []ssmscripttest.Call {
		calls := make([]ssmscripttest.Call, n)
		for i := range calls {
			calls[i] = ssmscripttest.Call{Service: "sns", Operation: "publish", Expect: map[string]any{"TopicArn": chatTopicArn, "Message": "<ANY>"},
				Response: map[string]any{"MessageId": "6a1f0d2e-3c5b-4d8e-9f7a-1b2c3d4e5f60"}}
		}
		return calls
	}
	scenarios := []ssmscripttest.Scenario{
		{Name: "text messages", Events: records(map[string]any{"Message": keyUse, "Subject": nil}, map[string]any{"Message": long}), Calls: publish(2)},
		{Name: "alarms", Events: records(map[string]any{"Message": alarm, "Subject": `ALARM: "Kms-KeyMaterialExpiry" in US East (N. Virginia)`},
			map[string]any{"Message": logAlarm}), Calls: publish(2)},
		{Name: "automation and chat format", Events: records(map[string]any{"Message": "The deletion of key " + kmseventtest.SingleRegionKey + " was not cancelled: it is exempt.", "Subject": "kmsmonitor: exempt deletion"},
			map[string]any{"Message": custom}), Calls: publish(2)},
	}
	// WHEN the function, as synthesized, gets them from SNS (botocore's model checks each Publish)
	results, _, err := ssmscripttest.Run(chatForwarder(t, tpl), "handler", scenarios)
	ranOrSkip(t, err)
	var got []map[string]any
	for _, r := range results {
		if r.Error != "" || len(r.Pending) > 0 {
			t.Fatalf("%s: error %s, answers not asked for %v", r.Name, r.Error, r.Pending)
		}
		for _, m := range r.Output["published"].([]any) {
			var doc map[string]any
			if err := json.Unmarshal([]byte(m.(string)), &doc); err != nil {
				t.Fatalf("%s: not JSON: %v: %s", r.Name, err, m)
			}
			got = append(got, doc)
		}
	}
	// THEN each is one message in the custom notification format: version 1.0, source custom, client-markdown,
	// a title within Slack's header limit and a description within its text block limit
	for i, doc := range got {
		content, _ := doc["content"].(map[string]any)
		title, _ := content["title"].(string)
		desc, _ := content["description"].(string)
		if doc["version"] != "1.0" || doc["source"] != "custom" || desc == "" || len(title) > 150 || len(desc) > 3000 {
			t.Errorf("message %d is not a readable custom notification: %v", i, doc)
		}
		if i != 5 && (content["textType"] != "client-markdown" || !strings.HasPrefix(desc, "```\n") || strings.Count(desc, "```") != 2) {
			t.Errorf("message %d: the body is not one code block: %q", i, desc)
		}
	}
	contains := func(i int, field string, parts ...string) {
		s := got[i]["content"].(map[string]any)[field].(string)
		for _, p := range parts {
			if !strings.Contains(s, p) {
				t.Errorf("message %d: %s lacks %q: %s", i, field, p, s)
			}
		}
	}
	// AND it names what the e-mail names: the key, the operation and the caller under a title that says what happened
	contains(0, "title", "kmsmonitor:", "pending deletion")
	contains(0, "description", kmseventtest.SingleRegionKey, "Decrypt", kmseventtest.AssumedRole["arn"].(string))
	contains(1, "title", "kmsmonitor: key policy changed.")
	contains(1, "description", "...", "'''")
	contains(2, "title", "ALARM: Kms-KeyMaterialExpiry")
	contains(2, "description", "imported key material expires", "Threshold Crossed", "1234abcd-12ab-34cd-56ef-1234567890ab", "111122223333")
	contains(3, "title", "ALARM: Kms-PendingDeletion-Named")
	contains(3, "description", kmseventtest.SingleRegionKey, "assumed-role/app", "Decrypt", "is pending deletion.")
	if d := got[3]["content"].(map[string]any)["description"].(string); strings.Contains(d, "None") {
		t.Errorf("the log alarm's message shows fields it lacks: %s", d)
	}
	contains(4, "title", "kmsmonitor: exempt deletion")
	contains(4, "description", "was not cancelled")
	contains(5, "description", "already for chat")
}
