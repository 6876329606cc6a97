package sandbox

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// deviceCode is one device authorization (RFC 8628) from /devicecode to redemption.
type deviceCode struct {
	device   string
	user     string // user_code
	client   *App
	scope    *scopeRequest
	claims   string
	expires  time.Time
	state    string // pending | approved | denied | redeemed
	approved *User
	amr      []string
	deny     *entraError
}

// userCodeAlphabet avoids look-alike characters, like Entra's codes.
const userCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newUserCode() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)]
	}
	return string(b)
}

// readForm parses an application/x-www-form-urlencoded POST body (at most 64 KiB), refusing
// duplicate parameters. Query parameters are not part of it. Unknown parameters are kept and
// ignored by the handlers (RFC 6749 §3.2).
func (s *Sandbox) readForm(w http.ResponseWriter, r *http.Request) (url.Values, *entraError) {
	if r.Method != http.MethodPost {
		return nil, newError("invalid_request", 900561,
			"The endpoint only accepts POST, OPTIONS requests. Received a %s request.", r.Method)
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/x-www-form-urlencoded") {
		return nil, errMissingParam("grant_type")
	}
	if err := r.ParseForm(); err != nil {
		if strings.Contains(err.Error(), "too large") {
			return nil, errMalformed("The request body exceeds the maximum size of 64 KB.")
		}
		return nil, errMalformed("The request body could not be parsed.")
	}
	for k, v := range r.PostForm {
		if len(v) > 1 {
			return nil, errMalformed(fmt.Sprintf("The parameter '%s' is duplicated.", k))
		}
	}
	return r.PostForm, nil
}

// handleDeviceCode is the device authorization endpoint.
func (s *Sandbox) handleDeviceCode(w http.ResponseWriter, r *http.Request) {
	if !s.tenantOK(w, r) {
		return
	}
	form, e := s.readForm(w, r)
	if e != nil {
		if e.Code == 900144 {
			e = errMissingParam("client_id")
		}
		s.writeError(w, r, e)
		return
	}
	clientID := form.Get("client_id")
	if clientID == "" {
		s.writeError(w, r, errMissingParam("client_id"))
		return
	}
	client := s.dir.app(clientID)
	if client == nil {
		s.writeError(w, r, errAppNotFound(clientID))
		return
	}
	scope := form.Get("scope")
	if scope == "" && form.Get("resource") != "" {
		scope = form.Get("resource") + "/.default"
	}
	q, e := s.resolveScopes(client, scope, flowSignin)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	dc := &deviceCode{
		device: randomID(96), user: newUserCode(), client: client, scope: q,
		claims: form.Get("claims"), expires: s.now().Add(15 * time.Minute), state: "pending",
	}
	s.mu.Lock()
	s.sweepLocked()
	s.deviceCodes[dc.device] = dc
	s.userCodes[dc.user] = dc
	s.mu.Unlock()
	if s.opts.AutoApprove {
		_ = s.Approve(dc.user, s.beh.signinUser)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"user_code":        dc.user,
		"device_code":      dc.device,
		"verification_uri": s.DeviceLoginURL(),
		"expires_in":       900,
		"interval":         5,
		"message": fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.",
			s.DeviceLoginURL(), dc.user),
	})
}

// Approve completes a device code sign-in as username, as a person at /devicelogin would. A user
// from another tenant who was never invited is refused (AADSTS50020), and that refusal is what
// the polling client then receives.
func (s *Sandbox) Approve(userCode, username string) error {
	return s.approve(userCode, username, false)
}

func (s *Sandbox) approve(userCode, username string, mfa bool) error {
	code := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(userCode), "-", ""))
	s.mu.Lock()
	defer s.mu.Unlock()
	dc := s.userCodes[code]
	if dc == nil {
		return newError("invalid_grant", 70000, "The code you entered is not valid. Check the code and try again.")
	}
	if s.now().After(dc.expires) {
		return newError("expired_token", 70020, "The code you entered has expired. Get a new code from the device you're trying to sign in to and try again.")
	}
	if dc.state != "pending" {
		return newError("invalid_grant", 70000, "The code you entered has already been used.")
	}
	u := s.dir.userByName(username)
	if u == nil {
		return newError("invalid_grant", 50034, "The user account %s does not exist in the %s directory. To sign into this application, the account must be added to the directory.", username, TenantName)
	}
	if !u.InTenant {
		dc.state = "denied"
		dc.deny = errUserNotInTenant(u)
		return dc.deny
	}
	dc.state = "approved"
	dc.approved = u
	s.logf("device code for %s approved as %s", dc.client.DisplayName, u.UPN)
	dc.amr = []string{"pwd"}
	if mfa || dc.claims != "" {
		// A claims challenge asks for the policy to be satisfied: the person completes MFA.
		dc.amr = []string{"pwd", "mfa"}
	}
	return nil
}

func errUserNotInTenant(u *User) *entraError {
	return newError("invalid_grant", 50020,
		"User account '%s' from identity provider 'https://sts.windows.net/%s/' does not exist in tenant '%s' and cannot access the application in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Microsoft Entra user account.",
		u.UPN, u.HomeTenant, TenantName)
}

// handleDeviceLoginPage shows the page where a person enters the code and picks a user.
func (s *Sandbox) handleDeviceLoginPage(w http.ResponseWriter, r *http.Request) {
	renderPage(w, http.StatusOK, pageData{
		Title: "Enter code", Lead: "Enter the code displayed on your app or device, then pick who signs in.",
		Form: true, Code: r.URL.Query().Get("code"), Users: s.pageUsers(""),
	})
}

// handleDeviceLoginPost approves a code (form fields user_code, username, optional mfa=on).
// Browsers get a page; clients asking for JSON get {"status":"approved"} or Entra's error.
func (s *Sandbox) handleDeviceLoginPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	wantsJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, errMalformed("The form could not be parsed."))
		return
	}
	code, user := r.PostForm.Get("user_code"), r.PostForm.Get("username")
	var err error
	switch {
	case code == "":
		err = errMissingParam("user_code")
	case user == "":
		err = errMissingParam("username")
	default:
		err = s.approve(code, user, r.PostForm.Get("mfa") != "")
	}
	if err != nil {
		e, ok := err.(*entraError)
		if !ok {
			e = errMalformed(err.Error())
		}
		if wantsJSON {
			s.writeError(w, r, e)
			return
		}
		renderPage(w, http.StatusBadRequest, pageData{
			Title: "Sign-in failed", Error: e.Error(), Form: true, Code: code, Users: s.pageUsers(""),
		})
		return
	}
	if wantsJSON {
		writeJSON(w, http.StatusOK, map[string]string{"status": "approved", "user_code": code, "username": user})
		return
	}
	renderPage(w, http.StatusOK, pageData{
		Title: "You're signed in", Lead: fmt.Sprintf("%s is signed in. You can close this window and return to your app.", user),
		Success: true,
	})
}

// pageUsers lists the sandbox users for the pickers; hint (a login_hint) preselects a user,
// otherwise the scenario's user is preselected.
func (s *Sandbox) pageUsers(hint string) []pageUser {
	preselect := s.beh.signinUser
	if hint != "" && s.dir.userByName(hint) != nil {
		preselect = s.dir.userByName(hint).UPN
	}
	out := make([]pageUser, 0, len(s.dir.Users))
	for _, u := range s.dir.Users {
		note := "member"
		switch {
		case !u.InTenant:
			note = "guest from another tenant, not invited"
		case len(u.Groups) > 200:
			note = fmt.Sprintf("member of %d groups", len(u.Groups))
		case s.dir.blockPolicy(s.dir.app(MCPAppID), u) != nil:
			note = "blocked from the MCP server by conditional access"
		case s.dir.mfaPolicy(s.dir.app(MCPAppID), u) != nil:
			note = "MFA required for the MCP server"
		}
		out = append(out, pageUser{UPN: u.UPN, Name: u.DisplayName, Note: note, Default: u.UPN == preselect})
	}
	return out
}

// sweepLocked forgets expired device codes and authorization codes every 256 calls, so a sandbox
// serving for days does not grow without bound. s.mu must be held.
func (s *Sandbox) sweepLocked() {
	s.sweeps++
	if s.sweeps%256 != 0 {
		return
	}
	now := s.now()
	for k, dc := range s.deviceCodes {
		if now.After(dc.expires) {
			delete(s.deviceCodes, k)
			delete(s.userCodes, dc.user)
		}
	}
	for k, ac := range s.authCodes {
		if now.After(ac.expires) {
			delete(s.authCodes, k)
		}
	}
	for k, g := range s.refresh {
		if now.After(g.expires) {
			delete(s.refresh, k)
		}
	}
}
