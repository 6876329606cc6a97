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

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var configPath, scenario string
	var useSandbox bool
	root := &cobra.Command{
		Use:   "oboscope",
		Short: "Walk an Entra ID On-Behalf-Of chain for AI agents hop by hop and explain what is wrong",
		Long: "oboscope walks every hop of a Microsoft Entra ID delegated-auth chain used by AI agents —\n" +
			"user sign-in, agent call, On-Behalf-Of exchange, MCP call, and the MCP server's own\n" +
			"downstream exchange — shows the tokens at each hop and flags every misconfiguration with\n" +
			"its cause and its fix. Without --config (or ./oboscope.yaml) it runs on the embedded sandbox tenant.",
		Version:       fmt.Sprintf("%s (commit %s, built %s)", version, commit, date),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := resolveTarget(cmd, useSandbox, configPath, scenario)
			if err != nil {
				return err
			}
			opts := ui.Options{Scenario: t.scenario, Version: version, Scenarios: uiScenarios()}
			if t.sandbox {
				opts.StartSandbox = sandbox.StartForWalk
			} else {
				cfg, err := flows.LoadConfigContext(cmd.Context(), t.config, os.Getenv)
				if err != nil {
					return err
				}
				opts.Config, opts.ConfigPath, opts.ConfigImplicit = &cfg, t.config, t.implicit
			}
			return exit(ui.Run(cmd.Context(), opts, stderr))
		},
	}
	root.Flags().BoolVar(&useSandbox, "sandbox", false, "walk the embedded sandbox tenant (the default without a config)")
	root.Flags().StringVar(&configPath, "config", "", "config file (YAML or JSON) for a live tenant; default ./oboscope.yaml if present, else the sandbox")
	root.Flags().StringVar(&scenario, "scenario", "healthy", "sandbox scenario to start with (see: oboscope scenarios)")
	root.SetVersionTemplate("oboscope {{.Version}}\n")
	root.AddCommand(newCheck(stdin, stdout, stderr), newInspect(stdin, stdout, stderr), newSandbox(stdout, stderr),
		newScenarios(stdout, stderr), newExplain(stdout, stderr))
	return root
}

func newCheck(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var useSandbox bool
	var configPath string
	opts := report.CheckOptions{Stdin: stdin}
	cmd := &cobra.Command{
		Use:   "check [--sandbox | --config FILE] [--scenario S] [--format text|json|markdown]",
		Short: "Run the walk headless and print a report (for CI and support tickets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, ok := report.NormalizeFormat(opts.Format)
			if !ok {
				return fmt.Errorf("check: --format must be text, json or markdown, not %q", opts.Format)
			}
			opts.Format = format
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
	return cmd
}

func newInspect(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	opts := report.InspectOptions{Stdin: stdin}
	cmd := &cobra.Command{
		Use:   "inspect [TOKEN | -]",
		Short: "Decode one token, explain every claim and list what is wrong with it",
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
		Short: "Run the sandbox tenant alone (authority, agent API, MCP server, Graph) on loopback",
		Args:  cobra.NoArgs,
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
	return cmd
}

func newScenarios(stdout, stderr io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "scenarios [--json]",
		Short: "List the sandbox scenarios and the findings each must raise",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return exit(sandbox.RunScenarios(asJSON, stdout, stderr))
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newExplain(stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "explain ID",
		Short: "Explain one finding: what it means, why it happens and how to fix it",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return exit(report.RunExplain(args[0], stdout, stderr))
		},
	}
}
