package flows_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/oboscope/oboscope/flows/report"
)

// evil8bit is an OSC 8 hyperlink and a CSI blink in their 8-bit forms: bytes that are not UTF-8,
// which a terminal reading 8-bit controls turns into a live link and blinking text.
const evil8bit = "\x9d8;;https://evil.example\x9cclick\x9d8;;\x9c \x9b5mblink\x9b0m \xff"

// TestReportsCarryNoRawBytes: invalid UTF-8 carrying 8-bit C1 controls in an agent's headers and
// in non-JSON bodies (its 401, the MCP server's answers) reaches no report format raw: every
// output is valid UTF-8 without a C0 or C1 control.
func TestReportsCarryNoRawBytes(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/agent", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Note", evil8bit)
		w.WriteHeader(401)
		w.Write([]byte("denied " + evil8bit))
	})
	mux.HandleFunc("/mcp", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+evil8bit+`", resource_metadata="https://`+r.Host+`/prm"`)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(401)
		w.Write([]byte("<title>" + evil8bit + "</title>"))
	})
	mux.HandleFunc("/prm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"resource":"` + evil8bit + `","authorization_servers":["https://` + r.Host + `/` + evil8bit + `"]}`))
	})
	srv := quietTLSServer(mux)
	defer srv.Close()
	cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
	cfg.OBO.Mode = "passthrough"
	cfg.MCP.URL, cfg.MCP.AppIDURI = srv.URL+"/mcp", "api://contoso-mcp"
	for _, format := range []string{"text", "markdown", "json"} {
		var out, errb strings.Builder
		report.RunCheck(context.Background(), cfg, report.CheckOptions{Format: format}, &out, &errb)
		all := out.String() + errb.String()
		if !utf8.ValidString(all) {
			i := 0
			for i < len(all) {
				r, n := utf8.DecodeRuneInString(all[i:])
				if r == utf8.RuneError && n == 1 {
					break
				}
				i += n
			}
			t.Fatalf("%s report holds bytes that are not UTF-8 at %d: %q", format, i, all[max(0, i-40):min(i+20, len(all))])
		}
		if i := strings.IndexFunc(all, func(r rune) bool { return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) }); i >= 0 {
			t.Fatalf("%s report carries %q raw", format, all[i:min(i+12, len(all))])
		}
		if format == "text" && !strings.Contains(all, `\x9d8;;https://evil.example\x9c`) {
			t.Errorf("text report does not show the bytes escaped:\n%s", all)
		}
	}
}
