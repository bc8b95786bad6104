// Package trustpolicy tightens the trust policies of roles that aws-cdk-lib
// creates inside its own constructs (a trail's CloudWatch Logs role, an
// EventBridge target's role), which kmsmonitor cannot pass a role to.
package trustpolicy

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// RequireSourceAccount adds an aws:SourceAccount condition (account, usually
// the stack's) to the first statement of role's trust policy, so that the
// service may assume the role only on behalf of this account (confused
// deputy). role is an awsiam.Role construct.
func RequireSourceAccount(role constructs.IConstruct, account *string) {
	cfn, ok := role.Node().DefaultChild().(awsiam.CfnRole)
	if !ok {
		panic(fmt.Errorf("trustpolicy: %s is not a role", *role.Node().Path()))
	}
	// The L2 Role builds its trust policy from the principal given by the
	// construct that created it, as its only statement (Statement.0); only an
	// override can add the condition. The tests assert the condition on every
	// such role, so a change of that shape fails them.
	cfn.AddPropertyOverride(jsii.String("AssumeRolePolicyDocument.Statement.0.Condition"), map[string]interface{}{
		"StringEquals": map[string]interface{}{"aws:SourceAccount": account},
	})
}
