package eventbridgetest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/testing/eventbridgetest"
)

func TestRuleMatchesOnlyWhatThePatternSelects(t *testing.T) {
	s, err := eventbridgetest.Start()
	if errors.Is(err, eventbridgetest.ErrUnavailable) && !eventbridgetest.Required() {
		t.Skipf("%v (.ci/run requires it)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	// GIVEN a rule with a prefix and an exact match
	r, err := s.NewRule(ctx, `{"source":["aws.kms"],"detail":{"key-id":[{"prefix":"mrk-"}]}}`, "ENABLED")
	if err != nil {
		t.Fatal(err)
	}
	// WHEN matching and non-matching events are sent THEN only the first arrives
	for event, want := range map[string]bool{
		`{"source":"aws.kms","detail-type":"x","detail":{"key-id":"mrk-1"}}`:          true,
		`{"source":"aws.kms","detail-type":"x","detail":{"key-id":"1234"}}`:           false,
		`{"source":"aws.cloudwatch","detail-type":"x","detail":{"key-id":"mrk-1"}}`:   false,
		`{"source":"aws.kms","detail-type":"x","resources":["a"],"detail":{"k":"v"}}`: false,
	} {
		got, err := r.Matches(ctx, []byte(event))
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: matched = %v, want %v", event, got, want)
		}
	}
}
