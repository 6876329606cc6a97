package flows

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// StoryTellsError reports whether a hop's story already tells its error (the same text, or the
// same AADSTS code): reports and the TUI then do not show the error line again.
func (h HopResult) StoryTellsError() bool {
	if h.Story == "" || h.Err == "" {
		return false
	}
	e := strings.TrimPrefix(h.Err, string(h.ID)+": ")
	if strings.Contains(h.Story, e) || strings.Contains(h.Story, clip(e, 60)) {
		return true
	}
	if len(e) > 60 && strings.Contains(h.Story, strings.TrimSuffix(clip(e, 60), "…")) {
		return true
	}
	for _, code := range aadstsRe.FindAllString(e, -1) {
		if strings.Contains(h.Story, code) {
			return true
		}
	}
	return false
}

var aadstsRe = regexp.MustCompile(`AADSTS\d+`)

// String says "1 error, 2 warnings, 0 info", and names the hops that failed.
func (s Summary) String() string {
	plural := func(n int, one, many string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	out := plural(s.Errors, "error", "errors") + ", " + plural(s.Warnings, "warning", "warnings") + ", " + fmt.Sprintf("%d info", s.Infos)
	if len(s.FailedHops) > 0 {
		names := make([]string, len(s.FailedHops))
		for i, id := range s.FailedHops {
			names[i] = string(id)
		}
		out += "; " + plural(len(names), "hop", "hops") + " failed: " + strings.Join(names, ", ")
	}
	return out
}

// ExitCode is a finished walk's exit code: 2 when nothing could run (no hop obtained a token,
// and no hop both got an answer from a server and raised a finding about it — findings about the
// configuration alone, with nothing reachable, do not count), 1 when there is an error finding or
// a failed hop, 0 otherwise.
func (r Report) ExitCode() int {
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

// Findings returns every finding of the walk, sorted.
func (r Report) Findings() []inspect.Finding {
	var out []inspect.Finding
	for _, h := range r.Hops {
		out = append(out, h.Findings...)
	}
	inspect.SortFindings(out)
	return out
}

// ClaimsChallenge returns the claims challenge the walk received, the OBO hop's (Entra's own)
// before one an API relayed; "" when none.
func (r Report) ClaimsChallenge() string {
	var relayed string
	for _, h := range r.Hops {
		switch {
		case h.ClaimsChallenge == "":
		case h.ID == HopOBO:
			return h.ClaimsChallenge
		case relayed == "":
			relayed = h.ClaimsChallenge
		}
	}
	return relayed
}
