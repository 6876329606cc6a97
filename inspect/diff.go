package inspect

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// ClaimChange is one difference between two tokens' claims, with what it means for the chain.
type ClaimChange struct {
	Claim   string `json:"claim"`
	Kind    string `json:"kind"` // added | removed | changed | renamed (same value, v2 ↔ v1 name: "azp → appid")
	Before  any    `json:"before,omitempty"`
	After   any    `json:"after,omitempty"`
	Meaning string `json:"meaning"`
}

// Diff compares two tokens — typically the one a middle tier received and the one its OBO
// exchange produced — and returns the claims added, removed and changed, ordered with the
// claims that matter first (aud, scp, roles, azp/appid, sub, …) and the volatile ones last.
func Diff(before, after *Token) []ClaimChange {
	var out []ClaimChange
	if before == nil || after == nil {
		return nil
	}
	names := map[string]bool{}
	for n := range before.Claims {
		names[n] = true
	}
	for n := range after.Claims {
		names[n] = true
	}
	out = append(out, diffAliases(before, after, names)...)
	for n := range names {
		b, inB := before.Claims[n]
		a, inA := after.Claims[n]
		var c ClaimChange
		switch {
		case inB && !inA:
			c = ClaimChange{Claim: n, Kind: "removed", Before: b}
		case !inB && inA:
			c = ClaimChange{Claim: n, Kind: "added", After: a}
		case !reflect.DeepEqual(a, b):
			c = ClaimChange{Claim: n, Kind: "changed", Before: b, After: a}
		default:
			continue
		}
		c.Meaning = changeMeaning(c, before, after)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		ri, rj := diffRank(out[i].Claim), diffRank(out[j].Claim)
		if ri != rj {
			return ri < rj
		}
		return out[i].Claim < out[j].Claim
	})
	return out
}

// diffAliases compares a v2 claim with its v1 name (azp and appid) as one fact, not as one claim
// removed and another added, and deletes the pairs it compared from names.
func diffAliases(before, after *Token, names map[string]bool) []ClaimChange {
	var out []ClaimChange
	for _, p := range claimAliases {
		for _, dir := range [][2]string{{p[0], p[1]}, {p[1], p[0]}} {
			from, to := dir[0], dir[1]
			b, inB := before.Claims[from]
			a, inA := after.Claims[to]
			_, beforeHasTo := before.Claims[to]
			_, afterHasFrom := after.Claims[from]
			if !inB || !inA || beforeHasTo || afterHasFrom {
				continue
			}
			c := ClaimChange{Claim: from + " → " + to, Kind: "changed", Before: b, After: a}
			if reflect.DeepEqual(a, b) {
				c.Kind = "renamed"
			}
			c.Meaning = aliasMeaning(p, c)
			out = append(out, c)
			delete(names, from)
			delete(names, to)
		}
	}
	return out
}

var diffOrder = []string{"aud", "scp", "roles", "azp", "appid", "idtyp", "sub", "oid", "tid", "iss", "ver", "azpacr", "appidacr", "xms_par_app_azp", "xms_act_fct", "xms_sub_fct"}

// claimAliases pairs a v2 access token claim with its v1 name.
var claimAliases = [][2]string{{"azp", "appid"}, {"azpacr", "appidacr"}}

// aliasMeaning says what a claim renamed between token versions (azp in v2, appid in v1) tells.
func aliasMeaning(p [2]string, c ClaimChange) string {
	names := p[0] + " in v2, " + p[1] + " in v1"
	switch p[0] {
	case "azp":
		if c.Kind == "renamed" {
			return fmt.Sprintf("client: %s in both (%s): the same client; only the claim's name differs between token versions.", appDesc(stringOf(c.Before)), names)
		}
		return fmt.Sprintf("client: %s → %s (%s): the middle tier is now the client that holds the token.", appDesc(stringOf(c.Before)), appDesc(stringOf(c.After)), names)
	default:
		if c.Kind == "renamed" {
			return fmt.Sprintf("How the client authenticated: %s in both (%s; 0 public, 1 secret, 2 certificate/assertion).", DisplayValue(c.Before), names)
		}
		return fmt.Sprintf("How the client authenticated changed: %s → %s (%s; 0 public, 1 secret, 2 certificate/assertion).", DisplayValue(c.Before), DisplayValue(c.After), names)
	}
}

// diffRank orders changes; a renamed pair ("azp → appid") ranks as its first name.
func diffRank(n string) int {
	n, _, _ = strings.Cut(n, " → ")
	for i, o := range diffOrder {
		if o == n {
			return i
		}
	}
	if IsVolatileClaim(n) {
		return len(diffOrder) + 1
	}
	return len(diffOrder)
}

func changeMeaning(c ClaimChange, before, after *Token) string {
	switch c.Claim {
	case "aud":
		return fmt.Sprintf("Audience changed from %s to %s: the new token is for another API, as an exchange should produce.",
			audDesc(before.Audiences), audDesc(after.Audiences))
	case "scp":
		added, removed := setDiff(before.Scopes, after.Scopes)
		switch {
		case c.Kind == "removed":
			return "The new token has no delegated scopes: it is no longer a user's delegated token."
		case c.Kind == "added":
			return "The new token carries delegated scopes: " + strings.Join(after.Scopes, " ") + "."
		case len(added) == 0 && len(removed) > 0:
			return "Scopes narrowed: " + strings.Join(removed, " ") + " no longer granted."
		case len(removed) == 0 && len(added) > 0:
			return "Scopes widened: " + strings.Join(added, " ") + " added."
		default:
			return fmt.Sprintf("Scopes differ: the new token's scopes are for its own audience (added %s; removed %s).", orNone(strings.Join(added, " ")), orNone(strings.Join(removed, " ")))
		}
	case "roles":
		added, removed := setDiff(before.Roles, after.Roles)
		return fmt.Sprintf("Roles changed (added %s; removed %s).", orNone(strings.Join(added, " ")), orNone(strings.Join(removed, " ")))
	case "azp", "appid":
		return fmt.Sprintf("The client changed from %s to %s: the middle tier is now the client that holds the token.",
			appDesc(stringOf(c.Before)), appDesc(stringOf(c.After)))
	case "sub":
		if before.ObjectID != "" && before.ObjectID == after.ObjectID {
			return "sub differs although oid is the same user: sub is pairwise, different for every application."
		}
		return "sub differs: a different subject, or the same one seen by another application (sub is pairwise per app)."
	case "oid":
		return "oid changed: the new token is about a different user or application — an exchange must keep the user."
	case "tid":
		return "tid changed: the new token was issued in another tenant."
	case "iss":
		return "Issuer changed (" + stringOf(c.Before) + " → " + stringOf(c.After) + "): another tenant or token version."
	case "ver":
		return "Token version changed: the downstream API's app registration asks for v" + stringOf(c.After) + " tokens."
	case "idtyp":
		return "Identity type changed from " + stringOf(c.Before) + " to " + stringOf(c.After) + "."
	case "azpacr", "appidacr":
		return "How the client authenticated changed: " + absentOr(c.Before) + " → " + absentOr(c.After) + " (0 public, 1 secret, 2 certificate/assertion)."
	case "xms_par_app_azp", "xms_act_fct", "xms_sub_fct":
		return "Agent ID markers changed: the agent identity or its blueprint differs between the tokens."
	case "iat", "nbf", "exp":
		return "A new token has new validity times."
	}
	if IsVolatileClaim(c.Claim) {
		return "An internal per-token value; it differs for every token."
	}
	switch c.Kind {
	case "added":
		return "Only the new token has this claim."
	case "removed":
		return "The new token no longer has this claim."
	}
	return "The value changed."
}

// absentOr displays a claim value, or "absent" for a claim one of the tokens lacks.
func absentOr(v any) string {
	if v == nil {
		return "absent"
	}
	return DisplayValue(v)
}

func audDesc(auds []string) string {
	var parts []string
	for _, a := range auds {
		if n := AppName(a); n != "" {
			a += " (" + n + ")"
		}
		parts = append(parts, a)
	}
	return orNone(strings.Join(parts, " "))
}

func appDesc(id string) string {
	if n := AppName(id); n != "" {
		return id + " (" + n + ")"
	}
	return orNone(id)
}

// setDiff returns the elements of after not in before (added) and of before not in after (removed).
func setDiff(before, after []string) (added, removed []string) {
	in := func(xs []string, x string) bool {
		for _, v := range xs {
			if strings.EqualFold(v, x) {
				return true
			}
		}
		return false
	}
	for _, a := range after {
		if !in(before, a) {
			added = append(added, a)
		}
	}
	for _, b := range before {
		if !in(after, b) {
			removed = append(removed, b)
		}
	}
	return added, removed
}
