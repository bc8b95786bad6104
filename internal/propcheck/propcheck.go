// Package propcheck collects every problem with a construct's props in one
// pass and reports them together, naming the construct path, the prop, the
// value and what is allowed.
package propcheck

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
)

// Error lists the invalid props of one construct.
type Error struct {
	// Construct is the construct's type, such as "kmsmonitor.PendingDeletionAlarm".
	Construct string
	// Path is the construct path, such as "Stack/Monitor".
	Path string
	// Problems has one line per invalid prop.
	Problems []string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s at %q has %d invalid prop(s):\n  - %s",
		e.Construct, e.Path, len(e.Problems), strings.Join(e.Problems, "\n  - "))
}

// Checker accumulates problems.
type Checker struct {
	construct string
	node      constructs.IConstruct
	problems  []string
}

// New starts a check of the construct node of type kind. The node's path is
// read only when there is a problem to report (each read is a jsii call).
func New(kind string, node constructs.IConstruct) *Checker {
	return &Checker{construct: kind, node: node}
}

// Addf records a problem with prop.
func (c *Checker) Addf(prop, format string, args ...any) {
	c.problems = append(c.problems, prop+": "+fmt.Sprintf(format, args...))
}

// Node returns the construct whose props are checked.
func (c *Checker) Node() constructs.IConstruct { return c.node }

// Err returns nil when no problem was recorded, else an *Error.
func (c *Checker) Err() error {
	if len(c.problems) == 0 {
		return nil
	}
	return &Error{Construct: c.construct, Path: *c.node.Node().Path(), Problems: c.problems}
}

// PanicIfAny fails the construct the way CDK constructs fail on bad props.
func (c *Checker) PanicIfAny() {
	if err := c.Err(); err != nil {
		panic(err)
	}
}

// Unresolved reports whether v is a CDK token, whose value is known only at
// deploy time and so cannot be checked here. Strings are checked in Go for
// the markers aws-cdk-lib encodes string and list tokens with ("${Token[",
// "#{Token["), which saves a jsii call per value; other values ask aws-cdk-lib.
func Unresolved(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, "${Token[") || strings.Contains(x, "#{Token[")
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false // not a token, and JSON cannot carry it to aws-cdk-lib
		}
	}
	return *awscdk.Token_IsUnresolved(v)
}

// emailRE is what SNS e-mail subscriptions deliver to: a dot-atom local
// part (no scheme such as mailto:, no leading, trailing or consecutive dot)
// and a domain of at least two labels of letters, digits and inner hyphens.
var emailRE = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*" +
	`@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?$`)

// Emails checks a list of e-mail addresses: each well formed, none repeated.
func (c *Checker) Emails(prop string, emails []string) {
	c.ListTokens(prop, emails, "one e-mail subscription per address")
	seen := map[string]bool{}
	for i, e := range emails {
		name := fmt.Sprintf("%s[%d]", prop, i)
		switch {
		case Unresolved(e):
		case strings.TrimSpace(e) == "":
			c.Addf(name, "is empty; give an e-mail address such as security@example.com, or remove the entry")
		case strings.HasPrefix(strings.ToLower(e), "mailto:"):
			c.Addf(name, "%q is not an e-mail address: SNS takes the address without the mailto: scheme, such as %q", e, e[len("mailto:"):])
		case !emailRE.MatchString(e):
			c.Addf(name, "%q is not an e-mail address; give one address per entry, such as security@example.com (no consecutive dots, none at the start or end of the name or of a domain label)", e)
		case seen[strings.ToLower(e)]:
			c.Addf(name, "%q is listed twice; SNS subscribes an address once, remove the duplicate", e)
		}
		seen[strings.ToLower(e)] = true
	}
}

// PeriodMinutes checks an alarm period: whole minutes from 1 minute to 1 day (a token in seconds passes).
// It returns the period in seconds, or 0 when it is unknown (a token) or invalid.
func (c *Checker) PeriodMinutes(prop string, d awscdk.Duration) float64 {
	secs, known := c.Duration(prop, d)
	if !known {
		return 0
	}
	if secs < 60 || secs > 86400 || math.Mod(secs, 60) != 0 {
		c.Addf(prop, "%s is not allowed; give a whole number of minutes from 1 minute to 1 day, such as awscdk.Duration_Minutes(jsii.Number(5))",
			*d.ToHumanString())
		return 0
	}
	return secs
}

// AlarmPeriod checks a CloudWatch alarm period: 10 seconds, 30 seconds, or a
// whole number of minutes up to 1 day. It returns the period in seconds, or 0
// when it is unknown (a token) or invalid.
func (c *Checker) AlarmPeriod(prop string, d awscdk.Duration) float64 {
	secs, known := c.Duration(prop, d)
	if !known {
		return 0
	}
	if secs != 10 && secs != 30 && (secs < 60 || secs > 86400 || math.Mod(secs, 60) != 0) {
		c.Addf(prop, "%s is not a period CloudWatch allows; give 10 seconds, 30 seconds or a whole number of minutes up to 1 day, such as awscdk.Duration_Minutes(jsii.Number(1))",
			*d.ToHumanString())
		return 0
	}
	return secs
}

// DurationRange checks that d is a whole number of seconds in (min, max] (min excluded) and
// returns it in seconds, or 0 when it is unknown (a token) or invalid.
func (c *Checker) DurationRange(prop string, d awscdk.Duration, minExcl, max float64, hint string) float64 {
	secs, known := c.Duration(prop, d)
	if !known {
		return 0
	}
	if secs <= minExcl || secs > max {
		c.Addf(prop, "%s is out of range; %s", *d.ToHumanString(), hint)
		return 0
	}
	return secs
}

// RequireScope fails clearly where jsii would fail obscurely: on a nil scope
// or an empty construct ID.
func RequireScope(kind string, scope constructs.Construct, id *string) {
	if scope == nil {
		panic(fmt.Errorf("%s: scope is nil; pass the stack or construct to create it in", kind))
	}
	if id == nil || *id == "" {
		panic(fmt.Errorf("%s under %q: id is empty; pass a construct ID such as jsii.String(\"KmsMonitor\")", kind, *scope.Node().Path()))
	}
}

// MetricNamespace checks an optional CloudWatch namespace of a metric
// filter against the MetricNamespace rule. example is unused (the rule has
// one); kept for callers.
func (c *Checker) MetricNamespace(prop string, ns *string, example string) {
	c.AWSName(prop, ns, MetricNamespace)
}
