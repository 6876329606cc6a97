package ui

import "charm.land/bubbles/v2/key"

// KeyMap holds every key binding of the interface. Screens pick the bindings they answer to and
// report them through help.KeyMap, so the status line and the ? overlay always tell the truth.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Open, Back                              key.Binding
	NextTab, PrevTab                        key.Binding
	Tab1, Tab2, Tab3, Tab4, Tab5, Tab6      key.Binding
	NextHop, PrevHop                        key.Binding
	NextToken                               key.Binding
	Filter                                  key.Binding
	Explain                                 key.Binding
	CopyToken, CopyValue                    key.Binding
	ExportMarkdown, ExportJSON              key.Binding
	Scenarios                               key.Binding
	Rerun, RerunHop, RetryClaims            key.Binding
	Help, Quit                              key.Binding
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
		Tab1:           b([]string{"1"}, "1-6", "go to tab"),
		Tab2:           b([]string{"2"}, "2", "tab 2"),
		Tab3:           b([]string{"3"}, "3", "tab 3"),
		Tab4:           b([]string{"4"}, "4", "tab 4"),
		Tab5:           b([]string{"5"}, "5", "tab 5"),
		Tab6:           b([]string{"6"}, "6", "tab 6"),
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
		Help:           b([]string{"?"}, "?", "help"),
		Quit:           b([]string{"q", "ctrl+c"}, "q", "quit"),
	}
}

// tabKeys returns the direct tab bindings in order.
func (k KeyMap) tabKeys() []key.Binding {
	return []key.Binding{k.Tab1, k.Tab2, k.Tab3, k.Tab4, k.Tab5, k.Tab6}
}
