package flows

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// DefaultAuthorityHost is Microsoft Entra ID's global cloud.
const DefaultAuthorityHost = "https://login.microsoftonline.com"

// ConfigError is a problem with the configuration, naming the key (and the line, when known).
type ConfigError struct {
	File    string // the config file, when known
	Key     string // e.g. "obo.client_secret_env"
	Line    int    // 0 when unknown
	Problem string
}

func (e *ConfigError) Error() string { return configPrefix(e.File) + e.detail() }

// configPrefix starts a config error: "config: " or "config oboscope.yaml: ".
func configPrefix(file string) string {
	if file == "" {
		return "config: "
	}
	return "config " + inspect.Printable(file, false) + ": "
}

// detail is the error without its prefix; keys and problems quote the file, so they are made
// printable (a hostile key must not drive the terminal).
func (e *ConfigError) detail() string {
	return inspect.Printable(e.rawDetail(), false)
}

func (e *ConfigError) rawDetail() string {
	switch {
	case e.Key != "" && e.Line > 0:
		return fmt.Sprintf("%s (line %d): %s", e.Key, e.Line, e.Problem)
	case e.Key != "":
		return fmt.Sprintf("%s: %s", e.Key, e.Problem)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Problem)
	default:
		return e.Problem
	}
}

// ConfigErrors is every problem Validate found, in key order.
type ConfigErrors []*ConfigError

func (es ConfigErrors) Error() string {
	parts := make([]string, len(es))
	file := ""
	for i, e := range es {
		parts[i] = e.detail()
		file = e.File
	}
	return configPrefix(file) + strings.Join(parts, "; ")
}

// inFile names the file in every error of err (a *ConfigError or ConfigErrors).
func inFile(err error, file string) error {
	var one *ConfigError
	var many ConfigErrors
	switch {
	case errors.As(err, &many):
		for _, e := range many {
			e.File = file
		}
	case errors.As(err, &one):
		one.File = file
	}
	return err
}

// LoadConfig reads a YAML (.yaml, .yml) or JSON (.json) config file, fills what it leaves out from
// the AZURE_* environment variables (read through env; nil means os.Getenv), resolves relative
// paths against the file's folder and validates the result. Unknown keys are an error naming the
// key and its line. The file must be a regular file of at most MaxInputFile bytes.
func LoadConfig(path string, env func(string) string) (Config, error) {
	return LoadConfigContext(context.Background(), path, env)
}

// LoadConfigContext is LoadConfig whose read of the file stops when ctx is cancelled.
func LoadConfigContext(ctx context.Context, path string, env func(string) string) (Config, error) {
	if env == nil {
		env = os.Getenv
	}
	data, err := ReadInputFile(ctx, path, MaxInputFile)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	cfg, err := ParseConfig(data, filepath.Ext(path))
	if err != nil {
		return Config{}, inFile(err, path)
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
		return Config{}, inFile(err, path)
	}
	return cfg, nil
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
		b, err := ReadInputFile(context.Background(), file, MaxInputFile)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", errors.New("no secret configured")
}

// ResponsesURL is the Responses API of a Foundry project: {agent.project_endpoint}/openai/v1/responses.
func (c Config) ResponsesURL() string {
	return strings.TrimRight(c.Agent.ProjectEndpoint, "/") + "/openai/v1/responses"
}
