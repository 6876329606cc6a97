package flows

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// relayedEntraError reads the Entra error an agent API relays in its own error answer when its
// token request failed, in the shapes apps commonly answer with: Entra's own JSON (error,
// error_description, error_codes — MSAL Python's result dict), MSAL for Node's serialised
// ServerError (errorCode, errorMessage, errorNo) or {error: errorCode, error_description:
// errorMessage}, or any JSON whose strings quote an AADSTS code. It returns nil when the answer
// names no AADSTS code: then nothing says why the agent failed.
func relayedEntraError(body []byte) *inspect.EntraError {
	if e, err := inspect.ParseEntraError(body); err == nil && len(e.Codes) > 0 {
		e.Description = fromAADSTS(e.Description)
		return e
	}
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		// Not JSON: an app that answers its error's message as text (res.send(err.message)).
		text := string(body)
		if len(text) > 8<<10 {
			text = text[:8<<10]
		}
		if codes := inspect.AADSTSCodesIn(text); len(codes) > 0 {
			e := &inspect.EntraError{Codes: codes, Description: fromAADSTS(text)}
			// MSAL for Node's message starts with the OAuth error: "invalid_client: Error(s): …".
			if name, _, ok := strings.Cut(text, ":"); ok && name != "" && strings.Trim(name, "abcdefghijklmnopqrstuvwxyz_") == "" {
				e.Err = name
			}
			return e
		}
		return nil
	}
	e := &inspect.EntraError{}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 4 || len(e.Codes) > 0 {
			return
		}
		switch x := v.(type) {
		case string:
			if codes := inspect.AADSTSCodesIn(x); len(codes) > 0 {
				e.Codes, e.Description = codes, fromAADSTS(x)
			}
		case map[string]any:
			// MSAL for Node names the OAuth error errorCode; others error or code.
			for _, k := range []string{"errorCode", "error", "code"} {
				if s, ok := x[k].(string); ok && e.Err == "" && !strings.Contains(s, " ") {
					e.Err = s
				}
			}
			for _, k := range []string{"error_description", "errorMessage", "message", "error", "detail", "details"} {
				if val, ok := x[k]; ok {
					walk(val, depth+1)
				}
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(x[k], depth+1)
			}
		case []any:
			for _, val := range x {
				walk(val, depth+1)
			}
		}
	}
	walk(doc, 0)
	if len(e.Codes) == 0 {
		return nil
	}
	return e
}

// fromAADSTS cuts what comes before the first AADSTS code ("Error(s): 7000215 - Timestamp: … -
// Description: AADSTS7000215: …" → "AADSTS7000215: …").
func fromAADSTS(s string) string {
	if i := strings.Index(s, "AADSTS"); i > 0 {
		return s[i:]
	}
	return s
}
