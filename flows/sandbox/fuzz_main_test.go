package sandbox

import (
	"flag"
	"os"
	"testing"
)

// fuzzMinimizeTime bounds how long `go test -fuzz` spends minimizing each new interesting input.
// Go's default (60 s) stalls fuzzing at 0 execs/s: minimization runs an O(n²) pass that removes
// every range of bytes, and an input whose new coverage hangs on its exact layout (the lengths of
// its parts) keeps almost no smaller candidate, so a 2–4 KB input spent the whole minute while no
// new input ran. An explicit -fuzzminimizetime wins.
const fuzzMinimizeTime = "2s"

func TestMain(m *testing.M) {
	flag.Parse()
	boundFuzzMinimization()
	os.Exit(m.Run())
}

// boundFuzzMinimization sets -test.fuzzminimizetime to fuzzMinimizeTime unless it was given.
func boundFuzzMinimization() {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.fuzzminimizetime" })
	if !given {
		if err := flag.Set("test.fuzzminimizetime", fuzzMinimizeTime); err != nil {
			panic(err)
		}
	}
}
