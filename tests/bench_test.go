package tests

import (
	"context"
	"testing"

	"github.com/ledgerloop/trueup/generator"
	"github.com/ledgerloop/trueup/generator/sample"
	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/local"
)

// BenchmarkLocalRun measures one pass of the local pipeline (load, task
// graph, dynamic-table refresh) over the sample of 1000 customers.
func BenchmarkLocalRun(b *testing.B) {
	p, err := generator.Compile("testdata/spec")
	if err != nil {
		b.Fatal(err)
	}
	landing := b.TempDir()
	sum, err := sample.Write(landing, app.SampleSources(p.Spec), sample.Options{Customers: 1000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	events := 0
	for _, n := range sum.Events {
		events += n
	}
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		run, err := local.Open(ctx, "", p)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := run.RunOnce(ctx, landing); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		run.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkGenerate measures compiling the company spec to Snowflake SQL.
func BenchmarkGenerate(b *testing.B) {
	for range b.N {
		p, err := generator.Compile("testdata/spec")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := generator.Render(p, "snowflake"); err != nil {
			b.Fatal(err)
		}
	}
}
