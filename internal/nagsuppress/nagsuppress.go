// Package nagsuppress records, on a CloudFormation resource, why a cdk-nag
// rule does not apply to it, in the metadata cdk-nag reads ("cdk_nag":
// {"rules_to_suppress": [...]}). Writing the metadata directly keeps cdk-nag
// out of the library's dependencies: users who run cdk-nag see kmsmonitor's
// resources clean, each exception with its reason.
package nagsuppress

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Rule is one suppressed cdk-nag rule.
type Rule struct {
	// ID of the rule, such as "AwsSolutions-IAM5".
	ID string
	// Reason it does not apply (cdk-nag requires 10 characters or more).
	Reason string
	// AppliesTo limits the suppression to these findings of the rule (such
	// as one wildcard of AwsSolutions-IAM5), each written with Resource or
	// Action.
	AppliesTo []Finding
}

// On sets the suppressions of c's CloudFormation resource (c itself when it
// is one, else its default child) to rules. Call it once per resource: a
// second call replaces the first (reading the metadata back would cost a jsii
// call on every resource).
func On(c constructs.IConstruct, rules ...Rule) {
	res, ok := c.(awscdk.CfnResource)
	if !ok {
		res, ok = c.Node().DefaultChild().(awscdk.CfnResource)
	}
	if !ok {
		panic(fmt.Errorf("nagsuppress: %s has no CloudFormation resource", *c.Node().Path()))
	}
	var list []interface{}
	for _, r := range rules {
		entry := map[string]interface{}{"id": r.ID, "reason": r.Reason}
		var appliesTo []interface{}
		for _, f := range r.AppliesTo {
			appliesTo = append(appliesTo, map[string]interface{}{"regex": f.regex})
		}
		if len(appliesTo) > 0 {
			entry["applies_to"] = appliesTo
		}
		list = append(list, entry)
	}
	res.AddMetadata(jsii.String("cdk_nag"), map[string]interface{}{"rules_to_suppress": list})
}

// Finding is one finding of a rule that a suppression applies to: a
// JavaScript regular expression, /^...$/, that cdk-nag tests the finding
// against ("Resource::arn:...", "Action::kms:...").
type Finding struct{ regex string }

// Regex returns the regular expression as cdk-nag reads it: /^...$/.
func (f Finding) Regex() string { return f.regex }

// placeholders turn the pseudo parameters of an ARN pattern into either
// form cdk-nag writes a finding in: the placeholder, where the stack is
// environment-agnostic (and for the partition, mostly everywhere), or the
// literal value of a stack with an explicit environment, a Stage or the
// parent of a nested stack. <*> is any non-empty text, such as a logical ID
// (<DocumentA1B2C3D4>) or a nested stack's parameter.
var placeholders = []struct{ token, re string }{
	{"<AWS::Partition>", `(<AWS::Partition>|aws|aws-cn|aws-us-gov|aws-iso(-[a-z])?)`},
	{"<AWS::Region>", `(<AWS::Region>|[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9])`},
	{"<AWS::AccountId>", `(<AWS::AccountId>|[0-9]{12})`},
	{"<*>", `.+`},
}

// Resource is the finding of the resource arn, written with <AWS::Partition>,
// <AWS::Region>, <AWS::AccountId> and <*> where the template has a pseudo
// parameter or a name only known at deployment; every other character,
// the IAM wildcard * included, stands for itself. It matches the finding in
// an environment-agnostic stack and in one with an explicit environment alike:
//
//	nagsuppress.Resource("arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*")
//
// matches Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*
// and Resource::arn:<AWS::Partition>:kms:us-east-1:111122223333:key/*.
func Resource(arn string) Finding { return Finding{regex: "/^Resource::" + pattern(arn) + "$/"} }

// Action is the finding of the IAM action, such as "kms:GenerateDataKey*"
// (the * stands for itself).
func Action(action string) Finding { return Finding{regex: "/^Action::" + pattern(action) + "$/"} }

func pattern(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		matched := false
		for _, p := range placeholders {
			if strings.HasPrefix(s, p.token) {
				b.WriteString(p.re)
				s = s[len(p.token):]
				matched = true
				break
			}
		}
		if !matched {
			_, n := utf8.DecodeRuneInString(s)
			// QuoteMeta leaves / alone, which ends a JavaScript regular expression literal.
			b.WriteString(strings.ReplaceAll(regexp.QuoteMeta(s[:n]), "/", `\/`))
			s = s[n:]
		}
	}
	return b.String()
}
