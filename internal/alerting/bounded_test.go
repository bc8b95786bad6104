package alerting

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/testing/cfnlinttest"
)

var regionName = regexp.MustCompile(`^[a-z]+(-[a-z]+)+-[0-9]$`)

func TestPipesAvailable_AsCfnLintKnowsThem(t *testing.T) {
	// GIVEN the Regions whose CloudFormation provider schemas in cfn-lint have no AWS::Pipes::Pipe
	// (one module per Region under cfnlint/data/schemas/providers, its "types" naming each type;
	// found without importing cfn-lint)
	out, err := exec.Command("python3", "-c", `import importlib.util; print(importlib.util.find_spec("cfnlint").submodule_search_locations[0])`).Output()
	if err != nil || strings.TrimSpace(string(out)) == "None" {
		if os.Getenv(cfnlinttest.RequireEnv) == "1" {
			t.Fatalf("cfn-lint's provider schemas: %v %s", err, out)
		}
		t.Skipf("cfn-lint not found (%v); .ci/run requires it", err)
	}
	modules, err := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "data", "schemas", "providers", "*_*_*.py"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, m := range modules {
		src, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		region := strings.ReplaceAll(strings.TrimSuffix(filepath.Base(m), ".py"), "_", "-")
		if !regionName.MatchString(region) {
			continue // not a Region's module
		}
		lines = append(lines, fmt.Sprintf("%s %v", region, map[bool]string{true: "True", false: "False"}[strings.Contains(string(src), `"AWS::Pipes::Pipe":`)]))
	}
	var without []string
	regions := 0
	for _, line := range lines {
		region, has, _ := strings.Cut(line, " ")
		regions++
		if has == "False" {
			without = append(without, region)
		}
		// THEN PipesAvailable says the same of each
		if got := PipesAvailable(region); got != (has == "True") {
			t.Errorf("PipesAvailable(%q) = %v, cfn-lint's schemas say %s", region, got, has)
		}
	}
	if regions < 30 {
		t.Fatalf("read %d Regions from cfn-lint: %s", regions, modules)
	}
	slices.Sort(without)
	if !slices.Equal(without, regionsWithoutPipes) {
		t.Errorf("regionsWithoutPipes = %q, cfn-lint's schemas: %q", regionsWithoutPipes, without)
	}
	// AND an environment-agnostic stack gets a pipe
	if !PipesAvailable("${Token[AWS.Region.9]}") {
		t.Error("an unresolved Region must get a pipe")
	}
}
