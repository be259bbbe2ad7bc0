package sample

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// Stripe subscriptions of the billing customers: the child entity from
// which the spec derives billing_status and plan_tier. They are written as
// customer.subscription.* events into the customer feed's files, since one
// webhook endpoint receives both.
//
// Each customer's subscriptions follow the customer's truth: billing
// changes (trial ends, dunning, pauses, cancellations) happen in Stripe
// first and appear at once; app changes (upgrades, seat changes,
// cancellations, sign-ups after a cancellation) reach Stripe through the
// app's API calls seconds later, and never for the customers finance
// created by hand (the app does not know them). On top of that Stripe
// renews monthly periods, warns three days before a trial ends, and
// finance and customers add their own noise: a subscription created twice
// by mistake and canceled minutes later, a switch to annual billing whose
// first payment fails (incomplete, then incomplete_expired after 23 hours)
// or succeeds (the new subscription replaces the old), coupons, cancellations
// scheduled days ahead. A truth "paused" on an active subscription is a
// paused collection in Stripe (pause_collection set, status still active);
// the status "paused" only comes from a trial that ended without a card.

// stripePlan is one price of the catalogue.
type stripePlan struct {
	lookup   string
	tier     string
	interval string // "month" | "year"
	amount   int    // cents per seat
}

// stripeLookupKeys are the prices customers subscribe to, by lookup key.
var stripeLookupKeys = []stripePlan{
	{"starter_monthly", "starter", "month", 1900},
	{"starter_annual", "starter", "year", 19000},
	{"growth_monthly", "growth", "month", 4900},
	{"growth_annual", "growth", "year", 49000},
	{"enterprise_annual", "enterprise", "year", 120000},
}

var cancelFeedback = []string{"too_expensive", "missing_features", "switched_service", "unused", "too_complex", "other"}

type stripePrice struct {
	stripePlan
	id      string
	product string
	created time.Time
	// price and plan are the objects as the API prints them, shared by
	// every rendering (never modified).
	price, plan *obj
}

// next is the end of a billing period starting at t.
func (p *stripePrice) next(t time.Time) time.Time {
	if p.interval == "year" {
		return t.AddDate(1, 0, 0)
	}
	return t.AddDate(0, 1, 0)
}

// stripeCatalog is the account's products, prices and coupon, shared by all
// customers of a feed.
type stripeCatalog struct {
	prices []*stripePrice
	coupon *obj
}

func (w *world) newCatalog(g *rand.Rand) *stripeCatalog {
	cat := &stripeCatalog{}
	products := map[string]string{}
	for _, p := range stripeLookupKeys {
		if products[p.tier] == "" {
			products[p.tier] = "prod_" + alnum(g, 14)
		}
		sp := &stripePrice{
			stripePlan: p,
			id:         "price_1" + alnum(g, 23),
			product:    products[p.tier],
			created:    w.start.Add(-between(g, 60*day, 400*day)).Truncate(time.Second),
		}
		sp.render()
		cat.prices = append(cat.prices, sp)
	}
	cat.coupon = newObj().
		set("id", "SALES20").
		set("object", "coupon").
		set("amount_off", nil).
		set("created", w.start.Add(-between(g, 30*day, 90*day)).Unix()).
		set("currency", nil).
		set("duration", "repeating").
		set("duration_in_months", 3).
		set("livemode", false).
		set("max_redemptions", nil).
		set("metadata", newObj()).
		set("name", "Sales 20% off, 3 months").
		set("percent_off", 20).
		set("redeem_by", nil).
		set("times_redeemed", 10+g.IntN(40)).
		set("valid", true)
	return cat
}

// price returns the catalogue price of a tier and interval (enterprise is
// annual only); nil for a tier without prices ("free").
func (cat *stripeCatalog) price(tier, interval string) *stripePrice {
	var other *stripePrice
	for _, p := range cat.prices {
		if p.tier == tier {
			if p.interval == interval {
				return p
			}
			other = p
		}
	}
	return other
}

// render builds the price and the legacy plan object of the price.
func (p *stripePrice) render() {
	recurring := newObj().
		add("aggregate_usage", nil).
		add("interval", p.interval).
		add("interval_count", 1).
		add("meter", nil).
		add("trial_period_days", nil).
		add("usage_type", "licensed")
	p.price = newObj().
		add("id", p.id).
		add("object", "price").
		add("active", true).
		add("billing_scheme", "per_unit").
		add("created", p.created.Unix()).
		add("currency", "usd").
		add("custom_unit_amount", nil).
		add("livemode", false).
		add("lookup_key", p.lookup).
		add("metadata", newObj()).
		add("nickname", nil).
		add("product", p.product).
		add("recurring", recurring).
		add("tax_behavior", "unspecified").
		add("tiers_mode", nil).
		add("transform_quantity", nil).
		add("type", "recurring").
		add("unit_amount", p.amount).
		add("unit_amount_decimal", strconv.Itoa(p.amount))
	p.plan = newObj().
		add("id", p.id).
		add("object", "plan").
		add("active", true).
		add("aggregate_usage", nil).
		add("amount", p.amount).
		add("amount_decimal", strconv.Itoa(p.amount)).
		add("billing_scheme", "per_unit").
		add("created", p.created.Unix()).
		add("currency", "usd").
		add("interval", p.interval).
		add("interval_count", 1).
		add("livemode", false).
		add("metadata", newObj()).
		add("meter", nil).
		add("nickname", nil).
		add("product", p.product).
		add("tiers_mode", nil).
		add("transform_usage", nil).
		add("trial_period_days", nil).
		add("usage_type", "licensed")
}

// stripeSub is one subscription as Stripe holds it.
type stripeSub struct {
	id, itemID        string
	created           time.Time
	status            string
	price             *stripePrice
	qty               int
	anchor            time.Time
	periodStart       time.Time
	periodEnd         time.Time
	trialStart        time.Time
	trialEnd          time.Time
	cancelAt          time.Time
	canceledAt        time.Time
	endedAt           time.Time
	cancelAtPeriodEnd bool
	reason, feedback  any
	latestInvoice     any
	pm                any
	discount          *obj
	pauseCollection   *obj
	account           string    // metadata.account_id, set by the app
	expireAt          time.Time // incomplete: becomes incomplete_expired then
	willEndSent       bool
}

// live is whether the subscription has not ended.
func (s *stripeSub) live() bool { return s.status != "canceled" && s.status != "incomplete_expired" }

// subFeed is the state shared by the subscriptions of all customers of a
// feed.
type subFeed struct {
	s       Source
	child   Child
	cat     *stripeCatalog
	expired bool // some subscription became incomplete_expired
}

// subAction is a change to a customer's subscriptions at a time.
type subAction struct {
	t time.Time
	f func(t time.Time)
}

// subSim plays one customer's subscriptions over the window.
type subSim struct {
	feed       *subFeed
	sc         *stripeCus
	r          *rand.Rand
	end        time.Time // nothing happens after: window end or customer deletion
	now        time.Time
	subs       []*stripeSub
	cur        *stripeSub // the subscription the account runs on
	queue      []subAction
	ops        []stripeOp
	delinquent bool
}

func unix(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

// at schedules f at t (not before the current time), after the actions
// already scheduled at the same second.
func (m *subSim) at(t time.Time, f func(t time.Time)) {
	t = maxTime(t, m.now).Truncate(time.Second)
	i := len(m.queue)
	for i > 0 && m.queue[i-1].t.After(t) {
		i--
	}
	m.queue = slices.Insert(m.queue, i, subAction{t, f})
}

func (m *subSim) run() {
	for len(m.queue) > 0 {
		a := m.queue[0]
		m.queue = m.queue[1:]
		if a.t.After(m.end) {
			break
		}
		m.advance(a.t)
		m.now = a.t
		a.f(a.t)
	}
	m.advance(m.end)
}

// advance plays what Stripe does on its own up to t, in time order:
// trial_will_end three days before a trial ends, scheduled cancellations,
// expiry of incomplete subscriptions after 23 hours, period renewals.
func (m *subSim) advance(t time.Time) {
	for {
		var best time.Time
		var do func(time.Time)
		consider := func(at time.Time, f func(time.Time)) {
			if !at.IsZero() && !at.After(t) && (do == nil || at.Before(best)) {
				best, do = at, f
			}
		}
		for _, s := range m.subs {
			if !s.live() {
				continue
			}
			if s.status == "trialing" && !s.willEndSent {
				warn := s.trialEnd.Add(-3 * day)
				if warn.After(s.created) {
					consider(warn, func(t time.Time) {
						s.willEndSent = true
						m.emit(t, "customer.subscription.trial_will_end", m.render(s), nil, reqAutomatic)
					})
				} else {
					s.willEndSent = true
				}
			}
			consider(s.cancelAt, func(t time.Time) { m.cancel(t, s, reqAutomatic, s.reason) })
			if s.status == "incomplete" {
				consider(s.expireAt, func(t time.Time) { m.expire(t, s) })
			}
			renews := s.status == "active" || s.status == "past_due" || s.status == "unpaid"
			if renews && (s.cancelAt.IsZero() || s.periodEnd.Before(s.cancelAt)) {
				consider(s.periodEnd, func(t time.Time) {
					m.update(t, s, reqAutomatic, func() {
						s.periodStart, s.periodEnd = s.periodEnd, s.price.next(s.periodEnd)
						s.latestInvoice = "in_1" + alnum(m.r, 23)
					})
				})
			}
		}
		if do == nil {
			return
		}
		m.now = maxTime(m.now, best)
		do(best)
	}
}

// emit records an event with the rendered subscription.
func (m *subSim) emit(t time.Time, kind string, doc, prev *obj, req int) {
	m.ops = append(m.ops, stripeOp{t: t, kind: kind, sc: m.sc, doc: doc, prev: prev, req: req})
}

// update applies change and writes customer.subscription.updated with
// previous_attributes (nothing when nothing visible changed), then any
// further event types for the same change (paused, resumed).
func (m *subSim) update(t time.Time, s *stripeSub, req int, change func(), also ...string) bool {
	old := m.render(s)
	change()
	doc := m.render(s)
	prev := diffPrev(old, doc)
	if len(prev.keys) == 0 {
		return false
	}
	m.emit(t, "customer.subscription.updated", doc, prev, req)
	for _, k := range also {
		m.emit(t, k, doc, nil, req)
	}
	m.syncCustomer(t)
	return true
}

// syncCustomer writes the customer.updated event Stripe sends when the
// subscriptions change the customer: delinquent while a subscription is
// past due or unpaid.
func (m *subSim) syncCustomer(t time.Time) {
	d := false
	for _, s := range m.subs {
		d = d || (s.live() && (s.status == "past_due" || s.status == "unpaid"))
	}
	if d != m.delinquent {
		m.delinquent = d
		m.ops = append(m.ops, stripeOp{t: t, kind: "customer.updated", sc: m.sc, delinquent: &d, req: reqAutomatic})
	}
}

func (m *subSim) seatsAt(t time.Time) int {
	if n, ok := m.sc.c.truthAt(t)["seats"].(int); ok && n > 0 {
		return n
	}
	return 1
}

// create starts a subscription and writes customer.subscription.created;
// setup, when not nil, adjusts it first. The app tags the subscriptions it
// creates with the account id, mostly in a second call a few seconds later
// (from its checkout.session.completed handler).
func (m *subSim) create(t time.Time, p *stripePrice, status string, trialEnd time.Time, req int, setup ...func(*stripeSub)) *stripeSub {
	r := m.r
	s := &stripeSub{
		id: "sub_1" + alnum(r, 23), itemID: "si_" + alnum(r, 14),
		created: t, status: status, price: p, qty: m.seatsAt(t),
		anchor: t, periodStart: t, periodEnd: p.next(t),
		latestInvoice: "in_1" + alnum(r, 23),
	}
	if status == "trialing" {
		s.trialStart, s.trialEnd, s.periodEnd, s.anchor = t, trialEnd, trialEnd, trialEnd
	}
	if status == "active" || (status == "trialing" && chance(r, 0.5)) {
		s.pm = "pm_1" + alnum(r, 23)
	}
	for _, f := range setup {
		f(s)
	}
	tagLater := false
	if req == reqAPI {
		tagLater = chance(r, 0.7)
		if !tagLater {
			s.account = m.sc.c.acct
		}
	}
	m.subs = append(m.subs, s)
	m.emit(t, "customer.subscription.created", m.render(s), nil, req)
	m.syncCustomer(t)
	if tagLater {
		m.at(t.Add(between(r, time.Second, 4*time.Second)), func(t time.Time) {
			if s.live() {
				m.update(t, s, reqAPI, func() { s.account = m.sc.c.acct })
			}
		})
	}
	return s
}

// cancel ends a subscription now: customer.subscription.deleted.
func (m *subSim) cancel(t time.Time, s *stripeSub, req int, reason any) {
	if !s.live() {
		return
	}
	s.status, s.endedAt, s.reason = "canceled", t, reason
	if s.canceledAt.IsZero() {
		s.canceledAt = t
	}
	s.expireAt = time.Time{}
	m.emit(t, "customer.subscription.deleted", m.render(s), nil, req)
	m.syncCustomer(t)
}

// expire ends an incomplete subscription whose first payment never
// succeeded: an update to incomplete_expired.
func (m *subSim) expire(t time.Time, s *stripeSub) {
	m.update(t, s, reqAutomatic, func() {
		s.status, s.canceledAt, s.endedAt, s.expireAt = "incomplete_expired", t, t, time.Time{}
	})
	m.feed.expired = true
}

// billing applies a billing status change that happened in Stripe.
func (m *subSim) billing(t time.Time, to string) {
	s := m.cur
	if s == nil || !s.live() {
		return
	}
	switch to {
	case "canceled":
		if s.status == "unpaid" || s.status == "past_due" {
			m.cancel(t, s, reqAutomatic, "payment_failed") // dunning gave up
			return
		}
		m.cancel(t, s, reqDashboard, "cancellation_requested")
	case "incomplete_expired":
		m.expire(t, s)
	case "paused":
		if s.status == "trialing" {
			// The trial ended without a payment method.
			m.update(t, s, reqAutomatic, func() { s.status = "paused" }, "customer.subscription.paused")
			return
		}
		// Finance pauses collection; the subscription stays active.
		m.update(t, s, reqDashboard, func() {
			s.pauseCollection = newObj().set("behavior", "void").set("resumes_at", nil)
		})
	case "active":
		switch s.status {
		case "paused":
			m.update(t, s, reqAPI, func() {
				s.status, s.anchor, s.periodStart, s.periodEnd = "active", t, t, s.price.next(t)
				s.latestInvoice = "in_1" + alnum(m.r, 23)
				s.pm = "pm_1" + alnum(m.r, 23)
			}, "customer.subscription.resumed")
		case "trialing":
			m.update(t, s, reqAutomatic, func() {
				s.status, s.periodStart, s.periodEnd = "active", t, s.price.next(t)
				s.latestInvoice = "in_1" + alnum(m.r, 23)
			})
		case "active":
			if s.pauseCollection != nil {
				m.update(t, s, reqDashboard, func() { s.pauseCollection = nil })
			}
		default: // incomplete, past_due, unpaid: the payment went through
			m.update(t, s, reqAutomatic, func() {
				s.status = "active"
				if s.pm == nil {
					s.pm = "pm_1" + alnum(m.r, 23)
				}
			})
		}
	default: // past_due, unpaid
		m.update(t, s, reqAutomatic, func() { s.status = to })
	}
}

// scheduleCancel sets a cancellation ahead: cancel_at (and
// cancel_at_period_end when it is the period's end), as the customer portal
// or the app's API does. Stripe then deletes the subscription at that time.
func (m *subSim) scheduleCancel(t, at time.Time, req int, feedback any) {
	s := m.cur
	if s == nil || !s.live() || !s.cancelAt.IsZero() || !s.created.Before(t) || !at.After(t) {
		return
	}
	m.update(t, s, req, func() {
		s.cancelAt, s.canceledAt = at, t
		s.cancelAtPeriodEnd = at.Equal(s.periodEnd)
		s.reason, s.feedback = "cancellation_requested", feedback
	})
}

// subscriptionOps plays the subscriptions of one Stripe customer and
// returns their events (and the customer.updated events they cause). del
// is when the customer is deleted in Stripe (zero: never): its live
// subscriptions are canceled in the same second, and nothing follows.
func (w *world) subscriptionOps(f *subFeed, sc *stripeCus, del time.Time, r *rand.Rand) []stripeOp {
	c := sc.c
	m := &subSim{feed: f, sc: sc, r: r, end: w.end, now: sc.created}
	if !del.IsZero() && del.Before(m.end) {
		m.end = del
	}
	linked := !sc.unlinked
	// The app subscribes its customers seconds after creating them;
	// finance sets the subscription up by hand after the customer.
	t0 := sc.created.Add(between(r, time.Minute, 2*time.Hour))
	if linked {
		t0 = sc.created.Add(between(r, 2*time.Second, 90*time.Second))
	}
	interval := "month"
	if chance(r, 0.3) {
		interval = "year"
	}
	truth0 := c.truthAt(t0)
	status0, _ := truth0["billing_status"].(string)
	tier0, _ := truth0["plan_tier"].(string)
	trialEnd := maxTime(c.created.Add(14*day), c.tmin).Truncate(time.Second)
	if status0 == "trialing" && !trialEnd.After(t0) {
		status0 = "active"
	}
	if p := f.cat.price(tier0, interval); p != nil && (status0 == "trialing" || status0 == "active" || status0 == "incomplete") {
		req := reqAPI
		if !linked {
			req = reqDashboard
		}
		// Accounts older than the window move to Stripe at its start:
		// their subscriptions keep their renewal date (a future
		// billing_cycle_anchor, the first period shortened).
		var anchor time.Time
		if c.snapshot && status0 == "active" {
			anchor = t0.Add(between(r, day, 27*day))
		}
		m.at(t0, func(t time.Time) {
			m.cur = m.create(t, p, status0, trialEnd, req, func(s *stripeSub) {
				if !anchor.IsZero() {
					s.anchor, s.periodEnd = anchor.Truncate(time.Second), anchor.Truncate(time.Second)
				}
			})
		})
	}

	// The customer's truth, as Stripe learns it.
	truth := maps.Clone(c.init)
	for _, ch := range c.changes {
		from, _ := truth["billing_status"].(string)
		maps.Copy(truth, ch.vals)
		if !ch.t.After(t0) {
			continue
		}
		status, hasStatus := ch.vals["billing_status"].(string)
		tier, _ := truth["plan_tier"].(string)
		switch ch.origin {
		case originBilling:
			if !hasStatus {
				continue
			}
			if status == "canceled" && (from == "trialing" || (from != "unpaid" && chance(r, 0.5))) {
				// The customer asked days ahead, in the portal (trials that
				// end without a card are paused, not canceled).
				at := ch.t.Truncate(time.Second)
				fb := pick(r, cancelFeedback)
				m.at(ch.t.Add(-between(r, day, 9*day)), func(t time.Time) { m.scheduleCancel(t, at, reqAPI, fb) })
			}
			m.at(ch.t, func(t time.Time) { m.billing(t, status) })
		case originApp:
			if !linked {
				continue // the app does not know this customer
			}
			lag := between(r, time.Second, 20*time.Second)
			_, planChanged := ch.vals["plan_tier"]
			seats, seatsChanged := ch.vals["seats"].(int)
			switch {
			case hasStatus && status == "canceled":
				at := ch.t.Truncate(time.Second)
				if chance(r, 0.4) {
					m.at(ch.t.Add(-between(r, day, 5*day)), func(t time.Time) { m.scheduleCancel(t, at, reqAPI, nil) })
				}
				m.at(ch.t.Add(lag), func(t time.Time) {
					if m.cur != nil {
						m.cancel(t, m.cur, reqAPI, "cancellation_requested")
					}
				})
			case hasStatus && status == "active":
				// Subscribes again after a cancellation, sometimes through a
				// payment that needs a few seconds to confirm.
				p := f.cat.price(tier, interval)
				viaIncomplete := chance(r, 0.3)
				confirm := between(r, 4*time.Second, 90*time.Second)
				m.at(ch.t.Add(lag), func(t time.Time) {
					if p == nil || (m.cur != nil && m.cur.live()) {
						return
					}
					if !viaIncomplete {
						m.cur = m.create(t, p, "active", time.Time{}, reqAPI)
						return
					}
					s := m.create(t, p, "incomplete", time.Time{}, reqAPI, func(s *stripeSub) { s.expireAt = t.Add(23 * time.Hour) })
					m.cur = s
					m.at(t.Add(confirm), func(t time.Time) {
						if s.status == "incomplete" {
							m.update(t, s, reqAutomatic, func() {
								s.status, s.expireAt, s.pm = "active", time.Time{}, "pm_1"+alnum(m.r, 23)
							})
						}
					})
				})
			case planChanged || (seatsChanged && chance(r, 0.9)):
				m.at(ch.t.Add(lag), func(t time.Time) {
					s := m.cur
					if s == nil || !s.live() {
						// A free account upgrades: its first subscription.
						if planChanged && m.sc.c.truthAt(t)["billing_status"] == "active" {
							if p := f.cat.price(tier, interval); p != nil {
								m.cur = m.create(t, p, "active", time.Time{}, reqAPI)
							}
						}
						return
					}
					m.update(t, s, reqAPI, func() {
						if planChanged {
							if p := f.cat.price(tier, s.price.interval); p != nil {
								s.price = p
							}
						}
						if seatsChanged {
							s.qty = seats
						}
					})
				})
			}
		}
	}

	lo, hi := t0.Add(2*day), m.end.Add(-2*day)
	if lo.Before(hi) {
		if linked && (chance(r, 0.06) || !f.expired) {
			// A switch to annual billing through a new subscription.
			fail := !f.expired || chance(r, 0.55)
			confirm := between(r, 20*time.Second, 10*time.Minute)
			m.at(timeIn(r, lo, hi), func(t time.Time) {
				old := m.cur
				if old == nil || old.status != "active" || old.price.interval != "month" || !old.cancelAt.IsZero() {
					return
				}
				n := m.create(t, f.cat.price(old.price.tier, "year"), "incomplete", time.Time{}, reqAPI, func(n *stripeSub) {
					n.qty, n.expireAt = old.qty, t.Add(23*time.Hour)
				})
				if fail {
					return
				}
				m.at(t.Add(confirm), func(t time.Time) {
					if n.status != "incomplete" || !old.live() {
						return
					}
					m.update(t, n, reqAutomatic, func() { n.status, n.expireAt, n.pm = "active", time.Time{}, old.pm })
					m.cur = n
					m.at(t.Add(3*time.Second), func(t time.Time) { m.cancel(t, old, reqAPI, "cancellation_requested") })
				})
			})
		}
		if chance(r, 0.03) {
			// Finance creates the subscription a second time by mistake and
			// cancels the copy minutes later.
			gap := between(r, 2*time.Minute, 40*time.Minute)
			m.at(timeIn(r, lo, hi), func(t time.Time) {
				s := m.cur
				if s == nil || s.status != "active" {
					return
				}
				dup := m.create(t, s.price, "active", time.Time{}, reqDashboard, func(d *stripeSub) { d.qty = s.qty })
				m.at(t.Add(gap), func(t time.Time) { m.cancel(t, dup, reqDashboard, nil) })
			})
		}
		if linked && chance(r, 0.12) {
			// The customer replaces the card in the billing portal.
			m.at(timeIn(r, lo, hi), func(t time.Time) {
				if s := m.cur; s != nil && s.live() && s.pm != nil {
					m.update(t, s, reqAPI, func() { s.pm = "pm_1" + alnum(m.r, 23) })
				}
			})
		}
		if chance(r, 0.08) {
			// Sales grants a coupon.
			id := "di_1" + alnum(r, 23)
			m.at(timeIn(r, lo, hi), func(t time.Time) {
				s := m.cur
				if s == nil || !s.live() || s.discount != nil {
					return
				}
				m.update(t, s, reqDashboard, func() {
					s.discount = newObj().
						set("id", id).
						set("object", "discount").
						set("checkout_session", nil).
						set("coupon", f.cat.coupon).
						set("customer", m.sc.id).
						set("end", t.AddDate(0, 3, 0).Unix()).
						set("invoice", nil).
						set("invoice_item", nil).
						set("promotion_code", nil).
						set("start", t.Unix()).
						set("subscription", s.id)
				})
			})
		}
	}

	m.run()
	if !del.IsZero() && !del.After(w.end) {
		// Deleting a customer cancels its subscriptions.
		for _, s := range m.subs {
			m.cancel(del, s, reqAPI, "cancellation_requested")
		}
	}
	return m.ops
}

// render is the subscription as the API returns it (API version
// 2024-06-20): "id" and "object" first, then the attributes in byte order,
// in every object (stripeOrder when custom paths were added).
func (m *subSim) render(s *stripeSub) *obj {
	f := m.feed
	p := s.price
	item := newObj().
		add("id", s.itemID).
		add("object", "subscription_item").
		add("billing_thresholds", nil).
		add("created", s.created.Unix()).
		add("discounts", []string{}).
		add("metadata", newObj()).
		add("plan", p.plan).
		add("price", p.price).
		add("quantity", s.qty).
		add("subscription", s.id).
		add("tax_rates", []string{})
	items := newObj().
		add("object", "list").
		add("data", []any{item}).
		add("has_more", false).
		add("total_count", 1).
		add("url", "/v1/subscription_items?subscription="+s.id)
	var discount any
	discounts := []string{}
	if s.discount != nil {
		discount = s.discount
		id, _ := s.discount.get("id")
		discounts = append(discounts, id.(string))
	}
	metadata := newObj()
	if s.account != "" {
		metadata.add("account_id", s.account)
	}
	var pause any
	if s.pauseCollection != nil {
		pause = s.pauseCollection
	}
	o := newObj().
		add("id", s.id).
		add("object", "subscription").
		add("application", nil).
		add("application_fee_percent", nil).
		add("automatic_tax", newObj().add("enabled", false).add("liability", nil)).
		add("billing_cycle_anchor", s.anchor.Unix()).
		add("billing_cycle_anchor_config", nil).
		add("billing_thresholds", nil).
		add("cancel_at", unix(s.cancelAt)).
		add("cancel_at_period_end", s.cancelAtPeriodEnd).
		add("canceled_at", unix(s.canceledAt)).
		add("cancellation_details", newObj().add("comment", nil).add("feedback", s.feedback).add("reason", s.reason)).
		add("collection_method", "charge_automatically").
		add("created", s.created.Unix()).
		add("currency", "usd").
		add("current_period_end", s.periodEnd.Unix()).
		add("current_period_start", s.periodStart.Unix()).
		add("customer", m.sc.id).
		add("days_until_due", nil).
		add("default_payment_method", s.pm).
		add("default_source", nil).
		add("default_tax_rates", []string{}).
		add("description", nil).
		add("discount", discount).
		add("discounts", discounts).
		add("ended_at", unix(s.endedAt)).
		add("invoice_settings", newObj().add("account_tax_ids", nil).add("issuer", newObj().add("type", "self"))).
		add("items", items).
		add("latest_invoice", s.latestInvoice).
		add("livemode", false).
		add("metadata", metadata).
		add("next_pending_invoice_item_invoice", nil).
		add("on_behalf_of", nil).
		add("pause_collection", pause).
		add("payment_settings", newObj().
			add("payment_method_options", nil).
			add("payment_method_types", nil).
			add("save_default_payment_method", "off")).
		add("pending_invoice_item_interval", nil).
		add("pending_setup_intent", nil).
		add("pending_update", nil).
		add("plan", p.plan).
		add("quantity", s.qty).
		add("schedule", nil).
		add("start_date", s.created.Unix()).
		add("status", s.status).
		add("test_clock", nil).
		add("transfer_data", nil).
		add("trial_end", unix(s.trialEnd)).
		add("trial_settings", newObj().add("end_behavior", newObj().add("missing_payment_method", "pause"))).
		add("trial_start", unix(s.trialStart))
	// Custom paths: on a copy, since the price, plan and coupon objects are
	// shared.
	extra := false
	put := func(path string, v any) {
		if !extra {
			o, extra = o.clone(), true
		}
		setPath(o, path, v)
	}
	if k := f.child.Key; k != "" && k != "id" && settable(o, k) {
		put(k, s.id)
	}
	if k := f.child.Parent; k != "" && k != "customer" && settable(o, k) {
		put(k, m.sc.id)
	}
	for _, field := range slices.Sorted(maps.Keys(f.s.ChildFields)) {
		cp := f.s.ChildFields[field]
		if cp.Child != f.child.Name {
			continue
		}
		if _, ok := lookup(o, cp.Path); ok || !settable(o, cp.Path) {
			continue // a subscription attribute, written as Stripe does
		}
		var v any
		switch field {
		case "billing_status":
			v = s.status
		case "plan_tier":
			v = p.tier
		case "seats":
			v = s.qty
		default:
			continue // not modelled on subscriptions
		}
		if v, ok := fieldValue(FormatStripeEvents, cp.Path, v); ok {
			put(cp.Path, v)
		}
	}
	if extra {
		return stripeOrder(o).(*obj)
	}
	return o // built in the API's order
}
