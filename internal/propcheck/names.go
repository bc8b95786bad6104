package propcheck

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NameRule is what AWS accepts as one kind of name. Lengths are in
// characters (Unicode code points), as AWS counts them, never in bytes.
type NameRule struct {
	// What names the kind in messages, such as "an alarm name".
	What string
	// Min and Max bound the length in characters.
	Min, Max int
	// Allowed matches a whole valid name; nil allows any character but
	// control characters.
	Allowed *regexp.Regexp
	// AllowedText says in words what Allowed allows.
	AllowedText string
	// Reserved lists values that are refused; ReservedPrefixes, refused
	// prefixes; ReservedPrefixesAnyCase, prefixes refused in any case.
	Reserved, ReservedPrefixes, ReservedPrefixesAnyCase []string
	// Example is a valid name to suggest.
	Example string
}

// The name rules of the AWS APIs behind kmsmonitor's name props: one table,
// used by every construct through Checker.AWSName.
var (
	// AlarmName: CloudWatch PutMetricAlarm, AlarmName: 1-255 characters;
	// "must contain only UTF-8 characters, and can't contain ASCII control characters".
	AlarmName = NameRule{What: "an alarm name", Min: 1, Max: 255, Example: "kms-key-pending-deletion"}
	// RuleName: EventBridge PutRule, Name: 1-64, [\.\-_A-Za-z0-9]+ (aws-cdk-lib's Rule
	// refuses others at synthesis).
	RuleName = NameRule{What: "an EventBridge rule name", Min: 1, Max: 64,
		Allowed: regexp.MustCompile(`^[.\-_A-Za-z0-9]+$`), AllowedText: "letters, digits, '.', '-' and '_'", Example: "kms-lifecycle-events"}
	// DashboardName: CloudWatch PutDashboard, DashboardName: 1-255, "can contain only
	// alphanumerics, dash (-), and underscore (_)" (aws-cdk-lib's Dashboard throws on others).
	DashboardName = NameRule{What: "a dashboard name", Min: 1, Max: 255,
		Allowed: regexp.MustCompile(`^[A-Za-z0-9_\-]+$`), AllowedText: "letters, digits, '-' and '_'", Example: "kms-key-health"}
	// EventBusName of a bus this app creates: EventBridge CreateEventBus, Name:
	// 1-256, [/\.\-_A-Za-z0-9]+; aws-cdk-lib's EventBus refuses "default" and,
	// except for partner buses (which kmsmonitor does not create), "/".
	EventBusName = NameRule{What: "an event bus name", Min: 1, Max: 256,
		Allowed: regexp.MustCompile(`^[.\-_A-Za-z0-9]+$`), AllowedText: "letters, digits, '.', '-' and '_' ('/' only in partner buses)",
		Reserved: []string{"default"}, Example: "kmsmonitor-central"}
	// MetricName of a metric filter: CloudWatch Logs MetricTransformation,
	// metricName: at most 255, pattern [^:*$]*; CloudWatch needs at least 1.
	MetricName = NameRule{What: "a metric name", Min: 1, Max: 255,
		Allowed: regexp.MustCompile(`^[^:*$\x00-\x1f\x7f]+$`), AllowedText: "any characters but ':', '*', '$' and control characters", Example: "KMSKeyPendingDeletionErrorCount"}
	// MetricNamespace of a metric filter: CloudWatch Logs MetricTransformation,
	// metricNamespace: at most 255, pattern [^:*$]*; CloudWatch namespaces hold
	// "alphanumeric characters, period, hyphen, underscore, forward slash,
	// hash, colon and space", at least one not a space; "AWS/" is reserved
	// for AWS services (CloudWatch User Guide, "Namespaces").
	MetricNamespace = NameRule{What: "a metric namespace", Min: 1, Max: 255,
		Allowed: regexp.MustCompile(`^[A-Za-z0-9.\-_/# ]*[A-Za-z0-9.\-_/#][A-Za-z0-9.\-_/# ]*$`), AllowedText: "letters, digits, '.', '-', '_', '/', '#' and spaces (CloudWatch Logs refuses ':', '*' and '$')",
		ReservedPrefixes: []string{"AWS/"}, Example: "CloudTrailLogMetrics"}
	// SCPName: AWS Organizations CreatePolicy, Name: 1-128, "any of the
	// characters in the ASCII character range".
	SCPName = NameRule{What: "a policy name", Min: 1, Max: 128,
		Allowed: regexp.MustCompile(`^[\x20-\x7e]+$`), AllowedText: "printable ASCII characters", Example: "kmsmonitor-deletion-guard"}
	// TagKey: AWS tagging, 1-128 characters, ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$
	// (Tagging AWS resources, "Tag naming limits and requirements").
	// The aws: prefix is reserved for AWS use, in any case.
	TagKey = NameRule{What: "a tag key", Min: 1, Max: 128, ReservedPrefixesAnyCase: []string{"aws:"},
		Allowed: regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`), AllowedText: "letters, digits, spaces and _ . : / = + - @", Example: "kmsmonitor:auto-cancel"}
	// TagValue: AWS tagging, 0-256 characters, the same characters as a tag key.
	TagValue = NameRule{What: "a tag value", Min: 0, Max: 256,
		Allowed: regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`), AllowedText: "letters, digits, spaces and _ . : / = + - @", Example: "true"}
)

// AWSName checks an optional name prop against rule. nil and tokens pass.
func (c *Checker) AWSName(prop string, v *string, rule NameRule) {
	if v == nil || Unresolved(*v) {
		return
	}
	c.checkName(prop, *v, rule)
}

func (c *Checker) checkName(prop, v string, rule NameRule) {
	n := utf8.RuneCountInString(v)
	switch {
	case rule.Min > 0 && strings.TrimSpace(v) == "":
		c.Addf(prop, "is empty; give %s%s, or leave the prop unset for the default", rule.What, rule.example())
		return
	case n > rule.Max:
		c.Addf(prop, "is %d characters long; %s has at most %d characters", n, rule.What, rule.Max)
		return
	case n < rule.Min:
		c.Addf(prop, "is %d characters long; %s has at least %d characters", n, rule.What, rule.Min)
		return
	case !utf8.ValidString(v):
		c.Addf(prop, "%q is not valid UTF-8; give %s%s", v, rule.What, rule.example())
		return
	}
	for _, r := range rule.Reserved {
		if v == r {
			c.Addf(prop, "%q is reserved; give another name%s", v, rule.example())
			return
		}
	}
	for _, p := range rule.ReservedPrefixesAnyCase {
		if len(v) >= len(p) && strings.EqualFold(v[:len(p)], p) {
			c.Addf(prop, "%q is reserved for AWS (prefix %q, in any case); use your own%s", v, p, rule.example())
			return
		}
	}
	for _, p := range rule.ReservedPrefixes {
		if strings.HasPrefix(v, p) {
			c.Addf(prop, "%q is reserved for AWS services (prefix %q); use your own%s", v, p, rule.example())
			return
		}
	}
	if rule.Allowed == nil {
		if i := strings.IndexFunc(v, unicode.IsControl); i >= 0 {
			c.Addf(prop, "%q holds a control character (%U) at character %d, which %s cannot hold: remove it%s", v, []rune(v[i:])[0], utf8.RuneCountInString(v[:i])+1, rule.What, rule.example())
		}
		return
	}
	if !rule.Allowed.MatchString(v) {
		c.Addf(prop, "%q is not %s: AWS accepts %s; give one%s", v, rule.What, rule.AllowedText, rule.example())
	}
}

// Name checks an optional name: not empty, at most maxLen characters
// (counted as AWS counts them, not in bytes). what names the kind of value,
// such as "a StackSet name". Prefer AWSName with a rule of the table.
func (c *Checker) Name(prop string, v *string, maxLen int, what string) {
	if v == nil || Unresolved(*v) {
		return
	}
	c.checkName(prop, *v, NameRule{What: what, Min: 1, Max: maxLen})
}

// example is ", such as <Example>", or "" when the rule has none.
func (r NameRule) example() string {
	if r.Example == "" {
		return ""
	}
	return fmt.Sprintf(", such as %q", r.Example)
}

// Length returns the length of s in characters, as AWS counts lengths.
func Length(s string) int { return utf8.RuneCountInString(s) }
