package inspect

import (
	"strings"
	"time"
)

// TokenSummary is what a token is, in the parts every presentation shows: the one-line text of
// reports and stories (Text) and the styled summary of the TUI are rendered from it, so that both
// say the same.
type TokenSummary struct {
	Format  Format
	Kind    Kind
	Version string // "1.0", "2.0", or "" when unknown

	Audience  string   // the first aud, "" when none
	Audiences []string // every aud
	// AudienceName names Audience (AppNames.Name): "Contoso Agent API", "the agent API (…)", or
	// the ID itself; "" when the token has no aud.
	AudienceName string
	// AudienceKnown is the audience's name alone (AppNames.Known), "" when none is known: shown
	// beside the ID, "Contoso MCP (api://contoso-mcp)".
	AudienceKnown string

	Principal Principal // who the token speaks for
	Who       string    // the user's username, else the subject's display name; "" when neither
	// Client is the app ID of the client that requested the token (azp or appid), ClientName its
	// name (AppNames.Name; "(unknown app)" when there is none).
	Client     string
	ClientName string

	Scopes []string // scp
	Roles  []string

	IssuedAt  time.Time // zero when absent
	ExpiresAt time.Time // zero when absent
}

// Summarize returns the summary of t, naming its apps with names.
func Summarize(t *Token, names AppNames) TokenSummary {
	if t == nil {
		return TokenSummary{}
	}
	s := TokenSummary{
		Format: t.Format, Kind: t.Kind, Version: t.Version,
		Audiences: append([]string(nil), t.Audiences...),
		Principal: t.Principal, Who: t.Username,
		Client: t.ClientAppID, ClientName: names.Name(t, t.ClientAppID),
		Scopes: append([]string(nil), t.Scopes...), Roles: append([]string(nil), t.Roles...),
		IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt,
	}
	if s.Who == "" {
		s.Who = t.Name
	}
	if len(t.Audiences) > 0 {
		s.Audience = t.Audiences[0]
		s.AudienceName = names.Name(t, s.Audience)
		s.AudienceKnown = names.Known(t, s.Audience)
	}
	return s
}

// Text says in one line what the token is for: "token for Contoso Agent API, scp
// access_as_user, v2.0". Several audiences are listed by ID.
func (s TokenSummary) Text() string {
	aud := strings.Join(s.Audiences, " ")
	if len(s.Audiences) == 1 {
		aud = s.AudienceName
	}
	if aud == "" {
		aud = "no audience"
	}
	out := "token for " + aud
	switch {
	case len(s.Scopes) > 0:
		out += ", scp " + strings.Join(s.Scopes, " ")
	case len(s.Roles) > 0:
		out += ", roles " + strings.Join(s.Roles, " ")
	default:
		out += ", no scp or roles"
	}
	if s.Version != "" {
		out += ", v" + s.Version
	}
	return out
}
