// Package secret holds pingan's master key and the keys derived from it: the
// audit chain's MAC key, the key that seals personal fields at rest, and the
// key for matching hashes of personal fields (same ID number, same phone)
// without storing them in the clear.
//
// The master key comes from PINGAN_SECRET_KEY (base64, for several nodes that
// must share it) or from a file in the data directory, created on first use.
// Losing it makes sealed fields unreadable and the audit chain unverifiable:
// back it up apart from the database.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFile is the master key's file name inside the data directory.
const KeyFile = "secret.key"

const keyLen = 32

// Keyring holds the derived keys.
type Keyring struct {
	audit  []byte
	lookup []byte
	seal   cipher.AEAD
}

// New derives a keyring from a 32-byte master key.
func New(master []byte) (*Keyring, error) {
	if len(master) != keyLen {
		return nil, fmt.Errorf("master key must be %d bytes, got %d", keyLen, len(master))
	}
	derive := func(purpose string) ([]byte, error) {
		return hkdf.Key(sha256.New, master, nil, "pingan "+purpose, keyLen)
	}
	k := &Keyring{}
	var err error
	if k.audit, err = derive("audit chain v1"); err != nil {
		return nil, err
	}
	if k.lookup, err = derive("lookup hash v1"); err != nil {
		return nil, err
	}
	sealKey, err := derive("field seal v1")
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, err
	}
	if k.seal, err = cipher.NewGCM(block); err != nil {
		return nil, err
	}
	return k, nil
}

// Load returns the keyring from encoded (base64) if given, else from the key
// file in dir, creating it with a fresh random key if it does not exist.
func Load(encoded, dir string) (*Keyring, error) {
	if encoded != "" {
		master, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
		if err != nil {
			return nil, fmt.Errorf("secret key: not valid base64: %w", err)
		}
		return New(master)
	}
	path := filepath.Join(dir, KeyFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		master := make([]byte, keyLen)
		if _, err := rand.Read(master); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		enc := base64.StdEncoding.EncodeToString(master) + "\n"
		// O_EXCL: if another process created it meanwhile, use theirs.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, werr := f.WriteString(enc)
			serr := f.Sync()
			cerr := f.Close()
			if err := errors.Join(werr, serr, cerr); err != nil {
				return nil, fmt.Errorf("write %s: %w", path, err)
			}
			return New(master)
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	master, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("%s: not valid base64: %w", path, err)
	}
	return New(master)
}

// Generate returns a new random master key, base64-encoded, for
// PINGAN_SECRET_KEY.
func Generate() (string, error) {
	master := make([]byte, keyLen)
	if _, err := rand.Read(master); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(master), nil
}

// AuditMAC returns the HMAC-SHA256 of msg under the audit key.
func (k *Keyring) AuditMAC(msg []byte) []byte {
	m := hmac.New(sha256.New, k.audit)
	m.Write(msg)
	return m.Sum(nil)
}

// LookupHash returns a keyed hash of a normalised personal value, so equal
// values can be found without storing them in the clear; base64url, no
// padding.
func (k *Keyring) LookupHash(kind, value string) string {
	return base64.RawURLEncoding.EncodeToString(k.Derive(kind, value))
}

// Derive returns 32 bytes only this keyring makes from value, apart for
// each kind: the same value gives the same bytes, and nobody without the
// key can tell what they are.
func (k *Keyring) Derive(kind, value string) []byte {
	m := hmac.New(sha256.New, k.lookup)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}

// Seal encrypts plaintext with AES-256-GCM; the result is base64 text with
// the nonce in front. The associated data binds the ciphertext to its place
// (for example "report.phone"), so it cannot be moved to another column.
func (k *Keyring) Seal(plaintext, aad string) (string, error) {
	nonce := make([]byte, k.seal.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := k.seal.Seal(nonce, nonce, []byte(plaintext), []byte(aad))
	return base64.RawStdEncoding.EncodeToString(out), nil
}

// Open decrypts what Seal produced.
func (k *Keyring) Open(sealed, aad string) (string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil {
		return "", fmt.Errorf("open sealed field: %w", err)
	}
	ns := k.seal.NonceSize()
	if len(raw) < ns {
		return "", errors.New("open sealed field: too short")
	}
	plain, err := k.seal.Open(nil, raw[:ns], raw[ns:], []byte(aad))
	if err != nil {
		return "", fmt.Errorf("open sealed field: %w", err)
	}
	return string(plain), nil
}
