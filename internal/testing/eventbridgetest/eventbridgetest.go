// Package eventbridgetest evaluates EventBridge event patterns with a real
// EventBridge implementation instead of string comparison: moto's server
// (python3 -m moto.server), started on loopback and driven with the AWS SDK
// for Go v2. A rule with the pattern (and state) is created on a fresh event
// bus with an SQS queue as its target; each event is sent with PutEvents, and
// an event matched when it reached the queue.
//
// moto's matcher descends into nested objects but not into arrays of objects
// (real EventBridge does), so kmsmonitor's patterns avoid needing that.
//
// moto does not implement TestEventPattern; its PutRule accepts the state
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS. Real EventBridge refuses
// PutEvents with an aws.* source; moto accepts it, which is what lets AWS
// service events be replayed here.
package eventbridgetest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// RequireEnv, when set to 1, turns a missing moto into a failure (.ci/run
// sets it); otherwise tests that need it are skipped with a message.
const RequireEnv = "KMSMONITOR_REQUIRE_MOTO"

// ErrUnavailable wraps the reason moto could not be started.
var ErrUnavailable = errors.New("moto server unavailable")

// Server is a moto server on loopback.
type Server struct {
	cmd  *exec.Cmd
	eb   *eventbridge.Client
	sqs  *sqs.Client
	next atomic.Int64 // names the buses and queues of the rules; tests add rules in parallel
}

// motoServer serves moto's application as moto.server's main does, with three
// differences:
//   - it binds port 0 and prints the port the kernel gave it: the port is
//     this process's from the start. When the tests picked a free port and
//     passed it on, two test binaries starting at once could pick the same
//     one; the second moto could not bind, the first answered both, and
//     their event buses collided (and the second lost its server when the
//     first binary ended);
//   - it parses each JSONPath expression once. moto's EventBridge parses the
//     eight input paths of its default event template with jsonpath_ng at
//     every delivery, and jsonpath_ng builds its parser tables anew at each
//     parse: about 0.5 s of CPU per delivered event (cProfile), 80 % of the
//     fidelity tests' time. The parsed expression is immutable, so the
//     answers are the same;
//   - an input template that is a JSON object is filled as EventBridge
//     fills it: a placeholder outside quotes gets the value as JSON (a
//     string value quoted: the InputTransformer API reference's example
//     {"myInstance": <instance>}; aws-cdk-lib's RuleTargetInput.fromObject
//     writes its fields so), one inside quotes the text of the value. moto
//     pastes the raw text in both places, so a string outside quotes made
//     its JSON invalid. A path the event lacks gives null outside quotes and
//     nothing inside (not documented by AWS: README says so).
const motoServer = `import functools, json, os, re, sys
try:
    import jsonpath_ng.ext
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=None)(jsonpath_ng.ext.parse)
except ImportError:
    pass
from moto.events import utils as _events_utils
_original_parse = _events_utils.EventTemplateParser.parse
_placeholder = re.compile(r'"(?:[^"\\]|\\.)*"|<([A-Za-z0-9_.-]+)>')
def _parse(input_template, input_paths_map, event):
    if not input_template or not input_template.strip().startswith("{"):
        return _original_parse(input_template, input_paths_map, event)
    values = {}
    for name, path in (input_paths_map or {}).items():
        found = jsonpath_ng.ext.parse(path).find(event)
        values[name] = found[0].value if found else None
    def inside(m):
        name = m.group(1)
        if name not in values:
            return m.group(0)
        v = values[name]
        if v is None:
            return ""
        return json.dumps(v if isinstance(v, str) else json.dumps(v))[1:-1]
    def fill(m):
        if m.group(1) is None:  # a string literal: fill the placeholders inside it
            return re.sub(r"<([A-Za-z0-9_.-]+)>", inside, m.group(0))
        if m.group(1) not in values:
            return m.group(0)
        return json.dumps(values[m.group(1)])
    return json.loads(_placeholder.sub(fill, input_template))
_events_utils.EventTemplateParser.parse = staticmethod(_parse)
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server
app = DomainDispatcherApplication(create_backend_app)
app.debug = True
server = make_server("127.0.0.1", 0, app, threaded=True)
os.environ["MOTO_PORT"] = str(server.port)  # as moto.server's main sets it
print(server.port, flush=True)
server.serve_forever()
`

// Start starts moto's server (motoServer) on a loopback port of its own and waits
// until it answers (about 3 s).
func Start() (*Server, error) {
	python, err := exec.LookPath("python3")
	if err != nil {
		return nil, fmt.Errorf("%w: python3 not found on PATH", ErrUnavailable)
	}
	if out, err := exec.Command(python, "-c", "import moto.server").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%w: python3 cannot import moto.server (pip install 'moto[server]'): %s", ErrUnavailable, out)
	}
	cmd := exec.Command(python, "-c", motoServer)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	// The server prints its port once bound.
	ports := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ports <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var port string
	select {
	case port = <-ports:
	case <-time.After(30 * time.Second):
	}
	if _, err := strconv.Atoi(port); err != nil {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("%w: moto printed no port within 30 s (%q)", ErrUnavailable, port)
	}
	endpoint := "http://127.0.0.1:" + port
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			return nil, fmt.Errorf("%w: no answer on %s after 30 s: %v", ErrUnavailable, endpoint, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	creds := credentials.NewStaticCredentialsProvider("testing", "testing", "")
	return &Server{
		cmd: cmd,
		eb: eventbridge.New(eventbridge.Options{
			Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(endpoint),
		}),
		sqs: sqs.New(sqs.Options{
			Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(endpoint),
		}),
	}, nil
}

// Close stops the server.
func (s *Server) Close() {
	if s != nil && s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

// Rule is a pattern installed on its own bus, with a queue as its target.
type Rule struct {
	s        *Server
	bus      string
	queueURL string
}

// NewRule creates a fresh event bus with one rule (pattern is the JSON event
// pattern, state "ENABLED" or "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
// whose target is a new SQS queue.
func (s *Server) NewRule(ctx context.Context, pattern, state string) (*Rule, error) {
	bus, queueURL, err := s.newBusRule(ctx, pattern, state, nil, ebtypes.Target{})
	if err != nil {
		return nil, err
	}
	return &Rule{s: s, bus: bus, queueURL: queueURL}, nil
}

// newBusRule creates a fresh event bus with one rule (pattern, state) whose
// target is a new queue with queueAttrs (FIFO when it says so), reached as
// target says (its Id and Arn are set here); it returns the bus and the
// queue's URL.
func (s *Server) newBusRule(ctx context.Context, pattern, state string, queueAttrs map[string]string, target ebtypes.Target) (bus, queueURL string, err error) {
	name := fmt.Sprintf("kmsmonitor-test-%d", s.next.Add(1))
	if _, err := s.eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(name)}); err != nil {
		return "", "", fmt.Errorf("CreateEventBus: %w", err)
	}
	queueName := name
	if queueAttrs[string(sqstypes.QueueAttributeNameFifoQueue)] == "true" {
		queueName += ".fifo"
	}
	q, err := s.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(queueName), Attributes: queueAttrs})
	if err != nil {
		return "", "", fmt.Errorf("CreateQueue: %w", err)
	}
	attrs, err := s.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return "", "", fmt.Errorf("GetQueueAttributes: %w", err)
	}
	if _, err := s.eb.PutRule(ctx, &eventbridge.PutRuleInput{
		Name: aws.String(name), EventBusName: aws.String(name),
		EventPattern: aws.String(pattern), State: ebtypes.RuleState(state),
	}); err != nil {
		return "", "", fmt.Errorf("PutRule: %w", err)
	}
	target.Id, target.Arn = aws.String("queue"), aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)])
	if _, err := s.eb.PutTargets(ctx, &eventbridge.PutTargetsInput{
		Rule: aws.String(name), EventBusName: aws.String(name), Targets: []ebtypes.Target{target},
	}); err != nil {
		return "", "", fmt.Errorf("PutTargets: %w", err)
	}
	return name, *q.QueueUrl, nil
}

// Matches sends event (a whole EventBridge event as JSON: source,
// detail-type, resources, time, detail) to the rule's bus and reports whether
// the rule delivered it to its queue.
func (r *Rule) Matches(ctx context.Context, event []byte) (bool, error) {
	got, err := r.MatchAll(ctx, [][]byte{event})
	if err != nil {
		return false, err
	}
	return got[0], nil
}

// MatchAll sends events in batches of 10 and reports, for each, whether the
// rule delivered it. Delivered events are recognised by source, detail-type,
// resources and detail.
func (r *Rule) MatchAll(ctx context.Context, events [][]byte) ([]bool, error) {
	byDetail := map[string][]int{}
	sent, err := r.s.putEvents(ctx, r.bus, events)
	if err != nil {
		return nil, err
	}
	for i, key := range sent {
		byDetail[key] = append(byDetail[key], i)
	}
	// moto delivers during PutEvents, so the queue already holds every match.
	matched := make([]bool, len(events))
	for {
		msgs, err := r.s.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(r.queueURL), MaxNumberOfMessages: 10})
		if err != nil {
			return nil, fmt.Errorf("ReceiveMessage: %w", err)
		}
		if len(msgs.Messages) == 0 {
			return matched, nil
		}
		for _, m := range msgs.Messages {
			var delivered struct {
				Source     string          `json:"source"`
				DetailType string          `json:"detail-type"`
				Resources  []string        `json:"resources"`
				Detail     json.RawMessage `json:"detail"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &delivered); err != nil {
				return nil, fmt.Errorf("delivered message is not an event: %w", err)
			}
			key, err := identity(delivered.Source, delivered.DetailType, delivered.Resources, delivered.Detail)
			if err != nil {
				return nil, err
			}
			sent, ok := byDetail[key]
			if !ok {
				return nil, fmt.Errorf("delivered an event that was not sent: %s", key)
			}
			for _, i := range sent {
				matched[i] = true
			}
			if _, err := r.s.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(r.queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return nil, fmt.Errorf("DeleteMessage: %w", err)
			}
		}
	}
}

// putEvents sends events (whole EventBridge events as JSON: source,
// detail-type, resources, time, detail) to bus, in batches of 10 and in
// order, and returns the identity of each.
func (s *Server) putEvents(ctx context.Context, bus string, events [][]byte) ([]string, error) {
	ids := make([]string, len(events))
	entries := make([]ebtypes.PutEventsRequestEntry, len(events))
	for i, event := range events {
		var ev struct {
			Source     string          `json:"source"`
			DetailType string          `json:"detail-type"`
			Resources  []string        `json:"resources"`
			Time       string          `json:"time"`
			Detail     json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal(event, &ev); err != nil {
			return nil, fmt.Errorf("event %d is not JSON: %w", i, err)
		}
		key, err := identity(ev.Source, ev.DetailType, ev.Resources, ev.Detail)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		ids[i] = key
		entries[i] = ebtypes.PutEventsRequestEntry{
			EventBusName: aws.String(bus), Source: aws.String(ev.Source), DetailType: aws.String(ev.DetailType),
			Resources: ev.Resources, Detail: aws.String(string(ev.Detail)),
		}
		if t, err := time.Parse(time.RFC3339, ev.Time); err == nil {
			entries[i].Time = &t
		}
	}
	for start := 0; start < len(entries); start += 10 {
		out, err := s.eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries[start:min(start+10, len(entries))]})
		if err != nil {
			return nil, fmt.Errorf("PutEvents: %w", err)
		}
		if out.FailedEntryCount != 0 {
			return nil, fmt.Errorf("PutEvents refused %d events", out.FailedEntryCount)
		}
	}
	return ids, nil
}

// identity is what recognises a delivered event: its source, detail-type,
// resources and detail, re-encoded with sorted keys.
func identity(source, detailType string, resources []string, detail json.RawMessage) (string, error) {
	var d any
	if err := json.Unmarshal(detail, &d); err != nil {
		return "", fmt.Errorf("detail is not JSON: %w", err)
	}
	if resources == nil {
		resources = []string{}
	}
	b, err := json.Marshal([]any{source, detailType, resources, d})
	return string(b), err
}

// Required reports whether RequireEnv demands moto.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Target is a rule target's transformation and FIFO message group, as
// CloudFormation writes them (AWS::Events::Rule Targets: InputTransformer,
// SqsParameters.MessageGroupId).
type Target struct {
	InputPathsMap  map[string]string
	InputTemplate  string
	MessageGroupID string
}

// FIFORule is a pattern installed on its own bus, whose target is an SQS
// FIFO queue with content-based deduplication, as kmsmonitor's bounded
// notifications are.
type FIFORule struct {
	s        *Server
	bus      string
	queueURL string
}

// NewFIFORule creates a fresh event bus with one rule (pattern, state as
// NewRule) whose target is a new FIFO queue with content-based
// deduplication, reached through target's transformation.
func (s *Server) NewFIFORule(ctx context.Context, pattern, state string, target Target) (*FIFORule, error) {
	bus, queueURL, err := s.newBusRule(ctx, pattern, state, map[string]string{
		string(sqstypes.QueueAttributeNameFifoQueue): "true", string(sqstypes.QueueAttributeNameContentBasedDeduplication): "true",
	}, ebtypes.Target{
		InputTransformer: &ebtypes.InputTransformer{InputPathsMap: target.InputPathsMap, InputTemplate: aws.String(target.InputTemplate)},
		SqsParameters:    &ebtypes.SqsParameters{MessageGroupId: aws.String(target.MessageGroupID)},
	})
	if err != nil {
		return nil, err
	}
	return &FIFORule{s: s, bus: bus, queueURL: queueURL}, nil
}

// Deliver sends events (whole EventBridge events as JSON) to the rule's bus,
// in batches of 10 and in order, and returns the bodies of the messages the
// queue kept, in order: a message whose body equals one the queue accepted
// is dropped (moto drops it while the first is still in the queue, within
// the 5-minute deduplication interval; SQS for 5 minutes whatever happened to
// the first).
func (r *FIFORule) Deliver(ctx context.Context, events [][]byte) ([]string, error) {
	if _, err := r.s.putEvents(ctx, r.bus, events); err != nil {
		return nil, err
	}
	// moto delivers during PutEvents, and deduplicates then: the queue holds
	// what it kept. A FIFO queue hands out a message group's next message
	// once the previous one is deleted.
	var bodies []string
	for {
		msgs, err := r.s.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(r.queueURL), MaxNumberOfMessages: 10})
		if err != nil {
			return nil, fmt.Errorf("ReceiveMessage: %w", err)
		}
		if len(msgs.Messages) == 0 {
			return bodies, nil
		}
		for _, m := range msgs.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
			if _, err := r.s.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(r.queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return nil, fmt.Errorf("DeleteMessage: %w", err)
			}
		}
	}
}
