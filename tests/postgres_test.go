package tests

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/dialect/snowflake"
	"github.com/ledgerloop/trueup/internal/testenv"
	"github.com/ledgerloop/trueup/tests/sfparse"
	"github.com/ledgerloop/trueup/tests/sfrules"
)

// wal2jsonModels is the company spec with the app read as wal2json (and
// accounts.notes mapped to a field, for the TOAST case).
const wal2jsonModels = "testdata/wal2json/models"

// landLines writes lines as a file of the app's landing folder.
func landLines(t *testing.T, landing, name string, lines ...string) {
	t.Helper()
	dir := filepath.Join(landing, "app", "accounts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWal2JSONLines runs hand-written wal2json lines (shaped as
// pg_recvlogical writes them, see TestPostgresWal2JSON for the real thing)
// through the local pipeline: the LSN and commit timestamp conversions at
// their edges, absent versus null columns, a key change, and what is
// flagged and what is not.
func TestWal2JSONLines(t *testing.T) {
	run := open(t, wal2jsonModels)
	landing := t.TempDir()
	cols := func(kv ...any) string {
		var parts []string
		for i := 0; i < len(kv); i += 2 {
			v, _ := json.Marshal(kv[i+1])
			parts = append(parts, fmt.Sprintf(`{"name":%q,"type":"text","value":%s}`, kv[i], v))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	change := func(action, ts, lsn, table, columns, identity string) string {
		s := fmt.Sprintf(`{"action":%q,"timestamp":%q,"lsn":%q,"schema":"public","table":%q`, action, ts, lsn, table)
		if columns != "" {
			s += `,"columns":` + columns
		}
		if identity != "" {
			s += `,"identity":` + identity
		}
		return s + "}"
	}
	lines := []string{
		`{"action":"B","timestamp":"2026-01-01 10:00:00.123456+00","lsn":"0/16B3790","nextlsn":"0/16B37C0"}`,
		// acct_1: created at 10:00:00.123456 UTC (millisecond 123 kept, the
		// rest truncated), at the lowest LSN.
		change("I", "2026-01-01 10:00:00.123456+00", "0/16B3748", "accounts", cols("id", "acct_1", "email", "a@x.io", "name", "Acme", "seats", 5, "notes", "long text", "status", "active"), ""),
		`{"action":"C","timestamp":"2026-01-01 10:00:00.123456+00","lsn":"0/16B3790","nextlsn":"0/16B37C0"}`,
		// Same commit, two updates of acct_1: the higher LSN wins. notes is
		// absent (an unchanged TOAST value), name is set to null.
		change("U", "2026-01-01 11:00:00+00", "1A/FFFFFFF0", "accounts", cols("id", "acct_1", "email", "b@x.io", "name", nil, "seats", 6), cols("id", "acct_1")),
		change("U", "2026-01-01 11:00:00+00", "1A/FFFFFFFF", "accounts", cols("id", "acct_1", "email", "c@x.io", "name", nil, "seats", 7), cols("id", "acct_1")),
		// acct_2 in India (the server's time zone shows in the offset):
		// 2026-01-01 15:30:00.5+05:30 is 10:00:00.5 UTC.
		change("I", "2026-01-01 15:30:00.5+05:30", "FFFFFFFF/FFFFFFFF", "accounts", cols("id", "acct_2", "email", "x@y.io", "seats", 1), ""),
		// acct_3 is created, then its key changes to acct_3b: a delete of
		// acct_3 and an upsert of acct_3b.
		change("I", "2026-01-01 12:00:00+00", "0/1000", "accounts", cols("id", "acct_3", "email", "k@x.io"), ""),
		change("U", "2026-01-01 12:00:01+00", "0/2000", "accounts", cols("id", "acct_3b", "email", "k@x.io"), cols("id", "acct_3")),
		// acct_4 is created and deleted (the delete carries the key only).
		change("I", "2026-01-01 12:00:00+00", "0/3000", "accounts", cols("id", "acct_4", "email", "d@x.io"), ""),
		change("D", "2026-01-01 13:00:00+00", "0/4000", "accounts", "", cols("id", "acct_4")),
		// Not observations, not flagged.
		`{"action":"M","timestamp":"2026-01-01 13:00:00+00","lsn":"0/5000","transactional":true,"prefix":"x","content":"hello"}`,
		`{"action":"M","lsn":"0/5000","transactional":false,"prefix":"x","content":"no transaction"}`,
		// Flagged.
		change("I", "2026-01-01 13:00:00+00", "0/6000", "subscriptions", cols("id", "sub_1"), ""),
		`{"action":"T","timestamp":"2026-01-01 13:00:00+00","lsn":"0/7000","schema":"public","table":"accounts"}`,
		change("I", "2026-01-01T13:00:00Z", "0/8000", "accounts", cols("id", "acct_5"), ""),
		change("I", "2026-01-01 13:00:00+00", "0/8000/1", "accounts", cols("id", "acct_6"), ""),
		change("I", "2026-01-01 13:00:00+00", "0/9000", "accounts", cols("email", "nokey@x.io"), ""),
		`{"action":"X","timestamp":"2026-01-01 13:00:00+00","lsn":"0/A000","schema":"public","table":"accounts"}`,
		`{"xid":1,"change":[]}`,
		`not json`,
		// Keys that are not a string or an integer, in the new row or in the
		// identity; one of 30 digits is an integer.
		change("I", "2026-01-01 13:00:00+00", "0/B000", "accounts", cols("id", 12.5), ""),
		change("I", "2026-01-01 13:00:00+00", "0/C000", "accounts", cols("id", map[string]int{"a": 1}), ""),
		change("D", "2026-01-01 13:00:00+00", "0/D000", "accounts", "", cols("id", []int{1})),
		change("I", "2026-01-01 13:00:00+00", "0/E000", "accounts", cols("id", json.RawMessage("123456789012345678901234567890")), ""),
		// A key repeated where no value is read.
		`{"action":"I","timestamp":"2026-01-01 13:00:00+00","lsn":"0/F000","schema":"public","table":"accounts","columns":[{"name":"id","type":"text","value":"acct_7"}],"x":1,"x":2}`,
	}
	landLines(t, landing, "0001.json", lines...)
	runOnce(t, run, landing)
	db := run.DB()

	got := query(t, db, `SELECT record_key || ' ' || op || ' ' || strftime(event_time, '%Y-%m-%d %H:%M:%S.%g') || ' ' || CAST(seq AS VARCHAR)
FROM silver.observations WHERE field = '_record' ORDER BY record_key, order_key`)
	want := []string{
		"123456789012345678901234567890 upsert 2026-01-01 13:00:00.000 57344",
		"acct_1 upsert 2026-01-01 10:00:00.123 23803720",
		"acct_1 upsert 2026-01-01 11:00:00.000 115964116976",
		"acct_1 upsert 2026-01-01 11:00:00.000 115964116991",
		"acct_2 upsert 2026-01-01 10:00:00.500 18446744073709551615",
		"acct_3 upsert 2026-01-01 12:00:00.000 4096",
		"acct_3 delete 2026-01-01 12:00:01.000 8192",
		"acct_3b upsert 2026-01-01 12:00:01.000 8192",
		"acct_4 upsert 2026-01-01 12:00:00.000 12288",
		"acct_4 delete 2026-01-01 13:00:00.000 16384",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("observed records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Event ids name the LSN as sent, the table and the key.
	ids := query(t, db, "SELECT DISTINCT event_id FROM silver.observations WHERE record_key LIKE 'acct_3%' ORDER BY 1")
	if strings.Join(ids, ", ") != "lsn:0/1000:public.accounts:acct_3, lsn:0/2000:public.accounts:acct_3, lsn:0/2000:public.accounts:acct_3b" {
		t.Errorf("event ids = %q", ids)
	}
	// An absent column is not asserted; a null one is.
	asserted := query(t, db, "SELECT field || '=' || COALESCE(value, 'NULL') FROM silver.observations WHERE record_key = 'acct_1' AND seq = 115964116991 ORDER BY field")
	if got := strings.Join(asserted, " "); got != "_link=acct_1 _record=NULL company_name=NULL email=c@x.io seats=7" {
		t.Errorf("asserted by the last update of acct_1: %s", got)
	}
	acct1 := master(t, db, "acct_1")
	for field, w := range map[string]string{"email": "c@x.io", "notes": "long text", "seats": "7", "company_name": "NULL", "billing_status": "active"} {
		if acct1[field] != w {
			t.Errorf("acct_1.%s = %s, want %s", field, acct1[field], w)
		}
	}
	if got := acct1["notes__event_time"]; !strings.HasPrefix(got, "2026-01-01 10:00:00.123") {
		t.Errorf("acct_1.notes__event_time = %s, want the insert's commit time", got)
	}
	if n := countOf(t, db, "SELECT COUNT(*) FROM gold.customer_master WHERE customer_id IN ('acct_3', 'acct_4')"); n != 0 {
		t.Errorf("%d deleted accounts are in gold", n)
	}
	if m := master(t, db, "acct_3b"); m["email"] != "k@x.io" {
		t.Errorf("acct_3b.email = %s", m["email"])
	}

	flagged := query(t, db, "SELECT reason || ' | ' || COALESCE(detail, '') FROM silver.quarantine ORDER BY file_row")
	wantFlagged := []string{
		"event for another table | I public.subscriptions",
		"truncate is not applied: re-sync needed | T public.accounts",
		// A value that is there but does not convert is quarantined
		// with its text.
		"unconvertible timestamp: not a time from 1970 to 9999 in a PostgreSQL timestamptz | value 2026-01-01T13:00:00Z",
		"unconvertible lsn: not a PostgreSQL LSN | value 0/8000/1",
		"missing record key | I public.accounts",
		"unknown action | X public.accounts",
		"unknown action |  .",
		"invalid JSON | not json",
		"record key is not a string or integer | value 12.5",
		`record key is not a string or integer | value {"a":1}`,
		"record key is not a string or integer | value [1]",
		`invalid JSON: duplicate key in an object | {"action":"I","timestamp":"2026-01-01 13:00:00+00","lsn":"0/F000","schema":"public","table":"accounts","columns":[{"name":"id","type":"text","value":"acct_7"}],"x":1,"x":2}`,
	}
	if strings.Join(flagged, "\n") != strings.Join(wantFlagged, "\n") {
		t.Errorf("quarantine:\n%s\nwant:\n%s", strings.Join(flagged, "\n"), strings.Join(wantFlagged, "\n"))
	}
	if raw := countOf(t, db, "SELECT COUNT(*) FROM raw.app_lines"); raw != int64(len(lines)) {
		t.Errorf("RAW holds %d lines, %d landed", raw, len(lines))
	}
}

// TestWal2JSONSnowflakeParses parses the Snowflake rendering of the
// wal2json spec with the Snowflake SQL parser, as the generator's own test
// does for models/ and its golden specs: every statement the parser knows
// and every body (task steps, procedure steps) of those it does not.
func TestWal2JSONSnowflakeParses(t *testing.T) {
	if err := sfparse.Available(); err != nil {
		testenv.MissingTool(t, testenv.ToolParser, err.Error(), "")
	}
	p, err := generator.Compile(wal2jsonModels)
	if err != nil {
		t.Fatal(err)
	}
	files, err := generator.Render(p, snowflake.Name)
	if err != nil {
		t.Fatal(err)
	}
	var stmts []sfparse.Stmt
	observe := 0
	for _, f := range files {
		for i, s := range f.Statements {
			name := fmt.Sprintf("%s #%d", f.Path, i+1)
			parts := sfrules.PartsOf(s.SQL)
			if parts.Whole {
				stmts = append(stmts, sfparse.Stmt{Name: name, SQL: s.SQL})
			}
			for j, body := range parts.Bodies {
				stmts = append(stmts, sfparse.Stmt{Name: fmt.Sprintf("%s body %d", name, j+1), SQL: sfparse.WithoutInto(body)})
				if strings.Contains(body, "REDUCE(AS_ARRAY(") && strings.Contains(body, "TRY_TO_NUMBER(LPAD(UPPER(") && strings.Contains(body, "TRY_TO_TIMESTAMP_TZ(") {
					observe++
				}
			}
		}
	}
	if observe == 0 {
		t.Fatal("no statement reads wal2json lines")
	}
	results, err := sfparse.Parse(stmts)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if !r.OK || r.Statements != 1 {
			t.Errorf("%s: %s (%d statements)\n%s", r.Name, r.Error, r.Statements, stmts[i].SQL)
		}
	}
	t.Logf("%d statements and bodies parsed, %d of them read wal2json lines", len(stmts), observe)
}

// pgServer is a throwaway PostgreSQL server: its own data folder, socket
// folder and TCP port on 127.0.0.1, stopped and removed when the test ends.
type pgServer struct {
	bin  string // the binaries' folder
	dir  string // data, socket folder and log
	port int
	// cred runs the server's own programs (initdb, pg_ctl) as the
	// postgres user when the test runs as root, which PostgreSQL refuses.
	cred *syscall.Credential
}

// pgBinaries finds the PostgreSQL binaries and the wal2json plugin (those
// pg_config names, else Debian's PostgreSQL 15); a missing piece ends the
// test (testenv.MissingTool).
func pgBinaries(t *testing.T) string {
	t.Helper()
	type install struct{ bin, lib string }
	var candidates []install
	if out, err := exec.Command("pg_config", "--bindir", "--pkglibdir").Output(); err == nil {
		if f := strings.Fields(string(out)); len(f) == 2 {
			candidates = append(candidates, install{f[0], f[1]})
		}
	}
	if debian := (install{"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/15/lib"}); len(candidates) == 0 || candidates[0] != debian {
		candidates = append(candidates, debian)
	}
	var problems []string
	for _, c := range candidates {
		var missing []string
		for _, prog := range []string{"initdb", "pg_ctl", "postgres", "psql", "pg_recvlogical"} {
			if _, err := os.Stat(filepath.Join(c.bin, prog)); err != nil {
				missing = append(missing, filepath.Join(c.bin, prog))
			}
		}
		if _, err := os.Stat(filepath.Join(c.lib, "wal2json.so")); err != nil {
			missing = append(missing, filepath.Join(c.lib, "wal2json.so"))
		}
		if len(missing) == 0 {
			return c.bin
		}
		problems = append(problems, strings.Join(missing, ", "))
	}
	testenv.MissingTool(t, testenv.ToolPostgres, "PostgreSQL with wal2json not found: missing "+strings.Join(problems, "; or "),
		"Debian's postgresql-15 and postgresql-15-wal2json: make pg-deps, as root")
	return ""
}

// startPostgres initializes and starts a server with wal_level=logical
// and commit timestamps, in timeZone (which wal2json's timestamps show).
func startPostgres(t *testing.T, timeZone string) *pgServer {
	t.Helper()
	s := &pgServer{bin: pgBinaries(t)}
	var uid, gid int = -1, -1
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, the server must run as the postgres user: %v", err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	// Under /tmp: the postgres user must reach it (a TMPDIR below /root
	// would not do), and the socket's path must stay short.
	base := "/tmp"
	if _, err := os.Stat(base); err != nil {
		base = ""
	}
	dir, err := os.MkdirTemp(base, "trueup-pg-")
	if err != nil {
		t.Fatal(err)
	}
	s.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Mkdir(filepath.Join(dir, "sock"), 0o700); err != nil {
		t.Fatal(err)
	}
	if s.cred != nil {
		for _, d := range []string{dir, filepath.Join(dir, "sock")} {
			if err := os.Chown(d, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
	}
	data := filepath.Join(dir, "data")
	s.server(t, "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions")
	conf := fmt.Sprintf(`
listen_addresses = '127.0.0.1'
unix_socket_directories = '%s'
wal_level = logical
max_wal_senders = 4
max_replication_slots = 4
track_commit_timestamp = on
timezone = '%s'
fsync = off
full_page_writes = off
`, filepath.Join(dir, "sock"), timeZone)
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(conf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	t.Cleanup(func() {
		// Stop even after a failure; immediate: nothing of it is kept.
		cmd := s.command("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("pg_ctl stop: %v\n%s", err, out)
		}
	})
	// A free port can be taken between the probe and the start: retry.
	for attempt := 1; ; attempt++ {
		s.port = freePort(t)
		cmd := s.command("pg_ctl", "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "-o", fmt.Sprintf("-p %d", s.port), "start")
		out, err := cmd.CombinedOutput()
		if err == nil {
			break
		}
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		if attempt == 3 || !bytes.Contains(log, []byte("could not bind")) {
			t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
		}
	}
	return s
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// command prepares one of the server's programs, as the postgres user
// when the test runs as root, without the caller's PG* settings.
func (s *pgServer) command(prog string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, prog), args...)
	cmd.Dir = s.dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") && !strings.HasPrefix(kv, "LC_") && !strings.HasPrefix(kv, "LANG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LC_ALL=C")
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd
}

// server runs a server program to completion.
func (s *pgServer) server(t *testing.T, prog string, args ...string) {
	t.Helper()
	if out, err := s.command(prog, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", prog, err, out)
	}
}

// conn is the connection arguments of a client.
func (s *pgServer) conn() []string {
	return []string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.port), "-U", "postgres", "-d", "postgres"}
}

// psql runs a script in one session, stopping at the first error, and
// returns the rows it printed (unaligned, tuples only).
func (s *pgServer) psql(t *testing.T, script string) string {
	t.Helper()
	cmd := s.command("psql", append(s.conn(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", "-")...)
	cmd.Stdin = strings.NewReader(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("psql: %v\n%s\n%s", err, stderr.String(), script)
	}
	return strings.TrimSpace(string(out))
}

// tx runs statements in one transaction and returns its transaction id.
func (s *pgServer) tx(t *testing.T, stmts ...string) string {
	t.Helper()
	return s.psql(t, "BEGIN;\n"+strings.Join(stmts, ";\n")+";\nSELECT txid_current();\nCOMMIT;\n")
}

// commitTime is the commit timestamp of a transaction, in UTC.
func (s *pgServer) commitTime(t *testing.T, xid string) time.Time {
	t.Helper()
	out := s.psql(t, fmt.Sprintf(`SELECT to_char(pg_xact_commit_timestamp('%s'::xid) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');`, xid))
	ts, err := time.Parse(time.RFC3339Nano, out)
	if err != nil {
		t.Fatalf("commit time of %s: %q: %v", xid, out, err)
	}
	return ts
}

// mkdir creates a folder the server's programs can write to.
func (s *pgServer) mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if s.cred == nil {
		return
	}
	for p := path; p != s.dir && strings.HasPrefix(p, s.dir); p = filepath.Dir(p) {
		if err := os.Chown(p, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
}

// walLine is one line of wal2json format-version 2.
type walLine struct {
	Action    string   `json:"action"`
	Timestamp string   `json:"timestamp"`
	LSN       string   `json:"lsn"`
	Schema    string   `json:"schema"`
	Table     string   `json:"table"`
	Columns   []walCol `json:"columns"`
	Identity  []walCol `json:"identity"`
	Prefix    string   `json:"prefix"`
	Content   string   `json:"content"`
}

type walCol struct {
	Name  string          `json:"name"`
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

func (l walLine) col(cols []walCol, name string) (string, bool) {
	for _, c := range cols {
		if c.Name == name {
			var s string
			if json.Unmarshal(c.Value, &s) != nil {
				s = string(c.Value)
			}
			return s, true
		}
	}
	return "", false
}

// lsnNumber is X/Y as the 64-bit number X<<32 | Y.
func lsnNumber(t *testing.T, lsn string) string {
	t.Helper()
	hi, lo, ok := strings.Cut(lsn, "/")
	x, err1 := strconv.ParseUint(hi, 16, 32)
	y, err2 := strconv.ParseUint(lo, 16, 32)
	if !ok || err1 != nil || err2 != nil {
		t.Fatalf("LSN %q", lsn)
	}
	return strconv.FormatUint(x<<32|y, 10)
}

// commitTS parses wal2json's timestamp (PostgreSQL's timestamptz text).
func commitTS(t *testing.T, s string) time.Time {
	t.Helper()
	for _, layout := range []string{"2006-01-02 15:04:05.999999-07", "2006-01-02 15:04:05.999999-07:00"} {
		if ts, err := time.Parse(layout, s); err == nil {
			return ts.UTC()
		}
	}
	t.Fatalf("timestamp %q", s)
	return time.Time{}
}

// readWal reads a file pg_recvlogical writes.
func readWal(t *testing.T, path string) (lines []walLine, raw []string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		var l walLine
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("pg_recvlogical wrote a line that is not JSON: %v\n%s", err, s)
		}
		lines, raw = append(lines, l), append(raw, s)
	}
	return lines, raw
}

// bigNotes is text past the TOAST threshold that does not compress much:
// md5 of 1..400 in hexadecimal, as the SQL below builds it.
func bigNotes() string {
	var b strings.Builder
	for i := 1; i <= 400; i++ {
		sum := md5.Sum([]byte(strconv.Itoa(i)))
		b.WriteString(hex.EncodeToString(sum[:]))
	}
	return b.String()
}

const bigNotesSQL = "(SELECT string_agg(md5(i::text), '' ORDER BY i) FROM generate_series(1, 400) AS i)"

// TestPostgresWal2JSON captures real changes of a PostgreSQL 15 server with
// pg_recvlogical and wal2json into the app's landing folder, runs the
// pipeline on the file, and checks gold's values and lineage against the
// server: event time = the commit timestamp (to the millisecond), sequence
// = the change's LSN as a number, an unchanged TOASTed column left alone,
// deletes and key changes applied, truncate flagged, bookkeeping lines
// kept in RAW without a flag.
func TestPostgresWal2JSON(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("starts a PostgreSQL server")
	}
	start := time.Now()
	// A time zone with a half-hour offset: wal2json prints timestamps in
	// the server's time zone, and the pipeline must read the offset.
	s := startPostgres(t, "Asia/Kolkata")
	t.Logf("server up on port %d in %s", s.port, time.Since(start).Round(time.Millisecond))

	s.psql(t, `
CREATE TABLE public.accounts (
  id text PRIMARY KEY,
  email text,
  name text,
  status text,
  plan text,
  owner_email text,
  seats int,
  notes text,
  updated_at timestamptz
);
CREATE TABLE public.subscriptions (
  id text PRIMARY KEY,
  account_id text,
  status text,
  price numeric(10, 2),
  created_at timestamptz
);`)
	const slot = "trueup_app"
	s.server(t, "pg_recvlogical", append(s.conn(), "--slot", slot, "--create-slot", "-P", "wal2json")...)

	landing := filepath.Join(s.dir, "landing")
	s.mkdir(t, filepath.Join(landing, "app", "accounts"))
	file := filepath.Join(landing, "app", "accounts", "wal2json-0001.json")
	recv := s.command("pg_recvlogical", append(s.conn(), "--slot", slot, "--start", "--no-loop",
		"-o", "format-version=2", "-o", "include-lsn=1", "-o", "include-timestamp=1", "-o", "include-transaction=true",
		"-f", file)...)
	var recvErr lockedBuffer
	recv.Stderr = &recvErr
	if err := recv.Start(); err != nil {
		t.Fatal(err)
	}
	var recvExit error
	exited := make(chan struct{})
	go func() { recvExit = recv.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			recv.Process.Kill()
			<-exited
		}
	})

	// The changes, one transaction per call; the first inserts several
	// rows of both tables.
	xids := map[string]string{}
	xids["insert"] = s.tx(t,
		`INSERT INTO accounts VALUES ('acct_1', 'jane@acme.io', 'Acme Corp', 'active', 'starter', 'ann@ours.com', 5, `+bigNotesSQL+`, now())`,
		`INSERT INTO accounts (id, email, name, status, seats) VALUES ('acct_2', 'ops@beta.io', 'Beta LLC', 'trialing', 3), ('acct_3', 'z@gamma.io', 'Gamma', 'active', 1)`,
		`INSERT INTO accounts (id, email, name) VALUES ('acct_5', 'e@epsilon.io', 'Epsilon')`,
		`INSERT INTO subscriptions VALUES ('sub_1', 'acct_1', 'active', 49.00, now())`)
	// notes is not touched: wal2json leaves the TOASTed value out.
	xids["seats"] = s.tx(t, `UPDATE accounts SET seats = 6, updated_at = now() WHERE id = 'acct_1'`)
	// Two updates of one row in one transaction: same commit timestamp,
	// the LSN decides.
	xids["email"] = s.tx(t,
		`UPDATE accounts SET email = 'first@beta.io' WHERE id = 'acct_2'`,
		`UPDATE accounts SET email = 'second@beta.io' WHERE id = 'acct_2'`)
	xids["delete"] = s.tx(t, `DELETE FROM accounts WHERE id = 'acct_3'`)
	// COPY inserts rows in one WAL record: its changes share one LSN.
	xids["copy"] = s.psql(t, "BEGIN;\nCOPY accounts (id, email, name) FROM STDIN;\nacct_7\tg@eta.io\tEta\nacct_8\th@theta.io\tTheta\n\\.\nSELECT txid_current();\nCOMMIT;\n")
	xids["rekey"] = s.tx(t, `UPDATE accounts SET id = 'acct_6' WHERE id = 'acct_5'`)
	xids["status"] = s.tx(t, `UPDATE accounts SET status = 'past_due', plan = NULL WHERE id = 'acct_1'`)
	xids["truncate"] = s.tx(t, `TRUNCATE subscriptions, accounts`)
	s.tx(t, `SELECT pg_logical_emit_message(true, 'trueup', 'end')`)

	// Wait until pg_recvlogical has written the end message's commit, then
	// stop it as an operator would (SIGINT flushes and exits 0).
	deadline := time.Now().Add(30 * time.Second)
	for {
		lines, _ := readWalIfExists(t, file)
		if endCommitted(lines) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pg_recvlogical did not write the end message in 30 s; stderr:\n%s", recvErr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	recv.Process.Signal(os.Interrupt)
	select {
	case <-exited:
		if recvExit != nil {
			t.Fatalf("pg_recvlogical: %v\n%s", recvExit, recvErr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("pg_recvlogical did not stop on SIGINT")
	}
	captured := time.Since(start)

	lines, raw := readWal(t, file)
	for _, l := range raw {
		t.Logf("wal2json: %.300s", l)
	}

	// The premise of the TOAST case: the update of seats left notes out.
	var seatsUpdate *walLine
	for i, l := range lines {
		if l.Action == "U" && l.Table == "accounts" {
			if v, _ := l.col(l.Columns, "seats"); v == "6" {
				seatsUpdate = &lines[i]
			}
		}
	}
	if seatsUpdate == nil {
		t.Fatal("no update of seats in the captured changes")
	}
	if _, ok := seatsUpdate.col(seatsUpdate.Columns, "notes"); ok {
		t.Fatal("wal2json sent notes with the update of seats: the value was not TOASTed out of line, the case tests nothing")
	}

	// Every change's timestamp is the commit timestamp of a transaction
	// above, and every transaction above shows.
	commits := map[time.Time]string{}
	for name, xid := range xids {
		commits[s.commitTime(t, xid)] = name
	}
	seen := map[string]bool{}
	for _, l := range lines {
		if l.Action == "B" || l.Action == "C" || l.Action == "M" {
			continue
		}
		name, ok := commits[commitTS(t, l.Timestamp)]
		if !ok {
			t.Errorf("change at %s is not at the commit time of a transaction of the test", l.Timestamp)
		}
		seen[name] = true
	}
	if len(seen) != len(xids) {
		t.Errorf("changes of %d transactions captured, want %d", len(seen), len(xids))
	}

	// The LSN as a number, three ways: PostgreSQL's pg_lsn arithmetic,
	// Go, and (below) the pipeline.
	var values []string
	for i, l := range lines {
		values = append(values, fmt.Sprintf("('%s', %d)", l.LSN, i))
	}
	pgNumbers := strings.Split(s.psql(t, "SELECT (lsn::pg_lsn - '0/0'::pg_lsn)::text FROM (VALUES "+strings.Join(values, ", ")+") AS v (lsn, n) ORDER BY n;"), "\n")
	if len(pgNumbers) != len(lines) {
		t.Fatalf("PostgreSQL converted %d LSNs, want %d", len(pgNumbers), len(lines))
	}
	for i, l := range lines {
		if got := lsnNumber(t, l.LSN); got != pgNumbers[i] {
			t.Errorf("LSN %s: PostgreSQL says %s, Go %s", l.LSN, pgNumbers[i], got)
		}
	}

	// The pipeline.
	run := open(t, wal2jsonModels)
	res := runOnce(t, run, landing)
	for _, tr := range res.Batch.Tasks {
		if tr.State != "SUCCEEDED" && tr.State != "SKIPPED" {
			t.Errorf("task %s: %s %s", tr.Task, tr.State, tr.Error)
		}
	}
	db := run.DB()

	// One record observation per change of accounts (and a delete of the
	// old key of the key change), at the commit time and the LSN.
	var want []string
	for _, l := range lines {
		if l.Table != "accounts" || (l.Action != "I" && l.Action != "U" && l.Action != "D") {
			continue
		}
		at := strconv.FormatInt(commitTS(t, l.Timestamp).UnixMilli(), 10)
		seq := lsnNumber(t, l.LSN)
		newKey, _ := l.col(l.Columns, "id")
		oldKey, _ := l.col(l.Identity, "id")
		switch {
		case l.Action == "D":
			want = append(want, oldKey+" delete "+at+" "+seq)
		case l.Action == "U" && oldKey != "" && oldKey != newKey:
			want = append(want, oldKey+" delete "+at+" "+seq, newKey+" upsert "+at+" "+seq)
		default:
			want = append(want, newKey+" upsert "+at+" "+seq)
		}
	}
	sort.Strings(want)
	got := query(t, db, `SELECT record_key || ' ' || op || ' ' || CAST(epoch_ms(event_time) AS VARCHAR) || ' ' || CAST(seq AS VARCHAR)
FROM silver.observations WHERE source = 'app' AND field = '_record'`)
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("record observations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Gold: values and lineage.
	ms := func(name string) time.Time {
		for ts, n := range commits {
			if n == name {
				return ts.Truncate(time.Millisecond)
			}
		}
		t.Fatalf("no transaction %s", name)
		return time.Time{}
	}
	type lineage struct {
		value string
		at    time.Time
	}
	check := func(customer, field string, w lineage) {
		t.Helper()
		var value any
		var source *string
		var at *time.Time
		q := fmt.Sprintf("SELECT %[1]s, %[1]s__source, %[1]s__event_time FROM gold.customer_master WHERE customer_id = ?", field)
		if err := db.QueryRow(q, customer).Scan(&value, &source, &at); err != nil {
			t.Fatalf("%s.%s: %v", customer, field, err)
		}
		v := "NULL"
		if value != nil {
			v = openTokens(t, db, fmt.Sprint(value))
		}
		if v != w.value {
			t.Errorf("%s.%s = %.60q, want %.60q", customer, field, v, w.value)
		}
		if source == nil || *source != "app" || at == nil || !at.Equal(w.at) {
			t.Errorf("%s.%s came from %v at %v, want app at %s (the commit time)", customer, field, deref(source), deref(at), w.at)
		}
	}
	// wal2json sends the whole new row but unchanged TOASTed columns: a
	// value's event time is that of the last change that carried it.
	check("acct_1", "email", lineage{"jane@acme.io", ms("status")})
	check("acct_1", "seats", lineage{"6", ms("status")})
	check("acct_1", "billing_status", lineage{"past_due", ms("status")})
	check("acct_1", "plan_tier", lineage{"NULL", ms("status")})
	// notes was left out of both updates: still the inserted value, as of
	// the insert.
	check("acct_1", "notes", lineage{bigNotes(), ms("insert")})
	check("acct_2", "email", lineage{"second@beta.io", ms("email")})
	check("acct_2", "seats", lineage{"3", ms("email")})
	check("acct_6", "email", lineage{"e@epsilon.io", ms("rekey")})

	// The insert, then two updates in one commit: the later LSN is the one
	// gold took.
	var emails []string
	for _, l := range lines {
		if id, _ := l.col(l.Columns, "id"); l.Action == "U" && id == "acct_2" {
			emails = append(emails, lsnNumber(t, l.LSN))
		}
	}
	seqs := query(t, db, "SELECT CAST(seq AS VARCHAR) || ' ' || value FROM silver.observations WHERE record_key = 'acct_2' AND field = 'email' AND op = 'set' ORDER BY order_key")
	if len(emails) != 2 || len(seqs) != 3 || strings.Join(seqs[1:], ", ") != emails[0]+" first@beta.io, "+emails[1]+" second@beta.io" {
		t.Errorf("acct_2 email observations = %q, LSNs of its updates %q", seqs, emails)
	}

	// The rows of one COPY: one LSN, two records.
	copied := map[string]string{}
	for _, l := range lines {
		if id, _ := l.col(l.Columns, "id"); l.Action == "I" && (id == "acct_7" || id == "acct_8") {
			copied[id] = l.LSN
		}
	}
	if len(copied) != 2 || copied["acct_7"] != copied["acct_8"] {
		t.Logf("the COPY's rows came at LSNs %v (expected one shared LSN)", copied)
	}
	check("acct_7", "email", lineage{"g@eta.io", ms("copy")})
	check("acct_8", "email", lineage{"h@theta.io", ms("copy")})

	if n := countOf(t, db, "SELECT COUNT(*) FROM gold.customer_master WHERE customer_id IN ('acct_3', 'acct_5')"); n != 0 {
		t.Errorf("%d deleted or re-keyed accounts are in gold", n)
	}
	if n := countOf(t, db, "SELECT COUNT(*) FROM gold.customer_master"); n != 5 {
		t.Errorf("gold has %d customers, want 5 (acct_1, acct_2, acct_6, acct_7, acct_8)", n)
	}

	// Nothing dropped; begin, commit and message lines are not flagged.
	if rawLines := countOf(t, db, "SELECT COUNT(*) FROM raw.app_lines"); rawLines != int64(len(lines)) {
		t.Errorf("RAW holds %d lines, pg_recvlogical wrote %d", rawLines, len(lines))
	}
	flagged := query(t, db, "SELECT reason || ' | ' || detail FROM silver.quarantine WHERE source = 'app' ORDER BY file_row")
	wantFlagged := []string{
		"event for another table | I public.subscriptions",
		"event for another table | T public.subscriptions",
		"truncate is not applied: re-sync needed | T public.accounts",
	}
	if strings.Join(flagged, "\n") != strings.Join(wantFlagged, "\n") {
		t.Errorf("quarantine:\n%s\nwant:\n%s", strings.Join(flagged, "\n"), strings.Join(wantFlagged, "\n"))
	}
	t.Logf("%d lines captured in %s, pipeline and checks in %s", len(lines), captured.Round(time.Millisecond), (time.Since(start) - captured).Round(time.Millisecond))
}

// lockedBuffer collects a running program's output for a failure message.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func deref[T any](p *T) any {
	if p == nil {
		return "NULL"
	}
	return *p
}

func readWalIfExists(t *testing.T, path string) ([]walLine, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var lines []walLine
	for _, s := range strings.Split(string(data), "\n") {
		var l walLine
		if json.Unmarshal([]byte(s), &l) == nil {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// endCommitted is true once the end message and the commit after it are in.
func endCommitted(lines []walLine) bool {
	for i, l := range lines {
		if l.Action == "M" && l.Prefix == "trueup" && l.Content == "end" {
			for _, m := range lines[i+1:] {
				if m.Action == "C" {
					return true
				}
			}
		}
	}
	return false
}
