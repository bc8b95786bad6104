package cfnlinttest_test

import (
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
