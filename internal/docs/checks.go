package docs

import "github.com/ledgerloop/trueup/generator/spec"

// checkPurpose says what each built-in check fires on (the README's
// table, "Data quality", in short).
var checkPurpose = map[string]string{
	spec.CheckParseFailures:      "a line of the batch is not JSON, or an object in it repeats a key",
	spec.CheckNullKeys:           "an event has no record key",
	spec.CheckGapEvents:          "Salesforce sent a gap or overflow event: its values were not sent, a re-sync is needed",
	spec.CheckInvalidValues:      "a current candidate is outside the field's accepted values or fails its validator, after normalization",
	spec.CheckDuplicates:         "a customer would get two winners for a field or two open versions",
	spec.CheckOrphanLinks:        "a linked record's customer would have no version",
	spec.CheckFreshness:          "the newest commit of a source in the batch is older than the project's freshness target",
	spec.CheckConflictRate:       "per field, the share of the batch's customers whose candidates disagree passes the trailing baseline by a z-score over z and by more than floor, once min_history batches exist",
	spec.CheckVolume:             "per source, the number of events of the batch passes the trailing baseline by a z-score over z and by more than floor, once min_history batches exist",
	spec.CheckUnconvertible:      "a line of the batch is quarantined because its event time or sequence does not convert",
	spec.CheckLoadErrors:         "in the last 24 hours a load left lines of a file out of RAW (a failed or partial load)",
	spec.CheckQuarantineShare:    "per source, the share of the batch's lines that went to quarantine reaches share",
	spec.CheckUnmappedTypes:      "never fails: counts, per source and event type, the lines no mapping reads",
	spec.CheckReplacedCharacters: "per source, lines of the batch hold U+FFFD: the load replaced invalid UTF-8 in them",
}

// CheckPurpose says what a check fires on ("" for a check unknown here).
func CheckPurpose(name string) string { return checkPurpose[name] }
