package flows

import (
	"fmt"
	"os"
)

// WritePrivateFile writes data to path for its owner only: a new file is created with mode 0600,
// an existing one is truncated and its mode tightened to 0600, and a symbolic link at path is
// never followed (the write fails instead), so a report or config cannot be redirected onto
// another file.
func WritePrivateFile(path string, data []byte) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symbolic link: refusing to write through it", path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|noFollow, 0o600)
	if err != nil {
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&os.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symbolic link: refusing to write through it", path)
		}
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
