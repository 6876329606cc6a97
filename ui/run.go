package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/atotto/clipboard"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
)

// ScenarioInfo is a sandbox scenario as the picker lists it.
type ScenarioInfo struct {
	Name   string
	Change string
	Expect []string
}

// Options start the TUI walk. main wires them: it loads the config, or hands over the function
// that starts the sandbox and the scenarios it knows (ui never imports the sandbox).
type Options struct {
	// Config is the loaded configuration of a live walk; ConfigPath names its file (shown in the
	// title) and ConfigImplicit says it was ./oboscope.yaml, picked up without --config.
	Config         *flows.Config
	ConfigPath     string
	ConfigImplicit bool
	// StartSandbox starts the embedded sandbox on a scenario (sandbox mode, when Config is nil);
	// Scenarios lists the scenarios the picker offers; Scenario is the first one walked.
	StartSandbox SandboxStarter
	Scenarios    []ScenarioInfo
	Scenario     string
	Version      string
	// ExportDir is where e / E write reports; "" is the working directory.
	ExportDir string
	// Step walks one hop at a time, each waiting for space before it sends its request; Pace
	// turns the steps by themselves after that long (and implies Step).
	Step bool
	Pace time.Duration
}

// Run is `oboscope` with no command: the TUI walk, live with a config and on the embedded
// sandbox otherwise. It returns the exit code: 0 no error finding, 1 an error finding in the
// last walk, 2 could not run.
func Run(ctx context.Context, opts Options, stderr io.Writer) int {
	mc := modelConfig{
		mode:           "sandbox",
		version:        opts.Version,
		ctx:            ctx,
		scenario:       opts.Scenario,
		startSandbox:   opts.StartSandbox,
		scenarios:      scenarioInfos(opts.Scenarios),
		exportDir:      opts.ExportDir,
		isDark:         true,
		autoApprove:    true,
		configPath:     opts.ConfigPath,
		configImplicit: opts.ConfigImplicit,
		step:           opts.Step,
		pace:           opts.Pace,
	}
	if mc.scenario == "" {
		mc.scenario = "healthy"
	}
	switch {
	case opts.Config != nil:
		mc.mode, mc.cfg, mc.scenario = "live", *opts.Config, ""
	case opts.StartSandbox == nil:
		fmt.Fprintln(stderr, "oboscope: ui: neither a config nor a sandbox to walk")
		return 2
	}
	if mc.cfg.Signin.TokenFile == "-" {
		fmt.Fprintln(stderr, "oboscope: signin.token_file '-' reads standard input, which the interface needs for the keyboard; use `oboscope check`, or a token_file path")
		return 2
	}
	mc.walkOpts.OpenURL = openBrowser
	return runProgram(ctx, mc, stderr)
}

// RunInspect is `oboscope inspect` on a terminal: the Claims / Findings / Raw view of one token.
// A pasted token replaces it. The exit code follows the token's findings.
func RunInspect(ctx context.Context, raw string, opts report.InspectOptions, stderr io.Writer) int {
	mc := modelConfig{mode: "inspect", ctx: ctx, rawToken: raw, inspectOpts: opts, isDark: true}
	if opts.Now != "" {
		at, err := time.Parse(time.RFC3339, opts.Now)
		if err != nil {
			fmt.Fprintf(stderr, "oboscope: inspect: --now must be RFC 3339 (2006-01-02T15:04:05Z): %v\n", err)
			return 2
		}
		mc.now = func() time.Time { return at }
	}
	return runProgram(ctx, mc, stderr)
}

// runProgram runs the bubbletea program and cleans up what the walk started.
func runProgram(ctx context.Context, mc modelConfig, stderr io.Writer) int {
	mc.clipboard = systemClipboard
	if mc.exportDir == "" {
		mc.exportDir = "."
	}
	m := newModel(mc)
	p := tea.NewProgram(m, tea.WithContext(ctx))
	_, err := p.Run()
	m.shutdown()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "oboscope: ui: %v\n", err)
		return 2
	}
	return m.exitCode()
}

// systemClipboard writes to the system clipboard when a tool for it exists (xclip, xsel,
// wl-copy, pbcopy, Windows).
func systemClipboard(text string) error {
	if clipboard.Unsupported {
		return errors.New("ui: no system clipboard tool")
	}
	return clipboard.WriteAll(text)
}

// scenarioInfos converts the scenarios main hands over for the picker.
func scenarioInfos(in []ScenarioInfo) []scenarioInfo {
	out := make([]scenarioInfo, len(in))
	for i, sc := range in {
		out[i] = scenarioInfo(sc)
	}
	return out
}
