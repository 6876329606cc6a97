package ui

import (
	"context"
	"errors"
	"fmt"
	"io"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// The tap's screen: `oboscope tap` on a terminal. It is its own program, beside the walk's: a live
// list of the requests the tap forwards (who called, the answer, the findings), the selected one
// in a box below, and enter to open a request like a hop, on the Claims, Findings and HTTP tabs.

// maxTapEntries bounds the requests the screen keeps; older ones are dropped (and counted).
const maxTapEntries = 5000

type (
	tapEventMsg struct{ ev flows.TapEvent }
	tapDoneMsg  struct{ d flows.TapDone }
)

// tapEntry is one request on the screen: its event, and its end once it came.
type tapEntry struct {
	ev   flows.TapEvent
	done *flows.TapDone
}

// tapModel is the tap screen's root model.
type tapModel struct {
	c         *common
	url       string
	upstream  string
	as        string
	names     inspect.AppNames
	clipboard ClipboardWriter

	entries []tapEntry
	first   int64 // the seq of entries[0]
	// early are request ends that came before their event (the tap reports a request's end at
	// once, its event in arrival order).
	early   map[int64]flows.TapDone
	dropped int
	errors  int // requests with an error finding
	list    scroller
	follow  bool // the selection follows the newest request

	open    bool // a request is open on its tabs
	opened  int64
	tabs    tabBar
	help    bool
	toast   toast
	toastID int
}

func newTapModel(c *common, url, upstream, as string, names inspect.AppNames) *tapModel {
	m := &tapModel{c: c, url: url, upstream: upstream, as: as, names: names, follow: true,
		tabs: newTabBar(c, newClaimsPane(c), newFindingsPane(c), newHTTPPane(c))}
	m.list.paged = true
	return m
}

// RunTap is `oboscope tap` on a terminal: it starts the tap with opts and shows its requests until
// the person quits. The exit code is 1 when a request raised an error finding, 2 when the tap
// could not start.
func RunTap(ctx context.Context, opts flows.TapOptions, stderr io.Writer) int {
	msgs := make(chan tea.Msg, 1024)
	opts.OnEvent = func(ev flows.TapEvent) { msgs <- tapEventMsg{ev: ev} }
	opts.OnDone = func(d flows.TapDone) { msgs <- tapDoneMsg{d: d} }
	tap, err := flows.StartTap(opts)
	if err != nil {
		fmt.Fprintf(stderr, "oboscope: %v\n", err)
		return 2
	}
	var names inspect.AppNames
	if opts.Config != nil {
		names = opts.Config.AppNames()
	}
	m := newTapModel(newCommon(true, nil, nil), tap.URL(), tap.Upstream(), tap.As(), names)
	m.clipboard = systemClipboard
	p := tea.NewProgram(m, tea.WithContext(ctx))
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case msg := <-msgs:
				p.Send(msg)
			case <-stop:
				return
			}
		}
	}()
	_, err = p.Run()
	// Close delivers the last events: keep taking them until it is done.
	closed := make(chan struct{})
	go func() {
		_ = tap.Close()
		close(closed)
	}()
	for done := false; !done; {
		select {
		case <-msgs:
		case <-closed:
			done = true
		}
	}
	close(stop)
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "oboscope: ui: %v\n", err)
		return 2
	}
	if m.errors > 0 {
		return 1
	}
	return 0
}

// Init asks for the background colour.
func (m *tapModel) Init() tea.Cmd { return tea.RequestBackgroundColor }

// Update is the one place the tap screen's state changes.
func (m *tapModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.resize()
	case tea.BackgroundColorMsg:
		m.c.styles = NewStyles(msg.IsDark())
		m.tabs.rebuildTabs()
	case tapEventMsg:
		m.add(msg.ev)
	case tapDoneMsg:
		d := msg.d
		switch i := int(d.Seq - m.first); {
		case len(m.entries) > 0 && i >= 0 && i < len(m.entries):
			m.entries[i].done = &d
			if m.open && m.opened == d.Seq {
				m.load()
			}
		case len(m.entries) == 0 || i >= len(m.entries):
			if m.early == nil || len(m.early) > maxTapEntries {
				m.early = map[int64]flows.TapDone{}
			}
			m.early[d.Seq] = d
		}
	case copiedMsg:
		return m, m.notify(copiedText(msg), toastInfo)
	case toastExpiredMsg:
		if msg.id == m.toast.id {
			m.toast = toast{}
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// add takes a new request in.
func (m *tapModel) add(ev flows.TapEvent) {
	if len(m.entries) == 0 {
		m.first = ev.Seq
	}
	e := tapEntry{ev: ev}
	if d, ok := m.early[ev.Seq]; ok {
		e.done = &d
		delete(m.early, ev.Seq)
	}
	m.entries = append(m.entries, e)
	if e, _, _ := inspect.CountBySeverity(ev.Findings); e > 0 {
		m.errors++
	}
	if over := len(m.entries) - maxTapEntries; over > 0 {
		m.entries = append([]tapEntry(nil), m.entries[over:]...)
		m.first += int64(over)
		m.dropped += over
		m.list.move(-over)
	}
	m.list.setLen(len(m.entries))
	if m.follow {
		m.list.to(len(m.entries) - 1)
	}
}

// key handles a key press on the list or on an open request.
func (m *tapModel) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case m.help:
		m.help = false
		return nil
	case key.Matches(msg, k.Help):
		m.help = true
		return nil
	}
	if m.open {
		return m.keyRequest(msg)
	}
	switch {
	case key.Matches(msg, k.Open):
		if sel, ok := m.selected(); ok {
			m.open, m.opened = true, sel.ev.Seq
			m.tabs.showTab(0)
			m.load()
		}
	case key.Matches(msg, tapFollowKey):
		m.follow = !m.follow
		if m.follow {
			m.list.to(len(m.entries) - 1)
		}
	case key.Matches(msg, k.CopyToken):
		return m.copyToken()
	default:
		before := m.list.cursor
		if m.list.handleKey(k, msg) && m.list.cursor != before {
			m.follow = m.list.cursor == len(m.entries)-1
		}
	}
	return nil
}

// keyRequest handles a key on an open request: tabs, the neighbouring requests, back.
func (m *tapModel) keyRequest(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	switch {
	case key.Matches(msg, k.Back) && !m.tabs.handlesBack():
		m.open = false
	case key.Matches(msg, k.NextHop), key.Matches(msg, k.PrevHop):
		d := 1
		if key.Matches(msg, k.PrevHop) {
			d = -1
		}
		if i := int(m.opened-m.first) + d; i >= 0 && i < len(m.entries) {
			m.opened = m.entries[i].ev.Seq
			m.list.to(i)
			m.follow = false
			m.load()
		}
	case key.Matches(msg, k.CopyValue):
		if what, text, ok := m.tabs.copyValue(); ok {
			return copyCmd(m.clipboard, what, text)
		}
	case key.Matches(msg, k.CopyToken):
		return m.copyToken()
	default:
		if !m.tabs.capturing() && m.tabs.switchKey(msg) {
			return nil
		}
		return m.tabs.updateFront(msg)
	}
	return nil
}

// tapFollowKey toggles following the newest request.
var tapFollowKey = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "follow newest"))

// selected is the request under the cursor (the open one on the request screen).
func (m *tapModel) selected() (tapEntry, bool) {
	i := m.list.cursor
	if m.open {
		i = int(m.opened - m.first)
	}
	if i < 0 || i >= len(m.entries) {
		return tapEntry{}, false
	}
	return m.entries[i], true
}

// copyToken copies the selected request's token without its signature — all the tap holds: it
// reads the claims (oboscope inspect takes it) and cannot be replayed.
func (m *tapModel) copyToken() tea.Cmd {
	sel, ok := m.selected()
	if !ok || sel.ev.Token == nil {
		return m.notify("No bearer token in this request", toastError)
	}
	return copyCmd(m.clipboard, "the token without its signature", sel.ev.Token.Redacted())
}

// load hands the open request to the tabs.
func (m *tapModel) load() {
	sel, ok := m.selected()
	if !ok {
		return
	}
	x := sel.ev.Exchange
	if sel.done != nil {
		x.RequestBody, x.ResponseBody = sel.done.RequestBody, sel.done.ResponseBody
		if sel.done.RequestCut {
			x.RequestBody += "\n… (the tap keeps the beginning of a body only)"
		}
		if sel.done.ResponseCut {
			x.ResponseBody += "\n… (the tap keeps the beginning of a body only)"
		}
	}
	x = displayExchange(x)
	d := tabData{findings: mapSlice(sel.ev.Findings, displayFinding), names: m.names, hop: int(sel.ev.Seq),
		res: flows.HopResult{Exchanges: []flows.Exchange{x}, Findings: sel.ev.Findings}}
	if t := sel.ev.Token; t != nil {
		d.tok, d.name, d.note = displayToken(t.Token), t.Name, t.VerifyErr
	}
	m.tabs.loadTabs(d)
	m.resize()
}

// notify shows a toast for a few seconds.
func (m *tapModel) notify(text string, level toastLevel) tea.Cmd {
	m.toastID++
	m.toast = toast{id: m.toastID, text: text, level: level}
	return expireToast(m.toastID)
}

// resize lays the screens out again.
func (m *tapModel) resize() {
	m.list.setHeight(m.listHeight())
	m.tabs.resizeTabs(m.c.width, max(m.c.height-tapRequestTop-1, 1))
}
