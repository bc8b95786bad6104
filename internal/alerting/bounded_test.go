package alerting

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/testing/cfnlinttest"
)

func TestPipesAvailable_AsCfnLintKnowsThem(t *testing.T) {
	// GIVEN the Regions whose CloudFormation provider schemas in cfn-lint have no AWS::Pipes::Pipe
	out, err := exec.Command("python3", "-c", `
import importlib, pkgutil
import cfnlint.data.schemas.providers as providers
for m in pkgutil.iter_modules(providers.__path__):
    types = getattr(importlib.import_module(providers.__name__ + "." + m.name), "types", {})
    print(m.name.replace("_", "-"), "AWS::Pipes::Pipe" in types)
`).Output()
	if err != nil {
		if os.Getenv(cfnlinttest.RequireEnv) == "1" {
			t.Fatalf("cfn-lint's provider schemas: %v", err)
		}
		t.Skipf("cfn-lint not importable (%v); .ci/run requires it", err)
	}
	var without []string
	regions := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
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
		t.Fatalf("read %d Regions from cfn-lint: %s", regions, out)
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
