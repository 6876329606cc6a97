//go:build unix

package flows

import "syscall"

// noFollow makes an open fail on a symbolic link instead of following it.
const noFollow = syscall.O_NOFOLLOW

// nonBlock makes the open of a FIFO return at once instead of waiting for its other end.
const nonBlock = syscall.O_NONBLOCK
