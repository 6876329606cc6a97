package sandbox

import (
	"context"
	"fmt"
	"io"

	"github.com/oboscope/oboscope/flows"
)

// CommandOptions are the flags of `oboscope sandbox`.
type CommandOptions struct {
	Addr        string
	Scenario    string
	AutoApprove bool
	WriteConfig string
}

// RunCommand is a placeholder the sandbox work replaces.
func RunCommand(ctx context.Context, opts CommandOptions, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "oboscope: sandbox is not built yet")
	return 2
}

// RunScenarios is a placeholder the sandbox work replaces.
func RunScenarios(asJSON bool, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "oboscope: scenarios is not built yet")
	return 2
}

// StartForWalk is a placeholder the sandbox work replaces: it starts an embedded sandbox for
// `check --sandbox` and the TUI, and returns the Config pointing at it and a stop function.
func StartForWalk(ctx context.Context, scenario string) (cfg flows.Config, stop func(), err error) {
	return cfg, func() {}, fmt.Errorf("sandbox: not built yet")
}
