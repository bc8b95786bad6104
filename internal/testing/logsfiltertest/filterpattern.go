// Package filterpattern evaluates CloudWatch Logs JSON filter patterns against
// JSON log events, so tests can prove which CloudTrail records a metric filter
// counts without an AWS account.
//
// It covers what metric filters on CloudTrail need, following the documented
// syntax (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):
//
//	{ SELECTOR OP VALUE }            OP is =, !=, <, <=, >, >=
//	{ SELECTOR IS NULL }             also IS TRUE, IS FALSE
//	{ SELECTOR EXISTS }              also NOT EXISTS
//	{ A && B }, { A || B }, { (A || B) && C }   && binds tighter than ||
//
// SELECTOR is $ followed by .name and [index] steps ($.a.b[0].c). VALUE is a
// number, a double-quoted string or a bare word; in strings, * matches any run
// of characters. A comparison on a property that is absent (or of another type)
// is false, for = and != alike, as in CloudWatch Logs.
package logsfiltertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Pattern is a parsed JSON filter pattern.
type Pattern struct {
	source string
	root   node
}

// String returns the pattern as it was given to Parse.
func (p *Pattern) String() string { return p.source }

// Parse parses a JSON filter pattern such as `{ $.eventSource = kms* }`.
func Parse(pattern string) (*Pattern, error) {
	toks, err := lex(pattern)
	if err != nil {
		return nil, err
	}
	ps := &parser{toks: toks}
	if !ps.accept(tokLBrace) {
		return nil, fmt.Errorf("filter pattern %q: a JSON filter pattern starts with {", pattern)
	}
	root, err := ps.expr()
	if err != nil {
		return nil, fmt.Errorf("filter pattern %q: %w", pattern, err)
	}
	if !ps.accept(tokRBrace) {
		return nil, fmt.Errorf("filter pattern %q: expected } at %s", pattern, ps.peek())
	}
	if ps.peek().kind != tokEOF {
		return nil, fmt.Errorf("filter pattern %q: unexpected %s after }", pattern, ps.peek())
	}
	return &Pattern{source: pattern, root: root}, nil
}

// MustParse is Parse that panics on error, for patterns known to be valid.
func MustParse(pattern string) *Pattern {
	p, err := Parse(pattern)
	if err != nil {
		panic(err)
	}
	return p
}

// Match reports whether the JSON log event matches the pattern. An event that
// is not a JSON object never matches a JSON pattern.
func (p *Pattern) Match(event []byte) (bool, error) {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return false, fmt.Errorf("log event is not JSON: %w", err)
	}
	if _, ok := doc.(map[string]any); !ok {
		return false, nil
	}
	return p.root.eval(doc), nil
}

// ---- evaluation ----

type node interface{ eval(doc any) bool }

type andNode struct{ left, right node }

func (n andNode) eval(doc any) bool { return n.left.eval(doc) && n.right.eval(doc) }

type orNode struct{ left, right node }

func (n orNode) eval(doc any) bool { return n.left.eval(doc) || n.right.eval(doc) }

type step struct {
	name  string
	index int // used when name is ""
}

type selector []step

// lookup returns the value the selector points to and whether it exists.
func (s selector) lookup(doc any) (any, bool) {
	cur := doc
	for _, st := range s {
		if st.name != "" {
			obj, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = obj[st.name]; !ok {
				return nil, false
			}
			continue
		}
		arr, ok := cur.([]any)
		if !ok || st.index >= len(arr) {
			return nil, false
		}
		cur = arr[st.index]
	}
	return cur, true
}

type existsNode struct {
	sel    selector
	negate bool
}

func (n existsNode) eval(doc any) bool {
	_, ok := n.sel.lookup(doc)
	return ok != n.negate
}

type isNode struct {
	sel  selector
	want string // NULL, TRUE or FALSE
}

func (n isNode) eval(doc any) bool {
	v, ok := n.sel.lookup(doc)
	if !ok {
		return false
	}
	switch n.want {
	case "NULL":
		return v == nil
	case "TRUE":
		b, isBool := v.(bool)
		return isBool && b
	default:
		b, isBool := v.(bool)
		return isBool && !b
	}
}

type compareNode struct {
	sel     selector
	op      string
	text    string   // string operand (wildcards allowed)
	number  *float64 // numeric operand, when the value is a number
	literal bool     // quoted: always compared as a string
}

func (n compareNode) eval(doc any) bool {
	v, ok := n.sel.lookup(doc)
	if !ok {
		return false
	}
	if num, isNum := v.(json.Number); isNum && n.number != nil && !n.literal {
		f, err := num.Float64()
		if err != nil {
			return false
		}
		return compareFloat(f, n.op, *n.number)
	}
	s, isStr := v.(string)
	if !isStr {
		return false
	}
	switch n.op {
	case "=":
		return wildcardMatch(n.text, s)
	case "!=":
		return !wildcardMatch(n.text, s)
	default: // ordering operators apply to numbers only
		return false
	}
}

func compareFloat(a float64, op string, b float64) bool {
	switch op {
	case "=":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	default:
		return a >= b
	}
}

// wildcardMatch matches s against pattern, where * stands for any run of
// characters (possibly empty) and every other character stands for itself.
func wildcardMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// ---- lexing ----

type tokKind int

const (
	tokEOF tokKind = iota
	tokLBrace
	tokRBrace
	tokLParen
	tokRParen
	tokAnd
	tokOr
	tokOp
	tokSelector
	tokString // quoted
	tokWord   // bare value or keyword
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func (t token) String() string {
	if t.kind == tokEOF {
		return "end of pattern"
	}
	return fmt.Sprintf("%q (offset %d)", t.text, t.pos)
}

func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case unicode.IsSpace(rune(c)):
			i++
		case c == '{':
			toks = append(toks, token{tokLBrace, "{", i})
			i++
		case c == '}':
			toks = append(toks, token{tokRBrace, "}", i})
			i++
		case c == '(':
			toks = append(toks, token{tokLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tokRParen, ")", i})
			i++
		case strings.HasPrefix(src[i:], "&&"):
			toks = append(toks, token{tokAnd, "&&", i})
			i += 2
		case strings.HasPrefix(src[i:], "||"):
			toks = append(toks, token{tokOr, "||", i})
			i += 2
		case strings.HasPrefix(src[i:], "!=") || strings.HasPrefix(src[i:], "<=") || strings.HasPrefix(src[i:], ">="):
			toks = append(toks, token{tokOp, src[i : i+2], i})
			i += 2
		case c == '=' || c == '<' || c == '>':
			toks = append(toks, token{tokOp, src[i : i+1], i})
			i++
		case c == '"':
			j := i + 1
			var b strings.Builder
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' && j+1 < len(src) {
					j++
				}
				b.WriteByte(src[j])
				j++
			}
			if j >= len(src) {
				return nil, fmt.Errorf("filter pattern %q: unterminated string at offset %d", src, i)
			}
			toks = append(toks, token{tokString, b.String(), i})
			i = j + 1
		default:
			j := i
			for j < len(src) && !unicode.IsSpace(rune(src[j])) && !strings.ContainsRune("{}()=!<>&|\"", rune(src[j])) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("filter pattern %q: unexpected %q at offset %d", src, c, i)
			}
			kind := tokWord
			if src[i] == '$' {
				kind = tokSelector
			}
			toks = append(toks, token{kind, src[i:j], i})
			i = j
		}
	}
	return append(toks, token{kind: tokEOF, pos: len(src)}), nil
}

// ---- parsing ----

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *parser) accept(k tokKind) bool {
	if p.peek().kind == k {
		p.pos++
		return true
	}
	return false
}

func (p *parser) expr() (node, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.accept(tokOr) {
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = orNode{left, right}
	}
	return left, nil
}

func (p *parser) and() (node, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.accept(tokAnd) {
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		left = andNode{left, right}
	}
	return left, nil
}

func (p *parser) unary() (node, error) {
	if p.accept(tokLParen) {
		n, err := p.expr()
		if err != nil {
			return nil, err
		}
		if !p.accept(tokRParen) {
			return nil, fmt.Errorf("expected ) at %s", p.peek())
		}
		return n, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (node, error) {
	t := p.next()
	if t.kind != tokSelector {
		return nil, fmt.Errorf("expected a selector such as $.eventName at %s", t)
	}
	sel, err := parseSelector(t.text)
	if err != nil {
		return nil, fmt.Errorf("selector %s: %w", t, err)
	}
	t = p.next()
	switch {
	case t.kind == tokOp:
		v := p.next()
		if v.kind != tokString && v.kind != tokWord {
			return nil, fmt.Errorf("expected a value after %s, found %s", t.text, v)
		}
		n := compareNode{sel: sel, op: t.text, text: v.text, literal: v.kind == tokString}
		if f, err := strconv.ParseFloat(v.text, 64); err == nil && v.kind == tokWord {
			n.number = &f
		} else if t.text != "=" && t.text != "!=" {
			return nil, fmt.Errorf("%s needs a number, found %s", t.text, v)
		}
		return n, nil
	case t.kind == tokWord && t.text == "IS":
		v := p.next()
		if v.kind != tokWord || (v.text != "NULL" && v.text != "TRUE" && v.text != "FALSE") {
			return nil, fmt.Errorf("expected NULL, TRUE or FALSE after IS, found %s", v)
		}
		return isNode{sel: sel, want: v.text}, nil
	case t.kind == tokWord && t.text == "EXISTS":
		return existsNode{sel: sel}, nil
	case t.kind == tokWord && t.text == "NOT":
		if v := p.next(); v.kind != tokWord || v.text != "EXISTS" {
			return nil, fmt.Errorf("expected EXISTS after NOT, found %s", v)
		}
		return existsNode{sel: sel, negate: true}, nil
	default:
		return nil, fmt.Errorf("expected an operator (=, !=, <, <=, >, >=, IS, EXISTS, NOT EXISTS) at %s", t)
	}
}

func parseSelector(s string) (selector, error) {
	if s == "$" || !strings.HasPrefix(s, "$") {
		return nil, fmt.Errorf("a selector starts with $. or $[")
	}
	var sel selector
	rest := s[1:]
	for rest != "" {
		switch rest[0] {
		case '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			name := rest[1 : 1+end]
			if name == "" {
				return nil, fmt.Errorf("empty property name")
			}
			sel = append(sel, step{name: name})
			rest = rest[1+end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("missing ]")
			}
			idx, err := strconv.Atoi(rest[1:end])
			if err != nil || idx < 0 {
				return nil, fmt.Errorf("array index %q is not a whole number", rest[1:end])
			}
			sel = append(sel, step{index: idx})
			rest = rest[end+1:]
		default:
			return nil, fmt.Errorf("unexpected %q", rest[0])
		}
	}
	return sel, nil
}
