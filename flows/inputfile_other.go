//go:build !unix

package flows

import "os"

// openNoBlock opens path for reading; preOpenCheck has refused what is not a regular file.
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }

// preOpenCheck stats path before it is opened, where the open has no O_NONBLOCK: a special file
// swapped in between the check and the open is still caught by the check on the descriptor.
func preOpenCheck(path string, max int64) error { return CheckInputFile(path, max) }
