// Package auditlog writes and verifies trueup's own audit log, the table
// AUDIT.LOG (plan.AuditLog): one entry per deployment, rule-set version,
// data-quality acknowledgement, relink or erasure.
//
// The log is a hash chain. Each entry's hash is the SHA-256 of the hash of
// the entry before it and of every column of its own, so that changing,
// deleting or inserting an entry anywhere but at the end breaks the chain
// from that entry on, and Verify names it. The chain proves the log was
// not edited in place; it cannot prove that the newest entries were not
// cut off, which is what the head hash printed by verify (kept elsewhere:
// a ticket, a commit) is for.
//
// Entries are written by one writer at a time: a deploy appends under the
// target's deploy lock, and a local database is open for writing in one
// process only.
package auditlog

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Actions, the kinds of entry.
const (
	Deploy  = "deploy"
	Ruleset = "ruleset"
	DQAck   = "dq_ack"
	Relink  = "relink"
	Forget  = "forget"
	// Override is a steward's override of a customer's field, set or
	// cleared.
	Override = "override"
	// PIIRead is a read of PII in full (explain by the pii_reader role).
	PIIRead = "pii_read"
)

// Genesis is the prev_hash of the first entry.
var Genesis = strings.Repeat("0", 64)

// Entry is one row of the log.
type Entry struct {
	Seq     int64
	At      time.Time // UTC, microseconds
	Actor   string
	Action  string
	Subject string
	// Detail is a JSON object (Append marshals a map given to it).
	Detail   string
	PrevHash string
	Hash     string
}

// Sum is the hash an entry must carry: the SHA-256 of prev_hash and every
// other column, each as length-prefixed text so that no two entries share
// an encoding.
func Sum(e Entry) string {
	h := sha256.New()
	for _, f := range []string{
		e.PrevHash,
		strconv.FormatInt(e.Seq, 10),
		e.At.UTC().Format("2006-01-02T15:04:05.000000Z"),
		e.Actor, e.Action, e.Subject, e.Detail,
	} {
		fmt.Fprintf(h, "%d:%s\n", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Conn is what the log is written and read through: a *sql.DB or *sql.Tx.
type Conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Log is the log table of one database.
type Log struct {
	// Table is the table's qualified name as the database spells it
	// (TRUEUP.AUDIT.LOG, audit.log).
	Table string
	// Now returns the time an entry is written at (time.Now when nil).
	Now func() time.Time
}

// Append writes an entry after the newest one: it sets Seq, At, PrevHash
// and Hash, and returns the entry written. detail, when not nil, is
// marshalled to a JSON object.
func (l Log) Append(ctx context.Context, c Conn, actor, action, subject string, detail map[string]any) (Entry, error) {
	e := Entry{Actor: actor, Action: action, Subject: subject, Detail: "{}"}
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return Entry{}, fmt.Errorf("audit log: %w", err)
		}
		e.Detail = string(b)
	}
	var seq sql.NullInt64
	var prev sql.NullString
	err := c.QueryRowContext(ctx, "SELECT seq, entry_hash FROM "+l.Table+" ORDER BY seq DESC LIMIT 1").Scan(&seq, &prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		e.Seq, e.PrevHash = 1, Genesis
	case err != nil:
		return Entry{}, fmt.Errorf("audit log: read the newest entry: %w", err)
	default:
		e.Seq, e.PrevHash = seq.Int64+1, prev.String
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	e.At = now().UTC().Truncate(time.Microsecond)
	e.Hash = Sum(e)
	if _, err := c.ExecContext(ctx, "INSERT INTO "+l.Table+" (seq, logged_at, actor, action, subject, detail, prev_hash, entry_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		e.Seq, e.At, e.Actor, e.Action, e.Subject, e.Detail, e.PrevHash, e.Hash); err != nil {
		return Entry{}, fmt.Errorf("audit log: write entry %d (%s): %w", e.Seq, action, err)
	}
	return e, nil
}

// Entries reads the whole log in order.
func (l Log) Entries(ctx context.Context, c Conn) ([]Entry, error) {
	rows, err := c.QueryContext(ctx, "SELECT seq, logged_at, actor, action, subject, detail, prev_hash, entry_hash FROM "+l.Table+" ORDER BY seq, entry_hash")
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var actor, subject, detail sql.NullString
		if err := rows.Scan(&e.Seq, &e.At, &actor, &e.Action, &subject, &detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("audit log: %w", err)
		}
		e.At = e.At.UTC()
		e.Actor, e.Subject, e.Detail = actor.String, subject.String, detail.String
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return out, nil
}

// BrokenError names the first entry at which the chain does not hold.
type BrokenError struct {
	Seq    int64
	Action string
	Reason string
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("audit log broken at entry %d (%s): %s", e.Seq, e.Action, e.Reason)
}

// Verify recomputes the chain over the entries (in order) and returns a
// *BrokenError for the first one that does not hold: a hash that is not
// the hash of its content, a prev_hash that is not the hash of the entry
// before, or a sequence number out of turn (an entry deleted, or two
// written from the same predecessor).
func Verify(entries []Entry) error {
	prev, want := Genesis, int64(1)
	for _, e := range entries {
		switch {
		case e.Seq != want:
			return &BrokenError{e.Seq, e.Action, fmt.Sprintf("entry %d expected here (an entry deleted, or two written after the same one)", want)}
		case e.PrevHash != prev:
			return &BrokenError{e.Seq, e.Action, fmt.Sprintf("prev_hash is not the hash of entry %d: that entry was changed, or one was inserted", e.Seq-1)}
		case Sum(e) != e.Hash:
			return &BrokenError{e.Seq, e.Action, "entry_hash is not the hash of its content: the entry was changed"}
		}
		prev, want = e.Hash, want+1
	}
	return nil
}

// Has reports whether the log holds an entry of the action about subject.
func (l Log) Has(ctx context.Context, c Conn, action, subject string) (bool, error) {
	var n int64
	if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+l.Table+" WHERE action = ? AND subject = ?", action, subject).Scan(&n); err != nil {
		return false, fmt.Errorf("audit log: %w", err)
	}
	return n > 0, nil
}

// Head is the newest entry's hash (Genesis for an empty log): kept
// outside the database, it proves later that no entry was cut off the end.
func Head(entries []Entry) string {
	if len(entries) == 0 {
		return Genesis
	}
	return entries[len(entries)-1].Hash
}

// Process names the local side of an actor: the operating-system user,
// the host and the process id.
func Process() string {
	host, _ := os.Hostname()
	user := os.Getenv("USER")
	if user == "" {
		user = os.Getenv("USERNAME")
	}
	return fmt.Sprintf("%s@%s, pid %d", user, host, os.Getpid())
}
