package flows

import (
	"net/http"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// HopID names a hop of the chain. The values are part of the JSON contract.
type HopID string

// The hops, in walk order.
const (
	HopSignin     HopID = "signin"
	HopAgent      HopID = "agent"
	HopOBO        HopID = "obo"
	HopMCP        HopID = "mcp"
	HopDownstream HopID = "downstream"
)

// Hops lists every hop in walk order.
var Hops = []HopID{HopSignin, HopAgent, HopOBO, HopMCP, HopDownstream}

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

// NamedToken is a token a hop obtained or presented. Raw is kept in memory only, so the person
// can copy it on request; every rendering uses the redacted form.
type NamedToken struct {
	Name  string         // "user token", "OBO token (MCP server)", "T1 (blueprint)", …
	Raw   string         // never rendered unredacted unless the person asks
	Token *inspect.Token // decoded, unverified
	// Verified says whether the signature was checked against the issuer's JWKS, and VerifyErr why not.
	Verified  bool
	VerifyErr string
}

// HopResult is everything a hop observed and concluded. It is complete even when the hop failed.
type HopResult struct {
	ID        HopID
	Title     string
	Status    HopStatus
	Story     string // one line: "alice@… signed in to Contoso Client; token for Contoso Agent API, scp access_as_user"
	Tokens    []NamedToken
	Exchanges []Exchange
	Findings  []inspect.Finding
	Err       string // the one-line error that stopped the hop, naming the cause
	Started   time.Time
	Finished  time.Time
}

// DeviceCode is what the person needs to complete a device-code sign-in.
type DeviceCode struct {
	UserCode        string
	VerificationURL string
	Message         string
	ExpiresAt       time.Time
	AutoApproved    bool // the sandbox approves it at once
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
}

// Report is a finished walk, as check prints it and the TUI exports it.
type Report struct {
	Mode     string // sandbox | live
	Scenario string
	Hops     []HopResult
	Summary  Summary
	// AppNames names the app IDs and App ID URIs of the configuration ("the agent API" …), for stories.
	AppNames map[string]string
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
