//go:build !unix

package flows

// noFollow is 0 where the platform has no O_NOFOLLOW; WritePrivateFile checks with Lstat first.
const noFollow = 0

// nonBlock is 0 where the platform has no O_NONBLOCK; WritePrivateFile checks with Lstat first.
const nonBlock = 0
