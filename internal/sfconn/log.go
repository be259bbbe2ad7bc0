package sfconn

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/snowflakedb/gosnowflake"
)

// LogLevels are the levels --log-level accepts, quietest first.
var LogLevels = []string{"off", "error", "warn", "info", "debug", "trace"}

// SetDriverLog sets the Snowflake driver's log level ("off" silences it)
// and sends its lines to w, each prefixed with "snowflake driver: ": they
// are told apart from trueup's own output, and never reach the terminal
// unless asked for.
func SetDriverLog(level string, w io.Writer) error {
	level = strings.ToLower(level)
	if !validLevel(level) {
		return fmt.Errorf("log level %q: want one of %s", level, strings.Join(LogLevels, ", "))
	}
	l := gosnowflake.GetLogger()
	if level == "off" {
		// The driver's "off" leaves the level of entries made through
		// its WithContext as it was: those are silenced too.
		if err := l.SetLogLevel("panic"); err != nil {
			return err
		}
		w = io.Discard
	}
	if err := l.SetLogLevel(level); err != nil {
		return fmt.Errorf("log level %q: %w", level, err)
	}
	l.SetOutput(&prefixWriter{w: w, prefix: "snowflake driver: "})
	return nil
}

func validLevel(level string) bool {
	for _, l := range LogLevels {
		if l == level {
			return true
		}
	}
	return false
}

// prefixWriter writes each complete line it is given to w behind prefix.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	buf    bytes.Buffer
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf.Write(b)
	var rest []byte
	data := p.buf.Bytes()
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			rest = append(rest, data...)
			break
		}
		if _, err := fmt.Fprintf(p.w, "%s%s\n", p.prefix, data[:i]); err != nil {
			return 0, err
		}
		data = data[i+1:]
	}
	p.buf.Reset()
	p.buf.Write(rest)
	return len(b), nil
}
