// Package deploytest holds what the tests of deploy use in place of a
// warehouse: Recorder, a database/sql connection that records what it is
// sent.
package deploytest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"sync"
)

// Recorder is a database/sql connection that sends nothing anywhere: it
// records every statement given to Exec or Query, in order (transactions
// as BEGIN, COMMIT and ROLLBACK), and answers queries through Answer.
// Prepare fails: a prepared statement is neither run nor recorded. It is how a
// test sees exactly what a deploy would send to a warehouse that cannot be
// reached; it knows nothing of any warehouse itself.
type Recorder struct {
	// Answer returns the rows for a query; nil Answer, or nil columns,
	// answers with no rows.
	Answer func(query string, args []any) (columns []string, rows [][]any)
	// Affected returns the rows a statement sent with Exec changed; nil
	// Affected answers 0.
	Affected func(statement string, args []any) int64

	mu    sync.Mutex
	stmts []Recorded
}

// Recorded is one statement sent.
type Recorded struct {
	SQL   string
	Args  []any
	Query bool // sent as a query (rows expected)
}

// DB returns a database handle whose every connection records into r.
func (r *Recorder) DB() *sql.DB { return sql.OpenDB(recConnector{r}) }

// Statements returns what was sent, in order.
func (r *Recorder) Statements() []Recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Recorded(nil), r.stmts...)
}

func (r *Recorder) add(s string, args []driver.NamedValue, query bool) []any {
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	r.mu.Lock()
	r.stmts = append(r.stmts, Recorded{SQL: s, Args: vals, Query: query})
	r.mu.Unlock()
	return vals
}

type recConnector struct{ r *Recorder }

func (c recConnector) Connect(context.Context) (driver.Conn, error) { return &recConn{c.r}, nil }
func (c recConnector) Driver() driver.Driver                        { return recDriver{c.r} }

type recDriver struct{ r *Recorder }

func (d recDriver) Open(string) (driver.Conn, error) { return &recConn{d.r}, nil }

type recConn struct{ r *Recorder }

var (
	_ driver.ExecerContext  = (*recConn)(nil)
	_ driver.QueryerContext = (*recConn)(nil)
	_ driver.ConnBeginTx    = (*recConn)(nil)
)

func (c *recConn) Prepare(query string) (driver.Stmt, error) {
	return nil, fmt.Errorf("recorder: prepared statements are not supported: use Exec or Query")
}
func (c *recConn) Close() error { return nil }
func (c *recConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *recConn) BeginTx(context.Context, driver.TxOptions) (driver.Tx, error) {
	c.r.add("BEGIN", nil, false)
	return recTx{c.r}, nil
}

func (c *recConn) ExecContext(_ context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	vals := c.r.add(query, args, false)
	if c.r.Affected != nil {
		return driver.RowsAffected(c.r.Affected(query, vals)), nil
	}
	return driver.RowsAffected(0), nil
}

func (c *recConn) QueryContext(_ context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	vals := c.r.add(query, args, true)
	rows := &recRows{}
	if c.r.Answer != nil {
		rows.cols, rows.rows = c.r.Answer(query, vals)
	}
	return rows, nil
}

// CheckNamedValue accepts every argument as it is.
func (c *recConn) CheckNamedValue(*driver.NamedValue) error { return nil }

type recTx struct{ r *Recorder }

func (t recTx) Commit() error   { t.r.add("COMMIT", nil, false); return nil }
func (t recTx) Rollback() error { t.r.add("ROLLBACK", nil, false); return nil }

type recRows struct {
	cols []string
	rows [][]any
	i    int
}

func (r *recRows) Columns() []string {
	if r.cols == nil {
		return []string{"answer"}
	}
	return r.cols
}
func (r *recRows) Close() error { return nil }
func (r *recRows) Next(dest []driver.Value) error {
	if r.i >= len(r.rows) {
		return io.EOF
	}
	for j := range dest {
		dest[j] = r.rows[r.i][j]
	}
	r.i++
	return nil
}
