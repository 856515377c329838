package auth

import (
	"encoding/base32"
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1: the 20-byte key "12345678901234567890",
// 8-digit codes; we keep the last 6 digits.
func TestRFC6238Vectors(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	for unix, want8 := range map[int64]string{
		59: "94287082", 1111111109: "07081804", 1111111111: "14050471", 1234567890: "89005924",
		2000000000: "69279037", 20000000000: "65353130",
	} {
		got, err := TOTPCode(secret, Step(time.Unix(unix, 0)))
		if err != nil {
			t.Fatal(err)
		}
		if got != want8[2:] {
			t.Errorf("T=%d: %s, want %s", unix, got, want8[2:])
		}
	}
}

func TestCheckTOTP(t *testing.T) {
	secret := b32.EncodeToString([]byte("a twenty-byte secret")) // 160 bits, as enrolment makes
	now := time.Date(2026, 11, 26, 9, 0, 15, 0, time.UTC)
	code, _ := TOTPCode(secret, Step(now))
	prev, _ := TOTPCode(secret, Step(now)-1)
	old, _ := TOTPCode(secret, Step(now)-3)
	step, ok := checkTOTP(secret, code, now, 0)
	if !ok || step != Step(now) {
		t.Fatal("the current code is refused")
	}
	if _, ok := checkTOTP(secret, code, now, step); ok {
		t.Error("a code is accepted twice")
	}
	if _, ok := checkTOTP(secret, prev, now, 0); !ok {
		t.Error("the previous step (clock skew) is refused")
	}
	for _, bad := range []string{old, "", "12345", "abcdef", "1234567"} {
		if _, ok := checkTOTP(secret, bad, now, 0); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	if uri := OTPAuthURI("平安 pingan", "admin", "ABC"); uri != "otpauth://totp/%E5%B9%B3%E5%AE%89%20pingan:admin?algorithm=SHA1&digits=6&issuer=%E5%B9%B3%E5%AE%89%20pingan&period=30&secret=ABC" {
		t.Errorf("uri %s", uri)
	}
}
