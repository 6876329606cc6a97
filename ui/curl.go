package ui

import (
	"net/http"
	"sort"
	"strings"

	"github.com/oboscope/oboscope/flows"
)

// curlCommand is a recorded request as a curl command line, as the record holds it: redacted —
// secrets read [redacted], tokens lack their signature — so it shows what was sent and can be
// replayed once the placeholders are filled in, never leaking what was redacted.
func curlCommand(x flows.Exchange) string {
	parts := []string{"curl"}
	if x.Method != "" && x.Method != http.MethodGet {
		parts = append(parts, "-X "+x.Method)
	}
	parts = append(parts, shellQuote(x.URL))
	names := make([]string, 0, len(x.RequestHeaders))
	for k := range x.RequestHeaders {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if http.CanonicalHeaderKey(k) == "Content-Length" {
			continue
		}
		for _, v := range x.RequestHeaders[k] {
			parts = append(parts, "-H "+shellQuote(k+": "+v))
		}
	}
	if x.RequestBody != "" {
		parts = append(parts, "--data-raw "+shellQuote(x.RequestBody))
	}
	return strings.Join(parts, " \\\n  ")
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
