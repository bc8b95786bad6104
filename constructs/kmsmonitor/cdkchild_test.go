package kmsmonitor_test

import (
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/cdkbyname"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
	"github.com/kmsmonitor/kmsmonitor/internal/cdkchild"
)

func TestCdkChild_TheChildrenKmsmonitorReachesExist(t *testing.T) {
	// GIVEN the aws-cdk-lib constructs whose children kmsmonitor configures
	stack := newStack()
	pd := kmsmonitor.NewPendingDeletionAlarm(stack, jsii.String("Monitor"), nil)
	stream := awskinesis.NewStream(stack, jsii.String("Stream"), nil)
	rule := awsevents.NewRule(stack, jsii.String("Rule"), &awsevents.RuleProps{EventPattern: &awsevents.EventPattern{Source: jsii.Strings("aws.kms")}})
	rule.AddTarget(cdkbyname.KinesisStream(stream, cdkbyname.TargetProps{}))
	// THEN each child is where kmsmonitor expects it, in this aws-cdk-lib version
	role := cdkchild.Find(pd.Trail, cdkchild.TrailLogsRole)
	cdkchild.Find(role, cdkchild.RoleDefaultPolicy)
	cdkchild.Find(stream, cdkchild.KinesisEventsRole)
	// AND a child that is not there fails loudly, naming it and its parent
	wantPanic(t, func() { cdkchild.Find(stream, "Renamed") }, `aws-cdk-lib no longer creates "Renamed" under Stack/Stream`)
}
