//go:build unix

package flows_test

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalsEndTheProcess: Ctrl-C (SIGINT) or SIGTERM ends oboscope within seconds whatever it
// waits on — standard input that never ends (token_file '-', inspect -), a server that never
// answers — never a process that ignores them.
func TestSignalsEndTheProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := oboscopeBinary(t)
	hang := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	defer hang.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, certPEM(hang), 0o600)
	config := func(name, tokenFile string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("tenant_id: "+testTenant+"\nauthority_host: https://login.microsoftonline.com\nca_file: ca.pem\n"+
			"signin: {flow: token, token_file: '"+tokenFile+"'}\nagent: {url: "+hang.URL+"/agent, client_id: "+testAgent+"}\n"), 0o600)
		return p
	}
	tokenFile := filepath.Join(dir, "token.txt")
	os.WriteFile(tokenFile, []byte(fakeJWT(t, nil)), 0o600)
	for _, tt := range []struct {
		name string
		args []string
		sig  syscall.Signal
	}{
		{"check reading a token from a stdin that never ends, SIGTERM", []string{"check", "--config", config("stdin.yaml", "-")}, syscall.SIGTERM},
		{"inspect - on a stdin that never ends, SIGINT", []string{"inspect", "-"}, syscall.SIGINT},
		{"check against an agent that never answers, SIGINT", []string{"check", "--config", config("hang.yaml", tokenFile)}, syscall.SIGINT},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			stdin, err := cmd.StdinPipe() // never written to, never closed until the end
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			time.Sleep(700 * time.Millisecond)
			cmd.Process.Signal(tt.sig)
			start := time.Now()
			select {
			case <-done:
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("took %s to end after the signal", d)
				}
				t.Logf("ended %s after the signal, exit %d: %s", time.Since(start).Round(time.Millisecond), cmd.ProcessState.ExitCode(), strings.TrimSpace(stderr.String()))
				if cmd.ProcessState.ExitCode() == 0 {
					t.Errorf("exit 0 after an interrupted run")
				}
			case <-time.After(8 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 8 s after %v: %s", tt.sig, stderr.String())
			}
		})
	}
}
