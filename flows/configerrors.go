package flows

import (
	"bytes"
	"encoding/json"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The helpers below turn decoder errors into messages a person reads: key paths instead of
// bare field names, "a list of strings" instead of Go types.

// yamlKindName says a YAML tag in words.
func yamlKindName(tag string) string {
	switch tag {
	case "str":
		return "a string"
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	case "int", "float":
		return "a number"
	case "bool":
		return "true or false"
	}
	return tag
}

// yamlKeyAtLine returns the dotted key whose value starts on line ("" when none does).
func yamlKeyAtLine(data []byte, line int) string {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return ""
	}
	var walk func(n *yaml.Node, prefix string) string
	walk = func(n *yaml.Node, prefix string) string {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				if k := walk(c, prefix); k != "" {
					return k
				}
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if v.Line == line && (v.Kind != yaml.MappingNode || k.Line == line) {
					return prefix + k.Value
				}
				if r := walk(v, prefix+k.Value+"."); r != "" {
					return r
				}
			}
		}
		return ""
	}
	return walk(&root, "")
}

// jsonKeyPath finds the first object key named key in a JSON document and returns its dotted path
// ("mcp.toool") and its offset: encoding/json names an unknown field without its section.
func jsonKeyPath(data []byte, key string) (string, int64, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		object  bool
		wantKey bool   // in an object: the next string is a key
		key     string // the key whose value is being read
	}
	var stack []frame
	path := func(last string) string {
		var parts []string
		for _, f := range stack {
			if f.object && f.key != "" && !f.wantKey {
				parts = append(parts, f.key)
			}
		}
		return strings.Join(append(parts[:len(parts):len(parts)], last), ".")
	}
	// valueDone marks the enclosing object's value as read: its next string is a key again.
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return "", 0, false
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{object: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
				// Keys inside the free-form objects (agent.body, mcp.arguments) are never unknown.
				if p := path(v); v == key && !strings.HasPrefix(p, "agent.body.") && !strings.HasPrefix(p, "mcp.arguments.") {
					// Skip the separator and whitespace so the offset is the key's own.
					for off < int64(len(data)) && data[off] != '"' {
						off++
					}
					return p, off, true
				}
				stack[n-1].key, stack[n-1].wantKey = v, false
				continue
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

// jsonTypeName says a Go type of the config in words.
func jsonTypeName(t string) string {
	switch t {
	case "string":
		return "a string"
	case "[]string":
		return "a list of strings"
	case "bool":
		return "true or false"
	case "int", "int64", "float64":
		return "a number"
	case "map[string]interface {}", "map[string]any":
		return "an object"
	case "map[string]string":
		return "an object of strings"
	}
	if strings.HasPrefix(t, "flows.") {
		return "an object"
	}
	return t
}

// jsonValueName says a JSON value kind (as encoding/json reports it) in words.
func jsonValueName(v string) string {
	switch v {
	case "string":
		return "a string"
	case "number":
		return "a number"
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "bool":
		return "true or false"
	}
	if strings.HasPrefix(v, "number ") {
		return "a number"
	}
	return v
}
