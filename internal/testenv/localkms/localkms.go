// Package localkms runs local-kms, a KMS-compatible server, for the tests
// of the KMS master key: `make kms-deps` builds it into the repository's
// .bin/ folder.
package localkms

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/ledgerloop/trueup/internal/testenv"
)

// Region is the region the server's keys are in.
const Region = "eu-west-1"

// Bin is where the binary is: TRUEUP_LOCAL_KMS, else .bin/local-kms at
// the repository's root (the folder of go.mod above the working
// directory), else local-kms on the PATH; "" when there is none.
func Bin() string {
	if b := os.Getenv("TRUEUP_LOCAL_KMS"); b != "" {
		if _, err := os.Stat(b); err == nil {
			return b
		}
		return ""
	}
	if dir, err := os.Getwd(); err == nil {
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				b := filepath.Join(dir, ".bin", "local-kms")
				if _, err := os.Stat(b); err == nil {
					return b
				}
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	if p, err := exec.LookPath("local-kms"); err == nil {
		return p
	}
	return ""
}

// Start runs local-kms on a free loopback port until the test ends, points
// the AWS SDK at dummy credentials (the server checks none) away from the
// machine's AWS configuration, and returns the endpoint. Without the
// binary the test fails (testenv.MissingTool).
func Start(t testing.TB) string {
	t.Helper()
	bin := Bin()
	if bin == "" {
		testenv.MissingTool(t, testenv.ToolKMS, "local-kms is not installed", "make kms-deps")
	}
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDLOCALKMSTEST", "AWS_SECRET_ACCESS_KEY": "local-kms-test", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "aws-config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "aws-credentials"),
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"PORT=0", // it binds a free port and logs it
		"KMS_REGION="+Region,
		"KMS_ACCOUNT_ID=111122223333",
		"KMS_DATA_PATH="+filepath.Join(dir, "data"),
		"KMS_SEED_PATH="+filepath.Join(dir, "no-seed.yaml"),
	)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatalf("start local-kms: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		pw.Close()
	})
	started := regexp.MustCompile(`Local KMS started on [0-9.]*:([0-9]+)`)
	portc := make(chan string, 1)
	var (
		mu     sync.Mutex
		logged bytes.Buffer
	)
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			if !sent {
				mu.Lock()
				logged.WriteString(sc.Text() + "\n")
				mu.Unlock()
				if m := started.FindStringSubmatch(sc.Text()); m != nil {
					portc <- m[1]
					sent = true
				}
			}
		}
	}()
	select {
	case port := <-portc:
		for i := 0; i < 50; i++ {
			if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
				c.Close()
				return "http://127.0.0.1:" + port
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("local-kms does not accept connections on port %s", port)
	case <-time.After(20 * time.Second):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("local-kms did not start within 20s:\n%s", logged.String())
	}
	return ""
}

// Client is a KMS client of the server at endpoint.
func Client(t testing.TB, endpoint string) *kms.Client {
	t.Helper()
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(), awsconfig.WithRegion(Region))
	if err != nil {
		t.Fatal(err)
	}
	return kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// CreateKey creates a symmetric key and returns its ID.
func CreateKey(t testing.TB, c *kms.Client) string {
	t.Helper()
	out, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("trueup test")})
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	return *out.KeyMetadata.KeyId
}
