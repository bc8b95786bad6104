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
	construct, path string
	problems        []string
}

// New starts a check of the construct of type kind at path.
func New(kind, path string) *Checker { return &Checker{construct: kind, path: path} }

// Addf records a problem with prop.
func (c *Checker) Addf(prop, format string, args ...any) {
	c.problems = append(c.problems, prop+": "+fmt.Sprintf(format, args...))
}

// Err returns nil when no problem was recorded, else an *Error.
func (c *Checker) Err() error {
	if len(c.problems) == 0 {
		return nil
	}
	return &Error{Construct: c.construct, Path: c.path, Problems: c.problems}
}

// PanicIfAny fails the construct the way CDK constructs fail on bad props.
func (c *Checker) PanicIfAny() {
	if err := c.Err(); err != nil {
		panic(err)
	}
}

// Unresolved reports whether v is a CDK token, whose value is known only at
// deploy time and so cannot be checked here.
func Unresolved(v any) bool { return *awscdk.Token_IsUnresolved(v) }

var emailRE = regexp.MustCompile(`^[^@\s,;<>"]+@[^@\s,;<>"]+\.[^@\s,;<>".]+$`)

// Emails checks a list of e-mail addresses: each well formed, none repeated.
func (c *Checker) Emails(prop string, emails []string) {
	seen := map[string]bool{}
	for i, e := range emails {
		name := fmt.Sprintf("%s[%d]", prop, i)
		switch {
		case Unresolved(e):
		case strings.TrimSpace(e) == "":
			c.Addf(name, "is empty; give an e-mail address such as security@example.com, or remove the entry")
		case !emailRE.MatchString(e):
			c.Addf(name, "%q is not an e-mail address; give one address per entry, such as security@example.com", e)
		case seen[strings.ToLower(e)]:
			c.Addf(name, "%q is listed twice; SNS subscribes an address once, remove the duplicate", e)
		}
		seen[strings.ToLower(e)] = true
	}
}

// PeriodMinutes checks an alarm period: whole minutes from 1 minute to 1 day.
// It returns the period in seconds, or 0 when it is unknown (a token) or invalid.
func (c *Checker) PeriodMinutes(prop string, d awscdk.Duration) float64 {
	if d == nil {
		return 0
	}
	secs := *d.ToSeconds(&awscdk.TimeConversionOptions{Integral: new(bool)})
	if Unresolved(secs) {
		return 0
	}
	if secs < 60 || secs > 86400 || math.Mod(secs, 60) != 0 {
		c.Addf(prop, "%s is not allowed; give a whole number of minutes from 1 minute to 1 day, such as awscdk.Duration_Minutes(jsii.Number(5))",
			*d.ToHumanString())
		return 0
	}
	return secs
}
