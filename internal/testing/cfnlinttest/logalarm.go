package cfnlinttest

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// LogAlarmFindings checks every AWS::CloudWatch::LogAlarm of a synthesized
// template against the CloudWatch API reference (PutLogAlarm,
// ScheduledQueryConfiguration, ScheduleConfiguration) and the CloudFormation
// resource reference, which cfn-lint 1.51 cannot do: it predates the type and
// reports E3006 ("resource type does not exist"), which kmsmonitor ignores on
// each log alarm, and on nothing else. Each finding is "LogicalID: problem".
// Values that are not literals (intrinsics) are left to CloudFormation.
func LogAlarmFindings(template map[string]any) []string {
	var out []string
	resources, _ := template["Resources"].(map[string]any)
	for id, r := range resources {
		res, _ := r.(map[string]any)
		if res["Type"] != "AWS::CloudWatch::LogAlarm" {
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		for _, f := range logAlarmProblems(props) {
			out = append(out, id+": "+f)
		}
		if ignored := cfnLintIgnores(res); !slices.Equal(ignored, []string{"E3006"}) {
			out = append(out, fmt.Sprintf("%s: cfn-lint ignores %q on it; exactly [E3006] (the type cfn-lint 1.51 does not know)", id, ignored))
		}
	}
	sort.Strings(out)
	return out
}

// logAlarmProperties are the properties of AWS::CloudWatch::LogAlarm
// (CloudFormation resource reference) and whether each is required.
var logAlarmProperties = map[string]bool{
	"ActionConfiguration": false, "ActionLogLineCount": false, "ActionLogLineRoleArn": false, "ActionsEnabled": false,
	"AlarmActions": false, "AlarmDescription": false, "AlarmName": false, "ComparisonOperator": true,
	"InsufficientDataActions": false, "OKActions": false, "QueryResultsToAlarm": true, "QueryResultsToEvaluate": true,
	"ScheduledQueryConfiguration": true, "Tags": false, "Threshold": true, "TreatMissingData": false, "WarmUpConfiguration": false,
}

var scheduledQueryProperties = map[string]bool{
	"AggregationExpression": true, "LogGroupIdentifiers": true, "QueryString": true, "ScheduleConfiguration": true,
	"ScheduledQueryRoleARN": true, "Tags": false,
}

var scheduleProperties = map[string]bool{"ScheduleExpression": true, "StartTimeOffset": true, "EndTimeOffset": false}

// Valid values (PutLogAlarm).
var (
	logAlarmComparisons = []string{"GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"}
	treatMissingData    = []string{"breaching", "notBreaching", "ignore", "missing"}
	rateExpression      = regexp.MustCompile(`^rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)$`)
)

func logAlarmProblems(props map[string]any) []string {
	var p []string
	p = append(p, unknownOrMissing("", props, logAlarmProperties)...)
	if v, ok := props["ComparisonOperator"].(string); ok && !slices.Contains(logAlarmComparisons, v) {
		p = append(p, fmt.Sprintf("ComparisonOperator %q is not one of %v", v, logAlarmComparisons))
	}
	if v, ok := props["TreatMissingData"].(string); ok && !slices.Contains(treatMissingData, v) {
		p = append(p, fmt.Sprintf("TreatMissingData %q is not one of %v", v, treatMissingData))
	}
	if _, ok := props["Threshold"]; ok {
		if _, num := props["Threshold"].(float64); !num {
			p = append(p, "Threshold is not a number")
		}
	}
	evaluate, okE := intOf(props["QueryResultsToEvaluate"])
	alarm, okA := intOf(props["QueryResultsToAlarm"])
	if okE && (evaluate < 1 || evaluate > 100) {
		p = append(p, fmt.Sprintf("QueryResultsToEvaluate %d is outside 1 to 100", evaluate))
	}
	if okA && (alarm < 1 || (okE && alarm > evaluate)) {
		p = append(p, fmt.Sprintf("QueryResultsToAlarm %d must be 1 to QueryResultsToEvaluate (%d)", alarm, evaluate))
	}
	if n, ok := intOf(props["ActionLogLineCount"]); ok {
		if n < 0 || n > 50 {
			p = append(p, fmt.Sprintf("ActionLogLineCount %d is outside 0 to 50", n))
		}
		if _, role := props["ActionLogLineRoleArn"]; n > 0 && !role {
			p = append(p, "ActionLogLineCount is above 0 without ActionLogLineRoleArn")
		}
	}
	for _, list := range []string{"AlarmActions", "OKActions", "InsufficientDataActions"} {
		if actions, ok := props[list].([]any); ok && len(actions) > 5 {
			p = append(p, fmt.Sprintf("%s has %d actions; at most 5", list, len(actions)))
		}
	}
	p = append(p, maxChars(props, "AlarmDescription", 1024)...)
	p = append(p, maxChars(props, "AlarmName", 255)...)
	cfg, _ := props["ScheduledQueryConfiguration"].(map[string]any)
	if cfg == nil {
		return p
	}
	p = append(p, unknownOrMissing("ScheduledQueryConfiguration.", cfg, scheduledQueryProperties)...)
	p = append(p, maxChars(cfg, "QueryString", 10000)...)
	if v, ok := cfg["AggregationExpression"].(string); ok && (v == "" || utf8.RuneCountInString(v) > 256) {
		p = append(p, fmt.Sprintf("ScheduledQueryConfiguration.AggregationExpression is %d characters; 1 to 256", utf8.RuneCountInString(v)))
	}
	if groups, ok := cfg["LogGroupIdentifiers"].([]any); ok && (len(groups) < 1 || len(groups) > 50) {
		p = append(p, fmt.Sprintf("ScheduledQueryConfiguration.LogGroupIdentifiers has %d entries; 1 to 50", len(groups)))
	}
	schedule, _ := cfg["ScheduleConfiguration"].(map[string]any)
	if schedule == nil {
		return p
	}
	p = append(p, unknownOrMissing("ScheduledQueryConfiguration.ScheduleConfiguration.", schedule, scheduleProperties)...)
	if v, ok := schedule["ScheduleExpression"].(string); ok && !rateExpression.MatchString(v) {
		p = append(p, fmt.Sprintf("ScheduleExpression %q is not a rate() expression", v))
	}
	start, okS := intOf(schedule["StartTimeOffset"])
	end, okEnd := intOf(schedule["EndTimeOffset"])
	if okS && (start <= 0 || start > 2592000) {
		p = append(p, fmt.Sprintf("StartTimeOffset %d is outside 1 to 2592000 seconds", start))
	}
	if okEnd && (end < 0 || (okS && end >= start)) {
		p = append(p, fmt.Sprintf("EndTimeOffset %d must be 0 or more and less than StartTimeOffset", end))
	}
	return p
}

func unknownOrMissing(prefix string, props map[string]any, known map[string]bool) []string {
	var p []string
	for k := range props {
		if _, ok := known[k]; !ok {
			p = append(p, fmt.Sprintf("%s%s is not a property", prefix, k))
		}
	}
	for k, required := range known {
		if _, ok := props[k]; required && !ok {
			p = append(p, fmt.Sprintf("%s%s is required", prefix, k))
		}
	}
	sort.Strings(p)
	return p
}

func maxChars(props map[string]any, name string, limit int) []string {
	if v, ok := props[name].(string); ok && utf8.RuneCountInString(v) > limit {
		return []string{fmt.Sprintf("%s is %d characters; at most %d", name, utf8.RuneCountInString(v), limit)}
	}
	return nil
}

// intOf reads a literal whole number (JSON numbers decode as float64).
func intOf(v any) (int, bool) {
	f, ok := v.(float64)
	if !ok || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

// cfnLintIgnores is the rules cfn-lint's resource metadata ignores.
func cfnLintIgnores(res map[string]any) []string {
	md, _ := res["Metadata"].(map[string]any)
	cl, _ := md["cfn-lint"].(map[string]any)
	cfg, _ := cl["config"].(map[string]any)
	var out []string
	for _, v := range asList(cfg["ignore_checks"]) {
		out = append(out, strings.TrimSpace(fmt.Sprint(v)))
	}
	return out
}

func asList(v any) []any {
	switch l := v.(type) {
	case []any:
		return l
	case []string:
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out
	case nil:
		return nil
	}
	return []any{v}
}
