package auth

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP (RFC 6238): HMAC-SHA1, 30-second steps, 6 digits — what every
// authenticator app speaks.
const (
	totpStep   = 30 * time.Second
	totpDigits = 6
	totpSkew   = 1 // steps accepted either side, for clocks a little apart
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPCode returns the code of secret at step (RFC 4226 HOTP of the step).
func TOTPCode(secret string, step int64) (string, error) {
	key, err := b32.DecodeString(strings.ToUpper(strings.TrimSpace(secret)))
	if err != nil {
		return "", fmt.Errorf("TOTP secret: %w", err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, v%1000000), nil
}

// Step returns the TOTP step of t.
func Step(t time.Time) int64 { return t.Unix() / int64(totpStep/time.Second) }

// checkTOTP returns the step a code matches at now, within the allowed
// skew, and whether it matched; steps at or before last are refused (a code
// is good once).
func checkTOTP(secret, code string, now time.Time, last int64) (int64, bool) {
	step, used := matchTOTP(secret, code, now, last)
	return step, step != 0 && !used
}

// usedTOTP reports whether code is right but was used already (its step is
// not after last): signing in again within the same half minute.
func usedTOTP(secret, code string, now time.Time, last int64) bool {
	_, used := matchTOTP(secret, code, now, last)
	return used
}

// matchTOTP returns the first step within the skew after last whose code
// is code (0 if none), and whether code is that of a step at or before
// last.
func matchTOTP(secret, code string, now time.Time, last int64) (step int64, used bool) {
	code = strings.TrimSpace(code)
	if len(code) != totpDigits {
		return 0, false
	}
	cur := Step(now)
	for d := -totpSkew; d <= totpSkew; d++ {
		s := cur + int64(d)
		want, err := TOTPCode(secret, s)
		if err != nil || !hmac.Equal([]byte(want), []byte(code)) {
			continue
		}
		if s <= last {
			used = true
			continue
		}
		return s, false
	}
	return 0, used
}

// OTPAuthURI is what authenticator apps scan: otpauth://totp/….
func OTPAuthURI(issuer, account, secret string) string {
	label := url.PathEscape(issuer + ":" + account)
	q := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	// A space is %20 in the query as in the label (the key URI format is
	// RFC 3986's; some apps show a form-encoded + as it is). A + in a value
	// is %2B already.
	return "otpauth://totp/" + label + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}
