package cfnlinttest_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/testing/cfnlinttest"
)

func TestBatchReportsProblemsAndPassesCleanTemplates(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("cfn-lint"); err != nil {
		t.Skip("cfn-lint not found on PATH (pip install cfn-lint); .ci/run requires it")
	}
	// GIVEN a clean template and one with a misspelled property
	clean := map[string]any{"Resources": map[string]any{"Topic": map[string]any{"Type": "AWS::SNS::Topic"}}}
	bad := map[string]any{"Resources": map[string]any{"Topic": map[string]any{
		"Type": "AWS::SNS::Topic", "Properties": map[string]any{"TopicNmae": "x"},
	}}}
	// WHEN each batch is linted
	ok := cfnlinttest.NewBatch()
	ok.Add("clean", clean)
	skipped, err := ok.Run()
	// THEN the clean one passes and the bad one is reported by file and rule
	if err != nil || skipped != "" {
		t.Fatalf("clean template: skipped=%q err=%v", skipped, err)
	}
	b := cfnlinttest.NewBatch()
	b.Add("clean", clean)
	b.Add("Test/misspelled", bad)
	_, err = b.Run()
	if err == nil || !strings.Contains(err.Error(), "001-Test_misspelled.json") || !strings.Contains(err.Error(), "E3002") {
		t.Fatalf("want an E3002 report naming the template, got %v", err)
	}
}

func TestBatchLintsPieceByPieceAndIdenticalTemplatesOnce(t *testing.T) {
	// Not parallel: it runs before the other tests, alone with linter 0, which lints its first
	// piece while templates are still added and its last at Run; the parallel tests then share
	// that linter (a second one would cost 2 to 3 s of CPU to start).
	if _, err := exec.LookPath("cfn-lint"); err != nil {
		t.Skip("cfn-lint not found on PATH (pip install cfn-lint); .ci/run requires it")
	}
	// GIVEN more distinct templates than one cfn-lint run takes (pieceFiles), the first one misspelled
	// (so linted while templates are still added), AND one template added twice
	topic := func(property, name string) map[string]any {
		return map[string]any{"Resources": map[string]any{"Topic": map[string]any{
			"Type": "AWS::SNS::Topic", "Properties": map[string]any{property: name},
		}}}
	}
	b := cfnlinttest.NewBatch()
	b.Add("Test/misspelled", topic("TopicNmae", "x"))
	for i := 0; i < 24; i++ {
		b.Add(fmt.Sprintf("clean%d", i), topic("TopicName", fmt.Sprintf("topic-%d", i)))
	}
	b.Add("again", topic("TopicName", "topic-0"))
	// WHEN the batch is run
	n, distinct := b.Count(), b.Distinct()
	_, err := b.Run()
	// THEN the misspelled one is reported by file and rule, and the identical one was not added twice
	if err == nil || !strings.Contains(err.Error(), "000-Test_misspelled.json") || !strings.Contains(err.Error(), "E3002") {
		t.Fatalf("want an E3002 report naming the template, got %v", err)
	}
	if n != 26 || distinct != 25 {
		t.Errorf("%d templates, %d distinct; want 26 and 25", n, distinct)
	}
}

func TestLogAlarmFindings(t *testing.T) {
	// GIVEN a log alarm as kmsmonitor writes it, and one breaking each documented constraint
	var tpl map[string]any
	if err := json.Unmarshal([]byte(`{"Resources": {
	  "Good": {"Type": "AWS::CloudWatch::LogAlarm", "Metadata": {"cfn-lint": {"config": {"ignore_checks": ["E3006"]}}}, "Properties": {
	    "ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 1, "QueryResultsToAlarm": 1, "QueryResultsToEvaluate": 1,
	    "TreatMissingData": "notBreaching", "ActionLogLineCount": 10, "ActionLogLineRoleArn": {"Fn::GetAtt": ["R", "Arn"]},
	    "AlarmActions": [{"Ref": "T"}],
	    "ScheduledQueryConfiguration": {"AggregationExpression": "count(*) by key", "QueryString": "filter x", "LogGroupIdentifiers": [{"Ref": "G"}],
	      "ScheduledQueryRoleARN": {"Fn::GetAtt": ["Q", "Arn"]}, "ScheduleConfiguration": {"ScheduleExpression": "rate(5 minutes)", "StartTimeOffset": 900, "EndTimeOffset": 0}}}},
	  "Bad": {"Type": "AWS::CloudWatch::LogAlarm", "Metadata": {"cfn-lint": {"config": {"ignore_checks": ["E3006", "E3002"]}}}, "Properties": {
	    "ComparisonOperator": "GreaterThan", "Threshold": 1, "QueryResultsToAlarm": 3, "QueryResultsToEvaluate": 2,
	    "TreatMissingData": "NOT_BREACHING", "ActionLogLineCount": 51, "Period": 60,
	    "ScheduledQueryConfiguration": {"AggregationExpression": "", "QueryString": "filter x", "LogGroupIdentifiers": [],
	      "ScheduleConfiguration": {"ScheduleExpression": "cron(0/5 * * * ? *)", "StartTimeOffset": 300, "EndTimeOffset": 300}}}}
	}}`), &tpl); err != nil {
		t.Fatal(err)
	}
	// WHEN it is checked THEN the good one passes and each break is named
	got := strings.Join(cfnlinttest.LogAlarmFindings(tpl), "\n")
	for _, want := range []string{
		`Bad: ComparisonOperator "GreaterThan" is not one of`,
		`Bad: TreatMissingData "NOT_BREACHING"`,
		"Bad: QueryResultsToAlarm 3 must be 1 to QueryResultsToEvaluate (2)",
		"Bad: ActionLogLineCount 51 is outside 0 to 50",
		"Bad: ActionLogLineCount is above 0 without ActionLogLineRoleArn",
		"Bad: Period is not a property",
		"Bad: ScheduledQueryConfiguration.ScheduledQueryRoleARN is required",
		"Bad: ScheduledQueryConfiguration.AggregationExpression is 0 characters",
		"Bad: ScheduledQueryConfiguration.LogGroupIdentifiers has 0 entries",
		`Bad: ScheduleExpression "cron(0/5 * * * ? *)" is not a rate() expression`,
		"Bad: EndTimeOffset 300 must be 0 or more and less than StartTimeOffset",
		`Bad: cfn-lint ignores ["E3006" "E3002"] on it`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Good:") {
		t.Errorf("the good log alarm has findings:\n%s", got)
	}
}
