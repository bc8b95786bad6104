package tests

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kmsmonitor/kmsmonitor/internal/jsiiprocess"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/cfnlinttest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/iamlinttest"
	"github.com/kmsmonitor/kmsmonitor/internal/testing/iamsimtest"
)

var update = flag.Bool("update", false, "rewrite the golden templates under testdata/ with what the apps synthesize now")

var lint = cfnlinttest.NewBatch()

// paths checks the delivery paths of every template the tests synthesize.
var paths = iamsimtest.NewChecker()

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "kmsmonitor-apps-")
	if err != nil {
		panic(err)
	}
	apps.dir = dir
	// The Node.js process of the built-in validation keeps its files in a temporary folder of its own.
	os.Setenv("TMPDIR", filepath.Join(dir, "jsii"))
	if err := os.Mkdir(os.Getenv("TMPDIR"), 0o700); err != nil {
		panic(err)
	}
	closeJSII := jsiiprocess.Start()
	code := m.Run()
	fmt.Printf("built-in validation: %d templates of the apps' cloud assemblies, validated in this process\n", builtinValidation.templates)
	code = paths.Finish(lint.Finish(code))
	closeJSII()
	os.RemoveAll(dir)
	os.Exit(code)
}

// apps holds every synthesis of an example app that the tests ran, by app,
// context and account: a test that needs the same synthesis as another reads
// its cloud assembly instead of running the app again (each run starts
// Node.js and loads aws-cdk-lib: seconds). The tests that run apps are
// parallel: jsii's single-thread limit holds inside a process, and each run
// is a process of its own.
var apps struct {
	dir    string
	mu     sync.Mutex
	runs   map[string]*appRun
	builds map[string]*appBuild
}

// appBuild is an example app built once: go run would check it again at every run.
type appBuild struct {
	once sync.Once
	bin  string
	err  error
}

// appBinary returns the executable that go run runs for the app in dir,
// looked up once per test binary. Since Go 1.24 go run keeps the executables
// it links in the build cache: go run -exec echo prints that path instead of
// running it, in about 0.5 s when the app did not change (go build -o would
// link the app again: 3 to 4 s of CPU for each app). When it had to link
// the app, it prints the temporary path of the link (removed as go exits)
// and keeps the executable: asked again, it prints the cached one. Where no
// executable is kept (GOCACHEPROG, say), the app is built into the tests' folder.
func appBinary(dir string) (string, error) {
	apps.mu.Lock()
	if apps.builds == nil {
		apps.builds = map[string]*appBuild{}
	}
	b := apps.builds[dir]
	if b == nil {
		b = &appBuild{}
		apps.builds[dir] = b
		b.bin = filepath.Join(apps.dir, fmt.Sprintf("app%d", len(apps.builds)))
	}
	apps.mu.Unlock()
	b.once.Do(func() {
		if echo, err := exec.LookPath("echo"); err == nil {
			for range 2 {
				out, runErr := exec.Command("go", "run", "-exec", echo, dir).Output()
				if cached := strings.TrimSpace(string(out)); runErr == nil && filepath.IsAbs(cached) {
					if info, err := os.Stat(cached); err == nil && info.Mode().IsRegular() {
						b.bin = cached
						return
					}
				}
			}
		}
		if out, err := exec.Command("go", "build", "-o", b.bin, dir).CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build %s: %v\n%s", dir, err, out)
		}
	})
	return b.bin, b.err
}

type appRun struct {
	once   sync.Once
	out    string // the cloud assembly folder
	output string // what the app printed
	err    error
}

// runApp runs the Go CDK app in dir as the CDK CLI does (go run: built once), with the context
// ctx and the account the CLI would pass (CDK_DEFAULT_ACCOUNT, "" when it
// found no AWS credentials), once per app, context and account in this test
// binary, and returns the cloud assembly folder and what the app printed.
func runApp(t *testing.T, dir string, ctx map[string]any, account string) (out, output string) {
	t.Helper()
	ctxJSON, err := json.Marshal(ctx) // sorted keys: one key per context
	if err != nil {
		t.Fatal(err)
	}
	key := dir + "\x00" + string(ctxJSON) + "\x00" + account
	apps.mu.Lock()
	if apps.runs == nil {
		apps.runs = map[string]*appRun{}
	}
	r := apps.runs[key]
	if r == nil {
		r = &appRun{out: filepath.Join(apps.dir, fmt.Sprint(len(apps.runs)))}
		apps.runs[key] = r
	}
	apps.mu.Unlock()
	r.once.Do(func() {
		bin, err := appBinary(dir)
		if err != nil {
			r.err = err
			return
		}
		cmd := exec.Command(bin)
		// The built-in validation runs here, on what the app wrote (builtinValidation).
		cmd.Env = append(os.Environ(), "CDK_OUTDIR="+r.out, "CDK_CONTEXT_JSON="+string(ctxJSON), "CDK_DEFAULT_ACCOUNT="+account, "CDK_VALIDATION=false")
		b, err := cmd.CombinedOutput()
		r.output = string(b)
		if err != nil {
			r.err = fmt.Errorf("%s (built from %s): %v\n%s", bin, dir, err, b)
			return
		}
		if violations, err := validateAssembly(r.out); err != nil || violations != "" {
			r.err = fmt.Errorf("%s with context %s: aws-cdk-lib's built-in validation (which fails cdk synth in an app made by cdk init): %v%s", dir, ctxJSON, err, violations)
		}
	})
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.out, r.output
}

// cdkJSONContext returns the context of cdk.json, which the CDK CLI passes to the apps.
func cdkJSONContext(t *testing.T) map[string]any {
	t.Helper()
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	readJSON(t, "../cdk.json", &cdkJSON)
	return cdkJSON.Context
}

// synthApp runs the Go CDK app in dir the way the CDK CLI does (with the
// context of cdk.json plus extra), and returns the template of stack.
func synthApp(t *testing.T, dir, stack string, extra map[string]any) map[string]any {
	t.Helper()
	ctx := cdkJSONContext(t)
	for k, v := range extra {
		ctx[k] = v
	}
	out, _ := runApp(t, dir, ctx, "")
	raw, err := os.ReadFile(filepath.Join(out, stack+".template.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tpl map[string]any
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	lint.Add(t.Name(), tpl)
	for _, f := range iamlinttest.Findings(tpl) {
		t.Errorf("over-broad permission: %s", f)
	}
	for _, f := range cfnlinttest.LogAlarmFindings(tpl) {
		t.Errorf("log alarm: %s", f)
	}
	account, region := manifestEnv(t, out, stack)
	paths.Check(t, t.Name(), tpl, account, region)
	return tpl
}

// manifestEnv returns the account and Region of stack in the cloud assembly
// in dir, "" for each one left to deploy time.
func manifestEnv(t *testing.T, dir, stack string) (account, region string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Artifacts map[string]struct {
			Environment string `json:"environment"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	env, ok := manifest.Artifacts[stack]
	if !ok {
		t.Fatalf("manifest.json has no artifact %s", stack)
	}
	account, region = environmentOf(env.Environment)
	return account, region
}

// environmentOf reads a cloud assembly environment, aws://ACCOUNT/REGION,
// with unknown-account and unknown-region ("" here) when agnostic.
func environmentOf(env string) (account, region string) {
	account, region, _ = strings.Cut(strings.TrimPrefix(env, "aws://"), "/")
	if account == "unknown-account" {
		account = ""
	}
	if region == "unknown-region" {
		region = ""
	}
	return account, region
}

// scrub removes what changes between CDK versions and runs without changing
// what is deployed: version-reporting metadata and construct paths.
func scrub(tpl map[string]any) map[string]any {
	res, _ := tpl["Resources"].(map[string]any)
	delete(res, "CDKMetadata")
	if cond, ok := tpl["Conditions"].(map[string]any); ok {
		delete(cond, "CDKMetadataAvailable")
		if len(cond) == 0 {
			delete(tpl, "Conditions")
		}
	}
	for _, r := range res {
		if md, ok := r.(map[string]any)["Metadata"].(map[string]any); ok {
			delete(md, "aws:cdk:path")
			if len(md) == 0 {
				delete(r.(map[string]any), "Metadata")
			}
		}
	}
	return tpl
}

// golden compares tpl with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, tpl map[string]any) {
	t.Helper()
	path := filepath.Join("testdata", name)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep "<key ARN>" readable in alarm descriptions
	enc.SetIndent("", "  ")
	if err := enc.Encode(scrub(tpl)); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	wantRaw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./tests -update, then read the diff)", err)
	}
	var want, gotMap map[string]any
	if err := json.Unmarshal(wantRaw, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := json.Unmarshal(got, &gotMap); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, gotMap); diff != "" {
		t.Errorf("%s differs from what the app synthesizes (-golden +now); if intended, run go test ./tests -update and read git diff:\n%s", path, diff)
	}
}

// resourcesOfType returns the resources of type typ.
func resourcesOfType(tpl map[string]any, typ string) []map[string]any {
	var out []map[string]any
	for _, r := range tpl["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == typ {
			out = append(out, r.(map[string]any))
		}
	}
	return out
}

func TestExampleApp_SynthesizesTheMonitoringStack(t *testing.T) {
	t.Parallel() // runs apps: processes of their own (runApp)
	// GIVEN the example app WHEN it is synthesized with no context
	tpl := synthApp(t, "../examples/app", "KmsMonitorExample", nil)
	// THEN it holds the trail and its log group, both metric filters, the
	// pending-deletion, disabled-key, fleet and per-key expiry alarms, the
	// lifecycle rule, the alarm-driven and key-aware cancellation rules (with
	// the key-aware document), the deletion check's rule and document, a
	// dead-letter queue per rule-owning part, the key-aware cancellation's
	// bounded message path and its bounded starts (for each a FIFO queue, its
	// FIFO dead-letter queue, a pipe, an alarm on the dead-letter queue; the
	// starts' bus and its rule), the two log alarms that name the key and the caller, the dashboard, one
	// topic for all, and the application's guarded key next to kmsmonitor's two keys
	for typ, n := range map[string]int{
		"AWS::CloudTrail::Trail": 1, "AWS::Logs::LogGroup": 1, "AWS::Logs::MetricFilter": 2,
		"AWS::CloudWatch::Alarm": 6, "AWS::Events::Rule": 5, "AWS::SQS::Queue": 8, "AWS::SSM::Document": 2,
		"AWS::Pipes::Pipe": 2, "AWS::Events::EventBus": 1, "AWS::Events::EventBusPolicy": 1, "AWS::CloudWatch::LogAlarm": 2,
		"AWS::CloudWatch::Dashboard": 1, "AWS::SNS::Topic": 1, "AWS::SNS::Subscription": 1, "AWS::KMS::Key": 3,
	} {
		if got := len(resourcesOfType(tpl, typ)); got != n {
			t.Errorf("%d resources of type %s, want %d", got, typ, n)
		}
	}
	// AND the placeholder address is subscribed
	sub := resourcesOfType(tpl, "AWS::SNS::Subscription")[0]["Properties"].(map[string]any)
	if sub["Endpoint"] != "security@example.com" {
		t.Errorf("subscription endpoint = %v", sub["Endpoint"])
	}
	// AND the expiry alarms are the fleet query and the placeholder key's ID
	if got := expiryAlarmKeys(tpl); got != "1234abcd-12ab-34cd-56ef-1234567890ab,fleet" {
		t.Errorf("expiry alarms watch %s", got)
	}
	// AND the lifecycle rule sends all three KMS events to that one topic
	var rule map[string]any
	for _, r := range resourcesOfType(tpl, "AWS::Events::Rule") {
		if p := r["Properties"].(map[string]any); strings.Contains(fmt.Sprint(p["EventPattern"]), "KMS CMK Deletion") {
			rule = p
		}
	}
	topicID := ""
	for id, r := range tpl["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == "AWS::SNS::Topic" {
			topicID = id
		}
	}
	if got := fmt.Sprint(rule["EventPattern"]); got != "map[detail-type:[KMS CMK Rotation KMS Imported Key Material Expiration KMS CMK Deletion] source:[aws.kms]]" {
		t.Errorf("lifecycle pattern = %s", got)
	}
	if got := fmt.Sprint(rule["Targets"].([]any)[0].(map[string]any)["Arn"]); got != "map[Ref:"+topicID+"]" {
		t.Errorf("lifecycle target = %s, want the topic %s", got, topicID)
	}
	// AND nothing else changed since the golden template was read and committed
	golden(t, "app.template.json", tpl)
}

func TestExistingTrailExample_ReadsTheTrailsLogGroup(t *testing.T) {
	t.Parallel() // runs apps: processes of their own (runApp)
	// GIVEN the existing-trail example WHEN it is synthesized with no context
	tpl := synthApp(t, "../examples/existing-trail", "KmsMonitorExistingTrail", nil)
	// THEN no trail, bucket or log group is created, and both metric filters read the Control Tower log group
	for typ, n := range map[string]int{
		"AWS::CloudTrail::Trail": 0, "AWS::S3::Bucket": 0, "AWS::Logs::LogGroup": 0,
		"AWS::Logs::MetricFilter": 2, "AWS::CloudWatch::Alarm": 3, "AWS::SNS::Topic": 1,
	} {
		if got := len(resourcesOfType(tpl, typ)); got != n {
			t.Errorf("%d resources of type %s, want %d", got, typ, n)
		}
	}
	for _, f := range resourcesOfType(tpl, "AWS::Logs::MetricFilter") {
		if got := f["Properties"].(map[string]any)["LogGroupName"]; got != "aws-controltower/CloudTrailLogs" {
			t.Errorf("metric filter reads %v", got)
		}
	}
	golden(t, "existing-trail.template.json", tpl)
}

func TestExistingTrailExample_LogGroupFromContext(t *testing.T) {
	t.Parallel() // runs apps: processes of their own (runApp)
	// GIVEN an organization trail's log group in the context
	tpl := synthApp(t, "../examples/existing-trail", "KmsMonitorExistingTrail", map[string]any{"trailLogGroupName": "org-trail-logs"})
	// THEN the metric filters read it
	for _, f := range resourcesOfType(tpl, "AWS::Logs::MetricFilter") {
		if got := f["Properties"].(map[string]any)["LogGroupName"]; got != "org-trail-logs" {
			t.Errorf("metric filter reads %v", got)
		}
	}
}

// contextValues are the example app's context values that its tests read
// back from the template, given together (one run of the app serves both
// tests: the e-mails and the expiring key do not meet in the app).
var contextValues = map[string]any{
	"emails":          "sec@example.com, oncall@example.org",
	"expiringKeyArns": "arn:aws:kms:eu-west-1:444455556666:key/mrk-0123456789abcdef0123456789abcdef",
}

func TestExampleApp_EmailsFromContext(t *testing.T) {
	t.Parallel() // runs apps: processes of their own (runApp)
	// GIVEN two addresses in the context (cdk synth -c emails=...)
	tpl := synthApp(t, "../examples/app", "KmsMonitorExample", contextValues)
	// THEN each is subscribed, and the placeholder is not
	var got []string
	for _, s := range resourcesOfType(tpl, "AWS::SNS::Subscription") {
		got = append(got, s["Properties"].(map[string]any)["Endpoint"].(string))
	}
	if strings.Join(got, ",") != "sec@example.com,oncall@example.org" && strings.Join(got, ",") != "oncall@example.org,sec@example.com" {
		t.Errorf("subscribed %v", got)
	}
}

// expiryAlarmKeys lists what the expiry alarms watch ("fleet" for the
// Metrics Insights alarm, else the KeyId dimension), sorted.
func expiryAlarmKeys(tpl map[string]any) string {
	var keys []string
	for _, a := range resourcesOfType(tpl, "AWS::CloudWatch::Alarm") {
		p := a["Properties"].(map[string]any)
		if m, ok := p["Metrics"].([]any); ok && strings.Contains(fmt.Sprint(m), "SecondsUntilKeyMaterialExpiration") {
			keys = append(keys, "fleet")
		}
		if p["MetricName"] == "SecondsUntilKeyMaterialExpiration" {
			keys = append(keys, fmt.Sprint(p["Dimensions"].([]any)[0].(map[string]any)["Value"]))
		}
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

func TestExampleApp_ExpiringKeyFromContext(t *testing.T) {
	t.Parallel() // runs apps: processes of their own (runApp)
	// GIVEN a key ARN in the context (cdk synth -c expiringKeyArns=...)
	tpl := synthApp(t, "../examples/app", "KmsMonitorExample", contextValues)
	// THEN its key ID is watched besides the fleet
	if got := expiryAlarmKeys(tpl); got != "fleet,mrk-0123456789abcdef0123456789abcdef" {
		t.Errorf("expiry alarms watch %s", got)
	}
}

// deployAccount is the account the CDK CLI passes when it finds AWS
// credentials (cdk deploy). One run of each app, with it and the cdk-nag rule
// packs on (cdk deploy -c nag=true), serves two tests: the packs' findings
// (TestExampleApps_CdkNagClean) and the placeholders refused
// (TestExampleApps_RefusePlaceholdersForARealAccount). Neither changes what
// the other reads: the packs only annotate, the refusal is an error
// annotation on stacks built in full, and the stacks stay
// environment-agnostic (the apps read the account for the refusal only).
const deployAccount = "444455556666"

// nagContext turns the cdk-nag rule packs on (cdk synth -c nag=true).
var nagContext = map[string]any{"nag": "true"}

// nagFindings synthesizes the app in dir with the cdk-nag rule packs on
// (for deployAccount) and returns their findings from the cloud assembly.
func nagFindings(t *testing.T, dir string) []string {
	t.Helper()
	out, _ := runApp(t, dir, nagContext, deployAccount)
	manifests, err := filepath.Glob(filepath.Join(out, "*manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	nested, _ := filepath.Glob(filepath.Join(out, "assembly-*", "manifest.json"))
	var findings []string
	for _, path := range append(manifests, nested...) {
		findings = append(findings, manifestFindings(t, path)...)
	}
	return findings
}

// manifestEntry is one metadata entry of a cloud assembly manifest.
type manifestEntry struct {
	Artifact, Path, Type string
	Data                 any
}

// manifestEntries reads every metadata entry of the cloud assembly manifest at
// path: inline, or (cloud assembly schema 55, aws-cdk-lib v2.250 and later) in
// the file an artifact's additionalMetadataFile names.
func manifestEntries(t *testing.T, path string) []manifestEntry {
	t.Helper()
	type entries map[string][]struct {
		Type string `json:"type"`
		Data any    `json:"data"`
	}
	var manifest struct {
		Artifacts map[string]struct {
			Metadata               entries `json:"metadata"`
			AdditionalMetadataFile string  `json:"additionalMetadataFile"`
		} `json:"artifacts"`
	}
	readJSON(t, path, &manifest)
	var out []manifestEntry
	for name, a := range manifest.Artifacts {
		all := []entries{a.Metadata}
		if a.AdditionalMetadataFile != "" {
			var more entries
			readJSON(t, filepath.Join(filepath.Dir(path), a.AdditionalMetadataFile), &more)
			all = append(all, more)
		}
		for _, m := range all {
			for p, es := range m {
				for _, e := range es {
					out = append(out, manifestEntry{Artifact: name, Path: p, Type: e.Type, Data: e.Data})
				}
			}
		}
	}
	return out
}

// readJSON decodes the JSON file at path into v.
func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// manifestFindings returns the cdk-nag findings of one cloud assembly manifest.
func manifestFindings(t *testing.T, path string) []string {
	t.Helper()
	var findings []string
	for _, e := range manifestEntries(t, path) {
		msg := fmt.Sprint(e.Data)
		if (e.Type == "aws:cdk:error" || e.Type == "aws:cdk:warning") && isNagFinding(msg) {
			findings = append(findings, e.Path+": "+msg)
		}
	}
	return findings
}

// isNagFinding reports whether an annotation is a cdk-nag finding.
func isNagFinding(msg string) bool {
	return strings.HasPrefix(msg, "AwsSolutions-") || strings.HasPrefix(msg, "NIST.")
}

func TestExampleApps_CdkNagClean(t *testing.T) {
	t.Parallel() // runs apps: processes of their own (runApp)
	for _, dir := range []string{"../examples/app", "../examples/existing-trail", "../examples/organization"} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel() // one app process each
			// GIVEN each example app WHEN it is synthesized with the AwsSolutions and NIST 800-53 rev 5 packs
			// (for an account: deployAccount) THEN no finding remains
			for _, f := range nagFindings(t, dir) {
				t.Errorf("%s: %s", dir, f)
			}
		})
	}
}

func TestOrganizationExample_CentralBusAndStackSet(t *testing.T) {
	t.Parallel() // runs apps: processes of their own (runApp)
	// GIVEN the organization example WHEN it is synthesized with no context
	central := synthApp(t, "../examples/organization", "KmsMonitorCentral", nil)
	rollout := synthApp(t, "../examples/organization", "KmsMonitorOrgRollout", nil)
	// THEN the central bus admits only the organization's principals
	policies := resourcesOfType(central, "AWS::Events::EventBusPolicy")
	if len(policies) != 1 {
		t.Fatalf("%d bus policies, want 1", len(policies))
	}
	st := policies[0]["Properties"].(map[string]any)["Statement"].(map[string]any)
	if fmt.Sprint(st["Condition"]) != "map[StringEquals:map[aws:PrincipalOrgID:o-a1b2c3d4e5]]" || fmt.Sprint(st["Principal"]) != "map[AWS:*]" {
		t.Errorf("bus policy statement = %v", st)
	}
	// AND the StackSet deploys the member template to the OU and both Regions, automatically to new accounts
	sets := resourcesOfType(rollout, "AWS::CloudFormation::StackSet")
	if len(sets) != 1 {
		t.Fatalf("%d StackSets, want 1", len(sets))
	}
	props := sets[0]["Properties"].(map[string]any)
	if fmt.Sprint(props["AutoDeployment"]) != "map[Enabled:true RetainStacksOnAccountRemoval:false]" ||
		props["PermissionModel"] != "SERVICE_MANAGED" ||
		fmt.Sprint(props["StackInstancesGroup"]) != "[map[DeploymentTargets:map[OrganizationalUnitIds:[ou-ab12-cd34ef56]] Regions:[us-east-1 eu-west-1]]]" {
		t.Errorf("StackSet = %v", props)
	}
	var member map[string]any
	if err := json.Unmarshal([]byte(props["TemplateBody"].(string)), &member); err != nil {
		t.Fatal(err)
	}
	if n := len(resourcesOfType(member, "AWS::Events::Rule")); n != 2 {
		t.Errorf("member template has %d rules, want 2", n)
	}
	lint.Add(t.Name()+"-member", member)
	paths.Check(t, t.Name()+"-member", member, "", "")
	golden(t, "organization-central.template.json", central)
	golden(t, "organization-rollout.template.json", rollout)
}

func TestOrganizationExample_ManagementAccountForwardsToo(t *testing.T) {
	t.Parallel() // runs apps: processes of their own (runApp)
	// GIVEN the organization example (service-managed StackSets never deploy to the management account)
	// WHEN it is synthesized
	management := synthApp(t, "../examples/organization", "KmsMonitorManagementAccount", nil)
	// THEN a stack for the management account forwards its lifecycle events and failed calls to the central bus
	rules := resourcesOfType(management, "AWS::Events::Rule")
	if len(rules) != 2 {
		t.Fatalf("%d rules, want 2", len(rules))
	}
	for _, r := range rules {
		target := r["Properties"].(map[string]any)["Targets"].([]any)[0].(map[string]any)
		if target["Arn"] != "arn:aws:events:us-east-1:111122223333:event-bus/kmsmonitor-central" {
			t.Errorf("rule forwards to %v, want the central bus", target["Arn"])
		}
	}
	golden(t, "organization-management.template.json", management)
}

func TestExampleApps_ShowTheDeletionGuards(t *testing.T) {
	t.Parallel() // runs apps: processes of their own (runApp)
	// GIVEN the example apps WHEN they are synthesized
	app := synthApp(t, "../examples/app", "KmsMonitorExample", nil)
	rollout := synthApp(t, "../examples/organization", "KmsMonitorOrgRollout", nil)
	// THEN every key of the app stack carries the deletion guard in its key policy
	for id, r := range app["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] != "AWS::KMS::Key" {
			continue
		}
		b, _ := json.Marshal(r)
		if !strings.Contains(string(b), "kms:TrailingDaysWithoutKeyUsage") || !strings.Contains(string(b), "kms:ScheduleKeyDeletionPendingWindowInDays") {
			t.Errorf("key %s has no deletion guard", id)
		}
	}
	// AND the organization example attaches the guard as a service control policy to the OU it rolls out to
	scps := resourcesOfType(rollout, "AWS::Organizations::Policy")
	if len(scps) != 1 {
		t.Fatalf("%d organization policies, want 1", len(scps))
	}
	props := scps[0]["Properties"].(map[string]any)
	if props["Type"] != "SERVICE_CONTROL_POLICY" || fmt.Sprint(props["TargetIds"]) != "[ou-ab12-cd34ef56]" {
		t.Errorf("policy = %v", props)
	}
}
