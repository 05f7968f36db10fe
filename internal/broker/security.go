package broker

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"

	"github.com/finflow/belvo-pipeline/internal/config"
)

// Settings of Kafka's connection security, shared by every role and tool.
const (
	EnvTLS           = "KAFKA_TLS"
	EnvTLSCAFile     = "KAFKA_TLS_CA_FILE"
	EnvTLSCertFile   = "KAFKA_TLS_CERT_FILE"
	EnvTLSKeyFile    = "KAFKA_TLS_KEY_FILE"
	EnvTLSServerName = "KAFKA_TLS_SERVER_NAME"
	EnvSASLMechanism = "KAFKA_SASL_MECHANISM"
	EnvSASLUsername  = "KAFKA_SASL_USERNAME"
	EnvSASLPassword  = "KAFKA_SASL_PASSWORD"
)

// Security is how a process reaches Kafka: TLS (with a CA file or the
// system pool, and a client certificate for mTLS) and SASL (PLAIN,
// SCRAM-SHA-256 or SCRAM-SHA-512), with kafka-go's own mechanisms. The zero
// value is plaintext without authentication, the local default.
//
// Every Kafka connection of a process goes through the Dialer and the
// Transport built here (readers, writers, admin requests, lag, pings), so
// no path is left that would connect in the clear.
type Security struct {
	TLS           bool
	CAFile        string
	CertFile      string
	KeyFile       string
	ServerName    string
	SASLMechanism string
	SASLUsername  string
	SASLPassword  string

	tls  *tls.Config
	mech sasl.Mechanism
}

// Bind registers the settings in s.
func (c *Security) Bind(s *config.Set) {
	s.Bool(&c.TLS, "kafka-tls", EnvTLS, false, "connect to Kafka over TLS (implied by any KAFKA_TLS_*_FILE)")
	s.String(&c.CAFile, "kafka-tls-ca-file", EnvTLSCAFile, "", "PEM file of the CAs that sign the brokers' certificates; empty: the system pool")
	s.String(&c.CertFile, "kafka-tls-cert-file", EnvTLSCertFile, "", "PEM client certificate for mutual TLS (with KAFKA_TLS_KEY_FILE)")
	s.String(&c.KeyFile, "kafka-tls-key-file", EnvTLSKeyFile, "", "PEM private key of KAFKA_TLS_CERT_FILE")
	s.String(&c.ServerName, "kafka-tls-server-name", EnvTLSServerName, "", "name to verify the brokers' certificates against; empty: the host dialled")
	s.String(&c.SASLMechanism, "kafka-sasl-mechanism", EnvSASLMechanism, "", "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; empty: no SASL")
	s.String(&c.SASLUsername, "kafka-sasl-username", EnvSASLUsername, "", "SASL user name")
	s.String(&c.SASLPassword, "kafka-sasl-password", EnvSASLPassword, "", "SASL password (never logged)")
}

// Validate checks the settings, reads the files and builds the TLS
// configuration and the SASL mechanism, naming the first bad setting.
func (c *Security) Validate() error {
	if c.CAFile != "" || c.CertFile != "" || c.KeyFile != "" || c.ServerName != "" {
		c.TLS = true
	}
	c.tls, c.mech = nil, nil
	if c.TLS {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName}
		if c.CAFile != "" {
			pem, err := os.ReadFile(c.CAFile)
			if err != nil {
				return config.Invalid(EnvTLSCAFile, "kafka-tls-ca-file", "%v", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return config.Invalid(EnvTLSCAFile, "kafka-tls-ca-file", "%s holds no PEM certificate", c.CAFile)
			}
			cfg.RootCAs = pool
		}
		switch {
		case c.CertFile != "" && c.KeyFile != "":
			cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
			if err != nil {
				return config.Invalid(EnvTLSCertFile, "kafka-tls-cert-file", "with %s: %v", EnvTLSKeyFile, err)
			}
			cfg.Certificates = []tls.Certificate{cert}
		case c.CertFile != "":
			return config.Invalid(EnvTLSKeyFile, "kafka-tls-key-file", "must be set with %s", EnvTLSCertFile)
		case c.KeyFile != "":
			return config.Invalid(EnvTLSCertFile, "kafka-tls-cert-file", "must be set with %s", EnvTLSKeyFile)
		}
		c.tls = cfg
	}
	mech := strings.ToUpper(strings.TrimSpace(c.SASLMechanism))
	if mech == "" {
		if c.SASLUsername != "" || c.SASLPassword != "" {
			return config.Invalid(EnvSASLMechanism, "kafka-sasl-mechanism", "must be set when %s or %s is", EnvSASLUsername, EnvSASLPassword)
		}
		return nil
	}
	if c.SASLUsername == "" {
		return config.Invalid(EnvSASLUsername, "kafka-sasl-username", "must be set with %s=%s", EnvSASLMechanism, mech)
	}
	if c.SASLPassword == "" {
		return config.Invalid(EnvSASLPassword, "kafka-sasl-password", "must be set with %s=%s", EnvSASLMechanism, mech)
	}
	var err error
	switch mech {
	case "PLAIN":
		if !c.TLS {
			// PLAIN sends the password as it is: only over TLS.
			return config.Invalid(EnvSASLMechanism, "kafka-sasl-mechanism", "PLAIN sends the password in the clear: set %s=true", EnvTLS)
		}
		c.mech = plain.Mechanism{Username: c.SASLUsername, Password: c.SASLPassword}
	case "SCRAM-SHA-256":
		c.mech, err = scram.Mechanism(scram.SHA256, c.SASLUsername, c.SASLPassword)
	case "SCRAM-SHA-512":
		c.mech, err = scram.Mechanism(scram.SHA512, c.SASLUsername, c.SASLPassword)
	default:
		return config.Invalid(EnvSASLMechanism, "kafka-sasl-mechanism", "must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got %q", c.SASLMechanism)
	}
	if err != nil {
		return config.Invalid(EnvSASLUsername, "kafka-sasl-username", "%v", err)
	}
	c.SASLMechanism = mech
	return nil
}

// String describes the settings without the password, for start-up logs.
func (c Security) String() string {
	var b strings.Builder
	if c.TLS {
		b.WriteString("tls")
		if c.CAFile != "" {
			b.WriteString(" ca=" + c.CAFile)
		}
		if c.CertFile != "" {
			b.WriteString(" client-cert=" + c.CertFile)
		}
	} else {
		b.WriteString("plaintext")
	}
	if c.mech != nil {
		b.WriteString(" sasl=" + c.SASLMechanism + " user=" + c.SASLUsername)
	}
	return b.String()
}

// Dialer returns a kafka.Dialer (for readers and direct connections).
func (c Security) Dialer(timeout time.Duration, clientID string) *kafka.Dialer {
	return &kafka.Dialer{Timeout: timeout, DualStack: true, ClientID: clientID, TLS: c.tlsConfig(), SASLMechanism: c.mech}
}

// Transport returns a kafka.Transport (for writers and kafka.Client).
func (c Security) Transport(clientID string) *kafka.Transport {
	return &kafka.Transport{ClientID: clientID, DialTimeout: 3 * time.Second, TLS: c.tlsConfig(), SASL: c.mech}
}

// tlsConfig is a copy per connection pool: crypto/tls must not see one
// Config mutated while another pool uses it.
func (c Security) tlsConfig() *tls.Config {
	if c.tls == nil {
		return nil
	}
	return c.tls.Clone()
}

// SecurityError is a connection failure that no retry mends: the broker
// refused the credentials, or its certificate is not trusted. Roles stop
// at start on it, naming the settings, rather than wait for a broker that
// answers (which is what they do while Kafka is down).
type SecurityError struct{ Err error }

func (e *SecurityError) Error() string {
	return fmt.Sprintf("kafka refused the connection's security (check %s, %s, %s, %s): %v",
		EnvTLS, EnvTLSCAFile, EnvSASLMechanism, EnvSASLUsername, e.Err)
}

func (e *SecurityError) Unwrap() error { return e.Err }

// securityFailure returns err as a *SecurityError when it is one.
func securityFailure(err error) error {
	var (
		unknownCA  x509.UnknownAuthorityError
		hostname   x509.HostnameError
		invalid    x509.CertificateInvalidError
		verify     *tls.CertificateVerificationError
		recordHdr  tls.RecordHeaderError
		kafkaError kafka.Error
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid), errors.As(err, &verify),
		// TLS spoken to a plaintext listener.
		errors.As(err, &recordHdr):
		return &SecurityError{Err: err}
	case errors.As(err, &kafkaError) && (kafkaError == kafka.SASLAuthenticationFailed ||
		kafkaError == kafka.UnsupportedSASLMechanism || kafkaError == kafka.IllegalSASLState ||
		kafkaError == kafka.ClusterAuthorizationFailed || kafkaError == kafka.TopicAuthorizationFailed ||
		kafkaError == kafka.GroupAuthorizationFailed):
		return &SecurityError{Err: err}
	}
	return err
}
