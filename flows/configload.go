package flows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// DefaultAuthorityHost is Microsoft Entra ID's global cloud.
const DefaultAuthorityHost = "https://login.microsoftonline.com"

// ConfigError is a problem with the configuration, naming the key (and the line, when known).
type ConfigError struct {
	Key     string // e.g. "obo.client_secret_env"
	Line    int    // 0 when unknown
	Problem string
}

func (e *ConfigError) Error() string {
	switch {
	case e.Key != "" && e.Line > 0:
		return fmt.Sprintf("config: %s (line %d): %s", e.Key, e.Line, e.Problem)
	case e.Key != "":
		return fmt.Sprintf("config: %s: %s", e.Key, e.Problem)
	case e.Line > 0:
		return fmt.Sprintf("config: line %d: %s", e.Line, e.Problem)
	default:
		return "config: " + e.Problem
	}
}

// ConfigErrors is every problem Validate found, in key order.
type ConfigErrors []*ConfigError

func (es ConfigErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// LoadConfig reads a YAML (.yaml, .yml) or JSON (.json) config file, fills what it leaves out from
// the AZURE_* environment variables (read through env; nil means os.Getenv), resolves relative
// paths against the file's folder and validates the result. Unknown keys are an error naming the
// key and its line.
func LoadConfig(path string, env func(string) string) (Config, error) {
	if env == nil {
		env = os.Getenv
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	cfg, err := ParseConfig(data, filepath.Ext(path))
	if err != nil {
		return Config{}, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	cfg.Dir = filepath.Dir(abs)
	cfg.Env = env
	cfg.ApplyEnv(env)
	cfg.ResolvePaths()
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// ParseConfig decodes a config document; ext (".yaml", ".yml" or ".json") picks the syntax.
func ParseConfig(data []byte, ext string) (Config, error) {
	var cfg Config
	switch strings.ToLower(ext) {
	case ".yaml", ".yml":
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil {
			if errors.Is(err, io.EOF) {
				return cfg, &ConfigError{Problem: "the file is empty"}
			}
			return cfg, yamlConfigError(err)
		}
	case ".json":
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			return cfg, jsonConfigError(data, err)
		}
	default:
		return cfg, &ConfigError{Problem: fmt.Sprintf("unknown file type %q: use .yaml, .yml or .json", ext)}
	}
	return cfg, nil
}

var yamlUnknownField = regexp.MustCompile(`line (\d+): field (\S+) not found in type flows\.(\w+)`)
var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

// yamlSections maps the Go type yaml names in its errors to the config section.
var yamlSections = map[string]string{
	"Config": "", "SigninConfig": "signin.", "AgentConfig": "agent.", "OBOConfig": "obo.", "MCPConfig": "mcp.",
}

func yamlConfigError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		var out ConfigErrors
		for _, msg := range te.Errors {
			if m := yamlUnknownField.FindStringSubmatch(msg); m != nil {
				var line int
				fmt.Sscan(m[1], &line)
				out = append(out, &ConfigError{Key: yamlSections[m[3]] + m[2], Line: line, Problem: "unknown key"})
				continue
			}
			if m := yamlLine.FindStringSubmatch(msg); m != nil {
				var line int
				fmt.Sscan(m[1], &line)
				out = append(out, &ConfigError{Line: line, Problem: m[2]})
				continue
			}
			out = append(out, &ConfigError{Problem: msg})
		}
		if len(out) == 1 {
			return out[0]
		}
		return out
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscan(m[1], &line)
		return &ConfigError{Line: line, Problem: m[2]}
	}
	return &ConfigError{Problem: msg}
}

var jsonUnknownField = regexp.MustCompile(`json: unknown field "([^"]+)"`)

func jsonConfigError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &ConfigError{Line: lineAt(data, se.Offset), Problem: "invalid JSON: " + se.Error()}
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return &ConfigError{Key: ute.Field, Line: lineAt(data, ute.Offset), Problem: fmt.Sprintf("must be %s, not %s", ute.Type, ute.Value)}
	}
	if m := jsonUnknownField.FindStringSubmatch(err.Error()); m != nil {
		key := m[1]
		line := 0
		if i := bytes.Index(data, []byte(`"`+lastSegment(key)+`"`)); i >= 0 {
			line = lineAt(data, int64(i))
		}
		return &ConfigError{Key: key, Line: line, Problem: "unknown key"}
	}
	if errors.Is(err, io.EOF) {
		return &ConfigError{Problem: "the file is empty"}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &ConfigError{Problem: "invalid JSON: the document is truncated"}
	}
	return &ConfigError{Problem: "invalid JSON: " + err.Error()}
}

func lastSegment(key string) string {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[i+1:]
	}
	return key
}

func lineAt(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// ApplyEnv fills what the file leaves out from azidentity's environment variables:
// AZURE_TENANT_ID → tenant_id; AZURE_CLIENT_ID → obo.client_id (the confidential middle tier);
// AZURE_CLIENT_SECRET → obo.client_secret_env (the value stays in the environment);
// AZURE_CLIENT_CERTIFICATE_PATH → obo.certificate_file.
func (c *Config) ApplyEnv(env func(string) string) {
	if env == nil {
		return
	}
	if c.TenantID == "" {
		c.TenantID = env("AZURE_TENANT_ID")
	}
	if c.OBO.ClientID == "" && (c.OBO.Mode == "" || c.OBO.Mode == OBOModeSecret || c.OBO.Mode == OBOModeCertificate) {
		c.OBO.ClientID = env("AZURE_CLIENT_ID")
	}
	noSecret := c.OBO.ClientSecret == "" && c.OBO.ClientSecretEnv == "" && c.OBO.ClientSecretFile == ""
	if noSecret && c.OBO.CertificateFile == "" {
		switch {
		case env("AZURE_CLIENT_SECRET") != "" && (c.OBO.Mode == "" || c.OBO.Mode == OBOModeSecret):
			c.OBO.ClientSecretEnv = "AZURE_CLIENT_SECRET"
		case env("AZURE_CLIENT_CERTIFICATE_PATH") != "" && (c.OBO.Mode == "" || c.OBO.Mode == OBOModeCertificate):
			c.OBO.CertificateFile = env("AZURE_CLIENT_CERTIFICATE_PATH")
		}
	}
}

// ResolvePaths makes every relative path of the file relative to its folder (c.Dir).
func (c *Config) ResolvePaths() {
	if c.Dir == "" {
		return
	}
	for _, p := range []*string{&c.CAFile, &c.Signin.TokenFile, &c.Signin.ClientSecretFile, &c.OBO.ClientSecretFile,
		&c.OBO.CertificateFile, &c.OBO.BlueprintSecretFile} {
		if *p != "" && *p != "-" && !filepath.IsAbs(*p) {
			*p = filepath.Join(c.Dir, *p)
		}
	}
}

// The values of signin.flow, agent.kind and obo.mode.
const (
	FlowDeviceCode        = "device_code"
	FlowBrowser           = "browser"
	FlowToken             = "token"
	FlowClientCredentials = "client_credentials"

	AgentKindGeneric = "generic"
	AgentKindFoundry = "foundry"

	OBOModeSecret        = "secret"
	OBOModeCertificate   = "certificate"
	OBOModeAgentIdentity = "agent_identity"
	OBOModePassthrough   = "passthrough"
	OBOModeNone          = "none"
)

// FoundryAudience is the audience Azure AI Foundry Agent Service expects.
const FoundryAudience = "https://ai.azure.com"

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsGUID reports whether s is a GUID in its canonical 8-4-4-4-12 form.
func IsGUID(s string) bool { return guidRE.MatchString(s) }

// Authority returns the MSAL authority URL: authority host + "/" + tenant.
func (c Config) Authority() string {
	return strings.TrimRight(c.authorityHost(), "/") + "/" + c.TenantID
}

func (c Config) authorityHost() string {
	if c.AuthorityHost == "" {
		return DefaultAuthorityHost
	}
	return c.AuthorityHost
}

// IsSandboxAuthority reports whether the authority is on loopback (the sandbox): MSAL's instance
// discovery is then turned off and inline secrets are accepted.
func (c Config) IsSandboxAuthority() bool {
	u, err := url.Parse(c.authorityHost())
	return err == nil && isLoopback(u.Hostname())
}

// FlowName returns signin.flow with its default.
func (c Config) FlowName() string {
	if c.Signin.Flow == "" {
		return FlowDeviceCode
	}
	return c.Signin.Flow
}

// AgentKind returns agent.kind with its default.
func (c Config) AgentKind() string {
	if c.Agent.Kind == "" {
		return AgentKindGeneric
	}
	return c.Agent.Kind
}

// OBOMode returns obo.mode with its default: secret or certificate when credentials are
// configured, none otherwise.
func (c Config) OBOMode() string {
	switch {
	case c.OBO.Mode != "":
		return c.OBO.Mode
	case c.OBO.CertificateFile != "":
		return OBOModeCertificate
	case c.OBO.ClientSecret != "" || c.OBO.ClientSecretEnv != "" || c.OBO.ClientSecretFile != "":
		return OBOModeSecret
	default:
		return OBOModeNone
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

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
		if _, err := os.Stat(c.CAFile); err != nil {
			bad("ca_file", "cannot read %s", c.CAFile)
		}
	}

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
			if _, err := os.Stat(c.Signin.TokenFile); err != nil {
				bad("signin.token_file", "cannot read %s", c.Signin.TokenFile)
			}
		}
	default:
		bad("signin.flow", "%q is not one of device_code, browser, token, client_credentials", c.Signin.Flow)
	}

	// agent
	if c.Agent.URL == "" {
		bad("agent.url", "required (the agent API endpoint the user token is sent to)")
	} else {
		checkURL(bad, "agent.url", c.Agent.URL)
	}
	switch c.AgentKind() {
	case AgentKindGeneric, AgentKindFoundry:
	default:
		bad("agent.kind", "%q is not one of generic, foundry", c.Agent.Kind)
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
		} else if _, err := os.Stat(c.OBO.CertificateFile); err != nil {
			bad("obo.certificate_file", "cannot read %s", c.OBO.CertificateFile)
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
		if _, err := os.Stat(file); err != nil {
			bad(key+"_file", "cannot read %s", file)
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

// readSecret returns a secret from exactly one of its sources: inline, an environment variable
// (read through c.Env) or a file (trimmed).
func (c Config) readSecret(inline, envName, file string) (string, error) {
	env := c.Env
	if env == nil {
		env = os.Getenv
	}
	switch {
	case inline != "":
		return inline, nil
	case envName != "":
		v := env(envName)
		if v == "" {
			return "", fmt.Errorf("environment variable %s is not set", envName)
		}
		return v, nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", errors.New("no secret configured")
}
