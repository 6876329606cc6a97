package sandbox

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// authCode is an authorization code waiting to be redeemed once.
type authCode struct {
	client      *App
	redirectURI string
	challenge   string
	method      string
	scope       *scopeRequest
	user        *User
	amr         []string
	nonce       string
	expires     time.Time
	used        bool
}

// redirectAllowed matches a redirect URI against the registration the way Entra does: exact
// match, except that http://localhost and http://127.0.0.1 ignore the port.
func redirectAllowed(app *App, uri string) bool {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" {
		return false
	}
	for _, reg := range append(append([]string{}, app.RedirectURIs...), app.SPARedirectURIs...) {
		if reg == uri {
			return true
		}
		ru, err := url.Parse(reg)
		if err != nil {
			continue
		}
		loop := u.Scheme == "http" && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1")
		if loop && ru.Scheme == "http" && ru.Hostname() == u.Hostname() &&
			strings.TrimSuffix(ru.Path, "/") == strings.TrimSuffix(u.Path, "/") {
			return true
		}
	}
	return false
}

// handleAuthorize is the authorization endpoint. Errors before the redirect URI is trusted are
// shown as a page (as Entra shows them); later errors go back to the redirect URI. With
// AutoApprove the scenario's user signs in at once; otherwise a page lets a person pick a user.
func (s *Sandbox) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if !s.tenantOK(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.authorizePage(w, errMalformed("The request could not be parsed."))
		return
	}
	p := r.Form
	clientID := p.Get("client_id")
	if clientID == "" {
		s.authorizePage(w, errMissingParam("client_id"))
		return
	}
	client := s.dir.app(clientID)
	if client == nil {
		s.authorizePage(w, errAppNotFound(clientID))
		return
	}
	if client.Kind == "agent-identity" {
		// Agent identities cannot take part in interactive flows, so no user can consent for
		// one (MicrosoftDocs/entra-docs#2036). The wording is the sandbox's: no public report
		// quotes Entra's.
		s.authorizePage(w, newError("invalid_request", 82014,
			"The application '%s' is an agent identity: agent identities cannot initiate interactive authorization requests, and users cannot consent for them. Grant its permissions by admin consent or through its blueprint.", client.AppID))
		return
	}
	redirect := p.Get("redirect_uri")
	if redirect == "" || !redirectAllowed(client, redirect) {
		s.authorizePage(w, newError("invalid_request", 50011,
			"The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.",
			redirect, client.AppID))
		return
	}
	mode := p.Get("response_mode")
	if mode == "" {
		mode = "query"
	}
	fail := func(e *entraError) {
		s.deliver(w, redirect, mode, url.Values{
			"error": {e.Err}, "error_description": {string(errorDescription(e, s.now()))},
			"error_codes": {itoa(e.Code)}, "state": {p.Get("state")},
		})
	}
	if p.Get("response_type") != "code" {
		fail(newError("unsupported_response_type", 700054, "response_type '%s' is not enabled for the application.", p.Get("response_type")))
		return
	}
	if m := p.Get("code_challenge_method"); p.Get("code_challenge") != "" && m != "" && m != "S256" && m != "plain" {
		fail(newError("invalid_request", 501491, "Invalid code_challenge_method '%s'.", m))
		return
	}
	if e := s.checkResource(r.URL.Path, p); e != nil {
		fail(e)
		return
	}
	q, e := s.resolveScopes(client, p.Get("scope"), flowSignin)
	if e != nil {
		fail(e)
		return
	}
	username := p.Get("sandbox_user")
	if username == "" && s.opts.AutoApprove && p.Get("prompt") != "none" {
		// prompt=none asks about an existing session, and a request without cookies has none:
		// Entra answers login_required, so no code is issued without a sign-in.
		username = s.beh.signinUser
	}
	if username == "" && p.Get("prompt") == "none" {
		fail(newError("login_required", 50058, "A silent sign-in request was sent but no user is signed in. The cookies used to represent the user's session were not sent in the request to Azure AD."))
		return
	}
	if username == "" {
		// Show the sign-in page; it posts the same parameters back with the chosen user.
		hidden := map[string]string{}
		for k := range p {
			hidden[k] = p.Get(k)
		}
		renderPage(w, http.StatusOK, pageData{
			Title: "Sign in", Lead: "Sign in to " + client.DisplayName + " — pick a sandbox user.",
			Users: s.pageUsers(p.Get("login_hint")), Hidden: hidden, Action: r.URL.Path, Authorize: true,
		})
		return
	}
	u := s.dir.userByName(username)
	if u == nil {
		fail(newError("invalid_grant", 50034, "The user account %s does not exist in the %s directory.", username, TenantName))
		return
	}
	if !u.InTenant {
		fail(errUserNotInTenant(u))
		return
	}
	amr := []string{"pwd"}
	if p.Get("claims") != "" || p.Get("sandbox_mfa") != "" {
		amr = []string{"pwd", "mfa"}
	}
	code := randomID(120)
	s.mu.Lock()
	s.sweepLocked()
	s.authCodes[code] = &authCode{
		client: client, redirectURI: redirect, challenge: p.Get("code_challenge"), method: p.Get("code_challenge_method"),
		scope: q, user: u, amr: amr, nonce: p.Get("nonce"), expires: s.now().Add(10 * time.Minute),
	}
	s.mu.Unlock()
	s.deliver(w, redirect, mode, url.Values{"code": {code}, "state": {p.Get("state")}, "session_state": {randomGUIDLike(u.ID)}})
}

// deliver sends the authorization response to the redirect URI: an auto-submitting form for
// form_post (MSAL's loopback listener accepts POST only), a 302 otherwise.
func (s *Sandbox) deliver(w http.ResponseWriter, redirect, mode string, vals url.Values) {
	for k, v := range vals {
		if len(v) == 0 || v[0] == "" {
			delete(vals, k)
		}
	}
	if mode == "form_post" {
		hidden := map[string]string{}
		for k := range vals {
			hidden[k] = vals.Get(k)
		}
		renderPage(w, http.StatusOK, pageData{Title: "Signing you in…", Hidden: hidden, Action: redirect, AutoSubmit: true})
		return
	}
	u, _ := url.Parse(redirect)
	if mode == "fragment" {
		u.Fragment = vals.Encode()
	} else {
		q := u.Query()
		for k := range vals {
			q.Set(k, vals.Get(k))
		}
		u.RawQuery = q.Encode()
	}
	w.Header().Set("Location", u.String())
	w.WriteHeader(http.StatusFound)
}

// authorizePage shows an error the way Entra's sign-in page does.
func (s *Sandbox) authorizePage(w http.ResponseWriter, e *entraError) {
	renderPage(w, e.Status, pageData{Title: "Sorry, but we're having trouble signing you in.", Error: string(errorDescription(e, s.now()))})
}

// errorDescription is the error_description text of e.
func errorDescription(e *entraError, now time.Time) []byte {
	return []byte(e.Error() + "\r\nTrace ID: " + newGUID() + "\r\nCorrelation ID: " + newGUID() + "\r\nTimestamp: " + now.UTC().Format("2006-01-02 15:04:05Z"))
}

// pkceOK checks a code_verifier against the stored challenge (S256 or plain).
func pkceOK(challenge, method, verifier string) bool {
	if challenge == "" {
		return true
	}
	if verifier == "" {
		return false
	}
	want := verifier
	if strings.EqualFold(method, "S256") { // absent means plain (RFC 7636 §4.3)
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
