package sandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// entraError is an error the authority answers with, in Entra's shape. Status is 400 for every
// error but client authentication failures (401, error invalid_client), as Entra does.
type entraError struct {
	Status   int
	Err      string // OAuth error code: invalid_grant, invalid_client, interaction_required, …
	Code     int    // the AADSTS number
	Message  string // the text after "AADSTS<code>: "
	Suberror string // consent_required, basic_action, …
	Claims   string // a claims challenge (JSON) for interaction_required
}

// Error lets an *entraError travel as an error inside the sandbox.
func (e *entraError) Error() string { return fmt.Sprintf("AADSTS%d: %s", e.Code, e.Message) }

// newError builds an entraError with the status Entra uses for the OAuth error code.
func newError(oauthErr string, code int, format string, args ...any) *entraError {
	status := http.StatusBadRequest
	if oauthErr == "invalid_client" && code != 650053 && code != 700016 && code != 65005 {
		status = http.StatusUnauthorized
	}
	return &entraError{Status: status, Err: oauthErr, Code: code, Message: fmt.Sprintf(format, args...)}
}

// entraErrorBody is the JSON body of an Entra error, fields in Entra's order.
type entraErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
	Timestamp        string `json:"timestamp"`
	TraceID          string `json:"trace_id"`
	CorrelationID    string `json:"correlation_id"`
	ErrorURI         string `json:"error_uri"`
	Suberror         string `json:"suberror,omitempty"`
	Claims           string `json:"claims,omitempty"`
}

// errorBody renders e as Entra does at time now, with the request's correlation ID (the
// client-request-id header clients send, or a new one).
func errorBody(e *entraError, now time.Time, correlationID string) []byte {
	if correlationID == "" {
		correlationID = newGUID()
	}
	trace := newGUID()
	ts := now.UTC().Format("2006-01-02 15:04:05Z")
	body := entraErrorBody{
		Error: e.Err,
		ErrorDescription: fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
			e.Code, e.Message, trace, correlationID, ts),
		ErrorCodes:    []int{e.Code},
		Timestamp:     ts,
		TraceID:       trace,
		CorrelationID: correlationID,
		ErrorURI:      fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", e.Code),
		Suberror:      e.Suberror,
		Claims:        e.Claims,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body)
	return bytes.TrimSpace(buf.Bytes())
}

// writeError answers with e in Entra's JSON shape.
func (s *Sandbox) writeError(w http.ResponseWriter, r *http.Request, e *entraError) {
	body := errorBody(e, s.now(), r.Header.Get("client-request-id"))
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	h.Set("x-ms-request-id", newGUID())
	if cid := r.Header.Get("client-request-id"); cid != "" {
		h.Set("client-request-id", cid)
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// writeJSON answers 200 (or status) with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "encoding failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// newGUID returns a random version-4 GUID.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Common Entra errors, with the descriptions Entra uses (placeholders filled by the caller).
func errMissingParam(name string) *entraError {
	return newError("invalid_request", 900144, "The request body must contain the following parameter: '%s'.", name)
}

func errMalformed(detail string) *entraError {
	return newError("invalid_request", 9002313, "Invalid request. Request is malformed or invalid. %s", detail)
}

func errAppNotFound(clientID string) *entraError {
	return newError("unauthorized_client", 700016,
		"Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
		clientID, TenantName)
}

func errTenantNotFound(tenant string) *entraError {
	return newError("invalid_tenant", 90002,
		"Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", tenant)
}

func errMissingCredential() *entraError {
	return newError("invalid_client", 7000218,
		"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
}

func errUnsupportedGrant(grant string) *entraError {
	return newError("unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'.", grant)
}

func errResourceNotFound(res string) *entraError {
	return newError("invalid_resource", 500011,
		"The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
		res, TenantName)
}

// errAgentIdentityDirect is AADSTS82001: an agent identity asked for a token itself (client
// credentials, RFC 8693) instead of presenting its blueprint's T1 (microsoft/skills#195). The
// wording is the sandbox's: no public report quotes Entra's.
func errAgentIdentityDirect(a *App) *entraError {
	return newError("invalid_request", 82001,
		"The application '%s' is an agent identity: it cannot request tokens directly. Its agent identity blueprint must obtain a token exchange token (client_credentials with fmi_path) for it to present as its client assertion.", a.AppID)
}

// checkRedemptionOrigin applies Entra's platform rule to a code redemption: a code for a
// Single-page application redirect URI only cross-origin (AADSTS9002327), any other only from a
// server (AADSTS9002326: umijs/umi-request#299, AzureAD/microsoft-authentication-library-for-js#2482).
func checkRedemptionOrigin(client *App, redirectURI, origin string) *entraError {
	spa := containsFold(client.SPARedirectURIs, redirectURI)
	switch {
	case origin != "" && !spa:
		return newError("invalid_request", 9002326, "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '%s'.", origin)
	case origin == "" && spa:
		return newError("invalid_request", 9002327, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.")
	}
	return nil
}

func errConsent(client *App) *entraError {
	e := newError("invalid_grant", 65001,
		"The user or administrator has not consented to use the application with ID '%s' named '%s'. Send an interactive authorization request for this user and resource.",
		client.AppID, client.DisplayName)
	e.Suberror = "consent_required"
	return e
}
