package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestFitSections: the overview's hop box keeps whole items, never shows a heading without one
// of its items, and ends with a line that names what it left out by kind (QA U2).
func TestFitSections(t *testing.T) {
	s := NewStyles(true)
	story := summarySection{hidden: "the rest of the story", items: [][]string{{"   story 1"}, {"   story 2"}}}
	finds := summarySection{head: []string{" Findings"}, noun: "finding", items: [][]string{{"   ERROR a", "     Fix: x", "          y"}, {"   WARN b", "     Fix: z"}}}
	toks := summarySection{head: []string{" Tokens"}, noun: "token", items: [][]string{{"   user token", "     verified"}}}
	http := summarySection{head: []string{" HTTP"}, noun: "HTTP exchange", items: [][]string{{"   GET 1"}, {"   POST 2"}, {"   POST 3"}}}
	tests := []struct {
		name string
		secs []summarySection
		n, w int
		want []string
	}{
		{"all fits", []summarySection{story, http}, 7, 60,
			[]string{"   story 1", "   story 2", "", " HTTP", "   GET 1", "   POST 2", "   POST 3"}},
		{"cut inside a section counts its items", []summarySection{story, http}, 6, 60,
			[]string{"   story 1", "   story 2", "", " HTTP", "   GET 1", "   … 2 more HTTP exchanges; enter opens the hop"}},
		{"a heading without an item is dropped", []summarySection{story, toks, http}, 5, 60,
			[]string{"   story 1", "   story 2", "   … 1 token, 3 HTTP exchanges; enter opens the hop"}},
		{"a finding with its fix shows whole or not at all", []summarySection{finds, http}, 6, 60,
			[]string{" Findings", "   ERROR a", "     Fix: x", "          y", "   … 1 more finding, 3 HTTP exchanges; enter opens the hop"}},
		{"story cut", []summarySection{story, toks}, 2, 60,
			[]string{"   story 1", "   … the rest of the story, 1 token; enter opens the hop"}},
		{"too narrow to name them", []summarySection{story, toks, http}, 3, 40,
			[]string{"   story 1", "   story 2", "   … more: enter opens the hop"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fitSections(s, tt.secs, tt.n, tt.w)
			for i := range got {
				got[i] = ansi.Strip(got[i])
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if len(got) > tt.n {
				t.Fatalf("%d lines for %d", len(got), tt.n)
			}
		})
	}
}

// TestRefusedExchangeToldOnce: when the hop's story already tells Entra's error (its AADSTS
// code), the rail, the overview's hop box and the Summary tab show the story, not the same error
// again as "obo: Entra answered …".
func TestRefusedExchangeToldOnce(t *testing.T) {
	m := sandboxModel(t, "wrong-audience", 120, 36)
	d := runWalk(t, m)
	d.key("down")
	overview := screen(m)
	d.key("enter")
	summary := screen(m)
	for _, c := range []struct {
		view string
		want int // the rail's line and the hop box on the overview; the story on the Summary tab
	}{{overview, 2}, {summary, 1}} {
		if n := strings.Count(c.view, "Entra refused the exchange: AADSTS50013"); n != c.want {
			t.Fatalf("the story is shown %d times, want %d:\n%s", n, c.want, c.view)
		}
		if strings.Contains(c.view, "Entra answered invalid_grant") {
			t.Fatalf("the error is repeated after the story:\n%s", c.view)
		}
	}
}
