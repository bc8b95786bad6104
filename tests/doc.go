// Package tests holds the tests that cross the whole library: the example
// apps synthesized as the CDK CLI runs them, compared with golden templates
// under testdata/ and linted with cfn-lint.
//
// Refresh the golden templates after an intended change, then read the diff:
//
//	go test ./tests -update
//	git diff tests/testdata
package tests
