package ui

import (
	"errors"
	"os/exec"
	"runtime"
)

// openBrowser opens url for the browser sign-in (signin.flow browser) without letting the
// opener write to the terminal the interface is drawn on; MSAL's default opener would.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		path, err := exec.LookPath("xdg-open")
		if err != nil {
			return errors.New("ui: no browser opener (xdg-open) found; open the sign-in URL yourself")
		}
		cmd = exec.Command(path, url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
