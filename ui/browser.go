package ui

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os/exec"
	"runtime"
	"strings"
)

// openBrowser opens url for the browser sign-in (signin.flow browser) without letting the
// opener write to the terminal the interface is drawn on; MSAL's default opener would. The walk
// hands it only the configured authority's own sign-in page (flows.CheckBrowserURL); it refuses
// on its own anything that is not https (http only to loopback), so file:, javascript: or ms-msdt:
// URLs never reach the system's opener.
func openBrowser(rawURL string) error {
	if err := browsable(rawURL); err != nil {
		return err
	}
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", rawURL)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", rawURL)
	default:
		path, err := exec.LookPath("xdg-open")
		if err != nil {
			return errors.New("ui: no browser opener (xdg-open) found; open the sign-in URL yourself")
		}
		cmd = exec.Command(path, rawURL)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// browsable refuses a URL that is not https (or http to a loopback host), in one line.
func browsable(rawURL string) error {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err == nil && u.Host != "" {
		host := u.Hostname()
		ip := net.ParseIP(host)
		loopback := host == "localhost" || (ip != nil && ip.IsLoopback())
		if u.Scheme == "https" || (u.Scheme == "http" && loopback) {
			return nil
		}
	}
	return fmt.Errorf("ui: refusing to open a URL that is not https (http only to loopback): %.80q", rawURL)
}
