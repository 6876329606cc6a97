package inspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// EntraError is an error answer of Entra ID's token or authorize endpoints, decoded from its JSON
// body ({"error", "error_description", "error_codes", …}).
type EntraError struct {
	Err           string `json:"error"`             // OAuth error code: invalid_grant, interaction_required, …
	Description   string `json:"error_description"` // "AADSTS50013: …\r\nTrace ID: …"
	Codes         []int  `json:"error_codes"`       // the AADSTS numbers
	Suberror      string `json:"suberror,omitempty"`
	Claims        string `json:"claims,omitempty"` // a claims challenge to pass back to sign-in
	TraceID       string `json:"trace_id,omitempty"`
	CorrelationID string `json:"correlation_id,omitempty"`
	Timestamp     string `json:"timestamp,omitempty"`
	ErrorURI      string `json:"error_uri,omitempty"`
}

// Error implements error with the OAuth code and the first line of the description.
func (e *EntraError) Error() string {
	desc := e.Description
	if i := strings.IndexAny(desc, "\r\n"); i >= 0 {
		desc = desc[:i]
	}
	switch {
	case e.Err != "" && desc != "":
		return "entra: " + e.Err + ": " + desc
	case desc != "":
		return "entra: " + desc
	case e.Err != "":
		return "entra: " + e.Err
	}
	if len(e.Codes) > 0 {
		return fmt.Sprintf("entra: AADSTS%d", e.Codes[0])
	}
	return "entra: unknown error"
}

// HasCode reports whether the error carries AADSTS code.
func (e *EntraError) HasCode(code int) bool {
	for _, c := range e.Codes {
		if c == code {
			return true
		}
	}
	return false
}

// Code returns the first AADSTS code, 0 when there is none.
func (e *EntraError) Code() int {
	if len(e.Codes) == 0 {
		return 0
	}
	return e.Codes[0]
}

// ErrNotEntraError is wrapped by ParseEntraError when the body is not an Entra error document.
var ErrNotEntraError = errors.New("not an Entra error document")

// ParseEntraError decodes an Entra error body. It tolerates text before the JSON (MSAL's device
// code errors prefix the body with "reply status code was 400:"), error codes given as strings,
// and a Graph-style {"error":{"code","message"}} body. When error_codes is missing, the AADSTS
// codes are read from the description. A body that is not such JSON (an HTML error page, an
// empty or truncated body) returns an error that says what it was.
func ParseEntraError(body []byte) (*EntraError, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("inspect: entra error: empty body: %w", ErrNotEntraError)
	}
	start := bytes.IndexByte(trimmed, '{')
	if start < 0 {
		return nil, fmt.Errorf("inspect: entra error: body is not JSON (starts %q): %w", snippet(trimmed), ErrNotEntraError)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(trimmed[start:], &raw); err != nil {
		return nil, fmt.Errorf("inspect: entra error: body is not valid JSON (%v; starts %q): %w", err, snippet(trimmed), ErrNotEntraError)
	}
	e := entraErrorFields(raw)
	e.Codes = errorCodes(raw["error_codes"])
	if len(e.Codes) == 0 {
		e.Codes = AADSTSCodesIn(e.Description)
	}
	if e.Err == "" && e.Description == "" && len(e.Codes) == 0 {
		return nil, fmt.Errorf("inspect: entra error: JSON has no error, error_description or error_codes: %w", ErrNotEntraError)
	}
	return e, nil
}

// entraErrorFields reads the string fields of an Entra error body. error may also be an object
// {"code", "message"}, as Microsoft Graph and Azure services write it.
func entraErrorFields(raw map[string]json.RawMessage) *EntraError {
	e := &EntraError{}
	if v, ok := raw["error"]; ok {
		var s string
		var nested struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		switch {
		case json.Unmarshal(v, &s) == nil:
			e.Err = s
		case json.Unmarshal(v, &nested) == nil:
			e.Err, e.Description = nested.Code, nested.Message
		}
	}
	for key, dst := range map[string]*string{
		"error_description": &e.Description, "suberror": &e.Suberror, "claims": &e.Claims,
		"trace_id": &e.TraceID, "correlation_id": &e.CorrelationID, "error_uri": &e.ErrorURI,
		"timestamp": &e.Timestamp,
	} {
		if v, ok := raw[key]; ok {
			var s string
			if json.Unmarshal(v, &s) == nil {
				*dst = s
			}
		}
	}
	return e
}

// errorCodes reads error_codes: a list of numbers (or numeric strings), or a single one.
func errorCodes(v json.RawMessage) []int {
	if v == nil {
		return nil
	}
	var codes []int
	var list []json.RawMessage
	if json.Unmarshal(v, &list) == nil {
		for _, item := range list {
			if n, ok := intOfJSON(item); ok {
				codes = append(codes, n)
			}
		}
	} else if n, ok := intOfJSON(v); ok {
		codes = append(codes, n)
	}
	return codes
}

func intOfJSON(v json.RawMessage) (int, bool) {
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		if i, err := strconv.Atoi(n.String()); err == nil {
			return i, true
		}
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		s = strings.TrimPrefix(strings.TrimSpace(s), "AADSTS")
		if i, err := strconv.Atoi(s); err == nil {
			return i, true
		}
	}
	return 0, false
}

// AADSTSCodesIn returns the AADSTS codes named in s ("AADSTS50013: …"), in order, once each.
func AADSTSCodesIn(s string) []int {
	var out []int
	for {
		i := strings.Index(s, "AADSTS")
		if i < 0 {
			return out
		}
		s = s[i+6:]
		j := 0
		for j < len(s) && j < 9 && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == 0 {
			continue
		}
		n, _ := strconv.Atoi(s[:j])
		if !containsInt(out, n) {
			out = append(out, n)
		}
		s = s[j:]
	}
}

// snippet returns the first characters of b for an error message, printable only.
func snippet(b []byte) string {
	const max = 40
	var sb strings.Builder
	for _, r := range string(b) {
		if sb.Len() >= max {
			sb.WriteString("…")
			break
		}
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			r = ' '
		}
		sb.WriteRune(r)
	}
	return sb.String()
}
