package app

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/ledgerloop/trueup/internal/local"
)

// Version is trueup's version as the build recorded it: the module's
// version, the commit and its time, and whether the tree had local
// changes; "(devel)" for a build of a working tree without them.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var extra []string
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		c := "commit " + rev
		if t := settings["vcs.time"]; t != "" {
			c += " of " + t
		}
		if settings["vcs.modified"] == "true" {
			c += ", with local changes"
		}
		extra = append(extra, c)
	}
	if len(extra) > 0 {
		v += " (" + strings.Join(extra, "; ") + ")"
	}
	return v
}

// PrintVersion writes trueup's version, the Go toolchain and the embedded
// DuckDB's.
func PrintVersion(w io.Writer) error {
	duck := "unknown"
	if db, err := local.OpenDB(""); err == nil {
		_ = db.QueryRow("SELECT library_version FROM pragma_version()").Scan(&duck)
		db.Close()
	}
	_, err := fmt.Fprintf(w, "trueup %s\n%s %s/%s, DuckDB %s\n", Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH, duck)
	return err
}
