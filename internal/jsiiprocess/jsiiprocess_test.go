package jsiiprocess_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsmonitor/kmsmonitor/internal/jsiiprocess"
)

// fakeNode installs a "node" that reports version, as JSII_NODE.
func fakeNode(t *testing.T, version string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "node")
	if err := os.WriteFile(path, []byte("#!/bin/sh\necho "+version+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("JSII_NODE", path)
	t.Setenv("JSII_RUNTIME", "")
	t.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "")
}

func TestCheckNode_OlderThanRequiredIsOneLineAndNoBanner(t *testing.T) {
	// GIVEN Node.js 20, older than README's 22
	fakeNode(t, "20.20.2")
	// WHEN the program starts
	line := jsiiprocess.CheckNode()
	// THEN one line names the version found and the one required
	if line != "kmsmonitor: Node.js 20.20.2 is older than 22, which kmsmonitor requires (README, Requirements): install Node.js 22 or later" {
		t.Errorf("line = %q", line)
	}
	// AND jsii's end-of-life banner for Node.js 20 is silenced for the Node.js process
	if got := os.Getenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"); got != "20" {
		t.Errorf("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION = %q", got)
	}
}

func TestCheckNode_KeepsVersionsAlreadySilenced(t *testing.T) {
	fakeNode(t, "18.20.0")
	t.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "16")
	if line := jsiiprocess.CheckNode(); !strings.Contains(line, "18.20.0 is older than 22") {
		t.Errorf("line = %q", line)
	}
	if got := os.Getenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"); got != "16,18" {
		t.Errorf("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION = %q", got)
	}
}

func TestCheckNode_SupportedVersionsAreQuiet(t *testing.T) {
	for _, v := range []string{"22.0.0", "24.21.0"} {
		// GIVEN a supported Node.js WHEN the program starts THEN nothing is printed nor silenced
		fakeNode(t, v)
		if line := jsiiprocess.CheckNode(); line != "" {
			t.Errorf("%s: line = %q", v, line)
		}
		if got := os.Getenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"); got != "" {
			t.Errorf("%s: JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION = %q", v, got)
		}
	}
}

func TestCheckNode_NoNodeLeavesItToJsii(t *testing.T) {
	t.Setenv("JSII_NODE", filepath.Join(t.TempDir(), "missing"))
	if line := jsiiprocess.CheckNode(); line != "" {
		t.Errorf("line = %q", line)
	}
}

func TestFilter_DropsTheWaitidRaceOnly(t *testing.T) {
	// GIVEN standard error with jsii's unterminated waitid text between two messages
	in := "Error: synthesis failed\nRuntime process exited abnormally: waitid: no child processesnext line\nlast"
	var out strings.Builder
	// WHEN it is filtered
	jsiiprocess.Filter(&out, strings.NewReader(in))
	// THEN the waitid text is gone and every other byte is kept
	if got := out.String(); got != "Error: synthesis failed\nnext line\nlast" {
		t.Errorf("filtered = %q", got)
	}
}
