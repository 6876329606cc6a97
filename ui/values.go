package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// valueText writes one claim value (as decoded from a token's JSON) the way the token writes it,
// for the screens and the clipboard: numbers in plain decimal — 1795652032, never 1.795652032e+09
// — objects as compact JSON, never Go's map[…] form.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case bool, int, int64, int32, uint, uint64, uint32:
		return fmt.Sprint(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = valueText(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(b.String())
}
