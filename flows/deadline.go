package flows

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultWalkTimeout bounds a whole run of a walk (Run, RunHop, RetryWithClaims): every network
// call already has its own timeout (DefaultTimeout), and this one stops a walk against servers
// that each answer just in time. The time a person takes to complete an interactive sign-in (a
// device code the sandbox does not approve, the browser) is not counted: the sign-in's own expiry
// bounds it.
const DefaultWalkTimeout = 2 * time.Minute

// WalkDeadlineError is the cause of a run stopped by its deadline.
type WalkDeadlineError struct{ Timeout time.Duration }

func (e *WalkDeadlineError) Error() string {
	return fmt.Sprintf("the walk's deadline (%s) passed", e.Timeout)
}

// walkDeadline cancels a run's context once the run has spent its timeout, not counting the
// intervals between pause and resume.
type walkDeadline struct {
	mu      sync.Mutex
	timeout time.Duration
	left    time.Duration
	since   time.Time
	paused  int
	fired   bool
	timer   *time.Timer
	cancel  context.CancelCauseFunc
}

// newWalkDeadline returns a context that is cancelled (with a *WalkDeadlineError as its cause)
// once timeout has been spent, and the deadline that controls it.
func newWalkDeadline(parent context.Context, timeout time.Duration) (context.Context, *walkDeadline) {
	ctx, cancel := context.WithCancelCause(parent)
	d := &walkDeadline{timeout: timeout, left: timeout, since: time.Now(), cancel: cancel}
	d.timer = time.AfterFunc(timeout, d.expire)
	return ctx, d
}

func (d *walkDeadline) expire() {
	d.mu.Lock()
	d.fired = true
	d.mu.Unlock()
	d.cancel(&WalkDeadlineError{Timeout: d.timeout})
}

// pause stops the clock while a person acts (an interactive sign-in).
func (d *walkDeadline) pause() {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.paused == 0 && !d.fired && d.timer.Stop() {
		d.left -= time.Since(d.since)
	}
	d.paused++
}

// resume starts the clock again after pause.
func (d *walkDeadline) resume() {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.paused == 0 {
		return
	}
	d.paused--
	if d.paused == 0 && !d.fired {
		d.since = time.Now()
		d.timer.Reset(max(d.left, 0))
	}
}

// stop releases the deadline's timer and context at the end of a run.
func (d *walkDeadline) stop() {
	d.timer.Stop()
	d.cancel(nil)
}
