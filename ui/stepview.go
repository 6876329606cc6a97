package ui

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// stepView renders the step screen in w×h: the strip of hops, then the page on screen — what the
// hop is about to do and the request it will send, or what came back, the token handed on and the
// findings.
func stepView(c *common, ws *walkState, st *stepper, w, h int, spin string) string {
	s := c.styles
	pg, ok := st.page()
	if !ok {
		lines := []string{"", "  " + s.Muted.Render(spin+" Starting the walk: the first hop will wait for you before it sends anything …")}
		return block(lines, w, h)
	}
	strip, _ := hopStrip(s, ws, pg.hop, spin)
	hop := ws.hops[pg.hop]
	var page []string
	if pg.plan != nil {
		page = beforePage(c, ws, pg, w, h-3, spin)
	} else {
		page = afterPage(c, ws, pg, st, w, h-3)
	}
	where := s.Faint.Render(fmt.Sprintf("page %d of %d ", st.at+1, len(st.pages)))
	title := s.Header.Render(fmt.Sprintf(" Step %d of %d · %s", pg.hop+1, len(ws.hops), hop.Title))
	lines := []string{trunc(strip, w), "", joinLR(title+stepState(c, ws, pg, spin), where, w)}
	return block(append(lines, page...), w, h)
}

// stepState says where the page's hop stands, after the page's title.
func stepState(c *common, ws *walkState, pg stepPage, spin string) string {
	s := c.styles
	hop := ws.hops[pg.hop]
	switch {
	case pg.plan != nil && !pg.sent:
		return s.Warning.Render(" · about to send")
	case hop.Status == flows.StatusRunning:
		return s.Running.Render(" · " + spin + " sent, waiting for the answer")
	case pg.plan != nil:
		return s.Muted.Render(" · sent: space shows what came back")
	}
	glyph, word := statusGlyph(s, hop.Status, spin)
	state := " · " + glyph + " " + word
	if d := hopDuration(hop); d > 0 {
		state += s.Muted.Render(" in " + durationText(d))
	}
	return state
}

// beforePage is what the hop is about to do and the request it will send, redacted.
func beforePage(c *common, ws *walkState, pg stepPage, w, h int, spin string) []string {
	s := c.styles
	var out []string
	for _, l := range clip(wrap(pg.plan.About, w-3), 3) {
		out = append(out, " "+l)
	}
	out = append(out, "")
	req := requestPreview(c, pg.plan.Request, ws.names, w-6)
	if pg.sent {
		if x, ok := ws.inFlight(pg.hop); ok {
			elapsed := durationText(c.now().Sub(x.Started))
			out = append(out, " "+s.Running.Render(spin+" in flight: "+x.Method+" "+x.Label)+s.Muted.Render(" "+elapsed))
		}
	}
	box := s.FocusBox
	label := "The request it will send"
	if pg.sent {
		box, label = s.Box, "The request it sent"
	}
	room := h - len(out) - 2
	return append(out, boxLines(box, w, s.Title.Render(label)+s.Muted.Render(" · "+pg.plan.Request.Label), clip(req, room))...)
}

// requestPreview is a request as the step screen shows it: the request line, the Authorization
// header (its token summarised, apps by name), the body, and how many other headers there are.
func requestPreview(c *common, x flows.Exchange, names inspect.AppNames, w int) []string {
	s := c.styles
	out := requestLine(s, x, w)
	var others []string
	for k, vs := range x.RequestHeaders {
		if http.CanonicalHeaderKey(k) != "Authorization" {
			others = append(others, k)
			continue
		}
		for _, v := range vs {
			out = append(out, wrap(s.Warning.Render("Authorization: ")+bearerSummary(c, v, names), w)...)
		}
	}
	if _, ok := x.RequestHeaders["Authorization"]; !ok {
		out = append(out, s.Muted.Render("no Authorization header"))
	}
	body := bodyLines(s, x.RequestBody, x.RequestHeaders.Get("Content-Type"), w+4)
	for i := range body {
		body[i] = strings.TrimPrefix(body[i], "   ")
	}
	out = append(out, body...)
	if len(others) > 0 {
		sort.Strings(others)
		out = append(out, "", truncWords(s.Faint.Render(fmt.Sprintf("+ %s: %s", plural(len(others), "other header"), strings.Join(others, ", "))), w))
	}
	return out
}

// requestLine is the method and the URL, the URL cut after a '/' where the line ends.
func requestLine(s *Styles, x flows.Exchange, w int) []string {
	lead := x.Method + " "
	room := max(w-len(lead), 10)
	parts := cutAtSlashes(x.URL, room)
	out := []string{s.Bold.Render(x.Method) + " " + parts[0]}
	for _, p := range parts[1:] {
		out = append(out, strings.Repeat(" ", len(lead))+p)
	}
	return out
}

// bearerSummary is an Authorization value with its token described the way the arrows describe
// tokens ("Bearer <access token v2.0 · aud Contoso Agent API · scp … · signature removed>").
func bearerSummary(c *common, v string, names inspect.AppNames) string {
	s := c.styles
	scheme, raw, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return v
	}
	tok, err := inspect.DecodeUnverified(raw)
	if err != nil || tok.Format != inspect.FormatJWS {
		if d, ok := describeJWT(raw); ok {
			return scheme + " " + d
		}
		return v
	}
	sum := inspect.Summarize(displayToken(tok), names)
	parts := []string{"access token"}
	if sum.Kind != "" && sum.Kind != inspect.KindUnknown {
		parts[0] = string(sum.Kind) + " token"
	}
	if sum.Audience != "" {
		aud := sum.Audience
		if sum.AudienceKnown != "" {
			aud = sum.AudienceKnown
		}
		parts = append(parts, s.Muted.Render("aud ")+aud)
	}
	if len(sum.Scopes) > 0 {
		parts = append(parts, s.Muted.Render("scp ")+strings.Join(sum.Scopes, " "))
	} else if len(sum.Roles) > 0 {
		parts = append(parts, s.Muted.Render("roles ")+strings.Join(sum.Roles, " "))
	}
	if p := principalText(sum); p != "" {
		parts = append(parts, p)
	}
	parts = append(parts, s.Muted.Render("signature removed"))
	return scheme + " <" + strings.Join(parts, s.Faint.Render(" · ")) + ">"
}

// afterPage is what came back from the hop: its story, the answer to the request the person sent
// (or the hop's exchanges), the token it handed on and its findings with their fixes.
func afterPage(c *common, ws *walkState, pg stepPage, st *stepper, w, h int) []string {
	s := c.styles
	hop := ws.hopAt(pg.hop)
	var out []string
	story := wrap(hop.Story, w-3)
	if hop.Err != "" && !hop.StoryTellsError() {
		story = append(clip(story, 1), clip(wrap(s.Error.Render(hop.Err), w-3), 2)...)
	}
	for _, l := range clip(story, 3) {
		out = append(out, " "+l)
	}
	out = append(out, "")
	const lead = 12
	section := func(name string, body []string) []string {
		var sec []string
		for i, l := range body {
			pre := strings.Repeat(" ", lead)
			if i == 0 {
				pre = " " + s.Accent.Render(fit(name, lead-1))
			}
			sec = append(sec, pre+l)
		}
		return sec
	}
	// The findings and the token handed on come first; the answer gets the room left.
	var finds []string
	fs := append([]inspect.Finding(nil), hop.Findings...)
	inspect.SortFindings(fs)
	for _, f := range fs {
		finds = append(finds, findingRow(s, "", f, w-lead))
		for i, l := range wrap(f.Fix, w-lead-5) {
			pre := s.OK.Render("Fix: ")
			if i > 0 {
				pre = "     "
			}
			finds = append(finds, pre+l)
		}
	}
	if len(finds) == 0 {
		finds = []string{s.OK.Render("✓ none at this hop")}
	}
	handed := []string{s.Muted.Render("no token")}
	if nt, ok := handedOn(ws.hops, pg.hop); ok {
		handed = []string{truncWords(s.Accent.Render(nt.Name)+s.Faint.Render(" · ")+strings.TrimSpace(tokenSummary(c, nt.Token, ws.names)), w-lead)}
	}
	room := h - len(out) - len(finds) - len(handed)
	answer := section("Answer", answerLines(s, hop, st.planOf(pg.hop), w-lead, max(room, 2)))
	out = append(out, answer...)
	out = append(out, section("Handed on", handed)...)
	return append(out, section("Findings", finds)...)
}

// planOf is the plan of hop i's page before, if it had one.
func (s *stepper) planOf(i int) *flows.StepPlan {
	for _, p := range s.pages {
		if p.hop == i && p.plan != nil {
			return p.plan
		}
	}
	return nil
}

// answerLines is the answer to the hop's request the person sent (else its last exchange) in at
// most n lines — its status and timing, its challenge, its body — and then the hop's other
// requests, one line each.
func answerLines(s *Styles, hop flows.HopResult, plan *flows.StepPlan, w, n int) []string {
	if len(hop.Exchanges) == 0 {
		return []string{s.Muted.Render("no HTTP request at this hop")}
	}
	at := len(hop.Exchanges) - 1
	if plan != nil {
		if i := slices.IndexFunc(hop.Exchanges, func(e flows.Exchange) bool {
			return e.Label == plan.Request.Label && e.Method == plan.Request.Method && e.URL == plan.Request.URL
		}); i >= 0 {
			at = i
		}
	}
	x := hop.Exchanges[at]
	var out []string
	if x.Err != "" {
		out = append(out, s.Error.Render("no answer: "+x.Err)+s.Muted.Render(" · "+x.Method+" "+x.Label))
	} else {
		out = append(out, statusText(s, x)+" "+http.StatusText(x.Status)+s.Muted.Render(" after "+exchangeDuration(x)+" · "+x.Method+" "+x.Label))
	}
	for _, v := range x.ResponseHeaders.Values("Www-Authenticate") {
		out = append(out, wrap(s.Warning.Render("WWW-Authenticate: ")+v, w)...)
	}
	// The hop's other requests, after the body: up to three, and how many more.
	var then []string
	for i, o := range hop.Exchanges {
		if i == at {
			continue
		}
		if len(then) == 3 {
			then = append(then, s.Faint.Render(fmt.Sprintf("+ %d more (enter opens the hop's HTTP tab)", len(hop.Exchanges)-1-3)))
			break
		}
		pre := "before "
		if i > at {
			pre = "then   "
		}
		then = append(then, truncWords(s.Muted.Render(pre)+fmt.Sprintf("%-5s ", o.Method)+statusText(s, o)+" "+o.Label, w))
	}
	body := bodyLines(s, x.ResponseBody, x.ResponseHeaders.Get("Content-Type"), w+4)
	for i := range body {
		body[i] = strings.TrimPrefix(body[i], "   ")
	}
	if len(body) > 0 && body[0] == "" {
		body = body[1:]
	}
	if room := n - len(out) - len(then); len(body) > room {
		keep := max(room-1, 0)
		body = append(body[:keep], s.Faint.Render(fmt.Sprintf("… %s of the answer (enter opens the hop)", plural(len(body)-keep, "more line"))))
	}
	return append(append(out, body...), then...)
}
