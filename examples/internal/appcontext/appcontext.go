// Package appcontext reads the CDK context values (cdk synth -c key=value)
// that the example apps take, with placeholders so that they synthesize with
// no context and no AWS account.
package appcontext

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Placeholders used when a context value is not given.
const (
	PlaceholderEmail  = "security@example.com"
	PlaceholderKeyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// String returns the context value key, or def when it is not set.
func String(app awscdk.App, key, def string) string {
	if v, ok := app.Node().TryGetContext(jsii.String(key)).(string); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// List returns the comma-separated context value key, or def when it is not set.
func List(app awscdk.App, key, def string) []string {
	var out []string
	for _, v := range strings.Split(String(app, key, def), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// CheckCompliance runs the cdk-nag AwsSolutions and NIST 800-53 rev 5 rule
// packs over scope (the app, or a stage synthesized apart, which the app's
// aspects do not reach) when the app's context value "nag" is "true"
// (cdk synth -c nag=true): findings are errors, and the CDK CLI fails on them.
func CheckCompliance(app awscdk.App, scope constructs.IConstruct) {
	if String(app, "nag", "false") != "true" {
		return
	}
	awscdk.Aspects_Of(scope).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	awscdk.Aspects_Of(scope).Add(cdknag.NewNIST80053R5Checks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
}
