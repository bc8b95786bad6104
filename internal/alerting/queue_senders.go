package alerting

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawsevents"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

// An SQS queue policy holds at most 20 statements, 10 conditions and 8,192
// bytes (Amazon SQS Developer Guide, "Amazon SQS policy quotas").
// aws-cdk-lib's targets add one statement per rule to a dead-letter queue;
// kmsmonitor writes one statement per queue instead, whose aws:SourceArn
// lists every rule, so the bytes are the only limit.
const (
	// QueuePolicyQuota is the size of an SQS queue policy, in bytes.
	QueuePolicyQuota = 8192
	// queuePolicyReserve is left for the queue's other statements: the
	// TLS-only deny of kmsmonitor's queues (about 230 bytes), or a short
	// statement of the user's own.
	queuePolicyReserve = 1024
)

// Longest deployed forms, in the partitions kmsmonitor supports: a queue ARN
// (80-character name), the ARN of a rule on the default bus (64-character
// name), and what a custom bus adds (its name, up to 256 characters, and a
// slash).
var (
	longestQueueArn = len("arn:aws-us-gov:sqs:ap-southeast-5:111122223333:") + 80
	longestRuleArn  = len("arn:aws-us-gov:events:ap-southeast-5:111122223333:rule/") + 64
	longestBusPart  = 256 + 1
)

// senders is the one statement of a queue's policy that lets kmsmonitor's
// rules send to it.
type senders struct {
	statement awsiam.PolicyStatement
	ruleIDs   map[string]bool
	arns      []*string
	// planned and reserved are the worst size in bytes and the number of
	// the rule ARNs reserved by ReserveSenders.
	planned, reserved int
}

var queueSenders = struct {
	sync.Mutex
	m map[awssqs.IQueue]*senders
}{m: map[awssqs.IQueue]*senders{}}

func sendersOf(queue awssqs.IQueue) *senders {
	s := queueSenders.m[queue]
	if s == nil {
		s = &senders{ruleIDs: map[string]bool{}}
		queueSenders.m[queue] = s
	}
	return s
}

// SendersStatementSize is the worst size in bytes of the statement that lets
// rules send to a queue, its rule ARNs taking ruleArnBytes in all.
func SendersStatementSize(ruleArnBytes, rules int) int {
	st := map[string]interface{}{
		"Action":    "sqs:SendMessage",
		"Condition": map[string]interface{}{"ArnEquals": map[string]interface{}{"aws:SourceArn": []string{}}},
		"Effect":    "Allow",
		"Principal": map[string]interface{}{"Service": "events.amazonaws.com"},
		"Resource":  strings.Repeat("q", longestQueueArn),
		"Sid":       "AllowEventRule" + strings.Repeat("x", 255),
	}
	b, _ := json.Marshal(st)
	// Each ARN is quoted, and separated from the next by a comma.
	return len(b) + ruleArnBytes + rules*3
}

// ReserveSenders checks, before a construct creates its rules, that rules
// more rules (onBus: on a custom event bus) can send to queue without its
// policy passing QueuePolicyQuota, counting the rules already reserved on a
// queue shared by several constructs; prop names the queue in c. A nil
// queue is one the construct creates: pass its own new queue's count with
// shared false.
func ReserveSenders(c *propcheck.Checker, prop string, queue awssqs.IQueue, rules int, onBus bool) {
	per := longestRuleArn
	if onBus {
		per += longestBusPart
	}
	queueSenders.Lock()
	defer queueSenders.Unlock()
	planned, count := rules*per, rules
	var s *senders
	if queue != nil {
		s = sendersOf(queue)
		planned += s.planned
		count += s.reserved
	}
	if size := SendersStatementSize(planned, count); size > QueuePolicyQuota-queuePolicyReserve {
		c.Addf(prop, "would be the dead-letter queue of %d more EventBridge rules, a queue policy of up to %d bytes with its other statements; an SQS queue policy holds at most %d bytes: give this construct a dead-letter queue of its own (leave DeadLetterQueue unset), or fewer keys per construct",
			rules, size+queuePolicyReserve, QueuePolicyQuota)
		return
	}
	if s != nil {
		s.planned, s.reserved = planned, count
	}
}

// MaxSendersPerQueue is the most rules on the default bus (onBus false) or
// on custom buses that ReserveSenders lets send to one queue.
func MaxSendersPerQueue(onBus bool) int {
	per := longestRuleArn
	if onBus {
		per += longestBusPart
	}
	n := 0
	for SendersStatementSize((n+1)*per, n+1) <= QueuePolicyQuota-queuePolicyReserve {
		n++
	}
	return n
}

// AllowRuleToSend lets rule send to queue: the first rule adds the
// statement aws-cdk-lib's targets add (the same Sid and condition, so the
// template of a queue with one rule is unchanged), later rules join its
// aws:SourceArn list. A queue whose policy the app cannot change is left
// alone (UseOrCreateDeadLetterQueue warns about it).
func AllowRuleToSend(queue awssqs.IQueue, rule interfacesawsevents.IRuleRef) {
	ruleArn := rule.RuleRef().RuleArn
	queueSenders.Lock()
	defer queueSenders.Unlock()
	s := sendersOf(queue)
	id := *awscdk.Names_NodeUniqueId(rule.Node())
	if s.ruleIDs[id] {
		return
	}
	s.ruleIDs[id] = true
	s.arns = append(s.arns, ruleArn)
	if s.statement == nil {
		s.statement = awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AllowEventRule" + id),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
			Actions:    jsii.Strings("sqs:SendMessage"),
			Resources:  &[]*string{queue.QueueArn()},
			Conditions: &map[string]interface{}{"ArnEquals": map[string]interface{}{"aws:SourceArn": ruleArn}},
		})
		queue.AddToResourcePolicy(s.statement)
		return
	}
	arns := append([]*string(nil), s.arns...)
	// AddCondition replaces the value of aws:SourceArn with the whole list.
	s.statement.AddCondition(jsii.String("ArnEquals"), map[string]interface{}{"aws:SourceArn": arns})
}

// WithDeadLetterQueue is target keeping the events it could not receive in
// dlq, the one way kmsmonitor gives a target a dead-letter queue: target
// must be made without one (aws-cdk-lib's targets would add a statement per
// rule to the queue's policy).
func WithDeadLetterQueue(target awsevents.IRuleTarget, dlq awssqs.IQueue) awsevents.IRuleTarget {
	return &deadLetterTarget{target: target, dlq: dlq}
}

type deadLetterTarget struct {
	target awsevents.IRuleTarget
	dlq    awssqs.IQueue
}

// Bind implements awsevents.IRuleTarget.
func (t *deadLetterTarget) Bind(rule interfacesawsevents.IRuleRef, id *string) *awsevents.RuleTargetConfig {
	cfg := t.target.Bind(rule, id)
	if cfg.DeadLetterConfig != nil {
		panic(fmt.Sprintf("kmsmonitor: WithDeadLetterQueue was given a target with a dead-letter queue of its own (%T)", t.target))
	}
	cfg.DeadLetterConfig = &awsevents.CfnRule_DeadLetterConfigProperty{Arn: t.dlq.QueueArn()}
	AllowRuleToSend(t.dlq, rule)
	return cfg
}
