// Package all registers every warehouse driver; import it for its side
// effect. It links every database driver (DuckDB, gosnowflake).
package all

import (
	_ "github.com/ledgerloop/trueup/internal/warehouse/duckdb"    // register
	_ "github.com/ledgerloop/trueup/internal/warehouse/snowflake" // register
)
