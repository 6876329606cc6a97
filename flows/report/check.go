package report

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
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
	// WaitConsent waits, when a Foundry agent asks the user's consent, for a line on Stdin (the
	// person consented) and then lets the agent hop ask again; without it the consent is reported
	// as pending.
	WaitConsent bool
	// Version is oboscope's version, which the Markdown report names.
	Version string
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
	wo := flows.WalkOptions{
		Mode: opts.Mode, Scenario: opts.Scenario, Stdin: opts.Stdin, Timeout: opts.Timeout, WalkTimeout: opts.WalkTimeout, Now: opts.Now,
		AutoApproved: opts.Mode == "sandbox",
	}
	if opts.WaitConsent && opts.Stdin != nil {
		wo.AwaitConsent = awaitConsentLine(opts.Stdin, stderr)
	}
	walk := flows.NewWalk(cfg, wo)
	defer walk.Close()
	var rep flows.Report
	for ev := range walk.Run(ctx) {
		switch ev.Kind {
		case flows.EventDeviceCode:
			if !ev.DeviceCode.AutoApproved {
				fmt.Fprintf(stderr, "%s\n", safe(ev.DeviceCode.Instructions()))
			}
		case flows.EventConsent:
			if wo.AwaitConsent != nil {
				break // awaitConsentLine says it, then waits
			}
			fmt.Fprintf(stderr, "oboscope: the Foundry agent %s asks your consent for %s: open %s\n", safe(ev.Consent.Agent),
				safe(valueOr(ev.Consent.ServerLabel, "its tool")), safe(ev.Consent.Link))
		case flows.EventWalkDone:
			rep = *ev.Report
		}
	}
	if rep.Hops == nil {
		rep = walk.Report()
	}
	var buf bytes.Buffer
	st := Style{Color: opts.Color && opts.Output == ""}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	if err := write(&buf, rep, format, st, Meta{Version: opts.Version, At: now()}); err != nil {
		fmt.Fprintf(stderr, "oboscope: %s\n", safe(err.Error()))
		return 2
	}
	if opts.Output != "" {
		if err := flows.WritePrivateFile(opts.Output, buf.Bytes()); err != nil {
			fmt.Fprintf(stderr, "oboscope: check: %s\n", safe(err.Error()))
			return 2
		}
		where := opts.Output
		if abs, err := filepath.Abs(where); err == nil {
			where = abs
		}
		fmt.Fprintf(stderr, "oboscope: check: report written to %s\n", safe(where))
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

// awaitConsentLine waits for the person to press Enter once they consented (a line on in), or for
// the walk to be cancelled.
func awaitConsentLine(in io.Reader, stderr io.Writer) func(context.Context, flows.ConsentRequest) error {
	lines := make(chan error, 1)
	r := bufio.NewReader(in)
	return func(ctx context.Context, c flows.ConsentRequest) error {
		fmt.Fprintf(stderr, "oboscope: the Foundry agent %s asks your consent for %s: open %s\n", safe(c.Agent), safe(valueOr(c.ServerLabel, "its tool")), safe(c.Link))
		fmt.Fprintln(stderr, "oboscope: press Enter once you have consented (Ctrl-C to stop)")
		go func() {
			_, err := r.ReadString('\n')
			lines <- err
		}()
		select {
		case err := <-lines:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// valueOr is s, or def when s is empty.
func valueOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
