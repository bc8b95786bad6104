// Package nagsuppress records, on a CloudFormation resource, why a cdk-nag
// rule does not apply to it, in the metadata cdk-nag reads ("cdk_nag":
// {"rules_to_suppress": [...]}). Writing the metadata directly keeps cdk-nag
// out of the library's dependencies: users who run cdk-nag see kmsmonitor's
// resources clean, each exception with its reason.
package nagsuppress

import (
	"fmt"

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
	// AppliesTo limits the suppression to these findings of the rule, such
	// as "Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-execution/*".
	AppliesTo []string
	// AppliesToRegex limits it to findings matching these JavaScript regular
	// expressions, such as "/^Resource::.*:automation-execution\\/\\*$/g",
	// for findings that name a logical ID.
	AppliesToRegex []string
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
		for _, a := range r.AppliesTo {
			appliesTo = append(appliesTo, a)
		}
		for _, re := range r.AppliesToRegex {
			appliesTo = append(appliesTo, map[string]interface{}{"regex": re})
		}
		if len(appliesTo) > 0 {
			entry["applies_to"] = appliesTo
		}
		list = append(list, entry)
	}
	res.AddMetadata(jsii.String("cdk_nag"), map[string]interface{}{"rules_to_suppress": list})
}
