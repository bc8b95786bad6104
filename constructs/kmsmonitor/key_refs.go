package kmsmonitor

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/kmsmonitor/kmsmonitor/internal/propcheck"
)

// The one place where the keys given in props (Keys, KeyArns, KeyIDs) are
// read, with one rule for every construct: a nil key, an alias or a malformed
// ARN or ID is an error, a key given twice is an error, and tokens pass
// through unchecked.

var (
	keyIDRE = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	// keyArnRE captures partition, Region, account and key ID.
	keyArnRE = regexp.MustCompile(`^arn:(aws[a-z-]*):kms:([a-z0-9-]+):([0-9]{12}):key/(.+)$`)
)

const keyArnExample = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// keyRef is one key given in props.
type keyRef struct {
	// prop names where it was given, such as "KeyArns[0]".
	prop string
	// arn is the key ARN (a literal or a token); nil for a key given by ID.
	arn *string
	// id is the key ID (a literal or a token).
	id *string
	// region and account are those of a literal ARN; "" when unknown.
	region, account string
	// constructID is a stable construct ID for a resource made per key: from
	// the key ID when literal, else from where the key was given.
	constructID string
}

// keyInput is the Keys, KeyArns and KeyIDs props of a construct; why says,
// in an error, why the construct needs a key rather than an alias or a name.
type keyInput struct {
	keys    []awskms.IKey
	keyArns []string
	keyIDs  []string
	// prefix goes before the prop names in errors, such as "Mode.".
	prefix string
	why    string
	// perKey says what the construct makes for each key, such as "one alarm
	// per key", which a list token (param.ValueAsList()) of unknown length
	// cannot give; "" for the event-pattern constructs, whose rules are split
	// by the number of keys.
	perKey string
}

// resolve checks every key given and returns them in the order Keys,
// KeyArns, KeyIDs, recording problems in c.
func (in keyInput) resolve(c *propcheck.Checker) []keyRef {
	var refs []keyRef
	perKey := in.perKey
	if perKey == "" {
		perKey = "event patterns split by the number of keys, to keep each within EventBridge's quota of 2,048 characters"
	}
	c.ListTokens(in.prefix+"KeyArns", in.keyArns, perKey)
	c.ListTokens(in.prefix+"KeyIDs", in.keyIDs, "one alarm per key")
	seen := map[string]string{} // literal key ID or construct address -> prop
	add := func(r keyRef, identity string) {
		if first, dup := seen[identity]; dup {
			c.Addf(r.prop, "key %s is also %s; give each key once", *r.id, first)
			return
		}
		seen[identity] = r.prop
		refs = append(refs, r)
	}
	for i, k := range in.keys {
		prop := fmt.Sprintf("%sKeys[%d]", in.prefix, i)
		if k == nil {
			c.Addf(prop, "is nil; pass a key such as awskms.Key_FromKeyArn(...)")
			continue
		}
		if alias, ok := k.(awskms.IAlias); ok {
			// An alias is an IKey too, and its name may be a token that
			// passes for a key ID: events and metrics name the key, never it.
			c.Addf(prop, "is the alias %s; %s, so pass the key it points to, not an alias (alias.AliasTargetKey(), or the awskms.Key itself)", *alias.Node().Path(), in.why)
			continue
		}
		id := k.KeyId()
		if !propcheck.Unresolved(*id) && !keyIDRE.MatchString(*id) {
			c.Addf(prop, "has key ID %q; %s, so pass the key, not an alias (awskms.Key_FromKeyArn)", *id, in.why)
			continue
		}
		r := literalArn(keyRef{prop: prop, arn: k.KeyArn(), id: id, constructID: "Key-" + *k.Node().Addr()})
		identity := *k.Node().Addr()
		if !propcheck.Unresolved(*id) {
			r.constructID, identity = "Key-"+*id, keyIdentity(r.region, *id)
		}
		add(r, identity)
	}
	for i, arn := range in.keyArns {
		prop := fmt.Sprintf("%sKeyArns[%d]", in.prefix, i)
		if propcheck.IsListToken(arn) {
			continue // reported by ListTokens
		}
		if propcheck.Unresolved(arn) {
			// The same token twice is the same key twice (two alarms or pattern entries for one key).
			if first, dup := seen["token "+arn]; dup {
				c.Addf(prop, "is the same token as %s; give each key once", first)
				continue
			}
			seen["token "+arn] = prop
			id := awscdk.Arn_Split(jsii.String(arn), awscdk.ArnFormat_SLASH_RESOURCE_NAME).ResourceName
			refs = append(refs, keyRef{prop: prop, arn: jsii.String(arn), id: id, constructID: fmt.Sprintf("KeyArns%d", i)})
			continue
		}
		m := keyArnRE.FindStringSubmatch(arn)
		if m == nil || !keyIDRE.MatchString(m[4]) {
			c.Addf(prop, "%q is not a KMS key ARN; %s: give one such as %s (not an alias ARN)", arn, in.why, keyArnExample)
			continue
		}
		add(literalArn(keyRef{prop: prop, arn: jsii.String(arn), id: jsii.String(m[4]), constructID: "Key-" + m[4]}), keyIdentity(m[2], m[4]))
	}
	for i, id := range in.keyIDs {
		prop := fmt.Sprintf("%sKeyIDs[%d]", in.prefix, i)
		if propcheck.IsListToken(id) {
			continue // reported by ListTokens
		}
		if propcheck.Unresolved(id) {
			if first, dup := seen["token "+id]; dup {
				c.Addf(prop, "is the same token as %s; give each key once", first)
				continue
			}
			seen["token "+id] = prop
			// "KeyIds": the construct ID from before the prop was renamed KeyIDs, so logical IDs stay.
			refs = append(refs, keyRef{prop: prop, id: jsii.String(id), constructID: fmt.Sprintf("KeyIds%d", i)})
			continue
		}
		if !keyIDRE.MatchString(id) {
			hint := ""
			if strings.HasPrefix(id, "arn:") {
				hint = " (an ARN goes in KeyArns)"
			}
			c.Addf(prop, "%q is not a KMS key ID%s; give one such as 1234abcd-12ab-34cd-56ef-1234567890ab or mrk-1234abcd12ab34cd56ef1234567890ab", id, hint)
			continue
		}
		add(keyRef{prop: prop, id: jsii.String(id), constructID: "Key-" + id}, id)
	}
	return refs
}

// literalArn fills r's Region and account from its ARN when it is a literal.
func literalArn(r keyRef) keyRef {
	if r.arn != nil && !propcheck.Unresolved(*r.arn) {
		if m := keyArnRE.FindStringSubmatch(*r.arn); m != nil {
			r.region, r.account = m[2], m[3]
		}
	}
	return r
}

// arns returns the ARN of every key (each was given with one).
func arns(refs []keyRef) []*string {
	out := make([]*string, len(refs))
	for i, r := range refs {
		out[i] = r.arn
	}
	return out
}

// keyIdentity tells keys apart: by key ID, and for a multi-Region key, whose
// primary and replicas share the ID, by Region too (when known).
func keyIdentity(region, id string) string {
	if strings.HasPrefix(id, "mrk-") && region != "" {
		return region + "/" + id
	}
	return id
}
