package app

import (
	"fmt"
	"io"
	"strings"

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
	s, err := generator.LoadSpec(o.Models)
	if err != nil {
		return err
	}
	sum, err := sample.Write(o.Out, SampleSources(s), sample.Options{Customers: o.Customers, Seed: o.Seed})
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
