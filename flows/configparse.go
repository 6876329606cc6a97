package flows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/oboscope/oboscope/inspect"
)

// ParseConfig decodes a config document; ext (".yaml", ".yml" or ".json") picks the syntax. The
// document is first read as a tree and checked against the schema, so that an unknown key or a
// value of the wrong kind is named by its dotted key and line (with the nearest known key), then
// decoded. A file holds one document.
func ParseConfig(data []byte, ext string) (Config, error) {
	var cfg Config
	var root yaml.Node
	isJSON := false
	switch strings.ToLower(ext) {
	case ".yaml", ".yml":
		if err := decodeOneYAML(data, &root); err != nil {
			return cfg, err
		}
	case ".json":
		isJSON = true
		if err := checkJSONSyntax(data); err != nil {
			return cfg, err
		}
		// JSON is YAML: one tree, one schema check, for both syntaxes.
		if err := yaml.Unmarshal(data, &root); err != nil {
			return cfg, &ConfigError{Problem: "invalid JSON: " + strings.TrimPrefix(err.Error(), "yaml: ")}
		}
	default:
		return cfg, &ConfigError{Problem: fmt.Sprintf("unknown file type %q: use .yaml, .yml or .json", ext)}
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if doc.Kind == 0 || (doc.Kind == yaml.ScalarNode && doc.Tag == "!!null") {
		return cfg, &ConfigError{Problem: "the file is empty"}
	}
	s := schemaCheck{json: isJSON}
	s.check(doc, reflect.TypeOf(cfg), "")
	switch len(s.errs) {
	case 0:
	case 1:
		return cfg, s.errs[0]
	default:
		return cfg, s.errs
	}
	if err := doc.Decode(&cfg); err != nil {
		return cfg, &ConfigError{Problem: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	return cfg, nil
}

// decodeOneYAML reads the first YAML document of data into root and refuses a second one (a
// second document after --- would otherwise be ignored without a word).
func decodeOneYAML(data []byte, root *yaml.Node) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(root); err != nil {
		if errors.Is(err, io.EOF) {
			return &ConfigError{Problem: "the file is empty"}
		}
		return yamlSyntaxError(err)
	}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return yamlSyntaxError(err)
	}
	return &ConfigError{Line: second.Line, Problem: "a second YAML document (after ---): a config file holds exactly one"}
}

// yamlSyntaxError turns the YAML parser's error ("yaml: line 3: did not find expected key") into
// a ConfigError with its line. The parser's errors carry no structure, so the line is read from
// the text; anything else is kept as the parser said it.
func yamlSyntaxError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, problem, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(n); err == nil {
				return &ConfigError{Line: line, Problem: problem}
			}
		}
	}
	return &ConfigError{Problem: msg}
}

// checkJSONSyntax reports a JSON syntax error with its line, or a truncated document.
func checkJSONSyntax(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return &ConfigError{Problem: "the file is empty"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	err := dec.Decode(&v)
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return &ConfigError{Line: lineAt(data, se.Offset), Problem: "invalid JSON: " + se.Error()}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &ConfigError{Problem: "invalid JSON: the document is truncated"}
	case err != nil:
		return &ConfigError{Problem: "invalid JSON: " + err.Error()}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &ConfigError{Line: lineAt(data, dec.InputOffset()), Problem: "invalid JSON: more than one value in the file"}
	}
	return nil
}

func lineAt(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// schemaCheck walks a config tree against the Config type, collecting every unknown key and
// every value of the wrong kind.
type schemaCheck struct {
	json bool // say "object" rather than "mapping"
	errs ConfigErrors
}

func (s *schemaCheck) bad(key string, line int, format string, args ...any) {
	s.errs = append(s.errs, &ConfigError{Key: key, Line: line, Problem: fmt.Sprintf(format, args...)})
}

func (s *schemaCheck) check(n *yaml.Node, t reflect.Type, key string) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value is the zero value
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			s.bad(key, n.Line, "must be %s, not %s", s.mapping(), s.kind(n))
			return
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				s.unknown(key, k, fields)
				continue
			}
			s.check(v, ft, key+k.Value+".")
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			s.bad(strings.TrimSuffix(key, "."), n.Line, "must be %s, not %s", s.mapping(), s.kind(n))
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			s.bad(strings.TrimSuffix(key, "."), n.Line, "must be a list of strings, not %s", s.kind(n))
			return
		}
		for i, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				s.bad(fmt.Sprintf("%s[%d]", strings.TrimSuffix(key, "."), i), item.Line, "must be a string, not %s", s.kind(item))
			}
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			s.bad(strings.TrimSuffix(key, "."), n.Line, "must be true or false, not %s", s.kind(n))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			s.bad(strings.TrimSuffix(key, "."), n.Line, "must be a string, not %s", s.kind(n))
		}
	}
}

// unknown reports an unknown key with the nearest known one.
func (s *schemaCheck) unknown(prefix string, k *yaml.Node, fields map[string]reflect.Type) {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	problem := "unknown key"
	if near := inspect.Closest(k.Value, names, 1); len(near) > 0 {
		problem += "; did you mean " + prefix + near[0] + "?"
	}
	s.errs = append(s.errs, &ConfigError{Key: prefix + k.Value, Line: k.Line, Problem: problem})
}

func (s *schemaCheck) mapping() string {
	if s.json {
		return "an object"
	}
	return "a mapping"
}

// kind says what a node holds, in words.
func (s *schemaCheck) kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return s.mapping()
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "true or false"
	}
	return "a string"
}

// yamlFields maps the yaml keys of a struct's fields to their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}
