package flows

import (
	"fmt"
	"io"
)

// InspectOptions are the inputs of `oboscope inspect`.
type InspectOptions struct {
	Token        string    // the argument; "-" reads Stdin
	File         string    // --file
	Clipboard    bool      // --clipboard
	Stdin        io.Reader // standard input
	JSON         bool      // --json
	Now          string    // --now, RFC 3339; "" = the real clock
	ExpectAud    string
	ExpectScopes []string
	ExpectTenant string
	Color        bool // colour the text output (a TTY, NO_COLOR unset)
}

// RunInspect is a placeholder the inspect work replaces.
func RunInspect(opts InspectOptions, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "oboscope: inspect is not built yet")
	return 2
}

// RunExplain is a placeholder the inspect work replaces.
func RunExplain(id string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "oboscope: explain is not built yet")
	return 2
}

// ReadTokenInput is a placeholder the inspect work replaces: it reads the token named by opts
// (argument, "-" for stdin, --file, --clipboard).
func ReadTokenInput(opts InspectOptions) (string, error) {
	return "", fmt.Errorf("inspect: not built yet")
}
