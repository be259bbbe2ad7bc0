// Package impact holds the report of a rule-set change's impact on gold:
// per field, the customers whose value would change, the winners that
// would move between sources and rules, and samples. Both the local
// database's impact (internal/local) and a Snowflake target's
// (internal/deploy) write it.
package impact

// Winner is a field's value in gold and what decided it.
type Winner struct {
	Value  *string `json:"value"`
	Source string  `json:"source"`
	Rule   string  `json:"rule"`
}

// Change is one customer's field that a rule change would change.
// Before or After is nil when gold has (or would have) no value for it.
type Change struct {
	Customer string  `json:"customer_id"`
	Field    string  `json:"field"`
	Before   *Winner `json:"before"`
	After    *Winner `json:"after"`
}

// Move counts the customers whose field's winner moves from one
// source and rule to another.
type Move struct {
	From      string `json:"from"` // "source/rule", "" when absent
	To        string `json:"to"`
	Customers int64  `json:"customers"`
}

// Field is what a rule change does to one field.
type Field struct {
	Field string `json:"field"`
	// ValuesChanged counts the customers whose value would change;
	// WinnersMoved those whose winning source or rule would (with the
	// same value or not).
	ValuesChanged int64    `json:"values_changed"`
	WinnersMoved  int64    `json:"winners_moved"`
	Moves         []Move   `json:"moves"`
	Samples       []Change `json:"samples"`
}

// Report is the report of re-resolving a database under another rule set,
// without publishing anything.
type Report struct {
	RulesetBefore string  `json:"ruleset_before"`
	RulesetAfter  string  `json:"ruleset_after"`
	Customers     int64   `json:"customers"`
	Fields        []Field `json:"fields"`
	// Held is set when a data-quality check of error level failed in the
	// re-resolution: gold was held back, so the report shows no change
	// for the customers held (the check is named in HeldBy).
	Held   bool     `json:"held"`
	HeldBy []string `json:"held_by,omitempty"`
}

// Changed reports whether the rule change would change any value or winner.
func (im *Report) Changed() bool {
	for _, f := range im.Fields {
		if f.ValuesChanged > 0 || f.WinnersMoved > 0 {
			return true
		}
	}
	return false
}
