package tests

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/ledgerloop/trueup/internal/app"
	"github.com/ledgerloop/trueup/internal/crypt"
	"github.com/ledgerloop/trueup/internal/testenv/localkms"
)

// TestKMSTarget: a duckdb target whose master_key is a KMS key (local-kms)
// seals a run's database under it; the vault opens again with it, not
// with the environment's key, and a disabled key stops the run with an
// error that says so.
func TestKMSTarget(t *testing.T) {
	endpoint := localkms.Start(t)
	client := localkms.Client(t, endpoint)
	keyID := localkms.CreateKey(t, client)
	ctx := context.Background()

	dir := t.TempDir()
	landing := filepath.Join(dir, "landing")
	landText(t, landing, "app/accounts/0001.json", debeziumLine("acct_1", "ann@x.io", "1767225600000", "100"))
	db := filepath.Join(dir, "kms.duckdb")
	cfg := filepath.Join(dir, "trueup.yaml")
	if err := os.WriteFile(cfg, []byte("targets:\n  local:\n    type: duckdb\n    path: "+db+"\n    master_key:\n      kms_key_id: "+keyID+"\n      kms_region: "+localkms.Region+"\n      kms_endpoint: "+endpoint+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	o := app.RunOptions{Models: "testdata/spec", Target: "local", Config: cfg, Landing: landing, Once: true}
	if err := app.RunLocal(ctx, &out, o); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(db + ".vault"); err != nil {
		t.Fatal(err)
	}
	// The environment's key (the tests') does not open it.
	err := app.Explain(ctx, &out, app.ExplainOptions{Models: "testdata/spec", DB: db, Customer: "acct_1"})
	if err == nil || !strings.Contains(err.Error(), "does not open") {
		t.Errorf("the environment's key: %v", err)
	}
	out.Reset()
	if err := app.RunLocal(ctx, &out, o); err != nil {
		t.Fatalf("again with the KMS key: %v", err)
	}
	if !strings.Contains(out.String(), "gold: 1 customers") {
		t.Errorf("second run:\n%s", out.String())
	}
	// The commands that take --db open it with the KMS key named in the
	// environment (region and endpoint as the AWS SDK reads them).
	t.Setenv(crypt.EnvKey, "")
	t.Setenv(crypt.EnvKeyFile, "")
	t.Setenv(crypt.EnvKeyKMS, keyID)
	t.Setenv("AWS_REGION", localkms.Region)
	t.Setenv("AWS_ENDPOINT_URL_KMS", endpoint)
	out.Reset()
	if err := app.Explain(ctx, &out, app.ExplainOptions{Models: "testdata/spec", DB: db, Customer: "acct_1", Role: "pii_reader"}); err != nil {
		t.Fatalf("explain with TRUEUP_MASTER_KEY_KMS: %v", err)
	}
	if !strings.Contains(out.String(), "ann@x.io") {
		t.Errorf("explain with the KMS key:\n%s", out.String())
	}
	if _, err := client.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	err = app.RunLocal(ctx, &out, o)
	if err == nil || !strings.Contains(err.Error(), "KMS key "+keyID) || !strings.Contains(err.Error(), "disabled") {
		t.Errorf("disabled key: %v", err)
	}
}
