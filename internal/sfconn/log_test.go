package sfconn

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the driver's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// closedPort is a local port nothing listens on.
func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// TestDriverLogLevel: the driver's lines reach the writer, each behind its
// prefix, at the level asked for; "off" (the default of --log-level)
// writes none; an unknown level is refused.
func TestDriverLogLevel(t *testing.T) {
	_, pemData := newKey(t)
	tg := target()
	tg.Host, tg.Port, tg.LoginTimeout = "127.0.0.1", closedPort(t), 2*time.Second
	cfg, err := Config(tg, "TRUEUP", env(map[string]string{"TRUEUP_KEY": string(pemData)}))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Protocol = "http"
	login := func() {
		db := Open(cfg)
		defer db.Close()
		if got := db.Stats().MaxOpenConnections; got != 1 {
			t.Errorf("connections: at most %d, want 1", got)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := db.PingContext(ctx); err == nil {
			t.Fatal("a login to a closed port succeeded")
		}
	}
	var debug syncBuffer
	if err := SetDriverLog("debug", &debug); err != nil {
		t.Fatal(err)
	}
	login()
	out := strings.TrimSpace(debug.String())
	if out == "" {
		t.Fatal("level debug: the driver wrote nothing")
	}
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "snowflake driver: ") {
			t.Errorf("a driver line without its prefix: %q", l)
		}
	}
	var errs syncBuffer
	if err := SetDriverLog("error", &errs); err != nil {
		t.Fatal(err)
	}
	login()
	out = strings.TrimSpace(errs.String())
	if !strings.Contains(out, "level=error") {
		t.Errorf("level error: no error line of the failed login in\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if !strings.Contains(l, "level=error") {
			t.Errorf("level error: a line of another level: %q", l)
		}
	}
	var off syncBuffer
	if err := SetDriverLog("off", &off); err != nil {
		t.Fatal(err)
	}
	login()
	if s := off.String(); s != "" {
		t.Errorf("level off: the driver wrote\n%s", s)
	}
	if err := SetDriverLog("verbose", &off); err == nil || !strings.Contains(err.Error(), "want one of off, error, warn, info, debug, trace") {
		t.Errorf("an unknown level: %v", err)
	}
}
