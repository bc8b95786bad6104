package kmsmonitor

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awspipes"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/alerting"
	"github.com/kmsmonitor/kmsmonitor/internal/nagsuppress"
	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

const (
	// CancelKeyDeletionRunbook is the AWS-owned runbook that alarm-driven mode
	// starts: it cancels the deletion of KeyId (a key ID) and leaves the key
	// disabled.
	CancelKeyDeletionRunbook = "AWSConfigRemediation-CancelKeyDeletion"
	// keysPerAlarmRule: an EventBridge rule holds 5 targets; one is the notification.
	keysPerAlarmRule = maxRuleTargets - 1
)

// AutoCancelMode says what starts a cancellation and which keys it may
// rescue. Build it with AlarmDriven, KeyAwareAllKeys, KeyAwareListed or
// KeyAwareTagged: one mode per AutoCancelDeletion, so no combination of
// props can contradict another.
type AutoCancelMode struct {
	alarm            awscloudwatch.IAlarm
	keyAware         bool
	keys             []awskms.IKey
	keyArns          []string
	allKeys          bool
	tagKey, tagValue *string
}

// AlarmDriven is the documented recipe: when alarm goes to ALARM (typically
// PendingDeletionAlarm.Alarm), the deletion of every key given (keys and
// keyArns, at least one) is cancelled with the AWS runbook
// CancelKeyDeletionRunbook, since the alarm does not say which key was used.
// In KeyMonitoring, a nil alarm means its pending-deletion alarm.
func AlarmDriven(alarm awscloudwatch.IAlarm, keys []awskms.IKey, keyArns []string) *AutoCancelMode {
	return &AutoCancelMode{alarm: alarm, keys: keys, keyArns: keyArns}
}

// KeyAwareAllKeys rescues any key of the account and Region that a
// cryptographic call finds pending deletion (see KeyAwareListed).
func KeyAwareAllKeys() *AutoCancelMode {
	return &AutoCancelMode{keyAware: true, allKeys: true}
}

// KeyAwareListed rescues exactly the key a cryptographic call finds pending
// deletion, when it is one of keys or keyArns (matched in the event pattern
// and enforced in IAM). Key-aware modes read CloudTrail records through
// EventBridge (a trail recording management events, read events included,
// is needed) and run this construct's own automation document, which
// accepts the key ARN the record carries.
func KeyAwareListed(keys []awskms.IKey, keyArns []string) *AutoCancelMode {
	return &AutoCancelMode{keyAware: true, keys: keys, keyArns: keyArns}
}

// KeyAwareTagged rescues only keys tagged tagKey=tagValue, enforced in the
// automation role's policy with aws:ResourceTag (see KeyAwareListed).
// tagValue may be a token (a CfnParameter's value); tagKey may not: it is
// part of the IAM condition key aws:ResourceTag/<tagKey>.
func KeyAwareTagged(tagKey, tagValue string) *AutoCancelMode {
	return &AutoCancelMode{keyAware: true, tagKey: jsii.String(tagKey), tagValue: jsii.String(tagValue)}
}

// AutoCancelDeletionProps configures AutoCancelDeletion.
type AutoCancelDeletionProps struct {
	// Mode says what starts a cancellation and which keys it may rescue.
	// Required.
	Mode *AutoCancelMode

	// NotifyTopic sends a message naming the key when a cancellation starts.
	// Default: true.
	NotifyTopic *bool
	// Topic receives the messages.
	// Default: a new SNS topic encrypted with a new customer managed KMS key.
	Topic awssns.ITopic
	// Emails are subscribed to Topic.
	// Default: no subscription.
	Emails []string
	// DeadLetterQueue keeps the events whose automation or notification could
	// not be started after 185 attempts over 24 hours.
	// Default: a new SSE-SQS encrypted, TLS-only queue keeping messages 14 days.
	DeadLetterQueue awssqs.IQueue
	// BreakGlassPrincipalArns (key-aware modes): a deletion these IAM roles
	// or users scheduled is not cancelled, and is reported: the same list
	// and matching as DeletionGuard's and DeletionCheck's. The automation
	// finds who scheduled the deletion with CloudTrail's LookupEvents. A
	// deletion CloudFormation scheduled as the role a key's
	// DeletableWithStackTag names is not cancelled either. Alarm-driven mode
	// runs AWS's runbook, which cannot tell who scheduled a deletion.
	// Default: nobody is exempt.
	BreakGlassPrincipalArns []string
	// BoundedMessages (key-aware modes): the message that a key pending
	// deletion was used is sent at most once per key, operation and caller
	// every 5 minutes, as KeyUseEventsProps.BoundedMessages says (an SQS FIFO
	// queue drops the repeats, an EventBridge pipe publishes), and the
	// automation starts at most once per key every 5 minutes (a second FIFO
	// queue, and a pipe that puts one event on an event bus of its own whose
	// rule starts it).
	// Default: true, but false with the warning kmsmonitor:notificationsUnbounded
	// in a stack of a Region without EventBridge Pipes.
	BoundedMessages *bool
	// shared is the notification a composing construct (KeyMonitoring,
	// CentralKeyMonitoring) decided for all its parts; used when Topic is nil.
	shared *alerting.Notification
}

// AutoCancelDeletion cancels the scheduled deletion of a KMS key that is
// still in use, with AWS Systems Manager Automation started by EventBridge.
// The key is left disabled, not deleted and not enabled again.
type AutoCancelDeletion struct {
	constructs.Construct

	// Rules start the automation: in alarm-driven mode one per 4 keys, in
	// key-aware mode one, or as many as the event pattern quota needs for
	// the keys listed.
	Rules []awsevents.Rule
	// AutomationRole is the role the automation runs with.
	AutomationRole awsiam.Role
	// AutomationPolicies are the managed policies of AutomationRole: one, or
	// as many as the keys listed need (6,144 characters each).
	AutomationPolicies []awsiam.ManagedPolicy
	// EventsRole is the role EventBridge starts the automation with.
	EventsRole awsiam.Role
	// EventsPolicy is EventsRole's managed policy.
	EventsPolicy awsiam.ManagedPolicy
	// Document is the automation document of key-aware mode; nil in alarm-driven mode.
	Document awsssm.CfnDocument
	// Topic receives the notifications; nil when NotifyTopic is false.
	Topic awssns.ITopic
	// TopicKey encrypts Topic; nil when Topic was given or not used.
	TopicKey awskms.Key
	// DeadLetterQueue keeps undelivered events.
	DeadLetterQueue awssqs.IQueue
	// Queue and Pipe carry the key-aware messages, repeats dropped
	// (BoundedMessages); nil in alarm-driven mode, without a topic, or in a
	// Region without EventBridge Pipes.
	Queue awssqs.Queue
	Pipe  awspipes.CfnPipe
	// StartQueue, StartPipe, StartBus and StartRule start the key-aware
	// automation at most once per key every 5 minutes (BoundedMessages): the
	// rules send each key to StartQueue (FIFO, content-based deduplication),
	// StartPipe puts what it keeps on StartBus (which accepts events from the
	// pipe's role only), and StartRule starts the automation. nil in
	// alarm-driven mode or where the starts are not bounded.
	StartQueue awssqs.Queue
	StartPipe  awspipes.CfnPipe
	StartBus   awsevents.EventBus
	StartRule  awsevents.Rule

	bounded *alerting.Bounded
	starts  *alerting.Bounded
}

// The events StartPipe puts on StartBus, which StartRule matches.
const (
	autoCancelStartSource     = "kmsmonitor.autocancel"
	autoCancelStartDetailType = "KMS key used while pending deletion"
)

// NewAutoCancelDeletion creates AutoCancelDeletion. It panics with a
// *ValidationError when props are invalid.
func NewAutoCancelDeletion(scope constructs.Construct, id *string, props *AutoCancelDeletionProps) *AutoCancelDeletion {
	p, node, c := start("kmsmonitor.AutoCancelDeletion", scope, id, props)
	notify := p.NotifyTopic == nil || *p.NotifyTopic
	keys, keyAwareChunks, policyChunks := p.validate(c, notify)
	breakGlass := validateGuard(c, nil, nil, p.BreakGlassPrincipalArns).breakGlass
	if len(breakGlass) > 0 && p.Mode != nil && !p.Mode.keyAware {
		c.Addf("BreakGlassPrincipalArns", "alarm-driven mode runs AWS's runbook AWSConfigRemediation-CancelKeyDeletion, which cannot tell who scheduled a deletion; use a key-aware mode (KeyAwareListed, KeyAwareTagged, KeyAwareAllKeys) to exempt break-glass principals, or leave the list out")
	}
	checkKeysAreLocal(node, c, keys)
	checkBoundedMessages(c, node, p.BoundedMessages)
	c.PanicIfAny()
	keyAware := p.Mode.keyAware

	a := &AutoCancelDeletion{Construct: node}
	stack := awscdk.Stack_Of(node)
	a.DeadLetterQueue = alerting.UseOrCreateDeadLetterQueue(node, p.DeadLetterQueue)
	if notify {
		n := alerting.Decide(node, p.Topic, p.Emails, nil, p.shared)
		a.Topic, a.TopicKey = n.Topic, n.Key
	}

	documentName := jsii.String(CancelKeyDeletionRunbook)
	if keyAware {
		// aws-cdk-lib has no L2 for SSM documents.
		a.Document = awsssm.NewCfnDocument(node, jsii.String("Document"), &awsssm.CfnDocumentProps{
			DocumentType:   jsii.String("Automation"),
			Content:        cancelKeyDeletionDocument(stack.ToJsonString(breakGlass, nil), notify),
			UpdateMethod:   jsii.String("NewVersion"),
			DocumentFormat: jsii.String("JSON"),
		})
		documentName = a.Document.Ref()
	}
	// account nil is the stack's account; "" leaves it out.
	definition := func(account *string, version string) *string {
		return stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("ssm"), Account: account, Resource: jsii.String("automation-definition"),
			ResourceName: jsii.String(*documentName + ":" + version), ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME,
		})
	}
	// EventBridge targets name the automation with the account, also for an
	// AWS-owned runbook (Systems Manager User Guide, "Run automations with
	// EventBridge"); the AWS-owned runbook's own ARN has no account, so the
	// roles may start either form.
	startable := []*string{definition(nil, "*")}
	if !keyAware {
		startable = append(startable, definition(jsii.String(""), "*"))
	}
	a.createRoles(stack, &p, keys, policyChunks, startable, len(breakGlass) > 0)

	if keyAware && boundedWanted(node, p.BoundedMessages, "AutoCancelDeletion starts one automation and sends one message per failed call",
		"set NotifyTopic to false there and rely on PendingDeletionAlarm's notification; the automation starts at each use either way, "+
			"and reports an exempt deletion at each start") {
		if a.Topic != nil {
			a.bounded = alerting.NewBounded(node, a.Topic, autoCancelMessage)
			a.Queue, a.Pipe = a.bounded.Queue, a.bounded.Pipe
		}
		a.boundedStarts(definition(nil, "$DEFAULT"))
	}
	if keyAware {
		for i, chunk := range keyAwareChunks {
			a.keyAwareRule(numbered("KeyAwareRule", i), chunk, definition(nil, "$DEFAULT"), p.Mode)
		}
	} else {
		a.alarmRules(&p, keys, definition(nil, "$DEFAULT"))
	}
	return a
}

func (a *AutoCancelDeletion) createRoles(stack awscdk.Stack, p *AutoCancelDeletionProps, keys []keyRef, policyChunks [][]*string, definitionArns []*string, breakGlass bool) {
	account := &map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()}}
	a.AutomationRole = awsiam.NewRole(a.Construct, jsii.String("AutomationRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewPrincipalWithConditions(awsiam.NewServicePrincipal(jsii.String("ssm.amazonaws.com"), nil), account),
		Description: jsii.String("kmsmonitor AutoCancelDeletion: cancels the deletion of protected KMS keys"),
	})
	keyStatement := &awsiam.PolicyStatementProps{
		Sid:     jsii.String("CancelDeletionOfProtectedKeys"),
		Actions: jsii.Strings(keyActions(p.Mode.keyAware)...),
	}
	if len(keys) > 0 {
		keyStatement.Resources = &policyChunks[0]
	} else {
		keyStatement.Resources = &[]*string{stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("kms"), Resource: jsii.String("key"), ResourceName: jsii.String("*"),
		})}
		if p.Mode.tagKey != nil {
			keyStatement.Conditions = &map[string]interface{}{
				"StringEquals": map[string]interface{}{"aws:ResourceTag/" + *p.Mode.tagKey: *p.Mode.tagValue},
			}
		}
	}
	// Customer managed policies rather than inline ones (NIST 800-53 IAMNoInlinePolicy).
	var exemptions []awsiam.PolicyStatement
	if p.Mode.keyAware {
		exemptions = a.exemptionStatements(stack, breakGlass)
	}
	statements := append([]awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(keyStatement),
		// The runbook's documented needs, scoped to its own definition and executions.
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("RunThisAutomation"), Actions: jsii.Strings("ssm:StartAutomationExecution"),
			Resources: &definitionArns,
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("ReadItsExecutions"), Actions: jsii.Strings("ssm:GetAutomationExecution"),
			Resources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("ssm"), Resource: jsii.String("automation-execution"), ResourceName: jsii.String("*"),
			})},
		}),
	}, exemptions...)
	automationPolicy := awsiam.NewManagedPolicy(a.Construct, jsii.String("AutomationPolicy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("kmsmonitor AutoCancelDeletion: what the cancellation automation may do"),
		Roles:       &[]awsiam.IRole{a.AutomationRole},
		Statements:  &statements,
	})
	automationWildcards := []nagsuppress.Rule{
		{ID: "AwsSolutions-IAM5", Reason: "Automation execution IDs are created when the automation runs; the policy is limited to this account's and Region's executions.",
			AppliesTo: []nagsuppress.Finding{nagsuppress.Resource("arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-execution/*")}},
		definitionWildcard,
	}
	if p.Mode.keyAware {
		automationWildcards = append(automationWildcards, nagsuppress.Rule{ID: "AwsSolutions-IAM5",
			Reason:    "cloudtrail:LookupEvents has no resource-level permissions (Service Authorization Reference): the automation reads who scheduled the deletion of the one key it rescues.",
			AppliesTo: []nagsuppress.Finding{nagsuppress.Resource("*")}})
		if breakGlass {
			automationWildcards = append(automationWildcards, nagsuppress.Rule{ID: "AwsSolutions-IAM5",
				Reason:    "Any role of this account may schedule a deletion: the automation reads the one role (its path) whose session CloudTrail names, to compare it with the break-glass principals.",
				AppliesTo: []nagsuppress.Finding{nagsuppress.Resource("arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*")}})
		}
		if a.Topic != nil && a.Topic.MasterKey() != nil {
			automationWildcards = append(automationWildcards, nagsuppress.Rule{ID: "AwsSolutions-IAM5",
				Reason:    "kms:GenerateDataKey* names the GenerateDataKey family SNS calls for an encrypted topic, on the topic's key only.",
				AppliesTo: []nagsuppress.Finding{nagsuppress.Action("kms:GenerateDataKey*")}})
		}
	}
	if len(keys) == 0 {
		automationWildcards = append(automationWildcards, nagsuppress.Rule{ID: "AwsSolutions-IAM5",
			Reason:    "Key-aware mode rescues keys not known in advance: any key of this account and Region (AllKeys), or only those with the tag (aws:ResourceTag condition).",
			AppliesTo: []nagsuppress.Finding{nagsuppress.Resource("arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*")}})
	}
	nagsuppress.On(automationPolicy, automationWildcards...)
	a.AutomationPolicies = append(a.AutomationPolicies, automationPolicy)
	// The keys that did not fit the first policy, in policies of their own
	// (IAM: 6,144 characters per managed policy).
	for i := 1; i < len(policyChunks); i++ {
		ks := *keyStatement
		ks.Resources = &policyChunks[i]
		a.AutomationPolicies = append(a.AutomationPolicies, awsiam.NewManagedPolicy(a.Construct, jsii.String(numbered("AutomationPolicy", i)), &awsiam.ManagedPolicyProps{
			Description: jsii.String("kmsmonitor AutoCancelDeletion: the keys whose deletion the automation may cancel (continued)"),
			Roles:       &[]awsiam.IRole{a.AutomationRole},
			Statements:  &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&ks)},
		}))
	}

	a.EventsRole, a.EventsPolicy = newAutomationStarter(a.Construct, "AutoCancelDeletion", "the cancellation automation", definitionArns, a.AutomationRole)
}

// alarmRules creates one rule per 4 keys on the alarm's state change to ALARM.
func (a *AutoCancelDeletion) alarmRules(p *AutoCancelDeletionProps, keys []keyRef, definitionArn *string) {
	for start := 0; start < len(keys); start += keysPerAlarmRule {
		chunk := keys[start:min(start+keysPerAlarmRule, len(keys))]
		id := "AlarmRule"
		if start > 0 {
			id = fmt.Sprintf("AlarmRule%d", start/keysPerAlarmRule+1)
		}
		rule := awsevents.NewRule(a.Construct, jsii.String(id), &awsevents.RuleProps{
			Description: jsii.String("kmsmonitor: cancel the deletion of protected KMS keys when their pending-deletion alarm fires"),
			EventPattern: &awsevents.EventPattern{
				Source: jsii.Strings("aws.cloudwatch"),
				// A Metrics Insights alarm grouped by key (KeyArnDimension) goes to
				// ALARM once; keys that breach while it is in ALARM arrive as
				// contributor state changes, with the same alarmName and state.
				DetailType: jsii.Strings("CloudWatch Alarm State Change", "CloudWatch Alarm Contributor State Change"),
				Detail: &map[string]interface{}{
					"alarmName": []interface{}{p.Mode.alarm.AlarmName()},
					"state":     map[string]interface{}{"value": []string{"ALARM"}},
				},
			},
		})
		a.Rules = append(a.Rules, rule)
		var ids []string
		for _, k := range chunk {
			rule.AddTarget(a.automationTarget(definitionArn, awsevents.RuleTargetInput_FromObject(map[string]interface{}{
				"AutomationAssumeRole": []interface{}{a.AutomationRole.RoleArn()},
				"KeyId":                []interface{}{k.id},
			})))
			ids = append(ids, *k.id)
		}
		if a.Topic != nil {
			rule.AddTarget(a.notificationTarget(awsevents.RuleTargetInput_FromMultilineText(jsii.String(fmt.Sprintf(
				"kmsmonitor AutoCancelDeletion: the alarm %s reported ALARM at %s in account %s, Region %s.\n"+
					"Cancelling the scheduled deletion of KMS key(s): %s.\n"+
					"The keys stay disabled. Find who still uses them in CloudTrail before you enable them or schedule their deletion again.",
				*awsevents.EventField_FromPath(jsii.String("$.detail.alarmName")), *awsevents.EventField_Time(),
				*awsevents.EventField_Account(), *awsevents.EventField_Region(), strings.Join(ids, ", "))))))
		}
	}
}

// keyAwareDetail matches failed KMS calls of keys pending deletion: any key,
// or those of keys.
func keyAwareDetail(keys []keyRef) map[string]interface{} {
	detail := map[string]interface{}{
		"eventSource":  []string{"kms.amazonaws.com"},
		"errorMessage": []interface{}{map[string]string{"suffix": pendingDeletionSuffix}},
	}
	if len(keys) > 0 {
		// The error message is "<key ARN> is pending deletion.", so the allow
		// list is a list of exact messages.
		messages := make([]interface{}, len(keys))
		for i, k := range keys {
			messages[i] = *k.arn + pendingDeletionSuffix
		}
		detail["errorMessage"] = messages
	}
	return detail
}

// keyAwareRule creates the rule id on failed KMS calls of keys pending
// deletion. Its message promises a cancellation only where the automation
// role may cancel: a listed key, or any key (KeyAwareAllKeys); in tag-scoped
// mode the rule sees every key, and the role may touch only tagged ones.
func (a *AutoCancelDeletion) keyAwareRule(id string, keys []keyRef, definitionArn *string, mode *AutoCancelMode) {
	rule := newCloudTrailRule(a.Construct, id,
		"kmsmonitor: cancel the deletion of a KMS key when a call fails because it is pending deletion", keyAwareDetail(keys), true, nil)
	a.Rules = append(a.Rules, rule)
	keyArn := awsevents.EventField_FromPath(jsii.String("$.detail.resources[0].ARN"))
	input := map[string]interface{}{
		"AutomationAssumeRole": []interface{}{a.AutomationRole.RoleArn()},
		"KeyId":                []interface{}{keyArn},
	}
	if a.Topic != nil {
		input["TopicArn"] = []interface{}{a.Topic.TopicArn()}
	}
	if a.starts != nil {
		// The key alone: the queue drops its repeats (Bounded).
		rule.AddTarget(a.starts.Target(map[string]interface{}{"key": keyArn}, a.DeadLetterQueue))
	} else {
		rule.AddTarget(a.automationTarget(definitionArn, awsevents.RuleTargetInput_FromObject(input)))
	}
	if a.Topic != nil {
		outcome := "Starting the automation that cancels its scheduled deletion (its outcome is in the automation execution; " +
			"a deletion scheduled by an exempt principal is not cancelled, and reported); " +
			"a cancelled key stays disabled. Enable it again only once you know who still needs it."
		if mode.tagKey != nil {
			outcome = fmt.Sprintf("The automation that cancels its scheduled deletion may touch only keys tagged %s=%s (its role's IAM policy). "+
				"An untagged key is NOT protected and stays scheduled for deletion: if it is needed, cancel by hand now: aws kms cancel-key-deletion --key-id %s, "+
				"then tag it so that a later deletion is protected. A cancelled key stays disabled; enable it again only once you know who still needs it.",
				*mode.tagKey, *mode.tagValue, *keyArn)
		}
		if a.bounded != nil {
			// No per-event field (time, source address): the queue drops the repeats (Bounded).
			rule.AddTarget(a.bounded.Target(map[string]interface{}{
				"key":           keyArn,
				"operation":     awsevents.EventField_FromPath(jsii.String("$.detail.eventName")),
				"caller":        field("$.detail.userIdentity.arn") + field("$.detail.userIdentity.invokedBy"),
				"callerAccount": "account " + field("$.detail.userIdentity.accountId"),
				"account":       awsevents.EventField_Account(),
				"region":        awsevents.EventField_Region(),
				"outcome":       outcome,
			}, a.DeadLetterQueue))
			return
		}
		rule.AddTarget(a.notificationTarget(awsevents.RuleTargetInput_FromMultilineText(jsii.String(fmt.Sprintf(
			"kmsmonitor AutoCancelDeletion: KMS key %s is pending deletion and was just used.\n"+
				"Operation: %s by %s from %s, account %s, Region %s, at %s.\n%s",
			*keyArn, *awsevents.EventField_FromPath(jsii.String("$.detail.eventName")),
			*awsevents.EventField_FromPath(jsii.String("$.detail.userIdentity.arn")),
			*awsevents.EventField_FromPath(jsii.String("$.detail.sourceIPAddress")),
			*awsevents.EventField_Account(), *awsevents.EventField_Region(), *awsevents.EventField_Time(), outcome)))))
	}
}

// boundedStarts creates the path that starts the key-aware automation
// (definitionArn) at most once per key every 5 minutes: StartQueue,
// StartPipe, StartBus and StartRule.
func (a *AutoCancelDeletion) boundedStarts(definitionArn *string) {
	a.StartBus = awsevents.NewEventBus(a.Construct, jsii.String("StartBus"), &awsevents.EventBusProps{
		Description: jsii.String("kmsmonitor AutoCancelDeletion: keys used while pending deletion, at most once per key every 5 minutes"),
	})
	a.starts = alerting.NewBoundedEvents(a.Construct, "BoundedStart", a.StartBus, autoCancelStartSource, autoCancelStartDetailType,
		`{"key": "<$.body.key>"}`, a.Topic)
	a.StartQueue, a.StartPipe = a.starts.Queue, a.starts.Pipe
	// The bus's rule starts an automation that cancels a key's deletion:
	// only the pipe may put events on it (a bus of the account admits every
	// principal of the account that IAM allows events:PutEvents).
	a.StartBus.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("OnlyThePipe"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("events:PutEvents"),
		Resources:  &[]*string{a.StartBus.EventBusArn()},
		Conditions: &map[string]interface{}{"ArnNotEquals": map[string]interface{}{"aws:PrincipalArn": a.starts.Role.RoleArn()}},
	}))
	a.StartRule = awsevents.NewRule(a.Construct, jsii.String("StartRule"), &awsevents.RuleProps{
		EventBus:    a.StartBus,
		Description: jsii.String("kmsmonitor: start the automation that cancels the deletion of a KMS key used while pending deletion"),
		EventPattern: &awsevents.EventPattern{
			Source: jsii.Strings(autoCancelStartSource), DetailType: jsii.Strings(autoCancelStartDetailType),
		},
	})
	input := map[string]interface{}{
		"AutomationAssumeRole": []interface{}{a.AutomationRole.RoleArn()},
		"KeyId":                []interface{}{awsevents.EventField_FromPath(jsii.String("$.detail.key"))},
	}
	if a.Topic != nil {
		input["TopicArn"] = []interface{}{a.Topic.TopicArn()}
	}
	a.StartRule.AddTarget(a.automationTarget(definitionArn, awsevents.RuleTargetInput_FromObject(input)))
}

// autoCancelMessage is the text of key-aware AutoCancelDeletion's bounded
// notifications, from the body its rules send.
var autoCancelMessage = fmt.Sprintf("kmsmonitor AutoCancelDeletion: KMS key <$.body.key> is pending deletion and was just used.\n"+
	"Operation: <$.body.operation> by <$.body.caller> (<$.body.callerAccount>), account <$.body.account>, Region <$.body.region>.\n"+
	"<$.body.outcome>\n"+
	"This message is sent once per key, operation and caller every %d minutes while the calls go on.", alerting.DeduplicationWindowMinutes)

func (a *AutoCancelDeletion) notificationTarget(message awsevents.RuleTargetInput) awsevents.IRuleTarget {
	return alerting.NotifyTarget(a.Topic, message, a.DeadLetterQueue)
}

// automationTarget is an EventBridge target that starts an SSM Automation;
// aws-cdk-lib has no such target.
func (a *AutoCancelDeletion) automationTarget(definitionArn *string, input awsevents.RuleTargetInput) awsevents.IRuleTarget {
	return &ssmAutomationTarget{definitionArn: definitionArn, input: input, role: a.EventsRole, dlq: a.DeadLetterQueue}
}

// checkKeysAreLocal makes sure the protected keys can be rescued from here:
// CancelKeyDeletion runs in the automation's account and Region, and the
// alarm and CloudTrail events that start it are those of this account and
// Region. Keys of another account or Region fail synthesis when the stack's
// environment is known; in an environment-agnostic stack, a warning names
// where the stack must be deployed.
func checkKeysAreLocal(node constructs.Construct, c *propcheck.Checker, keys []keyRef) {
	stack := awscdk.Stack_Of(node)
	account, region := *stack.Account(), *stack.Region()
	places := map[string]bool{}
	for _, k := range keys {
		if k.region == "" {
			continue
		}
		places[k.account+" "+k.region] = true
		if (!propcheck.Unresolved(region) && k.region != region) || (!propcheck.Unresolved(account) && k.account != account) {
			c.Addf(k.prop, "%s is a key of account %s in %s, but this stack deploys to account %s in %s; CancelKeyDeletion works only in the automation's own account and Region: create one AutoCancelDeletion per account and Region, in a stack of that environment",
				*k.arn, k.account, k.region, account, region)
		}
	}
	list := make([]string, 0, len(places))
	for p := range places {
		list = append(list, p)
	}
	sort.Strings(list)
	if len(list) > 1 {
		c.Addf("KeyArns", "the keys belong to %d accounts or Regions (%s); CancelKeyDeletion works only in the automation's own account and Region: create one AutoCancelDeletion per account and Region",
			len(list), strings.Join(list, ", "))
	}
	if propcheck.Unresolved(region) && len(list) > 0 {
		awscdk.Annotations_Of(node).AddWarningV2(jsii.String("kmsmonitor:autoCancelEnvironment"), jsii.String(fmt.Sprintf(
			"AutoCancelDeletion protects keys of (account Region) %s: deploy this environment-agnostic stack to that account and Region, where CancelKeyDeletion runs, or give the stack an env so that synthesis checks it.",
			strings.Join(list, ", "))), nil)
	}
}

// cancelKeyDeletionDocument is key-aware mode's automation: it cancels the
// deletion of KeyId (a key ID or ARN, as the KMS API accepts) and checks that
// the key is no longer pending deletion. A key already rescued by an earlier
// execution makes the first step fail harmlessly.
func cancelKeyDeletionDocument(breakGlass *string, notify bool) map[string]interface{} {
	params := map[string]interface{}{
		"AutomationAssumeRole": map[string]interface{}{
			"type": "String", "description": "ARN of the role the automation runs with.",
			"allowedPattern": `^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`,
		},
		"KeyId": map[string]interface{}{
			"type": "String", "description": "ID or ARN of the KMS key whose deletion is cancelled.",
			"allowedPattern": `^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/)?(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`,
		},
	}
	// An exempt deletion is reported (NotifyExempt), or, without a topic, left alone.
	exempt := "LeaveScheduled"
	last := map[string]interface{}{"name": "LeaveScheduled", "action": "aws:sleep", "isEnd": true, "inputs": map[string]interface{}{"Duration": "PT1S"}}
	if notify {
		params["TopicArn"] = map[string]interface{}{"type": "String", "description": "SNS topic told of an exempt deletion."}
		exempt = "NotifyExempt"
		last = map[string]interface{}{
			"name": "NotifyExempt", "action": "aws:executeAwsApi", "isEnd": true, "maxAttempts": apiAttempts,
			"inputs": map[string]interface{}{
				"Service": "sns", "Api": "Publish", "TopicArn": "{{ TopicArn }}",
				"Subject": "kmsmonitor: KMS key pending deletion used, NOT cancelled (exempt)",
				"Message": "kmsmonitor AutoCancelDeletion: KMS key {{ KeyId }} is pending deletion and was used, but its deletion was not cancelled: {{ Exempt.Reason }}. " +
					"If the key is still needed, cancel it now: aws kms cancel-key-deletion --key-id {{ KeyId }}",
			},
		}
	}
	return map[string]interface{}{
		"schemaVersion": "0.3",
		"description":   "kmsmonitor: cancel the scheduled deletion of a KMS key given by ID or ARN, unless an exempt principal scheduled it. The key is left disabled.",
		"assumeRole":    "{{ AutomationAssumeRole }}",
		"parameters":    params,
		"mainSteps": []interface{}{
			// Who scheduled the deletion; if that cannot be read, the deletion is cancelled (not
			// critical: the execution's status is the cancellation's).
			map[string]interface{}{
				"name": "WhoScheduled", "action": "aws:executeScript", "onFailure": "step:CancelKeyDeletion", "isCritical": false, "nextStep": "Exempt",
				"timeoutSeconds": 60,
				"inputs": map[string]interface{}{
					"Runtime": "python3.11", "Handler": "handler", "Script": whoScheduledScript,
					"InputPayload": map[string]interface{}{"KeyId": "{{ KeyId }}"},
				},
				"outputs": []interface{}{
					map[string]interface{}{"Name": "ScheduledBy", "Selector": "$.Payload.scheduledBy", "Type": "String"},
					map[string]interface{}{"Name": "SourceIp", "Selector": "$.Payload.sourceIp", "Type": "String"},
				},
			},
			// DeletionCheck's exemptions, the same script.
			exemptStep("CancelKeyDeletion", "{{ WhoScheduled.ScheduledBy }}", "{{ WhoScheduled.SourceIp }}", breakGlass),
			map[string]interface{}{
				"name": "IsExempt", "action": "aws:branch",
				"inputs": map[string]interface{}{
					"Choices": []interface{}{map[string]interface{}{"Variable": "{{ Exempt.Exempt }}", "BooleanEquals": true, "NextStep": exempt}},
					"Default": "CancelKeyDeletion",
				},
			},
			// maxAttempts: Automation retries a failed step only when told (throttling, mostly).
			map[string]interface{}{
				"name": "CancelKeyDeletion", "action": "aws:executeAwsApi", "onFailure": "Continue", "maxAttempts": apiAttempts,
				"inputs": map[string]interface{}{"Service": "kms", "Api": "CancelKeyDeletion", "KeyId": "{{ KeyId }}"},
			},
			// KMS is eventually consistent: wait for the state rather than read it once.
			map[string]interface{}{
				"name": "VerifyKeyIsNoLongerPendingDeletion", "action": "aws:waitForAwsResourceProperty", "isEnd": true,
				"timeoutSeconds": 120, "maxAttempts": apiAttempts,
				"inputs": map[string]interface{}{
					"Service": "kms", "Api": "DescribeKey", "KeyId": "{{ KeyId }}",
					"PropertySelector": "$.KeyMetadata.KeyState", "DesiredValues": []string{"Disabled", "Enabled"},
				},
			},
			last,
		},
	}
}

// validate checks p and returns the keys, the keys of each key-aware rule,
// and the key ARNs of each managed policy of the automation role.
func (p *AutoCancelDeletionProps) validate(c *propcheck.Checker, notify bool) (keys []keyRef, keyAwareChunks [][]keyRef, policyChunks [][]*string) {
	m := p.Mode
	switch {
	case m == nil:
		c.Addf("Mode", "no mode chosen; use kmsmonitor.AlarmDriven(alarm, keys, keyArns), KeyAwareListed(keys, keyArns), KeyAwareTagged(tagKey, tagValue) or KeyAwareAllKeys()")
	case !m.keyAware:
		keys = keyInput{keys: m.keys, keyArns: m.keyArns, prefix: "Mode.", why: "IAM and CloudTrail name a key by its ARN", perKey: "automation targets, event-pattern entries and IAM resources per key"}.resolve(c)
		if m.alarm == nil {
			c.Addf("Mode", "AlarmDriven has no alarm; pass the alarm whose ALARM state starts the cancellation, such as PendingDeletionAlarm.Alarm")
		} else if name := m.alarm.AlarmName(); name == nil || (!propcheck.Unresolved(*name) && strings.TrimSpace(*name) == "") {
			c.Addf("Mode", "the alarm has no name; EventBridge matches the alarm by name: pass an alarm of this app, or import one with awscloudwatch.Alarm_FromAlarmArn")
		} else {
			c.SameEnv("kmsmonitor:alarmEnvironment", "CloudWatch sends an alarm's state changes to the default event bus of the alarm's own account and Region, where the rule matching them must be",
				"create AutoCancelDeletion in a stack of the alarm's account and Region, next to the alarm",
				[]propcheck.Placed{{Prop: "Mode", What: "the alarm", Env: alarmEnv(m.alarm), SameAccount: true, SameRegion: true}})
		}
		if len(m.keys)+len(m.keyArns) == 0 {
			c.Addf("Mode.Keys", "no key to protect; the alarm does not say which key was used, so give the keys to AlarmDriven")
		}
	case m.tagKey != nil:
		switch {
		case *m.tagKey == "" || *m.tagValue == "":
			c.Addf("Mode", "KeyAwareTagged needs a tag key and a tag value, both not empty, such as KeyAwareTagged(\"kmsmonitor:auto-cancel\", \"true\")")
		case propcheck.Unresolved(*m.tagKey):
			// The key is part of an IAM condition key (aws:ResourceTag/<key>),
			// and CloudFormation cannot compute the keys of a JSON object.
			c.Addf("Mode.TagKey", "is a token; the tag key is part of the IAM condition key aws:ResourceTag/<tag key>, which must be known at synthesis: give a literal tag key (the tag value may be a token)")
		default:
			c.AWSName("Mode.TagKey", m.tagKey, propcheck.TagKey)
			c.AWSName("Mode.TagValue", m.tagValue, propcheck.TagValue)
		}
	case !m.allKeys:
		keys = keyInput{keys: m.keys, keyArns: m.keyArns, prefix: "Mode.", why: "IAM and CloudTrail name a key by its ARN", perKey: "automation targets, event-pattern entries and IAM resources per key"}.resolve(c)
		if len(m.keys)+len(m.keyArns) == 0 {
			c.Addf("Mode.Keys", "KeyAwareListed has no key; list the keys to rescue, or use KeyAwareAllKeys() or KeyAwareTagged(...)")
		}
	}
	if !notify && (p.Topic != nil || len(p.Emails) > 0) {
		c.Addf("NotifyTopic", "is false but Topic or Emails is set; remove them, or leave NotifyTopic unset")
	}
	alerting.CheckRuleDeliveryProps(c, p.Topic, p.DeadLetterQueue, p.Emails)
	rules := 0
	switch {
	case m == nil:
	case m.keyAware:
		keyAwareChunks = fitPatterns(c, "Mode.KeyArns", keys, func(k keyRef) keyRef { k.arn = worstKeyArn(k.arn); return k },
			func(k []keyRef) *awsevents.EventPattern { return cloudTrailPattern(keyAwareDetail(k)) })
		rules = len(keyAwareChunks)
	default:
		rules = (len(keys) + keysPerAlarmRule - 1) / keysPerAlarmRule
	}
	alerting.ReserveSenders(c, "DeadLetterQueue", p.DeadLetterQueue, rules, false)
	if len(keys) > 0 {
		policyChunks = automationPolicyChunks(arns(keys), m.keyAware)
		if len(policyChunks) > maxManagedPoliciesPerRole {
			c.Addf("Mode", "the %d keys need %d managed policies on the automation role (IAM: %d characters per managed policy), and a role takes %d (IAM's default quota); protect the keys by tag with KeyAwareTagged(tagKey, tagValue), or split them over several AutoCancelDeletion",
				len(keys), len(policyChunks), managedPolicyQuota, maxManagedPoliciesPerRole)
		}
	}
	return keys, keyAwareChunks, policyChunks
}

// IAM quotas: a managed policy document holds at most 6,144 characters
// (whitespace not counted), and a role takes at most 10 managed policies
// (IAM's default quota, adjustable to 20).
const (
	managedPolicyQuota        = 6144
	maxManagedPoliciesPerRole = 10
)

// automationPolicyChunks splits keyArns over the automation role's managed
// policies: the first also holds what the automation needs to run, so that
// its size, with every key ARN and name at its longest, stays within
// managedPolicyQuota.
func automationPolicyChunks(keyArns []*string, keyAware bool) [][]*string {
	// The longest a definition and an execution ARN can be: this
	// construct's document has a generated name of up to 128 characters;
	// alarm-driven mode starts the AWS runbook, with or without an account.
	prefix := "arn:aws-us-gov:ssm:ap-southeast-5:111122223333:"
	definitions := []string{prefix + "automation-definition/" + strings.Repeat("d", 128) + ":*"}
	if !keyAware {
		definitions = []string{
			prefix + "automation-definition/" + CancelKeyDeletionRunbook + ":*",
			"arn:aws-us-gov:ssm:ap-southeast-5::automation-definition/" + CancelKeyDeletionRunbook + ":*",
		}
	}
	others := []interface{}{
		map[string]interface{}{"Action": "ssm:StartAutomationExecution", "Effect": "Allow", "Resource": definitions, "Sid": "RunThisAutomation"},
		map[string]interface{}{"Action": "ssm:GetAutomationExecution", "Effect": "Allow", "Resource": prefix + "automation-execution/*", "Sid": "ReadItsExecutions"},
	}
	if keyAware {
		// The exemptions (exemptionStatements), with a break-glass list, a topic and its key, at their longest.
		others = append(others,
			map[string]interface{}{"Action": "cloudtrail:LookupEvents", "Effect": "Allow", "Resource": "*", "Sid": "FindWhoScheduledTheDeletion"},
			map[string]interface{}{"Action": "iam:GetRole", "Effect": "Allow", "Resource": "arn:aws-us-gov:iam::111122223333:role/*", "Sid": "ReadSchedulingRole"},
			map[string]interface{}{"Action": "sns:Publish", "Effect": "Allow", "Resource": "arn:aws-us-gov:sns:ap-southeast-5:111122223333:" + strings.Repeat("t", 256), "Sid": "ReportExemptDeletions"},
			map[string]interface{}{"Action": []string{"kms:Decrypt", "kms:GenerateDataKey*"}, "Condition": map[string]interface{}{"StringEquals": map[string]interface{}{"kms:ViaService": "sns.ap-southeast-5.amazonaws.com.cn"}},
				"Effect": "Allow", "Resource": strings.Repeat("k", longestKeyArn), "Sid": "EncryptReports"})
	}
	size := func(chunk []*string, first bool) int {
		statements := []interface{}{map[string]interface{}{
			"Action": keyActions(keyAware), "Effect": "Allow", "Resource": chunk, "Sid": "CancelDeletionOfProtectedKeys",
		}}
		if first {
			statements = append(statements, others...)
		}
		b, _ := json.Marshal(map[string]interface{}{"Version": "2012-10-17", "Statement": statements})
		return len(b)
	}
	chunks := [][]*string{nil}
	var worst []*string
	for _, arn := range keyArns {
		last := len(chunks) - 1
		if len(worst) > 0 && size(append(worst, worstKeyArn(arn)), last == 0) > managedPolicyQuota {
			chunks, worst, last = append(chunks, nil), nil, last+1
		}
		chunks[last] = append(chunks[last], arn)
		worst = append(worst, worstKeyArn(arn))
	}
	return chunks
}

// alarmEnv is where an alarm is: an alarm imported by ARN carries the
// stack's environment, so its ARN says it.
func alarmEnv(alarm awscloudwatch.IAlarm) propcheck.Env {
	if arn := alarm.AlarmArn(); arn != nil {
		if env := propcheck.EnvOfArn(*arn); env.Region != "" {
			return env
		}
	}
	return propcheck.EnvOf(alarm)
}

// keyActions are what the automation role may do on the protected keys:
// cancel and read them, and in key-aware mode read their tags (the
// exemption of AllowDeletionWithStack).
func keyActions(keyAware bool) []string {
	if keyAware {
		return []string{"kms:CancelKeyDeletion", "kms:DescribeKey", "kms:ListResourceTags"}
	}
	return []string{"kms:CancelKeyDeletion", "kms:DescribeKey"}
}

// exemptionStatements let key-aware mode's automation find who scheduled
// the deletion (cloudtrail:LookupEvents, which has no resource-level
// permissions), read a role's path (iam:GetRole, with break-glass
// principals), and report an exempt deletion to the topic.
func (a *AutoCancelDeletion) exemptionStatements(stack awscdk.Stack, breakGlass bool) []awsiam.PolicyStatement {
	out := []awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("FindWhoScheduledTheDeletion"), Actions: jsii.Strings("cloudtrail:LookupEvents"), Resources: jsii.Strings("*"),
	})}
	if breakGlass {
		out = append(out, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("ReadSchedulingRole"), Actions: jsii.Strings("iam:GetRole"),
			Resources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("iam"), Region: jsii.String(""), Resource: jsii.String("role"), ResourceName: jsii.String("*"),
			})},
		}))
	}
	if a.Topic != nil {
		out = append(out, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("ReportExemptDeletions"), Actions: jsii.Strings("sns:Publish"), Resources: &[]*string{a.Topic.TopicArn()},
		}))
		if key := a.Topic.MasterKey(); key != nil {
			// SNS encrypts the message with the topic's key on the publisher's behalf.
			out = append(out, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("EncryptReports"), Actions: jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
				Resources:  &[]*string{key.KeyArn()},
				Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"kms:ViaService": awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("sns."), stack.Region(), jsii.String("."), stack.UrlSuffix()})}},
			}))
		}
	}
	return out
}

// whoScheduledScript finds, with CloudTrail's LookupEvents (the last 31 days:
// a deletion waits 30 days at most), the newest successful
// ScheduleKeyDeletion of the key and returns who made it and from where. It
// looks up by event name, ScheduleKeyDeletion then CancelKeyDeletion (rare
// events, unlike the key's own name, under which every failed use of a key
// in use is recorded), and keeps those of this key (the records' resources).
// Empty when none is found, or when a CancelKeyDeletion of the key is newer
// than the newest schedule found (that schedule was cancelled, and the one
// pending now is not in the event history yet, which lags minutes): the
// deletion is then not exempt. Executed in the tests against botocore's model
// of the CloudTrail API (TestAutoCancelDeletion_KeyAwareDocumentScenarios).
const whoScheduledScript = `import json
from datetime import datetime, timedelta, timezone

import boto3
from botocore.config import Config

PAGES = 3


def newest(trail, name, key, now):
    """The newest successful call name on key in the event history: (time, record), or (None, None)."""
    request = {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": name}],
               "StartTime": now - timedelta(days=31), "EndTime": now, "MaxResults": 50}
    for _ in range(PAGES):
        page = trail.lookup_events(**request)
        for event in page.get("Events", []):  # newest first
            record = json.loads(event.get("CloudTrailEvent") or "{}")
            arns = [r.get("ARN") for r in record.get("resources") or []]
            arns += [r.get("ResourceName") for r in event.get("Resources") or []]
            if record.get("errorCode") or key not in arns:
                continue
            return event.get("EventTime"), record
        if not page.get("NextToken"):
            break
        request["NextToken"] = page["NextToken"]
    return None, None


def handler(events, context):
    key = events["KeyId"]
    trail = boto3.client("cloudtrail", config=Config(retries={"total_max_attempts": 4, "mode": "standard"}, connect_timeout=5, read_timeout=10))
    now = datetime.now(timezone.utc)
    when, record = newest(trail, "ScheduleKeyDeletion", key, now)
    if record is None:
        return {"scheduledBy": "", "sourceIp": ""}
    cancelled, _ = newest(trail, "CancelKeyDeletion", key, now)
    if cancelled is not None and when is not None and cancelled > when:
        return {"scheduledBy": "", "sourceIp": ""}
    return {"scheduledBy": (record.get("userIdentity") or {}).get("arn", ""), "sourceIp": record.get("sourceIPAddress", "")}
`
