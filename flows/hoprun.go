package flows

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// hopRun is one hop being run: its result under construction, its recorder and client, and what
// every hop may read (the config, the clock, the app names). A hop reaches the outputs of earlier
// hops only through the arguments its table row gives it.
type hopRun struct {
	id     HopID
	res    *HopResult
	rec    *recorder
	client *http.Client
	base   *http.Client // the walk's client below the trace (client is it, recorded)
	em     *emitter
	send   *sendTransport // announces (and with HoldSteps holds) the hop's requests
	claims string         // the claims challenge to sign in with (RetryWithClaims), "" otherwise

	cfg   Config
	opts  *WalkOptions
	names inspect.AppNames
	keys  *keyCache
	walk  *Walk // for findingsOf only

	// deadline is the run's; an interactive sign-in pauses it while a person acts.
	deadline *walkDeadline
}

// now is the walk's clock.
func (h *hopRun) now() time.Time { return h.opts.Now() }

// earlier returns the findings hop id raised in this walk (an earlier hop's).
func (h *hopRun) earlier(id HopID) []inspect.Finding { return h.walk.findingsOf(id) }

// add records findings at this hop.
func (h *hopRun) add(fs ...inspect.Finding) {
	for _, f := range fs {
		f.Hop = string(h.id)
		h.res.Findings = append(h.res.Findings, f)
	}
}

// fail records the one-line error that stopped the hop.
func (h *hopRun) fail(msg string) {
	if h.res.Err == "" {
		h.res.Err = msg
	}
}

// skip marks the hop skipped with the reason as its story.
func (h *hopRun) skip(why string) {
	h.res.Status = StatusSkipped
	h.res.Story = why
}

// record adds a token to the hop, sends EventToken and returns where the token is.
func (h *hopRun) record(nt NamedToken) TokenRef {
	h.res.Tokens = append(h.res.Tokens, nt)
	h.em.send(Event{Kind: EventToken, Hop: h.id, Token: &nt})
	return TokenRef{Hop: h.id, Index: len(h.res.Tokens) - 1}
}

// hold records a token this hop hands on and returns it as a heldToken for the later hops.
func (h *hopRun) hold(nt NamedToken) heldToken {
	nt.HandedOn = true
	ref := h.record(nt)
	return heldToken{raw: nt.Raw, tok: nt.Token, ref: ref, verified: nt.Verified}
}

// present records a token held from an earlier hop that this hop sends on (as a bearer token or an
// assertion), pointing at where it came from.
func (h *hopRun) present(name string, role TokenRole, t heldToken, handedOn bool) TokenRef {
	origin := t.ref
	return h.record(NamedToken{Name: name, Role: role, Raw: t.raw, Token: t.tok, Origin: &origin, HandedOn: handedOn,
		Verified: false})
}

// decodeObtained decodes a token the hop obtained; what cannot be decoded fails the hop in one
// line ("refresh: the token cannot be decoded: …", redacted) and is returned for the analysis.
func (h *hopRun) decodeObtained(raw, what string) (*inspect.Token, error) {
	tok, err := inspect.DecodeUnverified(raw)
	if err != nil {
		h.fail(fmt.Sprintf("%s: the %s cannot be decoded: %s", h.id, what, RedactText(err.Error(), nil)))
		return nil, err
	}
	return tok, nil
}

// holdObtained verifies the signature of a token the hop obtained when it is for one of audiences,
// and holds it for the later hops; a signature that fails is returned for the analysis.
func (h *hopRun) holdObtained(ctx context.Context, nt NamedToken, audiences []string) (heldToken, error) {
	verified, note, verr := h.verify(ctx, nt.Token, audiences)
	nt.Role, nt.Verified, nt.VerifyErr = RoleObtained, verified, note
	return h.hold(nt), verr
}
