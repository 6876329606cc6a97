package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/atotto/clipboard"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
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
	// Context ends a read of standard input that never ends (Ctrl-C); nil = never.
	Context context.Context

	// Clock returns the current time when Now is empty; nil = time.Now.
	Clock func() time.Time
	// Location is the time zone of times in text output; nil = time.Local.
	Location *time.Location
	// ReadClipboard reads the clipboard for --clipboard; nil = github.com/atotto/clipboard.
	ReadClipboard func() (string, error)
}

// InspectJSON is the document `oboscope inspect --json` prints.
type InspectJSON struct {
	Token    *InspectedToken   `json:"token"`
	Findings []inspect.Finding `json:"findings"`
}

// InspectedToken is the token part of InspectJSON.
type InspectedToken struct {
	Kind        inspect.Kind             `json:"kind"`
	Version     string                   `json:"version"`
	Format      inspect.Format           `json:"format"`
	Principal   inspect.Principal        `json:"principal"`
	RawRedacted string                   `json:"raw_redacted"`
	Header      map[string]any           `json:"header"`
	Claims      map[string]any           `json:"claims"`
	Explained   []inspect.ExplainedClaim `json:"explained"`
}

// InspectResult is what inspecting one token produced: the token (nil when it could not be
// decoded), the decode error, and the findings, sorted.
type InspectResult struct {
	Token    *inspect.Token
	Err      error
	Findings []inspect.Finding
	Now      time.Time
}

// ExitCode is 2 when the token could not be decoded, 1 when a finding is an error, else 0.
func (r InspectResult) ExitCode() int {
	if r.Err != nil {
		return 2
	}
	if e, _, _ := inspect.CountBySeverity(r.Findings); e > 0 {
		return 1
	}
	return 0
}

// InspectToken decodes raw and lints it against the expectations in opts. A bad --now or
// --expect-tenant is returned as an error; an undecodable token is reported in the result
// (Err, and the token.malformed finding).
func InspectToken(raw string, opts InspectOptions) (InspectResult, error) {
	now, err := opts.now()
	if err != nil {
		return InspectResult{}, err
	}
	if opts.ExpectTenant != "" && !inspect.IsGUID(opts.ExpectTenant) {
		return InspectResult{}, fmt.Errorf("inspect: --expect-tenant must be a tenant ID (GUID), not %q", opts.ExpectTenant)
	}
	res := InspectResult{Now: now}
	// A pasted token response (`az account get-access-token` without -o tsv) holds the token.
	tok, err := inspect.DecodeUnverified(inspect.UnwrapTokenResponse(raw))
	if err != nil {
		res.Err = err
		res.Findings = []inspect.Finding{inspect.MalformedTokenFinding("token", err)}
		return res, nil
	}
	exp := inspect.Expectations{Scopes: opts.ExpectScopes, TenantID: opts.ExpectTenant, Now: now,
		AllowIDToken: opts.ExpectAud == "" && len(opts.ExpectScopes) == 0}
	if opts.ExpectAud != "" {
		exp.Audiences = []string{opts.ExpectAud}
	}
	res.Token = tok
	res.Findings = inspect.LintToken(tok, "token", exp)
	inspect.SortFindings(res.Findings)
	return res, nil
}

func (o InspectOptions) now() (time.Time, error) {
	if o.Now != "" {
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(o.Now))
		if err != nil {
			return time.Time{}, fmt.Errorf("inspect: --now must be an RFC 3339 time such as 2025-01-02T15:04:05Z, not %q", o.Now)
		}
		return t, nil
	}
	if o.Clock != nil {
		return o.Clock(), nil
	}
	return time.Now(), nil
}

// RunInspect runs `oboscope inspect` and returns its exit code: 0 no error finding, 1 an error
// finding, 2 the token could not be read or decoded (one line on stderr; with --json the
// document still names token.malformed and why).
func RunInspect(opts InspectOptions, stdout, stderr io.Writer) int {
	raw, err := ReadTokenInput(opts)
	if err != nil {
		fmt.Fprintf(stderr, "oboscope: %s\n", safe(err.Error()))
		return 2
	}
	res, err := InspectToken(raw, opts)
	if err != nil {
		fmt.Fprintf(stderr, "oboscope: %s\n", safe(err.Error()))
		return 2
	}
	if res.Err != nil {
		fmt.Fprintf(stderr, "oboscope: %s\n", safe(res.Err.Error()))
	}
	if opts.JSON {
		if err := WriteInspectJSON(stdout, res); err != nil {
			fmt.Fprintf(stderr, "oboscope: inspect: writing JSON: %v\n", err)
			return 2
		}
		return res.ExitCode()
	}
	if res.Err != nil {
		return 2
	}
	if err := WriteInspectText(stdout, res, Style{Color: opts.Color, Location: opts.Location}); err != nil {
		fmt.Fprintf(stderr, "oboscope: inspect: writing output: %v\n", err)
		return 2
	}
	return res.ExitCode()
}

// WriteInspectJSON writes the DESIGN.md document of `inspect --json` for res.
func WriteInspectJSON(w io.Writer, res InspectResult) error {
	doc := InspectJSON{Findings: res.Findings}
	if doc.Findings == nil {
		doc.Findings = []inspect.Finding{}
	}
	if t := res.Token; t != nil {
		doc.Token = &InspectedToken{Kind: t.Kind, Version: t.Version, Format: t.Format, Principal: t.Principal,
			RawRedacted: inspect.RedactToken(t.Raw), Header: t.Header, Claims: t.Claims, Explained: t.Explain()}
		if doc.Token.Header == nil {
			doc.Token.Header = map[string]any{}
		}
		if doc.Token.Claims == nil {
			doc.Token.Claims = map[string]any{}
		}
		if doc.Token.Explained == nil {
			doc.Token.Explained = []inspect.ExplainedClaim{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// ReadTokenInput reads the token named by opts: the argument, "-" for standard input, --file, or
// --clipboard. With none of them it reads standard input when that is not a terminal. Giving
// more than one source is an error.
func ReadTokenInput(opts InspectOptions) (string, error) {
	sources := 0
	for _, set := range []bool{opts.Token != "", opts.File != "", opts.Clipboard} {
		if set {
			sources++
		}
	}
	if sources > 1 {
		return "", errors.New("inspect: give the token one way only: an argument, '-', --file or --clipboard")
	}
	switch {
	case opts.Token == "-":
		return readLimited(opts.Context, opts.Stdin, "standard input")
	case opts.Token != "":
		return opts.Token, nil
	case opts.File != "":
		// A regular file of at most 1 MiB, opened without blocking (a FIFO without a writer,
		// /dev/zero or a directory is refused with one line); what it holds beyond the longest
		// token is left for the decoder to call too long.
		b, err := flows.ReadInputFile(context.Background(), opts.File, flows.MaxInputFile)
		if err != nil {
			return "", fmt.Errorf("inspect: --file: %w", err)
		}
		return string(b[:min(len(b), inspect.MaxTokenLength+1)]), nil
	case opts.Clipboard:
		read := opts.ReadClipboard
		if read == nil {
			read = clipboard.ReadAll
		}
		s, err := read()
		if err != nil {
			if strings.Contains(err.Error(), "No clipboard utilities") {
				// atotto/clipboard's own sentence repeats ours; say it once, with a way out.
				return "", errors.New("inspect: --clipboard: no clipboard tool found: install xclip, xsel or wl-clipboard, or pipe the token in (… | oboscope inspect -)")
			}
			return "", fmt.Errorf("inspect: --clipboard: cannot read the clipboard (needs xclip, xsel or wl-clipboard on Linux): %w", err)
		}
		return s, nil
	}
	if f, ok := opts.Stdin.(*os.File); ok && opts.Stdin != nil {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice == 0 {
			return readLimited(opts.Context, f, "standard input")
		}
	}
	return "", errors.New("inspect: no token given: pass it as an argument, '-' to read standard input, --file FILE or --clipboard")
}

// readLimited reads a token from r, until ctx is done. It stops after inspect.MaxTokenLength+1
// bytes: what it returns is judged by the decoder, which names an empty or oversized input as such.
func readLimited(ctx context.Context, r io.Reader, name string) (string, error) {
	if r == nil {
		return "", fmt.Errorf("inspect: %s is not available", name)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	b, err := flows.ReadAllContext(ctx, io.LimitReader(r, inspect.MaxTokenLength+1), inspect.MaxTokenLength+1)
	if ctx.Err() != nil {
		return "", fmt.Errorf("inspect: interrupted while reading %s", name)
	}
	if err != nil {
		return "", fmt.Errorf("inspect: reading %s: %w", name, err)
	}
	return string(b), nil
}
