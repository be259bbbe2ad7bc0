package tests

import (
	"strings"
	"testing"
	"time"
)

func subscriptionEvent(id, typ string, at time.Duration, sub, status, lookupKey string, created time.Duration) map[string]any {
	return map[string]any{
		"id": id, "object": "event", "type": typ, "created": t0.Add(at).Unix(),
		"data": map[string]any{"object": map[string]any{
			"id": sub, "object": "subscription", "customer": "cus_S", "status": status, "created": t0.Add(created).Unix(),
			"cancel_at_period_end": false,
			"items": map[string]any{"object": "list", "data": []any{map[string]any{
				"id": "si_" + sub, "object": "subscription_item",
				"price": map[string]any{"id": "price_" + lookupKey, "object": "price", "lookup_key": lookupKey, "product": "prod_1"},
			}}},
		}},
	}
}

// TestSubscriptions: the Stripe customer's billing status and plan come
// from its current subscription (the most recently created that is not
// canceled or incomplete_expired, else the most recent one), with lineage
// naming the subscription, over time.
func TestSubscriptions(t *testing.T) {
	run := open(t, "testdata/spec")
	landing := t.TempDir()
	land(t, landing, "1.json", appEvent("c", 100, 0, "acct_S", "s@x.io"))
	landAs(t, landing, "billing/customer", "1.json",
		// Delivered out of order, one redelivered.
		subscriptionEvent("evt_5", "customer.subscription.updated", 20*day, "sub_2", "past_due", "enterprise_annual", 11*day),
		stripeEvent("evt_1", "customer.created", time.Hour, "cus_S", "s@x.io", map[string]any{"account_id": "acct_S"}),
		subscriptionEvent("evt_3", "customer.subscription.deleted", 10*day, "sub_1", "canceled", "growth_monthly", 2*time.Hour),
		subscriptionEvent("evt_2", "customer.subscription.created", 2*time.Hour, "sub_1", "trialing", "growth_monthly", 2*time.Hour),
		subscriptionEvent("evt_2b", "customer.subscription.updated", 3*day, "sub_1", "active", "growth_monthly", 2*time.Hour),
		subscriptionEvent("evt_4", "customer.subscription.created", 11*day, "sub_2", "active", "enterprise_annual", 11*day),
		subscriptionEvent("evt_6", "customer.subscription.created", 21*day, "sub_3", "incomplete_expired", "starter_monthly", 21*day),
		subscriptionEvent("evt_5", "customer.subscription.updated", 20*day, "sub_2", "past_due", "enterprise_annual", 11*day),
	)
	runOnce(t, run, landing)
	db := run.DB()
	checkMaster(t, db, map[string]map[string]want{
		"acct_S": {
			"billing_status": {"past_due", "billing", "priority"},
			"plan_tier":      {"enterprise", "billing", "same_record_as"},
		},
	})
	via := query(t, db, "SELECT field || ' ' || via FROM gold.field_candidates WHERE customer_id = 'acct_S' AND source = 'billing' AND is_winner AND via IS NOT NULL ORDER BY 1")
	if strings.Join(via, ", ") != "billing_status subscription sub_2, plan_tier subscription sub_2" {
		t.Errorf("lineage via = %q, want both fields from subscription sub_2", via)
	}
	for _, c := range []struct {
		at   time.Duration
		want string
	}{
		{time.Hour, "active"},            // app only: its "active" (billing has no subscription yet)
		{5 * day, "active"},              // sub_1 active
		{10*day + time.Hour, "canceled"}, // sub_1 canceled, no other: the most recent one
		{15 * day, "active"},             // sub_2
		{25 * day, "past_due"},           // sub_2 past_due; sub_3 incomplete_expired is not current
	} {
		e, err := run.Explain(t.Context(), "acct_S", "billing_status", t0.Add(c.at), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if e.Version == nil || e.Version.Fields[0].Value != c.want {
			got := "<none>"
			if e.Version != nil {
				got = e.Version.Fields[0].Value
			}
			t.Errorf("billing_status as of day %.1f = %s, want %s", c.at.Hours()/24, got, c.want)
		}
	}
	// Subscriptions are no customers of their own.
	if n := query(t, db, "SELECT COUNT(*) FROM silver.crosswalk WHERE record_key LIKE 'sub_%'"); n[0] != "0" {
		t.Errorf("%s subscriptions were linked as customer records", n[0])
	}
}
