// Package ui is oboscope's terminal interface: bubbletea v2 screens that render what the flows and
// inspect packages produce. It decides nothing about tokens or findings itself.
package ui
