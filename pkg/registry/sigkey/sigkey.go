// Package sigkey reads and writes signing keys in the files cosign uses:
// an ECDSA P-256 private key as PKCS#8, encrypted with scrypt and NaCl
// secretbox (go-securesystemslib's encrypted format, the same library
// cosign uses) in a PEM block, and the public key as PKIX PEM. Keys that
// cosign generated load here, and keys written here load in cosign.
package sigkey

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
)

// PEM block types. cosign writes the first since v2.0 and reads the
// older one too.
const (
	PrivateKeyType       = "ENCRYPTED SIGSTORE PRIVATE KEY"
	LegacyPrivateKeyType = "ENCRYPTED COSIGN PRIVATE KEY"
	PublicKeyType        = "PUBLIC KEY"
)

// Generate makes a key pair and returns the encrypted private key and
// the public key, both PEM.
func Generate(password []byte) (priv, pub []byte, err error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, nil, err
	}
	enc, err := encrypted.Encrypt(der, password)
	if err != nil {
		return nil, nil, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: PrivateKeyType, Bytes: enc}), pem.EncodeToMemory(&pem.Block{Type: PublicKeyType, Bytes: pubDER}), nil
}

// ParsePrivate decrypts a private key file's content.
func ParsePrivate(name string, data, password []byte) (crypto.Signer, error) {
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, inputerr.New(name, 0, errors.New("not a PEM file"))
	}
	if b.Type != PrivateKeyType && b.Type != LegacyPrivateKeyType {
		return nil, inputerr.New(name, 0, fmt.Errorf("a %q PEM block is not an encrypted cosign private key", b.Type))
	}
	der, err := decrypt(b.Bytes, password)
	if err != nil {
		return nil, inputerr.New(name, 0, errors.New("decrypting the key failed: wrong password?"))
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, inputerr.New(name, 0, fmt.Errorf("the decrypted key: %w", err))
	}
	switch s := k.(type) {
	case *ecdsa.PrivateKey:
		return s, nil
	case *rsa.PrivateKey:
		return s, nil
	case ed25519.PrivateKey:
		return s, nil
	}
	return nil, inputerr.New(name, 0, fmt.Errorf("unsupported key type %T", k))
}

// decrypt runs the library's decryption, whose KDF parameters come from
// the file, behind a recover: a hostile file must not crash us.
func decrypt(data, password []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("malformed encrypted key: %v", r)
		}
	}()
	return encrypted.Decrypt(data, password)
}

// ParsePublic reads a PEM public key.
func ParsePublic(name string, data []byte) (crypto.PublicKey, error) {
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, inputerr.New(name, 0, errors.New("not a PEM file"))
	}
	switch b.Type {
	case PublicKeyType:
		k, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return nil, inputerr.New(name, 0, err)
		}
		return k, nil
	case "CERTIFICATE":
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, inputerr.New(name, 0, err)
		}
		return c.PublicKey, nil
	}
	return nil, inputerr.New(name, 0, fmt.Errorf("a %q PEM block is not a public key", b.Type))
}

// LoadPrivate reads and decrypts a private key file.
func LoadPrivate(path string, password []byte) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, inputerr.New(path, 0, unwrap(err))
	}
	return ParsePrivate(path, data, password)
}

// LoadPublic reads a public key file.
func LoadPublic(path string) (crypto.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, inputerr.New(path, 0, unwrap(err))
	}
	return ParsePublic(path, data)
}

func unwrap(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
