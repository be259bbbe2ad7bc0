package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ledgerloop/trueup/generator/ir"
)

// The event times trueup accepts: epoch milliseconds from
// 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z. Snowflake
// recommends years up to 9999 for TIMESTAMP values
// (https://docs.snowflake.com/en/sql-reference/data-types-datetime), and
// the order key writes event_ms in 15 digits, which a negative number or a
// later year would not fit. A time outside the range is a unit error (a
// Debezium source.ts_ms in nanoseconds lands in the year 56 million) or a
// corrupt value: the line is quarantined, never rescaled, since no format
// documents another unit for these fields.
const (
	EventMillisMin = ir.MillisMin
	EventMillisMax = ir.MillisMax
)

// The widths the order key pads sequences to: a sequence must be a
// non-negative integer of at most this many digits to sort as a number.
const (
	seqDigits    = 20 // an LSN or a Salesforce commit number: 64 bits
	subSeqDigits = 10 // a Salesforce sequenceNumber within a transaction
)

// IntegerPattern is the text of an integer, exactly: an optional sign,
// digits, and optionally a point followed by zeros only (JSON writers
// print a whole double as 12.0). A fraction that is not zero, an exponent
// or surrounding blanks make the text no integer: a cast to NUMBER(38,0)
// would round 12.5 to 13 and take it for an integer
// (https://docs.snowflake.com/en/sql-reference/functions/cast).
const IntegerPattern = `[+-]?[0-9]+(\.0+)?`

// exactInteger is the integer a text expr spells exactly (IntegerPattern,
// within the Decimal range), NULL for any other text. expr may be
// evaluated more than once: pass a column.
func exactInteger(f ir.Fragments, expr string) string {
	return fmt.Sprintf("CASE WHEN %s THEN %s END", f.RegexpFull(expr, IntegerPattern), f.TextToDecimal(expr))
}

// unsignedPattern is the text of a non-negative integer of at most
// digits significant digits, exactly (IntegerPattern without a sign).
func unsignedPattern(digits int) string {
	return fmt.Sprintf(`0*[0-9]{1,%d}(\.0+)?`, digits)
}

// epochMillis is the event time in epoch milliseconds of a text expr that
// holds an integer count of units of unitMillis milliseconds since the
// epoch (1 for milliseconds, 1000 for seconds); NULL when the text is no
// integer or the time falls outside [EventMillisMin, EventMillisMax]. The
// pattern bounds the number before any cast, and the scaling applies to
// the bounded result, so that no row can overflow whatever order the
// engine evaluates a CASE in. expr may be evaluated more than once: pass
// a column.
func epochMillis(f ir.Fragments, expr string, unitMillis int64) string {
	limit := strconv.FormatInt(EventMillisMax/unitMillis, 10)
	v := fmt.Sprintf("CASE WHEN %s AND %s <= %s THEN %s END", f.RegexpFull(expr, unsignedPattern(len(limit))), f.TextToDecimal(expr), limit, f.TextToDecimal(expr))
	if unitMillis == 1 {
		return v
	}
	return fmt.Sprintf("(%s) * %d", v, unitMillis)
}

// sequence is the integer a text expr spells when it is a non-negative
// integer of at most digits digits, else NULL. expr may be evaluated more
// than once: pass a column.
func sequence(f ir.Fragments, expr string, digits int) string {
	return fmt.Sprintf("CASE WHEN %s THEN %s END", f.RegexpFull(expr, unsignedPattern(digits)), f.TextToDecimal(expr))
}

// Reasons a line is quarantined for when a value it carries does not
// convert.
// They all start with UnconvertiblePrefix.
func badTime(name, form string) string {
	return UnconvertiblePrefix + name + ": not a time from 1970 to 9999 in " + form
}

func badSequence(name string, digits int) string {
	return fmt.Sprintf("%s%s: not a non-negative integer of at most %d digits", UnconvertiblePrefix, name, digits)
}

// UnconvertiblePrefix starts the quarantine reason of a line whose time
// or sequence does not convert.
const UnconvertiblePrefix = "unconvertible "

// unconvertible is a value of a line that must convert for the line to be
// observed: the reason it is flagged with, and the text column the
// flagged line's detail shows.
type unconvertible struct{ reason, text string }

// detailOf renders the detail of a flagged line: the offending text for
// a reason of unconvertible values (truncated to 200 characters), else
// otherwise.
func detailOf(f ir.Fragments, reason string, values []unconvertible, otherwise string) string {
	if len(values) == 0 {
		return otherwise
	}
	var b strings.Builder
	b.WriteString("CASE " + reason)
	for _, v := range values {
		fmt.Fprintf(&b, " WHEN %s THEN 'value ' || SUBSTR(%s, 1, 200)", f.Str(v.reason), v.text)
	}
	fmt.Fprintf(&b, " ELSE %s END", otherwise)
	return b.String()
}
