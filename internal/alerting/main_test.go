package alerting

import (
	"os"
	"testing"

	"github.com/aws/jsii-runtime-go"
)

// TestMain closes jsii, which the package's aws-cdk-lib import prepared when
// it was initialized (with a runtime folder under the temporary folder that
// only Close removes), though these tests never call into it.
func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}
