package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/oboscope/oboscope/flows"
)

// CAFileName is the name of the CA file written beside a config.
const CAFileName = "oboscope-sandbox-ca.pem"

// Config is the walk configuration pointing at this sandbox for its scenario: the healthy chain
// (device code sign-in to the agent API, OBO with the agent's secret to the MCP API, MCP whoami,
// graph_me downstream), changed where the scenario's mistake is the client's. caFile names the CA
// file (it is also held in memory as CAPEM); files a scenario needs (the expired-user-token
// scenario's token) are named beside caFile, and WriteConfig or StartForWalk write them.
func (s *Sandbox) Config(caFile string) flows.Config {
	agentSecret := s.beh.agentSecret
	if agentSecret == "" {
		agentSecret = s.Secret("agent")
	}
	agent := s.dir.app(AgentAppID)
	var authorized []string
	authorized = append(authorized, agent.KnownClients...)
	for _, p := range agent.PreAuthorized {
		if !containsFold(authorized, p.AppID) {
			authorized = append(authorized, p.AppID)
		}
	}
	c := flows.Config{
		TenantID:      TenantID,
		AuthorityHost: s.base,
		CAFile:        caFile,
		CAPEM:         s.CAPEM(),
		Signin: flows.SigninConfig{
			ClientID: ClientAppID, DisplayName: s.dir.app(ClientAppID).DisplayName,
			Flow: "device_code", Scopes: []string{AgentAppIDURI + "/access_as_user"},
		},
		Agent: flows.AgentConfig{
			URL: s.AgentURL(), Kind: "generic", ClientID: AgentAppID, DisplayName: agent.DisplayName, AppIDURI: AgentAppIDURI,
			RequiredScopes: []string{"access_as_user"}, AuthorizedClients: authorized,
		},
		OBO: flows.OBOConfig{
			Mode: "secret", ClientID: AgentAppID, DisplayName: agent.DisplayName, ClientSecret: agentSecret,
			Scopes: []string{MCPAppIDURI + "/tools.call"},
		},
		MCP: flows.MCPConfig{
			URL: s.MCPURL(), ClientID: MCPAppID, DisplayName: s.dir.app(MCPAppID).DisplayName, AppIDURI: MCPAppIDURI,
			Tool: "whoami", Arguments: map[string]any{}, DownstreamTool: "graph_me",
		},
	}
	if s.scenario.config != nil {
		dir := ""
		if caFile != "" {
			dir = filepath.Dir(caFile)
		}
		s.scenario.config(&c, s, dir)
	}
	return c
}

// joinPath joins dir and name, keeping a relative result relative ("" dir: just the name).
func joinPath(dir, name string) string {
	if dir == "" || dir == "." {
		return name
	}
	return filepath.Join(dir, name)
}

// WriteConfig writes the config for this sandbox to path (YAML for .yaml/.yml, JSON for .json),
// the CA PEM beside it, and any file the scenario needs (the expired user token). Paths in the
// written file are relative to its folder. Secrets are written inline: the authority is the
// sandbox, whose secrets are not secret. It returns the CA file's path.
func (s *Sandbox) WriteConfig(path string) (string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".yaml" && ext != ".yml" && ext != ".json" {
		return "", fmt.Errorf("sandbox: --write-config %q: the file must end in .yaml, .yml or .json", path)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("sandbox: --write-config: %w", err)
	}
	caPath := filepath.Join(dir, CAFileName)
	if err := s.writeFiles(dir); err != nil {
		return "", err
	}
	cfg := s.Config(CAFileName)
	var data []byte
	var err error
	if ext == ".json" {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(cfg)
		data = buf.Bytes()
	} else {
		var buf bytes.Buffer
		buf.WriteString("# oboscope config for the sandbox tenant (" + s.scenario.Name + "), written " + time.Now().UTC().Format(time.RFC3339) + ".\n")
		buf.WriteString("# Inline secrets are the sandbox's own; never put real secrets in a config file.\n")
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		err = enc.Encode(cfg)
		_ = enc.Close()
		data = buf.Bytes()
	}
	if err != nil {
		return "", fmt.Errorf("sandbox: encoding the config: %w", err)
	}
	if err := flows.WritePrivateFile(path, data); err != nil {
		return "", fmt.Errorf("sandbox: writing the config: %w", err)
	}
	return caPath, nil
}

// writeFiles writes the CA and the scenario's files into dir: mode 0600, an existing file's
// mode tightened, a symbolic link at any of their paths never followed (flows.WritePrivateFile).
func (s *Sandbox) writeFiles(dir string) error {
	if err := flows.WritePrivateFile(filepath.Join(dir, CAFileName), s.km.caPEM); err != nil {
		return fmt.Errorf("sandbox: writing the CA file: %w", err)
	}
	if s.scenario.Name == "certificate-not-registered" {
		pemBytes, err := strayCertPEM(s.now())
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, strayCertFile), pemBytes, 0o600); err != nil {
			return fmt.Errorf("sandbox: writing the certificate file: %w", err)
		}
	}
	if s.scenario.Name == "expired-user-token" {
		tok, err := s.ExpiredUserToken()
		if err != nil {
			return err
		}
		if err := flows.WritePrivateFile(filepath.Join(dir, userTokenFile), []byte(tok+"\n")); err != nil {
			return fmt.Errorf("sandbox: writing the user token file: %w", err)
		}
	}
	return nil
}

// ExpiredUserToken is a validly signed user token for the agent API (alice, access_as_user)
// that expired an hour ago.
func (s *Sandbox) ExpiredUserToken() (string, error) {
	tok, _, err := s.mintAccess(accessGrant{
		user: s.dir.userByName(AliceUPN), client: s.dir.app(ClientAppID), clientACR: "0", resource: s.dir.app(AgentAppID),
		scopes: []string{"access_as_user"}, amr: []string{"pwd"},
		start: s.now().Add(-2 * time.Hour), life: time.Hour,
	})
	return tok, err
}
