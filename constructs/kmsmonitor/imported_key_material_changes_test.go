package kmsmonitor_test

import (
	"context"
	"sort"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/kmseventtest"
)

func TestImportedKeyMaterialChanges_RuleAndMessage(t *testing.T) {
	// GIVEN a stack WHEN key material changes of one key are watched
	stack := newStack()
	m := kmsmonitor.NewImportedKeyMaterialChanges(stack, jsii.String("Material"), &kmsmonitor.ImportedKeyMaterialChangesProps{KeyArns: []string{keyArn}})
	// THEN one ENABLED rule matches successful imports and deletions by callers that are not AWS services
	synth(t, stack).HasResourceProperties("AWS::Events::Rule", obj{
		"EventPattern": obj{
			"source": arr{"aws.kms"}, "detail-type": arr{"AWS API Call via CloudTrail"},
			"detail": obj{
				"eventSource": arr{"kms.amazonaws.com"}, "eventName": arr{"ImportKeyMaterial", "DeleteImportedKeyMaterial"},
				"errorCode":    arr{obj{"exists": false}},
				"userIdentity": obj{"type": arr{obj{"anything-but": "AWSService"}}, "invokedBy": arr{obj{"exists": false}}},
				"resources":    obj{"ARN": arr{keyArn}},
			},
		},
		"State": "ENABLED",
		// AND the message names the key, the operation and the caller
		"Targets": arr{objLike(obj{"InputTransformer": objLike(obj{"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String(
			"Key: <detail-resources-0--ARN>[\\s\\S]*Operation: <detail-eventName>[\\s\\S]*By: <detail-userIdentity-arn>" +
				"[\\s\\S]*Account: <account>, Region: <region>"))})})},
	})
	if m.Rule == nil || m.TopicKey == nil || m.DeadLetterQueue == nil {
		t.Error("members missing")
	}
}

func TestImportedKeyMaterialChanges_PatternFidelityOnEventBridge(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	// GIVEN the rule for every key, installed on EventBridge (moto)
	stack := newStack()
	kmsmonitor.NewImportedKeyMaterialChanges(stack, jsii.String("Material"), nil)
	pattern, state := rulePattern(t, synth(t, stack))
	rule, err := server.NewRule(ctx, pattern, state)
	if err != nil {
		t.Fatal(err)
	}
	imp, del := kmseventtest.CloudTrail("import-key-material"), kmseventtest.CloudTrail("delete-imported-key-material")
	byService := map[string]any{"userIdentity": map[string]any{"type": "AWSService"}}
	onBehalf := map[string]any{"userIdentity": map[string]any{
		"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/deployer/session", "invokedBy": "cloudformation.amazonaws.com"}}
	cases := map[string]struct {
		record []byte
		want   bool
	}{
		"documented ImportKeyMaterial":            {imp, true},
		"documented DeleteImportedKeyMaterial":    {del, true},
		"ImportKeyMaterial by an assumed role":    {kmseventtest.With(imp, map[string]any{"userIdentity": kmseventtest.AssumedRole}, nil), true},
		"ImportKeyMaterial by another account":    {kmseventtest.With(imp, map[string]any{"userIdentity": kmseventtest.CrossAccount}, nil), true},
		"ImportKeyMaterial by an AWS service":     {kmseventtest.With(imp, byService, nil), false},
		"Delete by an AWS service (Fargate-like)": {kmseventtest.With(del, map[string]any{"userIdentity": kmseventtest.AWSService}, nil), false},
		"Import invoked by a service on behalf":   {kmseventtest.With(imp, onBehalf, nil), false},
		"failed ImportKeyMaterial":                {kmseventtest.With(imp, map[string]any{"errorCode": "IncorrectKeyMaterialException", "errorMessage": "wrong material"}, nil), false},
		"failed DeleteImportedKeyMaterial":        {kmseventtest.With(del, map[string]any{"errorCode": "KMSInvalidStateException", "errorMessage": "pending import"}, nil), false},
		"GetParametersForImport":                  {kmseventtest.With(imp, map[string]any{"eventName": "GetParametersForImport"}, nil), false},
		"documented PutKeyPolicy":                 {kmseventtest.CloudTrail("put-key-policy"), false},
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	var events [][]byte
	for _, n := range names {
		events = append(events, kmseventtest.AsEventBridgeEvent(cases[n].record))
	}
	// WHEN the records reach EventBridge THEN people's changes are reported, AWS services' and failures are not
	got, err := rule.MatchAll(ctx, events)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		if got[i] != cases[n].want {
			t.Errorf("%s: reported = %v, want %v", n, got[i], cases[n].want)
		}
	}
}
