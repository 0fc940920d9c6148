package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/otpd/otpd/postgres/pgtest"
)

// admin runs an admin command (accounts, admin-tokens) on the store of s,
// as an operator on the server's machine does while it runs.
func (s *server) admin(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return runCmd(t, s.env, append(args, "--data", s.dir)...)
}

var adminTokenLine = regexp.MustCompile(`(?m)^  (otpd_admin_[A-Za-z0-9_-]{43})$`)

// adminToken makes an admin token of scope on the store of s.
func (s *server) adminToken(t *testing.T, scope string) string {
	t.Helper()
	out, _, err := s.admin(t, "admin-tokens", "create", "--scope", scope, "--name", scope+" test")
	if err != nil {
		t.Fatalf("admin-tokens create: %v", err)
	}
	m := adminTokenLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("admin-tokens create printed no token:\n%s", out)
	}
	return m[1]
}

// The accounts command against the store of a running server, on a real
// SQLite file: what each subcommand prints, and what the person whose
// account it is then meets.
func TestAccountsCommand(t *testing.T) {
	accountsCommandOn(t, startServer(t, nil))
}

// On PostgreSQL too: the command reads OTPD_DATABASE as serve does.
func TestAccountsCommandPostgres(t *testing.T) {
	_, dsn := pgtest.Schema(t)
	accountsCommandOn(t, startServer(t, map[string]string{"OTPD_DATABASE": dsn}))
}

func accountsCommandOn(t *testing.T, s *server) {
	ada := s.owner(t, "ada@example.com", "")
	me, err := ada.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.signIn(t, "bob@example.com")

	out, _, err := s.admin(t, "accounts", "list")
	if err != nil || !strings.Contains(out, "ada@example.com") || !strings.Contains(out, "bob@example.com") {
		t.Fatalf("accounts list: %v\n%s", err, out)
	}
	out, _, err = s.admin(t, "accounts", "show", "ADA@example.com", "--json")
	var shown struct{ ID, State string }
	if err != nil || json.Unmarshal([]byte(out), &shown) != nil || shown.ID != me.ID || shown.State != "active" {
		t.Fatalf("accounts show --json: %v\n%s", err, out)
	}

	out, stderr, err := s.admin(t, "accounts", "disable", me.ID)
	if err != nil || !strings.Contains(out, "Disabled") || !strings.Contains(stderr, "by=\"command line\"") {
		t.Fatalf("accounts disable: %v\n%s\n%s", err, out, stderr)
	}
	if _, err := ada.Me(ctx); err == nil {
		t.Error("the disabled account's session still works")
	}
	n := s.messages(t, "ada@example.com")
	if _, err := s.client().SignIn(ctx, "ada@example.com"); err != nil {
		t.Fatalf("sign-in for a disabled account: %v", err)
	}
	if m := s.mail(t, "ada@example.com", n); m.Subject != "Your account is disabled" || codeLine.MatchString(m.Text) {
		t.Errorf("the disabled account's mail: %q\n%s", m.Subject, m.Text)
	}
	out, _, err = s.admin(t, "accounts", "list", "--state", "disabled", "--json")
	if err != nil || !strings.Contains(out, me.ID) || strings.Contains(out, "bob@example.com") {
		t.Errorf("accounts list --state disabled: %v\n%s", err, out)
	}
	if out, _, err = s.admin(t, "accounts", "disable", "ada@example.com"); err != nil || !strings.Contains(out, "nothing changed") {
		t.Errorf("disabling twice: %v\n%s", err, out)
	}
	if out, _, err = s.admin(t, "accounts", "enable", "ada@example.com"); err != nil || !strings.Contains(out, "Enabled") {
		t.Fatalf("accounts enable: %v\n%s", err, out)
	}
	ada = s.signIn(t, "ada@example.com")

	out, _, err = s.admin(t, "accounts", "sign-out", "ada@example.com")
	if err != nil || !strings.Contains(out, "1 sessions ended") {
		t.Errorf("accounts sign-out: %v\n%s", err, out)
	}
	if _, err := ada.Me(ctx); err == nil {
		t.Error("a session outlives accounts sign-out")
	}
	ada = s.signIn(t, "ada@example.com")
	if out, _, err = s.admin(t, "accounts", "unlock", "ada@example.com"); err != nil || !strings.Contains(out, "Unlocked") {
		t.Errorf("accounts unlock: %v\n%s", err, out)
	}
	for _, typ := range []string{"account_disabled", "account_enabled", "admin_signed_out", "account_unlocked"} {
		if !hasEvent(t, ada, typ) {
			t.Errorf("the owner's activity lacks %s", typ)
		}
	}

	out, stderr, err = s.admin(t, "accounts", "export", "ada@example.com")
	var x map[string]any
	if err != nil || json.Unmarshal([]byte(out), &x) != nil || !strings.Contains(stderr, "account exported") {
		t.Fatalf("accounts export: %v\n%s\n%s", err, out, stderr)
	}
	for _, key := range []string{"account", "sessions", "devices", "events", "code_requests", "messages", "apps", "sign_in_methods", "settings"} {
		if _, ok := x[key]; !ok {
			t.Errorf("the export lacks %q", key)
		}
	}
	if strings.Contains(out, ada.Token) || strings.Contains(out, "argon2") || strings.Contains(out, "token_hash") ||
		strings.Contains(out, "code_mac") || strings.Contains(out, "flow_id") {
		t.Errorf("the export holds a secret:\n%s", out)
	}
	if !hasEvent(t, ada, "account_exported") {
		t.Error("the owner's activity lacks the export")
	}

	if _, _, err := s.admin(t, "accounts", "delete", "ada@example.com"); err == nil || !strings.Contains(err.Error(), "--yes") {
		t.Errorf("delete without --yes: %v", err)
	}
	_, stderr, err = s.admin(t, "accounts", "delete", "ada@example.com", "--yes")
	if err != nil || !strings.Contains(stderr, "account deleted") || !strings.Contains(stderr, me.ID) {
		t.Fatalf("accounts delete: %v\n%s", err, stderr)
	}
	if _, err := ada.Me(ctx); err == nil {
		t.Error("a session outlives the delete")
	}
	if _, _, err := s.admin(t, "accounts", "show", me.ID); err == nil || !strings.Contains(err.Error(), "ACCOUNT: no account") {
		t.Errorf("show of a deleted account: %v", err)
	}
	again := s.signIn(t, "ada@example.com")
	if a, err := again.Me(ctx); err != nil || a.ID == me.ID {
		t.Errorf("signing up anew: %+v, %v", a, err)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"accounts"}, "needs a command"},
		{[]string{"accounts", "frob"}, `unknown accounts command "frob"`},
		{[]string{"accounts", "show"}, "needs one account"},
		{[]string{"accounts", "list", "--state", "asleep"}, "--state"},
		{[]string{"accounts", "list", "--limit", "0"}, "--limit"},
		{[]string{"accounts", "show", "not an address@"}, "ACCOUNT"},
		{[]string{"accounts", "disable", "nobody@example.com"}, "ACCOUNT: no account"},
		{[]string{"admin-tokens", "create"}, "--scope"},
		{[]string{"admin-tokens", "create", "--scope", "root"}, "--scope"},
		{[]string{"admin-tokens", "revoke", "nope"}, "--id"},
	} {
		if _, _, err := s.admin(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error naming %q", c.args, err, c.want)
		}
	}
	if out, _, err := runCmd(t, nil, "help", "accounts"); !strings.Contains(out, "sign-out ACCOUNT") || err == nil {
		t.Errorf("help accounts: %v\n%s", err, out)
	}
}

// The admin API: read and write scopes, each kind of token only where it
// belongs, revoked tokens, and errors that name the field.
func TestAdminAPI(t *testing.T) {
	s := startServer(t, nil)
	ada := s.signIn(t, "ada@example.com")
	s.signIn(t, "bob@example.com")
	readTok, writeTok := s.adminToken(t, "read"), s.adminToken(t, "write")
	reader, writer := s.client(), s.client()
	reader.Token, writer.Token = readTok, writeTok

	as, next, err := reader.AdminAccounts(ctx, "", 1, "")
	if err != nil || len(as) != 1 || next == "" {
		t.Fatalf("a first page of one: %+v, next %q, %v", as, next, err)
	}
	rest, next2, err := reader.AdminAccounts(ctx, "", 0, next)
	if err != nil || len(rest) != 1 || next2 != "" || rest[0].ID == as[0].ID {
		t.Fatalf("the next page: %+v, next %q, %v", rest, next2, err)
	}
	if a, err := reader.AdminAccount(ctx, "ada@example.com"); err != nil || a.State != "active" {
		t.Fatalf("show: %+v, %v", a, err)
	}
	if _, err := reader.AdminExport(ctx, "ada@example.com"); err != nil {
		t.Errorf("a read token cannot export: %v", err)
	}

	// A read token changes nothing.
	for _, call := range []func() error{
		func() error { _, err := reader.AdminDisable(ctx, "ada@example.com"); return err },
		func() error { _, err := reader.AdminEnable(ctx, "ada@example.com"); return err },
		func() error { _, err := reader.AdminSignOut(ctx, "ada@example.com"); return err },
		func() error { _, err := reader.AdminUnlock(ctx, "ada@example.com"); return err },
		func() error { return reader.AdminDelete(ctx, "ada@example.com") },
	} {
		apiError(t, call(), http.StatusForbidden, "forbidden")
	}
	if _, err := ada.Me(ctx); err != nil {
		t.Fatalf("a read token's refused calls changed the account: %v", err)
	}

	// A session token is no admin token, nor an admin token a session's.
	asSession := s.client()
	asSession.Token = ada.Token
	_, _, err = asSession.AdminAccounts(ctx, "", 0, "")
	apiError(t, err, http.StatusUnauthorized, "unauthorized")
	asAdmin := s.client()
	asAdmin.Token = writeTok
	_, err = asAdmin.Me(ctx)
	apiError(t, err, http.StatusUnauthorized, "unauthorized")

	a, err := writer.AdminDisable(ctx, "ada@example.com")
	if err != nil || a.State != "disabled" || !a.Changed {
		t.Fatalf("disable: %+v, %v", a, err)
	}
	_, err = ada.Me(ctx)
	apiError(t, err, http.StatusUnauthorized, "unauthorized")
	if a, err := writer.AdminDisable(ctx, a.ID); err != nil || a.Changed {
		t.Errorf("disabling twice: %+v, %v", a, err)
	}
	if list, _, err := reader.AdminAccounts(ctx, "disabled", 0, ""); err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("the disabled accounts: %+v, %v", list, err)
	}
	if _, err := writer.AdminEnable(ctx, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	ada = s.signIn(t, "ada@example.com")
	if n, err := writer.AdminSignOut(ctx, "ada@example.com"); err != nil || n != 1 {
		t.Errorf("sign-out: %d, %v", n, err)
	}
	if _, err := ada.Me(ctx); err == nil {
		t.Error("a session outlives the admin's sign-out")
	}
	if _, err := writer.AdminUnlock(ctx, "ada@example.com"); err != nil {
		t.Errorf("unlock: %v", err)
	}
	if err := writer.AdminDelete(ctx, "ada@example.com"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	e := apiError(t, func() error { _, err := reader.AdminAccount(ctx, "ada@example.com"); return err }(), http.StatusNotFound, "not_found")
	if e.Field != "account" {
		t.Errorf("an unknown account names %q, want account", e.Field)
	}
	if !strings.Contains(s.logs.String(), "admin: account deleted") {
		t.Error("the delete is not in the operator's log")
	}

	for _, c := range []struct {
		call  func() error
		field string
	}{
		{func() error { _, _, err := reader.AdminAccounts(ctx, "asleep", 0, ""); return err }, "state"},
		{func() error { _, _, err := reader.AdminAccounts(ctx, "", 501, ""); return err }, "limit"},
		{func() error { _, _, err := reader.AdminAccounts(ctx, "", -1, ""); return err }, "limit"},
		{func() error { _, err := reader.AdminAccount(ctx, "two@at@example.com"); return err }, "account"},
	} {
		if e := apiError(t, c.call(), http.StatusBadRequest, "invalid_request"); e.Field != c.field {
			t.Errorf("field %q, want %q", e.Field, c.field)
		}
	}

	for _, q := range []string{"after=%00", "after=%ff", "limit=x", "state=%00"} {
		req, _ := http.NewRequest("GET", s.url+"/api/v1/admin/accounts?"+q, nil)
		req.Header.Set("Authorization", "Bearer "+readTok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("?%s: %d, want 400", q, resp.StatusCode)
		}
	}

	out, _, err := s.admin(t, "admin-tokens", "list", "--json")
	var listed struct{ Tokens []struct{ ID, Scope string } }
	if err != nil || json.Unmarshal([]byte(out), &listed) != nil || len(listed.Tokens) != 2 ||
		strings.Contains(out, readTok) || strings.Contains(out, writeTok) {
		t.Fatalf("admin-tokens list: %v\n%s", err, out)
	}
	for _, tok := range listed.Tokens {
		if tok.Scope == "read" {
			if _, _, err := s.admin(t, "admin-tokens", "revoke", tok.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, _, err = reader.AdminAccounts(ctx, "", 0, "")
	apiError(t, err, http.StatusUnauthorized, "unauthorized")
	if _, _, err := writer.AdminAccounts(ctx, "", 0, ""); err != nil {
		t.Errorf("revoking one token stopped another: %v", err)
	}
}
