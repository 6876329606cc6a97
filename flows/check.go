package flows

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// CheckOptions are the inputs of `oboscope check` once a Config exists.
type CheckOptions struct {
	Mode     string // sandbox | live
	Scenario string
	Format   string // text | json | markdown
	Output   string // file, "" = stdout
	Color    bool
	// Stdin is read when signin.token_file is "-".
	Stdin io.Reader
	// Timeout bounds every network call (0: DefaultTimeout).
	Timeout time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// RunCheck runs the whole walk headless and writes the report. It returns the exit code: 0 no
// error finding, 1 at least one error finding or failed hop, 2 could not run (invalid config,
// or no hop got any answer).
func RunCheck(ctx context.Context, cfg Config, opts CheckOptions, stdout, stderr io.Writer) int {
	switch opts.Format {
	case "", "text", "json", "markdown", "md":
	default:
		fmt.Fprintf(stderr, "oboscope: check: unknown format %q (text, json or markdown)\n", opts.Format)
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "oboscope: %v\n", err)
		return 2
	}
	walk := NewWalk(cfg, WalkOptions{
		Mode: opts.Mode, Scenario: opts.Scenario, Stdin: opts.Stdin, Timeout: opts.Timeout, Now: opts.Now,
		AutoApproved: opts.Mode == "sandbox",
	})
	defer walk.Close()
	var rep Report
	for ev := range walk.Run(ctx) {
		switch ev.Kind {
		case EventDeviceCode:
			if !ev.DeviceCode.AutoApproved {
				fmt.Fprintf(stderr, "%s\n", termSafe(oneLine(valueOr(ev.DeviceCode.Message,
					fmt.Sprintf("To sign in, open %s and enter the code %s", ev.DeviceCode.VerificationURL, ev.DeviceCode.UserCode)))))
			}
		case EventWalkDone:
			rep = *ev.Report
		}
	}
	if rep.Hops == nil {
		rep = walk.Report()
	}
	var buf bytes.Buffer
	color := opts.Color && opts.Output == ""
	if err := writeReport(&buf, rep, opts.Format, color); err != nil {
		fmt.Fprintf(stderr, "oboscope: %v\n", err)
		return 2
	}
	if opts.Output != "" {
		if err := os.WriteFile(opts.Output, buf.Bytes(), 0o600); err != nil {
			fmt.Fprintf(stderr, "oboscope: check: %v\n", err)
			return 2
		}
	} else if _, err := stdout.Write(buf.Bytes()); err != nil {
		return 2
	}
	if opts.Output != "" || (opts.Format != "text" && opts.Format != "") {
		for _, h := range rep.Hops {
			if h.Err != "" {
				fmt.Fprintf(stderr, "oboscope: %s\n", h.Err)
			}
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "oboscope: check: interrupted")
		return 2
	}
	return ExitCode(rep)
}

// ExitCode is a finished walk's exit code: 2 when nothing could run (no hop obtained a token,
// and no hop both got an answer from a server and raised a finding about it — findings about the
// configuration alone, with nothing reachable, do not count), 1 when there is an error finding or
// a failed hop, 0 otherwise.
func ExitCode(r Report) int {
	ran := false
	for _, h := range r.Hops {
		if len(h.Tokens) > 0 {
			ran = true
		}
		for _, x := range h.Exchanges {
			if x.Status != 0 && len(h.Findings) > 0 {
				ran = true
			}
		}
	}
	if !ran {
		return 2
	}
	if r.Summary.Errors > 0 {
		return 1
	}
	for _, h := range r.Hops {
		if h.Status == StatusFailed {
			return 1
		}
	}
	return 0
}
