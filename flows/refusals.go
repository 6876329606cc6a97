package flows

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// refusal is a request the egress policy refused because of what it carried (or a browser URL
// the sign-in refused to open): the hop reports it as authority.endpoint-off-host.
type refusal struct {
	url      string // redacted
	carrying string
	label    string // the step that sent it
}

// refuse records a refusal made outside the transport (the browser sign-in's URL), without the
// URL's query (the client's own parameters).
func (r *recorder) refuse(u, carrying, label string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refusals = append(r.refusals, refusal{url: RedactURL(withoutQuery(u), r.extra), carrying: carrying, label: label})
}

// withoutQuery returns u without its query and fragment.
func withoutQuery(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		before, _, _ := strings.Cut(u, "?")
		return before
	}
	p.RawQuery, p.Fragment, p.RawFragment, p.ForceQuery = "", "", "", false
	return p.String()
}

// refused returns the refusals recorded so far.
func (r *recorder) refused() []refusal {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]refusal(nil), r.refusals...)
}

// offHostFindings turns the hop's refusals into authority.endpoint-off-host, each naming the
// document that pointed there: the recorded answer (of this hop, else of an earlier one) whose
// JSON names the refused origin.
func (w *Walk) offHostFindings(h *hopRun, xs []Exchange) []inspect.Finding {
	var fs []inspect.Finding
	seen := map[string]bool{}
	for _, rf := range h.rec.refused() {
		if seen[rf.url+rf.carrying] {
			continue
		}
		seen[rf.url+rf.carrying] = true
		doc := documentNaming(rf.url, xs)
		for i := len(w.hops) - 1; doc == "" && i >= 0; i-- {
			if d := w.hops[i]; d.ID != h.id {
				w.mu.Lock()
				earlier := w.results[d.ID].Exchanges
				w.mu.Unlock()
				doc = documentNaming(rf.url, earlier)
			}
		}
		fs = append(fs, inspect.EndpointOffHostFinding(string(h.id), rf.url, rf.carrying, doc))
	}
	return fs
}

// documentNaming describes the most recent answer among xs whose JSON names target's origin (or,
// for a URL that is not http(s), target itself): "the token_endpoint of the authority discovery
// (OpenID configuration) at https://…/openid-configuration"; "" when none does.
func documentNaming(target string, xs []Exchange) string {
	want, _, isHTTP := originOf(target)
	for i := len(xs) - 1; i >= 0; i-- {
		x := xs[i]
		var doc any
		if x.Status < 200 || x.Status >= 300 || json.Unmarshal([]byte(x.ResponseBody), &doc) != nil {
			continue
		}
		var keys []string
		walkJSONStrings("", doc, func(key, v string) {
			if o, _, ok := originOf(v); (isHTTP && ok && o == want) || (!isHTTP && withoutQuery(v) == target) {
				keys = append(keys, key)
			}
		})
		if len(keys) == 0 {
			continue
		}
		sort.Strings(keys)
		what := "the answer"
		if x.Label != "" {
			what = "the " + x.Label
		}
		return fmt.Sprintf("the %s of %s at %s", strings.Join(keys, " and "), what, x.URL)
	}
	return ""
}

// walkJSONStrings calls f with every string of a decoded JSON document and the key (dotted path)
// that holds it.
func walkJSONStrings(key string, v any, f func(key, value string)) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			walkJSONStrings(strings.TrimPrefix(key+"."+k, "."), x, f)
		}
	case []any:
		for _, x := range t {
			walkJSONStrings(key, x, f)
		}
	case string:
		f(key, t)
	}
}
