package inspect

import "time"

// Format is the outer shape of a token.
type Format string

// Token formats.
const (
	FormatJWS    Format = "jws"
	FormatJWE    Format = "jwe"
	FormatOpaque Format = "opaque"
)

// Kind tells an access token from an ID token.
type Kind string

// Token kinds.
const (
	KindAccess  Kind = "access"
	KindID      Kind = "id"
	KindUnknown Kind = "unknown"
)

// Principal is who a token speaks for.
type Principal string

// Principals.
const (
	PrincipalUser          Principal = "user"
	PrincipalApp           Principal = "app"
	PrincipalAgentIdentity Principal = "agent-identity"
	PrincipalAgentUser     Principal = "agent-user"
	PrincipalUnknown       Principal = "unknown"
)

// Token is the decoded, unverified view of a token. Decoding says nothing about the signature:
// verification is a separate step (VerifySignature).
type Token struct {
	Raw          string `json:"-"`
	Format       Format
	Header       map[string]any
	Claims       map[string]any
	Kind         Kind
	Version      string
	Issuer       string
	IssuerTenant string
	TenantID     string
	Audiences    []string
	Scopes       []string
	Roles        []string
	ClientAppID  string
	Principal    Principal
	Subject      string
	ObjectID     string
	Username     string
	Name         string
	IssuedAt     time.Time
	NotBefore    time.Time
	ExpiresAt    time.Time
}
