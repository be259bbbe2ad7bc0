package crypt

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// KMSContext is the encryption context of every Encrypt and Decrypt call
// of a KMS master key: a vault's wrapped keys decrypt only with it, so a
// ciphertext taken from the vault cannot be passed off as another of the
// key's uses, and CloudTrail logs each unwrap with its purpose.
var KMSContext = map[string]string{"purpose": "trueup-vault"}

// KMSTimeout bounds one KMS call (its retries included).
const KMSTimeout = 30 * time.Second

// KMSConfig names an AWS KMS key.
type KMSConfig struct {
	// KeyID is the key's ID, ARN, alias name (alias/trueup) or alias ARN.
	KeyID string
	// Region is the key's region; "" takes the SDK's (AWS_REGION, the
	// shared config's profile).
	Region string
	// Endpoint replaces KMS's endpoint (a VPC endpoint, a local KMS for
	// the tests); "" is AWS's for the region.
	Endpoint string
}

// KMSAPI is the part of the KMS client a KMS master key calls.
type KMSAPI interface {
	Encrypt(ctx context.Context, in *kms.EncryptInput, optFns ...func(*kms.Options)) (*kms.EncryptOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// ErrKeyMismatch is wrapped by Unwrap's error when the wrapped keys were
// not wrapped by this master key (another key, another encryption
// context, a damaged ciphertext), as opposed to a key that could not be
// reached or used.
var ErrKeyMismatch = errors.New("wrapped by another master key")

type kmsKey struct {
	client   KMSAPI
	keyID    string
	region   string
	endpoint string
	context  map[string]string
}

// NewKMSKey is the master key kept in AWS KMS: Wrap is KMS Encrypt and
// Unwrap is KMS Decrypt, both under the key and with KMSContext. The
// credentials are the SDK's default chain (environment, shared config and
// SSO, the instance's or task's role); nothing is called until the first
// Wrap or Unwrap.
func NewKMSKey(ctx context.Context, c KMSConfig) (MasterKey, error) {
	if strings.TrimSpace(c.KeyID) == "" {
		return nil, errors.New("KMS master key: no key ID")
	}
	opts := []func(*awsconfig.LoadOptions) error{}
	if c.Region != "" {
		opts = append(opts, awsconfig.WithRegion(c.Region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("KMS master key %s: AWS configuration: %w", c.KeyID, err)
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("KMS master key %s: no region: set kms_region in trueup.yaml, or AWS_REGION", c.KeyID)
	}
	client := kms.NewFromConfig(cfg, func(o *kms.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
	})
	k := NewKMSKeyWithClient(client, c.KeyID).(*kmsKey)
	k.region, k.endpoint = cfg.Region, c.Endpoint
	return k, nil
}

// NewKMSKeyWithClient is NewKMSKey with a client of the caller's.
func NewKMSKeyWithClient(client KMSAPI, keyID string) MasterKey {
	return &kmsKey{client: client, keyID: keyID, context: KMSContext}
}

func (k *kmsKey) Source() string {
	s := "KMS key " + k.keyID
	if k.region != "" {
		s += " (region " + k.region
		if k.endpoint != "" {
			s += ", endpoint " + k.endpoint
		}
		s += ")"
	}
	return s
}

func (k *kmsKey) Wrap(plain []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), KMSTimeout)
	defer cancel()
	out, err := k.client.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(k.keyID), Plaintext: plain, EncryptionContext: k.context})
	if err != nil {
		return nil, k.explain("Encrypt", err)
	}
	return out.CiphertextBlob, nil
}

func (k *kmsKey) Unwrap(wrapped []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), KMSTimeout)
	defer cancel()
	// The key is named even though a symmetric ciphertext names its own:
	// a vault wrapped by another key is refused rather than opened with
	// whatever key the caller may use.
	out, err := k.client.Decrypt(ctx, &kms.DecryptInput{KeyId: aws.String(k.keyID), CiphertextBlob: wrapped, EncryptionContext: k.context})
	if err != nil {
		return nil, k.explain("Decrypt", err)
	}
	return out.Plaintext, nil
}

// explain turns a KMS error into one that says what to do. It never holds
// the plaintext nor the ciphertext (the SDK's errors hold neither).
func (k *kmsKey) explain(op string, err error) error {
	where := k.Source()
	var (
		notFound  *types.NotFoundException
		disabled  *types.DisabledException
		state     *types.KMSInvalidStateException
		invalid   *types.InvalidCiphertextException
		incorrect *types.IncorrectKeyException
		usage     *types.InvalidKeyUsageException
		unavail   *types.KeyUnavailableException
		api       smithy.APIError
		send      *smithyhttp.RequestSendError
		netErr    net.Error
	)
	switch {
	case errors.As(err, &notFound):
		return fmt.Errorf("%s: kms:%s: the key does not exist (check the key ID or alias, the region and the account)", where, op)
	case errors.As(err, &disabled):
		return fmt.Errorf("%s: kms:%s: the key is disabled (enable it: aws kms enable-key)", where, op)
	case errors.As(err, &state):
		return fmt.Errorf("%s: kms:%s: the key's state does not allow it (pending deletion or import?): %s", where, op, state.ErrorMessage())
	case errors.As(err, &invalid), errors.As(err, &incorrect):
		return fmt.Errorf("%s: kms:%s: %w (another KMS key, or an encryption context other than %s)", where, op, ErrKeyMismatch, contextString(k.context))
	case errors.As(err, &usage):
		return fmt.Errorf("%s: kms:%s: the key is not a symmetric ENCRYPT_DECRYPT key", where, op)
	case errors.As(err, &unavail):
		return fmt.Errorf("%s: kms:%s: the key is unavailable now (its key store is disconnected); try again", where, op)
	case errors.As(err, &api) && api.ErrorCode() == "AccessDeniedException":
		return fmt.Errorf("%s: kms:%s: access denied: the caller's IAM policy (or the key policy) must allow kms:Encrypt and kms:Decrypt on the key", where, op)
	case errors.As(err, &api):
		return fmt.Errorf("%s: kms:%s: %s: %s", where, op, api.ErrorCode(), api.ErrorMessage())
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: kms:%s: no answer within %s (network, endpoint?)", where, op, KMSTimeout)
	case errors.As(err, &send), errors.As(err, &netErr):
		return fmt.Errorf("%s: kms:%s: cannot reach KMS (network, endpoint, VPC endpoint?): %w", where, op, err)
	case strings.Contains(err.Error(), "retrieve credentials"):
		return fmt.Errorf("%s: kms:%s: no AWS credentials (environment, shared config or SSO profile, instance or task role): %w", where, op, err)
	}
	return fmt.Errorf("%s: kms:%s: %w", where, op, err)
}

func contextString(c map[string]string) string {
	var parts []string
	for key, v := range c {
		parts = append(parts, key+"="+v)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
