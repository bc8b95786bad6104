package logsfiltertest_test

import (
	"strings"
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/testing/logsfiltertest"
)

const event = `{
  "eventSource": "kms.amazonaws.com",
  "eventName": "Decrypt",
  "errorMessage": "arn:aws:kms:us-west-2:111122223333:key/1234abcd is pending deletion.",
  "readOnly": true,
  "managementEvent": false,
  "responseElements": null,
  "bytes": 512,
  "resources": [{"ARN": "arn:aws:kms:us-west-2:111122223333:key/1234abcd"}],
  "userIdentity": {"type": "IAMUser", "userName": "Alice"}
}`

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern string
		want    bool
	}{
		// equality, bare and quoted, with wildcards
		{`{ $.eventName = Decrypt }`, true},
		{`{ $.eventName = "Decrypt" }`, true},
		{`{ $.eventName = Encrypt }`, false},
		{`{ $.eventSource = kms* }`, true},
		{`{ $.eventSource = *.amazonaws.com }`, true},
		{`{ $.eventSource = k*s.*.com }`, true},
		{`{ $.eventSource = s3* }`, false},
		{`{ $.errorMessage = "* is pending deletion." }`, true},
		{`{ $.errorMessage = "* is disabled." }`, false},
		{`{ $.eventName = "Decrypt*" }`, true},
		{`{ $.eventName = "*" }`, true},
		{`{ $.eventName = "Decryp" }`, false},
		// inequality
		{`{ $.eventName != Encrypt }`, true},
		{`{ $.eventName != Decrypt }`, false},
		{`{ $.missing != Decrypt }`, false},
		// nested and arrays
		{`{ $.userIdentity.type = IAMUser }`, true},
		{`{ $.userIdentity.userName = Bob }`, false},
		{`{ $.resources[0].ARN = "arn:aws:kms:*:key/1234abcd" }`, true},
		{`{ $.resources[1].ARN = * }`, false},
		{`{ $.resources.ARN = * }`, false},
		// numbers
		{`{ $.bytes = 512 }`, true},
		{`{ $.bytes > 500 }`, true},
		{`{ $.bytes >= 512 }`, true},
		{`{ $.bytes < 512 }`, false},
		{`{ $.bytes <= 511.5 }`, false},
		{`{ $.bytes != 1 }`, true},
		{`{ $.eventName > 1 }`, false},
		// IS, EXISTS
		{`{ $.responseElements IS NULL }`, true},
		{`{ $.eventName IS NULL }`, false},
		{`{ $.missing IS NULL }`, false},
		{`{ $.readOnly IS TRUE }`, true},
		{`{ $.managementEvent IS FALSE }`, true},
		{`{ $.readOnly IS FALSE }`, false},
		{`{ $.eventName EXISTS }`, true},
		{`{ $.missing EXISTS }`, false},
		{`{ $.missing NOT EXISTS }`, true},
		{`{ $.eventName NOT EXISTS }`, false},
		// boolean operators and precedence
		{`{ $.eventSource = kms* && $.errorMessage = "* is pending deletion."}`, true},
		{`{ $.eventSource = s3* && $.errorMessage = "* is pending deletion."}`, false},
		{`{ $.eventName = Encrypt || $.eventName = Decrypt }`, true},
		{`{ $.eventName = Encrypt || $.eventName = Sign }`, false},
		{`{ $.eventName = Encrypt && $.bytes = 1 || $.bytes = 512 }`, true},
		{`{ $.eventName = Encrypt && ($.bytes = 1 || $.bytes = 512) }`, false},
		{`{ ($.eventName = Encrypt || $.eventName = Decrypt) && $.readOnly IS TRUE }`, true},
	}
	for _, c := range cases {
		t.Run(c.pattern, func(t *testing.T) {
			p, err := logsfiltertest.Parse(c.pattern)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := p.Match([]byte(event))
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if got != c.want {
				t.Errorf("Match = %v, want %v", got, c.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		`$.eventName = Decrypt`:          "starts with {",
		`{ $.eventName = Decrypt`:        "expected }",
		`{ $.eventName = Decrypt } x`:    "after }",
		`{ eventName = Decrypt }`:        "selector",
		`{ $.eventName }`:                "operator",
		`{ $.eventName = }`:              "value",
		`{ $.bytes > big }`:              "needs a number",
		`{ $.eventName IS MAYBE }`:       "NULL, TRUE or FALSE",
		`{ $.eventName NOT THERE }`:      "EXISTS",
		`{ ($.eventName = Decrypt }`:     "expected )",
		`{ $.a[x] = 1 }`:                 "whole number",
		`{ $.a..b = 1 }`:                 "empty property",
		`{ $.eventName = "Decrypt }`:     "unterminated",
		`{ $.eventName = Decrypt && }`:   "selector",
		`ERROR`:                          "starts with {",
		`{ $.eventName = Decrypt || ! }`: "unexpected",
	}
	for pattern, want := range cases {
		t.Run(pattern, func(t *testing.T) {
			_, err := logsfiltertest.Parse(pattern)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("Parse(%q) error = %v, want it to mention %q", pattern, err, want)
			}
		})
	}
}

func TestMatchNonObjectAndInvalidJSON(t *testing.T) {
	p := logsfiltertest.MustParse(`{ $.eventName = * }`)
	if ok, err := p.Match([]byte(`["Decrypt"]`)); ok || err != nil {
		t.Errorf("array event: Match = %v, %v; want false, nil", ok, err)
	}
	if _, err := p.Match([]byte(`not json`)); err == nil {
		t.Error("invalid JSON: want an error")
	}
	if p.String() != `{ $.eventName = * }` {
		t.Errorf("String() = %q", p.String())
	}
}
