package inspect

import (
	"errors"
	"testing"
)

// TestDecodeProseIsNotAToken: words separated by spaces are text, not an opaque token;
// a wrapped token and a Bearer-prefixed opaque token still decode.
func TestDecodeProseIsNotAToken(t *testing.T) {
	tests := []struct {
		in     string
		format Format
		reason string
	}{
		{"hello world not a token", "", "is text (words separated by spaces), not a token"},
		{"  copy\tthis  ", "", "is text (words separated by spaces), not a token"},
		{"EwBopaqueTokenPartOne\nPartTwoOfTheToken", FormatOpaque, ""},
		{"Bearer EwBopaqueTokenValue", FormatOpaque, ""},
		{"EwBopaqueTokenPartOne  \n  PartTwoOfTheToken", FormatOpaque, ""},
	}
	for _, tt := range tests {
		tok, err := DecodeUnverified(tt.in)
		var de *DecodeError
		switch {
		case tt.reason != "" && (!errors.As(err, &de) || de.Segment != "token" || de.Reason != tt.reason):
			t.Errorf("%q: err %v, want reason %q", tt.in, err, tt.reason)
		case tt.reason == "" && (err != nil || tok.Format != tt.format):
			t.Errorf("%q: %v %v, want format %s", tt.in, tok, err, tt.format)
		}
	}
}
