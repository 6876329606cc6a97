package sandbox

import (
	"html"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// signInAs runs MSAL's device code flow and approves the code as username, the way a person at
// /devicelogin would.
func signInAs(t *testing.T, s *Sandbox, username string, scopes []string) (string, map[string]any) {
	t.Helper()
	ctx := testCtx(t)
	dc, err := publicClient(t, s).AcquireTokenByDeviceCode(ctx, scopes)
	if err != nil {
		t.Fatalf("devicecode: %v", err)
	}
	if err := s.Approve(dc.Result.UserCode, username); err != nil && !strings.Contains(err.Error(), "AADSTS50020") {
		t.Fatalf("approve: %v", err)
	}
	res, err := dc.AuthenticationResult(ctx)
	if err != nil {
		return "", entraBody(t, err)
	}
	return res.AccessToken, nil
}

// TestDirectoryErrors drives the directory's other rules with real MSAL clients: each gives
// Entra's error code (users picked at the device login, as a person would).
func TestDirectoryErrors(t *testing.T) {
	tests := []struct {
		name, user string
		scenario   string
		oboScopes  []string
		err        string
		code       int
	}{
		// Entra sends MFA on OBO as invalid_grant with suberror basic_action and claims (PROTOCOL.md).
		{"MFA required (carol)", CarolUPN, "healthy", []string{mcpScope}, "invalid_grant", 50076},
		{"MFA enrollment required (erin, policy for all)", ErinUPN, "mfa-required", []string{mcpScope}, "invalid_grant", 50079},
		{"blocked by conditional access (bob)", BobUPN, "healthy", []string{mcpScope}, "invalid_grant", 53003},
		{"static consent for an unlisted API", AliceUPN, "healthy", []string{GraphAppIDURI + "/.default"}, "invalid_client", 65005},
		{"unknown downstream scope", AliceUPN, "healthy", []string{MCPAppIDURI + "/tools.delete"}, "invalid_scope", 70011},
		{"unknown downstream API", AliceUPN, "healthy", []string{"api://nope/x"}, "invalid_resource", 500011},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startSandbox(t, tc.scenario, func(o *Options) { o.AutoApprove = false })
			tok, serr := signInAs(t, s, tc.user, agentScope)
			if serr != nil {
				t.Fatalf("sign-in: %v", serr)
			}
			_, err := confidentialClient(t, s, AgentAppID, secretCred(t, s.Secret("agent"))).AcquireTokenOnBehalfOf(testCtx(t), tok, tc.oboScopes)
			checkEntraShape(t, entraBody(t, err), tc.err, tc.code)
		})
	}
	t.Run("guest at the device login", func(t *testing.T) {
		s := startSandbox(t, "healthy", func(o *Options) { o.AutoApprove = false })
		_, serr := signInAs(t, s, DanaUPN, agentScope)
		checkEntraShape(t, serr, "invalid_grant", 50020)
	})
	t.Run("ID token as OBO assertion", func(t *testing.T) {
		s := startSandbox(t, "healthy")
		dc, err := publicClient(t, s).AcquireTokenByDeviceCode(testCtx(t), agentScope)
		if err != nil {
			t.Fatal(err)
		}
		res, err := dc.AuthenticationResult(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		_, err = confidentialClient(t, s, AgentAppID, secretCred(t, s.Secret("agent"))).AcquireTokenOnBehalfOf(testCtx(t), res.IDToken.RawToken, []string{mcpScope})
		checkEntraShape(t, entraBody(t, err), "invalid_grant", 240002)
	})
	t.Run("scopes of two resources", func(t *testing.T) {
		s := startSandbox(t, "healthy")
		_, err := publicClient(t, s).AcquireTokenByDeviceCode(testCtx(t), []string{agentScope[0], mcpScope})
		checkEntraShape(t, entraBody(t, err), "invalid_request", 28000)
	})
	t.Run("unknown client app", func(t *testing.T) {
		s := startSandbox(t, "healthy")
		_, err := confidentialClient(t, s, "11111111-2222-3333-4444-555555555555", secretCred(t, "x")).AcquireTokenByCredential(testCtx(t), []string{MCPAppIDURI + "/.default"})
		checkEntraShape(t, entraBody(t, err), "unauthorized_client", 700016)
	})
}

// TestSignInPagesByHand drives the pages a person uses: the device login page, and the authorize
// page's user picker (no auto-approve) feeding MSAL's interactive flow.
func TestSignInPagesByHand(t *testing.T) {
	s := startSandbox(t, "healthy", func(o *Options) { o.AutoApprove = false })
	resp, err := s.HTTPClient().Get(s.DeviceLoginURL() + "?code=ABC")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"Enter code", `value="ABC"`, AliceUPN, DanaUPN, "not invited", "Complete multi-factor authentication"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("device login page lacks %q", want)
		}
	}
	ctx := testCtx(t)
	open := func(u string) error {
		go func() {
			resp, err := s.HTTPClient().Get(u)
			if err != nil {
				t.Errorf("authorize: %v", err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// The picker page: post its hidden fields back with the chosen user.
			form := url.Values{"sandbox_user": {CarolUPN}, "sandbox_mfa": {"on"}}
			for _, h := range hiddenRe.FindAllStringSubmatch(string(b), -1) {
				form.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
			}
			action := formActionRe.FindStringSubmatch(string(b))
			if action == nil {
				t.Errorf("no picker form: %.300s", b)
				return
			}
			post, err := s.HTTPClient().PostForm(s.BaseURL()+html.UnescapeString(action[1]), form)
			if err != nil {
				t.Errorf("pick: %v", err)
				return
			}
			defer post.Body.Close()
			if err := submitFormPost(s, post); err != nil {
				t.Errorf("form_post: %v", err)
			}
		}()
		return nil
	}
	res, err := publicClient(t, s).AcquireTokenInteractive(ctx, agentScope, public.WithOpenURL(open))
	if err != nil {
		t.Fatalf("interactive: %v", err)
	}
	c := verifyJWT(t, s, res.AccessToken)
	amr, _ := c["amr"].([]any)
	if c["preferred_username"] != CarolUPN || len(amr) != 2 {
		t.Errorf("claims = %v", c)
	}
	// Carol completed MFA, so the policy on the MCP API is satisfied.
	if _, err := confidentialClient(t, s, AgentAppID, secretCred(t, s.Secret("agent"))).AcquireTokenOnBehalfOf(ctx, res.AccessToken, []string{mcpScope}); err != nil {
		t.Errorf("OBO after MFA: %v", err)
	}
}
