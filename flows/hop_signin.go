package flows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/pkg/browser"

	"github.com/oboscope/oboscope/inspect"
)

// signinOut is what the signin hop hands on: the user's token (or an app-only one), none when
// sign-in failed — never a stale one.
type signinOut struct {
	user heldToken
}

// signinObs is what the signin hop observed.
type signinObs struct {
	inspect.SigninObservation
	decodeErr error // the token obtained cannot be decoded
	verifyErr error // its signature failed verification against the issuer's keys
}

// observeSignin obtains the user token: MSAL device code or browser (auth code + PKCE), a token the
// user brings, or — the app-only case — client credentials.
func observeSignin(ctx context.Context, h *hopRun) (signinObs, signinOut) {
	cfg := h.cfg
	flow := cfg.FlowName()
	obs := signinObs{SigninObservation: inspect.SigninObservation{Flow: flow}}
	var raw string
	var err error
	switch flow {
	case FlowToken:
		raw, err = readUserToken(ctx, cfg, h.opts.Stdin)
		if err != nil {
			h.fail("signin: " + err.Error())
		}
	case FlowClientCredentials:
		obs.RequestedScopes = cfg.Signin.Scopes
		raw, err = signinClientCredentials(ctx, h)
	default:
		obs.RequestedScopes = cfg.Signin.Scopes
		raw, err = signinPublic(ctx, h, flow)
	}
	if err != nil && h.res.Err == "" {
		obs.Error = entraErrorFrom(h.rec.snapshot(), err)
		h.fail(describeFailure("signin", err, h.rec.snapshot()))
	}
	var tok *inspect.Token
	if raw != "" {
		tok, obs.decodeErr = h.decodeObtained(raw, "token")
	}
	obs.Token = tok
	if tok == nil {
		if h.res.Story == "" {
			h.res.Story = "no user token: " + strings.TrimPrefix(h.res.Err, "signin: ")
		}
		return obs, signinOut{}
	}
	user, verr := h.holdObtained(ctx, NamedToken{Name: userTokenName(flow, tok), Raw: raw, Token: tok}, agentAudiences(cfg))
	obs.verifyErr = verr
	h.res.Story = signinStory(tok, flow, h.names)
	return obs, signinOut{user: user}
}

// analyzeSignin applies the signin rules and lints the token obtained.
func analyzeSignin(h *hopRun, obs signinObs) []inspect.Finding {
	return signinFindings(h, obs.decodeErr, obs.verifyErr, obs.Token, inspect.AnalyzeSignin(obs.SigninObservation))
}

// signinFindings are what a sign-in of either chain observed about the token it obtained, around
// the chain's own sign-in rules: a token that cannot be decoded, the rules' findings, a signature
// that failed against the issuer's keys, and the token's lint.
func signinFindings(h *hopRun, decodeErr, verifyErr error, tok *inspect.Token, rules []inspect.Finding) []inspect.Finding {
	var fs []inspect.Finding
	if decodeErr != nil {
		fs = append(fs, inspect.MalformedTokenFinding("signin", decodeErr))
	}
	fs = append(fs, rules...)
	if f, ok := inspect.SignatureFinding(verifyErr, "signin"); ok {
		fs = append(fs, f)
	}
	if tok != nil {
		fs = append(fs, inspect.LintToken(tok, "signin", inspect.Expectations{Now: h.now()})...)
	}
	return fs
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
func signinStory(t *inspect.Token, flow string, names inspect.AppNames) string {
	who := t.Username
	if who == "" {
		who = t.Name
	}
	if who == "" && appOnlyToken(t) {
		who = names.Name(t, t.ClientAppID)
		if who == t.ClientAppID {
			who = "app " + who
		}
	}
	if who == "" {
		who = "(unknown principal)"
	}
	client := names.Name(t, t.ClientAppID)
	verb := "signed in to " + client
	switch flow {
	case FlowToken:
		verb = "brought a token issued to " + client
	case FlowClientCredentials:
		verb = "obtained an app-only token"
	}
	return fmt.Sprintf("%s %s; %s", who, verb, inspect.Summarize(t, names).Text())
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

// readUserToken reads signin.token_file ('-' = the walk's stdin): a regular file (or standard
// input) of at most MaxInputFile bytes; the read stops when ctx is cancelled.
func readUserToken(ctx context.Context, cfg Config, stdin io.Reader) (string, error) {
	var b []byte
	var err error
	if cfg.Signin.TokenFile == "-" {
		if stdin == nil {
			return "", errors.New("token_file '-' needs a token on standard input")
		}
		b, err = readAllContext(ctx, stdin, MaxInputFile)
		if errors.Is(err, errTooLarge) {
			err = fmt.Errorf("standard input holds more than %s: not a token", byteSize(MaxInputFile))
		}
	} else {
		b, err = ReadInputFile(ctx, cfg.Signin.TokenFile, MaxInputFile)
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
func (c Config) instanceDiscovery() bool { return !c.IsSandboxAuthority() }

func signinPublic(ctx context.Context, h *hopRun, flow string) (string, error) {
	cfg := h.cfg
	app, err := public.New(cfg.Signin.ClientID,
		public.WithAuthority(cfg.Authority()),
		public.WithHTTPClient(h.client),
		public.WithInstanceDiscovery(cfg.instanceDiscovery()))
	if err != nil {
		return "", fmt.Errorf("MSAL public client: %w", err)
	}
	if flow == FlowBrowser {
		h.rec.setLabel("authorization code + PKCE")
		open := h.opts.OpenURL
		if open == nil {
			open = browser.OpenURL
		}
		// When no browser can be opened (no xdg-open on a server), the person opens the URL
		// themselves: it is shown like a device code, and MSAL keeps waiting for the redirect.
		opts := []public.AcquireInteractiveOption{public.WithOpenURL(func(u string) error {
			// The URL comes from the authority's discovery document: only the authority's own
			// https sign-in page is opened (file:, javascript:, ms-msdt: or a remote http page
			// never reach the browser).
			if err := CheckBrowserURL(cfg, u); err != nil {
				h.rec.refuse(u, "the browser sign-in (authorization request)", "authorization code + PKCE")
				h.fail("signin: " + err.Error())
				return err
			}
			if err := open(u); err != nil {
				msg := fmt.Sprintf("signin: could not open a browser (%s); open this URL yourself: %s — or use flow: device_code", shortCause(err), u)
				h.em.send(Event{Kind: EventDeviceCode, Hop: h.id, DeviceCode: &DeviceCode{VerificationURL: u, Message: msg}})
			}
			return nil
		})}
		if h.claims != "" {
			opts = append(opts, public.WithClaims(h.claims))
		}
		// The person signs in at their pace: the walk's deadline waits.
		h.deadline.pause()
		res, err := app.AcquireTokenInteractive(ctx, cfg.Signin.Scopes, opts...)
		h.deadline.resume()
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
	dc, err := app.AcquireTokenByDeviceCode(ctx, cfg.Signin.Scopes, dopts...)
	if err != nil {
		return "", err
	}
	h.em.send(Event{Kind: EventDeviceCode, Hop: HopSignin, DeviceCode: &DeviceCode{
		UserCode:        dc.Result.UserCode,
		VerificationURL: dc.Result.VerificationURL,
		Message:         dc.Result.Message,
		ExpiresAt:       dc.Result.ExpiresOn,
		AutoApproved:    h.opts.AutoApproved,
	}})
	h.rec.setLabel("device code token poll")
	if !h.opts.AutoApproved {
		// A person approves the code at their pace: the walk's deadline waits (the code's own
		// expiry bounds the wait).
		h.deadline.pause()
		defer h.deadline.resume()
	}
	res, err := dc.AuthenticationResult(ctx)
	if err != nil {
		return "", err
	}
	return res.AccessToken, nil
}

func signinClientCredentials(ctx context.Context, h *hopRun) (string, error) {
	cfg := h.cfg
	secret, err := cfg.readSecret(cfg.Signin.ClientSecret, cfg.Signin.ClientSecretEnv, cfg.Signin.ClientSecretFile)
	if err != nil {
		return "", fmt.Errorf("client secret: %w", err)
	}
	cred, err := confidential.NewCredFromSecret(secret)
	if err != nil {
		return "", fmt.Errorf("client secret: %w", err)
	}
	app, err := confidential.New(cfg.Authority(), cfg.Signin.ClientID, cred,
		confidential.WithHTTPClient(h.client), confidential.WithInstanceDiscovery(cfg.instanceDiscovery()))
	if err != nil {
		return "", fmt.Errorf("MSAL confidential client: %w", err)
	}
	h.rec.setLabel("client credentials")
	res, err := app.AcquireTokenByCredential(ctx, cfg.Signin.Scopes)
	if err != nil {
		return "", err
	}
	return res.AccessToken, nil
}

// agentAudiences are the audiences a token for the agent API may carry.
func agentAudiences(cfg Config) []string {
	if cfg.AgentKind() == AgentKindFoundry {
		return nonEmpty(FoundryAudience, cfg.Agent.ClientID, cfg.Agent.AppIDURI)
	}
	return nonEmpty(cfg.Agent.ClientID, cfg.Agent.AppIDURI)
}

// mcpAudiences are the audiences a token for the MCP server may carry.
func mcpAudiences(cfg Config) []string { return nonEmpty(cfg.MCP.ClientID, cfg.MCP.AppIDURI) }

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// aboutSignin says what the signin hop does, for the step-by-step view.
func aboutSignin(c Config) string {
	scopes := strings.Join(c.Signin.Scopes, " ")
	switch c.Signin.Flow {
	case "browser":
		return "The client app signs the user in in a browser (authorization code with PKCE) and redeems the code at Entra's /token endpoint, asking for " + scopes + "."
	case "token":
		return "No sign-in: oboscope takes the token you brought (signin.token_file) as the user token and checks it before the agent sees it."
	case "client_credentials":
		return "The client app gets a token with its own secret (client credentials): no user signs in, so the token speaks for the app, asking for " + scopes + "."
	}
	return "The client app signs the user in with a device code: MSAL asks Entra's /devicecode endpoint for a code, then polls /token until the user approves it. It asks for " + scopes + "."
}
