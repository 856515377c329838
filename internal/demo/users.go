// Package demo sets up the demo: named users at real units of the Xiamen
// organisation, one for each role in the loop, with a known password and
// fresh API tokens, and a realistic load of cases (see package casegen).
package demo

import (
	"context"
	"fmt"
	"strings"

	"pingan/internal/access"
	"pingan/internal/app"
	"pingan/internal/fault"
	"pingan/internal/org"
)

// Password is every demo user's password. The demo binds to localhost; never
// expose it.
const Password = "Demo-Pingan-2026"

// User is one demo account.
type User struct {
	Username string
	Name     string
	UnitCode string
	Roles    []access.Role
	About    string // what the user is for, shown when the demo starts
}

// Users are the demo accounts: the 12345 centre takes in, dispatches and
// calls back; street offices and police stations handle; the city's
// political-legal committee verifies and supervises; leaders read; three
// separate administrators (三员分立).
var Users = []User{
	{"intake", "张敏", org.CodeHotline, roles(access.Intake), "12345 受理员 takes reports"},
	{"dispatcher", "李强", org.CodeHotline, roles(access.Dispatcher), "12345 派遣员 registers and dispatches"},
	{"callback", "陈静", org.CodeHotline, roles(access.Callback), "12345 回访员 calls citizens back"},
	{"jiangtou", "王磊", "350206004", roles(access.Handler), "江头街道 承办人 handles civic cases"},
	{"jiangtou.police", "刘洋", "PSB-350206004", roles(access.Handler), "江头派出所 承办人 handles police cases"},
	{"gulangyu", "黄丽", "350203012", roles(access.Handler), "鼓浪屿街道 承办人: another street, sees none of 江头's cases"},
	{"verifier", "赵芳", org.CodeCityCommittee, roles(access.Verifier), "市委政法委 核查员 verifies report-backs"},
	{"supervisor", "孙伟", org.CodeCityCommittee, roles(access.Supervisor), "市委政法委 督办员: extensions, suspensions, reopening"},
	{"huli", "吴刚", "PLC-350206", roles(access.Supervisor, access.Verifier), "湖里区委政法委 督办员 (district scope)"},
	{"leader", "周建国", "350200", roles(access.Leader), "市领导 reads the whole city"},
	{"sysadmin", "系统管理员", "350200", roles(access.SysAdmin), "系统管理员: units, catalogue, accounts"},
	{"secadmin", "安全管理员", "350200", roles(access.SecAdmin), "安全管理员: roles and tokens"},
	{"auditadmin", "审计管理员", "350200", roles(access.AuditAdmin), "审计管理员: the audit log"},
}

func roles(rs ...access.Role) []access.Role { return rs }

// Credential is what the demo prints for one user.
type Credential struct {
	User
	UserID int64
	Token  string
}

// TokenName names the tokens the demo issues; each start revokes the
// previous ones.
const TokenName = "demo"

// EnsureUsers creates the demo users that do not exist yet and issues each a
// fresh API token (revoking the demo tokens issued before).
func EnsureUsers(ctx context.Context, a *app.App) ([]Credential, error) {
	actor := access.System("demo")
	var out []Credential
	for _, du := range Users {
		u, err := a.Org.UserByName(ctx, a.DB, du.Username)
		if fault.KindOf(err) == fault.NotFound {
			unit, uerr := a.Org.UnitByCode(ctx, a.DB, du.UnitCode)
			if uerr != nil {
				return nil, fmt.Errorf("demo user %s: %w", du.Username, uerr)
			}
			u, err = a.Org.CreateUser(ctx, actor, org.UserInput{Username: du.Username, Name: du.Name, UnitID: unit.ID,
				Roles: du.Roles, Password: Password})
		}
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", du.Username, err)
		}
		toks, err := a.Org.Tokens(ctx, actor, u.ID)
		if err != nil {
			return nil, err
		}
		for _, t := range toks {
			if t.Name == TokenName && t.RevokedAt.IsZero() {
				if _, err := a.Org.RevokeToken(ctx, actor, u.ID, t.ID); err != nil {
					return nil, err
				}
			}
		}
		tok, _, err := a.Org.IssueToken(ctx, actor, u.ID, TokenName, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, Credential{User: du, UserID: u.ID, Token: tok})
	}
	return out, nil
}

// RoleNames renders roles for people.
func RoleNames(rs []access.Role) string {
	var s []string
	for _, r := range rs {
		ri, _ := access.Info(r)
		s = append(s, ri.Name.Format("zh-CN"))
	}
	return strings.Join(s, "、")
}
