//go:build unix

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// hostileFiles makes what a file input must never hang or crash on: /dev/zero, a directory, a
// FIFO nobody writes to, a file over the 1 MiB cap.
func hostileFiles(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, bytes.Repeat([]byte("#"), 2<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"/dev/zero": "/dev/zero", "a directory": dir, "a FIFO without a writer": fifo, "a 2 MiB file": big}
}

// runFor runs one command line and fails the test when it takes more than a few seconds.
func runFor(t *testing.T, args []string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	start := time.Now()
	go func() { done <- run(context.Background(), args, strings.NewReader(""), &out, &errb) }()
	select {
	case code := <-done:
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%v took %s", args, d)
		}
		return code, out.String(), errb.String()
	case <-time.After(10 * time.Second):
		t.Fatalf("oboscope %s still runs after 10 s", strings.Join(args, " "))
	}
	return 0, "", ""
}

// TestHostileFileInputs: /dev/zero, a directory, a FIFO without a writer or an oversized file as
// the config, ca_file, token_file, client_secret_file, certificate_file or inspect --file gets one
// line on stderr and exit 2 within seconds — no out-of-memory crash, no hang.
func TestHostileFileInputs(t *testing.T) {
	files := hostileFiles(t)
	dir := t.TempDir()
	base := "tenant_id: 0b05c0de-7e4a-4000-8000-000000000001\n" +
		"authority_host: https://login.microsoftonline.com\n" +
		"agent: {url: https://agent.contoso.example/api, client_id: 0b05c0de-a9e1-4000-8000-000000000003}\n"
	configs := map[string]func(p string) string{
		"ca_file":    func(p string) string { return base + "ca_file: " + p + "\nsignin: {flow: token, token_file: t.txt}\n" },
		"token_file": func(p string) string { return base + "signin: {flow: token, token_file: " + p + "}\n" },
		"client_secret_file": func(p string) string {
			return base + "signin: {flow: token, token_file: t.txt}\nobo: {mode: secret, client_id: 0b05c0de-a9e1-4000-8000-000000000003, client_secret_file: " + p + ", scopes: [api://x/y]}\n"
		},
		"certificate_file": func(p string) string {
			return base + "signin: {flow: token, token_file: t.txt}\nobo: {mode: certificate, client_id: 0b05c0de-a9e1-4000-8000-000000000003, certificate_file: " + p + ", scopes: [api://x/y]}\n"
		},
	}
	if err := os.WriteFile(filepath.Join(dir, "t.txt"), []byte("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"), 0o600); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, args []string) {
		code, out, errs := runFor(t, args)
		lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
		if code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "oboscope: ") || out != "" {
			t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and one line", code, out, errs)
		}
		t.Logf("%s", lines[0])
	}
	for what, path := range files {
		t.Run("config is "+what, func(t *testing.T) {
			// The config's extension decides its syntax: a .yaml name pointing at the file.
			link := filepath.Join(t.TempDir(), "oboscope.yaml")
			if err := os.Symlink(path, link); err != nil {
				t.Fatal(err)
			}
			check(t, []string{"check", "--config", link})
		})
		for key, cfg := range configs {
			t.Run(key+" is "+what, func(t *testing.T) {
				p := filepath.Join(dir, strings.NewReplacer(" ", "_", "/", "_").Replace(key+"-"+what)+".yaml")
				if err := os.WriteFile(p, []byte(cfg(path)), 0o600); err != nil {
					t.Fatal(err)
				}
				check(t, []string{"check", "--config", p})
			})
		}
		t.Run("inspect --file is "+what, func(t *testing.T) {
			check(t, []string{"inspect", "--file", path})
		})
	}
}

// TestSecondYAMLDocumentRefused: a config file with a second YAML document after --- is refused
// with the document's line, not silently cut.
func TestSecondYAMLDocumentRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "oboscope.yaml")
	os.WriteFile(p, []byte("tenant_id: 0b05c0de-7e4a-4000-8000-000000000001\n---\ntenant_id: evil\n"), 0o600)
	code, _, errs := runFor(t, []string{"check", "--config", p})
	if code != 2 || !strings.Contains(errs, "second YAML document") || !strings.Contains(errs, "line 2") {
		t.Errorf("exit %d %q", code, errs)
	}
}

// TestCheckOutputToFIFO: check -o onto a FIFO without a reader is refused at once, not a hang.
func TestCheckOutputToFIFO(t *testing.T) {
	files := hostileFiles(t)
	code, _, errs := runFor(t, []string{"check", "--sandbox", "-o", files["a FIFO without a writer"]})
	if code != 2 || !strings.Contains(errs, "not a regular file") {
		t.Errorf("exit %d %q", code, errs)
	}
}

// TestConfigErrorsPrintable: a config key or value carrying escapes (7-bit, 8-bit, bytes that
// are not UTF-8) is quoted escaped in the one-line error, never raw.
func TestConfigErrorsPrintable(t *testing.T) {
	for _, content := range []string{
		"tenant_id: 0b05c0de-7e4a-4000-8000-000000000001\n\"\\e]8;;https://evil.example\\a\": 1\n",
		"tenant_id: 0b05c0de-7e4a-4000-8000-000000000001\nevil\x9d8;;x\x9c: 1\n",
		"tenant_id: \"\x9b5m\u202e\"\n",
	} {
		p := filepath.Join(t.TempDir(), "oboscope.yaml")
		os.WriteFile(p, []byte(content), 0o600)
		code, _, errs := runFor(t, []string{"check", "--config", p})
		if code != 2 || strings.ContainsAny(errs, "\x1b\x07\u202e") || !utf8.ValidString(errs) || strings.ContainsRune(errs, 0x9b) {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
		t.Logf("%s", strings.TrimSpace(errs))
	}
}
