package sandbox

import (
	"fmt"
	"net/http"
	"strings"
)

// handleConsentPage is where a Foundry consent_link leads: the person signs in to the passthrough
// connection and allows the agent to use the MCP tool with their identity.
func (s *Sandbox) handleConsentPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	req := s.pendingConsent(id)
	if req == nil {
		renderPage(w, http.StatusNotFound, pageData{Title: "Consent link expired", Error: "This consent link is unknown or was used already: run the agent again for a new one."})
		return
	}
	name := req.upn
	if u := s.dir.userByID(req.user); u != nil {
		name = u.DisplayName
	}
	renderPage(w, http.StatusOK, pageData{
		Title:     "Sign in to " + FoundryServerLabel,
		Lead:      fmt.Sprintf("Sign in to %s in order to allow the AI agent %s use the %s MCP tool with your identity (OAuth identity passthrough).", FoundryServerLabel, req.agent, FoundryServerLabel),
		Authorize: true, Action: "/foundry/consent", Hidden: map[string]string{"id": id},
		Users: []pageUser{{UPN: req.upn, Name: name, Note: "the user who called the agent", Default: true}},
	})
}

// handleConsentPost completes a consent: the connection obtains the user's token for its scope and
// the project stores it for that user. With Accept: application/json it answers JSON (for
// scripts: curl -d id=oauthreq_…).
func (s *Sandbox) handleConsentPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	wantsJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	fail := func(status int, msg string) {
		if wantsJSON {
			writeJSON(w, status, map[string]string{"error": "consent_failed", "error_description": msg})
			return
		}
		renderPage(w, status, pageData{Title: "Consent failed", Error: msg})
	}
	if err := r.ParseForm(); err != nil {
		fail(http.StatusBadRequest, "The form could not be parsed.")
		return
	}
	id := r.PostForm.Get("id")
	req := s.pendingConsent(id)
	if req == nil {
		fail(http.StatusNotFound, "This consent link is unknown or was used already: run the agent again for a new one.")
		return
	}
	if who := r.PostForm.Get("sandbox_user"); who != "" && !strings.EqualFold(who, req.upn) {
		fail(http.StatusForbidden, fmt.Sprintf("This consent link belongs to %s: only that user can consent with it.", req.upn))
		return
	}
	tok, err := s.connectionToken(s.dir.userByID(req.user))
	if err != nil {
		fail(http.StatusBadRequest, "The connection could not get a token for you: "+err.Error())
		return
	}
	s.foundry.mu.Lock()
	if s.foundry.consents == nil {
		s.foundry.consents = map[string]string{}
	}
	s.foundry.consents[req.user] = tok
	delete(s.foundry.pending, id)
	s.foundry.mu.Unlock()
	s.logf("foundry: %s consented to %s for %s", req.upn, connectionName, req.agent)
	if wantsJSON {
		writeJSON(w, http.StatusOK, map[string]string{"status": "consented", "user": req.upn, "connection": connectionName})
		return
	}
	renderPage(w, http.StatusOK, pageData{Title: "Sign in successful", Success: true,
		Lead: "You can close this window and send your request to the agent again."})
}

// pendingConsent returns the consent request id names, nil when there is none.
func (s *Sandbox) pendingConsent(id string) *consentRequest {
	s.foundry.mu.Lock()
	defer s.foundry.mu.Unlock()
	return s.foundry.pending[id]
}
