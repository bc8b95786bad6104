package alerting

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/nagsuppress"
)

// The schedule of kmsmonitor's log alarms: the query runs every 5 minutes
// over the last 15 (CloudTrail delivers to CloudWatch Logs about 5 minutes
// after the call on average, sometimes later: a call is counted by up to
// three runs, so a contributor stays in ALARM while the calls go on and
// returns to OK after 15 to 20 quiet minutes).
const (
	LogAlarmScheduleMinutes = 5
	LogAlarmWindowSeconds   = 900
	// LogAlarmLogLines is how many matching log events an e-mail notification carries (0 to 50).
	LogAlarmLogLines = 10
)

// regionsWithoutLogAlarms are the Regions whose CloudFormation has no
// AWS::CloudWatch::LogAlarm, as aws-cdk-lib v2.277.0's built-in validation
// knows them (cfn-lint 1.51 predates the type; TestLogAlarmsAvailable
// synthesizes one in every Region of cfn-lint's list to compare).
var regionsWithoutLogAlarms = []string{"cn-north-1", "cn-northwest-1", "me-central-1", "me-south-1", "us-gov-east-1", "us-gov-west-1"}

// LogAlarmsAnnouncedMissing are the Regions of regionsWithoutLogAlarms where
// aws-cdk-lib's validation has the type but AWS's launch announcement
// ("all commercial Regions except Middle East (UAE) and Middle East
// (Bahrain)", as summarized) does not: left out, to be safe.
var LogAlarmsAnnouncedMissing = []string{"me-south-1"}

// LogAlarmsAvailable reports whether a stack in region can have a CloudWatch
// log alarm: true unless region is one of regionsWithoutLogAlarms, so true
// for an environment-agnostic stack (README says where it cannot be
// deployed).
func LogAlarmsAvailable(region string) bool {
	return !slices.Contains(regionsWithoutLogAlarms, region)
}

// LogAlarmRoles are the two roles the log alarms of one log group share.
type LogAlarmRoles struct {
	// Query is the role CloudWatch Logs runs the scheduled queries as.
	Query awsiam.Role
	// LogLines is the role CloudWatch reads the log lines of a notification as.
	LogLines awsiam.Role
	// QueryPolicy and LogLinesPolicy are their permissions.
	QueryPolicy, LogLinesPolicy awsiam.ManagedPolicy
}

// NewLogAlarmRoles creates, under scope (IDs "LogAlarmQueryRole" and
// "LogAlarmLogLinesRole"), the roles of log alarms on logGroup, with the
// permissions the CloudWatch User Guide ("Create a log alarm") lists, on
// logGroup only. AWS documents no source condition for either service: the
// trust policies have none (a role can be passed only in its own account).
func NewLogAlarmRoles(scope constructs.Construct, logGroup awslogs.ILogGroup) *LogAlarmRoles {
	r := &LogAlarmRoles{}
	r.Query = awsiam.NewRole(scope, jsii.String("LogAlarmQueryRole"), &awsiam.RoleProps{
		Description: jsii.String("kmsmonitor: lets CloudWatch Logs run the scheduled queries of the log alarms on the trail's log group"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("logs.amazonaws.com"), nil),
	})
	// Customer managed policies rather than inline ones (NIST 800-53 IAMNoInlinePolicy).
	// A log group's ARN as IAM authorizes StartQuery and GetQueryResults on
	// it (the Service Authorization Reference: log-group:NAME), and as
	// CloudWatch Logs writes it (log-group:NAME:*): both, the group alone.
	groupArns := &[]*string{
		awscdk.Stack_Of(scope).FormatArn(&awscdk.ArnComponents{Service: jsii.String("logs"), Resource: jsii.String("log-group"),
			ResourceName: logGroup.LogGroupName(), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME}),
		logGroup.LogGroupArn(),
	}
	r.QueryPolicy = awsiam.NewManagedPolicy(scope, jsii.String("LogAlarmQueryPolicy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("kmsmonitor: what the scheduled queries of the log alarms may do"),
		Roles:       &[]awsiam.IRole{r.Query},
		Statements: &[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("QueryTheTrailLogGroup"),
				Actions:   jsii.Strings("logs:StartQuery", "logs:GetQueryResults"),
				Resources: groupArns,
			}),
			// No resource type in the Service Authorization Reference: "*" only.
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("StopQueriesAndDescribeLogGroups"),
				Actions:   jsii.Strings("logs:StopQuery", "logs:DescribeLogGroups"),
				Resources: jsii.Strings("*"),
			}),
		},
	})
	// CloudWatch Logs writes a log group's ARN ending in ":*": it names that log group only.
	groupARN := nagsuppress.Rule{ID: "AwsSolutions-IAM5",
		Reason:    "arn:...:log-group:NAME:* is how CloudWatch Logs writes the ARN of the one log group NAME (with log-group:NAME, for IAM's form of it).",
		AppliesTo: []nagsuppress.Finding{nagsuppress.Resource("arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:<*>:*")}}
	nagsuppress.On(r.QueryPolicy, groupARN, nagsuppress.Rule{ID: "AwsSolutions-IAM5",
		Reason:    "logs:StopQuery and logs:DescribeLogGroups have no resource type (Service Authorization Reference): AWS authorizes them on \"*\" only; the queries themselves are limited to the trail's log group.",
		AppliesTo: []nagsuppress.Finding{nagsuppress.Resource("*")}})
	r.LogLines = awsiam.NewRole(scope, jsii.String("LogAlarmLogLinesRole"), &awsiam.RoleProps{
		Description: jsii.String("kmsmonitor: lets CloudWatch read the log lines of the log alarms' notifications"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil),
	})
	r.LogLinesPolicy = awsiam.NewManagedPolicy(scope, jsii.String("LogAlarmLogLinesPolicy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("kmsmonitor: what the log alarms' notifications may read"),
		Roles:       &[]awsiam.IRole{r.LogLines},
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadTheLogLines"),
			Actions:   jsii.Strings("logs:GetQueryResults"),
			Resources: groupArns,
		})},
	})
	nagsuppress.On(r.LogLinesPolicy, groupARN)
	return r
}

// LogAlarmSpec is what differs between kmsmonitor's log alarms.
type LogAlarmSpec struct {
	// Query is the CloudWatch Logs Insights query each run executes.
	Query string
	// Aggregation is applied to the query's results; with "by", each group
	// is a contributor, notified on its own.
	Aggregation string
	Description string
	// Name is the alarm name; nil lets CloudFormation generate one.
	Name *string
}

// NewLogAlarm creates a log alarm on logGroup (an L1: aws-cdk-lib has no L2
// for log alarms) that fires when a run's aggregated value is at least 1
// (one result of one), missing data not breaching, and notifies n.Topic on
// ALARM (and on OK when n.OnOK), with LogAlarmLogLines log lines, and on
// INSUFFICIENT_DATA, which is where a log alarm goes when its query fails
// (CloudWatch User Guide, "Log alarms": EVALUATION_ERROR): a broken alarm
// says so instead of staying silent.
//
// cfn-lint 1.51 predates AWS::CloudWatch::LogAlarm: its E3006 ("resource
// type does not exist") is ignored on this resource only; the tests check
// its properties against the CloudWatch API reference instead (README).
func NewLogAlarm(scope constructs.Construct, id string, logGroup awslogs.ILogGroup, roles *LogAlarmRoles, spec LogAlarmSpec, n Notification) awscloudwatch.CfnLogAlarm {
	props := &awscloudwatch.CfnLogAlarmProps{
		AlarmName:               spec.Name,
		AlarmDescription:        jsii.String(spec.Description),
		ComparisonOperator:      jsii.String("GreaterThanOrEqualToThreshold"),
		Threshold:               jsii.Number(1),
		QueryResultsToAlarm:     jsii.Number(1),
		QueryResultsToEvaluate:  jsii.Number(1),
		TreatMissingData:        jsii.String("notBreaching"),
		ActionsEnabled:          jsii.Bool(true),
		AlarmActions:            &[]*string{n.Topic.TopicArn()},
		InsufficientDataActions: &[]*string{n.Topic.TopicArn()},
		ActionLogLineCount:      jsii.Number(LogAlarmLogLines),
		ActionLogLineRoleArn:    roles.LogLines.RoleArn(),
		ScheduledQueryConfiguration: &awscloudwatch.CfnLogAlarm_ScheduledQueryConfigurationProperty{
			QueryString:           jsii.String(spec.Query),
			AggregationExpression: jsii.String(spec.Aggregation),
			LogGroupIdentifiers:   &[]*string{logGroup.LogGroupName()},
			ScheduledQueryRoleArn: roles.Query.RoleArn(),
			ScheduleConfiguration: &awscloudwatch.CfnLogAlarm_ScheduleConfigurationProperty{
				ScheduleExpression: jsii.String("rate(5 minutes)"),
				StartTimeOffset:    jsii.Number(LogAlarmWindowSeconds),
				EndTimeOffset:      jsii.Number(0),
			},
		},
	}
	if n.OnOK {
		props.OkActions = &[]*string{n.Topic.TopicArn()}
	}
	alarm := awscloudwatch.NewCfnLogAlarm(scope, jsii.String(id), props)
	alarm.AddMetadata(jsii.String("cfn-lint"), map[string]any{"config": map[string]any{"ignore_checks": []string{"E3006"}}})
	// The alarm's queries and notifications need the roles' permissions: after their policies.
	alarm.Node().AddDependency(roles.QueryPolicy, roles.LogLinesPolicy)
	return alarm
}
