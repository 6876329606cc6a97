package flows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/pkg/browser"

	"github.com/oboscope/oboscope/inspect"
)

// hopSignin obtains the user token: MSAL device code or browser (auth code + PKCE), a token the
// user brings, or — the app-only case — client credentials.
func (w *Walk) hopSignin(ctx context.Context, h *hopRun) {
	cfg := w.cfg
	flow := cfg.FlowName()
	obs := inspect.SigninObservation{Flow: flow}
	// Later hops use this sign-in's token, or none when it fails: never a stale one.
	w.mu.Lock()
	w.st.userRaw, w.st.user = "", nil
	w.mu.Unlock()
	var raw string
	var err error
	switch flow {
	case FlowToken:
		raw, err = w.readUserToken()
		if err != nil {
			h.fail("signin: " + err.Error())
		}
	case FlowClientCredentials:
		obs.RequestedScopes = cfg.Signin.Scopes
		raw, err = w.signinClientCredentials(ctx, h)
	default:
		obs.RequestedScopes = cfg.Signin.Scopes
		raw, err = w.signinPublic(ctx, h, flow)
	}
	if err != nil && h.res.Err == "" {
		obs.Error = entraErrorFrom(h.rec.snapshot(), err)
		h.fail(describeFailure("signin", err, h.rec.snapshot()))
	}
	var tok *inspect.Token
	if raw != "" {
		tok, err = inspect.DecodeUnverified(raw)
		if err != nil {
			var de *inspect.DecodeError
			if errors.As(err, &de) {
				h.add(de.Finding("signin"))
			}
			h.fail("signin: the token cannot be decoded: " + RedactText(err.Error(), nil))
		}
	}
	obs.Token = tok
	h.add(inspect.AnalyzeSignin(obs)...)
	if tok == nil {
		if h.res.Story == "" {
			h.res.Story = "no user token: " + strings.TrimPrefix(h.res.Err, "signin: ")
		}
		return
	}
	verified, verr := w.verifyIfConfigured(ctx, h, tok, w.agentAudiences())
	h.token(userTokenName(flow, tok), raw, tok, verified, verr)
	h.add(inspect.LintToken(tok, "signin", inspect.Expectations{Now: w.opts.Now()})...)
	w.mu.Lock()
	w.st.userRaw, w.st.user = raw, tok
	w.mu.Unlock()
	h.res.Story = signinStory(tok, flow, w.appNames())
}

// userTokenName names the signin hop's token by what it is: a client-credentials token, another
// app-only token (a token file holding one), or the user's token.
func userTokenName(flow string, t *inspect.Token) string {
	switch {
	case flow == FlowClientCredentials:
		return "client token (app-only)"
	case t != nil && appOnlyToken(t):
		return "app-only token"
	}
	return "user token"
}

// signinStory is the one-line story of the signin hop.
func signinStory(t *inspect.Token, flow string, names map[string]string) string {
	who := t.Username
	if who == "" {
		who = t.Name
	}
	if who == "" && appOnlyToken(t) {
		who = appName(t, t.ClientAppID, names)
		if who == t.ClientAppID {
			who = "app " + who
		}
	}
	if who == "" {
		who = "(unknown principal)"
	}
	client := appName(t, t.ClientAppID, names)
	verb := "signed in to " + client
	switch flow {
	case FlowToken:
		verb = "brought a token issued to " + client
	case FlowClientCredentials:
		verb = "obtained an app-only token"
	}
	return fmt.Sprintf("%s %s; %s", who, verb, tokenSummary(t, names))
}

// tokenSummary says what a token is for: "token for Contoso Agent API, scp access_as_user".
func tokenSummary(t *inspect.Token, names map[string]string) string {
	aud := strings.Join(t.Audiences, " ")
	if len(t.Audiences) == 1 {
		aud = appName(t, t.Audiences[0], names)
	}
	s := "token for " + valueOr(aud, "no audience")
	switch {
	case len(t.Scopes) > 0:
		s += ", scp " + strings.Join(t.Scopes, " ")
	case len(t.Roles) > 0:
		s += ", roles " + strings.Join(t.Roles, " ")
	default:
		s += ", no scp or roles"
	}
	if t.Version != "" {
		s += ", v" + t.Version
	}
	return s
}

func valueOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func appOnlyToken(t *inspect.Token) bool {
	return len(t.Scopes) == 0 && (len(t.Roles) > 0 || t.IsAppOnly())
}

// readUserToken reads signin.token_file ('-' = the walk's stdin).
func (w *Walk) readUserToken() (string, error) {
	var b []byte
	var err error
	if w.cfg.Signin.TokenFile == "-" {
		if w.opts.Stdin == nil {
			return "", errors.New("token_file '-' needs a token on standard input")
		}
		b, err = io.ReadAll(io.LimitReader(w.opts.Stdin, 1<<20))
	} else {
		b, err = os.ReadFile(w.cfg.Signin.TokenFile)
	}
	if err != nil {
		return "", fmt.Errorf("reading the token: %w", err)
	}
	raw := strings.TrimSpace(string(b))
	raw = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(raw, "Bearer "), "bearer "))
	if raw == "" {
		return "", errors.New("the token file is empty")
	}
	// Send exactly the token that is decoded (quotes, line wraps, URL encoding, an
	// "Authorization: Bearer" prefix removed); what cannot be cleaned is left for the decoder to
	// explain (a JSON token response is refused there, never sent).
	if clean, err := inspect.NormalizeToken(raw); err == nil && clean != "" {
		raw = clean
	}
	return raw, nil
}

// instanceDiscovery is on for a real Entra authority and off for a loopback (sandbox) one.
func (w *Walk) instanceDiscovery() bool { return !w.cfg.IsSandboxAuthority() }

func (w *Walk) signinPublic(ctx context.Context, h *hopRun, flow string) (string, error) {
	app, err := public.New(w.cfg.Signin.ClientID,
		public.WithAuthority(w.cfg.Authority()),
		public.WithHTTPClient(h.client),
		public.WithInstanceDiscovery(w.instanceDiscovery()))
	if err != nil {
		return "", fmt.Errorf("MSAL public client: %w", err)
	}
	if flow == FlowBrowser {
		h.rec.setLabel("authorization code + PKCE")
		open := w.opts.OpenURL
		if open == nil {
			open = browser.OpenURL
		}
		// When no browser can be opened (no xdg-open on a server), the person opens the URL
		// themselves: it is shown like a device code, and MSAL keeps waiting for the redirect.
		opts := []public.AcquireInteractiveOption{public.WithOpenURL(func(u string) error {
			if err := open(u); err != nil {
				msg := fmt.Sprintf("signin: could not open a browser (%s); open this URL yourself: %s — or use flow: device_code", shortCause(err), u)
				h.em.send(Event{Kind: EventDeviceCode, Hop: h.id, DeviceCode: &DeviceCode{VerificationURL: u, Message: msg}})
			}
			return nil
		})}
		if h.claims != "" {
			opts = append(opts, public.WithClaims(h.claims))
		}
		res, err := app.AcquireTokenInteractive(ctx, w.cfg.Signin.Scopes, opts...)
		if err != nil {
			return "", err
		}
		return res.AccessToken, nil
	}
	h.rec.setLabel("device code")
	var dopts []public.AcquireByDeviceCodeOption
	if h.claims != "" {
		dopts = append(dopts, public.WithClaims(h.claims))
	}
	dc, err := app.AcquireTokenByDeviceCode(ctx, w.cfg.Signin.Scopes, dopts...)
	if err != nil {
		return "", err
	}
	h.em.send(Event{Kind: EventDeviceCode, Hop: HopSignin, DeviceCode: &DeviceCode{
		UserCode:        dc.Result.UserCode,
		VerificationURL: dc.Result.VerificationURL,
		Message:         dc.Result.Message,
		ExpiresAt:       dc.Result.ExpiresOn,
		AutoApproved:    w.opts.AutoApproved,
	}})
	h.rec.setLabel("device code token poll")
	res, err := dc.AuthenticationResult(ctx)
	if err != nil {
		return "", err
	}
	return res.AccessToken, nil
}

func (w *Walk) signinClientCredentials(ctx context.Context, h *hopRun) (string, error) {
	secret, err := w.cfg.readSecret(w.cfg.Signin.ClientSecret, w.cfg.Signin.ClientSecretEnv, w.cfg.Signin.ClientSecretFile)
	if err != nil {
		return "", fmt.Errorf("client secret: %w", err)
	}
	cred, err := confidential.NewCredFromSecret(secret)
	if err != nil {
		return "", fmt.Errorf("client secret: %w", err)
	}
	app, err := confidential.New(w.cfg.Authority(), w.cfg.Signin.ClientID, cred,
		confidential.WithHTTPClient(h.client), confidential.WithInstanceDiscovery(w.instanceDiscovery()))
	if err != nil {
		return "", fmt.Errorf("MSAL confidential client: %w", err)
	}
	h.rec.setLabel("client credentials")
	res, err := app.AcquireTokenByCredential(ctx, w.cfg.Signin.Scopes)
	if err != nil {
		return "", err
	}
	return res.AccessToken, nil
}

// agentAudiences are the audiences a token for the agent API may carry.
func (w *Walk) agentAudiences() []string {
	if w.cfg.AgentKind() == AgentKindFoundry {
		return nonEmpty(FoundryAudience, w.cfg.Agent.ClientID, w.cfg.Agent.AppIDURI)
	}
	return nonEmpty(w.cfg.Agent.ClientID, w.cfg.Agent.AppIDURI)
}

// mcpAudiences are the audiences a token for the MCP server may carry.
func (w *Walk) mcpAudiences() []string { return nonEmpty(w.cfg.MCP.ClientID, w.cfg.MCP.AppIDURI) }

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// appName names an app ID or App ID URI: its configured display name, else its well-known name
// (Microsoft Graph), else its role in the configuration with the ID ("the agent API (…)"), else
// the ID itself.
func appName(t *inspect.Token, id string, names map[string]string) string {
	if id == "" {
		return "(unknown app)"
	}
	n := names[strings.ToLower(id)]
	if n != "" && !strings.HasPrefix(n, "the ") {
		return n
	}
	if wk := t.AppName(id); wk != "" && wk != id {
		return wk
	}
	if n != "" {
		return n + " (" + id + ")"
	}
	return id
}

// appNames maps the configuration's app IDs and App ID URIs to their display names, or to their
// roles ("the agent API") when no display name is configured.
func (w *Walk) appNames() map[string]string {
	c := w.cfg
	m := map[string]string{}
	set := func(display, role string, ids ...string) {
		name := display
		if name == "" {
			name = role
		}
		for _, id := range ids {
			if id != "" {
				m[strings.ToLower(id)] = name
			}
		}
	}
	set(c.MCP.DisplayName, "the MCP server", c.MCP.ClientID, c.MCP.AppIDURI)
	set(c.Agent.DisplayName, "the agent API", c.Agent.ClientID, c.Agent.AppIDURI)
	if c.OBO.BlueprintClientID != "" {
		display := ""
		if strings.EqualFold(c.OBO.BlueprintClientID, c.Agent.ClientID) {
			display = c.Agent.DisplayName // the agent API is the blueprint: one app, one name
		}
		set(display, "the agent blueprint", c.OBO.BlueprintClientID, "api://"+c.OBO.BlueprintClientID)
	}
	if c.OBO.AgentIdentityID != "" {
		set(c.OBO.DisplayName, "the agent identity", c.OBO.AgentIdentityID)
	} else if c.OBO.DisplayName != "" && !strings.EqualFold(c.OBO.ClientID, c.Agent.ClientID) {
		set(c.OBO.DisplayName, "the middle tier", c.OBO.ClientID)
	}
	set(c.Signin.DisplayName, "the client app", c.Signin.ClientID)
	return m
}
