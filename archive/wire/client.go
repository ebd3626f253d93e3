package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Client pushes to an archive over HTTPS with the kiosk's client
// certificate (configured in HTTP's transport).
type Client struct {
	URL  string // https://archive.example:8443
	HTTP *http.Client
}

// PushError is an archive's refusal; Code says which (gap, fork, rejected,
// unknown-kiosk, unavailable).
type PushError struct {
	Status  int
	Code    string
	Message string
}

func (e *PushError) Error() string {
	return fmt.Sprintf("archive: push refused (%d %s): %s", e.Status, e.Code, e.Message)
}

// Push sends p and returns the archive's acknowledgement.
func (c *Client) Push(ctx context.Context, p *Push) (Ack, error) {
	body, err := EncodePush(p)
	if err != nil {
		return Ack{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+PushPath, bytes.NewReader(body))
	if err != nil {
		return Ack{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Ack{}, fmt.Errorf("archive: push: %w", err)
	}
	defer resp.Body.Close()
	var a WireAck
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&a); err != nil {
		return Ack{}, fmt.Errorf("archive: push answer (%d): %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return Ack{}, &PushError{Status: resp.StatusCode, Code: a.Code, Message: a.Error}
	}
	return Ack{Size: a.Size, Cosigned: a.Cosigned}, nil
}
