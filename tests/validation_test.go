package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// builtinValidation is aws-cdk-lib's built-in CloudFormation validation
// (CloudFormationValidatePlugin, the default rules), which a Go CDK app made
// by cdk init today runs at every synthesis, its errors failing it
// (@aws-cdk/core:validateAgainstDefaultRules in cdk.json).
//
// The tests run the example apps with it off (CDK_VALIDATION=false) and
// validate every template they write here instead, with the same plugin, in
// this test binary's one Node.js process: the plugin loads every
// CloudFormation resource schema when it starts, about 4 s of CPU in each app
// process (an app run takes 5.5 s of CPU with it, 1.6 s without), so fifteen
// runs paid a minute for it. Any violation fails the run, warnings included (an app
// prints those). .ci/run's cdk synth of each example, and .ci/newcomer-app,
// run it inside the app as users do.
var builtinValidation struct {
	mu        sync.Mutex // jsii is not thread-safe inside a process
	plugin    awscdk.CloudFormationValidatePlugin
	templates int // validated so far
}

// validationContext is what the plugin reads: the templates, each with its
// stack's construct path, account and Region, as synthesis gives them.
type validationContext struct {
	root   constructs.IConstruct
	stacks []*awscdk.PolicyValidationStack
}

func (c *validationContext) AccountId() *string                  { return nil }
func (c *validationContext) Region() *string                     { return nil }
func (c *validationContext) AppConstruct() constructs.IConstruct { return c.root }
func (c *validationContext) StackTemplates() *[]*awscdk.PolicyValidationStack {
	return &c.stacks
}
func (c *validationContext) TemplatePaths() *[]*string {
	paths := make([]*string, len(c.stacks))
	for i, s := range c.stacks {
		paths[i] = s.TemplatePath
	}
	return &paths
}

// validateAssembly validates every stack template of the cloud assembly in
// dir (nested assemblies included) as synthesis would, and returns the
// violations found, one per line ("" when there is none).
func validateAssembly(dir string) (string, error) {
	stacks, err := assemblyStacks(dir)
	if err != nil || len(stacks) == 0 {
		return "", err
	}
	builtinValidation.mu.Lock()
	defer builtinValidation.mu.Unlock()
	if builtinValidation.plugin == nil {
		builtinValidation.plugin = awscdk.NewCloudFormationValidatePlugin(nil)
	}
	builtinValidation.templates += len(stacks)
	report := builtinValidation.plugin.Validate(&validationContext{root: awscdk.NewApp(nil), stacks: stacks})
	var out []string
	for _, v := range *report.Violations {
		var where []string
		for _, r := range *v.ViolatingResources {
			where = append(where, filepath.Base(str(r.TemplatePath))+" "+str(r.ResourceLogicalId)+str(r.ConstructPath))
		}
		out = append(out, fmt.Sprintf("%s %s: %s (%s)", str(v.Severity), str(v.RuleName), str(v.Description), strings.Join(where, ", ")))
	}
	return strings.Join(out, "\n"), nil
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// assemblyStacks lists the stacks of the cloud assembly in dir and of its
// nested assemblies, with their templates' absolute paths and environments.
func assemblyStacks(dir string) ([]*awscdk.PolicyValidationStack, error) {
	var manifest struct {
		Artifacts map[string]struct {
			Type        string `json:"type"`
			Environment string `json:"environment"`
			Properties  struct {
				TemplateFile  string `json:"templateFile"`
				DirectoryName string `json:"directoryName"`
			} `json:"properties"`
			DisplayName string `json:"displayName"`
		} `json:"artifacts"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	var out []*awscdk.PolicyValidationStack
	for name, a := range manifest.Artifacts {
		switch a.Type {
		case "aws:cloudformation:stack":
			account, region := environmentOf(a.Environment)
			path := a.DisplayName
			if path == "" {
				path = name
			}
			s := &awscdk.PolicyValidationStack{
				StackConstructPath: jsii.String(path),
				TemplatePath:       jsii.String(filepath.Join(dir, a.Properties.TemplateFile)),
			}
			if account != "" {
				s.AccountId = jsii.String(account)
			}
			if region != "" {
				s.Region = jsii.String(region)
			}
			out = append(out, s)
		case "cdk:cloud-assembly":
			nested, err := assemblyStacks(filepath.Join(dir, a.Properties.DirectoryName))
			if err != nil {
				return nil, err
			}
			out = append(out, nested...)
		}
	}
	return out, nil
}

func TestBuiltinValidation_RefusesWhatSynthesisWouldRefuse(t *testing.T) {
	// GIVEN a cloud assembly whose one stack has a rule with a one-branch
	// "$or" (aws-cdk-lib's validation error E9014, which an app made by cdk
	// init refuses at synthesis) and a clean one
	dir := t.TempDir()
	rule := func(pattern any) map[string]any {
		return map[string]any{"Resources": map[string]any{"Rule": map[string]any{
			"Type": "AWS::Events::Rule", "Properties": map[string]any{"EventPattern": pattern, "State": "ENABLED"},
		}}}
	}
	write := func(name string, v any) {
		data, _ := json.Marshal(v)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("Bad.template.json", rule(map[string]any{"source": []any{"aws.kms"}, "$or": []any{map[string]any{"detail-type": []any{"x"}}}}))
	write("Good.template.json", rule(map[string]any{"source": []any{"aws.kms"}}))
	stack := func(name string) map[string]any {
		return map[string]any{"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region",
			"displayName": name, "properties": map[string]any{"templateFile": name + ".template.json"}}
	}
	write("manifest.json", map[string]any{"version": "55.0.0", "artifacts": map[string]any{"Bad": stack("Bad"), "Good": stack("Good")}})
	// WHEN it is validated THEN the bad stack's rule is reported, and only it
	got, err := validateAssembly(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "E9014") || !strings.Contains(got, "Bad.template.json Rule") || strings.Contains(got, "Good.template.json") {
		t.Errorf("violations: %q", got)
	}
}
