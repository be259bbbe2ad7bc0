package crypt

import (
	"bytes"
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/ledgerloop/trueup/internal/testenv/localkms"
)

// TestKMSKey runs the KMS master key against local-kms: the keys round-trip
// under the encryption context, another context or another key is refused
// as a key mismatch, a vault created with the key opens again, and a
// missing or disabled key and an endpoint out of reach are clear errors.
func TestKMSKey(t *testing.T) {
	endpoint := localkms.Start(t)
	client := localkms.Client(t, endpoint)
	keyID := localkms.CreateKey(t, client)
	otherID := localkms.CreateKey(t, client)
	ctx := context.Background()

	mk, err := NewKMSKey(ctx, KMSConfig{KeyID: keyID, Region: localkms.Region, Endpoint: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	if s := mk.Source(); !strings.Contains(s, keyID) || !strings.Contains(s, localkms.Region) {
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
	again, err := NewKMSKey(ctx, KMSConfig{KeyID: keyID, Region: localkms.Region, Endpoint: endpoint})
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
	missing, _ := NewKMSKey(ctx, KMSConfig{KeyID: "alias/no-such-key", Region: localkms.Region, Endpoint: endpoint})
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
	unreachable, _ := NewKMSKey(ctx, KMSConfig{KeyID: keyID, Region: localkms.Region, Endpoint: dead})
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
