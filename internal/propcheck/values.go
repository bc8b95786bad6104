package propcheck

import (
	"fmt"
	"math"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// Number checks an optional number prop: a finite number from min to max,
// whole when whole is set. hint says what to give instead, such as "give a
// whole number from 0 to 185". It returns the value and true when v is a
// valid literal; nil, tokens (passed through unchecked) and invalid values
// return false.
func (c *Checker) Number(prop string, v *float64, min, max float64, whole bool, hint string) (float64, bool) {
	if v == nil {
		return 0, false
	}
	x := *v
	// NaN and infinities first: JSON cannot carry them to aws-cdk-lib, so the
	// token check (a jsii call) must not see them.
	if math.IsNaN(x) || math.IsInf(x, 0) {
		c.Addf(prop, "%v is not a number; %s", x, hint)
		return 0, false
	}
	if Unresolved(x) {
		return 0, false
	}
	if whole && x != math.Trunc(x) {
		c.Addf(prop, "%v is not allowed (not a whole number); %s", x, hint)
		return 0, false
	}
	if x < min || x > max {
		c.Addf(prop, "%v is out of range; %s", x, hint)
		return 0, false
	}
	return x, true
}

// Duration checks what aws-cdk-lib requires of every duration: a whole
// number of seconds (it converts with integral: true and throws otherwise),
// and, for a token, that it is given in seconds (a token cannot be converted
// from another unit). It returns d in seconds and true when d is a valid
// literal; nil and tokens return false.
func (c *Checker) Duration(prop string, d awscdk.Duration) (float64, bool) {
	if d == nil {
		return 0, false
	}
	if *d.IsUnresolved() {
		if unit := *d.UnitLabel(); unit != "seconds" {
			c.Addf(prop, "is a token in %s; aws-cdk-lib converts a token duration only from seconds: give awscdk.Duration_Seconds(param.ValueAsNumber()) with the value in seconds", unit)
		}
		return 0, false
	}
	secs := *d.ToSeconds(&awscdk.TimeConversionOptions{Integral: new(bool)})
	if secs != math.Trunc(secs) {
		c.Addf(prop, "%v seconds is not a whole number of seconds; aws-cdk-lib and AWS take durations in whole seconds: give one such as awscdk.Duration_Seconds(jsii.Number(%v))",
			secs, math.Round(secs))
		return 0, false
	}
	return secs, true
}

// Enum checks an optional enum prop of type T: "" (unset) or one of
// allowed. names lists the Go constants to use, for the message. aws-cdk-lib
// reads enums at synthesis, so a token cannot be passed through.
func Enum[T ~string](c *Checker, prop string, v T, allowed []T, names string) {
	if v == "" {
		return
	}
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	if Unresolved(string(v)) {
		c.Addf(prop, "is a token; aws-cdk-lib needs this enum's value at synthesis: use one of %s", names)
		return
	}
	c.Addf(prop, "%q is not allowed; use one of %s", string(v), names)
}

// IsListToken reports whether s is the one element of a list token (from
// param.ValueAsList() or awscdk.Token_AsList), which stands for a whole list
// whose length is known only at deploy time.
func IsListToken(s string) bool { return strings.Contains(s, "#{Token[") }

// ListTokens checks where list tokens are in list (prop). perElement, when
// not "", says what the construct makes for each element (such as "one
// e-mail subscription per address"): it needs the number of elements at
// synthesis, so a list token is an error. Otherwise the list goes to
// CloudFormation whole and a list token is allowed as its only element
// (aws-cdk-lib cannot add elements to a list token). It reports whether list
// is one list token passed through.
func (c *Checker) ListTokens(prop string, list []string, perElement string) bool {
	for i, s := range list {
		if !IsListToken(s) {
			continue
		}
		name := fmt.Sprintf("%s[%d]", prop, i)
		switch {
		case perElement != "":
			c.Addf(name, "is a list token (param.ValueAsList() or awscdk.Token_AsList), whose length is known only at deployment, but this construct makes %s: "+
				"give one string token per element, such as *awscdk.Fn_Select(jsii.Number(0), list), or literal values", perElement)
		case len(list) > 1:
			c.Addf(name, "is a list token among other elements; aws-cdk-lib cannot add elements to a list token: give the list token alone, or one string token per element (awscdk.Fn_Select)")
		default:
			return true
		}
	}
	return false
}
