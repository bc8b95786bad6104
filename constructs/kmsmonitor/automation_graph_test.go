package kmsmonitor_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/constructs/kmsmonitor"
)

// automationOutputTypes are the output types the Automation documentation
// defines for steps (Automation actions reference, "outputs").
var automationOutputTypes = []string{"String", "Integer", "Boolean", "StringList", "StringMap", "MapList"}

// automationStep is one step of an Automation document, with where it may go.
type automationStep struct {
	name, action string
	raw          map[string]any
	next         []string // on success
	onFailure    string   // a step on failure; "" for Abort (the default) and Continue's next
	end          bool     // no next step on success
}

// automationSteps reads the mainSteps of content, resolving each step's
// successors as Automation does: nextStep, else the next step in the list
// unless isEnd; a branch goes to its choices' NextStep and its Default;
// onFailure "step:NAME" goes to NAME, "Continue" to the next step.
func automationSteps(t *testing.T, content map[string]any) []automationStep {
	t.Helper()
	raw, _ := content["mainSteps"].([]any)
	steps := make([]automationStep, len(raw))
	for i, r := range raw {
		m := r.(map[string]any)
		s := automationStep{name: fmt.Sprint(m["name"]), action: fmt.Sprint(m["action"]), raw: m}
		following := ""
		if i+1 < len(raw) {
			following = fmt.Sprint(raw[i+1].(map[string]any)["name"])
		}
		switch {
		case s.action == "aws:branch":
			in := m["inputs"].(map[string]any)
			for _, c := range in["Choices"].([]any) {
				s.next = append(s.next, fmt.Sprint(c.(map[string]any)["NextStep"]))
			}
			if d, ok := in["Default"]; ok {
				s.next = append(s.next, fmt.Sprint(d))
			}
		case m["isEnd"] == true:
			s.end = true
		case m["nextStep"] != nil:
			s.next = []string{fmt.Sprint(m["nextStep"])}
		case following != "":
			s.next = []string{following}
		default:
			s.end = true
		}
		switch f := fmt.Sprint(m["onFailure"]); {
		case strings.HasPrefix(f, "step:"):
			s.onFailure = strings.TrimPrefix(f, "step:")
		case f == "Continue":
			s.onFailure = following
		}
		steps[i] = s
	}
	return steps
}

var outputRef = regexp.MustCompile(`\{\{ *(\w+)\.(\w+) *\}\}`)

// checkAutomationGraph walks the document as a graph: every target exists,
// every step is reachable, every AWS API step retries (maxAttempts), outputs
// have documented types, and on every path a step reads only outputs of
// steps that succeeded before it on that path. With notify, every path ends
// in exactly one SNS Publish step, and every Publish step ends its path.
// It returns the paths, each as the steps it goes through.
func checkAutomationGraph(t *testing.T, name string, content map[string]any, notify bool) [][]string {
	t.Helper()
	steps := automationSteps(t, content)
	byName := map[string]automationStep{}
	outputs := map[string][]string{}
	for _, s := range steps {
		if _, dup := byName[s.name]; dup {
			t.Errorf("%s: two steps named %s", name, s.name)
		}
		byName[s.name] = s
		for _, o := range asSlice(s.raw["outputs"]) {
			out := o.(map[string]any)
			outputs[s.name] = append(outputs[s.name], fmt.Sprint(out["Name"]))
			if !slices.Contains(automationOutputTypes, fmt.Sprint(out["Type"])) {
				t.Errorf("%s: step %s output %v has type %v, not one the Automation documentation defines", name, s.name, out["Name"], out["Type"])
			}
		}
		if s.action == "aws:executeScript" {
			outputs[s.name] = append(outputs[s.name], "OutputPayload")
		}
		if strings.HasPrefix(s.action, "aws:executeAwsApi") || strings.HasSuffix(s.action, "AwsResourceProperty") {
			if n, _ := s.raw["maxAttempts"].(float64); n < 2 {
				t.Errorf("%s: AWS API step %s is not retried (maxAttempts %v): a throttled call would end the automation", name, s.name, s.raw["maxAttempts"])
			}
		}
	}
	for _, s := range steps {
		for _, n := range append(slices.Clone(s.next), s.onFailure) {
			if n != "" && byName[n].name == "" {
				t.Errorf("%s: step %s goes to %s, which does not exist", name, s.name, n)
			}
		}
	}
	isPublish := func(s automationStep) bool {
		in, _ := s.raw["inputs"].(map[string]any)
		return s.action == "aws:executeAwsApi" && in["Service"] == "sns" && in["Api"] == "Publish"
	}
	// Every path from the first step, each step either succeeding or failing.
	var paths [][]string
	reached := map[string]bool{}
	var walk func(at string, path []string, succeeded map[string]bool)
	walk = func(at string, path []string, succeeded map[string]bool) {
		s := byName[at]
		if s.name == "" || slices.Contains(path, at) {
			if s.name != "" {
				t.Errorf("%s: a loop through %s", name, at)
			}
			return
		}
		reached[at] = true
		path = append(slices.Clone(path), at)
		text := toJSON(t, s.raw["inputs"])
		for _, m := range outputRef.FindAllStringSubmatch(text, -1) {
			if _, isStep := byName[m[1]]; isStep && !succeeded[m[1]] {
				t.Errorf("%s: on the path %s, step %s reads %s.%s, a step that did not succeed on that path", name, strings.Join(path, " > "), at, m[1], m[2])
			} else if isStep && !slices.Contains(outputs[m[1]], m[2]) {
				t.Errorf("%s: step %s reads %s.%s, which that step does not output", name, at, m[1], m[2])
			}
		}
		if notify && isPublish(s) && !s.end {
			t.Errorf("%s: Publish step %s does not end its path", name, at)
		}
		ok := map[string]bool{at: true}
		for k := range succeeded {
			ok[k] = true
		}
		if s.end {
			paths = append(paths, path)
			if notify && !isPublish(s) {
				t.Errorf("%s: the path %s ends without a notification", name, strings.Join(path, " > "))
			}
		}
		for _, n := range s.next {
			walk(n, path, ok)
		}
		if s.onFailure != "" && s.action != "aws:branch" && s.action != "aws:sleep" {
			walk(s.onFailure, path, succeeded)
		}
	}
	walk(steps[0].name, nil, map[string]bool{})
	for _, s := range steps {
		if !reached[s.name] {
			t.Errorf("%s: step %s is never reached", name, s.name)
		}
	}
	if notify {
		for _, p := range paths {
			n := 0
			for _, at := range p {
				if isPublish(byName[at]) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s: the path %s notifies %d times", name, strings.Join(p, " > "), n)
			}
		}
	}
	return paths
}

// asSlice returns v as a slice, nil when it is not one.
func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func TestAutomationDocuments_WalkedAsGraphs(t *testing.T) {
	// GIVEN every Automation document kmsmonitor writes: DeletionCheck's, and key-aware AutoCancelDeletion's
	stack := newStack()
	kmsmonitor.NewDeletionCheck(stack, jsii.String("Check"), nil)
	kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("Cancel"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.KeyAwareAllKeys()})
	alarm := awscloudwatch.Alarm_FromAlarmArn(stack, jsii.String("A"), jsii.String("arn:aws:cloudwatch:us-east-1:111122223333:alarm:pending"))
	kmsmonitor.NewAutoCancelDeletion(stack, jsii.String("AlarmCancel"), &kmsmonitor.AutoCancelDeletionProps{Mode: kmsmonitor.AlarmDriven(alarm, nil, []string{keyArn})})
	tpl := synth(t, stack)
	docs := tpl.resourcesOfType("AWS::SSM::Document")
	if len(docs) != 2 {
		t.Fatalf("%d documents; want DeletionCheck's and key-aware AutoCancelDeletion's (alarm-driven mode runs AWS's own runbook)", len(docs))
	}
	for _, d := range docs {
		content := d["Properties"].(map[string]any)["Content"].(map[string]any)
		desc := fmt.Sprint(content["description"])
		// WHEN each is walked as a graph THEN every step is reachable, every target exists, API steps retry,
		// outputs are typed as documented, no path reads an output its steps did not produce
		if strings.Contains(desc, "DeletionCheck") {
			// AND each of DeletionCheck's paths ends in exactly one notification
			paths := checkAutomationGraph(t, "DeletionCheck", content, true)
			ends := map[string]bool{}
			for _, p := range paths {
				ends[p[len(p)-1]] = true
			}
			// AND every outcome has its own: cancelled, kept, check failed (cancelled or not), not pending,
			// cancellation failed, cancelled but not confirmed, cancelled meanwhile by something else, not checked
			want := []string{"NotifyCancelled", "NotifyScheduled", "NotifyCancelledUnreadable", "NotifyUnreadable", "NotifyNotPending", "NotifyCancelFailed", "NotifyCancelNotConfirmed", "NotifyCancelledElsewhere", "NotifyFailed", "NotifyExempt"}
			for _, w := range want {
				if !ends[w] {
					t.Errorf("DeletionCheck: no path ends in %s", w)
				}
			}
			if len(ends) != len(want) {
				t.Errorf("DeletionCheck: paths end in %v; want %v", ends, want)
			}
			t.Logf("DeletionCheck: %d paths", len(paths))
		} else {
			// (key-aware AutoCancelDeletion notifies through its rule's message, not from the document)
			checkAutomationGraph(t, "key-aware AutoCancelDeletion", content, false)
		}
	}
}
