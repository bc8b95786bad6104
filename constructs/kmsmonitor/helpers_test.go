package kmsmonitor_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/jsiiprocess"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/cfnlinttest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/eventbridgetest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/iamlinttest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/iamsimtest"
)

// lint collects every template the tests synthesize; TestMain lints them all.
var lint = cfnlinttest.NewBatch()

// paths checks the delivery paths of every template the tests synthesize.
var paths = iamsimtest.NewChecker()

func TestMain(m *testing.M) {
	// Apps made without an outdir synthesize into cdk.out* folders under the
	// temporary folder of the Node.js process: give it one that is removed.
	tmp, err := os.MkdirTemp("", "kmsmonitor-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("TMPDIR", tmp)
	closeJSII := jsiiprocess.Start() // after TMPDIR, which the Node.js process inherits
	go moto.once.Do(startMoto)       // its 3 s of start-up while jsii starts
	primeValidation()
	code := m.Run()
	fmt.Println(primedSummary())
	moto.once.Do(func() {}) // waits for the start if no test needed it yet
	moto.server.Close()
	// The IAM simulator's Node.js process writes to the filtered standard
	// error: stop it before closeJSII waits for that stream to end.
	code = paths.Finish(lint.Finish(code))
	closeJSII()
	os.RemoveAll(tmp)
	os.Exit(code)
}

// moto is started by TestMain, in the background, and stopped by it.
var moto struct {
	once   sync.Once
	server *eventbridgetest.Server
	err    error
}

func startMoto() { moto.server, moto.err = eventbridgetest.Start() }

// eventBridge returns the shared moto server, or skips (fails where
// eventbridgetest.RequireEnv demands it) when moto is not installed.
func eventBridge(t *testing.T) *eventbridgetest.Server {
	t.Helper()
	moto.once.Do(startMoto)
	if errors.Is(moto.err, eventbridgetest.ErrUnavailable) && !eventbridgetest.Required() {
		t.Skipf("pattern fidelity not checked: %v (.ci/run requires it)", moto.err)
	}
	if moto.err != nil {
		t.Fatal(moto.err)
	}
	return moto.server
}

// newApp returns an app for one test that synthesizes as one made by cdk
// init today (CLI 2.1149.0): aws-cdk-lib's built-in CloudFormation validation
// (v2.250 and later) runs at every synthesis, and its errors fail it
// (@aws-cdk/core:validateAgainstDefaultRules, which cdk init's cdk.json sets).
// synth reports what it found.
func newApp() awscdk.App {
	return awscdk.NewApp(&awscdk.AppProps{
		Context: &map[string]interface{}{"@aws-cdk/core:validateAgainstDefaultRules": true},
	})
}

// newStack returns an environment-agnostic stack "Stack" in a new app.
func newStack() awscdk.Stack {
	return awscdk.NewStack(newApp(), jsii.String("Stack"), nil)
}

// synth synthesizes stack and queues its template for cfn-lint.
func synth(t *testing.T, stack awscdk.Stack) template {
	t.Helper()
	return synthAs(t, t.Name(), stack, nil)
}

// synthAs synthesizes stack, and holds its template, named name, to every
// judge: cfn-lint for the stack's Region (for agnostic when the stack has
// none and agnostic is not nil, else cfn-lint's default, us-east-1), no
// over-broad permission, every delivery path working.
func synthAs(t *testing.T, name string, stack awscdk.Stack, agnostic []interface{}) template {
	t.Helper()
	tpl := templateOf(t, stack)
	// One copy of the template across jsii: each ToJSON call carries the whole template.
	j := *tpl.ToJSON()
	notePrimed(j)
	regions := agnostic
	if r := literal(stack.Region()); r != "" {
		regions = arr{r}
	}
	lintIn(name, j, regions)
	// Every template of every test: no Allow of "*" or "service:*" (iamlinttest.Exceptions aside).
	for _, f := range iamlinttest.Findings(j) {
		t.Errorf("%s: over-broad permission: %s", name, f)
	}
	// Log alarms, which cfn-lint 1.51 does not know, against the CloudWatch API reference.
	for _, f := range cfnlinttest.LogAlarmFindings(j) {
		t.Errorf("%s: log alarm: %s", name, f)
	}
	paths.Check(t, name, j, literal(stack.Account()), literal(stack.Region()))
	return template{t: t, tpl: tpl, json: j}
}

// lintIn queues tpl for cfn-lint, for regions when given (cfn-lint's own
// template metadata, on a copy), else for cfn-lint's default, us-east-1.
func lintIn(name string, tpl map[string]interface{}, regions []interface{}) {
	if regions == nil {
		lint.Add(name, tpl)
		return
	}
	linted := map[string]interface{}{}
	for k, v := range tpl {
		linted[k] = v
	}
	meta := map[string]interface{}{"cfn-lint": obj{"config": obj{"regions": regions}}}
	if m, ok := tpl["Metadata"].(map[string]interface{}); ok {
		for k, v := range m {
			meta[k] = v
		}
	}
	linted["Metadata"] = meta
	lint.Add(name, linted)
}

// templateOf synthesizes stack and returns its template; a synthesis that
// aws-cdk-lib's built-in validation refuses fails t with the violations.
func templateOf(t *testing.T, stack awscdk.Stack) (tpl assertions.Template) {
	t.Helper()
	if msg := panicMessage(func() { tpl = assertions.Template_FromStack(stack, nil) }); msg != "" {
		t.Fatalf("%s: %s", msg, validationViolations(msg))
	}
	return tpl
}

// primedTypes are the resource types of every template the tests
// synthesize (and a few more). aws-cdk-lib's built-in validation keeps one
// engine per process and builds it again (about 0.25 s) whenever a synthesis brings a type the
// engine was not built for, and then only for that synthesis's types: tests
// that alternate between constructs built it at almost every synthesis, 20 to
// 30 s in all. TestMain primes it once with all of these; the templates are
// validated as before (the engine is the same for every type it holds).
var primedTypes = []string{
	"AWS::CDK::Metadata",
	"AWS::CloudFormation::Stack", "AWS::CloudFormation::StackSet", "AWS::CloudFormation::WaitConditionHandle",
	"AWS::CloudTrail::Trail",
	"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm", "AWS::CloudWatch::Dashboard", "AWS::CloudWatch::LogAlarm",
	"AWS::Events::EventBus", "AWS::Events::EventBusPolicy", "AWS::Events::Rule",
	"AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::IAM::Role",
	"AWS::KMS::Alias", "AWS::KMS::Key", "AWS::KMS::ReplicaKey",
	"AWS::Kinesis::Stream",
	"AWS::Lambda::Function", "AWS::Lambda::Permission",
	"AWS::Logs::LogGroup", "AWS::Logs::MetricFilter", "AWS::Logs::ResourcePolicy",
	"AWS::Organizations::Policy",
	"AWS::Pipes::Pipe",
	"AWS::S3::Bucket", "AWS::S3::BucketPolicy",
	"AWS::SNS::Subscription", "AWS::SNS::Topic", "AWS::SNS::TopicPolicy",
	"AWS::SQS::Queue", "AWS::SQS::QueuePolicy",
	"AWS::SSM::Document",
}

// primeValidation synthesizes, outside any test, an app with one resource of
// each primed type, so that the validation engine is built once for all of
// them. Its findings (the resources have no properties) are neither printed
// nor raised.
func primeValidation() {
	// Errors are errors (no warning preamble), and are not printed or raised.
	app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]interface{}{
		"@aws-cdk/core:validateAgainstDefaultRules": true,
		"@aws-cdk/core:failSynthOnValidationErrors": false,
	}})
	stack := awscdk.NewStack(app, jsii.String("ValidationPrimer"), nil)
	for i, typ := range primedTypes {
		awscdk.NewCfnResource(stack, jsii.String(fmt.Sprint("R", i)), &awscdk.CfnResourceProps{Type: jsii.String(typ)})
	}
	app.Synth(nil)
}

// unprimed holds the resource types, outside primedTypes, of the templates
// the tests synthesized, and how many syntheses had one: each built the
// validation engine again (TestMain prints them).
var unprimed struct {
	sync.Mutex
	types     map[string]bool
	syntheses int
}

// notePrimed records the types of template that primedTypes lacks.
func notePrimed(template map[string]interface{}) {
	resources, _ := template["Resources"].(map[string]interface{})
	unprimed.Lock()
	defer unprimed.Unlock()
	missed := false
	for _, r := range resources {
		typ, _ := r.(map[string]interface{})["Type"].(string)
		if !slices.Contains(primedTypes, typ) {
			if unprimed.types == nil {
				unprimed.types = map[string]bool{}
			}
			unprimed.types[typ] = true
			missed = true
		}
	}
	if missed {
		unprimed.syntheses++
	}
}

// primedSummary says whether the validation engine was built once.
func primedSummary() string {
	unprimed.Lock()
	defer unprimed.Unlock()
	if unprimed.syntheses == 0 {
		return fmt.Sprintf("built-in validation: one engine for the %d primed resource types", len(primedTypes))
	}
	return fmt.Sprintf("built-in validation: %d syntheses rebuilt the engine for types not in primedTypes (add them): %s",
		unprimed.syntheses, strings.Join(slices.Sorted(maps.Keys(unprimed.types)), ", "))
}

var validationReport = regexp.MustCompile(`found in: (\S+validation-report\.json)`)

// validationViolations returns the violations listed in the validation report
// that a ValidationFailed message names ("" when it names none).
func validationViolations(msg string) string {
	m := validationReport.FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	raw, err := os.ReadFile(m[1])
	if err != nil {
		return err.Error()
	}
	var report struct {
		PluginReports []struct {
			Violations []struct {
				RuleName, Description string
				ViolatingResources    []struct{ ResourceLogicalId, TemplatePath string }
			}
		}
	}
	if err := json.Unmarshal(raw, &report); err != nil {
		return string(raw)
	}
	var out []string
	for _, r := range report.PluginReports {
		for _, v := range r.Violations {
			out = append(out, fmt.Sprintf("%s: %s %v", v.RuleName, v.Description, v.ViolatingResources))
		}
	}
	return strings.Join(out, "\n")
}

// literal returns v, or "" when it is resolved only at deploy time.
func literal(v *string) string {
	if v == nil || *awscdk.Token_IsUnresolved(v) {
		return ""
	}
	return *v
}

// template turns failed assertions (jsii panics) into test errors, so one
// failure does not end the whole test binary.
type template struct {
	t    *testing.T
	tpl  assertions.Template
	json map[string]interface{} // tpl.ToJSON(), read once: the helpers below only read it
}

func (w template) try(f func()) {
	w.t.Helper()
	if msg := panicMessage(f); msg != "" {
		w.t.Error(msg)
	}
}

// HasResourceProperties asserts that a resource of type typ has props.
func (w template) HasResourceProperties(typ string, props obj) {
	w.t.Helper()
	w.try(func() { w.tpl.HasResourceProperties(jsii.String(typ), props) })
}

// HasResource asserts that a resource of type typ matches v (Properties, DeletionPolicy...).
func (w template) HasResource(typ string, v obj) {
	w.t.Helper()
	w.try(func() { w.tpl.HasResource(jsii.String(typ), v) })
}

// AllResourcesProperties asserts that every resource of type typ has props.
func (w template) AllResourcesProperties(typ string, props obj) {
	w.t.Helper()
	w.try(func() { w.tpl.AllResourcesProperties(jsii.String(typ), props) })
}

// ResourceCountIs asserts the number of resources of type typ.
func (w template) ResourceCountIs(typ string, n int) {
	w.t.Helper()
	w.try(func() { w.tpl.ResourceCountIs(jsii.String(typ), jsii.Number(n)) })
}

// JSON returns the synthesized template.
func (w template) JSON() map[string]interface{} { return w.json }

// panicMessage runs f and returns the message it panicked with ("" if none).
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// wantPanic fails unless f panics with a message containing every part.
func wantPanic(t *testing.T, f func(), parts ...string) {
	t.Helper()
	msg := panicMessage(f)
	if msg == "" {
		t.Fatalf("no panic; want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("panic message lacks %q:\n%s", p, msg)
		}
	}
}

// obj and arr shorten assertion literals.
type obj = map[string]interface{}
type arr = []interface{}

func objLike(v obj) assertions.Matcher { return assertions.Match_ObjectLike(&v) }
func arrWith(v ...interface{}) assertions.Matcher {
	return assertions.Match_ArrayWith(&v)
}

// resourcesOfType returns the resources of type typ in a synthesized template.
func (w template) resourcesOfType(typ string) []map[string]interface{} {
	var out []map[string]interface{}
	for _, r := range w.JSON()["Resources"].(map[string]interface{}) {
		if res := r.(map[string]interface{}); res["Type"] == typ {
			out = append(out, res)
		}
	}
	return out
}

// message returns the path and the text of a synthesis message that
// assertions.Annotations found. assertions returns cxapi.SynthesisMessage,
// deprecated since its definition moved to @aws-cdk/cloud-assembly-api,
// which has no Go binding: this is the one place that reads it.
//
//lint:ignore SA1019 see above
func message(m *cxapi.SynthesisMessage) (path, text string) {
	//lint:ignore SA1019 see above
	return *m.Id, fmt.Sprint(m.Entry.Data)
}
