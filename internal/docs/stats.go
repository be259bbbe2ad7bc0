package docs

// Stats are the resolution figures of a local database, as counts: no
// value of a customer is among them. internal/local reads them
// (Runner.DocsStats); the site shows them beside the fields.
type Stats struct {
	// Customers is the number of customers in gold.
	Customers int64
	// Fields are the figures per field, in the spec's field order.
	Fields []FieldStats
}

// FieldStats are one field's figures.
type FieldStats struct {
	Field string
	// Customers is how many customers have a resolved value (a row of
	// gold.customer_fields) for the field.
	Customers int64
	// Conflicts is how many of them had candidates that disagree after
	// normalization.
	Conflicts int64
	// Rules is how many values each rule decided, most first; the counts
	// add up to Customers.
	Rules []RuleCount
}

// RuleCount is how many values one rule decided.
type RuleCount struct {
	Rule   string
	Values int64
}

// ConflictRate is the share of the field's customers whose candidates
// conflict, in [0, 1]; 0 without customers.
func (f FieldStats) ConflictRate() float64 {
	if f.Customers == 0 {
		return 0
	}
	return float64(f.Conflicts) / float64(f.Customers)
}

// Decided is the sum of the rule counts.
func (f FieldStats) Decided() int64 {
	var n int64
	for _, r := range f.Rules {
		n += r.Values
	}
	return n
}

// Field returns the figures of the named field, or nil.
func (s *Stats) Field(name string) *FieldStats {
	if s == nil {
		return nil
	}
	for i := range s.Fields {
		if s.Fields[i].Field == name {
			return &s.Fields[i]
		}
	}
	return nil
}
