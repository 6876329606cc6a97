package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// TapEventJSON is one line of `oboscope tap --json` (DESIGN.md; fields may be added, never
// renamed): one object per request, in arrival order.
type TapEventJSON struct {
	Seq        int64             `json:"seq"`
	Conn       int64             `json:"conn"`
	Time       string            `json:"time"`
	Method     string            `json:"method"`
	Path       string            `json:"path"`
	Status     int               `json:"status"`
	DurationMS float64           `json:"duration_ms"`
	As         string            `json:"as"`
	RPC        string            `json:"rpc,omitempty"`
	Caller     TapCallerJSON     `json:"caller"`
	Token      *TapTokenJSON     `json:"token"`
	Challenge  *string           `json:"challenge"`
	Findings   []inspect.Finding `json:"findings"`
	Error      string            `json:"error,omitempty"`
}

// TapCallerJSON says who called: the kind (user, agent_identity, managed_identity, app, key,
// anonymous), the Foundry MCP authentication it reveals, and a one-line summary of its token.
type TapCallerJSON struct {
	Kind     inspect.CallerKind `json:"kind"`
	AuthMode string             `json:"auth_mode"`
	Summary  string             `json:"summary,omitempty"`
}

// TapTokenJSON is the bearer token without its signature, decoded.
type TapTokenJSON struct {
	RawRedacted string         `json:"raw_redacted"`
	Header      map[string]any `json:"header"`
	Claims      map[string]any `json:"claims"`
}

// TapJSON renders a tap event as its JSON line's object; names names the apps of the config.
func TapJSON(ev flows.TapEvent, names inspect.AppNames) TapEventJSON {
	out := TapEventJSON{Seq: ev.Seq, Conn: ev.Conn, Time: ev.Time.UTC().Format(time.RFC3339Nano), Method: ev.Method, Path: ev.Path,
		Status: ev.Status, DurationMS: float64(ev.Duration.Microseconds()) / 1000, As: ev.As, RPC: ev.RPC, Error: ev.Err,
		Caller:   TapCallerJSON{Kind: ev.Caller, AuthMode: inspect.FoundryAuthMode(ev.Caller)},
		Findings: append([]inspect.Finding{}, ev.Findings...)}
	if ev.Token != nil && ev.Token.Token != nil {
		out.Token = &TapTokenJSON{RawRedacted: ev.Token.Redacted(), Header: ev.Token.Token.Header, Claims: ev.Token.Token.Claims}
		out.Caller.Summary = inspect.Summarize(ev.Token.Token, names).Text()
	}
	if ev.Challenge != "" {
		c := ev.Challenge
		out.Challenge = &c
	}
	return out
}

// TapLine is a tap event as one line of text: time, request, answer, caller, findings.
func TapLine(ev flows.TapEvent, names inspect.AppNames) string {
	status := fmt.Sprint(ev.Status)
	if ev.Status == 0 {
		status = "---"
	}
	what := ev.Method + " " + ev.Path
	if ev.RPC != "" {
		what += " (" + ev.RPC + ")"
	}
	who := string(ev.Caller)
	if ev.Token != nil && ev.Token.Token != nil {
		who += ": " + inspect.Summarize(ev.Token.Token, names).Text()
	}
	line := fmt.Sprintf("%s #%d %s → %s  %s", ev.Time.Local().Format("15:04:05"), ev.Seq, what, status, who)
	var ids []string
	for _, f := range ev.Findings {
		ids = append(ids, string(f.Severity)+" "+f.ID)
	}
	if len(ids) > 0 {
		line += "  [" + strings.Join(ids, ", ") + "]"
	}
	if ev.Err != "" {
		line += "  (" + ev.Err + ")"
	}
	return safe(line)
}

// TapOptions are the inputs of `oboscope tap` without the TUI.
type TapOptions struct {
	flows.TapOptions
	JSON bool // one JSON object per line; else one line of text per request
}

// RunTap runs the tap until ctx ends, writing one line per request to stdout. It returns 0 when
// no request raised an error finding, 1 when one did, 2 when the tap could not start.
func RunTap(ctx context.Context, opts TapOptions, stdout, stderr io.Writer) int {
	var names inspect.AppNames
	if opts.Config != nil {
		names = opts.Config.AppNames()
	}
	var mu sync.Mutex
	worst := 0
	var writeErr error
	opts.OnEvent = func(ev flows.TapEvent) {
		mu.Lock()
		defer mu.Unlock()
		if e, _, _ := inspect.CountBySeverity(ev.Findings); e > 0 {
			worst = 1
		}
		var line string
		if opts.JSON {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(TapJSON(ev, names)); err != nil {
				writeErr = err
				return
			}
			line = inspect.PrintableJSON(buf.String())
		} else {
			line = TapLine(ev, names) + "\n"
		}
		if _, err := io.WriteString(stdout, line); err != nil && writeErr == nil {
			writeErr = err
		}
	}
	tap, err := flows.StartTap(opts.TapOptions)
	if err != nil {
		fmt.Fprintf(stderr, "oboscope: %v\n", err)
		return 2
	}
	fmt.Fprintf(stderr, "oboscope tap: %s → %s (as %s). Point your client at %s/…; Ctrl-C stops.\n", tap.URL(), tap.Upstream(), tap.As(), tap.URL())
	select {
	case <-ctx.Done():
	case <-tap.Done():
	}
	if err := tap.Close(); err != nil {
		fmt.Fprintf(stderr, "oboscope: tap: %v\n", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if writeErr != nil {
		fmt.Fprintf(stderr, "oboscope: tap: writing the events: %v\n", writeErr)
		return 2
	}
	return worst
}
