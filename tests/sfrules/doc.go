// Package sfrules is a catalog of Snowflake rules that the generated
// pipeline relies on, each with the documentation page that states it and
// a check over the generated statements, parsed by the real Snowflake SQL
// parser of package sfparse.
//
// Statements come from generator.Compile and generator.Render for the
// snowflake dialect ([Gather]). A statement within the parser's grammar is
// parsed whole; a CREATE TASK, PIPE, PROCEDURE, STREAM or FILE FORMAT has
// its header read by the grammar of its Snowflake page ([Header]) and its
// body split into units, each parsed alone ([Unit]). Rules look at the
// parsed trees (sqlparser-rs's serde JSON) and, where the parser has no
// tree, at the headers.
//
// A rule whose fix has not landed yet carries Pending: the issue item it
// waits for. The catalog test then logs the rule's violations in the
// generated SQL instead of failing; the rule's own counter-example test
// runs either way.
package sfrules
