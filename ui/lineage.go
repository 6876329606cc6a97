package ui

import (
	"fmt"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// This file reads the lineage the engine records with every token (its role, whether the hop
// hands it on, the earlier record of the same token, the token it was exchanged for): the
// overview's arrows, the Diff tab's "before", the verification note and the copy refusal all
// come from it, never from comparing raw tokens.

// handedOn is the token hop i passed along the chain (the one the engine marks as handed on), if
// any: the user token sign-in obtained, the token presented to a server, the exchange's result.
func handedOn(hops []flows.HopResult, i int) (flows.NamedToken, bool) {
	for _, nt := range hops[i].Tokens {
		if nt.HandedOn && nt.Token != nil {
			return nt, true
		}
	}
	return flows.NamedToken{}, false
}

// tokenAt returns the token ref points at, with the position of its hop.
func (w *walkState) tokenAt(ref *flows.TokenRef) (flows.NamedToken, int, bool) {
	if ref == nil {
		return flows.NamedToken{}, 0, false
	}
	i := w.index(ref.Hop)
	if i < 0 || ref.Index < 0 || ref.Index >= len(w.hops[i].Tokens) {
		return flows.NamedToken{}, 0, false
	}
	return w.hops[i].Tokens[ref.Index], i, true
}

// origin follows a token back to where it was first recorded (itself when it was first seen
// where it is).
func (w *walkState) origin(nt flows.NamedToken) (flows.NamedToken, int, bool) {
	for hops := 0; nt.Origin != nil && hops < len(w.hops)*4; hops++ {
		o, i, ok := w.tokenAt(nt.Origin)
		if !ok {
			return flows.NamedToken{}, 0, false
		}
		if o.Origin == nil {
			return o, i, true
		}
		nt = o
	}
	return flows.NamedToken{}, 0, false
}

// verifyNote says whether the token's signature was checked, here or where the very same token
// was obtained (the user token the agent call presents is the one sign-in verified).
func verifyNote(ws *walkState, nt flows.NamedToken) string {
	switch {
	case nt.Token == nil:
		return ""
	case nt.Verified:
		return "Signature verified against the issuer's published keys."
	case nt.Role == flows.RoleCredential:
		return "Not verified: T1 is a credential that only Entra checks, and oboscope keeps it only without its signature."
	case nt.VerifyErr != "":
		return "Signature not verified: " + nt.VerifyErr
	}
	if o, i, ok := ws.origin(nt); ok && o.Verified {
		return fmt.Sprintf("Signature verified at hop %d, where this token was obtained.", i+1)
	}
	return "Signature not verified (decoded only)."
}

// diffSource is what the Diff tab compares a token with: an earlier token, or a note saying
// why there is none.
type diffSource struct {
	name string
	tok  *inspect.Token
	note string
}

// previousToken is what the token at (hop, idx) is compared with: the token it was obtained in
// exchange for (following a presented token back to the exchange that produced it). The Agent
// ID blueprint's credential (T1) is compared with nothing, since no exchange of the user token
// made it; a token that only travelled on unchanged says where it came from.
func previousToken(ws *walkState, hop, idx int) diffSource {
	if hop < 0 || hop >= len(ws.hops) || idx < 0 || idx >= len(ws.hops[hop].Tokens) {
		return diffSource{}
	}
	cur := ws.hops[hop].Tokens[idx]
	if cur.Role == flows.RoleCredential {
		note := "This is T1, the agent blueprint's own credential (client credentials with fmi_path): " +
			"it is not an exchange of the user token, so there is nothing to compare it with. "
		if _, ok := handedOn(ws.hops, hop); ok {
			note += "The token this exchange produced is compared with the user token (t selects it)."
		} else {
			note += "The exchange produced no token to compare with the user token."
		}
		return diffSource{note: note}
	}
	src, srcHop := cur, hop
	if cur.Origin != nil {
		o, i, ok := ws.origin(cur)
		if !ok {
			return diffSource{}
		}
		src, srcHop = o, i
	}
	if before, i, ok := ws.tokenAt(src.From); ok && before.Token != nil {
		return diffSource{name: fmt.Sprintf("%s (hop %d)", before.Name, i+1), tok: before.Token}
	}
	if cur.Origin == nil || cur.Token == nil {
		return diffSource{}
	}
	note := fmt.Sprintf("The same token as hop %d's %s, forwarded unchanged", srcHop+1, src.Name)
	if len(cur.Token.Audiences) > 0 {
		aud := cur.Token.Audiences[0]
		if name := ws.names.Known(cur.Token, aud); name != "" {
			aud = name
		}
		note += fmt.Sprintf(" (aud still %s)", aud)
	}
	return diffSource{note: note + "."}
}

// uncopyable says why a token on screen cannot be copied: oboscope holds it only without its
// signature — as a server reported it, or, for the Agent ID blueprint's T1, by choice — and a
// token without its signature is of no use to anyone it would be pasted to.
func uncopyable(nt flows.NamedToken) string {
	switch {
	case nt.Role == flows.RoleCredential:
		return "T1 cannot be copied: it is a credential, and oboscope never keeps it whole (only without its signature)"
	case nt.ReportedBy != "":
		return "This token cannot be copied whole: " + nt.ReportedBy + " reported it without its signature"
	}
	return "This token cannot be copied whole: it was reported without its signature"
}
