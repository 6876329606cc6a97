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

// Agent ID facet values (xms_act_fct, xms_sub_fct) that Microsoft documents.
const (
	FacetAgentIdentity     = 11 // an agent identity
	FacetAgentUser         = 13 // an agent's user account
	FacetAgenticAppBuilder = 15 // an agentic app builder (blueprint) acting
)

// Token is the decoded, unverified view of a token. Decoding says nothing about the signature:
// verification is a separate step (VerifySignature).
type Token struct {
	Raw    string `json:"-"` // as given (never print it unredacted)
	Format Format
	Header map[string]any // the JOSE header (also for JWE)
	Claims map[string]any // the payload; nil for JWE and opaque tokens
	Kind   Kind
	// Version is "1.0" or "2.0" from ver, else inferred from the issuer's form; "" when unknown.
	Version      string
	Issuer       string
	IssuerTenant string // the tenant GUID in iss, "" when iss names none
	TenantID     string // tid
	Audiences    []string
	Scopes       []string // scp split on spaces
	Roles        []string
	ClientAppID  string // azp (v2) or appid (v1)
	Principal    Principal
	Subject      string
	ObjectID     string
	Username     string // preferred_username, upn, unique_name or email, whichever comes first
	Name         string
	IssuedAt     time.Time // zero when absent
	NotBefore    time.Time
	ExpiresAt    time.Time

	// Agent ID: the blueprint's app id (xms_par_app_azp) and the facets of the actor and the
	// subject (xms_act_fct, xms_sub_fct), space-separated numbers in the token.
	ParentAppID   string
	ActorFacets   []int
	SubjectFacets []int

	// SignatureRemoved is true when the token came without its signature (header.payload, or
	// the "(signature removed)" marker RedactToken writes): it can be read but not verified.
	SignatureRemoved bool

	signingInput string // header.payload as received, what the signature covers
	signature    []byte // the decoded signature
	payload      []byte // the decoded payload JSON, for claim order
}

// Alg returns the header's alg, "" when absent.
func (t *Token) Alg() string { return stringOf(t.Header["alg"]) }

// Kid returns the header's kid, "" when absent.
func (t *Token) Kid() string { return stringOf(t.Header["kid"]) }

// ClaimString returns claim name when it is a string, else "".
func (t *Token) ClaimString(name string) string { return stringOf(t.Claims[name]) }

// HasClaim reports whether the payload has claim name.
func (t *Token) HasClaim(name string) bool {
	_, ok := t.Claims[name]
	return ok
}

// IsAgent reports whether the token carries Agent ID markers: a blueprint (xms_par_app_azp) or
// the agent identity or agent user facet.
func (t *Token) IsAgent() bool {
	return t.ParentAppID != "" || containsInt(t.ActorFacets, FacetAgentIdentity) ||
		containsInt(t.SubjectFacets, FacetAgentIdentity) || containsInt(t.SubjectFacets, FacetAgentUser)
}

// IsAppOnly reports whether the token represents an application rather than a user.
func (t *Token) IsAppOnly() bool {
	return t.Principal == PrincipalApp || t.Principal == PrincipalAgentIdentity
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
