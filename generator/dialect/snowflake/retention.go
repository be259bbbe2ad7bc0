package snowflake

import (
	"fmt"

	"github.com/ledgerloop/trueup/generator/dialect"
	"github.com/ledgerloop/trueup/generator/ir"
)

// schemaTimeTravel sets a schema's Time Travel. It is an ALTER after the
// CREATE ... IF NOT EXISTS, so that a schema created earlier gets it too;
// the schema's tables inherit it unless they set their own (work tables
// set 0), and a change applies to the tables already there
// (https://docs.snowflake.com/sql-reference/sql/alter-schema ;
// https://docs.snowflake.com/en/release-notes/bcr-bundles/2023_04/bcr-928).
// The SQL parser has no grammar for ALTER SCHEMA ... SET.
func (r *Renderer) schemaTimeTravel(name string, days int) dialect.Statement {
	return dialect.Statement{SQL: fmt.Sprintf("ALTER SCHEMA %s SET DATA_RETENTION_TIME_IN_DAYS = %d", name, days)}
}

// cronSchedule is a task schedule by cron expression and time zone:
// SCHEDULE = 'USING CRON <expr> <time_zone>'
// (https://docs.snowflake.com/en/sql-reference/sql/create-task).
func (r *Renderer) cronSchedule(cron string) string { return r.Str("USING CRON " + cron) }

// resumeStandalone resumes a root that has no children: tasks are created
// suspended (https://docs.snowflake.com/en/sql-reference/sql/create-task),
// and SYSTEM$TASK_DEPENDENTS_ENABLE resumes a task with whatever depends
// on it (https://docs.snowflake.com/en/sql-reference/functions/system_task_dependents_enable).
func resumeStandalone(r *Renderer, o *ir.Object) dialect.Statement {
	return dialect.Statement{SQL: fmt.Sprintf("SELECT SYSTEM$TASK_DEPENDENTS_ENABLE(%s)", r.Str(r.Object(o.Ref))), Resumes: &o.Ref}
}
