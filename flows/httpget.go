package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// getJSON GETs u through the hop's client and decodes a JSON answer into v.
func getJSON(ctx context.Context, h *hopRun, u string, v any) error {
	body, err := getBody(ctx, h, u)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s: invalid or truncated JSON (%v)", hostOfURL(u), err)
	}
	return nil
}

// getBody GETs u and returns the body of a 200 answer; any other answer is an error naming it.
func getBody(ctx context.Context, h *hopRun, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s", DescribeNetError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body) // the transport caps it (MaxResponseBody), with an error naming the cap
	if err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %s", hostOfURL(u), DescribeNetError(err))
	}
	if resp.StatusCode != http.StatusOK {
		x := Exchange{Method: "GET", URL: u, Status: resp.StatusCode, ResponseHeaders: resp.Header, ResponseBody: string(body)}
		if s := describeExchange(x); s != "" {
			return nil, fmt.Errorf("%s", s)
		}
		return nil, fmt.Errorf("%s answered %d", hostOfURL(u), resp.StatusCode)
	}
	return body, nil
}
