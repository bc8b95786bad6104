package kmsmonitor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

// maxRuleTargets is EventBridge's limit of targets per rule.
const maxRuleTargets = 5

// Error-message suffixes of KMS calls that fail because of the key's state:
// the one home of these strings (filter patterns, event patterns, the allow
// list of key-aware cancellation).
const (
	pendingDeletionSuffix = " is pending deletion."
	disabledSuffix        = " is disabled."
)

// newCloudTrailRule creates a rule on "AWS API Call via CloudTrail" events of
// AWS KMS whose detail matches detail. With readOnly, the rule also receives
// read-only management events (Decrypt, Encrypt, GenerateDataKey...), which
// reach only rules in the state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS,
// on the default bus and on custom buses alike (EventBridge User Guide,
// "Receiving read-only management events from AWS services"): a central bus
// receiving forwarded read-only events needs that state too.
func newCloudTrailRule(scope constructs.Construct, id, description string, detail map[string]interface{}, readOnly bool, bus awsevents.IEventBus) awsevents.Rule {
	rule := awsevents.NewRule(scope, jsii.String(id), &awsevents.RuleProps{
		EventBus:     bus,
		Description:  jsii.String(description),
		EventPattern: cloudTrailPattern(detail),
	})
	if readOnly {
		// The L2 Rule writes only ENABLED or DISABLED.
		rule.Node().DefaultChild().(awsevents.CfnRule).AddPropertyOverride(jsii.String("State"), jsii.String("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"))
	}
	return rule
}

// field is the input-transformer placeholder of the event field at path.
func field(path string) string { return *awsevents.EventField_FromPath(jsii.String(path)) }

// patternQuota is EventBridge's default quota on an event pattern, in
// characters (adjustable to 4,096 at most): every pattern kmsmonitor writes
// stays within the default, so no quota increase is needed.
const patternQuota = 2048

// longestKeyArn is the longest a key ARN given as a token can be once
// deployed, in the partitions kmsmonitor supports (aws, aws-cn, aws-us-gov):
// the longest partition, the longest Region name, a multi-Region key ID.
var longestKeyArn = len("arn:aws-us-gov:kms:ap-southeast-5:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab")

// patternSize is the size of p as EventBridge counts it: the characters of
// its minified JSON.
func patternSize(p *awsevents.EventPattern) int {
	m := map[string]interface{}{}
	for k, v := range map[string]interface{}{
		"source": p.Source, "detail-type": p.DetailType, "resources": p.Resources,
		"account": p.Account, "region": p.Region, "id": p.Id, "version": p.Version, "time": p.Time,
	} {
		if l, ok := v.(*[]*string); ok && l != nil {
			m[k] = *l
		}
	}
	if p.Detail != nil {
		m["detail"] = *p.Detail
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // EventBridge stores < > & as they are
	if err := enc.Encode(m); err != nil {
		panic(err) // patterns are built from strings, lists and maps
	}
	return utf8.RuneCount(bytes.TrimSpace(b.Bytes()))
}

// fitPatterns is the one splitter of rules whose pattern lists names or
// ARNs (keys, alarms, rules, trails): it cuts items, in order, into as few
// chunks as keep pattern(chunk) within patternQuota, measured with every
// item replaced by worst(item), its longest deployed form (a token counts
// at the longest value it can resolve to). It returns one empty chunk when
// items is empty (one rule for everything). An item that does not fit a
// pattern on its own is recorded in c under prop.
func fitPatterns[T any](c *propcheck.Checker, prop string, items []T, worst func(T) T, pattern func([]T) *awsevents.EventPattern) [][]T {
	chunks := [][]T{nil}
	var worstChunk []T
	for i, item := range items {
		last := len(chunks) - 1
		if patternSize(pattern(append(worstChunk, worst(item)))) <= patternQuota {
			chunks[last] = append(chunks[last], item)
			worstChunk = append(worstChunk, worst(item))
			continue
		}
		if len(chunks[last]) == 0 || patternSize(pattern([]T{worst(item)})) > patternQuota {
			c.Addf(fmt.Sprintf("%s[%d]", prop, i), "makes an event pattern longer than EventBridge's quota of %d characters on its own; give a shorter one", patternQuota)
			continue
		}
		chunks = append(chunks, []T{item})
		worstChunk = []T{worst(item)}
	}
	return chunks
}

// worstKeyArn is arn, or a stand-in of longestKeyArn characters for a token.
func worstKeyArn(arn *string) *string {
	if propcheck.Unresolved(*arn) {
		return jsii.String(strings.Repeat("k", longestKeyArn))
	}
	return arn
}

// cloudTrailPattern is the pattern of newCloudTrailRule.
func cloudTrailPattern(detail map[string]interface{}) *awsevents.EventPattern {
	return &awsevents.EventPattern{
		Source:     jsii.Strings("aws.kms"),
		DetailType: jsii.Strings("AWS API Call via CloudTrail"),
		Detail:     &detail,
	}
}

// numbered is id for the first of several, then id2, id3...: the first rule
// keeps the construct ID (and logical ID) it had before any split.
func numbered(id string, i int) string {
	if i == 0 {
		return id
	}
	return fmt.Sprintf("%s%d", id, i+1)
}
