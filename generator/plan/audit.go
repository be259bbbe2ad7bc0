package plan

import "github.com/ledgerloop/trueup/generator/ir"

// AuditLog is trueup's own audit log: deployments, rule-set versions,
// data-quality acknowledgements, relinks and erasures, one entry each,
// hash-chained (internal/auditlog writes and verifies it). The pipeline
// never writes it, and no purge deletes from it.
var AuditLog = ref(AUDIT, "log")

func (b *builder) auditLog() {
	b.add(&ir.Object{Kind: ir.KindTable, Ref: AuditLog, Deps: []ir.Ref{{Schema: AUDIT}},
		Comment: "trueup's audit log: every entry carries the hash of the one before",
		Columns: []ir.Column{
			{Name: "seq", Type: ir.Int, NotNull: true, Comment: "1, 2, 3, ... in the order the entries were written"},
			{Name: "logged_at", Type: ir.Timestamp, NotNull: true, Comment: "when the entry was written (UTC, microseconds)"},
			{Name: "actor", Type: ir.Text, Comment: "who: the warehouse user and the local user, host and process"},
			{Name: "action", Type: ir.Text, NotNull: true, Comment: "deploy, ruleset, dq_ack, relink or forget"},
			{Name: "subject", Type: ir.Text, Comment: "what the action was about: a target, a rule-set version, a check and batch, a customer"},
			{Name: "detail", Type: ir.Text, Comment: "the action's particulars, as a JSON object"},
			{Name: "prev_hash", Type: ir.Text, NotNull: true, Comment: "entry_hash of the entry before (64 zeros for the first)"},
			{Name: "entry_hash", Type: ir.Text, NotNull: true, Comment: "SHA-256 (hex) of prev_hash and every column above"},
		}})
}
