package inspect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// TextExplanation is what ExplainText recognised in a pasted text: the kinds of thing it found
// (entra-error, msal-node, www-authenticate, token, prm …), the AADSTS codes named, and the
// findings that explain them, with cause and fix.
type TextExplanation struct {
	Recognised []string
	AADSTS     []int
	Findings   []Finding
}

// Kinds of pasted text ExplainText recognises.
const (
	KindEntraError      = "entra-error"
	KindLogLine         = "log-line"
	KindWWWAuthenticate = "www-authenticate"
	KindHTTPResponse    = "http-response"
	KindTokenText       = "token"
	KindPRM             = "prm"
	KindASMetadata      = "as-metadata"
)

// msalKinds name the MSAL (and ADAL) exception texts by what marks them, most specific first.
var msalKinds = []struct {
	kind string
	re   *regexp.Regexp
}{
	{"msal-java", regexp.MustCompile(`com\.microsoft\.aad\.msal4j\.|Msal(InteractionRequired|Service)Exception: AADSTS`)},
	{"adal-dotnet", regexp.MustCompile(`AdalServiceException`)},
	{"msal-dotnet", regexp.MustCompile(`Microsoft\.Identity\.Client\.|MsalUiRequiredException|MsalServiceException`)},
	{"msal-node", regexp.MustCompile(`ServerError: |InteractionRequiredAuthError|errorMessage: ["']Error\(s\)|Error\(s\): \d+ - Timestamp`)},
	{"msal-go", regexp.MustCompile(`reply status code was \d{3}|http call\(`)},
	{"msal-python", regexp.MustCompile(`'error_description':\s*'|'error':\s*'`)},
}

var (
	reJWT        = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?`)
	reHTTPStatus = regexp.MustCompile(`(?m)^\s*HTTP/[0-9.]+ (\d{3})`)
	reWWWAuth    = regexp.MustCompile(`(?im)^\s*www-authenticate:\s*(.+?)\s*$`)
	reOAuthError = regexp.MustCompile(`\b(invalid_grant|invalid_client|invalid_request|interaction_required|invalid_target|unauthorized_client|invalid_scope|unsupported_grant_type|invalid_resource|consent_required|login_required|temporarily_unavailable)\b`)
	reSuberror   = regexp.MustCompile(`suberror['"]?\s*[:=]\s*['"]?(\w+)`)
	rePyField    = regexp.MustCompile(`'(error|error_description|suberror|claims)':\s*'((?:[^'\\]|\\.)*)'`)
	// noAssertion are the words hosts and SDKs use when a middle tier has no user token to
	// exchange: Foundry hosted agents log "ARA OBO token request failed with status BadRequest"
	// (Azure/azure-sdk-for-python#46696).
	// rePRMResource is an MCP client refusing metadata whose resource is not the server URL
	// (VS Code: microsoft/vscode#259251, modelcontextprotocol/python-sdk#1264).
	rePRMResource = regexp.MustCompile(`(?i)protected resource(?: metadata resource)? "?([^"\s]+?)"? does not match (?:the )?(?:expected|MCP server resolved resource) "?([^"\s]+?)"?(?:[.\s]|$)`)
	noAssertion   = regexp.MustCompile(`(?i)ARA OBO token request failed|no user assertion|user assertion (is )?(missing|required|not found)|without a user assertion`)
)

// ExplainText recognises what a person pasted — a log line, an Entra error body, an MSAL exception
// as MSAL for Go, Python, Node, .NET or Java prints it, an HTTP response with WWW-Authenticate, a
// WWW-Authenticate value alone, a token, Protected Resource Metadata or authorization server
// metadata — and names the findings that explain it. now judges a pasted token's times.
func ExplainText(text string, now time.Time) TextExplanation {
	var x TextExplanation
	t := strings.TrimSpace(text)
	if t == "" {
		return x
	}
	for _, m := range msalKinds {
		if m.re.MatchString(t) {
			x.recognise(m.kind)
			break
		}
	}
	x.httpResponse(t)
	x.document(t)
	x.entraText(t)
	if m := rePRMResource.FindStringSubmatch(t); m != nil {
		x.recognise(KindLogLine)
		f := NewFinding("mcp.prm-resource-mismatch", "explain",
			fmt.Sprintf("the MCP client refused the metadata: its resource is %q, the server URL it resolved is %q", m[1], m[2]), nil)
		if anaSameRoot(m[1], m[2]) {
			f.Severity = SeverityWarning
		}
		x.add(f)
	}
	if noAssertion.MatchString(t) {
		x.recognise(KindLogLine)
		x.add(NewFinding("obo.no-user-assertion", "explain",
			"the text says the middle tier had no user assertion to exchange: no user token reached it, or the caller is not a user", nil))
	}
	if m := reJWT.FindString(t); m != "" {
		if tok, err := DecodeUnverified(m); err == nil {
			x.recognise(KindTokenText)
			x.add(LintToken(tok, "token", Expectations{Now: now, AllowIDToken: true})...)
		}
	}
	return x
}

// SaysNoUserAssertion reports whether a component's words say the middle tier had no user token
// to exchange ("ARA OBO token request failed", "no user assertion" …).
func SaysNoUserAssertion(text string) bool { return noAssertion.MatchString(text) }

func (x *TextExplanation) recognise(kind string) {
	for _, k := range x.Recognised {
		if k == kind {
			return
		}
	}
	x.Recognised = append(x.Recognised, kind)
}

func (x *TextExplanation) add(fs ...Finding) { x.Findings = anaAddOnce(x.Findings, fs...) }

func (x *TextExplanation) codes(cs ...int) {
	for _, c := range cs {
		if !containsInt(x.AADSTS, c) {
			x.AADSTS = append(x.AADSTS, c)
		}
	}
}

// httpResponse reads an HTTP response's status line and WWW-Authenticate header, or a
// WWW-Authenticate value pasted alone.
func (x *TextExplanation) httpResponse(t string) {
	status := 0
	if m := reHTTPStatus.FindStringSubmatch(t); m != nil {
		status, _ = strconv.Atoi(m[1])
		x.recognise(KindHTTPResponse)
	}
	header := ""
	if loc := reWWWAuth.FindStringSubmatchIndex(t); loc != nil {
		header = t[loc[2]:loc[3]]
		// A header folded over several lines (continuation lines start with white space).
		for _, line := range strings.Split(t[loc[1]:], "\n")[1:] {
			if line == "" || (line[0] != ' ' && line[0] != '\t') {
				break
			}
			header += " " + strings.TrimSpace(line)
		}
	} else if first := anaFirstLine(t); len(first) > 7 && strings.EqualFold(first[:7], "bearer ") && strings.Contains(first, "=") {
		header = first
	}
	if header != "" {
		x.recognise(KindWWWAuthenticate)
		x.challenge(header, status)
	} else if status == 401 {
		x.add(NewFinding("agent.no-challenge", "explain", "the response is 401 without a WWW-Authenticate header: a client cannot tell what to do", nil),
			NewFinding("mcp.no-www-authenticate", "explain", "for an MCP server: a 401 must carry WWW-Authenticate: Bearer resource_metadata=\"…\"", nil))
	}
}

// challenge explains a Bearer challenge: a relayed claims challenge, a missing resource_metadata,
// and what its error and error_description say of the token.
func (x *TextExplanation) challenge(header string, status int) {
	c, ok := ParseBearerChallenge(header)
	if !ok {
		return
	}
	if IsClaimsChallenge(header) {
		detail := "the API relays a claims challenge: sign in again with these claims (MSAL WithClaims)"
		if req := ClaimsRequirement(ChallengeClaims(header), nil); req != "" {
			detail += " — it asks for " + req
		}
		x.add(NewFinding("obo.claims-challenge", "explain", detail, nil))
		return
	}
	desc := strings.ToLower(c.Param("error_description"))
	switch errCode := strings.ToLower(c.Param("error")); {
	case errCode == "insufficient_scope":
		x.add(NewFinding("token.missing-scope", "explain", fmt.Sprintf("the server needs scope %s, which the token lacks", anaOrNone(c.Param("scope"))), nil))
	case errCode == "invalid_token" && strings.Contains(desc, "aud"):
		x.add(NewFinding("token.unexpected-audience", "explain", "the server refused the token's audience: "+c.Param("error_description"), nil))
	case errCode == "invalid_token" && (strings.Contains(desc, "expired") || strings.Contains(desc, "lifetime") || strings.Contains(desc, "\"exp\"")):
		x.add(NewFinding("token.expired", "explain", "the server refused the token as expired: "+c.Param("error_description"), nil))
	case errCode == "invalid_token" && strings.Contains(desc, "signature"):
		x.add(NewFinding("token.signature-invalid", "explain", "the server could not verify the token's signature: "+c.Param("error_description"), nil))
	case errCode == "invalid_token" && (strings.Contains(desc, "key") || strings.Contains(desc, "kid")):
		x.add(NewFinding("token.kid-unknown", "explain", "the server found no key for the token: "+c.Param("error_description"), nil))
	case errCode == "invalid_token" && (strings.Contains(desc, "iss") || strings.Contains(desc, "issuer")):
		x.add(NewFinding("token.version-mismatch", "explain", "the server refused the token's issuer, typically v1 (https://sts.windows.net/{tid}/) against a v2 validator or the reverse: "+c.Param("error_description"), nil))
	}
	if c.Param("resource_metadata") == "" && (status == 0 || status == 401) {
		x.add(NewFinding("mcp.no-www-authenticate", "explain",
			"the challenge names no resource_metadata: MCP clients of the 2025-06-18 specification cannot find the server's Protected Resource Metadata (those of 2025-11-25 try the well-known URLs)", nil))
	}
}

// document reads a JSON document in the text: an Entra error, PRM or authorization server metadata.
func (x *TextExplanation) document(t string) {
	i := strings.IndexByte(t, '{')
	if i < 0 {
		return
	}
	var raw map[string]json.RawMessage
	if json.NewDecoder(bytes.NewReader([]byte(t[i:]))).Decode(&raw) != nil {
		return
	}
	_, hasRes := raw["resource"]
	_, hasAS := raw["authorization_servers"]
	_, hasScopes := raw["scopes_supported"]
	_, hasIssuer := raw["issuer"]
	_, hasAuthz := raw["authorization_endpoint"]
	_, hasToken := raw["token_endpoint"]
	switch {
	case hasRes && (hasAS || hasScopes):
		var prm ResourceMetadata
		if json.Unmarshal([]byte(t[i:]), &prm) == nil || prm.Resource != "" {
			x.recognise(KindPRM)
			x.prm(&prm)
		}
	case hasIssuer && (hasAuthz || hasToken):
		x.recognise(KindASMetadata)
		x.asMetadata(raw)
	default:
		if e, err := ParseEntraError([]byte(t[i:])); err == nil {
			x.recognise(KindEntraError)
			x.entra(e)
		}
	}
}

// prm applies the metadata rules to pasted Protected Resource Metadata.
func (x *TextExplanation) prm(p *ResourceMetadata) {
	c := newMCPContext(MCPObservation{URL: p.Resource, PRM: p}, MCPExpectations{})
	var fs []Finding
	for _, rule := range []func(*mcpContext, []Finding) []Finding{mcpPRMScopesRule, mcpPRMResourceScopeRule, mcpPRMNoScopesRule} {
		fs = rule(c, fs)
	}
	for _, as := range p.AuthorizationServers {
		if strings.Contains(as, "sts.windows.net") || (strings.Contains(as, "login.microsoftonline.com") && !strings.HasSuffix(strings.TrimSuffix(as, "/"), "/v2.0")) {
			fs = append(fs, NewFinding("mcp.prm-issuer-mismatch", "explain",
				fmt.Sprintf("authorization_servers lists %s: its metadata names the v1 issuer (https://sts.windows.net/{tid}/), while the v2 tokens clients get carry https://login.microsoftonline.com/{tid}/v2.0", as), nil))
		}
	}
	for i := range fs {
		fs[i].Hop = "explain"
	}
	x.add(fs...)
}

// asMetadata explains pasted authorization server metadata: Entra's offers no dynamic client
// registration, and its issuer's form tells the token version.
func (x *TextExplanation) asMetadata(raw map[string]json.RawMessage) {
	if _, ok := raw["registration_endpoint"]; !ok {
		x.add(NewFinding("mcp.as-no-registration", "explain",
			"the metadata has no registration_endpoint (Entra offers no dynamic client registration): MCP clients need a pre-registered client id", nil))
	}
}

// entra explains an Entra error.
func (x *TextExplanation) entra(e *EntraError) {
	x.codes(e.Codes...)
	x.add(DiagnoseEntraError(e)...)
}

// entraText reads an Entra error out of text that is not its JSON: a log line, an MSAL exception,
// Python's dict, an authorize redirect's query.
func (x *TextExplanation) entraText(t string) {
	codes := AADSTSCodesIn(t)
	if len(codes) == 0 {
		return
	}
	x.codes(codes...)
	for _, c := range codes {
		if containsInt(x.seenCodes(), c) {
			return // the JSON document already explained them
		}
	}
	e := &EntraError{Codes: codes, Description: t[strings.Index(t, "AADSTS"):]}
	if m := rePyField.FindAllStringSubmatch(t, -1); m != nil {
		for _, f := range m {
			switch f[1] {
			case "error":
				e.Err = f[2]
			case "error_description":
				e.Description = f[2]
			case "suberror":
				e.Suberror = f[2]
			case "claims":
				e.Claims = strings.ReplaceAll(f[2], `\"`, `"`)
			}
		}
	}
	if e.Err == "" {
		e.Err = reOAuthError.FindString(t)
	}
	if m := reSuberror.FindStringSubmatch(t); m != nil && e.Suberror == "" {
		e.Suberror = m[1]
	}
	if e.Claims == "" {
		e.Claims = claimsIn(t)
	}
	if len(x.Recognised) == 0 || (len(x.Recognised) == 1 && x.Recognised[0] == KindHTTPResponse) {
		x.recognise(KindLogLine)
	}
	x.add(DiagnoseEntraError(e)...)
}

// seenCodes are the codes of the findings already explained from a JSON document.
func (x *TextExplanation) seenCodes() []int {
	var out []int
	for _, f := range x.Findings {
		if f.AADSTS != 0 {
			out = append(out, f.AADSTS)
		}
	}
	return out
}

// claimsIn finds a claims challenge in text: a JSON object starting {"access_token" or
// {"id_token", possibly with its quotes escaped.
func claimsIn(t string) string {
	s := strings.ReplaceAll(t, `\"`, `"`)
	for _, start := range []string{`{"access_token"`, `{"id_token"`} {
		i := strings.Index(s, start)
		if i < 0 {
			continue
		}
		var v json.RawMessage
		if json.NewDecoder(strings.NewReader(s[i:])).Decode(&v) == nil {
			return string(v)
		}
	}
	return ""
}
