package flows

import (
	"fmt"
	"os"
)

// WritePrivateFile writes data to path for its owner only: a new file is created with mode 0600,
// an existing one is truncated and its mode tightened to 0600, and a symbolic link at path is
// never followed (the write fails instead), so a report or config cannot be redirected onto
// another file. Only a regular file is written: a FIFO, a device or a directory at path is
// refused at once (the open does not block on a FIFO without a reader).
func WritePrivateFile(path string, data []byte) error {
	if fi, err := os.Lstat(path); err == nil {
		switch m := fi.Mode(); {
		case m&os.ModeSymlink != 0:
			return fmt.Errorf("%s is a symbolic link: refusing to write through it", path)
		case !m.IsRegular():
			return fmt.Errorf("%s is not a regular file: refusing to write to it", path)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|noFollow|nonBlock, 0o600)
	if err != nil {
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&os.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symbolic link: refusing to write through it", path)
		}
		return err
	}
	// What was opened is checked, not what was looked at before: a file swapped in between is
	// caught here, before anything is truncated or written.
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return fmt.Errorf("%s is not a regular file: refusing to write to it", path)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
