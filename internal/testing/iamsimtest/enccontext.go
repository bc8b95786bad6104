package iamsimtest

import (
	"fmt"
	"regexp"
	"strings"
)

// RewriteEncryptionContext returns a copy of the policy document doc in which
// the conditions on the KMS encryption context (kms:EncryptionContext:<key>
// and kms:EncryptionContextKeys) are evaluated against ec, the encryption
// context of the request.
//
// iam-simulate 0.1.173 ignores these request keys (it lists them in
// ignoredContextKeys), so a statement conditioned on them would never match.
// The harness evaluates them itself: a condition that ec satisfies is dropped
// from the statement (the rest of its conditions still apply); a statement
// with a condition that ec does not satisfy does not apply to the request and
// is dropped. Nothing else is changed.
func RewriteEncryptionContext(doc any, ec map[string]string) (any, error) {
	d, ok := doc.(map[string]any)
	if !ok {
		return doc, nil
	}
	out := make(map[string]any, len(d))
	for k, v := range d {
		out[k] = v
	}
	var kept []any
	for i, st := range statementsOf(d) {
		s, ok, err := rewriteStatement(st, ec)
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", i, err)
		}
		if ok {
			kept = append(kept, s)
		}
	}
	if kept == nil {
		kept = []any{}
	}
	out["Statement"] = kept
	return out, nil
}

func isEncryptionContextKey(k string) bool {
	return strings.HasPrefix(strings.ToLower(k), "kms:encryptioncontext:") || strings.EqualFold(k, "kms:EncryptionContextKeys")
}

// rewriteStatement returns the statement without its encryption-context
// conditions, and false when they do not hold.
func rewriteStatement(st map[string]any, ec map[string]string) (map[string]any, bool, error) {
	cond, _ := st["Condition"].(map[string]any)
	newCond := map[string]any{}
	changed := false
	for op, byKey := range cond {
		keys, _ := byKey.(map[string]any)
		rest := map[string]any{}
		for k, want := range keys {
			if !isEncryptionContextKey(k) {
				rest[k] = want
				continue
			}
			changed = true
			ok, err := holds(op, k, stringsOf(want), ec)
			if err != nil {
				return nil, false, err
			}
			if !ok {
				return nil, false, nil
			}
		}
		if len(rest) > 0 {
			newCond[op] = rest
		}
	}
	if !changed {
		return st, true, nil
	}
	out := make(map[string]any, len(st))
	for k, v := range st {
		out[k] = v
	}
	delete(out, "Condition")
	if len(newCond) > 0 {
		out["Condition"] = newCond
	}
	return out, true, nil
}

// holds evaluates one condition operator on an encryption-context key.
func holds(op, key string, want []string, ec map[string]string) (bool, error) {
	base := op
	set := ""
	if i := strings.Index(base, ":"); i >= 0 {
		set, base = base[:i], base[i+1:]
	}
	ifExists := strings.HasSuffix(base, "IfExists")
	base = strings.TrimSuffix(base, "IfExists")
	var values []string
	if strings.EqualFold(key, "kms:EncryptionContextKeys") {
		for k := range ec {
			values = append(values, k)
		}
	} else {
		name := key[len("kms:EncryptionContext:"):]
		for k, v := range ec {
			if strings.EqualFold(k, name) {
				values = append(values, v)
			}
		}
	}
	negated := strings.Contains(base, "Not")
	if len(values) == 0 {
		// A missing key satisfies negated operators and ...IfExists, nothing else.
		return negated || ifExists || set == "ForAllValues", nil
	}
	match := func(v, w string) (bool, error) {
		switch strings.Replace(base, "Not", "", 1) {
		case "StringEquals", "ArnEquals":
			return v == w, nil
		case "StringEqualsIgnoreCase":
			return strings.EqualFold(v, w), nil
		case "StringLike":
			return glob(w, v), nil
		case "ArnLike":
			return arnLike(w, v)
		}
		return false, fmt.Errorf("condition operator %s on %s is not supported by the harness", op, key)
	}
	anyOf := func(v string) (bool, error) {
		for _, w := range want {
			ok, err := match(v, w)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	if set == "ForAnyValue" {
		for _, v := range values {
			ok, err := anyOf(v)
			if err != nil {
				return false, err
			}
			if ok != negated {
				return true, nil
			}
		}
		return false, nil
	}
	for _, v := range values { // single-valued keys, or ForAllValues
		ok, err := anyOf(v)
		if err != nil {
			return false, err
		}
		if ok == negated {
			return false, nil
		}
	}
	return true, nil
}

// arnLike matches an ARN against a pattern component by component, as IAM's
// ArnLike does (wildcards do not cross the first five colons).
func arnLike(pattern, arn string) (bool, error) {
	p, a := strings.SplitN(pattern, ":", 6), strings.SplitN(arn, ":", 6)
	if len(p) != 6 || len(a) != 6 {
		return false, nil
	}
	for i := range p {
		if !glob(p[i], a[i]) {
			return false, nil
		}
	}
	return true, nil
}

// statementsOf returns the statements of a policy document.
func statementsOf(doc any) []map[string]any {
	d, _ := doc.(map[string]any)
	var raw []any
	switch s := d["Statement"].(type) {
	case []any:
		raw = s
	case []map[string]any: // built in Go rather than decoded from JSON
		for _, st := range s {
			raw = append(raw, st)
		}
	case map[string]any:
		raw = []any{s}
	}
	var out []map[string]any
	for _, st := range raw {
		if m, ok := st.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// stringsOf returns a string or a list of strings as a list.
func stringsOf(v any) []string {
	switch a := v.(type) {
	case string:
		return []string{a}
	case []any:
		var out []string
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return a
	}
	return nil
}

// glob matches s against an IAM pattern: * is any run of characters
// (slashes included), ? any one character.
func glob(pattern, s string) bool {
	re := regexp.QuoteMeta(pattern)
	re = strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(re)
	return regexp.MustCompile("^" + re + "$").MatchString(s)
}
