package access_test

import (
	"slices"
	"testing"

	"pingan/internal/access"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

func TestParseRoles(t *testing.T) {
	rs, err := access.ParseRoles("intake, dispatcher,intake")
	if err != nil || !slices.Equal(rs, []access.Role{access.Intake, access.Dispatcher}) {
		t.Fatalf("roles %v (%v)", rs, err)
	}
	// An unknown role is named in the reader's language, on the field.
	_, err = access.ParseRoles("intake,bogus")
	fe, ok := fault.As(err)
	if !ok || fe.Kind != fault.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Field != "roles" {
		t.Fatalf("an unknown role: %v", err)
	}
	if got := fe.Fields[0].Msg.Format(i18n.ZH, fe.Fields[0].Args...); got != "未知角色：bogus" {
		t.Errorf("in Chinese: %q", got)
	}
}
