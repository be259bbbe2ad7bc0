package app

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/generator/spec"
)

// SampleOptions are the options of trueup sample.
type SampleOptions struct {
	Models    string
	Out       string
	Customers int
	Seed      int64
	// Start is the logical start of event times, RFC 3339 ("" for the
	// default).
	Start string
	// Mode is "world" (or ""), "state" or "batch"; the fields below are
	// those of sample.Options for the bulk modes.
	Mode              string
	EventsPerCustomer float64
	HeavyEvents       int
	Events            int
	BatchCustomers    int
	LateShare         float64
	LateWithin        time.Duration
	DuplicateShare    float64
	ConflictRate      float64
}

// sampleOptions checks o, naming the flag of a bad value, and returns the
// writer's options.
func (o SampleOptions) sampleOptions() (sample.Options, error) {
	opt := sample.Options{Customers: o.Customers, Seed: o.Seed, Mode: o.Mode,
		EventsPerCustomer: o.EventsPerCustomer, HeavyEvents: o.HeavyEvents, Events: o.Events, BatchCustomers: o.BatchCustomers,
		LateShare: o.LateShare, LateWithin: o.LateWithin, DuplicateShare: o.DuplicateShare, ConflictRate: o.ConflictRate}
	if opt.Mode == "world" {
		opt.Mode = sample.ModeWorld
	}
	bad := func(flag string, v any, why string) error {
		return fmt.Errorf("sample: --%s %v: %s", flag, v, why)
	}
	if o.Start != "" {
		t, err := time.Parse(time.RFC3339, o.Start)
		if err != nil {
			return opt, bad("start", o.Start, "want an RFC 3339 time such as 2026-01-01T00:00:00Z")
		}
		opt.Start = t
	}
	switch opt.Mode {
	case sample.ModeWorld, sample.ModeState, sample.ModeBatch:
	default:
		return opt, bad("mode", o.Mode, "want world, state or batch")
	}
	if o.Customers < 0 {
		return opt, bad("customers", o.Customers, "want 0 or more")
	}
	type flag struct {
		name  string
		v     float64
		set   bool
		modes string
	}
	for _, f := range []flag{
		{"events-per-customer", o.EventsPerCustomer, o.EventsPerCustomer != 0, sample.ModeState},
		{"heavy", float64(o.HeavyEvents), o.HeavyEvents != 0, sample.ModeState},
		{"events", float64(o.Events), o.Events != 0, sample.ModeBatch},
		{"batch-customers", float64(o.BatchCustomers), o.BatchCustomers != 0, sample.ModeBatch},
		{"late", o.LateShare, o.LateShare != 0, sample.ModeBatch},
		{"late-within", o.LateWithin.Hours(), o.LateWithin != 0, sample.ModeBatch},
		{"duplicates", o.DuplicateShare, o.DuplicateShare != 0, sample.ModeBatch},
		{"conflicts", o.ConflictRate, o.ConflictRate != 0, sample.ModeState + " " + sample.ModeBatch},
	} {
		if f.set && !strings.Contains(f.modes, opt.Mode) || f.set && opt.Mode == sample.ModeWorld {
			return opt, bad(f.name, f.v, "applies to --mode "+strings.ReplaceAll(f.modes, " ", " or "))
		}
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return opt, bad(f.name, f.v, "want 0 or more")
		}
		if (f.name == "late" || f.name == "duplicates" || f.name == "conflicts") && f.v > 1 {
			return opt, bad(f.name, f.v, "want a share between 0 and 1")
		}
	}
	if opt.Mode == sample.ModeBatch && o.Events == 0 {
		return opt, bad("events", 0, "a batch needs --events")
	}
	return opt, nil
}

// SampleSources describes the spec's sources to the sample writer: fields
// mapped on the record itself, fields derived from a child (a Stripe
// customer's subscriptions) and the children.
func SampleSources(s *spec.Spec) []sample.Source {
	var out []sample.Source
	for _, src := range s.Sources {
		fields := map[string]string{}
		var childFields map[string]sample.ChildPath
		for _, m := range src.Fields {
			if m.Child != "" {
				if childFields == nil {
					childFields = map[string]sample.ChildPath{}
				}
				childFields[m.Field] = sample.ChildPath{Child: m.Child, Path: strings.Join(m.Path, ".")}
				continue
			}
			fields[m.Field] = strings.Join(m.Path, ".")
		}
		var children []sample.Child
		for _, c := range src.Children {
			children = append(children, sample.Child{
				Name: c.Name, Object: c.Object,
				Key: strings.Join(c.Key, "."), Parent: strings.Join(c.Parent, "."),
			})
		}
		table := src.Table
		if table == "" {
			table = src.Object
		}
		out = append(out, sample.Source{
			Name: src.Name, Format: src.Format, Landing: src.Landing,
			Key: strings.Join(src.Key, "."), Customer: strings.Join(src.Customer, "."),
			Fields: fields, Table: table,
			Children: children, ChildFields: childFields,
		})
	}
	return out
}

// Sample writes landed files for the spec's sources.
func Sample(w io.Writer, o SampleOptions) error {
	opt, err := o.sampleOptions()
	if err != nil {
		return err
	}
	s, err := generator.LoadSpec(o.Models)
	if err != nil {
		return err
	}
	sum, err := sample.Write(o.Out, SampleSources(s), opt)
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	total := 0
	var parts []string
	for _, src := range s.Sources {
		total += sum.Events[src.Name]
		parts = append(parts, fmt.Sprintf("%s %d", src.Name, sum.Events[src.Name]))
	}
	fmt.Fprintf(w, "wrote %s: %d files, %d events (%s), %d redelivered, %d malformed lines\n",
		o.Out, len(sum.Files), total, strings.Join(parts, ", "), sum.Duplicates, sum.Malformed)
	return nil
}
