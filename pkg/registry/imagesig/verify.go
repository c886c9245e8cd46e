package imagesig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
)

func isEd25519(k crypto.PublicKey) bool {
	_, ok := k.(ed25519.PublicKey)
	return ok
}

// verifySig checks sig over payload: ECDSA (ASN.1) and RSA (PKCS#1 v1.5)
// over SHA-256, Ed25519 over the payload itself, as cosign does.
func verifySig(pub crypto.PublicKey, payload, sig []byte) error {
	h := sha256.Sum256(payload)
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, h[:], sig) {
			return errors.New("the signature does not match the key")
		}
	case *rsa.PublicKey:
		if rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig) != nil && rsa.VerifyPSS(k, crypto.SHA256, h[:], sig, nil) != nil {
			return errors.New("the signature does not match the key")
		}
	case ed25519.PublicKey:
		if !ed25519.Verify(k, payload, sig) {
			return errors.New("the signature does not match the key")
		}
	default:
		return fmt.Errorf("unsupported key type %T", pub)
	}
	return nil
}
