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

func (e *ConfigError) Error() string { return "config: " + e.detail() }

func (e *ConfigError) detail() string {
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
	for i, e := range es {
		parts[i] = e.detail()
	}
	return "config: " + strings.Join(parts, "; ")
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
			return cfg, yamlConfigError(data, err)
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

// yamlSection maps the Go type yaml names in its errors to the config section's key prefix.
func yamlSection(typeName string) string {
	switch typeName {
	case "SigninConfig":
		return "signin."
	case "AgentConfig":
		return "agent."
	case "OBOConfig":
		return "obo."
	case "MCPConfig":
		return "mcp."
	}
	return ""
}

func yamlConfigError(data []byte, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		var out ConfigErrors
		for _, msg := range te.Errors {
			if m := yamlUnknownField.FindStringSubmatch(msg); m != nil {
				var line int
				fmt.Sscan(m[1], &line)
				out = append(out, &ConfigError{Key: yamlSection(m[3]) + m[2], Line: line, Problem: "unknown key"})
				continue
			}
			if m := yamlLine.FindStringSubmatch(msg); m != nil {
				var line int
				fmt.Sscan(m[1], &line)
				problem := m[2]
				if t := yamlTypeMismatch.FindStringSubmatch(problem); t != nil {
					problem = fmt.Sprintf("must be %s, not %s", jsonTypeName(t[3]), yamlKindName(t[1]))
				}
				out = append(out, &ConfigError{Key: yamlKeyAtLine(data, line), Line: line, Problem: problem})
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

var yamlTypeMismatch = regexp.MustCompile("^cannot unmarshal !!(\\w+) (`.*`|.*) into (\\S+)$")

var jsonUnknownField = regexp.MustCompile(`json: unknown field "([^"]+)"`)

func jsonConfigError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &ConfigError{Line: lineAt(data, se.Offset), Problem: "invalid JSON: " + se.Error()}
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return &ConfigError{Key: ute.Field, Line: lineAt(data, ute.Offset), Problem: fmt.Sprintf("must be %s, not %s", jsonTypeName(ute.Type.String()), jsonValueName(ute.Value))}
	}
	if m := jsonUnknownField.FindStringSubmatch(err.Error()); m != nil {
		key := m[1]
		line := 0
		if path, off, ok := jsonKeyPath(data, lastSegment(key)); ok {
			key, line = path, lineAt(data, off)
		} else if i := bytes.Index(data, []byte(`"`+lastSegment(key)+`"`)); i >= 0 {
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
