package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/oboscope/oboscope/flows"
)

// CheckOptions are the inputs of `oboscope check` once a Config exists.
type CheckOptions struct {
	Mode     string // sandbox | live
	Scenario string
	Format   string // text | json | markdown (any case)
	Output   string // file, "" = stdout
	Color    bool
	// Stdin is read when signin.token_file is "-".
	Stdin io.Reader
	// Timeout bounds every network call (0: flows.DefaultTimeout).
	Timeout time.Duration
	// WalkTimeout bounds the whole walk (0: flows.DefaultWalkTimeout).
	WalkTimeout time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// RunCheck runs the whole walk headless and writes the report. It returns the exit code: 0 no
// error finding, 1 at least one error finding or failed hop, 2 could not run (invalid config,
// or no hop got any answer).
func RunCheck(ctx context.Context, cfg flows.Config, opts CheckOptions, stdout, stderr io.Writer) int {
	format, ok := NormalizeFormat(opts.Format)
	if !ok {
		fmt.Fprintf(stderr, "oboscope: check: unknown format %q (text, json or markdown)\n", opts.Format)
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "oboscope: %s\n", safe(err.Error()))
		return 2
	}
	walk := flows.NewWalk(cfg, flows.WalkOptions{
		Mode: opts.Mode, Scenario: opts.Scenario, Stdin: opts.Stdin, Timeout: opts.Timeout, WalkTimeout: opts.WalkTimeout, Now: opts.Now,
		AutoApproved: opts.Mode == "sandbox",
	})
	defer walk.Close()
	var rep flows.Report
	for ev := range walk.Run(ctx) {
		switch ev.Kind {
		case flows.EventDeviceCode:
			if !ev.DeviceCode.AutoApproved {
				fmt.Fprintf(stderr, "%s\n", safe(ev.DeviceCode.Instructions()))
			}
		case flows.EventWalkDone:
			rep = *ev.Report
		}
	}
	if rep.Hops == nil {
		rep = walk.Report()
	}
	var buf bytes.Buffer
	st := Style{Color: opts.Color && opts.Output == ""}
	if err := write(&buf, rep, format, st); err != nil {
		fmt.Fprintf(stderr, "oboscope: %s\n", safe(err.Error()))
		return 2
	}
	if opts.Output != "" {
		if err := flows.WritePrivateFile(opts.Output, buf.Bytes()); err != nil {
			fmt.Fprintf(stderr, "oboscope: check: %s\n", safe(err.Error()))
			return 2
		}
		fmt.Fprintf(stderr, "oboscope: check: report written to %s\n", safe(opts.Output))
	} else if _, err := stdout.Write(buf.Bytes()); err != nil {
		return 2
	}
	if opts.Output != "" || format != "text" {
		for _, h := range rep.Hops {
			if h.Err != "" {
				fmt.Fprintf(stderr, "oboscope: %s\n", safe(h.Err))
			}
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "oboscope: check: interrupted")
		return 2
	}
	return rep.ExitCode()
}
