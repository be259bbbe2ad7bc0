package sample

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Word lists for realistic, clearly fictional company and person names.
var (
	companyHeads = []string{
		"Northwind", "Bluepeak", "Ironclad", "Silverline", "Redwood", "Harbor",
		"Summit", "Brightwave", "Cobalt", "Granite", "Lumen", "Maple",
		"Nimbus", "Orchid", "Pioneer", "Quartz", "Riverbend", "Sequoia",
		"Tidewater", "Upland", "Vantage", "Willow", "Zephyr", "Alder",
		"Beacon", "Cedar", "Driftwood", "Evergreen", "Foxglove", "Golden Gate",
		"Highland", "Juniper", "Keystone", "Lakeside", "Meridian", "Oakridge",
		"Pinecrest", "Starling", "Trailhead", "Westbrook",
	}
	companyTails = []string{
		"Analytics", "Logistics", "Health", "Robotics", "Software", "Capital",
		"Foods", "Studios", "Energy", "Labs", "Systems", "Media", "Freight",
		"Dental", "Legal", "Insurance", "Clinics", "Apparel", "Networks",
		"Biotech", "Consulting", "Outfitters", "Realty", "Security",
		"Payments", "Learning", "Travel", "Fitness", "Manufacturing", "Data",
	}
	qualifiers  = []string{"Group", "Partners", "Global", "Digital", "Works", "Collective", "Holdings", "North", "West", "Pacific"}
	tlds        = []string{".com", ".com", ".com", ".io", ".co", ".dev", ".ai", ".net"}
	legalSuffix = []string{", Inc.", " Inc", " LLC", " Ltd", " GmbH", " Corp."}
	firstNames  = []string{
		"jane", "john", "priya", "wei", "fatima", "lucas", "sofia", "omar",
		"hannah", "diego", "aiko", "noah", "amara", "liam", "elena", "mateo",
		"grace", "ravi", "chloe", "samuel", "ines", "kwame", "zoe", "felix",
	}
	lastNames = []string{
		"doe", "smith", "patel", "chen", "haddad", "silva", "rossi", "khan",
		"mueller", "garcia", "tanaka", "johnson", "okafor", "walsh", "petrova",
		"lopez", "kim", "sharma", "martin", "cohen", "dubois", "mensah",
		"novak", "berg",
	}
	billingMailboxes = []string{"billing", "ap", "accounts.payable", "finance", "invoices"}
	invalidEmails    = []string{"n/a", "tbd", "none"}
	noteSentences    = []string{
		"Customer asked for consolidated invoicing across subsidiaries.",
		"Security review completed; SSO via Okta requested for Q2.",
		"Champion moved to a new role, re-established contact with procurement.",
		"Requested a custom DPA and EU data residency before expansion.",
		"Renewal discussion scheduled; budget approved for additional seats.",
		"Reported slow exports on large workspaces, engineering ticket linked.",
		"Prefers annual prepay; PO number must appear on every invoice.",
		"Migrated from a competitor, imported three years of history.",
	}
)

// rep is a sales representative: the account owner in the CRM and the app.
type rep struct {
	name   string
	email  string
	sfUser string
}

var repNames = [][2]string{
	{"maria", "gomez"}, {"daniel", "okafor"}, {"sara", "lindqvist"},
	{"tom", "becker"}, {"yuki", "sato"}, {"ana", "ferreira"},
	{"james", "wright"}, {"leila", "nasser"},
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func alnum(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = base62[r.IntN(len(base62))]
	}
	return string(b)
}

func hexStr(r *rand.Rand, n int) string {
	const hx = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hx[r.IntN(16)]
	}
	return string(b)
}

// uuid returns a random version-4 shaped UUID.
func uuid(r *rand.Rand) string {
	h := hexStr(r, 32)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string("89ab"[r.IntN(4)]) + h[17:20] + "-" + h[20:32]
}

// sfID builds an 18-character Salesforce id: a 3-character key prefix, a
// pod and reserved characters, a 9-character base-62 serial, and the
// 3-character case-safety checksum Salesforce appends to 15-character ids.
func sfID(prefix, pod string, serial uint64) string {
	s := make([]byte, 9)
	for i := 8; i >= 0; i-- {
		s[i] = base62[serial%62]
		serial /= 62
	}
	id15 := prefix + pod + "0" + string(s)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	suffix := make([]byte, 3)
	for chunk := 0; chunk < 3; chunk++ {
		flags := 0
		for j := 0; j < 5; j++ {
			c := id15[chunk*5+j]
			if c >= 'A' && c <= 'Z' {
				flags |= 1 << j
			}
		}
		suffix[chunk] = alphabet[flags]
	}
	return id15 + string(suffix)
}

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// between returns a duration uniformly in [lo, hi].
func between(r *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)+1))
}

// timeIn returns a time uniformly in [a, b] (a when b is not after a).
func timeIn(r *rand.Rand, a, b time.Time) time.Time {
	return a.Add(between(r, 0, b.Sub(a)))
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// typedEmail renders an email the way a person types it into a form:
// "Jane.Doe@Northwind.io" for "jane.doe@northwind.io".
func typedEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok {
		return e
	}
	parts := strings.Split(local, ".")
	for i := range parts {
		parts[i] = title(parts[i])
	}
	return strings.Join(parts, ".") + "@" + title(domain)
}

func domainOf(company, tld string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(company) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	return b.String() + tld
}

// companyNamer hands out company names that are unique within a run, so two
// customers never share an email domain by accident.
type companyNamer struct {
	used map[string]bool
}

func (n *companyNamer) next(r *rand.Rand) (name, domain string) {
	base := pick(r, companyHeads) + " " + pick(r, companyTails)
	tld := pick(r, tlds)
	try := func(c string) bool {
		d := domainOf(c, tld)
		if n.used[c] || n.used[d] {
			return false
		}
		n.used[c], n.used[d] = true, true
		name, domain = c, d
		return true
	}
	if try(base) {
		return
	}
	for _, q := range qualifiers {
		if try(base + " " + q) {
			return
		}
	}
	for i := 2; ; i++ {
		if try(fmt.Sprintf("%s %d", base, i)) {
			return
		}
	}
}

// plausible invents a value for a canonical field the generator has no
// model for, guided by its name.
func plausible(r *rand.Rand, field string, c *customer) string {
	f := strings.ToLower(field)
	switch {
	case strings.Contains(f, "phone"):
		return fmt.Sprintf("+1 %03d 555 %04d", 200+r.IntN(700), r.IntN(10000))
	case strings.Contains(f, "country"):
		return pick(r, []string{"US", "US", "GB", "DE", "CA", "FR", "NL", "AU"})
	case strings.Contains(f, "currency"):
		return pick(r, []string{"usd", "usd", "eur", "gbp"})
	case strings.Contains(f, "industry"):
		return pick(r, []string{"Software", "Healthcare", "Retail", "Financial Services", "Manufacturing", "Education"})
	case strings.Contains(f, "city"):
		return pick(r, []string{"Austin", "Berlin", "Toronto", "London", "Denver", "Lisbon", "Seattle"})
	case strings.Contains(f, "domain"), strings.Contains(f, "website"), strings.Contains(f, "url"):
		return "https://www." + c.domain
	case strings.Contains(f, "region"):
		return pick(r, []string{"amer", "emea", "apac"})
	case strings.Contains(f, "segment"):
		return pick(r, []string{"smb", "mid-market", "enterprise"})
	case strings.Contains(f, "name"):
		return c.company
	default:
		return pick(r, []string{"standard", "priority", "legacy", "partner", "direct", "self-serve"})
	}
}
