package schemas

import (
	_ "embed"
	"regexp"
	"strings"
)

// WebhookEventSchema is the Avro schema of the belvo.webhooks.<type> topics.
//
//go:embed avro/webhook_event.avsc
var WebhookEventSchema string

// Origins of a webhook event (its origin field): how it reached the
// pipeline. Events older than the field decode with the default, webhook.
const (
	OriginWebhook  = "webhook"  // Belvo sent it to ingest
	OriginBackfill = "backfill" // the pipeline made it to fetch a link's history
	OriginSweep    = "sweep"    // the pipeline made it to catch what no webhook announced
)

// InstitutionStatusSchema is the Avro schema of the institution-status topic.
//
//go:embed avro/institution_status.avsc
var InstitutionStatusSchema string

// InstitutionStatusType is the pseudo webhook type whose topic carries
// institution-status events.
const InstitutionStatusType = "institution_status"

var topicUnsafe = regexp.MustCompile(`[^a-z0-9_-]+`)

// WebhookTopic returns the topic of events of webhookType under prefix:
// <prefix>.webhooks.<type in lower case>, characters Kafka refuses in topic
// names replaced. Only catalogue types (and institution status) have such a
// topic: a type the catalogue lacks goes to UnknownWebhookTopic, so that no
// sender can make the pipeline create topics.
func WebhookTopic(prefix, webhookType string) string {
	t := topicUnsafe.ReplaceAllString(strings.ToLower(webhookType), "_")
	// Kafka topic names are at most 249 characters.
	if max := 200 - len(prefix); len(t) > max && max > 0 {
		t = t[:max]
	}
	return prefix + ".webhooks." + t
}

// WebhookTopicPrefix returns the common prefix of every webhook topic.
func WebhookTopicPrefix(prefix string) string { return prefix + ".webhooks." }

// UnknownWebhookTopic returns the one topic of webhooks whose webhook_type is
// not in the catalogue (a type Belvo added, or a sender's mistake). Its
// events keep their webhook_type: the fetcher records each as an
// unknown_webhook error event and the sink audits it like any other.
func UnknownWebhookTopic(prefix string) string { return WebhookTopicPrefix(prefix) + "unknown" }

// IsCatalogueType reports whether webhookType, spelt exactly as Belvo sends
// it, has a row in the catalogue (and so a topic of its own).
func IsCatalogueType(webhookType string) bool { return catalogueTypes[webhookType] }

var catalogueTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, e := range Catalogue {
		m[e.Type] = true
	}
	return m
}()

// WebhookTypes returns the catalogue's webhook types, each once, in
// catalogue order.
func WebhookTypes() []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range Catalogue {
		if !seen[e.Type] {
			seen[e.Type] = true
			out = append(out, e.Type)
		}
	}
	return out
}

// WebhookTopics returns every topic the fetcher reads: one per catalogue
// type, then the unknown-type topic (institution status is not among them).
// Ingest and the fetcher both create them at start, so the fetcher's group
// subscribes to all of them from its first join, whichever role starts first.
func WebhookTopics(prefix string) []string {
	var out []string
	for _, t := range WebhookTypes() {
		out = append(out, WebhookTopic(prefix, t))
	}
	return append(out, UnknownWebhookTopic(prefix))
}

// Subject returns the schema-registry subject of a topic's values
// (Confluent's TopicNameStrategy).
func Subject(topic string) string { return topic + "-value" }
