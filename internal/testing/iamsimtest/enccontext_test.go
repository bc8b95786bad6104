package iamsimtest_test

import (
	"encoding/json"
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/testing/iamsimtest"
)

func TestRewriteEncryptionContext(t *testing.T) {
	// GIVEN a key policy with statements conditioned on the encryption context
	doc := mustJSON(t, `{"Statement": [
	  {"Sid": "Logs", "Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
	   "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:log-group:*"},
	                 "StringEquals": {"aws:SourceAccount": "111122223333"}}},
	  {"Sid": "Trail", "Effect": "Allow", "Action": "kms:GenerateDataKey*", "Resource": "*",
	   "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*"}}},
	  {"Sid": "Plain", "Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}]}`)
	for name, tc := range map[string]struct {
		ec   map[string]string
		want string
	}{
		"log group of the account": {map[string]string{"aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:log-group:g"},
			`[{"Action":"kms:Encrypt","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}},"Effect":"Allow","Resource":"*","Sid":"Logs"},{"Action":"kms:DescribeKey","Effect":"Allow","Resource":"*","Sid":"Plain"}]`},
		"log group of another account": {map[string]string{"aws:logs:arn": "arn:aws:logs:us-east-1:444455556666:log-group:g"},
			`[{"Action":"kms:DescribeKey","Effect":"Allow","Resource":"*","Sid":"Plain"}]`},
		"trail, key name in another case": {map[string]string{"AWS:CloudTrail:ARN": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/a/b"},
			`[{"Action":"kms:GenerateDataKey*","Effect":"Allow","Resource":"*","Sid":"Trail"},{"Action":"kms:DescribeKey","Effect":"Allow","Resource":"*","Sid":"Plain"}]`},
		"no encryption context": {nil, `[{"Action":"kms:DescribeKey","Effect":"Allow","Resource":"*","Sid":"Plain"}]`},
	} {
		// WHEN it is rewritten for the request's encryption context
		got, err := iamsimtest.RewriteEncryptionContext(doc, tc.ec)
		if err != nil {
			t.Fatal(err)
		}
		// THEN satisfied conditions are dropped, statements whose conditions fail are dropped, the rest is kept
		b, _ := json.Marshal(got.(map[string]any)["Statement"])
		if string(b) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", name, b, tc.want)
		}
	}
}
