package tests

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/local"
)

// landBytes writes data as a file of the landing folder.
func landBytes(t *testing.T, landing, rel string, data []byte) string {
	t.Helper()
	p := filepath.Join(landing, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// rawLines is what RAW holds of a file of the app source, in row order.
func rawLines(t *testing.T, run *local.Runner, file string) []string {
	t.Helper()
	rows, err := run.DB().Query("SELECT trueup_open_text(line) FROM raw.app_lines WHERE file_name = ? ORDER BY file_row", file)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// accounted asserts that every non-blank line landed is in RAW: lines
// landed = lines in RAW, over all sources.
func accounted(t *testing.T, run *local.Runner, want int) {
	t.Helper()
	n := query(t, run.DB(), "SELECT (SELECT COUNT(*) FROM raw.app_lines) + (SELECT COUNT(*) FROM raw.crm_lines) + (SELECT COUNT(*) FROM raw.billing_lines)")
	if n[0] != itoa(want) {
		t.Errorf("RAW holds %s lines, want the %d landed", n[0], want)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func ndjson(lines ...string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

// TestLoadCompressed: gzip (Kafka Connect's S3 sink writes .json.gz),
// bzip2 and zstd files load as the file format's COMPRESSION = AUTO reads
// them, by their content whatever their name; a file that cannot be
// decompressed is a load error and the other files load.
func TestLoadCompressed(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(ndjson(debeziumLine("acct_1", "a@x.io", "1767225600000", "100"), debeziumLine("acct_2", "b@x.io", "1767225600000", "110")))
	zw.Close()
	// A second gzip member, as a producer appending a compressed block.
	zw = gzip.NewWriter(&gz)
	zw.Write(ndjson(debeziumLine("acct_3", "c@x.io", "1767225600000", "120")))
	zw.Close()
	landBytes(t, landing, "app/accounts/0001.json.gz", gz.Bytes())

	var zs bytes.Buffer
	enc, err := zstd.NewWriter(&zs)
	if err != nil {
		t.Fatal(err)
	}
	enc.Write(ndjson(debeziumLine("acct_4", "d@x.io", "1767225600000", "130")))
	enc.Close()
	landBytes(t, landing, "app/accounts/0002.json.zst", zs.Bytes())

	lines := 4
	if bz, err := exec.LookPath("bzip2"); err == nil {
		p := landBytes(t, landing, "app/accounts/0003.json", ndjson(debeziumLine("acct_5", "e@x.io", "1767225600000", "140")))
		if out, err := exec.Command(bz, "-k", p).CombinedOutput(); err != nil {
			t.Fatalf("bzip2: %v: %s", err, out)
		}
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		lines++
	} else {
		t.Log("no bzip2 command: the bzip2 case is not landed")
	}
	// Truncated gzip: cannot be decompressed.
	landBytes(t, landing, "app/accounts/0009.json.gz", gz.Bytes()[:gz.Len()/2])

	res := runOnce(t, run, landing)
	db := run.DB()
	for i, email := range []string{"a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io"}[:lines] {
		id := "acct_" + itoa(i+1)
		if got := master(t, db, id)["email"]; got != email {
			t.Errorf("gold email of %s = %q, want %q", id, got, email)
		}
	}
	accounted(t, run, lines)
	comp := query(t, db, "SELECT file_name || ' ' || compression FROM ops.load_history ORDER BY file_name")
	want := []string{"0001.json.gz gzip", "0002.json.zst zstd"}
	if lines == 5 {
		want = append(want, "0003.json.bz2 bzip2")
	}
	if strings.Join(comp, ";") != strings.Join(want, ";") {
		t.Errorf("load history = %q, want %q", comp, want)
	}
	failed := query(t, db, "SELECT file_name || ': ' || first_error FROM ops.load_errors WHERE status = 'LOAD FAILED'")
	if len(failed) != 1 || !strings.HasPrefix(failed[0], "0009.json.gz: gzip: ") {
		t.Errorf("failed loads = %q, want the truncated gzip file", failed)
	}
	skipped := 0
	for _, f := range res.Loaded {
		if f.Skipped != "" {
			skipped++
		}
	}
	if skipped != 1 {
		t.Errorf("%d files skipped, want 1", skipped)
	}
}

// TestLoadBOM: a UTF-8 byte order mark is dropped (SKIP_BYTE_ORDER_MARK),
// so the first event of the file is valid JSON, in a plain file and in a
// compressed one.
func TestLoadBOM(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	landBytes(t, landing, "app/accounts/0001.json", append([]byte("\uFEFF"), ndjson(debeziumLine("acct_1", "a@x.io", "1767225600000", "100"), debeziumLine("acct_2", "b@x.io", "1767225600000", "110"))...))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(append([]byte("\uFEFF"), ndjson(debeziumLine("acct_3", "c@x.io", "1767225600000", "120"))...))
	zw.Close()
	landBytes(t, landing, "app/accounts/0002.json.gz", gz.Bytes())
	runOnce(t, run, landing)
	db := run.DB()
	if q := query(t, db, "SELECT reason FROM silver.quarantine"); len(q) != 0 {
		t.Errorf("quarantined: %q, want nothing", q)
	}
	for id, email := range map[string]string{"acct_1": "a@x.io", "acct_3": "c@x.io"} {
		if got := master(t, db, id)["email"]; got != email {
			t.Errorf("gold email of %s = %q, want %q", id, got, email)
		}
	}
	if l := rawLines(t, run, "0001.json"); len(l) != 2 || !strings.HasPrefix(l[0], "{") {
		t.Errorf("RAW lines of 0001.json = %q", l)
	}
	accounted(t, run, 3)
}

// TestLoadNamesLiteral: file names are names, never patterns: [ab].json
// loads its own content, not a.json's, and q?.json beside qa.json loads
// both.
func TestLoadNamesLiteral(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	files := map[string]string{
		"a.json":    debeziumLine("acct_a", "a@x.io", "1767225600000", "100"),
		"[ab].json": debeziumLine("acct_ab", "ab@x.io", "1767225600000", "110"),
		"qa.json":   debeziumLine("acct_qa", "qa@x.io", "1767225600000", "120"),
		"q?.json":   debeziumLine("acct_q", "q@x.io", "1767225600000", "130"),
		"*.json":    debeziumLine("acct_star", "star@x.io", "1767225600000", "140"),
	}
	for name, line := range files {
		landText(t, landing, "app/accounts/"+name, line)
	}
	runOnce(t, run, landing)
	for name, line := range files {
		if got := rawLines(t, run, name); len(got) != 1 || got[0] != line {
			t.Errorf("RAW lines of %s = %q, want its own line", name, got)
		}
	}
	accounted(t, run, len(files))
}

// TestLoadWaitsForCompleteFiles: a file modified within the settle time
// may still be growing: it is left for the next pass, never cut; once it
// has settled, every line loads. A temporary name (.tmp, .partial, a
// leading dot) is never loaded; renamed, the file loads.
func TestLoadWaitsForCompleteFiles(t *testing.T) {
	p, err := generator.Compile("testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	run, err := local.OpenWith(context.Background(), "", p, local.Options{Settle: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	landing := t.TempDir()
	var all []string
	for i := range 40 {
		all = append(all, debeziumLine("acct_"+itoa(i), "e"+itoa(i)+"@x.io", "1767225600000", itoa(100+i)))
	}
	// Half written, cut in the middle of a line.
	half := strings.Join(all[:20], "\n") + "\n" + all[20][:30]
	path := landBytes(t, landing, "app/accounts/0001.json", []byte(half))
	landBytes(t, landing, "app/accounts/0002.json.tmp", ndjson(all[:1]...))
	landBytes(t, landing, "app/accounts/.0003.json", ndjson(all[:1]...))
	res := runOnce(t, run, landing)
	if len(res.Loaded) != 1 || res.Loaded[0].Waiting == "" {
		t.Fatalf("first pass: %+v, want 0001.json waiting", res.Loaded)
	}
	accounted(t, run, 0)

	// The producer finishes the file; it settles.
	if err := os.WriteFile(path, ndjson(all...), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Minute)
	os.Chtimes(path, old, old)
	res = runOnce(t, run, landing)
	if len(res.Loaded) != 1 || res.Loaded[0].Lines != 40 {
		t.Fatalf("second pass: %+v, want 0001.json with 40 lines", res.Loaded)
	}
	accounted(t, run, 40)

	// The temporary file is renamed when complete, and loads.
	tmp := filepath.Join(landing, "app/accounts/0002.json.tmp")
	done := filepath.Join(landing, "app/accounts/0002.json")
	if err := os.Rename(tmp, done); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(done, old, old)
	runOnce(t, run, landing)
	accounted(t, run, 41)
	if q := query(t, run.DB(), "SELECT COUNT(*) FROM ops.load_errors"); q[0] != "0" {
		t.Errorf("%s load errors, want none", q[0])
	}
}

// TestLoadEditedAfterLoading: a file edited after it was loaded, keeping
// its size, is found by its SHA-256: a data-quality finding; the lines it
// had when it was loaded stay in RAW, the new ones are not loaded.
func TestLoadEditedAfterLoading(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	before := debeziumLine("acct_1", "a@x.io", "1767225600000", "100")
	landText(t, landing, "app/accounts/0001.json", before)
	runOnce(t, run, landing)
	after := debeziumLine("acct_1", "z@x.io", "1767225600000", "100")
	if len(after) != len(before) {
		t.Fatal("the edit must keep the size")
	}
	p := landBytes(t, landing, "app/accounts/0001.json", ndjson(after))
	earlier := time.Now().Add(-time.Minute)
	os.Chtimes(p, earlier, earlier)
	// The checks run with the next batch (new lines wake the graph).
	landText(t, landing, "app/accounts/0002.json", debeziumLine("acct_2", "b@x.io", "1767225600000", "110"))
	res := runOnce(t, run, landing)
	if len(res.Loaded) != 2 || res.Loaded[0].Skipped != local.ChangedAfterLoad {
		t.Errorf("second pass: %+v, want 0001.json reported as changed", res.Loaded)
	}
	if got := rawLines(t, run, "0001.json"); len(got) != 1 || got[0] != before {
		t.Errorf("RAW lines = %q, want the line as loaded", got)
	}
	if got := master(t, run.DB(), "acct_1")["email"]; got != "a@x.io" {
		t.Errorf("gold email = %q, want a@x.io", got)
	}
	if got := query(t, run.DB(), "SELECT status FROM dq.results WHERE check_name = 'load_errors' ORDER BY checked_at DESC, batch_id DESC LIMIT 1"); len(got) != 1 || got[0] != "fail" {
		t.Errorf("load_errors check = %q, want fail", got)
	}
	// Put back as it was (touched, not changed): nothing new is reported.
	landBytes(t, landing, "app/accounts/0001.json", ndjson(before))
	res = runOnce(t, run, landing)
	if len(res.Loaded) != 0 {
		t.Errorf("third pass: %+v, want nothing", res.Loaded)
	}
	accounted(t, run, 2)
}

// TestLoadSymlinks: a symbolic link to a file and one to a folder inside
// the landing folder are followed; a link back to an ancestor folder (a
// loop) is not walked again.
func TestLoadSymlinks(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	elsewhere := t.TempDir()
	landText(t, elsewhere, "one.json", debeziumLine("acct_1", "a@x.io", "1767225600000", "100"))
	landText(t, elsewhere, "dir/two.json", debeziumLine("acct_2", "b@x.io", "1767225600000", "110"))
	dir := filepath.Join(landing, "app/accounts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"one.json": filepath.Join(elsewhere, "one.json"),
		"part":     filepath.Join(elsewhere, "dir"),
		"loop":     dir,
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	runOnce(t, run, landing)
	files := query(t, run.DB(), "SELECT file_name FROM ops.load_history ORDER BY 1")
	if strings.Join(files, ",") != "one.json,part/two.json" {
		t.Errorf("loaded %q, want one.json and part/two.json", files)
	}
	accounted(t, run, 2)
}

// TestLoadWrongPaths: a landing folder that does not exist is an error
// naming it; a declared source without files is a warning naming the
// folder it looked in.
func TestLoadWrongPaths(t *testing.T) {
	run := open(t, "testdata/spec")
	missing := filepath.Join(t.TempDir(), "landnig")
	_, err := run.RunOnce(context.Background(), missing)
	if !errors.Is(err, local.ErrNoLanding) || !strings.Contains(err.Error(), missing) {
		t.Errorf("run on a missing landing folder: %v, want ErrNoLanding naming it", err)
	}
	landing := t.TempDir()
	landText(t, landing, "app/accounts/0001.json", debeziumLine("acct_1", "a@x.io", "1767225600000", "100"))
	res := runOnce(t, run, landing)
	want := []string{
		"source crm: no files in " + filepath.Join(landing, "crm/account"),
		"source billing: no files in " + filepath.Join(landing, "billing/customer"),
	}
	if strings.Join(res.Warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings = %q, want %q", res.Warnings, want)
	}

	// The CLI's run fails on a missing folder before creating a database.
	db := filepath.Join(t.TempDir(), "t.duckdb")
	err = app.RunLocal(context.Background(), new(bytes.Buffer), app.RunOptions{Models: "testdata/spec", DB: db, Landing: missing, Once: true})
	if !errors.Is(err, local.ErrNoLanding) {
		t.Errorf("run --local on a missing folder: %v", err)
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("run --local on a missing folder created %s", db)
	}
}

// TestReadCommandsReadOnly: dq and explain refuse a database file that
// does not exist, and create nothing; on an existing file they open it
// read-only (two readers at once) and leave it byte for byte as it was.
func TestReadCommandsReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.duckdb")
	var out bytes.Buffer
	if err := app.DQ(ctx, &out, app.DQOptions{Models: "testdata/spec", DB: missing}); !errors.Is(err, local.ErrNoDatabase) || !strings.Contains(err.Error(), missing) {
		t.Errorf("dq on a missing database: %v", err)
	}
	if err := app.Explain(ctx, &out, app.ExplainOptions{Models: "testdata/spec", DB: missing, Customer: "acct_1"}); !errors.Is(err, local.ErrNoDatabase) {
		t.Errorf("explain on a missing database: %v", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a read command created %s", missing)
	}

	landing := t.TempDir()
	landText(t, landing, "app/accounts/0001.json", debeziumLine("acct_1", "a@x.io", "1767225600000", "100"))
	db := filepath.Join(dir, "t.duckdb")
	if err := app.RunLocal(ctx, &out, app.RunOptions{Models: "testdata/spec", DB: db, Landing: landing, Once: true}); err != nil {
		t.Fatal(err)
	}
	sum := func() [32]byte {
		data, err := os.ReadFile(db)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(data)
	}
	before := sum()
	p, err := generator.Compile("testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	reader, err := local.OpenReadOnly(ctx, db, p)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	out.Reset()
	if err := app.DQ(ctx, &out, app.DQOptions{Models: "testdata/spec", DB: db}); err != nil && !errors.Is(err, app.ErrDQFailed) {
		t.Errorf("dq beside another reader: %v", err)
	}
	if !strings.Contains(out.String(), "data quality, batch") {
		t.Errorf("dq printed %q", out.String())
	}
	out.Reset()
	if err := app.Explain(ctx, &out, app.ExplainOptions{Models: "testdata/spec", DB: db, Customer: "acct_1"}); err != nil {
		t.Errorf("explain: %v", err)
	}
	if _, err := reader.DB().Exec("CREATE TABLE ops.x (a INT)"); err == nil {
		t.Error("a read-only runner wrote")
	}
	reader.Close()
	if sum() != before {
		t.Error("the read commands changed the database file")
	}
}

// TestRunOnceWaitsForFreshFiles: one run loads a file landed just before
// it, waiting for the file to settle instead of leaving it for a next run
// that a one-shot run never has.
func TestRunOnceWaitsForFreshFiles(t *testing.T) {
	landing := t.TempDir()
	landText(t, landing, "app/accounts/0001.json", debeziumLine("acct_1", "a@x.io", "1767225600000", "100"))
	// The file's modification time is set a few seconds ahead so that the
	// first pass sees it unsettled however slowly the run starts.
	ahead := time.Now().Add(4 * time.Second)
	if err := os.Chtimes(filepath.Join(landing, "app", "accounts", "0001.json"), ahead, ahead); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "t.duckdb")
	var out bytes.Buffer
	o := app.RunOptions{Models: "testdata/spec", DB: db, Landing: landing, Once: true}
	o.Local.Settle = 500 * time.Millisecond
	if err := app.RunLocal(context.Background(), &out, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "waiting: app/") || !strings.Contains(out.String(), "loaded 1 files, 1 lines") {
		t.Errorf("want the file waited for, then loaded:\n%s", out.String())
	}
}
