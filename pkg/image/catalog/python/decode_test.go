package python

import (
	"testing"
	"unicode/utf16"
)

func TestDecodeTextUTF16(t *testing.T) {
	want := "flask==3.0.3 \U0001F600\nx\uFFFD"
	var b []byte
	b = append(b, 0xff, 0xfe)
	for _, u := range append(utf16.Encode([]rune("flask==3.0.3 \U0001F600\r\nx")), 0xd800) { // a lone surrogate at the end
		b = append(b, byte(u), byte(u>>8))
	}
	if got := decodeText(b); got != want {
		t.Errorf("decodeText = %q, want %q", got, want)
	}
}
