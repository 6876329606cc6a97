package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/oboscope/oboscope/inspect"
)

// metadataOut is what the metadata hop hands on: the Protected Resource Metadata found, the
// authorization server a client uses and its metadata, whether the spec client can go on with
// them, and where oboscope's client reads Entra's metadata leniently to go on anyway.
type metadataOut struct {
	prm   *inspect.ResourceMetadata // the metadata found (nil when none)
	asURL string                    // the authorization server the client uses
	as    *inspect.ASMetadata       // its metadata (nil when none was found)
	// lenientPKCE and lenientIssuer are set when the spec client refused Entra's metadata only
	// for lacking code_challenge_methods_supported, or for its tenant template issuer: the
	// sign-in then reads it as lenient clients do (lenientMetadata).
	lenientPKCE, lenientIssuer bool
	usable                     bool   // a client can sign in with what was found
	why                        string // why it cannot
}

// metadataObs is what the metadata hop observed.
type metadataObs struct {
	inspect.MCPMetadataObservation
	ran bool
}

// prmCandidate is a URL where a client looks for Protected Resource Metadata, with the resource
// the metadata found there must name (RFC 9728 §3.3).
type prmCandidate struct{ url, resource string }

// prmCandidates are the URLs the MCP go-sdk tries, in its order (auth.protectedResourceMetadataURLs):
// the challenge's resource_metadata, the well-known URL with the server's path, the root one.
func prmCandidates(challenge, serverURL string) []prmCandidate {
	var out []prmCandidate
	if c, ok := inspect.ParseBearerChallenge(challenge); ok && c.Param("resource_metadata") != "" {
		out = append(out, prmCandidate{c.Param("resource_metadata"), serverURL})
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return out
	}
	m := *u
	m.Path, m.RawPath = "/.well-known/oauth-protected-resource/"+strings.TrimLeft(u.Path, "/"), ""
	out = append(out, prmCandidate{m.String(), serverURL})
	m.Path = "/.well-known/oauth-protected-resource"
	root := *u
	root.Path, root.RawPath = "", ""
	return append(out, prmCandidate{m.String(), root.String()})
}

// observeMetadata looks for the metadata as the MCP go-sdk's client authorization does, with its
// own functions (oauthex.GetProtectedResourceMetadata, auth.GetAuthServerMetadata): every URL
// tried is recorded, the SDK's verdict kept, and the documents read for the rules.
func observeMetadata(ctx context.Context, h *hopRun, probe probeOut) (metadataObs, metadataOut) {
	obs := metadataObs{MCPMetadataObservation: inspect.MCPMetadataObservation{URL: h.cfg.MCP.URL, ProbeStatus: probe.status, ProbeWWWAuthenticate: probe.challenge()}}
	var out metadataOut
	switch {
	case probe.unreachable != "":
		h.skip("skipped: " + probe.unreachable + " (see the probe hop)")
		return obs, out
	case probe.answered:
		h.skip("skipped: the MCP server answered without a token, so a client looks for no metadata")
		return obs, out
	}
	obs.ran = true
	capture := &getCapture{}
	client := withTransport(withTransport(h.client, capture.wrap), labelTransport(h, "metadata", ""))

	var accepted *oauthex.ProtectedResourceMetadata
	for _, c := range prmCandidates(probe.challenge(), h.cfg.MCP.URL) {
		if !sendable(c.url) {
			continue
		}
		before := len(capture.all())
		prm, err := oauthex.GetProtectedResourceMetadata(ctx, c.url, c.resource, client)
		outcome := "no answer"
		for _, g := range capture.all()[before:] {
			outcome = fmt.Sprint(g.status)
			if g.err != "" {
				outcome = g.err
			}
			var doc inspect.ResourceMetadata
			if g.status == 200 && json.Unmarshal(g.body, &doc) == nil && doc.Resource != "" {
				if obs.PRM == nil {
					obs.PRM, obs.PRMURL = &doc, c.url
				}
				if doc.Resource != c.resource {
					outcome = fmt.Sprintf("200, resource %s, not %s", doc.Resource, c.resource)
				}
			} else if g.status == 200 {
				outcome = "200, no metadata"
			}
		}
		obs.PRMTried = append(obs.PRMTried, c.url+" ("+outcome+")")
		if err == nil && prm != nil {
			accepted = prm
			break
		}
	}
	out.prm = obs.PRM
	switch {
	case accepted == nil:
		out.why = "the MCP Go SDK found no protected resource metadata naming this server's URL (it would fall back to the server's root as its authorization server, MCP 2025-03-26)"
	case len(accepted.AuthorizationServers) == 0:
		out.why = "the protected resource metadata names no authorization server"
	default:
		out.asURL = accepted.AuthorizationServers[0]
		observeASMetadata(ctx, client, capture, &obs, &out)
	}
	if !out.usable && out.why != "" && len(obs.PRMTried) > 0 {
		h.fail("metadata: " + out.why)
	}
	h.res.Story = metadataStory(obs, out)
	return obs, out
}

// observeASMetadata fetches the authorization server's metadata with the SDK's own function and
// reads what it answered at each URL (RFC 8414 inserted, OpenID Connect inserted and appended).
func observeASMetadata(ctx context.Context, client *http.Client, capture *getCapture, obs *metadataObs, out *metadataOut) {
	obs.AuthorizationServer = out.asURL
	if !sendable(out.asURL) {
		out.why = fmt.Sprintf("the authorization server %s is not https", out.asURL)
		return
	}
	before := len(capture.all())
	asm, err := auth.GetAuthServerMetadata(ctx, out.asURL, client)
	for _, g := range capture.all()[before:] {
		obs.Attempts = append(obs.Attempts, inspect.MetadataAttempt{URL: g.url, OIDC: strings.Contains(g.url, "openid-configuration"), Status: g.status, Err: g.err})
		var doc inspect.ASMetadata
		if g.status == 200 && json.Unmarshal(g.body, &doc) == nil && (doc.Issuer != "" || doc.TokenEndpoint != "") {
			obs.AS, obs.ASURL = &doc, g.url
		}
	}
	out.as = obs.AS
	if err != nil {
		obs.ClientRefusal = RedactText(err.Error(), nil)
	}
	as := obs.AS
	switch {
	case as == nil && err == nil && asm == nil:
		out.why = fmt.Sprintf("no authorization server metadata for %s at any URL a client tries", out.asURL)
	case as == nil:
		out.why = "the authorization server's metadata could not be read: " + obs.ClientRefusal
	case err == nil:
		out.usable = true
	default:
		out.lenientPKCE = !slices.ContainsFunc(as.CodeChallengeMethodsSupported, func(m string) bool { return strings.EqualFold(m, "S256") })
		out.lenientIssuer = inspect.IsTenantTemplateIssuer(as.Issuer, out.asURL)
		sameIssuer := strings.TrimSuffix(as.Issuer, "/") == strings.TrimSuffix(out.asURL, "/")
		if sameIssuer || out.lenientIssuer {
			out.usable = true
		} else {
			out.why = fmt.Sprintf("the authorization server's metadata names the issuer %s, not %s: spec clients refuse it", as.Issuer, out.asURL)
		}
	}
}

// analyzeMetadata applies the discovery rules.
func analyzeMetadata(obs metadataObs) []inspect.Finding {
	if !obs.ran {
		return nil
	}
	return inspect.AnalyzeMCPMetadata(obs.MCPMetadataObservation)
}

// metadataStory tells where the metadata was and what the spec client made of it.
func metadataStory(obs metadataObs, out metadataOut) string {
	var parts []string
	if p := obs.PRM; p != nil {
		s := "resource metadata at " + prmPath(obs.PRMURL) + ": resource " + p.Resource
		if len(p.ScopesSupported) > 0 {
			s += ", scopes " + strings.Join(p.ScopesSupported, " ")
		}
		if len(p.AuthorizationServers) > 0 {
			s += ", authorization server " + strings.Join(p.AuthorizationServers, ", ")
		}
		parts = append(parts, s)
	} else {
		parts = append(parts, "no resource metadata ("+strings.Join(obs.PRMTried, ", ")+")")
	}
	if obs.AS != nil {
		var not []string
		for _, a := range obs.Attempts {
			if a.URL != obs.ASURL && a.Status != 200 {
				not = append(not, fmt.Sprintf("%s: %d", prmPath(a.URL), a.Status))
			}
		}
		s := "authorization server metadata at " + prmPath(obs.ASURL)
		if len(not) > 0 {
			s += " (not at " + strings.Join(not, ", ") + ")"
		}
		parts = append(parts, s)
	}
	if obs.ClientRefusal != "" {
		s := "the MCP Go SDK refuses it: " + oneLine(obs.ClientRefusal)
		if out.usable {
			s += " — oboscope's client reads it as lenient clients do and goes on"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// aboutMetadata says what the metadata hop does, for the step-by-step view.
func aboutMetadata(Config) string {
	return "The client reads the Protected Resource Metadata (the challenge's URL, then the well-known paths) and its authorization server's metadata (RFC 8414, then OpenID discovery), as the MCP Go SDK does: every attempt is shown."
}
