package kmsmonitor

import (
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
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

// maxStackResources is CloudFormation's quota of resources per template.
const maxStackResources = 500

// checkStackRoom records in c, under prop, that adding more resources to
// node's stack would pass CloudFormation's 500 (aws-cdk-lib would then fail
// synthesis without naming the prop), fix saying what to do. It counts the
// resources of the stack defined so far (not those of nested stacks).
func checkStackRoom(c *propcheck.Checker, prop string, node constructs.Construct, adding int, what, fix string) {
	if adding == 0 {
		return
	}
	stack := awscdk.Stack_Of(node)
	all := *stack.Node().FindAll(constructs.ConstructOrder_PREORDER)
	var nested []string // the paths of nested stacks, whose resources are in templates of their own
	for _, x := range all {
		if _, ok := x.(awscdk.NestedStack); ok {
			nested = append(nested, *x.Node().Path()+"/")
		}
	}
	count := 0
	for _, x := range all {
		if _, ok := x.(awscdk.CfnResource); !ok {
			continue
		}
		inNested := false
		if len(nested) > 0 {
			path := *x.Node().Path()
			inNested = slices.ContainsFunc(nested, func(n string) bool { return strings.HasPrefix(path, n) })
		}
		if !inNested {
			count++
		}
	}
	if count+adding > maxStackResources {
		c.Addf(prop, "%d %s would bring stack %s to %d resources; CloudFormation holds at most %d per stack: %s",
			adding, what, *stack.Node().Path(), count+adding, maxStackResources, fix)
	}
}
