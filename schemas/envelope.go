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

// InstitutionStatusSchema is the Avro schema of the institution-status topic.
//
//go:embed avro/institution_status.avsc
var InstitutionStatusSchema string

// InstitutionStatusType is the pseudo webhook type whose topic carries
// institution-status events.
const InstitutionStatusType = "institution_status"

var topicUnsafe = regexp.MustCompile(`[^a-z0-9_-]+`)

// WebhookTopic returns the topic of events of webhookType under prefix:
// <prefix>.webhooks.<type in lower case>. Characters Kafka refuses in topic
// names are replaced, so an unknown type is routed rather than dropped.
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

// Subject returns the schema-registry subject of a topic's values
// (Confluent's TopicNameStrategy).
func Subject(topic string) string { return topic + "-value" }
