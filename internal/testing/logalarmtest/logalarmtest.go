// Package logalarmtest runs a CloudWatch log alarm offline over CloudTrail
// records, as the CloudWatch User Guide ("Log alarms", "Create a log alarm")
// describes it: every run (ScheduleExpression) queries the records whose
// timestamp lies in [run - StartTimeOffset, run - EndTimeOffset] and that
// CloudWatch Logs had received by then, aggregates them
// (AggregationExpression; with "by", each group is a contributor, evaluated
// on its own), and a contributor goes to ALARM when QueryResultsToAlarm of
// its last QueryResultsToEvaluate results breach the threshold; a run
// without it does not breach, whatever TreatMissingData says. SNS actions
// run per contributor, on each change of its state.
//
// The query language is the subset kmsmonitor's log alarms use, parsed from
// the synthesized template: "filter F like /RE/ and ..." and "| fields
// coalesce(A, B) as X, C as Y", with "count(*) by X, Y" as aggregation. Any
// other command is an error, so that a changed query cannot pass unjudged.
// What only CloudWatch proves: that it accepts and runs the query the same
// way (README, "What the tests prove offline").
package logalarmtest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Alarm is a log alarm's evaluation settings, read from its template.
type Alarm struct {
	filters      []filter
	fields       []field
	by           []string
	every        time.Duration
	start, end   time.Duration
	toAlarm, ofN int
	threshold    float64
}

type filter struct {
	path string
	re   *regexp.Regexp
}

type field struct {
	name  string
	paths []string // coalesce: the first present
}

var (
	filterClause = regexp.MustCompile(`^\s*([A-Za-z0-9_.@]+)\s+like\s+/(.*)/\s*$`)
	fieldClause  = regexp.MustCompile(`^\s*(?:coalesce\(([^)]*)\)|([A-Za-z0-9_.@]+))(?:\s+as\s+([A-Za-z0-9_]+))?\s*$`)
	countBy      = regexp.MustCompile(`^\s*count\(\*\)\s+by\s+(.+)$`)
	rate         = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours)\)$`)
)

// FromTemplate reads an AWS::CloudWatch::LogAlarm's Properties.
func FromTemplate(props map[string]any) (Alarm, error) {
	var a Alarm
	if op := props["ComparisonOperator"]; op != "GreaterThanOrEqualToThreshold" {
		return a, fmt.Errorf("ComparisonOperator %v: only GreaterThanOrEqualToThreshold is simulated", op)
	}
	a.threshold, _ = props["Threshold"].(float64)
	a.toAlarm = int(num(props["QueryResultsToAlarm"]))
	a.ofN = int(num(props["QueryResultsToEvaluate"]))
	cfg, _ := props["ScheduledQueryConfiguration"].(map[string]any)
	sched, _ := cfg["ScheduleConfiguration"].(map[string]any)
	m := rate.FindStringSubmatch(fmt.Sprint(sched["ScheduleExpression"]))
	if m == nil {
		return a, fmt.Errorf("ScheduleExpression %v: only rate(N minutes|hours) is simulated", sched["ScheduleExpression"])
	}
	n, _ := strconv.Atoi(m[1])
	a.every = time.Duration(n) * time.Minute
	if strings.HasPrefix(m[2], "hour") {
		a.every = time.Duration(n) * time.Hour
	}
	a.start = time.Duration(num(sched["StartTimeOffset"])) * time.Second
	a.end = time.Duration(num(sched["EndTimeOffset"])) * time.Second
	query, _ := cfg["QueryString"].(string)
	for i, command := range strings.Split(query, "|") {
		command = strings.TrimSpace(command)
		switch {
		case strings.HasPrefix(command, "filter "):
			for _, cond := range strings.Split(strings.TrimPrefix(command, "filter "), " and ") {
				fm := filterClause.FindStringSubmatch(cond)
				if fm == nil {
					return a, fmt.Errorf("query command %d: %q is not simulated (F like /RE/ only)", i, cond)
				}
				re, err := regexp.Compile(fm[2])
				if err != nil {
					return a, fmt.Errorf("query command %d: %w", i, err)
				}
				a.filters = append(a.filters, filter{fm[1], re})
			}
		case strings.HasPrefix(command, "fields "):
			for _, f := range splitTopLevel(strings.TrimPrefix(command, "fields ")) {
				fm := fieldClause.FindStringSubmatch(f)
				if fm == nil {
					return a, fmt.Errorf("query command %d: field %q is not simulated", i, f)
				}
				if fm[3] == "" && fm[1] == "" {
					continue // a field shown as it is (@timestamp, @message): not aggregated
				}
				if fm[3] == "" {
					return a, fmt.Errorf("query command %d: coalesce without a name in %q", i, f)
				}
				paths := []string{fm[2]}
				if fm[1] != "" {
					paths = nil
					for _, p := range strings.Split(fm[1], ",") {
						paths = append(paths, strings.TrimSpace(p))
					}
				}
				a.fields = append(a.fields, field{fm[3], paths})
			}
		default:
			return a, fmt.Errorf("query command %d: %q is not simulated", i, command)
		}
	}
	agg, _ := cfg["AggregationExpression"].(string)
	bm := countBy.FindStringSubmatch(agg)
	if bm == nil {
		return a, fmt.Errorf("AggregationExpression %q: only count(*) by ... is simulated", agg)
	}
	for _, b := range strings.Split(bm[1], ",") {
		a.by = append(a.by, strings.TrimSpace(b))
	}
	return a, nil
}

// splitTopLevel splits s at the commas outside parentheses.
func splitTopLevel(s string) []string {
	var out []string
	depth, last := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[last:i])
				last = i + 1
			}
		}
	}
	return append(out, s[last:])
}

func num(v any) float64 { f, _ := v.(float64); return f }

// Record is a CloudTrail record delivered to the log group: its JSON, and
// when CloudWatch Logs received it (its timestamp is the record's eventTime).
type Record struct {
	JSON     []byte
	Received time.Time
}

// Notification is an SNS action of a contributor's state change.
type Notification struct {
	At          time.Time
	State       string            // ALARM or OK
	Contributor map[string]string // the "by" fields
	Count       int               // the contributor's aggregated value in that run
}

// Run evaluates the alarm at every run from first to last (inclusive) and
// returns the notifications of its contributors, in order.
func (a Alarm) Run(records []Record, first, last time.Time) ([]Notification, error) {
	type event struct {
		at     time.Time
		fields map[string]string
		recv   time.Time
	}
	var events []event
	for i, r := range records {
		var rec map[string]any
		if err := json.Unmarshal(r.JSON, &rec); err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		flat := map[string]string{}
		flatten("", rec, flat)
		at, err := time.Parse(time.RFC3339, flat["eventTime"])
		if err != nil {
			return nil, fmt.Errorf("record %d: eventTime: %w", i, err)
		}
		if !a.matches(flat) {
			continue
		}
		fields := map[string]string{}
		for _, f := range a.fields {
			for _, p := range f.paths {
				if v, ok := flat[p]; ok {
					fields[f.name] = v
					break
				}
			}
		}
		events = append(events, event{at, fields, r.Received})
	}
	type state struct {
		alarm   bool
		results []bool // breaching, newest last
		labels  map[string]string
	}
	states := map[string]*state{}
	var out []Notification
	for run := first; !run.After(last); run = run.Add(a.every) {
		from, to := run.Add(-a.start), run.Add(-a.end)
		counts, labels := map[string]int{}, map[string]map[string]string{}
		for _, e := range events {
			if e.at.Before(from) || !e.at.Before(to) || e.recv.After(run) {
				continue
			}
			var key []string
			for _, b := range a.by {
				key = append(key, b+"="+e.fields[b])
			}
			k := strings.Join(key, "\x00")
			counts[k]++
			if labels[k] == nil {
				labels[k] = map[string]string{}
				for _, b := range a.by {
					labels[k][b] = e.fields[b]
				}
			}
		}
		keys := map[string]bool{}
		for k := range counts {
			keys[k] = true
		}
		for k := range states {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			st := states[k]
			if st == nil {
				st = &state{labels: labels[k]}
				states[k] = st
			}
			// A contributor absent from a run "transitions to OK state
			// regardless of the missing data treatment" (CloudWatch User Guide, "Log alarms").
			n, present := counts[k]
			breaching := present && float64(n) >= a.threshold
			st.results = append(st.results, breaching)
			if len(st.results) > a.ofN {
				st.results = st.results[len(st.results)-a.ofN:]
			}
			breaches := 0
			for _, b := range st.results {
				if b {
					breaches++
				}
			}
			switch {
			case !st.alarm && breaches >= a.toAlarm:
				st.alarm = true
				out = append(out, Notification{At: run, State: "ALARM", Contributor: st.labels, Count: n})
			case st.alarm && breaches < a.toAlarm:
				st.alarm = false
				out = append(out, Notification{At: run, State: "OK", Contributor: st.labels, Count: n})
			}
		}
	}
	return out, nil
}

func (a Alarm) matches(flat map[string]string) bool {
	for _, f := range a.filters {
		v, ok := flat[f.path]
		if !ok || !f.re.MatchString(v) {
			return false
		}
	}
	return true
}

// flatten names every leaf of v as Logs Insights discovers the fields of a
// JSON log event: dotted paths, array elements by index (resources.0.ARN).
func flatten(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			flatten(join(prefix, k), c, out)
		}
	case []any:
		for i, c := range x {
			flatten(join(prefix, strconv.Itoa(i)), c, out)
		}
	case nil:
	default:
		out[prefix] = fmt.Sprint(x)
	}
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}
