package flows

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
)

// Validate checks the whole config up front and returns every problem, each naming its key.
// A scope that is not fully qualified is not a config error: the signin hop reports it as the
// finding signin.scope-unqualified.
func (c Config) Validate() error {
	var errs ConfigErrors
	bad := func(key, format string, args ...any) {
		errs = append(errs, &ConfigError{Key: key, Problem: fmt.Sprintf(format, args...)})
	}
	env := c.Env
	if env == nil {
		env = os.Getenv
	}
	sandbox := c.IsSandboxAuthority()

	switch {
	case c.TenantID == "":
		bad("tenant_id", "required (a tenant GUID or verified domain; or set AZURE_TENANT_ID)")
	case !IsGUID(c.TenantID) && !strings.Contains(c.TenantID, "."):
		bad("tenant_id", "%q is neither a GUID nor a domain name", c.TenantID)
	}
	if u, err := url.Parse(c.authorityHost()); err != nil || u.Host == "" {
		bad("authority_host", "%q is not a URL", c.AuthorityHost)
	} else if u.Scheme != "https" {
		bad("authority_host", "must be https (MSAL refuses anything else), not %q", u.Scheme)
	} else if u.Path != "" && u.Path != "/" {
		bad("authority_host", "must be scheme and host only (the tenant goes in tenant_id), not %q", c.AuthorityHost)
	}
	if c.CAFile != "" {
		if err := CheckInputFile(c.CAFile, MaxInputFile); err != nil {
			bad("ca_file", "cannot read %s", fileProblem(err))
		}
	}

	switch c.ChainName() {
	case ChainAgentOBO:
		c.validateAgentOBO(bad, env, sandbox)
	case ChainMCPClient:
		c.validateMCPClient(bad)
	default:
		bad("chain", "%q is not one of %s, %s", c.Chain, ChainAgentOBO, ChainMCPClient)
	}

	// mcp
	if c.MCP.URL != "" {
		checkURL(bad, "mcp.url", c.MCP.URL)
		if c.MCP.ClientID != "" && !IsGUID(c.MCP.ClientID) {
			bad("mcp.client_id", "%q is not a GUID", c.MCP.ClientID)
		}
		if c.MCP.ClientID == "" && c.MCP.AppIDURI == "" {
			bad("mcp.client_id", "required (or mcp.app_id_uri): it is the audience the exchanged token must have")
		}
	} else if c.MCP.Tool != "" || c.MCP.DownstreamTool != "" {
		bad("mcp.url", "required when mcp.tool or mcp.downstream_tool is set")
	}
	if len(errs) == 0 {
		return nil
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return errs
}

// validateAgentOBO checks the sections of chain agent-obo: signin, agent and obo.
func (c Config) validateAgentOBO(bad func(string, string, ...any), env func(string) string, sandbox bool) {
	// signin
	flow := c.FlowName()
	switch flow {
	case FlowDeviceCode, FlowBrowser, FlowClientCredentials:
		if c.Signin.ClientID == "" {
			bad("signin.client_id", "required for flow %s", flow)
		} else if !IsGUID(c.Signin.ClientID) {
			bad("signin.client_id", "%q is not a GUID", c.Signin.ClientID)
		}
		if len(c.Signin.Scopes) == 0 {
			bad("signin.scopes", "required for flow %s (e.g. api://contoso-agent/access_as_user)", flow)
		}
		if flow == FlowClientCredentials {
			c.checkSecret(bad, env, sandbox, "signin.client_secret", c.Signin.ClientSecret, c.Signin.ClientSecretEnv, c.Signin.ClientSecretFile, true)
		}
	case FlowToken:
		if c.Signin.TokenFile == "" {
			bad("signin.token_file", "required for flow token ('-' reads standard input)")
		} else if c.Signin.TokenFile != "-" {
			if err := CheckInputFile(c.Signin.TokenFile, MaxInputFile); err != nil {
				bad("signin.token_file", "cannot read %s", fileProblem(err))
			}
		}
	default:
		bad("signin.flow", "%q is not one of device_code, browser, token, client_credentials", c.Signin.Flow)
	}

	// agent
	switch c.AgentKind() {
	case AgentKindGeneric:
		if c.Agent.URL == "" {
			bad("agent.url", "required (the agent API endpoint the user token is sent to)")
		}
		if c.Agent.ProjectEndpoint != "" || c.Agent.AgentName != "" {
			bad("agent.kind", "agent.project_endpoint and agent.agent_name need kind foundry")
		}
	case AgentKindFoundry:
		c.validateFoundry(bad)
	default:
		bad("agent.kind", "%q is not one of generic, foundry", c.Agent.Kind)
	}
	if c.Agent.URL != "" {
		checkURL(bad, "agent.url", c.Agent.URL)
	}
	if c.Agent.ClientID != "" && !IsGUID(c.Agent.ClientID) {
		bad("agent.client_id", "%q is not a GUID", c.Agent.ClientID)
	}
	if c.AgentKind() == AgentKindGeneric && c.Agent.ClientID == "" && c.Agent.AppIDURI == "" {
		bad("agent.client_id", "required (or agent.app_id_uri): it is the audience the user token must have")
	}
	for i, id := range c.Agent.AuthorizedClients {
		if !IsGUID(id) {
			bad(fmt.Sprintf("agent.authorized_clients[%d]", i), "%q is not a GUID", id)
		}
	}

	// obo
	mode := c.OBOMode()
	switch mode {
	case OBOModeSecret, OBOModeCertificate:
		if c.OBO.ClientID == "" {
			bad("obo.client_id", "required for mode %s (the middle tier's app; or set AZURE_CLIENT_ID)", mode)
		} else if !IsGUID(c.OBO.ClientID) {
			bad("obo.client_id", "%q is not a GUID", c.OBO.ClientID)
		}
		if mode == OBOModeSecret {
			c.checkSecret(bad, env, sandbox, "obo.client_secret", c.OBO.ClientSecret, c.OBO.ClientSecretEnv, c.OBO.ClientSecretFile, true)
		} else if c.OBO.CertificateFile == "" {
			bad("obo.certificate_file", "required for mode certificate (PEM with the key and the certificate)")
		} else if pem, err := ReadInputFile(context.Background(), c.OBO.CertificateFile, MaxInputFile); err != nil {
			bad("obo.certificate_file", "cannot read %s", fileProblem(err))
		} else if certs, key, err := confidential.CertFromPEM(pem, ""); err != nil || len(certs) == 0 || key == nil {
			bad("obo.certificate_file", "%s holds no PEM certificate and private key", c.OBO.CertificateFile)
		}
		if len(c.OBO.Scopes) == 0 {
			bad("obo.scopes", "required for mode %s (e.g. api://contoso-mcp/tools.call)", mode)
		}
	case OBOModeAgentIdentity:
		if !IsGUID(c.OBO.BlueprintClientID) {
			bad("obo.blueprint_client_id", "required for mode agent_identity: a GUID, not %q", c.OBO.BlueprintClientID)
		}
		if !IsGUID(c.OBO.AgentIdentityID) {
			bad("obo.agent_identity_id", "required for mode agent_identity: a GUID, not %q", c.OBO.AgentIdentityID)
		}
		c.checkSecret(bad, env, sandbox, "obo.blueprint_secret", c.OBO.BlueprintSecret, c.OBO.BlueprintSecretEnv, c.OBO.BlueprintSecretFile, true)
		if len(c.OBO.Scopes) == 0 {
			bad("obo.scopes", "required for mode agent_identity (e.g. api://contoso-mcp/tools.call)")
		}
	case OBOModePassthrough, OBOModeNone:
	default:
		bad("obo.mode", "%q is not one of secret, certificate, agent_identity, passthrough, none", c.OBO.Mode)
	}
}

// checkSecret validates one secret's sources: exactly one of inline, env var, file; the env var
// set; the file readable; an inline secret only with a sandbox authority.
func (c Config) checkSecret(bad func(string, string, ...any), env func(string) string, sandbox bool, key, inline, envName, file string, required bool) {
	n := 0
	for _, s := range []string{inline, envName, file} {
		if s != "" {
			n++
		}
	}
	switch {
	case n == 0 && required:
		bad(key+"_env", "a secret is required: set %s_env (an environment variable name) or %s_file", key, key)
	case n > 1:
		bad(key+"_env", "give only one of %s, %s_env, %s_file", key, key, key)
	case inline != "" && !sandbox:
		bad(key, "an inline secret is accepted only for a sandbox (loopback) authority; use %s_env or %s_file", key, key)
	case envName != "" && env(envName) == "":
		bad(key+"_env", "environment variable %s is not set", envName)
	case file != "":
		if err := CheckInputFile(file, MaxInputFile); err != nil {
			bad(key+"_file", "cannot read %s", fileProblem(err))
		}
	}
}

func checkURL(bad func(string, string, ...any), key, raw string) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		bad(key, "%q is not an absolute URL", raw)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		bad(key, "http:// to %s would send a token in clear text; use https (http is accepted only for loopback)", u.Hostname())
	case u.Scheme != "http" && u.Scheme != "https":
		bad(key, "scheme %q is not http or https", u.Scheme)
	case u.RawQuery != "" && strings.Contains(strings.ToLower(u.RawQuery), "token"):
		bad(key, "must not carry a token in its query string")
	}
}

// validateFoundry checks the keys of a Foundry agent: the project endpoint (an absolute URL the
// Responses API hangs off, https) and the agent's name.
func (c Config) validateFoundry(bad func(string, string, ...any)) {
	switch pe := c.Agent.ProjectEndpoint; {
	case pe == "":
		bad("agent.project_endpoint", "required for kind foundry (https://<account>.services.ai.azure.com/api/projects/<project>)")
	default:
		checkURL(bad, "agent.project_endpoint", pe)
		if u, err := url.Parse(pe); err == nil && (u.RawQuery != "" || strings.HasSuffix(strings.TrimSuffix(u.Path, "/"), "/responses")) {
			bad("agent.project_endpoint", "%q must be the project endpoint itself (…/api/projects/<project>), without a query or the /openai/v1/responses path", pe)
		}
	}
	if strings.TrimSpace(c.Agent.AgentName) == "" {
		bad("agent.agent_name", "required for kind foundry: the Foundry agent to call (its name in the project)")
	} else if strings.ContainsAny(c.Agent.AgentName, " /?#") {
		bad("agent.agent_name", "%q is not an agent name (no spaces, slashes, ? or #)", c.Agent.AgentName)
	}
}

// fileProblem names a file input and what is wrong with it: "/dev/zero: it is a device, not a
// regular file", "token.txt: no such file".
func fileProblem(err error) string {
	var ie *InputFileError
	var pe *fs.PathError
	switch {
	case errors.As(err, &ie):
		return ie.Path + ": it " + ie.Problem
	case errors.As(err, &pe):
		return pe.Path + ": " + pe.Err.Error()
	}
	return err.Error()
}
