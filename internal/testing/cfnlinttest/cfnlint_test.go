package cfnlinttest_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/testing/cfnlinttest"
)

func TestBatchReportsProblemsAndPassesCleanTemplates(t *testing.T) {
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
