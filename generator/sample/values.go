package sample

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// fieldValue renders a source's value for a canonical field at path the way
// the format stores it. ok is false when the producer omits the key: a null
// in a Salesforce CREATE or UPDATE body is absent unless it was nulled, and
// Stripe metadata cannot hold nulls.
func fieldValue(format, path string, v any) (out any, ok bool) {
	inMetadata := format == FormatStripeEvents && strings.HasPrefix(path, "metadata.")
	if v == nil {
		return nil, format == FormatDebezium || (format == FormatStripeEvents && !inMetadata)
	}
	if path[strings.LastIndexByte(path, '.')+1:] == "delinquent" {
		return isDelinquent(v), true
	}
	if inMetadata {
		switch x := v.(type) {
		case int:
			return strconv.Itoa(x), true
		case string:
			return x, true
		}
	}
	return v, true
}

// appValue is how the application stores a value when the account is
// created: users type their email with capitals, a few legacy rows hold a
// placeholder instead of an email, company names keep a stray space.
func appValue(r *rand.Rand, field string, v any) any {
	switch field {
	case "email":
		p := r.Float64()
		switch {
		case p < 0.13:
			return typedEmail(v.(string))
		case p < 0.15:
			return pick(r, invalidEmails)
		}
	case "company_name":
		if chance(r, 0.05) {
			return v.(string) + " "
		}
	}
	return v
}

// crmValue is how a sales rep or the sync writes a value into Salesforce:
// picklists in title case ("Past Due", "Cancelled", legacy "Pro" and
// "Business"), an occasional retired "frozen" status, emails with other
// capitalisation, a different contact or no real address at all, legal
// suffixes on names.
func crmValue(r *rand.Rand, field string, v any, domain, first string) any {
	if v == nil {
		return nil
	}
	switch field {
	case "email":
		e := v.(string)
		p := r.Float64()
		switch {
		case p < 0.72:
			return e
		case p < 0.87:
			e = typedEmail(e)
			if chance(r, 0.5) {
				e = " " + e
			} else {
				e += " "
			}
			return e
		case p < 0.93:
			return pick(r, billingMailboxes) + "@" + domain
		default:
			if chance(r, 0.5) {
				return first + " at " + domain
			}
			return pick(r, invalidEmails)
		}
	case "company_name":
		n := v.(string)
		p := r.Float64()
		switch {
		case p < 0.6:
			return n
		case p < 0.85:
			return n + pick(r, legalSuffix)
		default:
			return n + " "
		}
	case "billing_status":
		return crmStatus(r, v.(string))
	case "plan_tier":
		return crmPlan(r, v.(string))
	case "account_owner":
		if chance(r, 0.05) {
			return typedEmail(v.(string))
		}
	}
	return v
}

func crmStatus(r *rand.Rand, s string) string {
	if chance(r, 0.03) {
		return "frozen"
	}
	switch s {
	case "past_due":
		return "Past Due"
	case "canceled":
		if chance(r, 0.6) {
			return "Cancelled"
		}
		return "Canceled"
	case "incomplete_expired":
		return s
	}
	return title(s)
}

func crmPlan(r *rand.Rand, p string) string {
	switch p {
	case "growth":
		if chance(r, 0.25) {
			return "Pro"
		}
	case "enterprise":
		if chance(r, 0.3) {
			return "Business"
		}
	}
	return title(p)
}

// stripeValue is how a value first lands on the Stripe customer: the email
// is often the billing mailbox rather than the person, names are typed in
// capitals, old integrations wrote the retired "Pro" tier.
func stripeValue(r *rand.Rand, field string, v any, domain string, unlinked bool) any {
	if v == nil {
		return nil
	}
	switch field {
	case "email":
		if unlinked {
			return billingEmail(r, v.(string), domain, 0.4, 0.7)
		}
		return billingEmail(r, v.(string), domain, 0.55, 0.65)
	case "company_name":
		n := v.(string)
		p := r.Float64()
		switch {
		case p < 0.7:
			return n
		case p < 0.9:
			return strings.ToUpper(n)
		}
		return n + " Inc"
	case "plan_tier":
		if v == "growth" && chance(r, 0.06) {
			return "Pro"
		}
	}
	return v
}

// billingEmail is the email e as Stripe holds it: e itself with chance
// keep, typed with other capitals up to chance typed, else a billing
// mailbox at domain.
func billingEmail(r *rand.Rand, e, domain string, keep, typed float64) string {
	p := r.Float64()
	switch {
	case p < keep:
		return e
	case p < typed:
		return typedEmail(e)
	}
	return pick(r, billingMailboxes) + "@" + domain
}
