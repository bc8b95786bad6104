// Package appcontext reads the CDK context values (cdk synth -c key=value)
// that the example apps take, with placeholders so that they synthesize with
// no context and no AWS account, and refuses those placeholders when the
// stacks are about to reach a real account.
package appcontext

import (
	"fmt"
	"os"
	"slices"
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

// Placeholders reads the context values that have no sensible default (the
// addresses, keys and organization to watch) and remembers which ones are
// still placeholders.
type Placeholders struct {
	app    awscdk.App
	keys   []string // context keys left at (or set to) their placeholder
	values []string // those placeholders
}

// NewPlaceholders returns a reader of app's context values.
func NewPlaceholders(app awscdk.App) *Placeholders {
	return &Placeholders{app: app}
}

// String returns the context value key, or placeholder when it is not set.
// Either way, a value equal to placeholder is recorded as one.
func (p *Placeholders) String(key, placeholder string) string {
	v := String(p.app, key, placeholder)
	if v == placeholder && !slices.Contains(p.keys, key) {
		p.keys = append(p.keys, key)
		p.values = append(p.values, placeholder)
	}
	return v
}

// List returns the comma-separated context value key, or placeholder (a
// comma-separated list too) when it is not set.
func (p *Placeholders) List(key, placeholder string) []string {
	p.String(key, placeholder)
	return List(p.app, key, placeholder)
}

// RefuseOnDeploy makes synthesis fail, with a message naming the context
// keys to set, for each stack that has a concrete account while placeholders
// remain: the account the CDK CLI resolved from the AWS credentials it found
// (CDK_DEFAULT_ACCOUNT, which cdk deploy needs and sets, and cdk synth sets
// too when credentials are found), or one the stack names itself that is not
// a placeholder. The CLI stops on the error ("Found errors") before
// deploying. Without an account (cdk synth with no AWS credentials, as in
// CI and the tests) the placeholders synthesize.
func (p *Placeholders) RefuseOnDeploy(stacks ...awscdk.Stack) {
	if len(p.keys) == 0 {
		return
	}
	for _, stack := range stacks {
		account := os.Getenv("CDK_DEFAULT_ACCOUNT")
		if a := stack.Account(); account == "" && !*awscdk.Token_IsUnresolved(a) && !slices.Contains(p.values, *a) {
			account = *a
		}
		if account != "" {
			awscdk.Annotations_Of(stack).AddError(jsii.String(RefusalMessage(account, p.keys)))
		}
	}
}

// RefusalMessage says which context keys to set before deploying to account.
func RefusalMessage(account string, keys []string) string {
	flags := make([]string, len(keys))
	for i, k := range keys {
		flags[i] = fmt.Sprintf("-c %s=...", k)
	}
	return fmt.Sprintf("placeholder values would reach AWS account %s: set %s (lists are comma-separated). "+
		"The CDK CLI passes an account when it finds AWS credentials (cdk deploy; cdk synth too); without them, cdk synth uses the placeholders.",
		account, strings.Join(flags, " "))
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
