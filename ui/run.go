package ui

import (
	"context"
	"fmt"
	"io"

	"github.com/oboscope/oboscope/flows"
)

// Options start the TUI walk.
type Options struct {
	ConfigPath string // live mode when set
	Config     flows.Config
	Scenario   string // sandbox mode: the first scenario
	Version    string
}

// Run is a placeholder the ui work replaces.
func Run(ctx context.Context, opts Options, stderr io.Writer) int {
	fmt.Fprintln(stderr, "oboscope: the TUI is not built yet")
	return 2
}

// RunInspect is a placeholder the ui work replaces: the interactive view of one token.
func RunInspect(ctx context.Context, raw string, opts flows.InspectOptions, stderr io.Writer) int {
	fmt.Fprintln(stderr, "oboscope: the TUI is not built yet")
	return 2
}
