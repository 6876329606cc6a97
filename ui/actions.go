package ui

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
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
		// problem says in plain words why the report could not be written ("" when it was).
		problem string
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

// exportCmd writes the report, redacted by report.Write and opening with the version and the
// time, to a new file in dir: a name taken already gets a number, so a second export in the same
// second never fails and never overwrites.
func exportCmd(dir string, r flows.Report, format string, now time.Time, version string) tea.Cmd {
	return func() tea.Msg {
		ext := map[string]string{"markdown": "md", "json": "json"}[format]
		name := "live"
		if r.Mode == "sandbox" {
			name = r.Scenario
		}
		var buf bytes.Buffer
		if err := report.WriteWith(&buf, r, format, report.Meta{Version: version, At: now}); err != nil {
			return exportedMsg{problem: "Could not write the report: " + err.Error()}
		}
		base := fmt.Sprintf("oboscope-report-%s-%s", safeName(name), now.Format("20060102-150405"))
		for n := 1; n <= 100; n++ {
			file := base + "." + ext
			if n > 1 {
				file = fmt.Sprintf("%s-%d.%s", base, n, ext)
			}
			path := filepath.Join(dir, file)
			if _, err := os.Lstat(path); err == nil {
				continue // taken: the next number
			}
			if err := flows.WritePrivateFile(path, buf.Bytes()); err != nil {
				return exportedMsg{problem: exportProblem(dir, err)}
			}
			if abs, err := filepath.Abs(path); err == nil {
				path = abs
			}
			return exportedMsg{path: path}
		}
		return exportedMsg{problem: "Could not write the report: " + dir + " holds 100 reports of this second already"}
	}
}

// exportProblem says in plain words why a report could not be written, and what to do.
func exportProblem(dir string, err error) string {
	if abs, aerr := filepath.Abs(dir); aerr == nil {
		dir = abs
	}
	why := err.Error()
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrPermission):
		why = "the folder is not writable"
	case errors.Is(err, fs.ErrNotExist):
		why = "the folder does not exist"
	case errors.As(err, &pe):
		why = pe.Err.Error()
	}
	return fmt.Sprintf("Could not write the report to %s: %s (--export-dir sets another folder)", dir, why)
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
