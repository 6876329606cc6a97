package ui

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/ansi"
	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
)

// toastLevel colours a toast.
type toastLevel int

const (
	toastInfo toastLevel = iota
	toastError
)

// toast is a short message on the status bar that disappears after a few seconds.
type toast struct {
	id    int
	text  string
	level toastLevel
	// whileRunning marks a toast that announces a run ("Walking scenario X"): it goes when the
	// run ends, so it never sits next to "walk complete".
	whileRunning bool
	// path is a file the toast names at its end: when the line is short, the path loses its
	// start, never its file name.
	path string
}

// fitToast is the toast's text in w cells: a path at its end is cut from the left, or only its
// file name is said.
func fitToast(t toast, w int) string {
	if ansi.StringWidth(t.text) <= w || t.path == "" || !strings.HasSuffix(t.text, t.path) {
		return trunc(t.text, w)
	}
	lead := strings.TrimSuffix(t.text, t.path)
	base := filepath.Base(t.path)
	if room := w - ansi.StringWidth(lead) - 1; room >= ansi.StringWidth(base) {
		tail := ansi.TruncateLeft(t.path, ansi.StringWidth(t.path)-room, "")
		if i := strings.IndexAny(tail, `/\`); i >= 0 {
			tail = tail[i:] // whole folder names only
		}
		return lead + "…" + tail
	}
	if short := "Saved " + base; ansi.StringWidth(short) <= w {
		return short
	}
	return trunc(t.text, w)
}

type (
	toastExpiredMsg struct{ id int }
	copiedMsg       struct {
		what   string
		length int
		err    error
	}
	exportedMsg struct {
		path string
		err  error
	}
)

// ClipboardWriter writes to the system clipboard (atotto/clipboard in the real program).
type ClipboardWriter func(string) error

// copyCmd copies text to the terminal's clipboard with OSC 52 (works over SSH) and, best effort,
// to the system clipboard; the toast then says where it went.
func copyCmd(write ClipboardWriter, what, text string) tea.Cmd {
	system := func() tea.Msg {
		var err error
		if write != nil {
			err = write(text)
		} else {
			err = fmt.Errorf("no system clipboard")
		}
		return copiedMsg{what: what, length: len(text), err: err}
	}
	return tea.Batch(tea.SetClipboard(text), system)
}

// copiedText is the toast for a finished copy.
func copiedText(m copiedMsg) string {
	where := "terminal (OSC 52) and system clipboards"
	if m.err != nil {
		where = "terminal clipboard (OSC 52)"
	}
	return fmt.Sprintf("Copied %s (%d chars) to the %s", m.what, m.length, where)
}

// exportCmd writes the report, redacted by report.Write, to a new file in dir.
func exportCmd(dir string, r flows.Report, format string, now time.Time) tea.Cmd {
	return func() tea.Msg {
		ext := map[string]string{"markdown": "md", "json": "json"}[format]
		name := "live"
		if r.Mode == "sandbox" {
			name = r.Scenario
		}
		path := filepath.Join(dir, fmt.Sprintf("oboscope-report-%s-%s.%s", safeName(name), now.Format("20060102-150405"), ext))
		var buf bytes.Buffer
		if err := report.Write(&buf, r, format); err != nil {
			return exportedMsg{err: fmt.Errorf("ui: export: %w", err)}
		}
		// 0600, never through a symbolic link, never to a FIFO or a device.
		if err := flows.WritePrivateFile(path, buf.Bytes()); err != nil {
			return exportedMsg{err: fmt.Errorf("ui: export: %w", err)}
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		return exportedMsg{path: path}
	}
}

// safeName keeps a scenario name usable in a file name.
func safeName(s string) string {
	if s == "" {
		return "walk"
	}
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, s)
}

// expireToast hides toast id after a few seconds.
func expireToast(id int) tea.Cmd {
	return tea.Tick(5*time.Second, func(time.Time) tea.Msg { return toastExpiredMsg{id: id} })
}
