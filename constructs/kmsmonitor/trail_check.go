package kmsmonitor

import (
	"encoding/json"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudtrail"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// checkTrail warns at synthesis (annotations on scope) when trail does not
// record what the detectors need: KMS management events, read events
// included (Decrypt, Encrypt and GenerateDataKey are read-only events).
func checkTrail(scope constructs.Construct, trail awscloudtrail.CfnTrail) {
	stack := awscdk.Stack_Of(trail)
	resolve := func(v interface{}) []map[string]interface{} {
		if v == nil {
			return nil
		}
		raw, err := json.Marshal(stack.Resolve(v))
		if err != nil {
			return nil
		}
		var out []map[string]interface{}
		_ = json.Unmarshal(raw, &out)
		return out
	}
	warn := func(id, msg string) {
		awscdk.Annotations_Of(scope).AddWarningV2(jsii.String("kmsmonitor:"+id), jsii.String(msg+" (checked on ExistingTrail "+*trail.Node().Path()+")"), nil)
	}
	if logging := trail.IsLogging(); logging != nil && stack.Resolve(logging) == false {
		warn("trailNotLogging", "the trail does not log (IsLogging is false): no CloudTrail record reaches the detectors")
	}
	for _, sel := range resolve(trail.EventSelectors()) {
		if prop(sel, "IncludeManagementEvents") == false {
			warn("trailWithoutManagementEvents", "an event selector of the trail excludes management events: KMS calls are management events, so they are not recorded")
		}
		if prop(sel, "ReadWriteType") == "WriteOnly" {
			warn("trailWithoutReadEvents", "the trail records write events only: Decrypt, Encrypt and GenerateDataKey are read events, so their failures on a key pending deletion or disabled are not recorded")
		}
		for _, src := range asStrings(prop(sel, "ExcludeManagementEventSources")) {
			if src == "kms.amazonaws.com" {
				warn("trailExcludesKms", "the trail excludes AWS KMS events (ExcludeManagementEventSources contains kms.amazonaws.com): the detectors see nothing")
			}
		}
	}
	for _, sel := range resolve(trail.AdvancedEventSelectors()) {
		fields, _ := prop(sel, "FieldSelectors").([]interface{})
		for _, f := range fields {
			fs, _ := f.(map[string]interface{})
			switch {
			case prop(fs, "Field") == "eventSource" && contains(asStrings(prop(fs, "NotEquals")), "kms.amazonaws.com"):
				warn("trailExcludesKms", "an advanced event selector excludes eventSource kms.amazonaws.com: the detectors see nothing")
			case prop(fs, "Field") == "readOnly" && contains(asStrings(prop(fs, "Equals")), "false"):
				warn("trailWithoutReadEvents", "an advanced event selector records write events only (readOnly = false): failed Decrypt, Encrypt and GenerateDataKey calls are not recorded")
			}
		}
	}
}

func asStrings(v interface{}) []string {
	list, _ := v.([]interface{})
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}

// prop reads a property of a resolved CloudFormation struct, which comes
// PascalCase from a template and camelCase from a Cfn* construct's props.
func prop(m map[string]interface{}, name string) interface{} {
	if v, ok := m[name]; ok {
		return v
	}
	return m[strings.ToLower(name[:1])+name[1:]]
}
