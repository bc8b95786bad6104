// Package iamlint finds over-broad permissions in a synthesized CloudFormation
// template:
//   - an Allow statement whose action is "*" or "service:*", in any policy
//     document (IAM policies and roles, trust policies, and the resource
//     policies of keys, topics, queues and buckets);
//   - an identity policy statement on Resource "*", unless every action is
//     one AWS cannot scope to a resource (UnscopableActions);
//   - a trust policy that lets an AWS service assume the role without an
//     aws:SourceAccount or aws:SourceArn condition, for services that support
//     them (all but NoSourceConditions).
package iamlinttest

import (
	"fmt"
	"sort"
	"strings"
)

// Exceptions are the broad actions allowed, with the reason. Deny statements
// are never findings: denying broadly (such as s3:* without TLS) is safe.
var Exceptions = []struct {
	ResourceType, Action, Principal, Reason string
}{
	{"AWS::KMS::Key", "kms:*", "account root",
		"the default key policy of AWS KMS and aws-cdk-lib: it lets the account's IAM policies manage the key; without it the key becomes unmanageable"},
}

// UnscopableActions are the actions AWS authorizes only on Resource "*"
// (the Service Authorization Reference lists no resource type for them).
var UnscopableActions = map[string]string{
	"logs:StopQuery":          "a CloudWatch log alarm's scheduled-query role (CloudWatch User Guide, \"Create a log alarm\"); StopQuery has no resource type",
	"logs:DescribeLogGroups":  "a CloudWatch log alarm's scheduled-query role (CloudWatch User Guide, \"Create a log alarm\"); DescribeLogGroups has no resource type",
	"cloudtrail:LookupEvents": "AutoCancelDeletion's key-aware automation reads who scheduled a deletion from CloudTrail's event history; LookupEvents has no resource type",
}

// NoSourceConditions are the service principals whose role trust policies
// cannot carry aws:SourceAccount or aws:SourceArn, with the reason.
var NoSourceConditions = map[string]string{
	"lambda.amazonaws.com": "a function's execution role is assumed by Lambda for that function only; the tests' own functions are built by aws-cdk-lib without conditions",
}

// LogAlarmRoleServices are the services that assume the roles of a
// CloudWatch log alarm (AWS::CloudWatch::LogAlarm's ScheduledQueryRoleARN and
// ActionLogLineRoleArn), whose trust policies may have no source condition
// in those roles only: the CloudWatch User Guide ("Create a log alarm")
// gives them none, and AWS documents none that CloudWatch Logs or
// CloudWatch sends there; one they do not send would leave the alarm blind.
// A role can be passed only in its own account.
var LogAlarmRoleServices = map[string]string{
	"ScheduledQueryRoleARN": "logs.amazonaws.com",
	"ActionLogLineRoleArn":  "cloudwatch.amazonaws.com",
}

// Findings lists every problem of template, as "LogicalID (Type) Path: problem", sorted.
func Findings(template map[string]any) []string {
	var out []string
	resources, _ := template["Resources"].(map[string]any)
	logAlarmRoles := logAlarmRolesOf(resources)
	for id, r := range resources {
		res, _ := r.(map[string]any)
		typ, _ := res["Type"].(string)
		props, _ := res["Properties"].(map[string]any)
		for path, doc := range policyDocuments(typ, props) {
			for _, f := range documentFindings(typ, doc) {
				out = append(out, fmt.Sprintf("%s (%s) %s: %s", id, typ, path, f))
			}
			switch {
			case path == "AssumeRolePolicyDocument":
				for _, f := range trustFindings(doc, logAlarmRoles[id]) {
					out = append(out, fmt.Sprintf("%s (%s) %s: %s", id, typ, path, f))
				}
			case typ == "AWS::IAM::Policy" || typ == "AWS::IAM::ManagedPolicy" || strings.HasPrefix(path, "Policies["):
				for _, f := range wildcardResourceFindings(doc) {
					out = append(out, fmt.Sprintf("%s (%s) %s: %s", id, typ, path, f))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func statementsOf(doc any) []map[string]any {
	d, _ := doc.(map[string]any)
	var raw []any
	switch s := d["Statement"].(type) {
	case []any:
		raw = s
	case map[string]any:
		raw = []any{s}
	}
	out := make([]map[string]any, len(raw))
	for i, st := range raw {
		out[i], _ = st.(map[string]any)
	}
	return out
}

// wildcardResourceFindings reports identity-policy statements on Resource "*".
func wildcardResourceFindings(doc any) []string {
	var out []string
	for i, s := range statementsOf(doc) {
		if s["Effect"] != "Allow" || !containsString(stringsOf(s["Resource"]), "*") {
			continue
		}
		for _, action := range stringsOf(s["Action"]) {
			if _, ok := UnscopableActions[action]; !ok {
				out = append(out, fmt.Sprintf("Statement[%d] allows %q on Resource \"*\"", i, action))
			}
		}
	}
	return out
}

// logAlarmRolesOf maps the logical ID of each role a log alarm names to the
// service that assumes it (LogAlarmRoleServices).
func logAlarmRolesOf(resources map[string]any) map[string]string {
	out := map[string]string{}
	for _, r := range resources {
		res, _ := r.(map[string]any)
		if res["Type"] != "AWS::CloudWatch::LogAlarm" {
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		query, _ := props["ScheduledQueryConfiguration"].(map[string]any)
		for prop, service := range LogAlarmRoleServices {
			v := props[prop]
			if v == nil && query != nil {
				v = query[prop]
			}
			if id := getAttID(v); id != "" {
				out[id] = service
			}
		}
	}
	return out
}

// getAttID is the logical ID of {"Fn::GetAtt": [ID, "Arn"]}, "" otherwise.
func getAttID(v any) string {
	m, _ := v.(map[string]any)
	ga, _ := m["Fn::GetAtt"].([]any)
	if len(ga) == 2 && ga[1] == "Arn" {
		id, _ := ga[0].(string)
		return id
	}
	return ""
}

// trustFindings reports service principals trusted without a source
// condition; exempt is the service a log alarm's role may trust without one.
func trustFindings(doc any, exempt string) []string {
	var out []string
	for i, s := range statementsOf(doc) {
		if s["Effect"] != "Allow" {
			continue
		}
		p, _ := s["Principal"].(map[string]any)
		cond, _ := s["Condition"].(map[string]any)
		for _, service := range stringsOf(p["Service"]) {
			if _, ok := NoSourceConditions[service]; ok || service == exempt || hasSourceCondition(cond) {
				continue
			}
			out = append(out, fmt.Sprintf("Statement[%d] lets %s assume the role without aws:SourceAccount or aws:SourceArn", i, service))
		}
	}
	return out
}

func hasSourceCondition(cond map[string]any) bool {
	for _, byKey := range cond {
		keys, _ := byKey.(map[string]any)
		for k := range keys {
			if k == "aws:SourceAccount" || k == "aws:SourceArn" {
				return true
			}
		}
	}
	return false
}

func containsString(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// policyDocuments returns the policy documents of a resource by property path.
func policyDocuments(typ string, props map[string]any) map[string]any {
	docs := map[string]any{}
	for _, key := range []string{"PolicyDocument", "AssumeRolePolicyDocument", "KeyPolicy"} {
		if d, ok := props[key]; ok {
			docs[key] = d
		}
	}
	if policies, ok := props["Policies"].([]any); ok { // inline policies of AWS::IAM::Role
		for i, p := range policies {
			if pm, ok := p.(map[string]any); ok {
				docs[fmt.Sprintf("Policies[%d].PolicyDocument", i)] = pm["PolicyDocument"]
			}
		}
	}
	return docs
}

func documentFindings(typ string, doc any) []string {
	var out []string
	for i, s := range statementsOf(doc) {
		if s["Effect"] != "Allow" {
			continue
		}
		for _, action := range stringsOf(s["Action"]) {
			if action != "*" && !strings.HasSuffix(action, ":*") {
				continue
			}
			if excepted(typ, action, s["Principal"]) {
				continue
			}
			out = append(out, fmt.Sprintf("Statement[%d] allows %q", i, action))
		}
		if _, ok := s["NotAction"]; ok {
			out = append(out, fmt.Sprintf("Statement[%d] allows NotAction (everything else)", i))
		}
	}
	return out
}

func excepted(typ, action string, principal any) bool {
	for _, e := range Exceptions {
		if e.ResourceType == typ && e.Action == action && e.Principal == "account root" && isAccountRoot(principal) {
			return true
		}
	}
	return false
}

// isAccountRoot reports whether principal is {"AWS": "arn:...:iam::<account>:root"},
// written as a string or as an Fn::Join whose last part ends with ":root".
func isAccountRoot(principal any) bool {
	p, _ := principal.(map[string]any)
	return strings.HasSuffix(lastString(p["AWS"]), ":root")
}

// lastString returns the last string in v, searching lists and maps.
func lastString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		for i := len(x) - 1; i >= 0; i-- {
			if s := lastString(x[i]); s != "" {
				return s
			}
		}
	case map[string]any:
		if j, ok := x["Fn::Join"].([]any); ok && len(j) == 2 {
			return lastString(j[1])
		}
	}
	return ""
}

func stringsOf(v any) []string {
	switch a := v.(type) {
	case string:
		return []string{a}
	case []any:
		var out []string
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
