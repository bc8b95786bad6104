package nagsuppress

import (
	"regexp"
	"strings"
	"testing"
)

// goRegexp compiles a finding's /^...$/ as cdk-nag does (the text between the
// first and the last slash); the syntax used is common to Go and JavaScript.
func goRegexp(t *testing.T, f Finding) *regexp.Regexp {
	t.Helper()
	s := f.Regex()
	if !strings.HasPrefix(s, "/") || !strings.HasSuffix(s, "/") {
		t.Fatalf("%s is not a /.../ regular expression", s)
	}
	return regexp.MustCompile(strings.ReplaceAll(s[1:len(s)-1], `\/`, "/"))
}

func TestResource_MatchesPlaceholdersAndLiteralEnvironments(t *testing.T) {
	cases := []struct {
		pattern string
		match   []string
		miss    []string
	}{{
		pattern: "arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*",
		match: []string{
			// environment-agnostic, explicit in each partition (the partition stays a pseudo parameter), fully literal
			"Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*",
			"Resource::arn:<AWS::Partition>:kms:us-east-1:111122223333:key/*",
			"Resource::arn:<AWS::Partition>:kms:cn-north-1:111122223333:key/*",
			"Resource::arn:<AWS::Partition>:kms:us-gov-west-1:111122223333:key/*",
			"Resource::arn:aws-cn:kms:cn-northwest-1:111122223333:key/*",
			"Resource::arn:aws:kms:<AWS::Region>:111122223333:key/*",
		},
		miss: []string{
			"Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/1234", // * is literal
			"Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:alias/*",
			"Resource::arn:<AWS::Partition>:kms:us-east-1::key/*", // no account
			"Resource::arn:<AWS::Partition>:kms:us-east-1:1111222233334:key/*",
			"Resource::arn:<AWS::Partition>:kms:*:111122223333:key/*", // any Region is not one Region
			"Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*x",
			"Action::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*",
		},
	}, {
		pattern: "arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-definition/<*>:*",
		match: []string{
			"Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-definition/<DocumentA1B2C3D4>:*",
			"Resource::arn:<AWS::Partition>:ssm:eu-west-1:111122223333:automation-definition/<referencetoStackDocumentRef>:*",
		},
		miss: []string{
			"Resource::arn:<AWS::Partition>:ssm:eu-west-1::automation-definition/AWS-Owned:*",
			"Resource::arn:<AWS::Partition>:ssm:eu-west-1:111122223333:automation-definition/:*",
		},
	}}
	for _, c := range cases {
		re := goRegexp(t, Resource(c.pattern))
		for _, s := range c.match {
			if !re.MatchString(s) {
				t.Errorf("Resource(%q) = %s does not match %s", c.pattern, re, s)
			}
		}
		for _, s := range c.miss {
			if re.MatchString(s) {
				t.Errorf("Resource(%q) = %s matches %s", c.pattern, re, s)
			}
		}
	}
}

func TestAction_IsLiteral(t *testing.T) {
	re := goRegexp(t, Action("kms:GenerateDataKey*"))
	if !re.MatchString("Action::kms:GenerateDataKey*") || re.MatchString("Action::kms:GenerateDataKeyPair") || re.MatchString("Action::kms:*") {
		t.Errorf("Action(kms:GenerateDataKey*) = %s", re)
	}
}
