package flows

import (
	"fmt"
	"net/http"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// HopID names a hop of the chain. The values are part of the JSON contract.
type HopID string

// The hops of the agent-obo chain, in walk order (other chains reuse some of them).
const (
	HopSignin     HopID = "signin"
	HopAgent      HopID = "agent"
	HopOBO        HopID = "obo"
	HopMCP        HopID = "mcp"
	HopDownstream HopID = "downstream"

	// The hops the mcp-client chain adds (it reuses signin, mcp and downstream).
	HopProbe        HopID = "probe"
	HopMetadata     HopID = "metadata"
	HopRegistration HopID = "registration"
	HopRefresh      HopID = "refresh"
)

// HopStatus is the outcome of a hop. ok, warning, failed and skipped are part of the JSON
// contract; pending and running exist only while a walk is under way.
type HopStatus string

// Hop statuses.
const (
	StatusPending HopStatus = "pending"
	StatusRunning HopStatus = "running"
	StatusOK      HopStatus = "ok"
	StatusWarning HopStatus = "warning"
	StatusFailed  HopStatus = "failed"
	StatusSkipped HopStatus = "skipped"
)

// Exchange is one HTTP request and its response as recorded by the trace, already redacted:
// secrets, client assertions, codes and tokens never appear in it.
type Exchange struct {
	Label           string        `json:"label,omitempty"` // e.g. "token (device_code)", "MCP initialize"
	Method          string        `json:"method"`
	URL             string        `json:"url"`
	RequestHeaders  http.Header   `json:"request_headers,omitempty"`
	RequestBody     string        `json:"request_body,omitempty"`
	Status          int           `json:"status"`
	ResponseHeaders http.Header   `json:"response_headers,omitempty"`
	ResponseBody    string        `json:"response_body,omitempty"`
	Duration        time.Duration `json:"-"`
	DurationMS      float64       `json:"duration_ms"`
	Err             string        `json:"error,omitempty"` // transport error, when there was no response
	Started         time.Time     `json:"-"`
}

// TokenRole says what a token was to the hop that recorded it. The values are part of the JSON
// contract.
type TokenRole string

// Token roles.
const (
	// RoleObtained: the hop obtained the token (a sign-in, an exchange).
	RoleObtained TokenRole = "obtained"
	// RolePresented: the hop sent the token as a bearer token to an API.
	RolePresented TokenRole = "presented"
	// RoleAssertion: the hop sent the token as the user assertion of an exchange.
	RoleAssertion TokenRole = "assertion"
	// RoleCredential: a client credential (the Agent ID blueprint's T1), for Entra only; oboscope
	// never keeps it whole.
	RoleCredential TokenRole = "credential"
	// RoleReported: a component (the agent API, the MCP server) reported it, without its signature.
	RoleReported TokenRole = "reported"
)

// TokenRef points at a token recorded by a hop: the hop and the token's index in its Tokens.
type TokenRef struct {
	Hop   HopID `json:"hop"`
	Index int   `json:"index"`
}

// NamedToken is a token a hop recorded, with its role and lineage. Raw is kept in memory only, so
// the person can copy it on request; every rendering uses the redacted form. Raw is "" for a
// token oboscope holds only without its signature (a credential, a reported token).
type NamedToken struct {
	Name  string         // "user token", "OBO token (for the MCP server)", "T1 (blueprint …)", …
	Role  TokenRole      // what the token was to this hop
	Raw   string         // never rendered unredacted unless the person asks
	Token *inspect.Token // decoded, unverified
	// Verified says whether the signature was checked against the issuer's JWKS, and VerifyErr why not.
	Verified  bool
	VerifyErr string
	// HandedOn marks the token this hop hands on to the later hops (the user token sign-in
	// obtained, the token the exchange produced, the token presented to the next server).
	HandedOn bool
	// Origin is where this very token was first recorded, when that was at an earlier hop or
	// earlier in this one (the token the agent call presents is the one sign-in obtained).
	Origin *TokenRef
	// From is the token this one was obtained in exchange for (the OBO token ← the user token; a
	// component's reported token ← the token it was given).
	From *TokenRef
	// ReportedBy names the component that reported a RoleReported token ("the agent API").
	ReportedBy string
}

// Copyable reports whether the token can be copied whole (oboscope holds its signature).
func (t NamedToken) Copyable() bool { return t.Raw != "" }

// Redacted is the token's compact form with its signature removed, for reports.
func (t NamedToken) Redacted() string {
	raw := t.Raw
	if raw == "" && t.Token != nil {
		raw = t.Token.Raw
	}
	if raw == "" {
		return ""
	}
	return inspect.RedactToken(raw)
}

// HopResult is everything a hop observed and concluded. It is complete even when the hop failed.
type HopResult struct {
	ID        HopID
	Title     string // "On-Behalf-Of exchange"
	Short     string // the name on the rail: "OBO exchange"
	Status    HopStatus
	Story     string // one line: "alice@… signed in to Contoso Client; token for Contoso Agent API, scp access_as_user"
	Tokens    []NamedToken
	Exchanges []Exchange
	Findings  []inspect.Finding
	Err       string // the one-line error that stopped the hop, naming the cause
	// ClaimsChallenge is the claims challenge this hop received (Entra's at an exchange, or one an
	// API relayed in its 401), decoded JSON; "" when none. The TUI offers to sign in again with it.
	ClaimsChallenge string
	Started         time.Time
	Finished        time.Time
}

// DeviceCode is what the person needs to complete a device-code sign-in.
type DeviceCode struct {
	UserCode        string
	VerificationURL string
	Message         string
	ExpiresAt       time.Time
	AutoApproved    bool // the sandbox approves it at once
}

// Instructions is the one line a person reads to complete the sign-in.
func (d DeviceCode) Instructions() string {
	if d.Message != "" {
		return oneLine(d.Message)
	}
	return fmt.Sprintf("To sign in, open %s and enter the code %s", d.VerificationURL, d.UserCode)
}

// EventKind tells which field of an Event is set.
type EventKind int

// Event kinds, in the order they usually arrive for a hop.
const (
	EventHopStarted EventKind = iota
	EventDeviceCode
	EventExchange
	EventToken
	EventFinding
	EventHopFinished
	EventWalkDone
	// EventConsent: a Foundry agent's answer asks the user to consent (OAuth identity
	// passthrough) before its tool can be used; Consent holds the link.
	EventConsent
	// EventRequest announces a request a hop is sending (Exchange, redacted, without its
	// response); EventExchange follows when it is answered.
	EventRequest
	// EventStep says a hop is held before its first request of its own (Step), waiting for
	// StepPlan.Proceed; sent only when WalkOptions.HoldSteps is set.
	EventStep
)

// Event is one step of a walk's progress, sent on the walk's channel.
type Event struct {
	Kind       EventKind
	Hop        HopID
	DeviceCode *DeviceCode
	Exchange   *Exchange
	Token      *NamedToken
	Finding    *inspect.Finding
	Result     *HopResult // EventHopFinished
	Report     *Report    // EventWalkDone
	Step       *StepPlan  // EventStep
	Consent    *ConsentRequest
}

// ConsentRequest is a Foundry agent's request for the user's consent (an oauth_consent_request
// output item of the Responses API): the person opens Link, signs in and consents, and the agent
// hop can then send its request again.
type ConsentRequest struct {
	Link        string // consent_link
	ServerLabel string // the MCP tool the consent is for ("" when Foundry did not say)
	Agent       string // the Foundry agent asking
	ResponseID  string // the response that asked; the next request names it as previous_response_id
}

// Report is a finished walk, as check prints it and the TUI exports it.
type Report struct {
	Mode     string // sandbox | live
	Chain    string // the chain profile walked: agent-obo | mcp-client
	Scenario string
	Hops     []HopResult
	Summary  Summary
	// AppNames names the app IDs and App ID URIs of the configuration ("the agent API" …): the
	// one map every story, report and screen names apps by.
	AppNames inspect.AppNames
}

// Summary counts findings by severity.
type Summary struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
	// FailedHops names the hops that failed, with or without a finding (an MCP server that
	// refused the call for a reason no rule names still breaks the chain).
	FailedHops []HopID `json:"failed_hops,omitempty"`
}
