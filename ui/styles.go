package ui

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles holds the semantic styles of every screen. They are built from the terminal's
// background (light or dark) and kept in the shared common struct, never in package variables.
// Colour is only a second signal: every status also has a symbol or a word, so NO_COLOR (the
// ASCII profile) loses nothing but the colour.
type Styles struct {
	IsDark bool

	Title, Muted, Faint, Bold       lipgloss.Style
	Error, Warning, Info, OK        lipgloss.Style
	Running, Skipped, Pending       lipgloss.Style
	Accent                          lipgloss.Style
	Claim, Value, Highlight         lipgloss.Style
	Selected, SelectedMuted         lipgloss.Style
	TabActive, TabInactive          lipgloss.Style
	Rule                            lipgloss.Style
	Header                          lipgloss.Style
	StatusBar, StatusMode, StatusOK lipgloss.Style
	StatusErr, StatusWarn           lipgloss.Style
	Toast                           lipgloss.Style
	HelpKey, HelpDesc               lipgloss.Style
	Box, FocusBox                   lipgloss.Style
	BigCode                         lipgloss.Style
	JSONKey, JSONString, JSONNumber lipgloss.Style
	JSONBool, JSONNull, JSONPunct   lipgloss.Style
	Added, Removed, Changed         lipgloss.Style

	BorderColor color.Color
}

// NewStyles builds the styles for a light or a dark background.
func NewStyles(isDark bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }

	fg := c("#1C1C1C", "#E4E4E4")
	muted := c("#6C6C6C", "#8A8A8A")
	faint := c("#A8A8A8", "#5F5F5F")
	red := c("#C0002A", "#FF5F87")
	yellow := c("#9A5B00", "#FFB454")
	green := c("#007A3D", "#5FD787")
	blue := c("#0057B0", "#5FAFFF")
	purple := c("#6A2CC9", "#B594FF")
	cyan := c("#00707A", "#5FD7D7")
	barBG := c("#E4E4E4", "#262626")
	selBG := c("#D7D7FF", "#3A3A5A")
	border := c("#BCBCBC", "#4E4E4E")

	base := lipgloss.NewStyle()
	s := &Styles{IsDark: isDark, BorderColor: border}
	s.Title = base.Bold(true).Foreground(purple)
	s.Muted = base.Foreground(muted)
	s.Faint = base.Foreground(faint)
	s.Bold = base.Bold(true).Foreground(fg)
	s.Error = base.Foreground(red).Bold(true)
	s.Warning = base.Foreground(yellow).Bold(true)
	s.Info = base.Foreground(blue)
	s.OK = base.Foreground(green)
	s.Running = base.Foreground(cyan)
	s.Skipped = base.Foreground(muted)
	s.Pending = base.Foreground(faint)
	s.Accent = base.Foreground(purple)
	s.Claim = base.Foreground(blue)
	s.Value = base.Foreground(fg)
	s.Highlight = base.Foreground(yellow).Bold(true)
	s.Selected = base.Reverse(true).Bold(true)
	s.SelectedMuted = base.Background(selBG)
	s.TabActive = base.Bold(true).Underline(true).Foreground(purple)
	s.TabInactive = base.Foreground(muted)
	s.Rule = base.Foreground(border)
	s.Header = base.Bold(true).Foreground(fg)
	s.StatusBar = base.Background(barBG).Foreground(fg)
	s.StatusMode = base.Background(purple).Foreground(c("#FFFFFF", "#1C1C1C")).Bold(true).Padding(0, 1)
	s.StatusOK = base.Background(barBG).Foreground(green).Bold(true)
	s.StatusErr = base.Background(barBG).Foreground(red).Bold(true)
	s.StatusWarn = base.Background(barBG).Foreground(yellow).Bold(true)
	s.Toast = base.Background(barBG).Foreground(cyan).Bold(true)
	s.HelpKey = base.Foreground(purple).Bold(true)
	s.HelpDesc = base.Foreground(muted)
	s.Box = base.Border(lipgloss.RoundedBorder()).BorderForeground(border).Padding(0, 1)
	s.FocusBox = base.Border(lipgloss.RoundedBorder()).BorderForeground(purple).Padding(0, 1)
	s.BigCode = base.Bold(true).Foreground(purple)
	s.JSONKey = base.Foreground(blue)
	s.JSONString = base.Foreground(green)
	s.JSONNumber = base.Foreground(purple)
	s.JSONBool = base.Foreground(yellow)
	s.JSONNull = base.Foreground(muted)
	s.JSONPunct = base.Foreground(muted)
	s.Added = base.Foreground(green)
	s.Removed = base.Foreground(red)
	s.Changed = base.Foreground(yellow)
	return s
}
