package flows

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/pkg/browser"

	"github.com/oboscope/oboscope/inspect"
)

// browserWait bounds how long a live sign-in waits for the person to finish in the browser.
const browserWait = 10 * time.Minute

// authorizeError is an error the authorization endpoint sent back to the redirect URI.
type authorizeError struct{ answer *inspect.ResourceProbe }

func (e *authorizeError) Error() string {
	return fmt.Sprintf("the authorization endpoint answered %s: %s", valueOr(e.answer.Error, "an error page"), firstLine(e.answer.Description))
}

// authorizationFetcher is the go-sdk AuthorizationCodeFetcher of one sign-in attempt. On a sandbox
// authority it sends the authorization request itself, recorded, and reads the redirect without
// following it (a sandbox started with auto-approve signs its user in at once); otherwise — or
// when the sandbox shows its sign-in page — it opens the browser and listens on the redirect URI.
// With strip, the request goes without its resource parameter (note names the attempt in the
// record). The answer is kept in *got.
func (h *hopRun) authorizationFetcher(strip bool, note, redirectURI string, got **inspect.ResourceProbe) auth.AuthorizationCodeFetcher {
	return func(ctx context.Context, args *auth.AuthorizationArgs) (*auth.AuthorizationResult, error) {
		u := args.URL
		if strip {
			u = withoutParam(u, "resource")
		}
		q := queryOf(u)
		p := &inspect.ResourceProbe{Resource: q.Get("resource"), Scopes: strings.Fields(q.Get("scope"))}
		*got = p
		var vals url.Values
		var err error
		if h.cfg.IsSandboxAuthority() {
			vals, err = h.authorizeDirect(ctx, u, note, p)
		}
		if vals == nil && err == nil {
			vals, err = h.authorizeInBrowser(ctx, u, redirectURI)
		}
		if err != nil {
			return nil, err
		}
		p.Error, p.Description, p.Codes, p.Code = inspect.ParseAuthorizeRedirect("?" + vals.Encode())
		if p.Error != "" {
			return nil, &authorizeError{answer: p}
		}
		return &auth.AuthorizationResult{Code: vals.Get("code"), State: vals.Get("state"), Iss: vals.Get("iss")}, nil
	}
}

// authorizeDirect sends the authorization request through the hop's recording client and reads
// the redirect's parameters; nil (and no error) when the answer is a page for a person.
func (h *hopRun) authorizeDirect(ctx context.Context, u, note string, p *inspect.ResourceProbe) (url.Values, error) {
	vault := &codeVault{}
	client := withTransport(h.rec.client(withTransport(h.base, vault.wrap)), labelTransport(h, "authorization request", note))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	p.Status = resp.StatusCode
	loc := vault.last()
	if codes := inspect.AADSTSCodesIn(string(body)); len(codes) > 0 && (resp.StatusCode < 300 || resp.StatusCode >= 400) {
		// An error Entra shows as a page, not sent to a redirect URI it does not trust (an
		// unregistered redirect URI, an unknown client): no one could sign in.
		p.Codes, p.Description = codes, errorPageText(string(body), codes[0])
		return nil, &authorizeError{answer: p}
	}
	if resp.StatusCode < 300 || resp.StatusCode >= 400 || loc == "" {
		return nil, nil
	}
	p.Location = resp.Header.Get("Location") // the code taken out
	lu, err := url.Parse(loc)
	if err != nil {
		return nil, fmt.Errorf("the authorization endpoint redirected to an unreadable location: %w", err)
	}
	vals := lu.Query()
	if vals.Get("code") == "" && vals.Get("error") == "" {
		if f, ferr := url.ParseQuery(lu.Fragment); ferr == nil {
			vals = f
		}
	}
	return vals, nil
}

// authorizeInBrowser opens the authorization URL in the browser and waits on the redirect URI
// (a loopback http URL) for the authorization response.
func (h *hopRun) authorizeInBrowser(ctx context.Context, u, redirectURI string) (url.Values, error) {
	ru, err := url.Parse(redirectURI)
	if err != nil || ru.Scheme != "http" || !isLoopback(ru.Hostname()) {
		return nil, fmt.Errorf("cannot receive the authorization response at %s: oboscope listens only on a loopback http redirect URI", redirectURI)
	}
	ln, err := net.Listen("tcp", ru.Host)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on the redirect URI %s: %w", redirectURI, err)
	}
	got := make(chan url.Values, 1)
	path := strings.TrimSuffix(ru.Path, "/")
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.TrimSuffix(r.URL.Path, "/") != path {
			http.NotFound(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil || (r.Form.Get("code") == "" && r.Form.Get("error") == "") {
			http.Error(w, "not an authorization response", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!DOCTYPE html><title>oboscope</title><p>oboscope received the authorization response. You can close this tab.</p>")
		select {
		case got <- r.Form:
		default:
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	open := h.opts.OpenURL
	if open == nil {
		open = browser.OpenURL
	}
	if err := open(u); err != nil {
		msg := fmt.Sprintf("signin: could not open a browser (%s); open this URL yourself: %s", shortCause(err), u)
		h.em.send(Event{Kind: EventDeviceCode, Hop: h.id, DeviceCode: &DeviceCode{VerificationURL: u, Message: msg}})
	}
	wait := time.NewTimer(browserWait)
	defer wait.Stop()
	select {
	case vals := <-got:
		return vals, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-wait.C:
		return nil, errors.New("no authorization response came back to " + redirectURI + " in time")
	}
}

// errorPageText returns the sentence of an error page that starts with AADSTS<code>, its HTML
// markup and entities left out.
func errorPageText(body string, code int) string {
	i := strings.Index(body, fmt.Sprintf("AADSTS%d", code))
	if i < 0 {
		return fmt.Sprintf("AADSTS%d", code)
	}
	text := body[i:]
	if j := strings.IndexAny(text, "<\r\n"); j >= 0 {
		text = text[:j]
	}
	return html.UnescapeString(strings.TrimSpace(text))
}

// queryOf returns the query of a URL ("" parts when it does not parse).
func queryOf(u string) url.Values {
	p, err := url.Parse(u)
	if err != nil {
		return url.Values{}
	}
	return p.Query()
}

// withoutParam returns u without the query parameter name.
func withoutParam(u, name string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := p.Query()
	q.Del(name)
	p.RawQuery = q.Encode()
	return p.String()
}
