package sandbox

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/golang-jwt/jwt/v5"
)

// startSandbox starts a sandbox for one test and stops it at the end.
func startSandbox(t testing.TB, scenario string, mutate ...func(*Options)) *Sandbox {
	t.Helper()
	opts := Options{Scenario: scenario, AutoApprove: true}
	for _, m := range mutate {
		m(&opts)
	}
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("Start(%q): %v", scenario, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// publicClient is the real MSAL Go public client for the sandbox's client app.
func publicClient(t testing.TB, s *Sandbox) public.Client {
	t.Helper()
	pc, err := public.New(ClientAppID, public.WithAuthority(s.AuthorityURL()),
		public.WithInstanceDiscovery(false), public.WithHTTPClient(s.HTTPClient()))
	if err != nil {
		t.Fatalf("public.New: %v", err)
	}
	return pc
}

// confidentialClient is the real MSAL Go confidential client for an app with a credential.
func confidentialClient(t testing.TB, s *Sandbox, clientID string, cred confidential.Credential) confidential.Client {
	t.Helper()
	cc, err := confidential.New(s.AuthorityURL(), clientID, cred,
		confidential.WithInstanceDiscovery(false), confidential.WithHTTPClient(s.HTTPClient()))
	if err != nil {
		t.Fatalf("confidential.New: %v", err)
	}
	return cc
}

func secretCred(t testing.TB, secret string) confidential.Credential {
	t.Helper()
	c, err := confidential.NewCredFromSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// deviceCodeSignIn runs MSAL's device code flow (auto-approved by the sandbox).
func deviceCodeSignIn(ctx context.Context, pc public.Client, scopes []string, opts ...public.AcquireByDeviceCodeOption) (public.AuthResult, error) {
	dc, err := pc.AcquireTokenByDeviceCode(ctx, scopes, opts...)
	if err != nil {
		return public.AuthResult{}, err
	}
	return dc.AuthenticationResult(ctx)
}

// entraCodes returns the AADSTS codes and the parsed Entra body of an MSAL error.
func entraBody(t testing.TB, err error) map[string]any {
	t.Helper()
	if err == nil {
		t.Fatal("expected an error, got none")
	}
	var raw []byte
	var ce msalerrors.CallErr
	if errors.As(err, &ce) && ce.Resp != nil && ce.Resp.Body != nil {
		raw, _ = io.ReadAll(ce.Resp.Body)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		msg := err.Error()
		if i := strings.Index(msg, "{"); i >= 0 {
			raw = []byte(msg[i:])
		}
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("error %q carries no Entra JSON: %v", err, err)
	}
	return body
}

// firstCode is the first of error_codes.
func firstCode(body map[string]any) int {
	codes, _ := body["error_codes"].([]any)
	if len(codes) == 0 {
		return 0
	}
	f, _ := codes[0].(float64)
	return int(f)
}

// checkEntraShape asserts the fields every Entra error carries.
func checkEntraShape(t testing.TB, body map[string]any, oauthErr string, code int) {
	t.Helper()
	if body["error"] != oauthErr {
		t.Errorf("error = %v, want %s (body %v)", body["error"], oauthErr, body)
	}
	if got := firstCode(body); got != code {
		t.Errorf("error_codes[0] = %d, want %d (body %v)", got, code, body)
	}
	desc, _ := body["error_description"].(string)
	if !strings.HasPrefix(desc, "AADSTS"+itoa(code)+": ") || !strings.Contains(desc, "\r\nTrace ID: ") ||
		!strings.Contains(desc, "\r\nCorrelation ID: ") || !strings.Contains(desc, "\r\nTimestamp: ") {
		t.Errorf("error_description = %q: not Entra's shape", desc)
	}
	for _, f := range []string{"timestamp", "trace_id", "correlation_id"} {
		if v, _ := body[f].(string); v == "" {
			t.Errorf("%s missing in %v", f, body)
		}
	}
}

// verifyJWT verifies a token against the sandbox's JWKS with golang-jwt and returns its claims.
func verifyJWT(t testing.TB, s *Sandbox, raw string) jwt.MapClaims {
	t.Helper()
	jwks := fetchJSON(t, s, s.AuthorityURL()+"/discovery/v2.0/keys")
	keys, _ := jwks["keys"].([]any)
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(s.now)).ParseWithClaims(raw, claims, func(tok *jwt.Token) (any, error) {
		for _, k := range keys {
			m := k.(map[string]any)
			if m["kid"] == tok.Header["kid"] {
				x5c := m["x5c"].([]any)[0].(string)
				der, _ := base64.StdEncoding.DecodeString(x5c)
				pemBytes := "-----BEGIN CERTIFICATE-----\n" + base64.StdEncoding.EncodeToString(der) + "\n-----END CERTIFICATE-----\n"
				return jwt.ParseRSAPublicKeyFromPEM([]byte(pemBytes))
			}
		}
		return nil, errors.New("kid not in JWKS")
	})
	if err != nil {
		t.Fatalf("token does not verify against the JWKS: %v", err)
	}
	return claims
}

// fetchJSON GETs a JSON document from the sandbox.
func fetchJSON(t testing.TB, s *Sandbox, u string) map[string]any {
	t.Helper()
	resp, err := s.HTTPClient().Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return m
}

// postForm posts a form to the sandbox and returns status and decoded JSON body.
func postForm(t testing.TB, s *Sandbox, u string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := s.HTTPClient().PostForm(u, form)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// callAgent posts a message to the sample agent API with a bearer token.
func callAgent(t testing.TB, s *Sandbox, token string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.AgentURL(), strings.NewReader(`{"message":"hello"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("POST agent: %v", err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, resp.Header, m
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var (
	formActionRe = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	hiddenRe     = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// submitFormPost does what a browser does with the sandbox's form_post page: POST the hidden
// fields to the form's action (MSAL's loopback listener).
func submitFormPost(s *Sandbox, resp *http.Response) error {
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	page := string(b)
	m := formActionRe.FindStringSubmatch(page)
	if m == nil {
		return fmt.Errorf("no form in the page (status %d): %.300s", resp.StatusCode, page)
	}
	form := url.Values{}
	for _, h := range hiddenRe.FindAllStringSubmatch(page, -1) {
		form.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	r, err := http.PostForm(html.UnescapeString(m[1]), form)
	if err != nil {
		return err
	}
	return r.Body.Close()
}
