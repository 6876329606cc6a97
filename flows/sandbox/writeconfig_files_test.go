package sandbox

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestWriteConfigNeverFollowsLinks: --write-config does not write through a symbolic link at the
// CA's path (or the config's), leaves its target untouched, and writes 0600 files — an existing
// config's 0644 mode tightened.
func TestWriteConfigNeverFollowsLinks(t *testing.T) {
	s := startSandbox(t, "healthy")
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("keep me"), 0o644)
	if err := os.Symlink(victim, filepath.Join(dir, CAFileName)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteConfig(filepath.Join(dir, "oboscope.yaml")); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("WriteConfig through a link at the CA path: %v", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me" {
		t.Fatalf("the link's target was overwritten: %q", b)
	}

	dir = t.TempDir()
	cfg := filepath.Join(dir, "oboscope.yaml")
	os.WriteFile(cfg, []byte("old"), 0o644)
	ca, err := s.WriteConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{cfg, ca} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want 0600", p, fi.Mode().Perm(), err)
		}
	}
	link := filepath.Join(dir, "link.yaml")
	os.Symlink(victim, link)
	if _, err := s.WriteConfig(link); err == nil {
		t.Errorf("WriteConfig wrote through a link at the config's path")
	}
}

// TestRequestLogIsPrintable: the request log quotes the client's decoded path through the one
// sanitizer: escapes (7- and 8-bit) a local process puts in a path never reach the terminal raw.
func TestRequestLogIsPrintable(t *testing.T) {
	log := &syncBuffer{}
	s := startSandbox(t, "healthy", func(o *Options) { o.Log = log })
	for _, p := range []string{"/%1b]0;pwned%07", "/%9d8;;https://evil.example%9c", "/%e2%80%ae"} {
		resp, err := s.HTTPClient().Get(s.base + p)
		if err == nil {
			resp.Body.Close()
		}
	}
	time.Sleep(50 * time.Millisecond)
	out := log.String()
	for _, bad := range []string{"\x1b", "\x07", "\x9d", "\x9c", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("the log holds %q raw: %q", bad, out)
		}
	}
	if !strings.Contains(out, `\x1b]0;pwned\x07`) || !strings.Contains(out, `\x9d8;;https://evil.example\x9c`) {
		t.Errorf("the log does not show the escapes: %q", out)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines and the test's.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
