// check.mjs parses Snowflake SQL with datafusion-sqlparser-rs (compiled to
// WASM, npm package @guanmingchiu/sqlparser-ts) using its Snowflake dialect.
//
// stdin:  JSON array  [{"name": "...", "sql": "...", "ast": true|false}, ...]
// stdout: JSON array  [{"name": "...", "ok": true|false, "error": "...", "statements": N, "ast": [...]}, ...]
//         in input order; N is the number of statements parsed from "sql".
//         "ast" is present only when the item asked for it: the parser's
//         statements as serde JSON (one element per statement), without
//         source spans and tokens; a field the parser leaves unset is null.
//
// A statement that fails to parse is reported in its result, never as a crash.
// The exit code is 0 whenever the script itself worked (whatever the parse
// results) and non-zero only for bad input or a failure to load the parser;
// the reason then goes to stderr.
//
// Used by the Go package tests/sfparse; run `npm ci --prefix tests/sqlparser` first.

import { init, Parser, SnowflakeDialect } from "@guanmingchiu/sqlparser-ts";

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function fail(msg) {
  process.stderr.write(`check.mjs: ${msg}\n`);
  process.exit(2);
}

let input;
try {
  input = JSON.parse(await readStdin());
} catch (e) {
  fail(`stdin is not JSON: ${e.message}`);
}
if (!Array.isArray(input)) fail("stdin must be a JSON array of {name, sql}");

try {
  await init();
} catch (e) {
  fail(`load parser: ${e.message}`);
}

const parser = new Parser(new SnowflakeDialect());

// tree drops spans and tokens (positions, not syntax) and keeps unset
// fields as null, so that VARCHAR without a length stays {"Varchar": null}.
function tree(v) {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(tree);
  if (v instanceof Map) v = Object.fromEntries(v);
  if (v && typeof v === "object") {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === "span" || k.endsWith("_token")) continue;
      out[k] = tree(x);
    }
    return out;
  }
  return v;
}
const results = input.map((item, i) => {
  const name = item && typeof item.name === "string" ? item.name : `#${i}`;
  const sql = item && typeof item.sql === "string" ? item.sql : null;
  if (sql === null) {
    return { name, ok: false, error: "input item has no string field \"sql\"", statements: 0 };
  }
  try {
    const stmts = parser.parse(sql);
    const n = Array.isArray(stmts) ? stmts.length : 0;
    if (item.ast === true) return { name, ok: true, error: "", statements: n, ast: tree(stmts) };
    return { name, ok: true, error: "", statements: n };
  } catch (e) {
    // ParserError for syntax errors; anything else (e.g. a WASM trap) is
    // reported too, marked as such, rather than crashing the batch.
    let msg = e instanceof Error ? e.message : String(e);
    if (e && e.name && e.name !== "ParserError") msg = `${e.name}: ${msg}`;
    return { name, ok: false, error: msg || "parse failed (no message)", statements: 0 };
  }
});

process.stdout.write(JSON.stringify(results));
process.stdout.write("\n");
