// Package ui is oboscope's terminal interface: bubbletea v2 screens that render what the flows and
// inspect packages produce. It decides nothing about tokens or findings itself.
//
// One root model (Model, app.go) owns the shared state (common: size, styles, keys, clock) and
// routes messages to the screen in front: the overview rail (overview.go), a hop in detail
// (hop.go with its tabs claims.go, findings.go, exchange.go, diff.go, raw.go), the one-token view
// of `oboscope inspect` (tokenscreen.go), and the overlays (help, scenarios.go, explain.go).
// Every piece of I/O — starting the sandbox, running the walk and reading its events one message
// at a time, the clipboard, writing a report — runs in a tea.Cmd (walk.go, actions.go), so keys
// answer while a hop is running. Colours come from styles.go for light or dark backgrounds; every
// status also has a symbol or a word, so NO_COLOR loses nothing but colour.
//
// It must not decide anything about tokens or findings, print a token unredacted unless the
// person copies it, or block Update on the network.
package ui
