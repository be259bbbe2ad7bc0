// Command trueup compiles a customer-master spec into a Snowflake pipeline
// and runs the same pipeline locally on DuckDB.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/ledgerloop/trueup/internal/app"
)

func main() { os.Exit(run()) }

// run executes the command line and returns the exit code.
func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := newRoot().ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, err)
	var ee *app.ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return 1
}
