package tests

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLibraryImports_KeepAppBuildsSmall: the Go packages of aws-cdk-lib
// helpers whose bindings import dozens of unrelated services (ECS, RDS,
// SageMaker, Glue...) stay out of the library, so an app that imports
// kmsmonitor does not compile them (internal/cdkbyname creates those
// helpers instead). On an empty build cache that is about 77 s of CPU.
func TestLibraryImports_KeepAppBuildsSmall(t *testing.T) {
	// GIVEN the packages an app compiles when it imports the library
	out, err := exec.Command("go", "list", "-deps", "../constructs/kmsmonitor").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	// THEN none of the heavy helper packages is among them
	cdk := 0
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasPrefix(p, "github.com/aws/aws-cdk-go/awscdk/v2") {
			continue
		}
		cdk++
		for _, heavy := range []string{"/awseventstargets", "/awssnssubscriptions", "/awscloudwatchactions"} {
			if strings.HasSuffix(p, heavy) {
				t.Errorf("the library imports %s: use internal/cdkbyname (its bindings pull in dozens of aws-cdk-go packages)", p)
			}
		}
	}
	t.Logf("%d aws-cdk-go packages compiled for the library", cdk)
	if cdk == 0 {
		t.Fatalf("go list found no aws-cdk-go package: %s", out)
	}
}
