// Package all registers every dialect; import it for its side effect.
package all

import (
	_ "github.com/ledgerloop/trueup/generator/dialect/duckdb"    // register
	_ "github.com/ledgerloop/trueup/generator/dialect/snowflake" // register
)
