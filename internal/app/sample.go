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
	Models string
	Out    string
	// Start is the logical start of event times, RFC 3339 ("" for the
	// default); it sets Writer.Start.
	Start string
	// Writer are the sample writer's options; its Mode may also be
	// "world", the name the flag gives ModeWorld.
	Writer sample.Options
}

// sampleOptions checks o, naming the flag of a bad value, and returns the
// writer's options.
func (o SampleOptions) sampleOptions() (sample.Options, error) {
	opt := o.Writer
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
		return opt, bad("mode", opt.Mode, "want world, state or batch")
	}
	if opt.Customers < 0 {
		return opt, bad("customers", opt.Customers, "want 0 or more")
	}
	type flag struct {
		name  string
		v     float64
		set   bool
		modes string
	}
	for _, f := range []flag{
		{"events-per-customer", opt.EventsPerCustomer, opt.EventsPerCustomer != 0, sample.ModeState},
		{"heavy", float64(opt.HeavyEvents), opt.HeavyEvents != 0, sample.ModeState},
		{"events", float64(opt.Events), opt.Events != 0, sample.ModeBatch},
		{"batch-customers", float64(opt.BatchCustomers), opt.BatchCustomers != 0, sample.ModeBatch},
		{"late", opt.LateShare, opt.LateShare != 0, sample.ModeBatch},
		{"late-within", opt.LateWithin.Hours(), opt.LateWithin != 0, sample.ModeBatch},
		{"duplicates", opt.DuplicateShare, opt.DuplicateShare != 0, sample.ModeBatch},
		{"conflicts", opt.ConflictRate, opt.ConflictRate != 0, sample.ModeState + " " + sample.ModeBatch},
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
	if opt.Mode == sample.ModeBatch && opt.Events == 0 {
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
