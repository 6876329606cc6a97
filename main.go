// Command oboscope walks a developer through every hop of a Microsoft Entra ID delegated-auth
// chain used by AI agents — sign-in, agent call, On-Behalf-Of exchange, MCP call and the MCP
// server's own downstream exchange — and names every misconfiguration with its cause and its fix.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
	"github.com/oboscope/oboscope/flows/sandbox"
	"github.com/oboscope/oboscope/inspect"
	"github.com/oboscope/oboscope/ui"
)

// Set by goreleaser's ldflags.
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

// exitError carries an exit code out of a cobra RunE without printing anything more.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// exitGrace is how long the process may take to end after Ctrl-C or SIGTERM: every read and
// request honours the cancellation, and whatever still blocks past it (a read of a terminal or a
// pipe that never ends) does not keep the process alive.
const exitGrace = 5 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		// A second signal now ends the process at once (the default action), and so does the
		// grace period running out.
		stop()
		time.Sleep(exitGrace)
		fmt.Fprintln(os.Stderr, "oboscope: interrupted")
		os.Exit(2)
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns its exit code: 0 no error finding, 1 at least one
// error finding, 2 could not run.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	var code exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &code):
		return int(code)
	default:
		// Errors quote flags, paths, config keys and server answers: one printable line.
		fmt.Fprintf(stderr, "oboscope: %s\n", inspect.Printable(err.Error(), false))
		return 2
	}
}

// exit turns a runner's exit code into cobra's error convention.
func exit(code int) error {
	if code == 0 {
		return nil
	}
	return exitError(code)
}

// checkScenario refuses an unknown sandbox scenario before anything starts, naming the nearest
// ones ("did you mean wrong-audience?") as explain does for finding IDs.
func checkScenario(name string) error {
	if _, ok := sandbox.LookupScenario(name); ok {
		return nil
	}
	var names []string
	for _, sc := range sandbox.Scenarios() {
		names = append(names, sc.Name)
	}
	if near := inspect.Closest(name, names, 3); len(near) > 0 {
		return fmt.Errorf("unknown scenario %q; did you mean %s? (see `oboscope scenarios`)", name, strings.Join(near, ", "))
	}
	return fmt.Errorf("unknown scenario %q (see `oboscope scenarios`)", name)
}

// isTTY reports whether w is a terminal.
func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// isTTYReader reports whether r is a terminal.
func isTTYReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// colorFor reports whether text output to w may be coloured: a terminal and NO_COLOR unset.
func colorFor(w io.Writer) bool {
	return isTTY(w) && os.Getenv("NO_COLOR") == ""
}

// target is where a walk runs: the embedded sandbox on a scenario, or the live tenant (or a
// running sandbox) of a config file.
type target struct {
	sandbox  bool
	config   string // the config file, when not the sandbox
	implicit bool   // the config is ./oboscope.yaml, picked up without --config
	scenario string
}

// resolveTarget applies the one rule of every walking command: --sandbox and --config exclude
// each other; without either, ./oboscope.yaml is used when present (and said so), else the
// sandbox; --scenario needs the sandbox.
func resolveTarget(cmd *cobra.Command, useSandbox bool, configPath, scenario string) (target, error) {
	prefix := ""
	if cmd.HasParent() {
		prefix = cmd.Name() + ": "
	}
	if useSandbox && configPath != "" {
		return target{}, fmt.Errorf("%s--sandbox and --config exclude each other", prefix)
	}
	t := target{sandbox: useSandbox, config: configPath, scenario: scenario}
	if !useSandbox && configPath == "" {
		if fi, err := os.Stat(defaultConfig); err == nil && fi.Mode().IsRegular() {
			t.config, t.implicit = defaultConfig, true
		} else {
			t.sandbox = true
		}
	}
	if !t.sandbox && cmd.Flags().Changed("scenario") {
		why := "drop --config"
		if t.implicit {
			why = "./" + defaultConfig + " is in this folder and was picked up: add --sandbox to walk the sandbox instead"
		}
		return target{}, fmt.Errorf("%s--scenario needs the sandbox (%s)", prefix, why)
	}
	if t.sandbox {
		if err := checkScenario(scenario); err != nil {
			return target{}, fmt.Errorf("%s%w", prefix, err)
		}
	}
	return t, nil
}

// defaultConfig is the config file a walking command picks up from the working folder.
const defaultConfig = "oboscope.yaml"

// uiScenarios lists the sandbox's scenarios for the TUI's picker.
func uiScenarios() []ui.ScenarioInfo {
	var out []ui.ScenarioInfo
	for _, sc := range sandbox.Scenarios() {
		out = append(out, ui.ScenarioInfo{Name: sc.Name, Change: sc.Change, Expect: sc.Expect})
	}
	return out
}

// unknownCommand refuses a word that is not a command, naming the nearest commands.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	if near := inspect.Closest(args[0], names, 2); len(near) > 0 {
		return fmt.Errorf("unknown command %q; did you mean %s? (oboscope --help lists the commands)", args[0], strings.Join(near, " or "))
	}
	return fmt.Errorf("unknown command %q (oboscope --help lists the commands)", args[0])
}

// flagError names the nearest flag of an unknown one ("did you mean --format?").
func flagError(cmd *cobra.Command, err error) error {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return err
	}
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	if near := inspect.Closest(name, names, 2); len(near) > 0 {
		return fmt.Errorf("%s: unknown flag --%s; did you mean --%s?", cmd.Name(), name, strings.Join(near, " or --"))
	}
	return fmt.Errorf("%s: unknown flag --%s (see oboscope %s --help)", cmd.Name(), name, cmd.Name())
}

// formatError refuses a report format, naming the nearest one.
func formatError(format string) error {
	if near := inspect.Closest(format, report.Formats(), 1); len(near) > 0 {
		return fmt.Errorf("check: --format must be text, json or markdown, not %q; did you mean %s?", format, near[0])
	}
	return fmt.Errorf("check: --format must be text, json or markdown, not %q", format)
}

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var configPath, scenario, exportDir string
	var useSandbox, step bool
	var pace time.Duration
	root := &cobra.Command{
		Use:   "oboscope",
		Short: "Walk an Entra ID On-Behalf-Of chain for AI agents hop by hop and explain what is wrong",
		Long: "oboscope walks every hop of a Microsoft Entra ID delegated-auth chain used by AI agents —\n" +
			"user sign-in, agent call, On-Behalf-Of exchange, MCP call, and the MCP server's own\n" +
			"downstream exchange — shows the tokens at each hop and flags every misconfiguration with\n" +
			"its cause and its fix. Without --config (or ./oboscope.yaml) it runs on the embedded sandbox tenant.",
		Example: "  oboscope                                   # the walk on the embedded sandbox tenant\n" +
			"  oboscope --scenario consent-missing        # start on a broken sandbox scenario\n" +
			"  oboscope --step                            # one hop per key press, for demos and onboarding\n" +
			"  oboscope --pace 3s                         # the steps turn by themselves every 3 seconds\n" +
			"  oboscope --config oboscope.yaml            # your tenant, agent and MCP server\n" +
			"  oboscope --sandbox --export-dir ~/tickets  # reports written by e / E go there",
		Version:       fmt.Sprintf("%s (commit %s, built %s)", version, commit, date),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          unknownCommand,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := resolveTarget(cmd, useSandbox, configPath, scenario)
			if err != nil {
				return err
			}
			if pace < 0 {
				return fmt.Errorf("--pace must be a positive duration such as 2s, not %s", pace)
			}
			if exportDir != "" {
				if fi, err := os.Stat(exportDir); err != nil || !fi.IsDir() {
					return fmt.Errorf("--export-dir %s: no such folder", exportDir)
				}
			}
			opts := ui.Options{Scenario: t.scenario, Version: version, Scenarios: uiScenarios(), ExportDir: exportDir, Step: step, Pace: pace}
			if t.sandbox {
				opts.StartSandbox = sandbox.StartForWalk
			} else {
				cfg, err := flows.LoadConfigContext(cmd.Context(), t.config, os.Getenv)
				if err != nil {
					return err
				}
				opts.Config, opts.ConfigPath, opts.ConfigImplicit = &cfg, t.config, t.implicit
				if t.implicit {
					opts.ConfigPath = "./" + t.config
				}
			}
			if !isTTY(stdout) || !isTTYReader(stdin) {
				return errors.New("the interactive walk needs a terminal; without one, run `oboscope check` (--format json or markdown for a file, -o to write it)")
			}
			return exit(ui.Run(cmd.Context(), opts, stderr))
		},
	}
	f := root.Flags()
	f.BoolVar(&useSandbox, "sandbox", false, "walk the embedded sandbox tenant (the default without a config)")
	f.StringVar(&configPath, "config", "", "config file (YAML or JSON) for a live tenant; default ./oboscope.yaml if present, else the sandbox")
	f.StringVar(&scenario, "scenario", "healthy", "sandbox scenario to start with (see: oboscope scenarios)")
	f.BoolVar(&step, "step", false, "walk one hop at a time: each hop shows its request and waits for space (S toggles it)")
	f.DurationVar(&pace, "pace", 0, "turn the steps by themselves after this long, e.g. 2s (implies --step; P changes it)")
	f.StringVar(&exportDir, "export-dir", "", "folder the reports of e / E go to (default: the current folder)")
	root.SetVersionTemplate("oboscope {{.Version}}\n")
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(newCheck(stdin, stdout, stderr), newInspect(stdin, stdout, stderr), newSandbox(stdout, stderr),
		newScenarios(stdout, stderr), newExplain(stdin, stdout, stderr), newTap(stdout, stderr))
	return root
}

func newCheck(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var useSandbox bool
	var configPath string
	opts := report.CheckOptions{Stdin: stdin}
	cmd := &cobra.Command{
		Use:   "check [--sandbox | --config FILE] [--scenario S] [--format text|json|markdown] [--wait-consent]",
		Short: "Run the walk headless and print a report (for CI and support tickets)",
		Example: "  oboscope check --sandbox --scenario wrong-audience      # a broken chain, offline\n" +
			"  oboscope check --config oboscope.yaml --format markdown -o ticket.md\n" +
			"  oboscope check --format json | jq '.summary'",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, ok := report.NormalizeFormat(opts.Format)
			if !ok {
				return formatError(opts.Format)
			}
			opts.Format, opts.Version = format, version
			t, err := resolveTarget(cmd, useSandbox, configPath, opts.Scenario)
			if err != nil {
				return err
			}
			if t.implicit {
				fmt.Fprintf(stderr, "oboscope: check: using ./%s (add --sandbox to walk the sandbox)\n", defaultConfig)
			}
			opts.Color = opts.Output == "" && colorFor(stdout)
			if t.sandbox {
				cfg, stopSandbox, err := sandbox.StartForWalk(cmd.Context(), t.scenario)
				if err != nil {
					return err
				}
				defer stopSandbox()
				opts.Mode = "sandbox"
				return exit(report.RunCheck(cmd.Context(), cfg, opts, stdout, stderr))
			}
			cfg, err := flows.LoadConfigContext(cmd.Context(), t.config, os.Getenv)
			if err != nil {
				return err
			}
			opts.Mode, opts.Scenario = "live", ""
			return exit(report.RunCheck(cmd.Context(), cfg, opts, stdout, stderr))
		},
	}
	f := cmd.Flags()
	f.BoolVar(&useSandbox, "sandbox", false, "walk the embedded sandbox tenant")
	f.StringVar(&configPath, "config", "", "config file (YAML or JSON) of a live tenant or a running sandbox")
	f.StringVar(&opts.Scenario, "scenario", "healthy", "sandbox scenario (see: oboscope scenarios)")
	f.StringVar(&opts.Format, "format", "text", "report format: text, json or markdown")
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to this file instead of standard output")
	f.BoolVar(&opts.WaitConsent, "wait-consent", false, "when a Foundry agent asks your consent (OAuth identity passthrough), wait for Enter once you consented, then ask again")
	return cmd
}

func newInspect(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	opts := report.InspectOptions{Stdin: stdin}
	cmd := &cobra.Command{
		Use:   "inspect [TOKEN | -]",
		Short: "Decode one token, explain every claim and list what is wrong with it",
		Example: "  oboscope inspect eyJ0eXAi…                 # on a terminal: Claims, Findings, Raw\n" +
			"  az account get-access-token --resource api://contoso-agent --query accessToken -o tsv | oboscope inspect -\n" +
			"  oboscope inspect --file token.txt --expect-aud api://contoso-agent --expect-scope access_as_user\n" +
			"  oboscope inspect --json --now 2025-06-01T12:00:00Z --clipboard",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return fmt.Errorf("inspect: give one token (or - to read it from standard input), not %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Token = args[0]
			}
			opts.Color = colorFor(stdout)
			opts.Context = cmd.Context()
			if !opts.JSON && isTTY(stdout) && isTTY(stderr) && opts.Token != "-" {
				// On a terminal with nothing given, the interactive view waits for a paste.
				raw := ""
				if opts.Token != "" || opts.File != "" || opts.Clipboard {
					var err error
					if raw, err = report.ReadTokenInput(opts); err != nil {
						return err
					}
				}
				return exit(ui.RunInspect(cmd.Context(), raw, opts, stderr))
			}
			return exit(report.RunInspect(opts, stdout, stderr))
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.File, "file", "", "read the token from this file")
	f.BoolVar(&opts.Clipboard, "clipboard", false, "read the token from the clipboard")
	f.BoolVar(&opts.JSON, "json", false, "print JSON instead of text")
	f.StringVar(&opts.Now, "now", "", "judge times against this instant (RFC 3339) instead of the clock")
	f.StringVar(&opts.ExpectAud, "expect-aud", "", "the audience the token must have")
	f.StringArrayVar(&opts.ExpectScopes, "expect-scope", nil, "a scope or role the token must carry (repeatable)")
	f.StringVar(&opts.ExpectTenant, "expect-tenant", "", "the tenant ID the token must come from")
	return cmd
}

func newSandbox(stdout, stderr io.Writer) *cobra.Command {
	var opts sandbox.CommandOptions
	cmd := &cobra.Command{
		Use:   "sandbox [--addr 127.0.0.1:PORT] [--scenario S] [--auto-approve] [--write-config FILE]",
		Short: "Run the sandbox tenant alone (authority, agent API, MCP server, Foundry project, Graph) on loopback",
		Example: "  oboscope sandbox --auto-approve --write-config ./sbx/oboscope.yaml\n" +
			"  oboscope check --config ./sbx/oboscope.yaml        # in another terminal: the same findings\n" +
			"  oboscope sandbox --addr 127.0.0.1:8443 --scenario consent-missing",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkScenario(opts.Scenario); err != nil {
				return fmt.Errorf("sandbox: %w", err)
			}
			return exit(sandbox.RunCommand(cmd.Context(), opts, stdout, stderr))
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:0", "loopback address to listen on")
	f.StringVar(&opts.Scenario, "scenario", "healthy", "scenario to serve (see: oboscope scenarios)")
	f.BoolVar(&opts.AutoApprove, "auto-approve", false, "approve device codes at once, as the scenario's user")
	f.StringVar(&opts.WriteConfig, "write-config", "", "write a config (YAML or JSON by extension) pointing at this sandbox, with its CA beside it")
	f.StringVar(&opts.FoundryMCPURL, "foundry-mcp-url", "", "where the sandbox's Foundry agents call the MCP server (an oboscope tap in front of it); loopback only")
	return cmd
}

func newScenarios(stdout, stderr io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "scenarios [--json]",
		Short: "List the sandbox scenarios and the findings each must raise",
		Example: "  oboscope scenarios\n" +
			"  oboscope scenarios --json | jq -r '.[].name'",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return exit(sandbox.RunScenarios(asJSON, stdout, stderr))
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newExplain(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	opts := report.ExplainOptions{Stdin: stdin}
	cmd := &cobra.Command{
		Use:   "explain [ID | CODE | TEXT | -] [--json]",
		Short: "Explain a finding, an Entra error code, or anything pasted: cause and fix",
		Long: "explain takes one of:\n" +
			"  a finding ID (obo.assertion-aud-mismatch) or a section (obo, mcp …)\n" +
			"  an AADSTS code (AADSTS50013 or 50013) or an HTTP status (401)\n" +
			"  TEXT, or - to read it from standard input: a log line, an Entra error body, an MSAL\n" +
			"  exception as MSAL for Go, Python, Node, .NET or Java prints it, an HTTP response with\n" +
			"  WWW-Authenticate, a WWW-Authenticate value alone, a token, Protected Resource Metadata\n" +
			"  or authorization server metadata\n" +
			"It says what it recognised and the findings that explain it. Exit 0 when it recognised\n" +
			"something, 2 when it did not.",
		Example: "  oboscope explain AADSTS9010010\n" +
			"  oboscope explain 'AADSTS500131: Assertion audience does not match the Client app presenting the assertion.'\n" +
			"  pbpaste | oboscope explain - --json",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				fmt.Fprint(stderr, cmd.Long+"\n\n"+cmd.UsageString())
				return exit(2)
			}
			// Unquoted text arrives as several arguments: it is one paste.
			opts.Query = strings.Join(args, " ")
			return exit(report.RunExplainQuery(opts, stdout, stderr))
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, `print {"recognised":[…],"aadsts":[…],"findings":[…]}`)
	return cmd
}

func newTap(stdout, stderr io.Writer) *cobra.Command {
	var opts report.TapOptions
	var configPath string
	cmd := &cobra.Command{
		Use:   "tap --listen 127.0.0.1:PORT --upstream URL [--as agent|mcp] [--config F] [--json]",
		Short: "A reverse proxy in front of your agent API or MCP server: see every token it receives, decoded and checked",
		Long: "oboscope tap forwards every request to --upstream unchanged (the request's path is appended to the\n" +
			"upstream URL's path; bodies stream, SSE included) and shows each one live: who called (a user, an agent\n" +
			"identity, a managed identity, a key), the bearer token decoded without its signature and checked\n" +
			"against what the server expects (--config: audience, scopes, the agent identity, needs_user), and the\n" +
			"server's answer with its challenge. It listens on loopback; expose it through a dev tunnel to let\n" +
			"Foundry reach it. --json writes one JSON object per request, in arrival order.",
		Example: "  oboscope tap --listen 127.0.0.1:8808 --upstream http://127.0.0.1:8000/mcp --as mcp\n" +
			"  oboscope tap --listen 127.0.0.1:8808 --upstream https://mcp.contoso.example --config oboscope.yaml --json > requests.ndjson\n" +
			"  devtunnel host -p 8808 --allow-anonymous          # then point Foundry's MCP tool at the tunnel",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Upstream == "" {
				return errors.New("tap: --upstream is required (the URL of your agent API or MCP server)")
			}
			if configPath != "" {
				cfg, err := flows.LoadConfig(configPath, os.Getenv)
				if err != nil {
					return err
				}
				opts.Config = &cfg
			}
			if !opts.JSON && isTTY(stdout) && isTTY(stderr) {
				return exit(ui.RunTap(cmd.Context(), opts.TapOptions, stderr))
			}
			return exit(report.RunTap(cmd.Context(), opts, stdout, stderr))
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Listen, "listen", "127.0.0.1:8808", "address to listen on (loopback unless --allow-remote)")
	f.StringVar(&opts.Upstream, "upstream", "", "the agent API or MCP server to forward to (https, or http to loopback)")
	f.StringVar(&opts.As, "as", "mcp", "what the upstream is: agent (an agent API) or mcp (an MCP server)")
	f.StringVar(&configPath, "config", "", "config file whose agent or mcp section says what the upstream expects")
	f.BoolVar(&opts.JSON, "json", false, "write one JSON object per request (NDJSON) instead of the interactive view")
	f.BoolVar(&opts.AllowRemote, "allow-remote", false, "listen on an address other machines can reach (the tap shows every token it forwards)")
	return cmd
}
