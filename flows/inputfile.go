package flows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxInputFile caps every file oboscope reads: the config, ca_file, token_file, the secret files,
// certificate_file and inspect --file. Each is a few kilobytes; 1 MiB is generous.
const MaxInputFile = 1 << 20

// InputFileError is a file input that is not a regular file of at most MaxInputFile bytes.
type InputFileError struct {
	Path    string
	Problem string // "is a named pipe (FIFO), not a regular file"
}

func (e *InputFileError) Error() string { return e.Path + " " + e.Problem }

// CheckInputFile checks without opening it that path names a regular file of at most max bytes
// (following symbolic links): what a config's validation says about ca_file, token_file and the
// secret files before anything runs. It never blocks, whatever the file is.
func CheckInputFile(path string, max int64) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	return checkFileInfo(path, fi, max)
}

// ReadInputFile reads path, which must be a regular file of at most max bytes. The file is
// opened without blocking (O_NONBLOCK: a FIFO with no writer cannot hold the open) and then
// checked on the descriptor itself (fstat), so a file swapped between a check and the open is
// still caught; /dev/zero, a directory, a FIFO or a socket are refused with one line, and so is a
// file that grows past max while it is read. The read stops when ctx is cancelled.
func ReadInputFile(ctx context.Context, path string, max int64) ([]byte, error) {
	if err := preOpenCheck(path, max); err != nil {
		return nil, err
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkFileInfo(path, fi, max); err != nil {
		return nil, err
	}
	b, err := readAllContext(ctx, f, max)
	if errors.Is(err, errTooLarge) {
		return nil, &InputFileError{Path: path, Problem: fmt.Sprintf("grew past the %s limit for an input file while it was read", byteSize(max))}
	}
	return b, err
}

// checkFileInfo says what is wrong with a file input, or nil.
func checkFileInfo(path string, fi fs.FileInfo, max int64) error {
	m := fi.Mode()
	switch {
	case m.IsRegular() && fi.Size() > max:
		return &InputFileError{Path: path, Problem: fmt.Sprintf("is %s, over the %s limit for an input file", byteSize(fi.Size()), byteSize(max))}
	case m.IsRegular():
		return nil
	case m.IsDir():
		return &InputFileError{Path: path, Problem: "is a directory, not a regular file"}
	case m&fs.ModeNamedPipe != 0:
		return &InputFileError{Path: path, Problem: "is a named pipe (FIFO), not a regular file"}
	case m&fs.ModeSocket != 0:
		return &InputFileError{Path: path, Problem: "is a socket, not a regular file"}
	case m&fs.ModeDevice != 0:
		return &InputFileError{Path: path, Problem: "is a device, not a regular file"}
	}
	return &InputFileError{Path: path, Problem: "is not a regular file"}
}

// errTooLarge is readAllContext's answer to more than max bytes.
var errTooLarge = errors.New("over the limit")

// ReadAllContext reads r (standard input) to its end, at most max bytes — more is an error — and
// stops with ctx's error as soon as ctx is done, also while a read blocks: Ctrl-C ends a read of
// a terminal or a pipe that never ends (the read goes on in the background, its result dropped).
func ReadAllContext(ctx context.Context, r io.Reader, max int64) ([]byte, error) {
	b, err := readAllContext(ctx, r, max)
	if errors.Is(err, errTooLarge) {
		return nil, fmt.Errorf("more than %s", byteSize(max))
	}
	return b, err
}

// readAllContext is ReadAllContext answering errTooLarge beyond max.
func readAllContext(ctx context.Context, r io.Reader, max int64) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(io.LimitReader(r, max+1))
		if err == nil && int64(len(b)) > max {
			err = errTooLarge
		}
		done <- result{b, err}
	}()
	select {
	case res := <-done:
		return res.b, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
