package generator_test

import "os"

// testingCI reports whether tests run in CI, where a missing tool fails a
// test instead of skipping it.
func testingCI() bool { return os.Getenv("CI") == "true" }
