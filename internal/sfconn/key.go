package sfconn

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
)

// ErrPassphrase is returned when an encrypted key cannot be decrypted with
// the passphrase given (or none was given).
var ErrPassphrase = errors.New("the private key is encrypted: wrong or missing passphrase")

// ParsePrivateKey reads an RSA private key in PEM: PKCS#8 ("PRIVATE KEY",
// what Snowflake's key-pair guide writes), encrypted PKCS#8 ("ENCRYPTED
// PRIVATE KEY": PBES2 with PBKDF2 and AES-CBC, OpenSSL's default for
// `openssl pkcs8 -topk8 -v2 aes256`) or PKCS#1 ("RSA PRIVATE KEY"). Errors
// never include key material.
func ParsePrivateKey(data, passphrase []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("the private key is not PEM (expected -----BEGIN PRIVATE KEY-----)")
	}
	der := block.Bytes
	switch block.Type {
	case "ENCRYPTED PRIVATE KEY":
		if len(passphrase) == 0 {
			return nil, ErrPassphrase
		}
		var err error
		if der, err = decryptPKCS8(der, passphrase); err != nil {
			return nil, err
		}
	case "PRIVATE KEY":
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			return nil, errors.New("the private key is not a valid PKCS#1 RSA key")
		}
		return k, nil
	default:
		return nil, fmt.Errorf("unsupported PEM block %q (expected PRIVATE KEY or ENCRYPTED PRIVATE KEY)", block.Type)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		if block.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, ErrPassphrase
		}
		return nil, errors.New("the private key is not a valid PKCS#8 key")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the private key is a %T: Snowflake key-pair authentication needs RSA", k)
	}
	return rk, nil
}

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

// encryptedPrivateKeyInfo is RFC 5208's EncryptedPrivateKeyInfo.
type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

// pbes2Params is RFC 8018's PBES2-params.
type pbes2Params struct {
	KDF        pkix.AlgorithmIdentifier
	Encryption pkix.AlgorithmIdentifier
}

// pbkdf2Params is RFC 8018's PBKDF2-params (the salt as an octet string).
type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

func decryptPKCS8(der, passphrase []byte) ([]byte, error) {
	unsupported := errors.New("unsupported encrypted key: re-encrypt it with `openssl pkcs8 -topk8 -v2 aes256` (PBES2, PBKDF2, AES-CBC)")
	var info encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, errors.New("the encrypted private key is malformed")
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, unsupported
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil || !params.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, unsupported
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(params.KDF.Parameters.FullBytes, &kdf); err != nil {
		return nil, unsupported
	}
	var h func() hash.Hash
	switch prf := kdf.PRF.Algorithm; {
	case len(prf) == 0 || prf.Equal(oidHMACSHA1):
		h = sha1.New
	case prf.Equal(oidHMACSHA224):
		h = sha256.New224
	case prf.Equal(oidHMACSHA256):
		h = sha256.New
	case prf.Equal(oidHMACSHA384):
		h = sha512.New384
	case prf.Equal(oidHMACSHA512):
		h = sha512.New
	default:
		return nil, unsupported
	}
	var keyLen int
	switch enc := params.Encryption.Algorithm; {
	case enc.Equal(oidAES128CBC):
		keyLen = 16
	case enc.Equal(oidAES192CBC):
		keyLen = 24
	case enc.Equal(oidAES256CBC):
		keyLen = 32
	default:
		return nil, unsupported
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.Encryption.Parameters.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize {
		return nil, unsupported
	}
	if kdf.Iterations <= 0 || kdf.Iterations > 10_000_000 {
		return nil, unsupported
	}
	key, err := pbkdf2.Key(h, string(passphrase), kdf.Salt, kdf.Iterations, keyLen)
	if err != nil {
		return nil, unsupported
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, unsupported
	}
	if len(info.Data) == 0 || len(info.Data)%aes.BlockSize != 0 {
		return nil, errors.New("the encrypted private key is malformed")
	}
	out := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, info.Data)
	// PKCS#7 padding; a wrong passphrase almost always breaks it.
	pad := int(out[len(out)-1])
	if pad == 0 || pad > aes.BlockSize || pad > len(out) {
		return nil, ErrPassphrase
	}
	for _, b := range out[len(out)-pad:] {
		if int(b) != pad {
			return nil, ErrPassphrase
		}
	}
	return out[:len(out)-pad], nil
}
