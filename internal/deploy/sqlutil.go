package deploy

import (
	"database/sql"
	"errors"
)

// nullString scans a nullable text column.
type nullString struct{ s string }

func (n *nullString) Scan(v any) error {
	var ns sql.NullString
	if err := ns.Scan(v); err != nil {
		return err
	}
	n.s = ns.String
	return nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
