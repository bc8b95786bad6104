package kmsmonitor

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

// start begins every constructor of the package: it fails clearly on a nil
// scope or an empty id, copies props (nil means all defaults; defaults are
// never written into the caller's struct), creates the construct's node, and
// returns a checker for the props, reporting under kind and the node's path.
func start[P any](kind string, scope constructs.Construct, id *string, props *P) (P, constructs.Construct, *propcheck.Checker) {
	propcheck.RequireScope(kind, scope, id)
	var p P
	if props != nil {
		p = *props
	}
	node := constructs.NewConstruct(scope, id)
	return p, node, propcheck.New(kind, node)
}

// orDefault returns v, or def when v is nil.
func orDefault(v *string, def string) *string {
	if v == nil {
		return jsii.String(def)
	}
	return v
}
