package migrate

import (
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/finflow/belvo-pipeline/schemas"
)

// DSNEnv names the setting that selects the ClickHouse server, in errors.
const DSNEnv = "CLICKHOUSE_DSN"

// DefaultDSN is the local engine `make up` starts.
const DefaultDSN = "http://127.0.0.1:8123/" + schemas.ClickHouseDatabase

var databaseName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParseDSN parses a clickhouse-go DSN (clickhouse://host:9000/db for the
// native protocol, http(s)://host:8123/db for HTTP) and returns the options
// to open it with, without a database, and the database the DSN names.
//
// Credentials are the user info (clickhouse://user:password@host/db) or the
// username and password keys; clickhouse-go sends them in the native
// handshake, as X-ClickHouse-User/-Key headers over https and as basic auth
// over http. TLS: https:// means TLS (clickhouse-go alone would also want
// secure=true there), clickhouse:// takes secure=true; ca_file=<PEM path>
// trusts that CA instead of the system pool, and tls_server_name and
// skip_verify are clickhouse-go's own.
//
// clickhouse-go turns every query key it does not know into a server setting
// sent with each query, so a typo (dial_timout=5s) would silently become a
// failing setting on a busy day. Keys it does not parse itself are refused
// here; settings belong in code, next to the statements that need them.
func ParseDSN(dsn string) (*clickhouse.Options, string, error) {
	if dsn == "" {
		return nil, "", fmt.Errorf("%s: empty", DSNEnv)
	}
	scheme, _, ok := strings.Cut(dsn, "://")
	if !ok || !slices.Contains([]string{"clickhouse", "tcp", "http", "https"}, scheme) {
		return nil, "", fmt.Errorf("%s: scheme must be clickhouse:// (native), http:// or https://", DSNEnv)
	}
	// The query is ours to edit first: clickhouse-go would send ca_file to
	// the server as a setting.
	rest, rawQuery, _ := strings.Cut(dsn, "?")
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, "", fmt.Errorf("%s: query: %v", DSNEnv, err)
	}
	caFile := query.Get("ca_file")
	query.Del("ca_file")
	if scheme == "https" && !query.Has("secure") {
		query.Set("secure", "true")
	}
	if len(query) > 0 {
		rest += "?" + query.Encode()
	}
	opts, err := clickhouse.ParseDSN(rest)
	if err != nil {
		// The driver redacts passwords from its own URL errors.
		return nil, "", fmt.Errorf("%s: %w", DSNEnv, err)
	}
	if caFile != "" {
		if opts.TLS == nil {
			return nil, "", fmt.Errorf("%s: ca_file needs TLS: use https:// or add secure=true", DSNEnv)
		}
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, "", fmt.Errorf("%s: ca_file: %v", DSNEnv, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, "", fmt.Errorf("%s: ca_file: %s holds no PEM certificate", DSNEnv, caFile)
		}
		opts.TLS.RootCAs = pool
	}
	if len(opts.Settings) > 0 {
		keys := make([]string, 0, len(opts.Settings))
		for k := range opts.Settings {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return nil, "", fmt.Errorf("%s: unknown key(s) %s", DSNEnv, strings.Join(keys, ", "))
	}
	db := opts.Auth.Database
	if db == "" {
		db = schemas.ClickHouseDatabase
	}
	if !databaseName.MatchString(db) {
		return nil, "", fmt.Errorf("%s: database %q is not a plain identifier", DSNEnv, db)
	}
	opts.Auth.Database = ""
	return opts, db, nil
}

// Open parses dsn and opens a connection pool; nothing is dialled yet.
func Open(dsn string) (clickhouse.Conn, string, error) {
	opts, db, err := ParseDSN(dsn)
	if err != nil {
		return nil, "", err
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, "", fmt.Errorf("open %s: %w", DSNEnv, err)
	}
	return conn, db, nil
}
