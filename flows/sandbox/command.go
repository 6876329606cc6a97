package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// CommandOptions are the flags of `oboscope sandbox`.
type CommandOptions struct {
	Addr        string
	Scenario    string
	AutoApprove bool
	WriteConfig string
	// FoundryMCPURL points the Foundry project's agents at another MCP URL (an oboscope tap).
	FoundryMCPURL string
}

// RunCommand runs `oboscope sandbox`: it starts the sandbox on a loopback address, writes the
// config and CA when asked, prints the URLs, and serves until ctx is cancelled (SIGINT/SIGTERM).
// It returns 0 after a clean shutdown and 2 when the sandbox could not start.
func RunCommand(ctx context.Context, opts CommandOptions, stdout, stderr io.Writer) int {
	s, err := Start(ctx, Options{Addr: opts.Addr, Scenario: opts.Scenario, AutoApprove: opts.AutoApprove, Log: stderr, FoundryMCPURL: opts.FoundryMCPURL})
	if err != nil {
		fmt.Fprintf(stderr, "oboscope: %s\n", inspect.Printable(err.Error(), false))
		return 2
	}
	defer s.Close()
	var caPath, cfgPath string
	if opts.WriteConfig != "" {
		caPath, err = s.WriteConfig(opts.WriteConfig)
		if err != nil {
			fmt.Fprintf(stderr, "oboscope: %s\n", inspect.Printable(err.Error(), false))
			return 2
		}
		cfgPath = opts.WriteConfig
	}
	approve := "off (approve codes at the device login page or POST /devicelogin user_code=…&username=…)"
	if opts.AutoApprove {
		approve = "on (every device code and authorization request is approved as " + s.beh.signinUser + ")"
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "oboscope sandbox tenant %q — scenario %s\n", TenantName, s.scenario.Name)
	fmt.Fprintf(w, "  authority\t%s\n", s.AuthorityURL())
	fmt.Fprintf(w, "  device login\t%s\n", s.DeviceLoginURL())
	fmt.Fprintf(w, "  auto-approve\t%s\n", approve)
	fmt.Fprintf(w, "  agent API\t%s\n", s.AgentURL())
	fmt.Fprintf(w, "  MCP server\t%s\n", s.MCPURL())
	fmt.Fprintf(w, "  Graph\t%s/v1.0/me\n", s.GraphURL())
	fmt.Fprintf(w, "  Foundry project\t%s (Responses API: …/openai/v1/responses)\n", s.ProjectEndpoint())
	if opts.FoundryMCPURL != "" {
		fmt.Fprintf(w, "  Foundry's MCP URL\t%s (its agents call the MCP server there)\n", opts.FoundryMCPURL)
	}
	fmt.Fprintf(w, "  tenant\t%s (%s)\n", TenantID, TenantDomain)
	fmt.Fprintf(w, "  client app\t%s (public client)\n", ClientAppID)
	fmt.Fprintf(w, "  MCP client app\t%s (public client for chain mcp-client; redirect http://localhost/callback, any port)\n", MCPClientAppID)
	fmt.Fprintf(w, "  users\t%s\n", "alice (member), erin (250 groups), carol (MFA for the MCP API), bob (blocked from it), dana@fabrikam.example (not invited)")
	if caPath != "" {
		fmt.Fprintf(w, "  CA file\t%s\n", caPath)
		fmt.Fprintf(w, "  config\t%s\n", cfgPath)
	}
	_ = w.Flush()
	if cfgPath != "" {
		fmt.Fprintf(stdout, "\nIn another terminal: oboscope check --config %s\n", cfgPath)
	}
	fmt.Fprintln(stdout, "Serving until interrupted (Ctrl-C).")
	select {
	case <-ctx.Done():
	case <-s.Done():
	}
	if err := s.Close(); err != nil {
		fmt.Fprintf(stderr, "oboscope: sandbox shutdown: %s\n", inspect.Printable(err.Error(), false))
	}
	fmt.Fprintln(stdout, "Sandbox stopped.")
	return 0
}

// RunScenarios runs `oboscope scenarios`: every scenario with its change and expected findings,
// as a table or (asJSON) a JSON array of {"name","change","expect"}.
func RunScenarios(asJSON bool, stdout, stderr io.Writer) int {
	list := Scenarios()
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(list); err != nil {
			fmt.Fprintf(stderr, "oboscope: %s\n", inspect.Printable(err.Error(), false))
			return 2
		}
		return 0
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "SCENARIO\tEXPECTED FINDINGS\tCHANGE")
	for _, sc := range list {
		expect := strings.Join(sc.Expect, ", ")
		if expect == "" {
			expect = "(none)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", sc.Name, expect, sc.Change)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(stderr, "oboscope: %s\n", inspect.Printable(err.Error(), false))
		return 2
	}
	return 0
}

// StartForWalk starts an embedded, auto-approving sandbox for `check --sandbox` and the TUI and
// returns the Config pointing at it (CAPEM set) and a stop function that shuts it down and removes
// any file it wrote.
func StartForWalk(ctx context.Context, scenario string) (cfg flows.Config, stop func(), err error) {
	return StartForWalkWith(ctx, Options{Scenario: scenario, AutoApprove: true})
}

// StartForWalkWith is StartForWalk with every option open: a fixed Addr (so rendered output
// holding URLs is stable, e.g. golden files), a fixed clock, a request log.
func StartForWalkWith(ctx context.Context, opts Options) (cfg flows.Config, stop func(), err error) {
	s, err := Start(ctx, opts)
	if err != nil {
		return cfg, func() {}, err
	}
	if s.scenario.config == nil || (s.scenario.Name != "expired-user-token" && s.scenario.Name != "certificate-not-registered") {
		return s.Config(""), func() { _ = s.Close() }, nil
	}
	dir, err := os.MkdirTemp("", "oboscope-sandbox-")
	if err != nil {
		_ = s.Close()
		return cfg, func() {}, fmt.Errorf("sandbox: temporary folder: %w", err)
	}
	if err := s.writeFiles(dir); err != nil {
		_ = s.Close()
		_ = os.RemoveAll(dir)
		return cfg, func() {}, err
	}
	return s.Config(filepath.Join(dir, CAFileName)), func() { _ = s.Close(); _ = os.RemoveAll(dir) }, nil
}
