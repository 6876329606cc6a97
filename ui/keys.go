package ui

import (
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// KeyMap holds every key binding of the interface. Screens pick the bindings they answer to and
// report them through help.KeyMap, so the status line and the ? overlay always tell the truth.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Open, Back                              key.Binding
	NextTab, PrevTab, GoToTab               key.Binding
	NextHop, PrevHop                        key.Binding
	NextToken                               key.Binding
	Filter                                  key.Binding
	Explain                                 key.Binding
	CopyToken, CopyValue                    key.Binding
	ExportMarkdown, ExportJSON              key.Binding
	Scenarios                               key.Binding
	Rerun, RerunHop, RetryClaims            key.Binding
	// Step mode: S walks one hop per key press, space sends the request shown (or shows the next
	// page), b steps back, P sets the pace at which steps advance by themselves.
	StepMode, Step, StepBack, Pace key.Binding
	// FlipRun shows the previous run instead of the latest; DiffRuns makes the Diff tab compare
	// a token with the same hop's token of the other run.
	FlipRun, DiffRuns key.Binding
	// SearchNext and SearchPrev move between the matches of a search (/ in the HTTP and Raw tabs).
	SearchNext, SearchPrev key.Binding
	// Mouse turns mouse capture off (so text can be selected) and on again.
	Mouse      key.Binding
	Help, Quit key.Binding
}

// DefaultKeyMap returns oboscope's key bindings.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:             b([]string{"up", "k"}, "↑/k", "up"),
		Down:           b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:         b([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown:       b([]string{"pgdown", "ctrl+d", "space"}, "pgdn", "page down"),
		Top:            b([]string{"home", "g"}, "g", "top"),
		Bottom:         b([]string{"end", "G"}, "G", "bottom"),
		Open:           b([]string{"enter"}, "enter", "open"),
		Back:           b([]string{"esc", "backspace"}, "esc", "back"),
		NextTab:        b([]string{"tab", "right", "l"}, "tab/→", "next tab"),
		PrevTab:        b([]string{"shift+tab", "left", "h"}, "⇧tab/←", "previous tab"),
		GoToTab:        b([]string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}, "1-9", "go to tab"),
		NextHop:        b([]string{"]", "n"}, "]/[", "next/prev hop"),
		PrevHop:        b([]string{"[", "p"}, "[", "previous hop"),
		NextToken:      b([]string{"t"}, "t", "next token"),
		Filter:         b([]string{"/"}, "/", "filter"),
		Explain:        b([]string{"x"}, "x/enter", "explain finding"),
		CopyToken:      b([]string{"c"}, "c", "copy token"),
		CopyValue:      b([]string{"y"}, "y", "copy value"),
		ExportMarkdown: b([]string{"e"}, "e", "export Markdown"),
		ExportJSON:     b([]string{"E"}, "E", "export JSON"),
		Scenarios:      b([]string{"s"}, "s", "scenarios"),
		Rerun:          b([]string{"r"}, "r", "re-run walk"),
		RerunHop:       b([]string{"R"}, "R", "re-run hop"),
		RetryClaims:    b([]string{"a"}, "a", "answer claims challenge"),
		StepMode:       b([]string{"S"}, "S", "step mode"),
		Step:           b([]string{"space", "right", "pgdown"}, "space", "send / next step"),
		StepBack:       b([]string{"b", "left", "pgup"}, "b", "step back"),
		Pace:           b([]string{"P"}, "P", "pace of the steps"),
		FlipRun:        b([]string{"f"}, "f", "flip to the other run"),
		DiffRuns:       b([]string{"v"}, "v", "diff with the other run"),
		SearchNext:     b([]string{"n"}, "n/N", "next/prev match"),
		SearchPrev:     b([]string{"N"}, "N", "previous match"),
		Mouse:          b([]string{"m"}, "m", "mouse on/off"),
		Help:           b([]string{"?"}, "?", "help"),
		Quit:           b([]string{"q", "ctrl+c"}, "q", "quit"),
	}
}

// tabNumber is the tab a number key selects (0 for the first), when msg is one of GoToTab's
// keys: the Nth key selects the Nth tab of the screen in front.
func (k KeyMap) tabNumber(msg tea.KeyPressMsg) (int, bool) {
	if !key.Matches(msg, k.GoToTab) {
		return 0, false
	}
	return slices.Index(k.GoToTab.Keys(), msg.String()), true
}
