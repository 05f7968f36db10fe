package emulator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/finflow/belvo-pipeline/schemas"
)

// freshCounts is how many records the scenario adds today to each resource
// that has a new_*_available event.
func freshCounts(resource string) int {
	switch resource {
	case "transactions":
		return 5
	case "invoices":
		return 4
	case "investment_transactions":
		return 3
	case "bills", "employments":
		return 2
	}
	return 1
}

// errNoWebhookURL: scenario and load mode need somewhere to send events.
var errNoWebhookURL = errors.New("emulator: " + EnvWebhookURL + " is not set")

// RunScenario sends one event for every row of schemas.Catalogue (both
// spellings where a row has an Alias), error events, link events, consent
// events, link_deleted success and failure, and an institution-status
// event, and returns the deliveries in order. It first mutates the data of
// the first link (records added today, transactions deleted, invoices
// cancelled) and deletes the last link, then builds every event from the
// data the API serves afterwards, so counts, date ranges and ids agree.
func (e *Emulator) RunScenario(ctx context.Context) ([]Delivery, error) {
	if e.cfg.WebhookURL == "" {
		return nil, errNoWebhookURL
	}
	evs, err := e.scenarioEvents()
	if err != nil {
		return nil, err
	}
	var out []Delivery
	for _, ev := range evs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		out = append(out, e.deliverEvent(ctx, ev))
	}
	if d, ok := e.deliverStatus(ctx); ok {
		out = append(out, d)
	}
	return out, ctx.Err()
}

// scenarioEvents applies the scenario's mutations and builds its events.
func (e *Emulator) scenarioEvents() ([]Event, error) {
	links := e.store.Links()
	if len(links) < 2 {
		return nil, fmt.Errorf("emulator: the scenario needs 2 live links, %d left", len(links))
	}
	data, _ := e.store.liveLink(links[0].ID)
	doomed, _ := e.store.liveLink(links[len(links)-1].ID)

	// Mutations first: every event below describes the data after them.
	for _, row := range schemas.Catalogue {
		if !strings.HasPrefix(row.Code, "new_") {
			continue
		}
		res, _ := schemas.ResourceByName(row.Resource)
		if _, err := e.store.addFresh(res, data, freshCounts(res.Name), "INFLOW", "OUTFLOW"); err != nil {
			return nil, err
		}
	}
	txs, _ := schemas.ResourceByName("transactions")
	invs, _ := schemas.ResourceByName("invoices")
	old := func(r *record) bool { return r.created.Before(e.store.gen.today) }
	deleted, err := e.store.mutate(txs, data, 3, old, func(r *record) { r.deleted = true })
	if err != nil {
		return nil, err
	}
	updated, err := e.store.mutate(txs, data, 3, old, func(r *record) { r.revision++ })
	if err != nil {
		return nil, err
	}
	inflow := func(r *record) bool { return r.flow == "INFLOW" && old(r) }
	cancelled, err := e.store.mutate(invs, data, 2, inflow, func(r *record) { r.cancelled = true })
	if err != nil {
		return nil, err
	}
	e.store.deleteLink(doomed)

	reqID := newHexID()
	var evs []Event
	for _, row := range schemas.Catalogue {
		built, err := e.scenarioRow(row, data, doomed, reqID, deleted, updated, cancelled)
		if err != nil {
			return nil, fmt.Errorf("scenario %s/%s: %w", row.Type, row.Code, err)
		}
		evs = append(evs, built...)
	}
	// Error events: recorded by the pipeline, never fetched. The second has
	// no process_type, like Belvo's own error example.
	evs = append(evs,
		envelope(data, "ACCOUNTS", "historical_update", processHistorical, reqID, map[string]any{"errors": []map[string]string{{
			"code": "service_unavailable", "message": "Belvo is unable to process the request due to an internal system issue or to an unsupported response from an institution"}}}),
		envelope(data, "OWNERS", "historical_update", "", "", map[string]any{"errors": []map[string]string{{
			"code": "login_error", "message": "Invalid credentials provided to login to the institution"}}}),
	)
	return evs, nil
}

// scenarioRow builds the events of one catalogue row.
func (e *Emulator) scenarioRow(row schemas.Event, data, doomed *link, reqID string, deleted, updated, cancelled []string) ([]Event, error) {
	process := row.ProcessType
	switch row.Action {
	case schemas.Fetch:
		if strings.HasPrefix(row.Code, "new_") {
			if process == "" {
				process = processRecurrent
			}
			ev, err := e.newEvent(row, data, process, reqID)
			if err != nil || row.Alias == "" {
				return []Event{ev}, err
			}
			// The other spelling Belvo uses (seed 001 names
			// new_transactions_updated), counting the same records.
			alias := row
			alias.Code = row.Alias
			ev2, err := e.newEvent(alias, data, process, reqID)
			return []Event{ev, ev2}, err
		}
		if row.Code == "employment_changes" {
			// SALARY_INCREASED is how Belvo's example spells the
			// table's SALARY_INCREASE: the pipeline must take both.
			return []Event{envelope(data, row.Type, row.Code, processRecurrent, reqID,
				map[string]any{"employment_changes": []string{"SALARY_INCREASED", "EMPLOYEE_CHANGED_JOBS"}})}, nil
		}
		ev, err := e.historicalEvent(row, data, processHistorical, reqID)
		if row.Code == "initial_outflow_update" {
			// As published by Belvo, this example has neither.
			ev.RequestID, ev.ExternalID = "", nil
		}
		return []Event{ev}, err
	case schemas.FetchIDs:
		if row.Type == "TRANSACTIONS" {
			return []Event{envelope(data, row.Type, row.Code, processRecurrent, reqID,
				map[string]any{"count": len(updated), row.IDs: updated})}, nil
		}
		invs, _ := schemas.ResourceByName("invoices")
		t := e.today()
		recs, err := e.selection(invs, filter{link: data.id, created: [2]string{t, t}, flow: "INFLOW"})
		ids := make([]string, len(recs))
		for i, r := range recs {
			ids[i] = r.id
		}
		return []Event{envelope(data, row.Type, row.Code, processRecurrent, reqID,
			map[string]any{"count": len(ids), "type": "INFLOW", row.IDs: ids})}, err
	case schemas.Cancel:
		return []Event{envelope(data, row.Type, row.Code, processRecurrent, reqID,
			map[string]any{"type": "INFLOW", row.IDs: cancelled})}, nil
	case schemas.Delete:
		return []Event{envelope(data, row.Type, row.Code, processRecurrent, reqID,
			map[string]any{"count": len(deleted), row.IDs: deleted})}, nil
	case schemas.ConsentStatus:
		evs := []Event{envelope(data, row.Type, row.Code, processRecurrent, "", e.consentData(row, data))}
		if row.Alias != "" {
			evs = append(evs, envelope(data, row.Type, row.Alias, processRecurrent, "", e.consentData(row, data)))
		}
		return evs, nil
	case schemas.LinkStatus:
		switch row.Code {
		case "link_deleted":
			return []Event{e.linkDeletedEvent(doomed, newHexID(), true), e.linkDeletedEvent(data, newHexID(), false)}, nil
		case "token_required":
			return []Event{envelope(data, row.Type, row.Code, processRecurrent, reqID, map[string]any{
				"error_code": "token_required", "error_message": "MFA token was required by the institution",
				"status": 428, "session": newHexID(), "expiry": 9600,
				"token_generation_data": map[string]any{"instructions": "Use this code to generate the token", "type": "numeric", "value": "12345"}})}, nil
		default:
			return []Event{envelope(data, row.Type, row.Code, processRecurrent, reqID, map[string]any{
				"error_code": "invalid_credentials", "error_message": "The credentials provided to login to the institution are not valid.",
				"status": "invalid"})}, nil
		}
	}
	return nil, fmt.Errorf("no scenario for action %d", row.Action)
}

// consentData fills a consent event with the fields its row documents.
func (e *Emulator) consentData(row schemas.Event, l *link) map[string]any {
	all := map[string]any{
		"consent_id":               e.store.gen.uuidOf(l.id, "consent"),
		"consent_due_date":         e.store.gen.today.AddDate(0, 0, 6).Add(10*time.Hour + 45*time.Minute).Format("2006-01-02T15:04:05.000Z"),
		"action":                   "renew",
		"institution":              "ofmockbank_br_retail",
		"institution_display_name": "OF Mockbank",
		"institution_icon_logo":    "https://statics.belvo.io/institutions/icons/ofmockbank.svg",
		"message":                  "Some resources of the consent are no longer available at the institution.",
	}
	out := map[string]any{}
	for _, k := range row.Data {
		out[k] = all[k]
	}
	return out
}

// deliverStatus sends a statuspage.io-shaped institution-status event.
func (e *Emulator) deliverStatus(ctx context.Context) (Delivery, bool) {
	if e.cfg.StatusWebhookURL == "" {
		return Delivery{}, false
	}
	now := e.now().UTC().Format("2006-01-02T15:04:05.000Z")
	incidentID := newHexID()[:12]
	body := map[string]any{
		"meta": map[string]any{"unsubscribe": "http://institutions.belvo.com/?unsubscribe=" + newHexID()[:12],
			"documentation": "https://help.statuspage.io/knowledge_base/topics/webhook-notifications", "generated_at": now},
		"page": map[string]any{"id": "3h4nklhdf7jr", "status_indicator": "major", "status_description": "Partial System Outage"},
		"incident": map[string]any{
			"id": incidentID, "page_id": "3h4nklhdf7jr",
			"name":   "erebor_mx_retail: Link creation and existing links operations are showing high error rates",
			"status": "investigating", "impact": "critical", "created_at": now, "updated_at": now, "started_at": now,
			"incident_updates": []map[string]any{{"id": newHexID()[:12], "incident_id": incidentID, "status": "investigating",
				"body": "We are currently investigating this issue.", "created_at": now, "updated_at": now,
				"affected_components": []map[string]any{{"code": "1f4dxgqr6pkg", "name": "erebor_mx_retail", "old_status": "operational", "new_status": "major_outage"}}}},
			"components": []map[string]any{{"id": "1f4dxgqr6pkg", "page_id": "3h4nklhdf7jr", "group_id": "bqcwjbwjhvjt",
				"name": "erebor_mx_retail", "status": "major_outage", "created_at": now, "updated_at": now, "position": 5}},
		},
	}
	d := Delivery{Type: "INSTITUTION_STATUS", Code: "investigating"}
	e.send.deliver(ctx, e.cfg.StatusWebhookURL, mustJSON(body), &d)
	e.mu.Lock()
	e.deliveries = trim(append(e.deliveries, d))
	e.mu.Unlock()
	return d, true
}
