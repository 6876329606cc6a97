package flows

import (
	"fmt"
	"net/url"
	"strings"
)

// CheckBrowserURL says whether u may be opened in a browser for cfg's browser sign-in: only an
// https URL on the configured authority's host (and port) — http too when that host is loopback
// (a local authority) — never file:, javascript:, ms-msdt: or any other scheme, nor another host.
// The URL comes from the authority's discovery document (authorization_endpoint), which MSAL
// trusts as it is.
func CheckBrowserURL(cfg Config, u string) error {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || p.Scheme == "" {
		return fmt.Errorf("refusing to open %q in a browser: not a URL", clip(u, 80))
	}
	scheme := strings.ToLower(p.Scheme)
	if scheme != "https" && !(scheme == "http" && isLoopback(p.Hostname())) {
		return fmt.Errorf("refusing to open %q in a browser: only the authority's https sign-in page is opened", clip(u, 80))
	}
	want, _, ok := originOf(cfg.authorityHost())
	got, _, _ := originOf(u)
	if !ok || strings.TrimPrefix(strings.TrimPrefix(got, "http://"), "https://") != strings.TrimPrefix(strings.TrimPrefix(want, "http://"), "https://") {
		return fmt.Errorf("refusing to open %s in a browser: its host is not the authority's (%s)", clip(p.Scheme+"://"+p.Host+p.EscapedPath(), 120), strings.TrimPrefix(want, "https://"))
	}
	return nil
}
