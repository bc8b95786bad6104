package propcheck

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Checks of setups that are legal one prop at a time but cannot work
// together: a resource in another account or Region than the stack, a prop
// that another prop makes ignored, an entry listed twice.

// Env is where a resource lives; "" for what is not known at synthesis.
type Env struct{ Account, Region string }

// EnvOf returns the account and Region of r as far as they are literals: an
// imported resource carries those of its ARN, a resource of this app those
// of its stack.
func EnvOf(r awscdk.IResource) Env {
	if r == nil {
		return Env{}
	}
	e := r.Env()
	return Env{Account: literal(e.Account), Region: literal(e.Region)}
}

var arnRE = regexp.MustCompile(`^arn:[a-z-]+:[a-z0-9-]+:([a-z0-9-]*):([0-9]*):`)

// EnvOfArn returns the account and Region named in a literal ARN.
func EnvOfArn(arn string) Env {
	if Unresolved(arn) {
		return Env{}
	}
	if m := arnRE.FindStringSubmatch(arn); m != nil {
		return Env{Account: m[2], Region: m[1]}
	}
	return Env{}
}

func literal(v *string) string {
	if v == nil || Unresolved(*v) {
		return ""
	}
	return *v
}

// Placed is one resource given in props whose account or Region must be the
// stack's.
type Placed struct {
	// Prop names where it was given, such as "KeyArns[0]".
	Prop string
	// What names it in a message, such as "key arn:aws:kms:...".
	What string
	Env  Env
	// SameAccount and SameRegion say which of the two must be the stack's.
	SameAccount, SameRegion bool
}

// SameEnv checks that each resource in placed is in the account and Region
// of the construct's stack where it must be, why saying why (such as "the
// alarm reads the key's metric there"). When both are literals and differ,
// that is an error, with fix saying what to do instead. When the stack is
// environment-agnostic, resources in two different places are an error (the
// stack can be deployed to one place only), and one place is an
// acknowledgeable warning warnID on the construct naming where to deploy.
func (c *Checker) SameEnv(warnID, why, fix string, placed []Placed) {
	if len(placed) == 0 {
		return
	}
	stack := awscdk.Stack_Of(c.node)
	here := Env{Account: literal(stack.Account()), Region: literal(stack.Region())}
	places := map[string][]string{} // "account Region" -> props, for an agnostic stack
	for _, p := range placed {
		wrongRegion := p.SameRegion && p.Env.Region != "" && here.Region != "" && p.Env.Region != here.Region
		wrongAccount := p.SameAccount && p.Env.Account != "" && here.Account != "" && p.Env.Account != here.Account
		switch {
		case wrongRegion && wrongAccount:
			c.Addf(p.Prop, "%s is in account %s, Region %s, but this stack deploys to account %s, Region %s; %s: %s", p.What, p.Env.Account, p.Env.Region, here.Account, here.Region, why, fix)
		case wrongRegion:
			c.Addf(p.Prop, "%s is in Region %s, but this stack deploys to %s; %s: %s", p.What, p.Env.Region, here.Region, why, fix)
		case wrongAccount:
			c.Addf(p.Prop, "%s is in account %s, but this stack deploys to account %s; %s: %s", p.What, p.Env.Account, here.Account, why, fix)
		}
		var where []string
		if p.SameAccount && p.Env.Account != "" && here.Account == "" {
			where = append(where, "account "+p.Env.Account)
		}
		if p.SameRegion && p.Env.Region != "" && here.Region == "" {
			where = append(where, "Region "+p.Env.Region)
		}
		if len(where) > 0 {
			k := strings.Join(where, ", ")
			places[k] = append(places[k], p.Prop)
		}
	}
	if len(places) == 0 {
		return
	}
	list := make([]string, 0, len(places))
	for k, props := range places {
		list = append(list, fmt.Sprintf("%s (%s)", k, strings.Join(props, ", ")))
	}
	sort.Strings(list)
	if len(list) > 1 {
		c.Addf(placed[0].Prop, "the resources given are in %d places: %s; %s, and a stack deploys to one place: %s", len(list), strings.Join(list, "; "), why, fix)
		return
	}
	awscdk.Annotations_Of(c.node).AddWarningV2(jsii.String(warnID), jsii.String(fmt.Sprintf(
		"this environment-agnostic stack works only where %s is: %s. Deploy it there, or give the stack an env (awscdk.StackProps{Env: ...}) so that synthesis checks it; acknowledge this warning once it is deployed there.",
		list[0], why)), nil)
}

// Ignored records that prop is set although other props make it ignored:
// because says why (such as "DetectDisabledKeys is false, so no disabled-key
// alarm is created"), fix what to do.
func (c *Checker) Ignored(prop string, set bool, because, fix string) {
	if set {
		c.Addf(prop, "is set but %s, so it would be silently ignored; %s", because, fix)
	}
}

// Distinct reports entries given twice in one list prop, the same way for
// every list. Use one Distinct per list.
type Distinct struct {
	c    *Checker
	seen map[string]string
}

// Distinct starts the check of one list prop.
func (c *Checker) Distinct() *Distinct { return &Distinct{c: c, seen: map[string]string{}} }

// Add records the entry prop (such as "Regions[1]") identified by key and
// shown as shown; it reports false, and records a problem, when an earlier
// entry had the same key.
func (d *Distinct) Add(prop, key, shown string) bool {
	if first, dup := d.seen[key]; dup {
		d.c.Addf(prop, "%s is listed twice (also %s); remove the duplicate", shown, first)
		return false
	}
	d.seen[key] = prop
	return true
}

var plainIdentifierRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// metricsInsightsKeywords are the reserved words of CloudWatch Metrics
// Insights most likely to be used as a name (the full list is in
// "CloudWatch Metrics Insights reserved keywords"); any of them is quoted.
var metricsInsightsKeywords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`ACCOUNT ALL AND ANY AS ASC AVG BETWEEN BY CASE COUNT DATE DEFAULT DESC DISTINCT ERROR
		EVENT EXISTS FALSE FROM FUNCTION GROUP HAVING IN INDEX IS KEY LABEL LIKE LIMIT MAX METRIC MIN NAME NOT NULL
		OR ORDER REGION SCHEMA SELECT SUM TABLE TIME TIMESTAMP TRUE TYPE USER VALUE VALUES WHERE`) {
		metricsInsightsKeywords[w] = true
	}
}

// MetricsInsightsIdentifier writes a namespace, metric name or label key for
// a Metrics Insights query: as is when it is made of letters, digits and
// underscores only and not a keyword, else quoted (MetricsInsightsQuoted),
// tokens included.
func MetricsInsightsIdentifier(s string) string {
	if !Unresolved(s) && plainIdentifierRE.MatchString(s) && !metricsInsightsKeywords[strings.ToUpper(s)] {
		return s
	}
	return MetricsInsightsQuoted(s)
}

// MetricsInsightsQuoted writes an identifier in double quotes, whatever its
// characters (namespaces are always quoted here), with each double or single
// quote escaped by a backslash ("Metrics Insights query components and
// syntax": what needs quotation marks or escape characters). A token is
// quoted too: its value is known only at deployment.
func MetricsInsightsQuoted(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `'`, `\'`).Replace(s) + `"`
}

// Partition returns the partition of a literal Region (aws-cn for China,
// aws-us-gov for GovCloud, aws-iso* for the isolated Regions, aws-eusc for
// the European Sovereign Cloud, else aws; the SDK's partitions.json), ""
// for a token or "".
func Partition(region string) string {
	switch {
	case region == "" || Unresolved(region):
		return ""
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}
