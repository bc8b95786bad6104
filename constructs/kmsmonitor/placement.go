package kmsmonitor

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"

	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

// The one place that says which resources given in props must be in the
// stack's account or Region (propcheck.Checker.SameEnv checks them): a
// resource elsewhere is an error when both places are known at synthesis,
// and an acknowledgeable warning kmsmonitor:<what>Environment naming where
// to deploy when the stack is environment-agnostic.

// Warning IDs of resources that must be where an environment-agnostic stack
// is deployed.
const (
	warnKeyEnvironment      = "kmsmonitor:keyEnvironment"
	warnLogGroupEnvironment = "kmsmonitor:logGroupEnvironment"
	warnEventBusEnvironment = "kmsmonitor:eventBusEnvironment"
)

// keysPlaced are the keys given with a literal ARN, each to be in the
// stack's Region, and account when sameAccount.
func keysPlaced(keys []keyRef, sameAccount bool) []propcheck.Placed {
	var out []propcheck.Placed
	for _, k := range keys {
		if k.region == "" {
			continue
		}
		out = append(out, propcheck.Placed{Prop: k.prop, What: "key " + *k.arn,
			Env: propcheck.Env{Account: k.account, Region: k.region}, SameAccount: sameAccount, SameRegion: true})
	}
	return out
}

// checkKeyEventsRegion checks that the keys of a rule on the default bus
// (bus nil) are in the stack's Region, and account when sameAccount: AWS
// KMS and CloudTrail put a key's events on the default bus of the Region
// (and account) where the call was made. A rule on a bus given by the user
// (a central bus gathering accounts and Regions) is not checked.
func checkKeyEventsRegion(c *propcheck.Checker, bus awsevents.IEventBus, keys []keyRef, sameAccount bool, events string) {
	if bus != nil {
		return
	}
	where := "Region"
	if sameAccount {
		where = "account and Region"
	}
	c.SameEnv(warnKeyEnvironment, events+" reach only the default event bus of the key's own "+where,
		"watch each key from a stack in its Region (and account), or forward the events to a bus given as EventBus",
		keysPlaced(keys, sameAccount))
}

// checkEventBus checks that a bus a rule is created on is of the stack's
// account and Region: a rule belongs to a bus of its own account and Region.
func checkEventBus(c *propcheck.Checker, bus awsevents.IEventBus) {
	if bus == nil {
		return
	}
	c.SameEnv(warnEventBusEnvironment, "an EventBridge rule can only be created on a bus of its own account and Region",
		"give a bus of this stack's account and Region (the central bus of CentralKeyMonitoring, in its stack), and forward other Regions' events to it",
		[]propcheck.Placed{{Prop: "EventBus", What: "the event bus", Env: propcheck.EnvOf(bus), SameAccount: true, SameRegion: true}})
}

// checkLogGroup checks that a log group metric filters are created on is of
// the stack's account and Region.
func checkLogGroup(c *propcheck.Checker, lg awslogs.ILogGroup) {
	if lg == nil {
		return
	}
	c.SameEnv(warnLogGroupEnvironment, "a metric filter is created in its log group's own account and Region, and the alarm on it in the same Region",
		"give the log group your trail delivers to in this stack's account and Region, or create this construct in a stack of the log group's environment",
		[]propcheck.Placed{{Prop: "LogGroup", What: "the log group", Env: propcheck.EnvOf(lg), SameAccount: true, SameRegion: true}})
}
