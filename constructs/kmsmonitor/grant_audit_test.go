package kmsmonitor_test

import (
	"context"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/kmseventtest"
)

func TestGrantAudit_RuleAndMessage(t *testing.T) {
	// GIVEN a stack WHEN grant auditing is added for one key
	stack := newStack()
	g := kmsmonitor.NewGrantAudit(stack, jsii.String("Grants"), &kmsmonitor.GrantAuditProps{KeyArns: []string{keyArn}})
	tpl := synth(t, stack)
	// THEN one rule (write events: ENABLED) matches successful CreateGrant, RetireGrant and RevokeGrant calls on that key
	tpl.HasResourceProperties("AWS::Events::Rule", obj{
		"EventPattern": obj{
			"source": arr{"aws.kms"}, "detail-type": arr{"AWS API Call via CloudTrail"},
			"detail": obj{
				"eventSource": arr{"kms.amazonaws.com"}, "eventName": arr{"CreateGrant", "RetireGrant", "RevokeGrant"},
				"errorCode": arr{obj{"exists": false}}, "resources": obj{"ARN": arr{keyArn}},
			},
		},
		"State": "ENABLED",
		// AND the message names the grantee, the operations and the encryption context
		"Targets": arr{objLike(obj{"InputTransformer": objLike(obj{"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String(
			"Grantee: <detail-requestParameters-granteePrincipal>[\\s\\S]*Operations: <detail-requestParameters-operations>" +
				"[\\s\\S]*Encryption context: <detail-requestParameters-constraints-encryptionContextSubset>"))})})},
	})
	if g.Rule == nil || g.TopicKey == nil || g.DeadLetterQueue == nil {
		t.Error("members missing")
	}
}

func TestGrantAudit_PatternFidelityOnEventBridge(t *testing.T) {
	server := eventBridge(t)
	ctx := context.Background()
	// GIVEN the rule for every key, installed on EventBridge (moto)
	stack := newStack()
	kmsmonitor.NewGrantAudit(stack, jsii.String("Grants"), nil)
	pattern, state := rulePattern(t, synth(t, stack))
	rule, err := server.NewRule(ctx, pattern, state)
	if err != nil {
		t.Fatal(err)
	}
	revoke := withoutEmptyError(t, kmseventtest.Failure{EventName: "RevokeGrant", KeyARN: kmseventtest.SingleRegionKey, Caller: kmseventtest.IAMUser}.Record())
	failedCreate := kmseventtest.Failure{EventName: "CreateGrant", KeyARN: kmseventtest.SingleRegionKey, Caller: kmseventtest.IAMUser,
		ErrorCode: "AccessDeniedException", ErrorMessage: "not authorized"}.Record()
	// WHEN the documented ECS Fargate records and others reach EventBridge
	// THEN the grants are reported, their dry runs, other calls and failures are not
	cases := map[string]struct {
		record []byte
		want   bool
	}{
		"Fargate CreateGrant":                             {kmseventtest.CloudTrail("fargate-create-grant"), true},
		"Fargate RetireGrant":                             {kmseventtest.CloudTrail("fargate-retire-grant"), true},
		"RevokeGrant":                                     {revoke, true},
		"Fargate CreateGrant dry run":                     {kmseventtest.CloudTrail("fargate-create-grant-dryrun"), false},
		"Fargate GenerateDataKeyWithoutPlaintext":         {kmseventtest.CloudTrail("fargate-generate-data-key-without-plaintext"), false},
		"Fargate GenerateDataKeyWithoutPlaintext dry run": {kmseventtest.CloudTrail("fargate-generate-data-key-without-plaintext-dryrun"), false},
		"successful Decrypt":                              {kmseventtest.CloudTrail("decrypt-success"), false},
		"failed CreateGrant":                              {failedCreate, false},
	}
	var names []string
	var events [][]byte
	for name, c := range cases {
		names, events = append(names, name), append(events, kmseventtest.AsEventBridgeEvent(c.record))
	}
	got, err := rule.MatchAll(ctx, events)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		if got[i] != cases[name].want {
			t.Errorf("%s: reported = %v, want %v", name, got[i], cases[name].want)
		}
	}
}
