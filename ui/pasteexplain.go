package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/inspect"
)

// explainPaste handles a paste that is no token the way `oboscope explain` does (an Entra error,
// an MSAL exception, a WWW-Authenticate value, metadata …): the explanation of the first finding
// that explains it, and a toast naming what was recognised. ok is false when explain recognises
// nothing in it either.
func (m *Model) explainPaste(text string) (tea.Cmd, bool) {
	x := inspect.ExplainText(text, m.c.now())
	if len(x.Recognised) == 0 {
		return nil, false
	}
	what := strings.Join(x.Recognised, ", ")
	for _, c := range x.AADSTS {
		what += fmt.Sprintf(" · AADSTS%d", c)
	}
	if len(x.Findings) == 0 {
		return m.notify("Recognised "+what+"; no finding explains it (oboscope explain - prints what is known)", toastInfo), true
	}
	m.explain = newExplainView(m.c, x.Findings[0])
	m.overlay = overlayExplain
	more := ""
	if n := len(x.Findings) - 1; n > 0 {
		more = fmt.Sprintf(" (+%d more: oboscope explain - lists them)", n)
	}
	return m.notify(inspect.Printable("Recognised "+what+more, false), toastInfo), true
}
