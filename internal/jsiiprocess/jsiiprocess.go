// Package jsiiprocess prepares the Node.js process that jsii starts under
// every Go CDK program of this repository (the example apps and the test
// binaries), so that their output says what matters and nothing else:
//
//   - on a Node.js older than README's requirement, one line saying so,
//     instead of jsii's 11-line end-of-life banner (or, on Node.js 18 to 21,
//     nothing at all);
//   - without the "Runtime process exited abnormally: waitid: no child
//     processes" text that jsii-runtime-go prints, without a newline, when its
//     own two waits for the Node.js process race at jsii.Close (harmless: the
//     process had exited with code 0).
package jsiiprocess

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/aws/jsii-runtime-go"
)

// MinNodeMajor is the oldest Node.js major version README requires.
const MinNodeMajor = 22

// silenceEOL is the variable jsii reads to skip its end-of-life banner for
// the listed major versions (a comma list).
const silenceEOL = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"

// waitidRace is what jsii-runtime-go prints (with no newline) when its two
// waits for the exited Node.js process race.
const waitidRace = "Runtime process exited abnormally: waitid: no child processes"

// Start checks the Node.js that jsii will run and filters this process's
// standard error. Call it before the first jsii call (awscdk.NewApp), after
// any change to the environment the Node.js process should see, and
// call the function it returns where jsii.Close would be called:
//
//	defer jsiiprocess.Start()()
func Start() (closeJSII func()) {
	if line := CheckNode(); line != "" {
		fmt.Fprintln(os.Stderr, line)
	}
	// jsii prepared its Node.js process, and copied the environment for it,
	// when the CDK packages registered their types (package initialization).
	// Nothing ran in it yet: discard it, so that the next jsii call starts
	// one that inherits the environment as it is now.
	jsii.Close()
	return filterStderr()
}

// CheckNode returns the one line to print when the Node.js that jsii will
// start is older than MinNodeMajor ("" when it is recent enough or cannot be
// run: jsii then reports that itself), and in that case silences jsii's
// multi-line end-of-life banner for that version in this process's
// environment, which the Node.js process inherits.
func CheckNode() string {
	if os.Getenv("JSII_RUNTIME") != "" {
		return "" // a custom runtime command: not ours to check
	}
	node := os.Getenv("JSII_NODE")
	if node == "" {
		node = "node"
	}
	out, err := exec.Command(node, "-p", "process.versions.node").Output()
	if err != nil {
		return ""
	}
	version := strings.TrimSpace(string(out))
	major, err := strconv.Atoi(strings.SplitN(version, ".", 2)[0])
	if err != nil || major >= MinNodeMajor {
		return ""
	}
	silenced := os.Getenv(silenceEOL)
	if silenced != "" {
		silenced += ","
	}
	os.Setenv(silenceEOL, silenced+strconv.Itoa(major))
	return Message(version)
}

// Message is the line printed for an unsupported Node.js version.
func Message(version string) string {
	return fmt.Sprintf("kmsmonitor: Node.js %s is older than %d, which kmsmonitor requires (README, Requirements): install Node.js %d or later",
		version, MinNodeMajor, MinNodeMajor)
}

// filterStderr sends os.Stderr through a copy that drops waitidRace, and
// returns the function that closes jsii, flushes the copy and restores
// os.Stderr.
func filterStderr() func() {
	stderr := os.Stderr
	r, w, err := os.Pipe()
	if err != nil {
		return jsii.Close
	}
	os.Stderr = w
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		Filter(stderr, r)
	}()
	return func() {
		jsii.Close()
		// jsii's late wait may print just after Close returns; give it a moment.
		time.Sleep(50 * time.Millisecond)
		os.Stderr = stderr
		w.Close()
		// A child process still running holds the pipe open: do not hang on it.
		select {
		case <-copied:
		case <-time.After(2 * time.Second):
		}
	}
}

// Filter copies src to dst line by line without waitidRace.
func Filter(dst io.Writer, src io.Reader) {
	in := bufio.NewReader(src)
	for {
		line, err := in.ReadBytes('\n')
		if cleaned := bytes.ReplaceAll(line, []byte(waitidRace), nil); len(cleaned) > 0 {
			dst.Write(cleaned)
		}
		if err != nil {
			return
		}
	}
}
