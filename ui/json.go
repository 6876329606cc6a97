package ui

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// prettyJSON indents a JSON document, keeping its key order, and colours it line by line.
// ok is false when the input is not JSON; the caller then shows it as text.
func prettyJSON(s *Styles, raw []byte) (lines []string, ok bool) {
	return prettyJSONNote(s, raw, nil)
}

// prettyJSONNote is prettyJSON with a note after some lines: note gets each plain line and
// returns what to show after it ("" for nothing), such as the local time of a Unix time claim.
func prettyJSONNote(s *Styles, raw []byte, note func(line string) string) (lines []string, ok bool) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(raw), "", "  "); err != nil {
		return nil, false
	}
	for _, l := range strings.Split(buf.String(), "\n") {
		// Valid JSON escapes C0 controls, but C1 controls and bidi overrides may stand raw.
		l = inspect.Printable(l, false)
		out := colourJSONLine(s, l)
		if note != nil {
			if n := note(l); n != "" {
				out += "  " + s.Muted.Render("// "+n)
			}
		}
		lines = append(lines, out)
	}
	return lines, true
}

// prettyValue renders any Go value (decoded JSON) as coloured, indented JSON.
func prettyValue(s *Styles, v any) []string {
	b, err := json.Marshal(v)
	if err != nil {
		return []string{err.Error()}
	}
	lines, _ := prettyJSON(s, b)
	return lines
}

// colourJSONLine colours one line of indented JSON: keys, strings, numbers, booleans, null.
func colourJSONLine(s *Styles, line string) string {
	var out strings.Builder
	i := 0
	for i < len(line) {
		ch := line[i]
		switch {
		case ch == '"':
			j := i + 1
			for j < len(line) && line[j] != '"' {
				if line[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(line))
			str := line[i:j]
			rest := strings.TrimLeft(line[j:], " ")
			if strings.HasPrefix(rest, ":") {
				out.WriteString(s.JSONKey.Render(str))
			} else {
				out.WriteString(s.JSONString.Render(str))
			}
			i = j
		case ch == '-' || (ch >= '0' && ch <= '9'):
			j := i
			for j < len(line) && strings.IndexByte("-+.eE0123456789", line[j]) >= 0 {
				j++
			}
			out.WriteString(s.JSONNumber.Render(line[i:j]))
			i = j
		case strings.HasPrefix(line[i:], "true"), strings.HasPrefix(line[i:], "false"):
			w := 4
			if ch == 'f' {
				w = 5
			}
			out.WriteString(s.JSONBool.Render(line[i : i+w]))
			i += w
		case strings.HasPrefix(line[i:], "null"):
			out.WriteString(s.JSONNull.Render("null"))
			i += 4
		case ch == ' ':
			out.WriteByte(ch)
			i++
		default:
			out.WriteString(s.JSONPunct.Render(string(ch)))
			i++
		}
	}
	return out.String()
}
