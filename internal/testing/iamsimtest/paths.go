package iamsimtest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Paths returns every delivery path that the resolved template t sets up,
// as cases with their expectation, found from resource types alone.
func Paths(t *Template) []Case {
	p := &extractor{t: t, e: t.Env}
	for _, a := range t.Sorted("AWS::CloudWatch::Alarm") {
		p.alarm(a)
	}
	for _, a := range t.Sorted("AWS::CloudWatch::LogAlarm") {
		p.alarm(a)
		p.logAlarm(a)
	}
	for _, r := range t.Sorted("AWS::Events::Rule") {
		p.rule(r)
	}
	for _, tr := range t.Sorted("AWS::CloudTrail::Trail") {
		p.trail(tr)
	}
	for _, pipe := range t.Sorted("AWS::Pipes::Pipe") {
		p.pipe(pipe)
	}
	for _, fn := range t.Sorted("AWS::Lambda::Function") {
		p.function(fn)
	}
	p.busPolicies()
	p.foreignAccounts()
	p.withoutTLS()
	return p.dedupe()
}

type extractor struct {
	t     *Template
	e     Env
	cases []Case
}

func (p *extractor) add(c Case) { p.cases = append(p.cases, c) }

func (p *extractor) arn(service, rest string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", p.e.Partition, service, p.e.Region, p.e.Account, rest)
}

func (p *extractor) principal(service string) string {
	return ServicePrincipal(service, p.e.Region, p.e.Partition)
}

// alarm: CloudWatch publishes to each SNS topic among the alarm's actions.
func (p *extractor) alarm(a *Resource) {
	for _, prop := range []string{"AlarmActions", "OKActions", "InsufficientDataActions"} {
		for _, action := range stringsOf(a.Props[prop]) {
			topic := p.t.ByRefOrArn("AWS::SNS::Topic", action)
			if topic == nil {
				continue // not a topic of this template: its policy is unknown
			}
			ctx := sourceContext(a.Arn, p.e.Account)
			p.add(Case{Kind: "alarm → topic", Principal: p.principal("cloudwatch"), Action: "sns:Publish",
				Resource: topic.Ref, Context: ctx, ResourcePolicy: p.topicPolicy(topic), Want: Allowed,
				Note: "alarm " + a.ID + " " + prop})
			p.keyUse("alarm → topic key", topic, p.principal("cloudwatch"), topicKeyActions,
				cloudWatchToKeyContext(a.Arn, p.e.Account), nil)
		}
	}
}

// logAlarm: CloudWatch Logs assumes the scheduled-query role, which may
// query the alarm's log groups (CloudWatch User Guide, "Create a log alarm":
// logs:StartQuery, StopQuery, GetQueryResults, DescribeLogGroups) and no
// other; CloudWatch assumes the log-lines role, which may read the query's
// results (logs:GetQueryResults) there only. The alarm's notifications are
// alarm() cases.
func (p *extractor) logAlarm(a *Resource) {
	note := "log alarm " + a.ID
	cfg, _ := a.Props["ScheduledQueryConfiguration"].(map[string]any)
	var groups []string
	for _, id := range stringsOf(cfg["LogGroupIdentifiers"]) {
		// The log group as IAM names it for StartQuery (log-group:NAME, without CloudWatch Logs' ":*").
		if g := p.t.ByRefOrArn("AWS::Logs::LogGroup", id); g != nil {
			groups = append(groups, strings.TrimSuffix(g.Arn, ":*"))
		} else if strings.HasPrefix(id, "arn:") {
			groups = append(groups, strings.TrimSuffix(id, ":*"))
		} else {
			groups = append(groups, p.arn("logs", "log-group:"+id))
		}
	}
	tls := map[string]any{"aws:SecureTransport": "true"}
	for _, r := range []struct {
		prop, service string
		scoped        []string // on the log group (IAM's log-group:NAME)
		unscoped      []string // no resource type: on "*"
	}{
		{"ScheduledQueryRoleARN", "logs-scheduled-query", []string{"logs:StartQuery", "logs:GetQueryResults"}, []string{"logs:StopQuery", "logs:DescribeLogGroups"}},
		{"ActionLogLineRoleArn", "cloudwatch", []string{"logs:GetQueryResults"}, nil},
	} {
		ref, _ := a.Props[r.prop].(string)
		if ref == "" {
			ref, _ = cfg[r.prop].(string)
		}
		role := p.t.ByRefOrArn("AWS::IAM::Role", ref)
		if role == nil {
			continue // a role outside the template: its policies are unknown
		}
		p.add(Case{Kind: "log alarm: " + r.service + " assumes its role", Principal: p.principal(r.service), Action: "sts:AssumeRole",
			Resource: role.Arn, Context: sourceContext(a.Arn, p.e.Account), ResourcePolicy: role.Props["AssumeRolePolicyDocument"], Want: Allowed, Note: note})
		identity := p.identityPolicies(role)
		for _, group := range groups {
			for _, action := range r.scoped {
				p.add(Case{Kind: "log alarm role → its log group", Principal: role.Arn, Action: action, Resource: group, Context: tls,
					Identity: identity, Want: Allowed, Note: note + " " + r.prop})
			}
		}
		for _, action := range r.unscoped {
			p.add(Case{Kind: "log alarm role → action without resource type", Principal: role.Arn, Action: action, Resource: "*",
				ResourceAccount: p.e.Account, Context: tls, Identity: identity, Want: Allowed, Note: note + " " + r.prop})
		}
		p.add(Case{Kind: "log alarm role → unrelated log group", Principal: role.Arn, Action: r.scoped[0],
			Resource: p.arn("logs", "log-group:kmsmonitor-unrelated-group"), Context: tls, Identity: identity, Want: Refused, Note: note + " " + r.prop})
	}
}

// keyUse adds the cases of principal using the key that encrypts res.
func (p *extractor) keyUse(kind string, res *Resource, principal string, actions []string, ctx map[string]any, ec map[string]string) {
	var keyRef any
	for _, prop := range []string{"KmsMasterKeyId", "KMSKeyId", "KmsKeyId"} {
		if v, ok := res.Props[prop]; ok {
			keyRef = v
		}
	}
	ref, _ := keyRef.(string)
	key := p.key(ref)
	if key == nil {
		return // unencrypted, or a key outside the template (AWS managed or imported)
	}
	for _, action := range actions {
		p.add(Case{Kind: kind, Principal: principal, Action: action, Resource: key.Arn, Context: ctx,
			EncryptionContext: ec, ResourcePolicy: key.Props["KeyPolicy"], Want: Allowed, Note: "key " + key.ID + " of " + res.ID})
	}
}

// key finds the AWS::KMS::Key that ref (an ARN or a key ID) names.
func (p *extractor) key(ref string) *Resource {
	return p.t.ByRefOrArn("AWS::KMS::Key", ref)
}

// topicPolicy is the access policy of topic: the AWS::SNS::TopicPolicy
// resources that cover it, or SNS's default policy, which lets only the
// topic owner's account publish.
func (p *extractor) topicPolicy(topic *Resource) any {
	if doc := p.policyOf("AWS::SNS::TopicPolicy", "Topics", topic.Ref); doc != nil {
		return doc
	}
	// SNS developer guide, "Example cases for Amazon SNS access control": the
	// default policy grants the owner's account (condition AWS:SourceOwner).
	return p.ownerOnly(topic.Ref, "sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes")
}

// queuePolicy is the access policy of queue, or SQS's default: owner only.
func (p *extractor) queuePolicy(queue *Resource) any {
	if doc := p.policyOf("AWS::SQS::QueuePolicy", "Queues", queue.Ref); doc != nil {
		return doc
	}
	return p.ownerOnly(queue.Arn, "sqs:SendMessage")
}

func (p *extractor) ownerOnly(resource string, actions ...string) any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"AWS": fmt.Sprintf("arn:%s:iam::%s:root", p.e.Partition, p.e.Account)},
		"Action": toAny(actions), "Resource": resource,
	}}}
}

// policyOf merges the PolicyDocument of the resources of type typ whose list
// property listProp holds ref.
func (p *extractor) policyOf(typ, listProp, ref string) any {
	var statements []any
	for _, r := range p.t.Sorted(typ) {
		if contains(stringsOf(r.Props[listProp]), ref) {
			for _, s := range statementsOf(r.Props["PolicyDocument"]) {
				statements = append(statements, s)
			}
		}
	}
	if statements == nil {
		return nil
	}
	return map[string]any{"Version": "2012-10-17", "Statement": statements}
}

// rule: EventBridge delivers to each target, and to its dead-letter queue.
func (p *extractor) rule(r *Resource) {
	targets, _ := r.Props["Targets"].([]any)
	for i, raw := range targets {
		tg, _ := raw.(map[string]any)
		arn, _ := tg["Arn"].(string)
		note := fmt.Sprintf("rule %s target %d", r.ID, i)
		ctx := sourceContext(r.Arn, p.e.Account)
		if role, _ := tg["RoleArn"].(string); role != "" {
			p.roleTarget(r, tg, arn, role, note)
		} else if topic := p.t.ByRefOrArn("AWS::SNS::Topic", arn); topic != nil {
			p.add(Case{Kind: "rule → topic", Principal: p.principal("events"), Action: "sns:Publish", Resource: topic.Ref,
				Context: eventBridgeToTopicContext(), ResourcePolicy: p.topicPolicy(topic), Want: Allowed, Note: note})
			p.keyUse("rule → topic key", topic, p.principal("events"), topicKeyActions, eventBridgeToKeyContext(), nil)
		} else if queue := p.t.ByRefOrArn("AWS::SQS::Queue", arn); queue != nil {
			p.add(Case{Kind: "rule → queue", Principal: p.principal("events"), Action: "sqs:SendMessage", Resource: queue.Arn,
				Context: ctx, ResourcePolicy: p.queuePolicy(queue), Want: Allowed, Note: note})
			p.keyUse("rule → queue key", queue, p.principal("events"), queueKeyActions, eventBridgeToKeyContext(), nil)
		} else if fn := p.t.ByRefOrArn("AWS::Lambda::Function", arn); fn != nil {
			p.add(Case{Kind: "rule → function", Principal: p.principal("events"), Action: "lambda:InvokeFunction", Resource: fn.Arn,
				Context: ctx, ResourcePolicy: p.lambdaPolicy(fn), Want: Allowed, Note: note})
		}
		if dlc, ok := tg["DeadLetterConfig"].(map[string]any); ok {
			dlqArn, _ := dlc["Arn"].(string)
			if dlq := p.t.ByRefOrArn("AWS::SQS::Queue", dlqArn); dlq != nil {
				p.add(Case{Kind: "rule → dead-letter queue", Principal: p.principal("events"), Action: "sqs:SendMessage",
					Resource: dlq.Arn, Context: ctx, ResourcePolicy: p.queuePolicy(dlq), Want: Allowed, Note: note})
				p.keyUse("rule → dead-letter queue key", dlq, p.principal("events"), queueKeyActions, eventBridgeToKeyContext(), nil)
			}
		}
	}
}

// pipe: EventBridge Pipes assumes the pipe's role, which reads the source
// queue and publishes to the target topic (SNS encrypting with the topic's
// key on its behalf: kms:ViaService), and nothing else of the kind.
func (p *extractor) pipe(r *Resource) {
	note := "pipe " + r.ID
	roleArn, _ := r.Props["RoleArn"].(string)
	role, identity := p.serviceRole("pipe", "pipes", roleArn, r.Arn, note)
	if role == nil {
		return // a role outside the template: its policies are unknown
	}
	tls := map[string]any{"aws:SecureTransport": "true"}
	source, _ := r.Props["Source"].(string)
	if queue := p.t.ByRefOrArn("AWS::SQS::Queue", source); queue != nil {
		// EventBridge Pipes User Guide, "Amazon SQS queue as a source": the role's permissions.
		for _, action := range []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"} {
			p.add(Case{Kind: "pipe role → source queue", Principal: role.Arn, Action: action, Resource: queue.Arn, Context: tls,
				Identity: identity, ResourcePolicy: p.queuePolicy(queue), Want: Allowed, Note: note})
		}
		p.add(Case{Kind: "pipe role → unrelated queue", Principal: role.Arn, Action: "sqs:ReceiveMessage",
			Resource: p.arn("sqs", "kmsmonitor-unrelated-queue"), Context: tls, Identity: identity, Want: Refused, Note: note})
		// What the queue holds, the pipe delivers (a message, an automation start): only rules may send to it,
		// not a principal of the account whose own policies allow sqs:SendMessage.
		other, otherIdentity := p.otherPrincipal("sqs:SendMessage")
		p.add(Case{Kind: "other principal of the account → queue a pipe reads", Principal: other, Action: "sqs:SendMessage", Resource: queue.Arn,
			Context: tls, Identity: otherIdentity, ResourcePolicy: p.queuePolicy(queue), Want: Refused, Note: note})
	}
	target, _ := r.Props["Target"].(string)
	if topic := p.t.ByRefOrArn("AWS::SNS::Topic", target); topic != nil {
		p.publishes("pipe role", role, identity, topic, note)
		p.add(Case{Kind: "pipe role → unrelated topic", Principal: role.Arn, Action: "sns:Publish",
			Resource: p.arn("sns", "kmsmonitor-unrelated-topic"), Context: tls, Identity: identity, Want: Refused, Note: note})
	}
	if bus := p.t.ByRefOrArn("AWS::Events::EventBus", target); bus != nil {
		// A bus fed by a pipe starts what its rules start: the pipe's role
		// puts events on it, and no other principal of the account may,
		// whatever its own policies allow.
		// aws:PrincipalArn, which a request of a role's session always has (its role's ARN), given as iam-simulate needs it.
		policy := p.busPolicy(bus.Ref)
		p.add(Case{Kind: "pipe role → event bus", Principal: role.Arn, Action: "events:PutEvents", Resource: bus.Arn,
			Context:  map[string]any{"aws:SecureTransport": "true", "aws:PrincipalArn": role.Arn},
			Identity: identity, ResourcePolicy: policy, Want: Allowed, Note: note})
		p.add(Case{Kind: "pipe role → unrelated event bus", Principal: role.Arn, Action: "events:PutEvents",
			Resource: p.arn("events", "event-bus/kmsmonitor-unrelated"), Context: tls, Identity: identity, Want: Refused, Note: note})
		other, otherIdentity := p.otherPrincipal("events:PutEvents")
		p.add(Case{Kind: "other principal of the account → event bus fed by a pipe", Principal: other, Action: "events:PutEvents", Resource: bus.Arn,
			Context:  map[string]any{"aws:SecureTransport": "true", "aws:PrincipalArn": other},
			Identity: otherIdentity, ResourcePolicy: policy, Want: Refused, Note: note})
	}
}

// otherPrincipal is a role of the template's account whose own policy allows
// action on every resource: what only a resource policy can refuse.
func (p *extractor) otherPrincipal(action string) (string, []Policy) {
	return fmt.Sprintf("arn:%s:iam::%s:role/kmsmonitor-other", p.e.Partition, p.e.Account),
		[]Policy{{Name: "other", Policy: map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Effect": "Allow", "Action": action, "Resource": "*"}}}}}
}

// serviceRole returns the role of the template that roleArn names (nil when
// it is outside the template) and its identity policies, with the case of
// service (who: "pipe", "function") assuming it on behalf of sourceArn.
func (p *extractor) serviceRole(who, service, roleArn, sourceArn, note string) (*Resource, []Policy) {
	role := p.t.ByRefOrArn("AWS::IAM::Role", roleArn)
	if role == nil {
		return nil, nil
	}
	p.add(Case{Kind: who + " assumes its role", Principal: p.principal(service), Action: "sts:AssumeRole", Resource: role.Arn,
		Context: sourceContext(sourceArn, p.e.Account), ResourcePolicy: role.Props["AssumeRolePolicyDocument"], Want: Allowed, Note: note})
	return role, p.identityPolicies(role)
}

// busPolicy is the resource policy of the bus named name (its
// AWS::Events::EventBusPolicy statements and its own Policy); nil if none.
func (p *extractor) busPolicy(name string) any {
	var statements []any
	for _, bp := range p.t.Sorted("AWS::Events::EventBusPolicy") {
		if bus, _ := bp.Props["EventBusName"].(string); bus == name {
			if st, ok := bp.Props["Statement"].(map[string]any); ok {
				statements = append(statements, st)
			}
		}
	}
	for _, b := range p.t.Sorted("AWS::Events::EventBus") {
		if b.Ref == name {
			for _, st := range statementsOf(b.Props["Policy"]) {
				statements = append(statements, st)
			}
		}
	}
	if len(statements) == 0 {
		return nil
	}
	return map[string]any{"Version": "2012-10-17", "Statement": statements}
}

// function: SNS invokes the function from each topic subscribed to it (and
// not from another topic); Lambda assumes its role, which writes to its log
// group, sends to its dead-letter queue and publishes to each topic its
// environment names (and to no other).
func (p *extractor) function(fn *Resource) {
	note := "function " + fn.ID
	for _, sub := range p.t.Sorted("AWS::SNS::Subscription") {
		endpoint, _ := sub.Props["Endpoint"].(string)
		topicArn, _ := sub.Props["TopicArn"].(string)
		if sub.Props["Protocol"] != "lambda" || endpoint != fn.Arn {
			continue
		}
		p.add(Case{Kind: "topic → function", Principal: p.principal("sns"), Action: "lambda:InvokeFunction", Resource: fn.Arn,
			Context: sourceContext(topicArn, p.e.Account), ResourcePolicy: p.lambdaPolicy(fn), Want: Allowed, Note: note})
		p.add(Case{Kind: "unrelated topic → function", Principal: p.principal("sns"), Action: "lambda:InvokeFunction", Resource: fn.Arn,
			Context: sourceContext(p.arn("sns", "kmsmonitor-unrelated-topic"), p.e.Account), ResourcePolicy: p.lambdaPolicy(fn), Want: Refused, Note: note})
	}
	roleArn, _ := fn.Props["Role"].(string)
	role, identity := p.serviceRole("function", "lambda", roleArn, fn.Arn, note)
	if role == nil {
		return // a role outside the template: its policies are unknown
	}
	tls := map[string]any{"aws:SecureTransport": "true"}
	logging, _ := fn.Props["LoggingConfig"].(map[string]any)
	groupName, _ := logging["LogGroup"].(string)
	if group := p.t.ByRefOrArn("AWS::Logs::LogGroup", groupName); group != nil {
		stream := p.arn("logs", "log-group:"+group.Ref+":log-stream:2026/12/06/[$LATEST]0123456789abcdef")
		for _, action := range []string{"logs:CreateLogStream", "logs:PutLogEvents"} {
			p.add(Case{Kind: "function role → log group", Principal: role.Arn, Action: action, Resource: stream,
				Context: tls, Identity: identity, Want: Allowed, Note: note})
		}
		p.add(Case{Kind: "function role → unrelated log group", Principal: role.Arn, Action: "logs:PutLogEvents",
			Resource: p.arn("logs", "log-group:kmsmonitor-unrelated:log-stream:s"), Context: tls, Identity: identity, Want: Refused, Note: note})
	}
	dlc, _ := fn.Props["DeadLetterConfig"].(map[string]any)
	dlqArn, _ := dlc["TargetArn"].(string)
	if dlq := p.t.ByRefOrArn("AWS::SQS::Queue", dlqArn); dlq != nil {
		p.add(Case{Kind: "function role → dead-letter queue", Principal: role.Arn, Action: "sqs:SendMessage", Resource: dlq.Arn,
			Context: tls, Identity: identity, ResourcePolicy: p.queuePolicy(dlq), Want: Allowed, Note: note})
	}
	env, _ := fn.Props["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	for _, name := range sortedKeys(vars) {
		v, _ := vars[name].(string)
		if topic := p.t.ByRefOrArn("AWS::SNS::Topic", v); topic != nil {
			p.publishes("function role", role, identity, topic, note)
			p.add(Case{Kind: "function role → unrelated topic", Principal: role.Arn, Action: "sns:Publish",
				Resource: p.arn("sns", "kmsmonitor-unrelated-topic"), Context: tls, Identity: identity, Want: Refused, Note: note})
		}
	}
}

// publishes adds the cases of a role (who: "pipe role", "automation role")
// publishing to topic: sns:Publish with its identity policies and the topic
// policy, and the topic's key used by SNS on its behalf (kms:ViaService).
func (p *extractor) publishes(who string, role *Resource, identity []Policy, topic *Resource, note string) {
	p.add(Case{Kind: who + " → topic", Principal: role.Arn, Action: "sns:Publish", Resource: topic.Ref,
		Context: map[string]any{"aws:SecureTransport": "true"}, Identity: identity, ResourcePolicy: p.topicPolicy(topic), Want: Allowed, Note: note})
	ref, _ := topic.Props["KmsMasterKeyId"].(string)
	if key := p.key(ref); key != nil {
		for _, action := range topicKeyActions {
			p.add(Case{Kind: who + " → topic key via SNS", Principal: role.Arn, Action: action, Resource: key.Arn,
				Context:  map[string]any{"kms:ViaService": "sns." + p.e.Region + "." + p.e.URLSuffix(), "aws:SecureTransport": "true"},
				Identity: identity, ResourcePolicy: key.Props["KeyPolicy"], Want: Allowed, Note: note})
		}
	}
}

// lambdaPolicy builds a function's resource policy from its AWS::Lambda::Permission resources.
func (p *extractor) lambdaPolicy(fn *Resource) any {
	var statements []any
	for _, perm := range p.t.Sorted("AWS::Lambda::Permission") {
		name, _ := perm.Props["FunctionName"].(string)
		if name != fn.Ref && name != fn.Arn {
			continue
		}
		principal, _ := perm.Props["Principal"].(string)
		var who any = map[string]any{"AWS": principal}
		switch {
		case strings.Contains(principal, ".amazonaws.com"):
			who = map[string]any{"Service": principal}
		case regexp.MustCompile(`^\d{12}$`).MatchString(principal):
			who = map[string]any{"AWS": fmt.Sprintf("arn:%s:iam::%s:root", p.e.Partition, principal)}
		}
		st := map[string]any{"Effect": "Allow", "Principal": who, "Action": perm.Props["Action"], "Resource": fn.Arn}
		cond := map[string]any{}
		if v, ok := perm.Props["SourceArn"]; ok {
			cond["ArnLike"] = map[string]any{"aws:SourceArn": v}
		}
		if v, ok := perm.Props["SourceAccount"]; ok {
			cond["StringEquals"] = map[string]any{"aws:SourceAccount": v}
		}
		if len(cond) > 0 {
			st["Condition"] = cond
		}
		statements = append(statements, st)
	}
	if statements == nil {
		return map[string]any{"Version": "2012-10-17", "Statement": []any{}}
	}
	return map[string]any{"Version": "2012-10-17", "Statement": statements}
}

// roleTarget: EventBridge assumes the target's role, which calls the target.
func (p *extractor) roleTarget(rule *Resource, tg map[string]any, arn, roleArn, note string) {
	role := p.t.ByRefOrArn("AWS::IAM::Role", roleArn)
	if role == nil {
		return // a role outside the template: its policies are unknown
	}
	p.add(Case{Kind: "rule assumes target role", Principal: p.principal("events"), Action: "sts:AssumeRole",
		Resource: role.Arn, Context: sourceContext(rule.Arn, p.e.Account), ResourcePolicy: role.Props["AssumeRolePolicyDocument"],
		Want: Allowed, Note: note})
	identity := p.identityPolicies(role)
	do := func(kind, action, resource string, ctx map[string]any, want Result, why string) {
		if ctx == nil {
			ctx = map[string]any{"aws:SecureTransport": "true"}
		}
		p.add(Case{Kind: kind, Principal: role.Arn, Action: action, Resource: resource, Context: ctx,
			Identity: identity, Want: want, Note: strings.TrimSpace(note + " " + why)})
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return
	}
	// Unrelated resources of the same service, Region and account (the
	// environment's account when the target's ARN has none, as AWS-owned runbooks).
	account := parts[4]
	if account == "" {
		account = p.e.Account
	}
	unrelated := strings.Join(append(parts[:4:4], account), ":") + ":"
	switch service, res := parts[2], parts[5]; {
	case service == "events" && strings.HasPrefix(res, "event-bus/"):
		do("rule role → event bus", "events:PutEvents", arn, nil, Allowed, "")
		do("rule role → unrelated event bus", "events:PutEvents", unrelated+"event-bus/kmsmonitor-unrelated-bus", nil, Refused, "")
	case service == "kinesis":
		do("rule role → stream", "kinesis:PutRecord", arn, nil, Allowed, "")
		do("rule role → unrelated stream", "kinesis:PutRecord", unrelated+"stream/kmsmonitor-unrelated-stream", nil, Refused, "")
	case service == "ssm" && strings.HasPrefix(res, "automation-definition/"):
		do("rule role → automation", "ssm:StartAutomationExecution", arn, nil, Allowed, "")
		do("rule role → unrelated automation", "ssm:StartAutomationExecution",
			unrelated+"automation-definition/kmsmonitor-unrelated-document:$DEFAULT", nil, Refused, "")
		input := targetInput(tg)
		if m := assumeRoleIn.FindStringSubmatch(input); m != nil {
			passed := map[string]any{"aws:SecureTransport": "true", "iam:PassedToService": "ssm.amazonaws.com"}
			do("rule role passes automation role", "iam:PassRole", m[1], passed, Allowed, "")
			other := map[string]any{"aws:SecureTransport": "true", "iam:PassedToService": "lambda.amazonaws.com"}
			do("rule role passes automation role to another service", "iam:PassRole", m[1], other, Refused, "")
			if auto := p.t.ByRefOrArn("AWS::IAM::Role", m[1]); auto != nil {
				p.automation(rule, auto, res, input)
			}
		}
	}
}

var (
	assumeRoleIn = regexp.MustCompile(`"AutomationAssumeRole"\s*:\s*\[?\s*"([^"]+)"`)
	topicArnIn   = regexp.MustCompile(`"TopicArn"\s*:\s*\[?\s*"([^"]+)"`)
	keyIDIn      = regexp.MustCompile(`"KeyId"\s*:\s*\[?([^\]}]*)`)
	kmsKeyArn    = regexp.MustCompile(`arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+`)
	literalValue = regexp.MustCompile(`"([^"]+)"`)
)

// targetInput is the target's Input, or its InputTransformer's template.
func targetInput(tg map[string]any) string {
	if s, ok := tg["Input"].(string); ok {
		return s
	}
	if it, ok := tg["InputTransformer"].(map[string]any); ok {
		s, _ := it["InputTemplate"].(string)
		return s
	}
	return ""
}

// automation: SSM assumes the automation role, which may act on the
// protected keys (and only them) as the document's steps do. The protected
// keys belong to the user, whose key policies are unknown: only the
// identity side is evaluated, with the key policy every key starts with
// (the account may grant with IAM policies), so a refusal here is the
// automation role's own.
func (p *extractor) automation(rule, role *Resource, definition, input string) {
	note := "rule " + rule.ID
	p.add(Case{Kind: "SSM assumes automation role", Principal: p.principal("ssm"), Action: "sts:AssumeRole", Resource: role.Arn,
		Context:        sourceContext(p.arn("ssm", "automation-execution/"+fakeUUID(role.ID)), p.e.Account),
		ResourcePolicy: role.Props["AssumeRolePolicyDocument"], Want: Allowed, Note: note})
	actions := p.documentActions(definition)
	identity := p.identityPolicies(role)
	// A document that notifies publishes, as the automation role, to the topic the rule passes
	// (SNS encrypts with the topic's key on the publisher's behalf: kms:ViaService).
	if m := topicArnIn.FindStringSubmatch(input); m != nil {
		if topic := p.t.ByRefOrArn("AWS::SNS::Topic", m[1]); topic != nil {
			p.publishes("automation role", role, identity, topic, note)
		}
	}
	keyCase := func(kind, key string, tags map[string]any, want Result) {
		ctx := map[string]any{"aws:SecureTransport": "true"}
		for k, v := range tags {
			ctx[k] = v
		}
		for _, action := range actions {
			p.add(Case{Kind: kind, Principal: role.Arn, Action: action, Resource: key, Context: ctx, Identity: identity,
				ResourcePolicy: defaultKeyPolicy(accountOf(key), strings.SplitN(key, ":", 3)[1]), Want: want, Note: note})
		}
	}
	otherRegion := "eu-west-1"
	if p.e.Region == otherRegion || p.e.Partition != "aws" {
		otherRegion = map[string]string{"aws": "us-east-1", "aws-cn": "cn-northwest-1", "aws-us-gov": "us-gov-east-1"}[p.e.Partition]
	}
	keyArn := func(region, account, id string) string {
		return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", p.e.Partition, region, account, id)
	}
	m := keyIDIn.FindStringSubmatch(input)
	var listed []string
	if m != nil {
		for _, v := range literalValue.FindAllStringSubmatch(m[1], -1) {
			listed = append(listed, v[1])
		}
	}
	if len(listed) == 0 { // the key comes from the event: the rule's pattern scopes it (or the patterns of the rules upstream)
		pattern, _ := json.Marshal(append([]any{rule.Props["EventPattern"]}, p.upstreamPatterns(rule)...))
		listed = kmsKeyArn.FindAllString(string(pattern), -1)
		if len(listed) == 0 {
			// Any key of the account and Region, or those with a tag: the
			// key under test carries the tags the role's policies ask for
			// (aws:ResourceTag), as the user is told to tag protected keys.
			tags := resourceTags(identity)
			key := keyArn(p.e.Region, p.e.Account, fakeUUID("protected"))
			keyCase("automation role → protected key", key, tags, Allowed)
			if len(tags) > 0 {
				keyCase("automation role → key without the tag", key, nil, Refused)
			}
			keyCase("automation role → key of another Region", keyArn(otherRegion, p.e.Account, fakeUUID("protected")), tags, Refused)
			keyCase("automation role → key of another account", keyArn(p.e.Region, foreignAccount, fakeUUID("protected")), tags, Refused)
			return
		}
	}
	for _, k := range listed {
		if !strings.HasPrefix(k, "arn:") {
			k = keyArn(p.e.Region, p.e.Account, k) // a key ID names a key of the account and Region the automation runs in
		}
		keyCase("automation role → protected key", k, nil, Allowed)
		parts := strings.SplitN(k, ":", 6)
		keyCase("automation role → key of another account", keyArn(parts[3], foreignAccount, strings.TrimPrefix(parts[5], "key/")), nil, Refused)
	}
	keyCase("automation role → unrelated key", keyArn(p.e.Region, p.e.Account, fakeUUID("unrelated")), nil, Refused)
}

// upstreamPatterns returns the event patterns of the rules whose events
// reach rule's event bus through a pipe: rules sending to a queue that a
// pipe reads and delivers to that bus (kmsmonitor's bounded starts).
func (p *extractor) upstreamPatterns(rule *Resource) []any {
	busName, _ := rule.Props["EventBusName"].(string)
	bus := p.t.ByRefOrArn("AWS::Events::EventBus", busName)
	if bus == nil {
		return nil
	}
	var patterns []any
	for _, pipe := range p.t.Sorted("AWS::Pipes::Pipe") {
		target, _ := pipe.Props["Target"].(string)
		source, _ := pipe.Props["Source"].(string)
		if target != bus.Arn {
			continue
		}
		for _, r := range p.t.Sorted("AWS::Events::Rule") {
			targets, _ := r.Props["Targets"].([]any)
			for _, raw := range targets {
				if tg, _ := raw.(map[string]any); tg["Arn"] == source {
					patterns = append(patterns, r.Props["EventPattern"])
				}
			}
		}
	}
	return patterns
}

// defaultKeyPolicy is the key policy a key gets by default: the account
// manages it with IAM policies (KMS developer guide, "Default key policy").
func defaultKeyPolicy(account, partition string) any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"AWS": fmt.Sprintf("arn:%s:iam::%s:root", partition, account)},
		"Action": "kms:*", "Resource": "*",
	}}}
}

// resourceTags returns the aws:ResourceTag/* values the policies' conditions ask for.
func resourceTags(policies []Policy) map[string]any {
	tags := map[string]any{}
	for _, pol := range policies {
		for _, s := range statementsOf(pol.Policy) {
			cond, _ := s["Condition"].(map[string]any)
			eq, _ := cond["StringEquals"].(map[string]any)
			for k, v := range eq {
				if strings.HasPrefix(k, "aws:ResourceTag/") {
					tags[k] = v
				}
			}
		}
	}
	return tags
}

// documentActions returns the API calls of the automation's steps. For a
// runbook outside the template (AWS-owned) the content is unknown offline:
// only kms:CancelKeyDeletion, the call it is named after, is checked.
func (p *extractor) documentActions(definition string) []string {
	name := strings.TrimPrefix(definition, "automation-definition/")
	if i := strings.LastIndex(name, ":"); i >= 0 {
		name = name[:i]
	}
	doc := p.t.ByRefOrArn("AWS::SSM::Document", name)
	if doc == nil {
		return []string{"kms:CancelKeyDeletion"}
	}
	content, _ := doc.Props["Content"].(map[string]any)
	if s, ok := doc.Props["Content"].(string); ok {
		_ = json.Unmarshal([]byte(s), &content)
	}
	steps, _ := content["mainSteps"].([]any)
	seen := map[string]bool{}
	var out []string
	add := func(api string) {
		if !seen[api] {
			seen[api] = true
			out = append(out, "kms:"+api)
		}
	}
	for _, raw := range steps {
		step, _ := raw.(map[string]any)
		in, _ := step["inputs"].(map[string]any)
		service, _ := in["Service"].(string)
		api, _ := in["Api"].(string)
		// Only the calls on the key are checked against it (a step may also
		// notify, with sns:Publish on its topic).
		if strings.EqualFold(service, "kms") && api != "" {
			add(api)
		}
		// A script's own KMS calls (boto3: kms.get_key_last_usage(...) is kms:GetKeyLastUsage).
		if script, _ := in["Script"].(string); strings.Contains(script, `boto3.client("kms"`) {
			for _, m := range scriptKMSCall.FindAllStringSubmatch(script, -1) {
				add(camelCase(m[1]))
			}
		}
	}
	return out
}

// scriptKMSCall finds the KMS calls of a Python script whose KMS client is named kms.
var scriptKMSCall = regexp.MustCompile(`\bkms\.([a-z][a-z_]*)\(`)

// camelCase turns boto3's method name into the API's: get_key_last_usage, GetKeyLastUsage.
func camelCase(method string) string {
	var b strings.Builder
	for _, part := range strings.Split(method, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// identityPolicies returns the policies of role: inline ones, and the
// AWS::IAM::Policy and AWS::IAM::ManagedPolicy resources attached to it.
func (p *extractor) identityPolicies(role *Resource) []Policy {
	var out []Policy
	inline, _ := role.Props["Policies"].([]any)
	for i, raw := range inline {
		pol, _ := raw.(map[string]any)
		out = append(out, Policy{Name: fmt.Sprintf("%s-inline-%d", role.ID, i), Policy: pol["PolicyDocument"]})
	}
	for _, typ := range []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"} {
		for _, pol := range p.t.Sorted(typ) {
			if contains(stringsOf(pol.Props["Roles"]), role.Ref) ||
				(typ == "AWS::IAM::ManagedPolicy" && contains(stringsOf(role.Props["ManagedPolicyArns"]), pol.Ref)) {
				out = append(out, Policy{Name: pol.ID, Policy: pol.Props["PolicyDocument"]})
			}
		}
	}
	return out
}

// trail: CloudTrail writes to its bucket, with its key, and to its log group
// through its role; CloudWatch Logs encrypts the log group with its key.
func (p *extractor) trail(tr *Resource) {
	note := "trail " + tr.ID
	ctx := sourceContext(tr.Arn, p.e.Account)
	ct := p.principal("cloudtrail")
	bucketName, _ := tr.Props["S3BucketName"].(string)
	if bucket := p.t.ByRefOrArn("AWS::S3::Bucket", bucketName); bucket != nil {
		policy := p.policyOf("AWS::S3::BucketPolicy", "Bucket", bucket.Ref)
		prefix, _ := tr.Props["S3KeyPrefix"].(string)
		if prefix != "" {
			prefix += "/"
		}
		object := fmt.Sprintf("%s/%sAWSLogs/%s/CloudTrail/%s/2026/01/01/%s_CloudTrail_%s_20260101T0000Z_abc.json.gz",
			bucket.Arn, prefix, p.e.Account, p.e.Region, p.e.Account, p.e.Region)
		p.add(Case{Kind: "trail → bucket", Principal: ct, Action: "s3:GetBucketAcl", Resource: bucket.Arn, ResourceAccount: p.e.Account,
			Context: ctx, ResourcePolicy: policy, Want: Allowed, Note: note})
		put := copyMap(ctx)
		put["s3:x-amz-acl"] = "bucket-owner-full-control"
		p.add(Case{Kind: "trail → bucket", Principal: ct, Action: "s3:PutObject", Resource: object, ResourceAccount: p.e.Account,
			Context: put, ResourcePolicy: policy, Want: Allowed, Note: note})
		// CloudTrail user guide, "Configure AWS KMS key policies for
		// CloudTrail": kms:GenerateDataKey* with the trail's ARN as
		// encryption context, and kms:DescribeKey; with S3 Bucket Keys it
		// also needs kms:Decrypt, for which the guide shows no encryption
		// context (none is assumed: the stricter case).
		p.keyUse("trail → key", tr, ct, []string{"kms:GenerateDataKey"}, ctx, map[string]string{"aws:cloudtrail:arn": tr.Arn})
		p.keyUse("trail → key", tr, ct, []string{"kms:DescribeKey"}, ctx, nil)
		if bucketKeyEnabled(bucket) {
			p.keyUse("trail → key", tr, ct, []string{"kms:Decrypt"}, ctx, nil)
		}
	}
	roleArn, _ := tr.Props["CloudWatchLogsRoleArn"].(string)
	groupArn, _ := tr.Props["CloudWatchLogsLogGroupArn"].(string)
	role := p.t.ByRefOrArn("AWS::IAM::Role", roleArn)
	if role == nil {
		return
	}
	p.add(Case{Kind: "trail assumes logs role", Principal: ct, Action: "sts:AssumeRole", Resource: role.Arn, Context: ctx,
		ResourcePolicy: role.Props["AssumeRolePolicyDocument"], Want: Allowed, Note: note})
	identity := p.identityPolicies(role)
	group := p.t.ByRefOrArn("AWS::Logs::LogGroup", groupArn)
	stream := fmt.Sprintf("%s_CloudTrail_%s", p.e.Account, p.e.Region)
	target := strings.TrimSuffix(groupArn, ":*") + ":log-stream:" + stream
	for _, action := range trailLogsActions {
		p.add(Case{Kind: "trail role → log group", Principal: role.Arn, Action: action, Resource: target,
			Context: map[string]any{"aws:SecureTransport": "true"}, Identity: identity, Want: Allowed, Note: note})
		p.add(Case{Kind: "trail role → unrelated log group", Principal: role.Arn, Action: action,
			Resource: p.arn("logs", "log-group:kmsmonitor-unrelated:log-stream:"+stream),
			Context:  map[string]any{"aws:SecureTransport": "true"}, Identity: identity, Want: Refused, Note: note})
	}
	if group != nil {
		groupArn := p.arn("logs", "log-group:"+group.Ref)
		p.keyUse("log group → key", group, p.principal("logs"), logsKeyActions,
			sourceContext("", p.e.Account), map[string]string{"aws:logs:arn": groupArn})
	}
}

func bucketKeyEnabled(bucket *Resource) bool {
	enc, _ := bucket.Props["BucketEncryption"].(map[string]any)
	rules, _ := enc["ServerSideEncryptionConfiguration"].([]any)
	for _, raw := range rules {
		if r, _ := raw.(map[string]any); r["BucketKeyEnabled"] == true || r["BucketKeyEnabled"] == "true" {
			return true
		}
	}
	return false
}

// busPolicies: accounts of the organization may put events on a bus whose
// policy admits the organization; an outside account may not.
func (p *extractor) busPolicies() {
	byBus := map[string][]any{}
	for _, bp := range p.t.Sorted("AWS::Events::EventBusPolicy") {
		bus, _ := bp.Props["EventBusName"].(string)
		if bus == "" {
			bus = "default"
		}
		if st, ok := bp.Props["Statement"].(map[string]any); ok {
			byBus[bus] = append(byBus[bus], st)
		}
	}
	for _, b := range p.t.Sorted("AWS::Events::EventBus") {
		for _, st := range statementsOf(b.Props["Policy"]) {
			byBus[b.Ref] = append(byBus[b.Ref], st)
		}
	}
	buses := make([]string, 0, len(byBus))
	for b := range byBus {
		buses = append(buses, b)
	}
	sort.Strings(buses)
	for _, bus := range buses {
		arn := p.arn("events", "event-bus/"+bus)
		policy := map[string]any{"Version": "2012-10-17", "Statement": byBus[bus]}
		sender := func(account, org string, want Result) {
			principal := fmt.Sprintf("arn:%s:iam::%s:role/kmsmonitor-forwarder", p.e.Partition, account)
			ctx := map[string]any{"aws:SecureTransport": "true"}
			if org != "" {
				ctx["aws:PrincipalOrgID"] = org
			}
			// The sender's own account lets it put events anywhere: the bus policy decides.
			identity := []Policy{{Name: "sender", Policy: map[string]any{"Version": "2012-10-17", "Statement": []any{
				map[string]any{"Effect": "Allow", "Action": "events:PutEvents", "Resource": "*"}}}}}
			p.add(Case{Kind: "account → event bus", Principal: principal, Action: "events:PutEvents", Resource: arn,
				Context: ctx, Identity: identity, ResourcePolicy: policy, Want: want, Note: "bus " + bus})
		}
		for _, org := range orgIDs(byBus[bus]) {
			sender(orgMemberAccount, org, Allowed)
		}
		sender(foreignAccount, "o-outside0000", Refused)
	}
}

// orgIDs returns the organizations that statements admit with aws:PrincipalOrgID.
func orgIDs(statements []any) []string {
	var out []string
	for _, raw := range statements {
		st, _ := raw.(map[string]any)
		if st["Effect"] != "Allow" {
			continue
		}
		cond, _ := st["Condition"].(map[string]any)
		for _, byKey := range cond {
			keys, _ := byKey.(map[string]any)
			out = append(out, stringsOf(keys["aws:PrincipalOrgID"])...)
		}
	}
	return out
}

// foreignAccounts: no outside account may publish to a created topic or send
// to a created queue, even with an identity policy allowing it.
func (p *extractor) foreignAccounts() {
	principal := fmt.Sprintf("arn:%s:iam::%s:role/kmsmonitor-outsider", p.e.Partition, foreignAccount)
	outsider := func(action string) []Policy {
		return []Policy{{Name: "outsider", Policy: map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Effect": "Allow", "Action": action, "Resource": "*"}}}}}
	}
	ctx := map[string]any{"aws:SecureTransport": "true"}
	for _, topic := range p.t.Sorted("AWS::SNS::Topic") {
		p.add(Case{Kind: "foreign account → topic", Principal: principal, Action: "sns:Publish", Resource: topic.Ref,
			Context: ctx, Identity: outsider("sns:Publish"), ResourcePolicy: p.topicPolicy(topic), Want: Refused})
	}
	for _, queue := range p.t.Sorted("AWS::SQS::Queue") {
		p.add(Case{Kind: "foreign account → queue", Principal: principal, Action: "sqs:SendMessage", Resource: queue.Arn,
			Context: ctx, Identity: outsider("sqs:SendMessage"), ResourcePolicy: p.queuePolicy(queue), Want: Refused})
	}
}

// withoutTLS: where a resource policy denies requests without TLS, the first
// allowed path to that resource is refused when sent without TLS.
func (p *extractor) withoutTLS() {
	seen := map[string]bool{}
	for _, c := range p.cases {
		if c.Want != Allowed || c.Context == nil || !hasTLSDeny(c.ResourcePolicy) {
			continue
		}
		resource := c.Resource
		if i := strings.Index(resource, "/AWSLogs/"); i >= 0 {
			resource = resource[:i] + "/*"
		}
		if seen[resource] {
			continue
		}
		seen[resource] = true
		c.Kind += " without TLS"
		c.Context = copyMap(c.Context)
		c.Context["aws:SecureTransport"] = "false"
		c.Want = Refused
		p.cases = append(p.cases, c)
	}
}

func hasTLSDeny(policy any) bool {
	for _, s := range statementsOf(policy) {
		cond, _ := s["Condition"].(map[string]any)
		b, _ := cond["Bool"].(map[string]any)
		if s["Effect"] == "Deny" && fmt.Sprint(b["aws:SecureTransport"]) == "false" {
			return true
		}
	}
	return false
}

// dedupe drops cases identical to an earlier one.
func (p *extractor) dedupe() []Case {
	seen := map[string]bool{}
	var out []Case
	for _, c := range p.cases {
		k := c.String() + string(c.Want) + jsonString(c.ResourcePolicy) + jsonString(c.Identity)
		if !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// sortedKeys returns m's keys in order, so that cases come in the same order at each run.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
