// Package cdkchild is the one place where kmsmonitor reaches into constructs
// that aws-cdk-lib creates inside its own L2s (a trail's CloudWatch Logs role,
// an EventBridge target's role, a role's default policy), where the L2 offers
// no supported way to pass or reach them. Each such reach is named here, so
// that an aws-cdk-lib upgrade that renames a child fails loudly at synthesis
// (and in this repository's tests) instead of silently skipping an override.
package cdkchild

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// The children of aws-cdk-lib constructs that kmsmonitor reaches, as
// aws-cdk-lib v2.220.0 names them.
const (
	// TrailLogsRole is the role awscloudtrail.Trail creates to deliver to
	// CloudWatch Logs (no TrailProps field takes a role).
	TrailLogsRole = "LogsRole"
	// KinesisEventsRole is the role aws-events-targets' KinesisStream creates
	// under the stream (KinesisStreamProps takes no role).
	KinesisEventsRole = "EventsRole"
	// RoleDefaultPolicy is the inline policy awsiam.Role creates for grants.
	RoleDefaultPolicy = "DefaultPolicy"
)

// Find returns the child id of scope, and panics, naming both, when
// aws-cdk-lib no longer creates it.
func Find(scope constructs.IConstruct, id string) constructs.IConstruct {
	child := scope.Node().TryFindChild(jsii.String(id))
	if child == nil {
		panic(fmt.Errorf("kmsmonitor: aws-cdk-lib no longer creates %q under %s; kmsmonitor's setting on it must be revised for this aws-cdk-lib version",
			id, *scope.Node().Path()))
	}
	return child
}
