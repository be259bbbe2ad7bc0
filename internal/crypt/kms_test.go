package crypt

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
)

// localKMSBin is where `make kms-deps` installs local-kms (a KMS-compatible
// server), from this package's folder; TRUEUP_LOCAL_KMS names another.
const localKMSBin = "../../.bin/local-kms"

const testRegion = "eu-west-1"

// startLocalKMS runs local-kms on a free loopback port until the test ends
// and returns its endpoint. Without the binary the test is skipped, or
// fails under CI=true.
func startLocalKMS(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("TRUEUP_LOCAL_KMS")
	if bin == "" {
		bin = localKMSBin
	}
	if _, err := os.Stat(bin); err != nil {
		if p, lerr := exec.LookPath("local-kms"); lerr == nil {
			bin = p
		} else if os.Getenv("CI") == "true" {
			t.Fatalf("local-kms is not installed (%s): run make kms-deps", bin)
		} else {
			t.Skipf("local-kms is not installed (%s): run make kms-deps to run this test", bin)
		}
	}
	dir := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"PORT=0", // it binds a free port and logs it
		"KMS_REGION="+testRegion,
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
	var logged bytes.Buffer
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			if !sent {
				logged.WriteString(sc.Text() + "\n")
				if m := started.FindStringSubmatch(sc.Text()); m != nil {
					portc <- m[1]
					sent = true
				}
			}
		}
	}()
	select {
	case port := <-portc:
		endpoint := "http://127.0.0.1:" + port
		for i := 0; i < 50; i++ {
			if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
				c.Close()
				return endpoint
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("local-kms does not accept connections on %s", endpoint)
	case <-time.After(20 * time.Second):
		t.Fatalf("local-kms did not start within 20s:\n%s", logged.String())
	}
	return ""
}

// testAWSEnv gives the SDK dummy credentials (local-kms checks none) and
// keeps it off the machine's AWS configuration.
func testAWSEnv(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDLOCALKMSTEST", "AWS_SECRET_ACCESS_KEY": "local-kms-test", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
}

func testKMSClient(t *testing.T, endpoint string) *kms.Client {
	t.Helper()
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(), awsconfig.WithRegion(testRegion))
	if err != nil {
		t.Fatal(err)
	}
	return kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

func createKMSKey(t *testing.T, c *kms.Client) string {
	t.Helper()
	out, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("trueup test")})
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	return *out.KeyMetadata.KeyId
}

// TestKMSKey runs the KMS master key against local-kms: the keys round-trip
// under the encryption context, another context or another key is refused
// as a key mismatch, a vault created with the key opens again, and a
// missing or disabled key and an endpoint out of reach are clear errors.
func TestKMSKey(t *testing.T) {
	endpoint := startLocalKMS(t)
	testAWSEnv(t)
	client := testKMSClient(t, endpoint)
	keyID := createKMSKey(t, client)
	otherID := createKMSKey(t, client)
	ctx := context.Background()

	mk, err := NewKMSKey(ctx, KMSConfig{KeyID: keyID, Region: testRegion, Endpoint: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	if s := mk.Source(); !strings.Contains(s, keyID) || !strings.Contains(s, testRegion) {
		t.Errorf("source %q", s)
	}
	plain := bytes.Repeat([]byte{0x5a}, 64)
	wrapped, err := mk.Wrap(plain)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(wrapped, plain[:16]) {
		t.Fatal("the wrapped keys hold the plaintext")
	}
	got, err := mk.Unwrap(wrapped)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("unwrap: %x %v", got, err)
	}

	// Another encryption context.
	other := &kmsKey{client: client, keyID: keyID, context: map[string]string{"purpose": "something-else"}}
	if _, err := other.Unwrap(wrapped); !errors.Is(err, ErrKeyMismatch) || !strings.Contains(err.Error(), "encryption context") {
		t.Errorf("another encryption context: %v", err)
	} else {
		t.Log(err)
	}
	// Another key.
	otherKey := NewKMSKeyWithClient(client, otherID)
	if _, err := otherKey.Unwrap(wrapped); !errors.Is(err, ErrKeyMismatch) || !strings.Contains(err.Error(), otherID) {
		t.Errorf("another key: %v", err)
	} else {
		t.Log(err)
	}

	// A vault created with the KMS key opens again with it, and not with
	// another key.
	path := filepath.Join(t.TempDir(), "t.duckdb.vault")
	v, err := OpenVault(path, mk, true)
	if err != nil {
		t.Fatal(err)
	}
	tok := v.SealValue("ann@x.io")
	if err := v.Flush(); err != nil {
		t.Fatal(err)
	}
	again, err := NewKMSKey(ctx, KMSConfig{KeyID: keyID, Region: testRegion, Endpoint: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	w, err := OpenVault(path, again, false)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := w.OpenValue(tok); !ok || s != "ann@x.io" {
		t.Errorf("reopened vault: %q %v", s, ok)
	}
	if _, err := OpenVault(path, otherKey, false); err == nil || !strings.Contains(err.Error(), "does not open") || !strings.Contains(err.Error(), "KMS key "+otherID) {
		t.Errorf("vault with another KMS key: %v", err)
	} else {
		t.Log(err)
	}
	if _, err := OpenVault(path, testKey(t, 'a'), false); err == nil || !strings.Contains(err.Error(), "does not open") {
		t.Errorf("KMS vault with a local key: %v", err)
	}

	// A key that does not exist.
	missing, _ := NewKMSKey(ctx, KMSConfig{KeyID: "alias/no-such-key", Region: testRegion, Endpoint: endpoint})
	if _, err := missing.Wrap(plain); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing key: %v", err)
	} else {
		t.Log(err)
	}
	// A disabled key: the vault does not open, and the error says why.
	if _, err := client.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	_, err = OpenVault(path, again, false)
	if err == nil || !strings.Contains(err.Error(), "disabled") || strings.Contains(err.Error(), "does not open") {
		t.Errorf("disabled key: %v", err)
	} else {
		t.Log(err)
	}
	if _, err := client.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}

	// An endpoint nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	unreachable, _ := NewKMSKey(ctx, KMSConfig{KeyID: keyID, Region: testRegion, Endpoint: dead})
	if _, err := unreachable.Wrap(plain); err == nil || !strings.Contains(err.Error(), "cannot reach KMS") {
		t.Errorf("unreachable endpoint: %v", err)
	} else {
		t.Log(err)
	}
}

// fakeKMS answers every call with an error.
type fakeKMS struct{ err error }

func (f fakeKMS) Encrypt(context.Context, *kms.EncryptInput, ...func(*kms.Options)) (*kms.EncryptOutput, error) {
	return nil, f.err
}

func (f fakeKMS) Decrypt(context.Context, *kms.DecryptInput, ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	return nil, f.err
}

// TestKMSAccessDenied: a caller without kms:Encrypt or kms:Decrypt is told
// which permissions it needs, and a vault it cannot unwrap is not reported
// as opened by a wrong key.
func TestKMSAccessDenied(t *testing.T) {
	denied := &smithy.OperationError{ServiceID: "KMS", OperationName: "Decrypt", Err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User: arn:aws:iam::1:user/x is not authorized"}}
	mk := NewKMSKeyWithClient(fakeKMS{denied}, "arn:aws:kms:eu-west-1:1:key/k")
	_, err := mk.Wrap(bytes.Repeat([]byte("secret-key-bytes"), 4))
	if err == nil || !strings.Contains(err.Error(), "access denied") || !strings.Contains(err.Error(), "kms:Encrypt and kms:Decrypt") || strings.Contains(err.Error(), "secret-key-bytes") {
		t.Errorf("denied wrap: %v", err)
	}
	path := filepath.Join(t.TempDir(), "v")
	if _, err := OpenVault(path, testKey(t, 'a'), true); err != nil {
		t.Fatal(err)
	}
	_, err = OpenVault(path, mk, false)
	if err == nil || !strings.Contains(err.Error(), "access denied") || errors.Is(err, ErrKeyMismatch) {
		t.Errorf("denied unwrap: %v", err)
	} else {
		t.Log(err)
	}
}
