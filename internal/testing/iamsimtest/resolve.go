package iamsimtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Env is the environment a template is deployed to.
type Env struct {
	Account, Region, Partition string
	// StackName is what AWS::StackName resolves to; "Stack" when empty.
	StackName string
}

// URLSuffix is AWS::URLSuffix in the environment's partition.
func (e Env) URLSuffix() string {
	if e.Partition == "aws-cn" {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// TestAccount is the account templates are deployed to by the harness.
const TestAccount = "111122223333"

// AgnosticEnvs are the environments an environment-agnostic template is
// evaluated in: one Region per partition, so that partition-specific values
// resolved at deploy time (ARNs, service principals) are proved in each.
var AgnosticEnvs = []Env{
	{Account: TestAccount, Region: "us-east-1", Partition: "aws"},
	{Account: TestAccount, Region: "cn-north-1", Partition: "aws-cn"},
	{Account: TestAccount, Region: "us-gov-west-1", Partition: "aws-us-gov"},
}

// EnvsFor returns the environments of a stack whose account and Region are
// given when literal ("" when unknown, as for an environment-agnostic stack).
func EnvsFor(account, region string) []Env {
	if account == "" {
		account = TestAccount
	}
	if region == "" {
		out := make([]Env, len(AgnosticEnvs))
		for i, e := range AgnosticEnvs {
			e.Account = account
			out[i] = e
		}
		return out
	}
	return []Env{{Account: account, Region: region, Partition: PartitionOf(region)}}
}

// PartitionOf returns the partition of a Region.
func PartitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// Resource is a resolved resource of a template.
type Resource struct {
	ID, Type string
	Props    map[string]any
	// Ref is what {"Ref": ID} resolves to; Arn what Fn::GetAtt Arn does ("" if none).
	Ref, Arn string
}

// Template is a template whose Resources' properties hold only literals.
type Template struct {
	Env       Env
	Resources map[string]*Resource
}

// Sorted returns the resources of type typ sorted by logical ID.
func (t *Template) Sorted(typ string) []*Resource {
	var out []*Resource
	for _, r := range t.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ByRefOrArn finds the resource of type typ whose Ref or Arn is v.
func (t *Template) ByRefOrArn(typ, v string) *Resource {
	for _, r := range t.Sorted(typ) {
		if v != "" && (r.Ref == v || r.Arn == v) {
			return r
		}
	}
	return nil
}

// Resolve resolves every intrinsic function in the properties of tpl's
// resources for env. Resources whose Condition is false are left out.
// Anything it cannot resolve is an error naming the JSON path: it never
// guesses. Parameters resolve to their Default, or, without one, to the
// stand-in "<Name>-parameter-value".
func Resolve(tpl map[string]any, env Env) (*Template, error) {
	return ResolveWithNested(tpl, env, nil)
}

// ResolveWithNested is Resolve for a template with nested stacks: nested
// holds their templates by the logical ID of their AWS::CloudFormation::Stack
// resource, whose outputs Fn::GetAtt Outputs.<name> then resolves in the
// nested template (for env). The outputs of a nested stack not given resolve
// to the stand-in "<ID>.Outputs.<name>-nested-stack-output".
func ResolveWithNested(tpl map[string]any, env Env, nested map[string]map[string]any) (*Template, error) {
	if env.StackName == "" {
		env.StackName = "Stack"
	}
	r := &resolver{tpl: tpl, env: env, conds: map[string]bool{}, names: map[string]string{}, nested: nested}
	r.resources, _ = tpl["Resources"].(map[string]any)
	out := &Template{Env: env, Resources: map[string]*Resource{}}
	ids := make([]string, 0, len(r.resources))
	for id := range r.resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		res, _ := r.resources[id].(map[string]any)
		if c, ok := res["Condition"].(string); ok {
			on, err := r.condition(c)
			if err != nil {
				return nil, fmt.Errorf("Resources.%s.Condition: %w", id, err)
			}
			if !on {
				continue
			}
		}
		typ, _ := res["Type"].(string)
		props, err := r.value(res["Properties"], "Resources."+id+".Properties")
		if err != nil {
			return nil, err
		}
		pm, _ := props.(map[string]any)
		if pm == nil {
			pm = map[string]any{}
		}
		ref, err := r.ref(id, "Resources."+id)
		if err != nil {
			return nil, err
		}
		arn, _ := r.getAtt(id, "Arn", "")
		out.Resources[id] = &Resource{ID: id, Type: typ, Props: pm, Ref: ref, Arn: arn}
	}
	return out, nil
}

type resolver struct {
	tpl       map[string]any
	resources map[string]any
	env       Env
	conds     map[string]bool
	names     map[string]string
	depth     int
	nested    map[string]map[string]any // nested stacks' templates, by logical ID
}

var noValue = struct{}{}

// value resolves v; path names it in errors.
func (r *resolver) value(v any, path string) (any, error) {
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > 100 {
		return nil, fmt.Errorf("%s: references nest too deep (a cycle?)", path)
	}
	switch x := v.(type) {
	case []any:
		out := make([]any, 0, len(x))
		for i, e := range x {
			rv, err := r.value(e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			if rv != noValue {
				out = append(out, rv)
			}
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return r.intrinsic(k, arg, path+"."+k)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			rv, err := r.value(e, path+"."+k)
			if err != nil {
				return nil, err
			}
			if rv != noValue {
				out[k] = rv
			}
		}
		return out, nil
	}
	return v, nil
}

func (r *resolver) str(v any, path string) (string, error) {
	rv, err := r.value(v, path)
	if err != nil {
		return "", err
	}
	switch s := rv.(type) {
	case string:
		return s, nil
	case float64:
		return strconv.FormatFloat(s, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(s), nil
	}
	return "", fmt.Errorf("%s: want a string, got %v", path, rv)
}

func (r *resolver) list(v any, path string) ([]any, error) {
	rv, err := r.value(v, path)
	if err != nil {
		return nil, err
	}
	l, ok := rv.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: want a list, got %v", path, rv)
	}
	return l, nil
}

func (r *resolver) intrinsic(fn string, arg any, path string) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("%s: want a name, got %v", path, arg)
		}
		if name == "AWS::NoValue" {
			return noValue, nil
		}
		return r.ref(name, path)
	case "Fn::GetAtt":
		var id, attr string
		switch a := arg.(type) {
		case string:
			id, attr, _ = strings.Cut(a, ".")
		case []any:
			if len(a) == 2 {
				id, _ = a[0].(string)
				attr, _ = a[1].(string)
			}
		}
		return r.getAtt(id, attr, path)
	case "Fn::Join":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("%s: want [delimiter, list]", path)
		}
		sep, err := r.str(a[0], path+"[0]")
		if err != nil {
			return nil, err
		}
		items, err := r.list(a[1], path+"[1]")
		if err != nil {
			return nil, err
		}
		parts := make([]string, len(items))
		for i, it := range items {
			if parts[i], err = r.str(it, fmt.Sprintf("%s[1][%d]", path, i)); err != nil {
				return nil, err
			}
		}
		return strings.Join(parts, sep), nil
	case "Fn::Sub":
		return r.sub(arg, path)
	case "Fn::Select":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("%s: want [index, list]", path)
		}
		is, err := r.str(a[0], path+"[0]")
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(is)
		if err != nil {
			return nil, fmt.Errorf("%s[0]: %w", path, err)
		}
		items, err := r.list(a[1], path+"[1]")
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= len(items) {
			return nil, fmt.Errorf("%s: index %d out of %d items", path, i, len(items))
		}
		return items[i], nil
	case "Fn::Split":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("%s: want [delimiter, string]", path)
		}
		sep, err := r.str(a[0], path+"[0]")
		if err != nil {
			return nil, err
		}
		s, err := r.str(a[1], path+"[1]")
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(s, sep) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::FindInMap":
		a, ok := arg.([]any)
		if !ok || len(a) < 3 {
			return nil, fmt.Errorf("%s: want [map, top key, second key]", path)
		}
		keys := make([]string, 3)
		for i := range keys {
			k, err := r.str(a[i], fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			keys[i] = k
		}
		maps, _ := r.tpl["Mappings"].(map[string]any)
		m, _ := maps[keys[0]].(map[string]any)
		top, _ := m[keys[1]].(map[string]any)
		v, ok := top[keys[2]]
		if !ok {
			return nil, fmt.Errorf("%s: Mappings.%s.%s.%s does not exist", path, keys[0], keys[1], keys[2])
		}
		return r.value(v, path)
	case "Fn::If":
		a, ok := arg.([]any)
		if !ok || len(a) != 3 {
			return nil, fmt.Errorf("%s: want [condition, then, else]", path)
		}
		name, _ := a[0].(string)
		on, err := r.condition(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if on {
			return r.value(a[1], path+"[1]")
		}
		return r.value(a[2], path+"[2]")
	case "Fn::Base64":
		return r.str(arg, path)
	}
	return nil, fmt.Errorf("%s: intrinsic function %s is not supported by the harness", path, fn)
}

// condition evaluates Conditions[name].
func (r *resolver) condition(name string) (bool, error) {
	if v, ok := r.conds[name]; ok {
		return v, nil
	}
	conds, _ := r.tpl["Conditions"].(map[string]any)
	c, ok := conds[name]
	if !ok {
		return false, fmt.Errorf("condition %q is not in Conditions", name)
	}
	v, err := r.boolean(c, "Conditions."+name)
	if err != nil {
		return false, err
	}
	r.conds[name] = v
	return v, nil
}

func (r *resolver) boolean(c any, path string) (bool, error) {
	m, ok := c.(map[string]any)
	if !ok || len(m) != 1 {
		return false, fmt.Errorf("%s: want a condition function, got %v", path, c)
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Condition":
			name, _ := arg.(string)
			return r.condition(name)
		case "Fn::Equals":
			if len(args) != 2 {
				return false, fmt.Errorf("%s.Fn::Equals: want two values", path)
			}
			a, err := r.value(args[0], path+".Fn::Equals[0]")
			if err != nil {
				return false, err
			}
			b, err := r.value(args[1], path+".Fn::Equals[1]")
			if err != nil {
				return false, err
			}
			return fmt.Sprint(a) == fmt.Sprint(b), nil
		case "Fn::Not", "Fn::And", "Fn::Or":
			var vals []bool
			for i, a := range args {
				v, err := r.boolean(a, fmt.Sprintf("%s.%s[%d]", path, fn, i))
				if err != nil {
					return false, err
				}
				vals = append(vals, v)
			}
			switch fn {
			case "Fn::Not":
				if len(vals) != 1 {
					return false, fmt.Errorf("%s.Fn::Not: want one condition", path)
				}
				return !vals[0], nil
			case "Fn::And":
				for _, v := range vals {
					if !v {
						return false, nil
					}
				}
				return true, nil
			default:
				for _, v := range vals {
					if v {
						return true, nil
					}
				}
				return false, nil
			}
		}
		return false, fmt.Errorf("%s: condition function %s is not supported by the harness", path, fn)
	}
	return false, nil
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

func (r *resolver) sub(arg any, path string) (any, error) {
	var text string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		text = a
	case []any:
		if len(a) != 2 {
			return nil, fmt.Errorf("%s: want [string, variables]", path)
		}
		text, _ = a[0].(string)
		m, _ := a[1].(map[string]any)
		for k, v := range m {
			s, err := r.str(v, path+"[1]."+k)
			if err != nil {
				return nil, err
			}
			vars[k] = s
		}
	default:
		return nil, fmt.Errorf("%s: want a string or [string, variables]", path)
	}
	var firstErr error
	out := subVar.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		if v, ok := vars[name]; ok {
			return v.(string)
		}
		var v any
		var err error
		if id, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			v, err = r.getAtt(id, attr, path)
		} else {
			v, err = r.ref(name, path)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return fmt.Sprint(v)
	})
	return out, firstErr
}

// ref resolves {"Ref": name}: a pseudo parameter, a parameter or a resource.
func (r *resolver) ref(name, path string) (string, error) {
	e := r.env
	switch name {
	case "AWS::AccountId":
		return e.Account, nil
	case "AWS::Region":
		return e.Region, nil
	case "AWS::Partition":
		return e.Partition, nil
	case "AWS::URLSuffix":
		return e.URLSuffix(), nil
	case "AWS::StackName":
		return e.StackName, nil
	case "AWS::StackId":
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/%s", e.Partition, e.Region, e.Account, e.StackName, fakeUUID(e.StackName)), nil
	case "AWS::NotificationARNs":
		return "", fmt.Errorf("%s: AWS::NotificationARNs is a list, not supported by the harness", path)
	}
	if params, ok := r.tpl["Parameters"].(map[string]any); ok {
		if p, ok := params[name].(map[string]any); ok {
			if d, ok := p["Default"]; ok {
				return fmt.Sprint(d), nil
			}
			return name + "-parameter-value", nil
		}
	}
	res, ok := r.resources[name].(map[string]any)
	if !ok {
		return "", fmt.Errorf("%s: Ref %q names no parameter, pseudo parameter or resource", path, name)
	}
	typ, _ := res["Type"].(string)
	switch typ {
	case "AWS::SNS::Topic", "AWS::IAM::ManagedPolicy", "AWS::SNS::Subscription":
		return r.getAtt(name, "Arn", path)
	case "AWS::SQS::Queue":
		return r.getAtt(name, "QueueUrl", path)
	case "AWS::KMS::Key":
		return fakeUUID(name), nil
	}
	return r.name(name, path)
}

// nameProps are the properties holding a resource's name, by type.
var nameProps = map[string]string{
	"AWS::SNS::Topic": "TopicName", "AWS::SQS::Queue": "QueueName", "AWS::IAM::Role": "RoleName",
	"AWS::S3::Bucket": "BucketName", "AWS::Logs::LogGroup": "LogGroupName", "AWS::Events::EventBus": "Name",
	"AWS::Events::Rule": "Name", "AWS::SSM::Document": "Name", "AWS::CloudWatch::Alarm": "AlarmName",
	"AWS::CloudTrail::Trail": "TrailName", "AWS::Lambda::Function": "FunctionName", "AWS::Kinesis::Stream": "Name",
	"AWS::IAM::ManagedPolicy": "ManagedPolicyName", "AWS::IAM::Policy": "PolicyName", "AWS::Pipes::Pipe": "Name",
	"AWS::CloudWatch::LogAlarm": "AlarmName",
}

// name returns the resource's name property, or a deterministic fake name
// the way CloudFormation makes one (stack name, logical ID, random suffix).
func (r *resolver) name(id, path string) (string, error) {
	if n, ok := r.names[id]; ok {
		return n, nil
	}
	res, _ := r.resources[id].(map[string]any)
	typ, _ := res["Type"].(string)
	props, _ := res["Properties"].(map[string]any)
	if p, ok := nameProps[typ]; ok {
		if v, ok := props[p]; ok {
			n, err := r.str(v, fmt.Sprintf("Resources.%s.Properties.%s", id, p))
			if err != nil {
				return "", err
			}
			r.names[id] = n
			return n, nil
		}
	}
	short := id
	if len(short) > 30 {
		short = short[:30]
	}
	n := fmt.Sprintf("%s-%s-%s", r.env.StackName, short, strings.ToUpper(hash(id)[:12]))
	if typ == "AWS::S3::Bucket" {
		n = strings.ToLower(n)
	}
	r.names[id] = n
	return n, nil
}

// getAtt resolves Fn::GetAtt [id, attr] to a value of the right shape.
func (r *resolver) getAtt(id, attr, path string) (string, error) {
	res, ok := r.resources[id].(map[string]any)
	if !ok {
		return "", fmt.Errorf("%s: Fn::GetAtt names no resource %q", path, id)
	}
	typ, _ := res["Type"].(string)
	e := r.env
	arn := func(service, region, account, rest string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", e.Partition, service, region, account, rest)
	}
	name := func() string { n, _ := r.name(id, path); return n }
	if output, ok := strings.CutPrefix(attr, "Outputs."); ok && typ == "AWS::CloudFormation::Stack" {
		nested, ok := r.nested[id]
		if !ok {
			return id + "." + attr + "-nested-stack-output", nil
		}
		outputs, _ := nested["Outputs"].(map[string]any)
		o, ok := outputs[output].(map[string]any)
		if !ok {
			return "", fmt.Errorf("%s: the nested stack %s has no output %q", path, id, output)
		}
		sub := &resolver{tpl: nested, env: e, conds: map[string]bool{}, names: map[string]string{}}
		sub.resources, _ = nested["Resources"].(map[string]any)
		return sub.str(o["Value"], path+"(nested "+id+")")
	}
	switch typ + "." + attr {
	case "AWS::SNS::Topic.Arn", "AWS::SNS::Topic.TopicArn":
		return arn("sns", e.Region, e.Account, name()), nil
	case "AWS::SNS::Topic.TopicName":
		return name(), nil
	case "AWS::SNS::Subscription.Arn":
		return arn("sns", e.Region, e.Account, name()+":"+fakeUUID(id)), nil
	case "AWS::SQS::Queue.Arn":
		return arn("sqs", e.Region, e.Account, name()), nil
	case "AWS::SQS::Queue.QueueUrl":
		return fmt.Sprintf("https://sqs.%s.%s/%s/%s", e.Region, e.URLSuffix(), e.Account, name()), nil
	case "AWS::SQS::Queue.QueueName":
		return name(), nil
	case "AWS::IAM::Role.Arn":
		return rolePathArn(e, res, name()), nil
	case "AWS::IAM::Role.RoleId":
		return "AROA" + strings.ToUpper(hash(id)[:17]), nil
	case "AWS::IAM::ManagedPolicy.Arn", "AWS::IAM::ManagedPolicy.PolicyArn":
		return arn("iam", "", e.Account, "policy/"+name()), nil
	case "AWS::S3::Bucket.Arn":
		return arn("s3", "", "", name()), nil
	case "AWS::S3::Bucket.DomainName":
		return name() + ".s3." + e.URLSuffix(), nil
	case "AWS::S3::Bucket.RegionalDomainName":
		return name() + ".s3." + e.Region + "." + e.URLSuffix(), nil
	case "AWS::Logs::LogGroup.Arn":
		return arn("logs", e.Region, e.Account, "log-group:"+name()+":*"), nil
	case "AWS::KMS::Key.Arn":
		return arn("kms", e.Region, e.Account, "key/"+fakeUUID(id)), nil
	case "AWS::KMS::Key.KeyId":
		return fakeUUID(id), nil
	case "AWS::Events::EventBus.Arn":
		return arn("events", e.Region, e.Account, "event-bus/"+name()), nil
	case "AWS::Events::EventBus.Name":
		return name(), nil
	case "AWS::Events::Rule.Arn":
		rule := "rule/" + name()
		if props, _ := res["Properties"].(map[string]any); props["EventBusName"] != nil {
			bus, err := r.str(props["EventBusName"], "Resources."+id+".Properties.EventBusName")
			if err != nil {
				return "", err
			}
			if i := strings.LastIndex(bus, "/"); strings.HasPrefix(bus, "arn:") && i >= 0 {
				bus = bus[i+1:]
			}
			if bus != "default" {
				rule = "rule/" + bus + "/" + name()
			}
		}
		return arn("events", e.Region, e.Account, rule), nil
	case "AWS::CloudWatch::Alarm.Arn", "AWS::CloudWatch::LogAlarm.Arn":
		return arn("cloudwatch", e.Region, e.Account, "alarm:"+name()), nil
	case "AWS::CloudTrail::Trail.Arn":
		return arn("cloudtrail", e.Region, e.Account, "trail/"+name()), nil
	case "AWS::Lambda::Function.Arn":
		return arn("lambda", e.Region, e.Account, "function:"+name()), nil
	case "AWS::Kinesis::Stream.Arn":
		return arn("kinesis", e.Region, e.Account, "stream/"+name()), nil
	case "AWS::SSM::Document.Arn":
		return arn("ssm", e.Region, e.Account, "document/"+name()), nil
	case "AWS::Pipes::Pipe.Arn":
		return arn("pipes", e.Region, e.Account, "pipe/"+name()), nil
	case "AWS::CloudFormation::StackSet.StackSetId":
		return name() + ":" + fakeUUID(id), nil
	}
	return "", fmt.Errorf("%s: Fn::GetAtt %s.%s (%s) is not known to the harness", path, id, attr, typ)
}

func rolePathArn(e Env, res map[string]any, name string) string {
	props, _ := res["Properties"].(map[string]any)
	p, _ := props["Path"].(string)
	if p == "" {
		p = "/"
	}
	return fmt.Sprintf("arn:%s:iam::%s:role%s%s", e.Partition, e.Account, p, name)
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// fakeUUID returns a deterministic UUID-shaped ID (the shape of a KMS key ID).
func fakeUUID(s string) string {
	h := hash(s)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// jsonString marshals v for messages.
func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
