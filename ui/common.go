package ui

import "time"

// common is what every screen shares: the window size, the styles, the keys and the clock.
// It is held by pointer so a resize or a background change reaches every screen at once.
type common struct {
	width, height int
	styles        *Styles
	keys          KeyMap
	// now is the clock; tests fix it so golden files are stable.
	now func() time.Time
	// loc is the time zone times are shown in (the local zone; UTC in tests).
	loc *time.Location
}

// newCommon builds the shared state for a dark or light terminal.
func newCommon(isDark bool, now func() time.Time, loc *time.Location) *common {
	if now == nil {
		now = time.Now
	}
	if loc == nil {
		loc = time.Local
	}
	return &common{styles: NewStyles(isDark), keys: DefaultKeyMap(), now: now, loc: loc}
}
