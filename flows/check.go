package flows

import (
	"context"
	"fmt"
	"io"
)

// CheckOptions are the inputs of `oboscope check` once a Config exists.
type CheckOptions struct {
	Mode     string // sandbox | live
	Scenario string
	Format   string // text | json | markdown
	Output   string // file, "" = stdout
	Color    bool
}

// RunCheck is a placeholder the walk work replaces.
func RunCheck(ctx context.Context, cfg Config, opts CheckOptions, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "oboscope: check is not built yet")
	return 2
}

// LoadConfig is a placeholder the walk work replaces: it reads a YAML or JSON config file, fills
// what it leaves out from AZURE_* variables (env), and validates the result.
func LoadConfig(path string, env func(string) string) (Config, error) {
	return Config{}, fmt.Errorf("config: not built yet")
}
