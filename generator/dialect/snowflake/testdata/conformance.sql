-- Ident/"customer_id": "x"
SELECT CAST(q.CUSTOMER_ID AS VARCHAR) AS v FROM (SELECT 'x' AS CUSTOMER_ID) AS q;

-- Ident/"Customer_Id": "x"
SELECT CAST(q.CUSTOMER_ID AS VARCHAR) AS v FROM (SELECT 'x' AS CUSTOMER_ID) AS q;

-- Ident/"select": "x"
SELECT CAST(q."SELECT" AS VARCHAR) AS v FROM (SELECT 'x' AS "SELECT") AS q;

-- Ident/"order": "x"
SELECT CAST(q."ORDER" AS VARCHAR) AS v FROM (SELECT 'x' AS "ORDER") AS q;

-- Ident/"value": "x"
SELECT CAST(q.VALUE AS VARCHAR) AS v FROM (SELECT 'x' AS VALUE) AS q;

-- Ident/"Mixed Case": "x"
SELECT CAST(q."Mixed Case" AS VARCHAR) AS v FROM (SELECT 'x' AS "Mixed Case") AS q;

-- Ident/"we\"ird": "x"
SELECT CAST(q."we""ird" AS VARCHAR) AS v FROM (SELECT 'x' AS "we""ird") AS q;

-- Ident/"é": "x"
SELECT CAST(q."é" AS VARCHAR) AS v FROM (SELECT 'x' AS "é") AS q;

-- Ident/"1st": "x"
SELECT CAST(q."1st" AS VARCHAR) AS v FROM (SELECT 'x' AS "1st") AS q;

-- Str/"": ""
SELECT CAST(('') AS VARCHAR) AS v;

-- Str/"plain": "plain"
SELECT CAST(('plain') AS VARCHAR) AS v;

-- Str/"it's": "it's"
SELECT CAST(('it''s') AS VARCHAR) AS v;

-- Str/"''": "''"
SELECT CAST(('''''') AS VARCHAR) AS v;

-- Str/"back\\slash": "back\\slash"
SELECT CAST(('back\\slash') AS VARCHAR) AS v;

-- Str/"\\'": "\\'"
SELECT CAST(('\\''') AS VARCHAR) AS v;

-- Str/"\\n": "\\n"
SELECT CAST(('\\n') AS VARCHAR) AS v;

-- Str/"$$": "$$"
SELECT CAST(('$$') AS VARCHAR) AS v;

-- Str/"a $$ b": "a $$ b"
SELECT CAST(('a $$ b') AS VARCHAR) AS v;

-- Str/"line\nbreak": "line\nbreak"
SELECT CAST(('line
break') AS VARCHAR) AS v;

-- Str/"tab\there": "tab\there"
SELECT CAST(('tab	here') AS VARCHAR) AS v;

-- Str/"-- not a comment": "-- not a comment"
SELECT CAST(('-- not a comment') AS VARCHAR) AS v;

-- Str/"/* nor this */": "/* nor this */"
SELECT CAST(('/* nor this */') AS VARCHAR) AS v;

-- Str/"é ü 日本": "é ü 日本"
SELECT CAST(('é ü 日本') AS VARCHAR) AS v;

-- Str/":name": ":name"
SELECT CAST((':name') AS VARCHAR) AS v;

-- Str/"?": "?"
SELECT CAST(('?') AS VARCHAR) AS v;

-- Type/Text: "abc"
SELECT CAST((CAST('abc' AS VARCHAR)) AS VARCHAR) AS v;

-- Type/LongText: "abc"
SELECT CAST((CAST('abc' AS VARCHAR(134217728))) AS VARCHAR) AS v;

-- Type/Int: "-42"
SELECT CAST((CAST('-42' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- Type/Int 64 bits: "9223372036854775807"
SELECT CAST((CAST('9223372036854775807' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- Type/Decimal 38 digits: "99999999999999999999999999999999999999"
SELECT CAST((CAST('99999999999999999999999999999999999999' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- Type/Float: "true"
SELECT CAST((CAST('1.5' AS FLOAT) = 1.5) AS VARCHAR) AS v;

-- Type/Bool: "true"
SELECT CAST((CAST('true' AS BOOLEAN)) AS VARCHAR) AS v;

-- Type/Timestamp: "1767225600123"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, CAST('2026-01-01 00:00:00.123' AS TIMESTAMP_NTZ))) AS VARCHAR) AS v;

-- Type/TimestampTZ: "1767225600000"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, CAST('2026-01-01 02:00:00+02:00' AS TIMESTAMP_LTZ))) AS VARCHAR) AS v;

-- ParseJSON/an object: "false"
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}')) IS NULL) AS VARCHAR) AS v;

-- ParseJSON/JSON null is a document: "false"
SELECT CAST(((TRY_PARSE_JSON('null')) IS NULL) AS VARCHAR) AS v;

-- ParseJSON/a scalar: "12"
SELECT CAST(((TRY_PARSE_JSON('12'))::VARCHAR) AS VARCHAR) AS v;

-- ParseJSON/not JSON: "true"
SELECT CAST(((TRY_PARSE_JSON('{"a":1')) IS NULL) AS VARCHAR) AS v;

-- ParseJSON/trailing text: "true"
SELECT CAST(((TRY_PARSE_JSON('{"a":1} x')) IS NULL) AS VARCHAR) AS v;

-- ParseJSON/single quotes: "true"
SELECT CAST(((TRY_PARSE_JSON('{''a'':1}')) IS NULL) AS VARCHAR) AS v;

-- ParseJSON/empty text: "true"
SELECT CAST(((TRY_PARSE_JSON('')) IS NULL) AS VARCHAR) AS v;

-- JSONRejection/an object: NULL
SELECT CAST((CASE WHEN TRY_PARSE_JSON('{"a":1}') IS NULL THEN CASE WHEN TRY_PARSE_JSON('{"a":1}', 'd') IS NOT NULL THEN 'invalid JSON: duplicate key in an object' ELSE 'invalid JSON' END WHEN NOT IS_OBJECT(TRY_PARSE_JSON('{"a":1}')) THEN 'not a JSON object' END) AS VARCHAR) AS v;

-- JSONRejection/not JSON: "invalid JSON"
SELECT CAST((CASE WHEN TRY_PARSE_JSON('{"a":') IS NULL THEN CASE WHEN TRY_PARSE_JSON('{"a":', 'd') IS NOT NULL THEN 'invalid JSON: duplicate key in an object' ELSE 'invalid JSON' END WHEN NOT IS_OBJECT(TRY_PARSE_JSON('{"a":')) THEN 'not a JSON object' END) AS VARCHAR) AS v;

-- JSONRejection/repeated key: "invalid JSON: duplicate key in an object"
SELECT CAST((CASE WHEN TRY_PARSE_JSON('{"a":1,"a":2}') IS NULL THEN CASE WHEN TRY_PARSE_JSON('{"a":1,"a":2}', 'd') IS NOT NULL THEN 'invalid JSON: duplicate key in an object' ELSE 'invalid JSON' END WHEN NOT IS_OBJECT(TRY_PARSE_JSON('{"a":1,"a":2}')) THEN 'not a JSON object' END) AS VARCHAR) AS v;

-- JSONRejection/repeated nested key: "invalid JSON: duplicate key in an object"
SELECT CAST((CASE WHEN TRY_PARSE_JSON('{"a":{"b":1,"b":1}}') IS NULL THEN CASE WHEN TRY_PARSE_JSON('{"a":{"b":1,"b":1}}', 'd') IS NOT NULL THEN 'invalid JSON: duplicate key in an object' ELSE 'invalid JSON' END WHEN NOT IS_OBJECT(TRY_PARSE_JSON('{"a":{"b":1,"b":1}}')) THEN 'not a JSON object' END) AS VARCHAR) AS v;

-- JSONRejection/an array: "not a JSON object"
SELECT CAST((CASE WHEN TRY_PARSE_JSON('[{"a":1}]') IS NULL THEN CASE WHEN TRY_PARSE_JSON('[{"a":1}]', 'd') IS NOT NULL THEN 'invalid JSON: duplicate key in an object' ELSE 'invalid JSON' END WHEN NOT IS_OBJECT(TRY_PARSE_JSON('[{"a":1}]')) THEN 'not a JSON object' END) AS VARCHAR) AS v;

-- JSONRejection/a scalar: "not a JSON object"
SELECT CAST((CASE WHEN TRY_PARSE_JSON('12') IS NULL THEN CASE WHEN TRY_PARSE_JSON('12', 'd') IS NOT NULL THEN 'invalid JSON: duplicate key in an object' ELSE 'invalid JSON' END WHEN NOT IS_OBJECT(TRY_PARSE_JSON('12')) THEN 'not a JSON object' END) AS VARCHAR) AS v;

-- JSONRejection/JSON null: "not a JSON object"
SELECT CAST((CASE WHEN TRY_PARSE_JSON('null') IS NULL THEN CASE WHEN TRY_PARSE_JSON('null', 'd') IS NOT NULL THEN 'invalid JSON: duplicate key in an object' ELSE 'invalid JSON' END WHEN NOT IS_OBJECT(TRY_PARSE_JSON('null')) THEN 'not a JSON object' END) AS VARCHAR) AS v;

-- JSONText/string unquoted: "xé\""
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['s']::VARCHAR) AS VARCHAR) AS v;

-- JSONText/integer: "12"
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['i']::VARCHAR) AS VARCHAR) AS v;

-- JSONText/integer beyond 64 bits: "12345678901234567890123"
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['big']::VARCHAR) AS VARCHAR) AS v;

-- JSONText/boolean: "true"
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['t']::VARCHAR) AS VARCHAR) AS v;

-- JSONText/JSON null: NULL
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['n']::VARCHAR) AS VARCHAR) AS v;

-- JSONText/absent: NULL
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['absent']::VARCHAR) AS VARCHAR) AS v;

-- JSONText/object as JSON: "{\"b\":1}"
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['o']::VARCHAR) AS VARCHAR) AS v;

-- JSONText/nested path: "deep"
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['nested']['x']['y'][0]['z']::VARCHAR) AS VARCHAR) AS v;

-- JSONText/array index: "b"
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['a'][1]::VARCHAR) AS VARCHAR) AS v;

-- JSONText/index out of range: NULL
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['a'][5]::VARCHAR) AS VARCHAR) AS v;

-- JSONText/path through a scalar: NULL
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['s']['x']::VARCHAR) AS VARCHAR) AS v;

-- JSONText/key with a dot: "dotted"
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['a.b']::VARCHAR) AS VARCHAR) AS v;

-- JSONText/key with a double quote: "q"
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['q"uote']::VARCHAR) AS VARCHAR) AS v;

-- JSONText/key with a single quote: "s"
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['sin''gle']::VARCHAR) AS VARCHAR) AS v;

-- JSONText/key with a backslash: "b"
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['back\\slash']::VARCHAR) AS VARCHAR) AS v;

-- JSONText/key *: "star"
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['*']['x'][0]::VARCHAR) AS VARCHAR) AS v;

-- JSONText/key $: "dollar"
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['$']::VARCHAR) AS VARCHAR) AS v;

-- JSONText/digits segment is an index: NULL
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))[0]::VARCHAR) AS VARCHAR) AS v;

-- JSONText/index of a nested array: "deep"
SELECT CAST(((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['nested']['x']['y'][0]['z']::VARCHAR) AS VARCHAR) AS v;

-- JSONGet/sub-document: "deep"
SELECT CAST((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['nested']['x'])['y'][0]['z']::VARCHAR) AS VARCHAR) AS v;

-- JSONGet/empty path is the document: "12"
SELECT CAST((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}')))['i']::VARCHAR) AS VARCHAR) AS v;

-- JSONGet/absent: "true"
SELECT CAST((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['absent']) IS NULL) AS VARCHAR) AS v;

-- JSONGet/JSON null is present: "false"
SELECT CAST((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['n']) IS NULL) AS VARCHAR) AS v;

-- JSONHas/present: "true"
SELECT CAST((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['s'] IS NOT NULL)) AS VARCHAR) AS v;

-- JSONHas/JSON null: "true"
SELECT CAST((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['n'] IS NOT NULL)) AS VARCHAR) AS v;

-- JSONHas/absent: "false"
SELECT CAST((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['absent'] IS NOT NULL)) AS VARCHAR) AS v;

-- JSONHas/nested absent: "false"
SELECT CAST((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['o']['c'] IS NOT NULL)) AS VARCHAR) AS v;

-- JSONHas/empty path: "true"
SELECT CAST((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}')) IS NOT NULL)) AS VARCHAR) AS v;

-- JSONIsKey/string: "true"
SELECT CAST(((IS_VARCHAR((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['s']) OR IS_INTEGER((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['s']))) AS VARCHAR) AS v;

-- JSONIsKey/integer: "true"
SELECT CAST(((IS_VARCHAR((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['i']) OR IS_INTEGER((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['i']))) AS VARCHAR) AS v;

-- JSONIsKey/integer beyond 64 bits: "true"
SELECT CAST(((IS_VARCHAR((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['big']) OR IS_INTEGER((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['big']))) AS VARCHAR) AS v;

-- JSONIsKey/fraction: "false"
SELECT CAST(((IS_VARCHAR((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['f']) OR IS_INTEGER((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['f']))) AS VARCHAR) AS v;

-- JSONIsKey/integral fraction: "false"
SELECT CAST(((IS_VARCHAR((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['f0']) OR IS_INTEGER((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['f0']))) AS VARCHAR) AS v;

-- JSONIsKey/exponent: "false"
SELECT CAST(((IS_VARCHAR((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['e']) OR IS_INTEGER((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['e']))) AS VARCHAR) AS v;

-- JSONIsKey/boolean: "false"
SELECT CAST(((IS_VARCHAR((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['t']) OR IS_INTEGER((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['t']))) AS VARCHAR) AS v;

-- JSONIsKey/JSON null: "false"
SELECT CAST(((IS_VARCHAR((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['n']) OR IS_INTEGER((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['n']))) AS VARCHAR) AS v;

-- JSONIsKey/object: "false"
SELECT CAST(((IS_VARCHAR((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['o']) OR IS_INTEGER((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['o']))) AS VARCHAR) AS v;

-- JSONIsKey/array: "false"
SELECT CAST(((IS_VARCHAR((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['a']) OR IS_INTEGER((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['a']))) AS VARCHAR) AS v;

-- JSONIsKey/absent: NULL
SELECT CAST(((IS_VARCHAR((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['absent']) OR IS_INTEGER((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['absent']))) AS VARCHAR) AS v;

-- JSONArrayAllKeys/keys: "true"
SELECT CAST(((ARRAY_SIZE(FILTER(TO_ARRAY((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['keys']), elem -> NOT (IS_VARCHAR(elem) OR IS_INTEGER(elem)))) = 0)) AS VARCHAR) AS v;

-- JSONArrayAllKeys/empty: "true"
SELECT CAST(((ARRAY_SIZE(FILTER(TO_ARRAY((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['empty']), elem -> NOT (IS_VARCHAR(elem) OR IS_INTEGER(elem)))) = 0)) AS VARCHAR) AS v;

-- JSONArrayAllKeys/a fraction: "false"
SELECT CAST(((ARRAY_SIZE(FILTER(TO_ARRAY((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['mixed']), elem -> NOT (IS_VARCHAR(elem) OR IS_INTEGER(elem)))) = 0)) AS VARCHAR) AS v;

-- JSONArrayAllKeys/a null: "false"
SELECT CAST(((ARRAY_SIZE(FILTER(TO_ARRAY((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['nulls']), elem -> NOT (IS_VARCHAR(elem) OR IS_INTEGER(elem)))) = 0)) AS VARCHAR) AS v;

-- JSONArrayAllKeys/an array: "false"
SELECT CAST(((ARRAY_SIZE(FILTER(TO_ARRAY((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['nest']), elem -> NOT (IS_VARCHAR(elem) OR IS_INTEGER(elem)))) = 0)) AS VARCHAR) AS v;

-- JSONArrayHas/contains: "true"
SELECT CAST((COALESCE(ARRAY_CONTAINS('b'::VARIANT, IFF(IS_ARRAY((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['a']), (TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['a']::ARRAY, NULL)), FALSE)) AS VARCHAR) AS v;

-- JSONArrayHas/does not contain: "false"
SELECT CAST((COALESCE(ARRAY_CONTAINS('c'::VARIANT, IFF(IS_ARRAY((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['a']), (TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['a']::ARRAY, NULL)), FALSE)) AS VARCHAR) AS v;

-- JSONArrayHas/not an array: "false"
SELECT CAST((COALESCE(ARRAY_CONTAINS('x'::VARIANT, IFF(IS_ARRAY((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['s']), (TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['s']::ARRAY, NULL)), FALSE)) AS VARCHAR) AS v;

-- JSONArrayHas/absent: "false"
SELECT CAST((COALESCE(ARRAY_CONTAINS('a'::VARIANT, IFF(IS_ARRAY((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['absent']), (TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['absent']::ARRAY, NULL)), FALSE)) AS VARCHAR) AS v;

-- JSONArrayHas/key *: "true"
SELECT CAST((COALESCE(ARRAY_CONTAINS('star'::VARIANT, IFF(IS_ARRAY((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['*']['x']), (TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['*']['x']::ARRAY, NULL)), FALSE)) AS VARCHAR) AS v;

-- FlattenArray/one row per element: "3"
SELECT CAST(COUNT(*) AS VARCHAR) AS v
FROM (SELECT TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}') AS doc) AS d,
LATERAL FLATTEN(INPUT => d.doc['ids']) AS e;

-- FlattenArray/empty array: "0"
SELECT CAST(COUNT(*) AS VARCHAR) AS v
FROM (SELECT TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}') AS doc) AS d,
LATERAL FLATTEN(INPUT => d.doc['empty']) AS e;

-- ArrayElement/as text: "7"
SELECT MIN(e.value::VARCHAR) AS v
FROM (SELECT TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}') AS doc) AS d,
LATERAL FLATTEN(INPUT => d.doc['ids']) AS e;

-- ArrayElement/JSON null is NULL: "2"
SELECT CAST(COUNT(e.value::VARCHAR) AS VARCHAR) AS v
FROM (SELECT TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}') AS doc) AS d,
LATERAL FLATTEN(INPUT => d.doc['ids']) AS e;

-- ParseJSONValues/JSONValue ["s"]: "xé\""
SELECT CAST((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['s'])::VARCHAR) AS VARCHAR) AS v;

-- JSONValues/JSONValue ["s"]: "xé\""
SELECT CAST(((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}')))['s'])::VARCHAR) AS VARCHAR) AS v;

-- ParseJSONValues/JSONValue ["nested" "x" "y" "0" "z"]: "deep"
SELECT CAST((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['nested']['x']['y'][0]['z'])::VARCHAR) AS VARCHAR) AS v;

-- JSONValues/JSONValue ["nested" "x" "y" "0" "z"]: "deep"
SELECT CAST(((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}')))['nested']['x']['y'][0]['z'])::VARCHAR) AS VARCHAR) AS v;

-- ParseJSONValues/JSONValue ["absent"]: NULL
SELECT CAST((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['absent'])::VARCHAR) AS VARCHAR) AS v;

-- JSONValues/JSONValue ["absent"]: NULL
SELECT CAST(((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}')))['absent'])::VARCHAR) AS VARCHAR) AS v;

-- ParseJSONValues/JSONValue ["n"]: NULL
SELECT CAST((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['n'])::VARCHAR) AS VARCHAR) AS v;

-- JSONValues/JSONValue ["n"]: NULL
SELECT CAST(((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}')))['n'])::VARCHAR) AS VARCHAR) AS v;

-- ParseJSONValues/JSONValue ["a" "1"]: "b"
SELECT CAST((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['a'][1])::VARCHAR) AS VARCHAR) AS v;

-- JSONValues/JSONValue ["a" "1"]: "b"
SELECT CAST(((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}')))['a'][1])::VARCHAR) AS VARCHAR) AS v;

-- ParseJSONValues/JSONHas of JSON null: "true"
SELECT CAST(((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['n']) IS NOT NULL)) AS VARCHAR) AS v;

-- ParseJSONValues/JSONHas of absent: "false"
SELECT CAST(((((TRY_PARSE_JSON('{"s":"x\\u00e9\\"","i":12,"big":12345678901234567890123,"f":12.5,"f0":12.0,"e":1e3,"t":true,"n":null,"o":{"b":1},"a":["a","b"],"nested":{"x":{"y":[{"z":"deep"}]}},"a.b":"dotted","q\\"uote":"q","sin''gle":"s","back\\\\slash":"b","*":{"x":["star"]},"$":"dollar","0":"zero","":"empty","ids":["a",7,null],"empty":[],"keys":["a",1],"mixed":["a",1.5],"nulls":[null],"nest":[["a"]]}'))['absent']) IS NOT NULL)) AS VARCHAR) AS v;

-- ParseJSONValues/not JSON: "true"
SELECT CAST(((TRY_PARSE_JSON('{"s":')) IS NULL) AS VARCHAR) AS v;

-- ParseJSONValues/repeated key: "true"
SELECT CAST(((TRY_PARSE_JSON('{"s":1,"s":2}')) IS NULL) AS VARCHAR) AS v;

-- JSONPairsObject/repeated name keeps the first: "k"
SELECT CAST(((REDUCE(AS_ARRAY((TRY_PARSE_JSON('{"columns":[{"name":"id","value":"k"},{"name":"n","value":null},{"value":1},{"name":"nov"},{"name":"o","value":{"a":1}},{"name":"num","value":12},{"name":"id","value":"k2"}],"empty":[],"scalar":"x"}'))['columns']), OBJECT_CONSTRUCT(), (trueup_acc, trueup_pair) -> IFF(trueup_acc[trueup_pair['name']::VARCHAR] IS NOT NULL, trueup_acc, OBJECT_INSERT(trueup_acc, trueup_pair['name']::VARCHAR, trueup_pair['value']))))['id']::VARCHAR) AS VARCHAR) AS v;

-- JSONPairsObject/JSON null value is kept: "true"
SELECT CAST((((REDUCE(AS_ARRAY((TRY_PARSE_JSON('{"columns":[{"name":"id","value":"k"},{"name":"n","value":null},{"value":1},{"name":"nov"},{"name":"o","value":{"a":1}},{"name":"num","value":12},{"name":"id","value":"k2"}],"empty":[],"scalar":"x"}'))['columns']), OBJECT_CONSTRUCT(), (trueup_acc, trueup_pair) -> IFF(trueup_acc[trueup_pair['name']::VARCHAR] IS NOT NULL, trueup_acc, OBJECT_INSERT(trueup_acc, trueup_pair['name']::VARCHAR, trueup_pair['value']))))['n'] IS NOT NULL)) AS VARCHAR) AS v;

-- JSONPairsObject/JSON null value reads NULL: NULL
SELECT CAST(((REDUCE(AS_ARRAY((TRY_PARSE_JSON('{"columns":[{"name":"id","value":"k"},{"name":"n","value":null},{"value":1},{"name":"nov"},{"name":"o","value":{"a":1}},{"name":"num","value":12},{"name":"id","value":"k2"}],"empty":[],"scalar":"x"}'))['columns']), OBJECT_CONSTRUCT(), (trueup_acc, trueup_pair) -> IFF(trueup_acc[trueup_pair['name']::VARCHAR] IS NOT NULL, trueup_acc, OBJECT_INSERT(trueup_acc, trueup_pair['name']::VARCHAR, trueup_pair['value']))))['n']::VARCHAR) AS VARCHAR) AS v;

-- JSONPairsObject/element without value is skipped: "false"
SELECT CAST((((REDUCE(AS_ARRAY((TRY_PARSE_JSON('{"columns":[{"name":"id","value":"k"},{"name":"n","value":null},{"value":1},{"name":"nov"},{"name":"o","value":{"a":1}},{"name":"num","value":12},{"name":"id","value":"k2"}],"empty":[],"scalar":"x"}'))['columns']), OBJECT_CONSTRUCT(), (trueup_acc, trueup_pair) -> IFF(trueup_acc[trueup_pair['name']::VARCHAR] IS NOT NULL, trueup_acc, OBJECT_INSERT(trueup_acc, trueup_pair['name']::VARCHAR, trueup_pair['value']))))['nov'] IS NOT NULL)) AS VARCHAR) AS v;

-- JSONPairsObject/object value: "1"
SELECT CAST(((REDUCE(AS_ARRAY((TRY_PARSE_JSON('{"columns":[{"name":"id","value":"k"},{"name":"n","value":null},{"value":1},{"name":"nov"},{"name":"o","value":{"a":1}},{"name":"num","value":12},{"name":"id","value":"k2"}],"empty":[],"scalar":"x"}'))['columns']), OBJECT_CONSTRUCT(), (trueup_acc, trueup_pair) -> IFF(trueup_acc[trueup_pair['name']::VARCHAR] IS NOT NULL, trueup_acc, OBJECT_INSERT(trueup_acc, trueup_pair['name']::VARCHAR, trueup_pair['value']))))['o']['a']::VARCHAR) AS VARCHAR) AS v;

-- JSONPairsObject/number value: "12"
SELECT CAST(((REDUCE(AS_ARRAY((TRY_PARSE_JSON('{"columns":[{"name":"id","value":"k"},{"name":"n","value":null},{"value":1},{"name":"nov"},{"name":"o","value":{"a":1}},{"name":"num","value":12},{"name":"id","value":"k2"}],"empty":[],"scalar":"x"}'))['columns']), OBJECT_CONSTRUCT(), (trueup_acc, trueup_pair) -> IFF(trueup_acc[trueup_pair['name']::VARCHAR] IS NOT NULL, trueup_acc, OBJECT_INSERT(trueup_acc, trueup_pair['name']::VARCHAR, trueup_pair['value']))))['num']::VARCHAR) AS VARCHAR) AS v;

-- JSONPairsObject/value read with JSONValues: "k"
SELECT CAST(((((REDUCE(AS_ARRAY((TRY_PARSE_JSON('{"columns":[{"name":"id","value":"k"},{"name":"n","value":null},{"value":1},{"name":"nov"},{"name":"o","value":{"a":1}},{"name":"num","value":12},{"name":"id","value":"k2"}],"empty":[],"scalar":"x"}'))['columns']), OBJECT_CONSTRUCT(), (trueup_acc, trueup_pair) -> IFF(trueup_acc[trueup_pair['name']::VARCHAR] IS NOT NULL, trueup_acc, OBJECT_INSERT(trueup_acc, trueup_pair['name']::VARCHAR, trueup_pair['value'])))))['id'])::VARCHAR) AS VARCHAR) AS v;

-- JSONPairsObject/empty array: "false"
SELECT CAST((((REDUCE(AS_ARRAY((TRY_PARSE_JSON('{"columns":[{"name":"id","value":"k"},{"name":"n","value":null},{"value":1},{"name":"nov"},{"name":"o","value":{"a":1}},{"name":"num","value":12},{"name":"id","value":"k2"}],"empty":[],"scalar":"x"}'))['empty']), OBJECT_CONSTRUCT(), (trueup_acc, trueup_pair) -> IFF(trueup_acc[trueup_pair['name']::VARCHAR] IS NOT NULL, trueup_acc, OBJECT_INSERT(trueup_acc, trueup_pair['name']::VARCHAR, trueup_pair['value']))))['id'] IS NOT NULL)) AS VARCHAR) AS v;

-- JSONPairsObject/not an array: "false"
SELECT CAST((((REDUCE(AS_ARRAY((TRY_PARSE_JSON('{"columns":[{"name":"id","value":"k"},{"name":"n","value":null},{"value":1},{"name":"nov"},{"name":"o","value":{"a":1}},{"name":"num","value":12},{"name":"id","value":"k2"}],"empty":[],"scalar":"x"}'))['scalar']), OBJECT_CONSTRUCT(), (trueup_acc, trueup_pair) -> IFF(trueup_acc[trueup_pair['name']::VARCHAR] IS NOT NULL, trueup_acc, OBJECT_INSERT(trueup_acc, trueup_pair['name']::VARCHAR, trueup_pair['value']))))['id'] IS NOT NULL)) AS VARCHAR) AS v;

-- JSONPairsObject/absent: "false"
SELECT CAST((((REDUCE(AS_ARRAY((TRY_PARSE_JSON('{"columns":[{"name":"id","value":"k"},{"name":"n","value":null},{"value":1},{"name":"nov"},{"name":"o","value":{"a":1}},{"name":"num","value":12},{"name":"id","value":"k2"}],"empty":[],"scalar":"x"}'))['absent']), OBJECT_CONSTRUCT(), (trueup_acc, trueup_pair) -> IFF(trueup_acc[trueup_pair['name']::VARCHAR] IS NOT NULL, trueup_acc, OBJECT_INSERT(trueup_acc, trueup_pair['name']::VARCHAR, trueup_pair['value']))))['id'] IS NOT NULL)) AS VARCHAR) AS v;

-- TextToDecimal/"12": "12"
SELECT CAST((TRY_CAST('12' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"-12": "-12"
SELECT CAST((TRY_CAST('-12' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"+12": "12"
SELECT CAST((TRY_CAST('+12' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"0": "0"
SELECT CAST((TRY_CAST('0' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"007": "7"
SELECT CAST((TRY_CAST('007' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"12.4": "12"
SELECT CAST((TRY_CAST('12.4' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"12.5": "13"
SELECT CAST((TRY_CAST('12.5' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"-12.5": "-13"
SELECT CAST((TRY_CAST('-12.5' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"999999999999999999": "999999999999999999"
SELECT CAST((TRY_CAST('999999999999999999' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"1000000000000000000": "1000000000000000000"
SELECT CAST((TRY_CAST('1000000000000000000' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"99999999999999999999999999999999999999": "99999999999999999999999999999999999999"
SELECT CAST((TRY_CAST('99999999999999999999999999999999999999' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"100000000000000000000000000000000000000": NULL
SELECT CAST((TRY_CAST('100000000000000000000000000000000000000' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"": NULL
SELECT CAST((TRY_CAST('' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"x": NULL
SELECT CAST((TRY_CAST('x' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"1x": NULL
SELECT CAST((TRY_CAST('1x' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"0x1F": NULL
SELECT CAST((TRY_CAST('0x1F' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToDecimal/"1_000": NULL
SELECT CAST((TRY_CAST('1_000' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TextToFloat/"1.5": "true"
SELECT CAST((TRY_CAST('1.5' AS FLOAT) = 1.5) AS VARCHAR) AS v;

-- TextToFloat/"-0.25": "true"
SELECT CAST((TRY_CAST('-0.25' AS FLOAT) = -0.25) AS VARCHAR) AS v;

-- TextToFloat/"+2": "true"
SELECT CAST((TRY_CAST('+2' AS FLOAT) = 2) AS VARCHAR) AS v;

-- TextToFloat/"1e3": "true"
SELECT CAST((TRY_CAST('1e3' AS FLOAT) = 1000) AS VARCHAR) AS v;

-- TextToFloat/"1.5E-1": "true"
SELECT CAST((TRY_CAST('1.5E-1' AS FLOAT) = 0.15) AS VARCHAR) AS v;

-- TextToFloat/"12": "true"
SELECT CAST((TRY_CAST('12' AS FLOAT) = 12) AS VARCHAR) AS v;

-- TextToFloat/"": "true"
SELECT CAST((TRY_CAST('' AS FLOAT) IS NULL) AS VARCHAR) AS v;

-- TextToFloat/"x": "true"
SELECT CAST((TRY_CAST('x' AS FLOAT) IS NULL) AS VARCHAR) AS v;

-- TextToFloat/"1.5 EUR": "true"
SELECT CAST((TRY_CAST('1.5 EUR' AS FLOAT) IS NULL) AS VARCHAR) AS v;

-- TextToFloat/"1_000": "true"
SELECT CAST((TRY_CAST('1_000' AS FLOAT) IS NULL) AS VARCHAR) AS v;

-- TextToFloat/"0x1F": "true"
SELECT CAST((TRY_CAST('0x1F' AS FLOAT) IS NULL) AS VARCHAR) AS v;

-- HexToNumber/"0": "0"
SELECT CAST((IFF(REGEXP_LIKE('0', '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER('0'), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)) AS VARCHAR) AS v;

-- HexToNumber/"ff": "255"
SELECT CAST((IFF(REGEXP_LIKE('ff', '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER('ff'), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)) AS VARCHAR) AS v;

-- HexToNumber/"FF": "255"
SELECT CAST((IFF(REGEXP_LIKE('FF', '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER('FF'), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)) AS VARCHAR) AS v;

-- HexToNumber/"1A2b": "6699"
SELECT CAST((IFF(REGEXP_LIKE('1A2b', '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER('1A2b'), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)) AS VARCHAR) AS v;

-- HexToNumber/"00000001": "1"
SELECT CAST((IFF(REGEXP_LIKE('00000001', '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER('00000001'), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)) AS VARCHAR) AS v;

-- HexToNumber/"FFFFFFFFFFFFFFFF": "18446744073709551615"
SELECT CAST((IFF(REGEXP_LIKE('FFFFFFFFFFFFFFFF', '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER('FFFFFFFFFFFFFFFF'), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)) AS VARCHAR) AS v;

-- HexToNumber/"0000000100000000": "4294967296"
SELECT CAST((IFF(REGEXP_LIKE('0000000100000000', '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER('0000000100000000'), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)) AS VARCHAR) AS v;

-- HexToNumber/"10000000000000000": NULL
SELECT CAST((IFF(REGEXP_LIKE('10000000000000000', '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER('10000000000000000'), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)) AS VARCHAR) AS v;

-- HexToNumber/"": NULL
SELECT CAST((IFF(REGEXP_LIKE('', '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER(''), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)) AS VARCHAR) AS v;

-- HexToNumber/"g": NULL
SELECT CAST((IFF(REGEXP_LIKE('g', '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER('g'), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)) AS VARCHAR) AS v;

-- HexToNumber/"0x1": NULL
SELECT CAST((IFF(REGEXP_LIKE('0x1', '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER('0x1'), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)) AS VARCHAR) AS v;

-- HexToNumber/" 1": NULL
SELECT CAST((IFF(REGEXP_LIKE(' 1', '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER(' 1'), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)) AS VARCHAR) AS v;

-- HexToNumber/"-1": NULL
SELECT CAST((IFF(REGEXP_LIKE('-1', '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER('-1'), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)) AS VARCHAR) AS v;

-- RegexpFull/"abc" "a.c": "true"
SELECT CAST((REGEXP_LIKE('abc', 'a.c')) AS VARCHAR) AS v;

-- RegexpFull/"xabc" "a.c": "false"
SELECT CAST((REGEXP_LIKE('xabc', 'a.c')) AS VARCHAR) AS v;

-- RegexpFull/"abcx" "a.c": "false"
SELECT CAST((REGEXP_LIKE('abcx', 'a.c')) AS VARCHAR) AS v;

-- RegexpFull/"abc" "b": "false"
SELECT CAST((REGEXP_LIKE('abc', 'b')) AS VARCHAR) AS v;

-- RegexpFull/"b" "a|b": "true"
SELECT CAST((REGEXP_LIKE('b', 'a|b')) AS VARCHAR) AS v;

-- RegexpFull/"ab" "a|b": "false"
SELECT CAST((REGEXP_LIKE('ab', 'a|b')) AS VARCHAR) AS v;

-- RegexpFull/"2026-01-01" "[0-9]{4}-[0-9]{2}-[0-9]{2}": "true"
SELECT CAST((REGEXP_LIKE('2026-01-01', '[0-9]{4}-[0-9]{2}-[0-9]{2}')) AS VARCHAR) AS v;

-- RegexpFull/"it's" "it's": "true"
SELECT CAST((REGEXP_LIKE('it''s', 'it''s')) AS VARCHAR) AS v;

-- RegexpFull/"a\\b" "a\\\\b": "true"
SELECT CAST((REGEXP_LIKE('a\\b', 'a\\\\b')) AS VARCHAR) AS v;

-- RegexpFull/"a.b" "a\\.b": "true"
SELECT CAST((REGEXP_LIKE('a.b', 'a\\.b')) AS VARCHAR) AS v;

-- RegexpFull/"axb" "a\\.b": "false"
SELECT CAST((REGEXP_LIKE('axb', 'a\\.b')) AS VARCHAR) AS v;

-- RegexpFull/"" "x*": "true"
SELECT CAST((REGEXP_LIKE('', 'x*')) AS VARCHAR) AS v;

-- RegexpFull/NULL: NULL
SELECT CAST((REGEXP_LIKE(CAST(NULL AS VARCHAR), 'x')) AS VARCHAR) AS v;

-- TimestampTextToMillis/"2026-01-01 00:00:00+00": "1767225600000"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, COALESCE(TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2026-01-01 00:00:00+00', '.*[+-][0-9]{2}'), '2026-01-01 00:00:00+00' || ':00', '2026-01-01 00:00:00+00'), 'YYYY-MM-DD HH24:MI:SS.FFTZH:TZM'), TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2026-01-01 00:00:00+00', '.*[+-][0-9]{2}'), '2026-01-01 00:00:00+00' || ':00', '2026-01-01 00:00:00+00'), 'YYYY-MM-DD HH24:MI:SSTZH:TZM')))) AS VARCHAR) AS v;

-- TimestampTextToMillis/"2026-01-01 00:00:00+00:00": "1767225600000"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, COALESCE(TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2026-01-01 00:00:00+00:00', '.*[+-][0-9]{2}'), '2026-01-01 00:00:00+00:00' || ':00', '2026-01-01 00:00:00+00:00'), 'YYYY-MM-DD HH24:MI:SS.FFTZH:TZM'), TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2026-01-01 00:00:00+00:00', '.*[+-][0-9]{2}'), '2026-01-01 00:00:00+00:00' || ':00', '2026-01-01 00:00:00+00:00'), 'YYYY-MM-DD HH24:MI:SSTZH:TZM')))) AS VARCHAR) AS v;

-- TimestampTextToMillis/"2026-01-01 02:00:00+02": "1767225600000"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, COALESCE(TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2026-01-01 02:00:00+02', '.*[+-][0-9]{2}'), '2026-01-01 02:00:00+02' || ':00', '2026-01-01 02:00:00+02'), 'YYYY-MM-DD HH24:MI:SS.FFTZH:TZM'), TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2026-01-01 02:00:00+02', '.*[+-][0-9]{2}'), '2026-01-01 02:00:00+02' || ':00', '2026-01-01 02:00:00+02'), 'YYYY-MM-DD HH24:MI:SSTZH:TZM')))) AS VARCHAR) AS v;

-- TimestampTextToMillis/"2025-12-31 19:00:00-05": "1767225600000"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, COALESCE(TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2025-12-31 19:00:00-05', '.*[+-][0-9]{2}'), '2025-12-31 19:00:00-05' || ':00', '2025-12-31 19:00:00-05'), 'YYYY-MM-DD HH24:MI:SS.FFTZH:TZM'), TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2025-12-31 19:00:00-05', '.*[+-][0-9]{2}'), '2025-12-31 19:00:00-05' || ':00', '2025-12-31 19:00:00-05'), 'YYYY-MM-DD HH24:MI:SSTZH:TZM')))) AS VARCHAR) AS v;

-- TimestampTextToMillis/"2026-01-01 05:30:00+05:30": "1767225600000"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, COALESCE(TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2026-01-01 05:30:00+05:30', '.*[+-][0-9]{2}'), '2026-01-01 05:30:00+05:30' || ':00', '2026-01-01 05:30:00+05:30'), 'YYYY-MM-DD HH24:MI:SS.FFTZH:TZM'), TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2026-01-01 05:30:00+05:30', '.*[+-][0-9]{2}'), '2026-01-01 05:30:00+05:30' || ':00', '2026-01-01 05:30:00+05:30'), 'YYYY-MM-DD HH24:MI:SSTZH:TZM')))) AS VARCHAR) AS v;

-- TimestampTextToMillis/"2026-01-01 00:00:00.5+00": "1767225600500"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, COALESCE(TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2026-01-01 00:00:00.5+00', '.*[+-][0-9]{2}'), '2026-01-01 00:00:00.5+00' || ':00', '2026-01-01 00:00:00.5+00'), 'YYYY-MM-DD HH24:MI:SS.FFTZH:TZM'), TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2026-01-01 00:00:00.5+00', '.*[+-][0-9]{2}'), '2026-01-01 00:00:00.5+00' || ':00', '2026-01-01 00:00:00.5+00'), 'YYYY-MM-DD HH24:MI:SSTZH:TZM')))) AS VARCHAR) AS v;

-- TimestampTextToMillis/"2026-01-01 00:00:00.123456+00": "1767225600123"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, COALESCE(TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2026-01-01 00:00:00.123456+00', '.*[+-][0-9]{2}'), '2026-01-01 00:00:00.123456+00' || ':00', '2026-01-01 00:00:00.123456+00'), 'YYYY-MM-DD HH24:MI:SS.FFTZH:TZM'), TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2026-01-01 00:00:00.123456+00', '.*[+-][0-9]{2}'), '2026-01-01 00:00:00.123456+00' || ':00', '2026-01-01 00:00:00.123456+00'), 'YYYY-MM-DD HH24:MI:SSTZH:TZM')))) AS VARCHAR) AS v;

-- TimestampTextToMillis/"2026-01-01 00:00:00.1239+00": "1767225600123"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, COALESCE(TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2026-01-01 00:00:00.1239+00', '.*[+-][0-9]{2}'), '2026-01-01 00:00:00.1239+00' || ':00', '2026-01-01 00:00:00.1239+00'), 'YYYY-MM-DD HH24:MI:SS.FFTZH:TZM'), TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('2026-01-01 00:00:00.1239+00', '.*[+-][0-9]{2}'), '2026-01-01 00:00:00.1239+00' || ':00', '2026-01-01 00:00:00.1239+00'), 'YYYY-MM-DD HH24:MI:SSTZH:TZM')))) AS VARCHAR) AS v;

-- TimestampTextToMillis/"1969-12-31 23:59:59+00": "-1000"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, COALESCE(TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('1969-12-31 23:59:59+00', '.*[+-][0-9]{2}'), '1969-12-31 23:59:59+00' || ':00', '1969-12-31 23:59:59+00'), 'YYYY-MM-DD HH24:MI:SS.FFTZH:TZM'), TRY_TO_TIMESTAMP_TZ(IFF(REGEXP_LIKE('1969-12-31 23:59:59+00', '.*[+-][0-9]{2}'), '1969-12-31 23:59:59+00' || ':00', '1969-12-31 23:59:59+00'), 'YYYY-MM-DD HH24:MI:SSTZH:TZM')))) AS VARCHAR) AS v;

-- MillisToTimestamp/0: "0"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, TO_TIMESTAMP_NTZ(IFF(CAST(0 AS NUMBER(38, 0)) BETWEEN 0 AND 253402300799999, CAST(0 AS NUMBER(38, 0)), NULL), 3))) AS VARCHAR) AS v;

-- MillisToTimestamp/1767225600123: "1767225600123"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, TO_TIMESTAMP_NTZ(IFF(CAST(1767225600123 AS NUMBER(38, 0)) BETWEEN 0 AND 253402300799999, CAST(1767225600123 AS NUMBER(38, 0)), NULL), 3))) AS VARCHAR) AS v;

-- MillisToTimestamp/253402300799999: "253402300799999"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, TO_TIMESTAMP_NTZ(IFF(CAST(253402300799999 AS NUMBER(38, 0)) BETWEEN 0 AND 253402300799999, CAST(253402300799999 AS NUMBER(38, 0)), NULL), 3))) AS VARCHAR) AS v;

-- MillisToTimestamp/-1: NULL
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, TO_TIMESTAMP_NTZ(IFF(CAST(-1 AS NUMBER(38, 0)) BETWEEN 0 AND 253402300799999, CAST(-1 AS NUMBER(38, 0)), NULL), 3))) AS VARCHAR) AS v;

-- MillisToTimestamp/253402300800000: NULL
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, TO_TIMESTAMP_NTZ(IFF(CAST(253402300800000 AS NUMBER(38, 0)) BETWEEN 0 AND 253402300799999, CAST(253402300800000 AS NUMBER(38, 0)), NULL), 3))) AS VARCHAR) AS v;

-- MillisToTimestamp/is a Timestamp: "true"
SELECT CAST((TO_TIMESTAMP_NTZ(IFF(1767225600123 BETWEEN 0 AND 253402300799999, 1767225600123, NULL), 3) = CAST('2026-01-01 00:00:00.123' AS TIMESTAMP_NTZ)) AS VARCHAR) AS v;

-- TimestampToMillis/Timestamp: "1767225600123"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, CAST('2026-01-01 00:00:00.123' AS TIMESTAMP_NTZ))) AS VARCHAR) AS v;

-- TimestampToMillis/TimestampTZ: "1767225600500"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, CAST('2026-01-01 01:00:00.5+01:00' AS TIMESTAMP_LTZ))) AS VARCHAR) AS v;

-- UTC/an instant's UTC wall time: "1767254400000"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, CONVERT_TIMEZONE('UTC', CAST('2026-01-01 10:00:00+02:00' AS TIMESTAMP_LTZ))::TIMESTAMP_NTZ)) AS VARCHAR) AS v;

-- UTC/is a Timestamp: "true"
SELECT CAST((CONVERT_TIMEZONE('UTC', CAST('2026-01-01 10:00:00+02:00' AS TIMESTAMP_LTZ))::TIMESTAMP_NTZ = CAST('2026-01-01 08:00:00' AS TIMESTAMP_NTZ)) AS VARCHAR) AS v;

-- Now/is today: "true"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, SYSDATE()) > 1767225600000) AS VARCHAR) AS v;

-- Now/is UTC: "true"
SELECT CAST((ABS(DATE_PART(EPOCH_MILLISECOND, SYSDATE()) - DATE_PART(EPOCH_MILLISECOND, CONVERT_TIMEZONE('UTC', DATEADD(DAY, 0, CURRENT_TIMESTAMP()))::TIMESTAMP_NTZ)) < 60000) AS VARCHAR) AS v;

-- DaysAgo/days of 24 hours: "true"
SELECT CAST((ABS(DATE_PART(EPOCH_MILLISECOND, SYSDATE()) - DATE_PART(EPOCH_MILLISECOND, CONVERT_TIMEZONE('UTC', DATEADD(DAY, -2, CURRENT_TIMESTAMP()))::TIMESTAMP_NTZ) - 2 * 86400000) < 60000) AS VARCHAR) AS v;

-- SealValue/opens: "ann@x.io"
SELECT CAST(('ann@x.io') AS VARCHAR) AS v;

-- SealValue/equal for equal values: "true"
SELECT CAST(('ann@x.io' = 'ann@x.io') AS VARCHAR) AS v;

-- SealValue/NULL stays NULL: NULL
SELECT CAST((CAST(NULL AS VARCHAR)) AS VARCHAR) AS v;

-- OpenValue/other text as it is: "not a token"
SELECT CAST(('not a token') AS VARCHAR) AS v;

-- OpenText/a line with quotes and a newline: "it's \"quoted\"\nand more"
SELECT CAST(('it''s "quoted"
and more') AS VARCHAR) AS v;

-- OpenText/NULL stays NULL: NULL
SELECT CAST((CAST(NULL AS VARCHAR)) AS VARCHAR) AS v;

-- SealText/opens: "{\"email\":\"ann@x.io\"}"
SELECT CAST(('{"email":"ann@x.io"}') AS VARCHAR) AS v;

-- AsOfJoin/latest before: "b"
SELECT MAX(r.v) AS v
FROM (SELECT 'k' AS k, 10 AS t) AS l
ASOF JOIN (SELECT 'k' AS k, 5 AS t, 'a' AS v UNION ALL SELECT 'k', 9, 'b' UNION ALL SELECT 'k', 11, 'c' UNION ALL SELECT 'j', 10, 'd') AS r MATCH_CONDITION (l.t >= r.t) ON l.k = r.k;

-- AsOfJoin/at the same time: "b"
SELECT MAX(r.v) AS v
FROM (SELECT 'k' AS k, 9 AS t) AS l
ASOF JOIN (SELECT 'k' AS k, 5 AS t, 'a' AS v UNION ALL SELECT 'k', 9, 'b' UNION ALL SELECT 'k', 11, 'c' UNION ALL SELECT 'j', 10, 'd') AS r MATCH_CONDITION (l.t >= r.t) ON l.k = r.k;

-- AsOfJoin/one row per left row: "1"
SELECT CAST(COUNT(r.v) AS VARCHAR) AS v
FROM (SELECT 'k' AS k, 12 AS t) AS l
ASOF JOIN (SELECT 'k' AS k, 5 AS t, 'a' AS v UNION ALL SELECT 'k', 9, 'b' UNION ALL SELECT 'k', 11, 'c' UNION ALL SELECT 'j', 10, 'd') AS r MATCH_CONDITION (l.t >= r.t) ON l.k = r.k;

-- AsOfJoin/none before: NULL
SELECT MAX(r.v) AS v
FROM (SELECT 'k' AS k, 4 AS t) AS l
ASOF JOIN (SELECT 'k' AS k, 5 AS t, 'a' AS v UNION ALL SELECT 'k', 9, 'b' UNION ALL SELECT 'k', 11, 'c' UNION ALL SELECT 'j', 10, 'd') AS r MATCH_CONDITION (l.t >= r.t) ON l.k = r.k;

-- Scratch/the statements read its rows: "44"
SELECT CAST(((SELECT MAX(x) + COUNT(*) FROM (
  SELECT 41 AS x UNION ALL SELECT 42
) AS s)) AS VARCHAR) AS v;

-- BatchID/the running batch: "batch-7"
SELECT CAST((SYSTEM$TASK_RUNTIME_INFO('CURRENT_TASK_GRAPH_RUN_GROUP_ID')) AS VARCHAR) AS v;

-- Param/the argument: "batch-7"
SELECT CAST((:BATCH_ID) AS VARCHAR) AS v;

-- SetVar/Var reads what SetVar set: "43"
SELECT MAX(x) INTO :CONFORMANCE_N FROM (SELECT 41 AS x UNION ALL SELECT 42) AS q;
SELECT CAST((:CONFORMANCE_N + 1) AS VARCHAR) AS v;

-- Var/a later statement reads it too: "42"
SELECT CAST((:CONFORMANCE_N) AS VARCHAR) AS v;

-- NextVal/draws from 1: "1"
CREATE SCHEMA IF NOT EXISTS CONFORMANCE.CONFORMANCE_S;
CREATE SEQUENCE IF NOT EXISTS CONFORMANCE.CONFORMANCE_S.SEQ INCREMENT BY 1 START WITH 1;
SELECT CAST((CONFORMANCE.CONFORMANCE_S.SEQ.NEXTVAL) AS VARCHAR) AS v;

-- NextVal/then greater: "true"
SELECT CAST((CONFORMANCE.CONFORMANCE_S.SEQ.NEXTVAL > 1) AS VARCHAR) AS v;

-- Stream/a new stream of an empty table reads nothing: "0"
CREATE TABLE IF NOT EXISTS CONFORMANCE.CONFORMANCE_S.LINES (
  N NUMBER(38, 0) NOT NULL,
  LINE VARCHAR(134217728)
);
CREATE STREAM IF NOT EXISTS CONFORMANCE.CONFORMANCE_S.LINES_FEED
  ON TABLE CONFORMANCE.CONFORMANCE_S.LINES
  APPEND_ONLY = TRUE;
SELECT CAST(COUNT(*) AS VARCHAR) AS v FROM CONFORMANCE.CONFORMANCE_S.LINES_FEED AS s;

-- LoadErrors/nothing lost: "0"
SELECT CAST(COUNT(*) AS VARCHAR) AS v FROM (SELECT CAST(NULL AS VARCHAR) AS table_name, CAST(NULL AS VARCHAR) AS file_name, CAST(NULL AS VARCHAR) AS status, CAST(NULL AS NUMBER(38, 0)) AS error_count, CAST(NULL AS VARCHAR) AS first_error WHERE FALSE) AS e;

-- Render/table, view and dynamic table: "true kept 12345678901234567891 true 1767225600123 1767225600000 ann@x.io a line"
CREATE TABLE IF NOT EXISTS CONFORMANCE.CONFORMANCE_S.T (
  ID NUMBER(38, 0) NOT NULL DEFAULT CONFORMANCE.CONFORMANCE_S.SEQ.NEXTVAL,
  NAME VARCHAR COMMENT 'a name''s comment, it''s quoted',
  AMOUNT NUMBER(38, 0),
  SCORE FLOAT,
  OK BOOLEAN,
  SET_AT TIMESTAMP_NTZ,
  SEEN TIMESTAMP_LTZ,
  DOC VARIANT,
  LINE VARCHAR(134217728),
  "SELECT" VARCHAR
) COMMENT = 'the conformance table';
CREATE OR REPLACE VIEW CONFORMANCE.CONFORMANCE_S.V COPY GRANTS COMMENT = 'a view'
AS
SELECT id, "SELECT", amount + 1 AS amount, ok, DATE_PART(EPOCH_MILLISECOND, set_at) AS at_ms, DATE_PART(EPOCH_MILLISECOND, seen) AS seen_ms, doc['email']::VARCHAR AS email, line
FROM CONFORMANCE.CONFORMANCE_S.T;
CREATE OR REPLACE DYNAMIC TABLE CONFORMANCE.CONFORMANCE_S.D
  TARGET_LAG = '5 minutes'
  WAREHOUSE = CONFORMANCE_WH
  REFRESH_MODE = INCREMENTAL
  COPY GRANTS
AS
SELECT id, "SELECT", amount + 1 AS amount, ok, DATE_PART(EPOCH_MILLISECOND, set_at) AS at_ms, DATE_PART(EPOCH_MILLISECOND, seen) AS seen_ms, doc['email']::VARCHAR AS email, line
FROM CONFORMANCE.CONFORMANCE_S.T;
INSERT INTO CONFORMANCE.CONFORMANCE_S.T (name, amount, score, ok, set_at, seen, doc, line, "SELECT")
SELECT 'ann', CAST('12345678901234567890' AS NUMBER(38, 0)), 1.5, TRUE, TO_TIMESTAMP_NTZ(IFF(1767225600123 BETWEEN 0 AND 253402300799999, 1767225600123, NULL), 3), CAST('2026-01-01 02:00:00+02:00' AS TIMESTAMP_LTZ), TRY_PARSE_JSON('{"email":"ann@x.io"}'), 'a line', 'kept';
SELECT CAST(id > 0 AS VARCHAR) || ' ' || "SELECT" || ' ' || CAST(amount AS VARCHAR) || ' ' || CAST(ok AS VARCHAR) || ' ' || CAST(at_ms AS VARCHAR) || ' ' || CAST(seen_ms AS VARCHAR) || ' ' || email || ' ' || line AS v FROM CONFORMANCE.CONFORMANCE_S.V;

-- TRY_CAST/text to Bool, true: "true"
SELECT CAST((TRY_CAST('true' AS BOOLEAN)) AS VARCHAR) AS v;

-- TRY_CAST/text to Bool, false: "false"
SELECT CAST((TRY_CAST('false' AS BOOLEAN)) AS VARCHAR) AS v;

-- TRY_CAST/text to Bool, not a boolean: "true"
SELECT CAST((TRY_CAST('maybe' AS BOOLEAN) IS NULL) AS VARCHAR) AS v;

-- TRY_CAST/text to Decimal: "12"
SELECT CAST((TRY_CAST('12' AS NUMBER(38, 0))) AS VARCHAR) AS v;

-- TRY_CAST/text to Decimal, not a number: "true"
SELECT CAST((TRY_CAST('x' AS NUMBER(38, 0)) IS NULL) AS VARCHAR) AS v;

-- TRY_CAST/text to Timestamp "2026-01-01 00:00:00": "1767225600000"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, TRY_CAST('2026-01-01 00:00:00' AS TIMESTAMP_NTZ))) AS VARCHAR) AS v;

-- TRY_CAST/text to Timestamp "2026-01-01T00:00:00": "1767225600000"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, TRY_CAST('2026-01-01T00:00:00' AS TIMESTAMP_NTZ))) AS VARCHAR) AS v;

-- TRY_CAST/text to Timestamp "2026-01-01 00:00:00.123": "1767225600123"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, TRY_CAST('2026-01-01 00:00:00.123' AS TIMESTAMP_NTZ))) AS VARCHAR) AS v;

-- TRY_CAST/text to Timestamp "2026-01-01": "1767225600000"
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, TRY_CAST('2026-01-01' AS TIMESTAMP_NTZ))) AS VARCHAR) AS v;

-- TRY_CAST/text to Timestamp "2026-13-01 00:00:00": NULL
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, TRY_CAST('2026-13-01 00:00:00' AS TIMESTAMP_NTZ))) AS VARCHAR) AS v;

-- TRY_CAST/text to Timestamp "2026-02-30": NULL
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, TRY_CAST('2026-02-30' AS TIMESTAMP_NTZ))) AS VARCHAR) AS v;

-- TRY_CAST/text to Timestamp "yesterday noon": NULL
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, TRY_CAST('yesterday noon' AS TIMESTAMP_NTZ))) AS VARCHAR) AS v;

-- TRY_CAST/text to Timestamp "": NULL
SELECT CAST((DATE_PART(EPOCH_MILLISECOND, TRY_CAST('' AS TIMESTAMP_NTZ))) AS VARCHAR) AS v;

-- QUALIFY/one row per partition: "2"
SELECT CAST(COUNT(*) AS VARCHAR) AS v FROM (
  SELECT k, v FROM (SELECT 'a' AS k, 1 AS s, 'old' AS v UNION ALL SELECT 'a', 2, 'new' UNION ALL SELECT 'b', 1, 'only') AS t
  QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY s DESC) = 1
) AS q;

-- QUALIFY/the first in the window's order: "new"
SELECT MIN(v) AS v FROM (
  SELECT k, v FROM (SELECT 'a' AS k, 1 AS s, 'old' AS v UNION ALL SELECT 'a', 2, 'new' UNION ALL SELECT 'b', 1, 'only') AS t
  QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY s DESC) = 1
) AS q;

-- LPAD/pads: "00000123"
SELECT CAST((LPAD('123', 8, '0')) AS VARCHAR) AS v;

-- LPAD/exact length: "12345678"
SELECT CAST((LPAD('12345678', 8, '0')) AS VARCHAR) AS v;

-- LPAD/truncates: "12345678"
SELECT CAST((LPAD('123456789', 8, '0')) AS VARCHAR) AS v;

-- LPAD/empty: "000"
SELECT CAST((LPAD('', 3, '0')) AS VARCHAR) AS v;

-- LPAD/of a Decimal cast to text: "00042"
SELECT CAST((LPAD(CAST(CAST('42' AS NUMBER(38, 0)) AS VARCHAR), 5, '0')) AS VARCHAR) AS v;

-- LPAD/padded numbers sort as numbers: "true"
SELECT CAST((LPAD('9', 15, '0') < LPAD('10', 15, '0')) AS VARCHAR) AS v;

-- SPLIT_PART/first: "16"
SELECT CAST((SPLIT_PART('16/B374D848', '/', 1)) AS VARCHAR) AS v;

-- SPLIT_PART/second: "B374D848"
SELECT CAST((SPLIT_PART('16/B374D848', '/', 2)) AS VARCHAR) AS v;

-- SPLIT_PART/beyond the last: ""
SELECT CAST((SPLIT_PART('16', '/', 2)) AS VARCHAR) AS v;

-- SPLIT_PART/last: "x.io"
SELECT CAST((SPLIT_PART('ann@mail@x.io', '@', -1)) AS VARCHAR) AS v;

-- SPLIT_PART/last of text without separator: "ann"
SELECT CAST((SPLIT_PART('ann', '@', -1)) AS VARCHAR) AS v;

-- SPLIT_PART/last, empty: ""
SELECT CAST((SPLIT_PART('ann@', '@', -1)) AS VARCHAR) AS v;

-- SPLIT_PART/the LSN's 16 digits: "97500059720"
SELECT CAST((IFF(REGEXP_LIKE(LPAD(SPLIT_PART('16/B374D848', '/', 1), 8, '0') || LPAD(SPLIT_PART('16/B374D848', '/', 2), 8, '0'), '[0-9A-Fa-f]{1,16}'), TRY_TO_NUMBER(LPAD(UPPER(LPAD(SPLIT_PART('16/B374D848', '/', 1), 8, '0') || LPAD(SPLIT_PART('16/B374D848', '/', 2), 8, '0')), 16, '0'), 'XXXXXXXXXXXXXXXX'), NULL)) AS VARCHAR) AS v;

-- CONTAINS/true: "true"
SELECT CAST((CONTAINS('ann@x.io', '@')) AS VARCHAR) AS v;

-- CONTAINS/false: "false"
SELECT CAST((CONTAINS('ann', '@')) AS VARCHAR) AS v;

-- MaskSQL/email keeps its domain: "***@x.io"
SELECT CAST((CASE
  WHEN 'ann@mail@x.io' IS NULL OR 'ann@mail@x.io' = '' THEN 'ann@mail@x.io'
  WHEN FALSE THEN 'ann@mail@x.io'
  WHEN TRUE THEN
    CASE WHEN true AND CONTAINS('ann@mail@x.io', '@') AND SPLIT_PART('ann@mail@x.io', '@', -1) <> '' THEN '***@' || SPLIT_PART('ann@mail@x.io', '@', -1) ELSE '***' END
  ELSE NULL
END) AS VARCHAR) AS v;

-- MaskSQL/email without domain: "***"
SELECT CAST((CASE
  WHEN 'ann@' IS NULL OR 'ann@' = '' THEN 'ann@'
  WHEN FALSE THEN 'ann@'
  WHEN TRUE THEN
    CASE WHEN true AND CONTAINS('ann@', '@') AND SPLIT_PART('ann@', '@', -1) <> '' THEN '***@' || SPLIT_PART('ann@', '@', -1) ELSE '***' END
  ELSE NULL
END) AS VARCHAR) AS v;

-- MaskSQL/not an email: "***"
SELECT CAST((CASE
  WHEN 'ann@x.io' IS NULL OR 'ann@x.io' = '' THEN 'ann@x.io'
  WHEN FALSE THEN 'ann@x.io'
  WHEN TRUE THEN
    CASE WHEN false AND CONTAINS('ann@x.io', '@') AND SPLIT_PART('ann@x.io', '@', -1) <> '' THEN '***@' || SPLIT_PART('ann@x.io', '@', -1) ELSE '***' END
  ELSE NULL
END) AS VARCHAR) AS v;

-- MaskSQL/empty stays empty: ""
SELECT CAST((CASE
  WHEN '' IS NULL OR '' = '' THEN ''
  WHEN FALSE THEN ''
  WHEN TRUE THEN
    CASE WHEN true AND CONTAINS('', '@') AND SPLIT_PART('', '@', -1) <> '' THEN '***@' || SPLIT_PART('', '@', -1) ELSE '***' END
  ELSE NULL
END) AS VARCHAR) AS v;

-- MaskSQL/plaintext reader: "ann@x.io"
SELECT CAST((CASE
  WHEN 'ann@x.io' IS NULL OR 'ann@x.io' = '' THEN 'ann@x.io'
  WHEN TRUE THEN 'ann@x.io'
  WHEN FALSE THEN
    CASE WHEN TRUE AND CONTAINS('ann@x.io', '@') AND SPLIT_PART('ann@x.io', '@', -1) <> '' THEN '***@' || SPLIT_PART('ann@x.io', '@', -1) ELSE '***' END
  ELSE NULL
END) AS VARCHAR) AS v;

-- MaskSQL/other reader: NULL
SELECT CAST((CASE
  WHEN 'ann@x.io' IS NULL OR 'ann@x.io' = '' THEN 'ann@x.io'
  WHEN FALSE THEN 'ann@x.io'
  WHEN FALSE THEN
    CASE WHEN TRUE AND CONTAINS('ann@x.io', '@') AND SPLIT_PART('ann@x.io', '@', -1) <> '' THEN '***@' || SPLIT_PART('ann@x.io', '@', -1) ELSE '***' END
  ELSE NULL
END) AS VARCHAR) AS v;

-- MD5/hex digest: "edf1439075a83a447fb8b630ddc9c8de"
SELECT CAST((MD5('Snowflake')) AS VARCHAR) AS v;

-- MD5/of UTF-8 text: "7dc666152e6b503977638487299e325f"
SELECT CAST((MD5('é|日本')) AS VARCHAR) AS v;

-- MD5/of the empty text: "d41d8cd98f00b204e9800998ecf8427e"
SELECT CAST((MD5('')) AS VARCHAR) AS v;

-- MD5/OwnID: "unmatched_468cbafbb9290469"
SELECT CAST(('unmatched_' || SUBSTR(MD5('stripe' || ':' || 'cus_1'), 1, 16)) AS VARCHAR) AS v;

