package app

import (
	"io"
	"log/slog"
	"strings"

	"github.com/ledgerloop/trueup/internal/sfconn"
)

// SetLogLevel sets the level of trueup's diagnostic log and of the
// Snowflake driver's (off, error, warn, info, debug, trace; off by
// default), both written to w: trueup's as slog text lines, the driver's
// behind "snowflake driver: ". Reports and errors are not logs: they are
// printed whatever the level.
func SetLogLevel(level string, w io.Writer) error {
	if err := sfconn.SetDriverLog(level, w); err != nil {
		return err
	}
	var l slog.Level
	switch strings.ToLower(level) {
	case "off":
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
		return nil
	case "error":
		l = slog.LevelError
	case "warn":
		l = slog.LevelWarn
	case "info":
		l = slog.LevelInfo
	default: // debug, trace
		l = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})))
	return nil
}
