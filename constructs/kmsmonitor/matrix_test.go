//go:build longtest

package kmsmonitor_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// matrixAccount is the account of every explicit environment of the matrix.
const matrixAccount = "111122223333"

// matrixCell is one environment in which every construct is synthesized.
type matrixCell struct {
	name string
	// partition and region are the cell's environment; region is "" for an
	// environment-agnostic cell (partition then names the literal ARNs the
	// constructs are given).
	partition, region string
	// build returns the stack the constructs go into (content) and the stack
	// the rule packs are added to and whose annotations list their findings
	// (top; the parent of a nested content stack).
	build func(app awscdk.App) (content, top awscdk.Stack)
}

func (c matrixCell) env() *awscdk.Environment {
	if c.region == "" {
		return nil
	}
	return &awscdk.Environment{Account: jsii.String(matrixAccount), Region: jsii.String(c.region)}
}

// arn returns an ARN of the cell's partition, Region and account (us-west-2
// for an environment-agnostic cell).
func (c matrixCell) arn(service, resource string) string {
	region := c.region
	if region == "" {
		region = "us-west-2"
	}
	return "arn:" + c.partition + ":" + service + ":" + region + ":" + matrixAccount + ":" + resource
}

func inStack(name, partition, region string) matrixCell {
	c := matrixCell{name: name, partition: partition, region: region}
	c.build = func(app awscdk.App) (awscdk.Stack, awscdk.Stack) {
		s := awscdk.NewStack(app, jsii.String("Stack"), &awscdk.StackProps{Env: c.env()})
		return s, s
	}
	return c
}

// matrixCells: environment-agnostic, an explicit environment of each
// partition, a Stage (every stack of a CDK Pipelines app), and a nested stack
// (environment-agnostic and explicit).
func matrixCells() []matrixCell {
	stage := matrixCell{name: "Stage aws eu-west-1", partition: "aws", region: "eu-west-1"}
	stage.build = func(app awscdk.App) (awscdk.Stack, awscdk.Stack) {
		st := awscdk.NewStage(app, jsii.String("Prod"), &awscdk.StageProps{Env: stage.env()})
		s := awscdk.NewStack(st, jsii.String("Stack"), nil)
		return s, s
	}
	nested := func(name, region string) matrixCell {
		c := matrixCell{name: name, partition: "aws", region: region}
		c.build = func(app awscdk.App) (awscdk.Stack, awscdk.Stack) {
			parent := awscdk.NewStack(app, jsii.String("Stack"), &awscdk.StackProps{Env: c.env()})
			nested := awscdk.NewNestedStack(parent, jsii.String("Nested"), nil)
			// A part of the nested stack notifies the parent's encrypted topic:
			// its references reach the nested template as parameters.
			key := awskms.NewKey(parent, jsii.String("SharedTopicKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
			topic := awssns.NewTopic(parent, jsii.String("SharedTopic"), &awssns.TopicProps{MasterKey: key, EnforceSSL: jsii.Bool(true)})
			kmsmonitor.NewDeletionCheck(nested, jsii.String("DeletionCheckOnParentTopic"), &kmsmonitor.DeletionCheckProps{Topic: topic})
			return nested, parent
		}
		return c
	}
	return []matrixCell{
		inStack("agnostic", "aws", ""),
		inStack("aws us-east-1", "aws", "us-east-1"),
		inStack("aws-cn cn-north-1", "aws-cn", "cn-north-1"),
		inStack("aws-us-gov us-gov-west-1", "aws-us-gov", "us-gov-west-1"),
		stage,
		nested("nested in agnostic", ""),
		nested("nested aws us-east-1", "us-east-1"),
	}
}

// bounded is KeyUseEvents' BoundedMessages in cell c: false in an
// environment-agnostic cell, which must deploy in every partition, and
// EventBridge Pipes does not exist in GovCloud (README says so); the default
// elsewhere (bounded in us-east-1 and cn-north-1, per event with a warning in
// us-gov-west-1). Likewise KeyMonitoring's NamedNotifications: CloudWatch log
// alarms do not exist in China and GovCloud.
func (c matrixCell) bounded() *bool {
	if c.region == "" {
		return jsii.Bool(false)
	}
	return nil
}

// matrixConstruct is one construct in a representative configuration.
type matrixConstruct struct {
	name  string
	build func(s awscdk.Stack, c matrixCell)
	// refusedIn returns, for a cell where the construct cannot work, the
	// part of the *ValidationError that says why ("" where it is built).
	refusedIn func(c matrixCell) string
}

// matrixConstructs: every construct of the package, each AutoCancelDeletion
// mode, KeyMonitoring by default and with every opt-in part. (These were
// TestCdkNag's cases, one stack each and environment-agnostic only; the
// matrix replaces it, adding KeyUseEvents, CisKeyChangesAlarm, GrantAudit
// and MemberStackSet alone.)
func matrixConstructs() []matrixConstruct {
	return []matrixConstruct{
		{name: "PendingDeletionAlarm", build: func(s awscdk.Stack, _ matrixCell) {
			kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("PendingDeletionAlarm"), nil)
		}},
		{name: "PendingDeletionAlarm on an existing log group", build: func(s awscdk.Stack, _ matrixCell) {
			kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("PendingDeletionAlarmExisting"), &kmsmonitor.PendingDeletionAlarmProps{
				LogGroup: awslogs.LogGroup_FromLogGroupName(s, jsii.String("ExistingTrailLogs"), jsii.String("trail")),
			})
		}},
		{name: "KeyMaterialExpiryAlarm, both modes", build: func(s awscdk.Stack, _ matrixCell) {
			kmsmonitor.NewKeyMaterialExpiryAlarm(s, jsii.String("KeyMaterialExpiryAlarm"), &kmsmonitor.KeyMaterialExpiryAlarmProps{AllKeys: jsii.Bool(true), KeyIDs: []string{keyID}})
		}},
		{name: "LifecycleEvents", build: func(s awscdk.Stack, _ matrixCell) {
			kmsmonitor.NewLifecycleEvents(s, jsii.String("LifecycleEvents"), nil)
		}},
		{name: "KeyUseEvents", build: func(s awscdk.Stack, c matrixCell) {
			kmsmonitor.NewKeyUseEvents(s, jsii.String("KeyUseEvents"), &kmsmonitor.KeyUseEventsProps{BoundedMessages: c.bounded()})
		}},
		{name: "CisKeyChangesAlarm", build: func(s awscdk.Stack, _ matrixCell) {
			kmsmonitor.NewCisKeyChangesAlarm(s, jsii.String("CisKeyChangesAlarm"), &kmsmonitor.CisKeyChangesAlarmProps{
				LogGroup: awslogs.LogGroup_FromLogGroupName(s, jsii.String("CisTrailLogs"), jsii.String("trail")),
			})
		}},
		{name: "GrantAudit", build: func(s awscdk.Stack, _ matrixCell) {
			kmsmonitor.NewGrantAudit(s, jsii.String("GrantAudit"), nil)
		}},
		{name: "AutoCancelDeletion, alarm-driven", build: func(s awscdk.Stack, c matrixCell) {
			kmsmonitor.NewAutoCancelDeletion(s, jsii.String("AutoCancelAlarmDriven"), &kmsmonitor.AutoCancelDeletionProps{
				Mode: kmsmonitor.AlarmDriven(kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("AutoCancelAlarm"), nil).Alarm, nil, []string{c.arn("kms", "key/"+keyID)}),
			})
		}},
		{name: "AutoCancelDeletion, key-aware, all keys", build: func(s awscdk.Stack, c matrixCell) {
			kmsmonitor.NewAutoCancelDeletion(s, jsii.String("AutoCancelAllKeys"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareAllKeys(), BoundedMessages: c.bounded()})
		}},
		{name: "AutoCancelDeletion, key-aware, tagged", build: func(s awscdk.Stack, c matrixCell) {
			kmsmonitor.NewAutoCancelDeletion(s, jsii.String("AutoCancelTagged"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareTagged("protect", "yes"), BoundedMessages: c.bounded()})
		}},
		{name: "AutoCancelDeletion, key-aware, allow list", build: func(s awscdk.Stack, c matrixCell) {
			kmsmonitor.NewAutoCancelDeletion(s, jsii.String("AutoCancelListed"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareListed(nil, []string{c.arn("kms", "key/"+keyID)}), BoundedMessages: c.bounded()})
		}},
		{name: "KeyMonitoring", build: func(s awscdk.Stack, c matrixCell) {
			var props *kmsmonitor.KeyMonitoringProps // the defaults
			if c.region == "" {
				props = &kmsmonitor.KeyMonitoringProps{PendingDeletion: &kmsmonitor.PendingDeletionAlarmProps{NamedNotifications: jsii.Bool(false)}}
			}
			kmsmonitor.NewKeyMonitoring(s, jsii.String("KeyMonitoring"), props)
		}},
		{name: "KeyMonitoring with every opt-in part", build: func(s awscdk.Stack, c matrixCell) {
			kmsmonitor.NewKeyMonitoring(s, jsii.String("KeyMonitoringAll"), &kmsmonitor.KeyMonitoringProps{
				CisAlarmEnabled: jsii.Bool(true), KeyUseEventsEnabled: jsii.Bool(true), GrantAuditEnabled: jsii.Bool(true),
				DeletionGuardEnabled: jsii.Bool(true), DeletionCheckEnabled: jsii.Bool(true), KeyPolicyChangesEnabled: jsii.Bool(true),
				ImportedKeyMaterialChangesEnabled: jsii.Bool(true), MonitorTamperingEnabled: jsii.Bool(true),
				ExternalKeyStoreCertificateEnabled: jsii.Bool(true),
				ExternalKeyStoreCertificate:        &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{CustomKeyStoreIDs: []string{"cks-1234567890abcdef0"}},
				AutoCancelEnabled:                  jsii.Bool(true),
				AutoCancel:                         &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(nil, nil, []string{c.arn("kms", "key/"+keyID)})},
				PendingDeletion:                    &kmsmonitor.PendingDeletionAlarmProps{KeyArnDimension: jsii.Bool(true)},
				KeyUseEvents:                       &kmsmonitor.KeyUseEventsProps{BoundedMessages: c.bounded()},
			})
		}},
		{name: "CentralKeyMonitoring", build: func(s awscdk.Stack, c matrixCell) {
			kmsmonitor.NewCentralKeyMonitoring(s, jsii.String("CentralKeyMonitoring"), &kmsmonitor.CentralKeyMonitoringProps{OrganizationID: jsii.String("o-a1b2c3d4e5"), BoundedMessages: c.bounded()})
		}},
		{name: "MemberKeyMonitoring", build: func(s awscdk.Stack, c matrixCell) {
			kmsmonitor.NewMemberKeyMonitoring(s, jsii.String("MemberKeyMonitoring"), &kmsmonitor.MemberKeyMonitoringProps{
				CentralEventBusArn: jsii.String(c.arn("events", "event-bus/kmsmonitor-central")),
			})
		}},
		{name: "MemberStackSet", build: func(s awscdk.Stack, c matrixCell) {
			// The member stack in its own stage of the app, bootstrapless (MemberStackSetProps.MemberStack).
			stage := awscdk.NewStage(s.Node().Root().(awscdk.App), jsii.String("Member"), nil)
			member := awscdk.NewStack(stage, jsii.String("KmsMonitorMember"), &awscdk.StackProps{Synthesizer: awscdk.NewBootstraplessSynthesizer(nil)})
			kmsmonitor.NewMemberKeyMonitoring(member, jsii.String("Member"), &kmsmonitor.MemberKeyMonitoringProps{
				CentralEventBusArn: jsii.String(c.arn("events", "event-bus/kmsmonitor-central")),
			})
			region := c.region
			if region == "" {
				region = "us-west-2"
			}
			kmsmonitor.NewMemberStackSet(s, jsii.String("MemberStackSet"), &kmsmonitor.MemberStackSetProps{
				MemberStack: member, OrganizationalUnitIDs: []string{"ou-ab12-cd34ef56"}, Regions: []string{region},
			})
		}, refusedIn: func(c matrixCell) string {
			// Trusted access for StackSets with AWS Organizations does not exist in the China Regions.
			if c.partition == "aws-cn" {
				return "service-managed StackSets are not available"
			}
			return ""
		}},
		{name: "KeyPolicyChanges", build: func(s awscdk.Stack, _ matrixCell) {
			kmsmonitor.NewKeyPolicyChanges(s, jsii.String("KeyPolicyChanges"), nil)
		}},
		{name: "ImportedKeyMaterialChanges", build: func(s awscdk.Stack, _ matrixCell) {
			kmsmonitor.NewImportedKeyMaterialChanges(s, jsii.String("ImportedKeyMaterialChanges"), nil)
		}},
		{name: "MonitorTampering of PendingDeletionAlarm", build: func(s awscdk.Stack, _ matrixCell) {
			p := kmsmonitor.NewPendingDeletionAlarm(s, jsii.String("TamperingWatched"), nil)
			kmsmonitor.NewMonitorTampering(s, jsii.String("MonitorTampering"), &kmsmonitor.MonitorTamperingProps{
				TrailArns: []string{*p.Trail.TrailArn()}, Alarms: []awscloudwatch.IAlarm{p.Alarm}, MetricFilters: []awslogs.MetricFilter{p.MetricFilter},
			})
		}},
		{name: "ExternalKeyStoreCertificateAlarm", build: func(s awscdk.Stack, _ matrixCell) {
			kmsmonitor.NewExternalKeyStoreCertificateAlarm(s, jsii.String("ExternalKeyStoreCertificateAlarm"), &kmsmonitor.ExternalKeyStoreCertificateAlarmProps{CustomKeyStoreIDs: []string{"cks-1234567890abcdef0"}})
		}},
		{name: "DeletionGuard on a key", build: func(s awscdk.Stack, c matrixCell) {
			key := awskms.NewKey(s, jsii.String("GuardedKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
			kmsmonitor.NewDeletionGuard(s, jsii.String("DeletionGuard"), &kmsmonitor.DeletionGuardProps{
				BreakGlassPrincipalArns: []string{"arn:" + c.partition + ":iam::" + matrixAccount + ":role/BreakGlass"},
			}).Protect(key)
		}},
		{name: "OrganizationDeletionGuard", build: func(s awscdk.Stack, _ matrixCell) {
			kmsmonitor.NewOrganizationDeletionGuard(s, jsii.String("OrganizationDeletionGuard"), &kmsmonitor.OrganizationDeletionGuardProps{TargetIDs: []string{"r-a1b2"}})
		}},
		{name: "DeletionCheck", build: func(s awscdk.Stack, _ matrixCell) {
			kmsmonitor.NewDeletionCheck(s, jsii.String("DeletionCheck"), nil)
		}},
	}
}

// TestMatrix is a long test (build tag longtest; .ci/run runs it, README
// says how): about 3.5 MB of templates that cfn-lint takes some 45 s of CPU
// to read, twice the rest of the package.
//
// TestMatrix synthesizes every construct in every cell of the environment
// matrix (environment-agnostic; an explicit environment in aws, aws-cn and
// aws-us-gov; a Stage; a nested stack) and holds each template to the same
// bar: no AwsSolutions or NIST 800-53 rev 5 finding, no error of aws-cdk-lib's
// built-in CloudFormation validation, cfn-lint clean for the cell's Region,
// no over-broad IAM permission, every delivery path working.
// The constructs of a cell share one stack (distinct IDs): jsii and cdk-nag
// cost seconds per synthesis.
func TestMatrix(t *testing.T) {
	started := time.Now()
	summary := map[string]string{}
	for _, cell := range matrixCells() {
		t.Run(cell.name, func(t *testing.T) {
			// GIVEN a stack of the cell checked by both rule packs
			app := newApp()
			content, top := cell.build(app)
			for _, pack := range []awscdk.IAspect{
				cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}),
				cdknag.NewNIST80053R5Checks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}),
			} {
				awscdk.Aspects_Of(top).Add(pack, nil)
			}
			// WHEN every construct is added to it (those refused in this cell are tried alone)
			built := 0
			for _, mc := range matrixConstructs() {
				if mc.refusedIn != nil {
					if why := mc.refusedIn(cell); why != "" {
						// THEN the refusal says why
						alone, _ := cell.build(newApp())
						wantPanic(t, func() { mc.build(alone, cell) }, mc.name, why)
						continue
					}
				}
				if msg := panicMessage(func() { mc.build(content, cell) }); msg != "" {
					t.Fatalf("%s: %s", mc.name, msg)
				}
				built++
			}
			// THEN every template is lint-clean, IAM-clean and its delivery paths work
			matrixCheck(t, content)
			if content != top {
				matrixCheck(t, top)
			}
			// AND no finding of either rule pack remains
			ann := assertions.Annotations_FromStack(top)
			rule := assertions.Match_StringLikeRegexp(jsii.String("(AwsSolutions|NIST)"))
			perRule := map[string]int{}
			for _, e := range append(*ann.FindError(jsii.String("*"), rule), *ann.FindWarning(jsii.String("*"), rule)...) {
				path, msg := message(e)
				perRule[ruleID(msg)]++
				t.Errorf("%s: %s", path, msg)
			}
			summary[cell.name] = fmt.Sprintf("%d constructs, findings %v", built, perRule)
		})
	}
	cells := make([]string, 0, len(summary))
	for c := range summary {
		cells = append(cells, c)
	}
	sort.Strings(cells)
	for _, c := range cells {
		t.Logf("%s: %s", c, summary[c])
	}
	t.Logf("wall time: %s", time.Since(started).Round(time.Second))
}

// matrixCheck does what synth does for stack's template, linting an
// environment-agnostic one for every partition (it may be deployed in any).
func matrixCheck(t *testing.T, stack awscdk.Stack) {
	t.Helper()
	tpl := synthAs(t, t.Name()+"/"+*stack.Node().Path(), stack, arr{"us-east-1", "cn-north-1", "us-gov-west-1"})
	// cfn-lint ignores E3006 on log alarms (it does not know the type): an environment-agnostic
	// template, deployable in every partition, must not have one (none in China and GovCloud).
	if n := len(tpl.resourcesOfType("AWS::CloudWatch::LogAlarm")); n > 0 && literal(stack.Region()) == "" {
		t.Errorf("%s: %d log alarms in an environment-agnostic template, which China and GovCloud refuse", *stack.Node().Path(), n)
	}
}

// ruleID returns the rule of a cdk-nag finding ("AwsSolutions-IAM5[...]: ...").
func ruleID(msg string) string {
	if i := strings.IndexAny(msg, "[:"); i > 0 {
		return msg[:i]
	}
	return msg
}
