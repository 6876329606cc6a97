package flows

import (
	"context"

	"github.com/oboscope/oboscope/inspect"
)

// verifyIfConfigured is replaced by the JWKS verification as soon as inspect.VerifySignature lands.
func (w *Walk) verifyIfConfigured(ctx context.Context, h *hopRun, t *inspect.Token, audiences []string) (bool, string) {
	return false, "signature not verified"
}
