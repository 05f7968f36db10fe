package broker

import (
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/registry"
)

// Settings are where a process finds its topics: the brokers, how to reach
// them, the schema registry and the topic prefix. Every role and tool that
// reads or writes topics embeds them, so they are bound, documented and
// checked the same way everywhere.
type Settings struct {
	Brokers     []string // KAFKA_BROKERS, comma-separated host:port
	Kafka       Security // KAFKA_TLS*, KAFKA_SASL_*: TLS and SASL, see security.go
	TopicPrefix string   // TOPIC_PREFIX, default belvo

	// SCHEMA_REGISTRY_*: the registry's URL, credentials, CA and the
	// compatibility kept on the subjects (package registry).
	Registry registry.Settings

	// shared, when set, is the registry client of the process, used
	// instead of one of the stage's own (see ShareRegistry).
	shared *registry.Client
}

// Bind registers the settings in s.
func (c *Settings) Bind(s *config.Set) {
	s.Strings(&c.Brokers, "kafka-brokers", "KAFKA_BROKERS", "127.0.0.1:9092", "Kafka bootstrap brokers, comma-separated")
	c.Kafka.Bind(s)
	c.Registry.Bind(s)
	s.String(&c.TopicPrefix, "topic-prefix", "TOPIC_PREFIX", "belvo", "prefix of every topic")
}

// Validate checks the settings and names the first bad one.
func (c *Settings) Validate() error {
	if err := config.ValidateKafka(c.Brokers, c.TopicPrefix); err != nil {
		return err
	}
	if err := c.Registry.Validate(); err != nil {
		return err
	}
	return c.Kafka.Validate()
}

// ShareRegistry makes RegistryClient return rc: the stages of one process
// (`run`) then share one client, so each schema is registered, checked and
// resolved once per process rather than once per stage.
func (c *Settings) ShareRegistry(rc *registry.Client) { c.shared = rc }

// RegistryClient returns the shared client if there is one, otherwise a new
// client of the Registry settings.
func (c *Settings) RegistryClient() (*registry.Client, error) {
	if c.shared != nil {
		return c.shared, nil
	}
	return registry.NewClient(c.Registry)
}
