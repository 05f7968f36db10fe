package migrate

import (
	"bufio"
	"context"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/finflow/belvo-pipeline/internal/testenv"
)

const (
	chUser = "sink"
	chPass = "p@ss:w0rd"
	// chPassURL is chPass as user info in a URL.
	chPassURL = "p%40ss%3Aw0rd"
)

// writePEM writes cert to a file and returns its path.
func writePEM(t *testing.T, cert *x509.Certificate) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseDSNCredentialsAndTLS(t *testing.T) {
	srv := httptest.NewTLSServer(nil)
	defer srv.Close()
	ca := writePEM(t, srv.Certificate())
	for _, tc := range []struct {
		dsn      string
		protocol clickhouse.Protocol
		tls, ca  bool
	}{
		{dsn: "clickhouse://" + chUser + ":" + chPassURL + "@ch:9440/belvo?secure=true&ca_file=" + ca, protocol: clickhouse.Native, tls: true, ca: true},
		{dsn: "clickhouse://" + chUser + ":" + chPassURL + "@ch:9440/belvo?secure=true", protocol: clickhouse.Native, tls: true},
		{dsn: "clickhouse://ch:9000/belvo?username=" + chUser + "&password=" + url.QueryEscape(chPass), protocol: clickhouse.Native},
		{dsn: "https://" + chUser + ":" + chPassURL + "@ch:8443/belvo?ca_file=" + ca, protocol: clickhouse.HTTP, tls: true, ca: true},
		// https:// alone means TLS; clickhouse-go would refuse it without secure=true.
		{dsn: "https://" + chUser + ":" + chPassURL + "@ch:8443/belvo", protocol: clickhouse.HTTP, tls: true},
		{dsn: "https://ch:8443/belvo?secure=true&username=" + chUser + "&password=" + url.QueryEscape(chPass), protocol: clickhouse.HTTP, tls: true},
		{dsn: "http://" + chUser + ":" + chPassURL + "@ch:8123/belvo", protocol: clickhouse.HTTP},
	} {
		opts, db, err := ParseDSN(tc.dsn)
		if err != nil {
			t.Errorf("%s: %v", tc.dsn, err)
			continue
		}
		if db != "belvo" || opts.Protocol != tc.protocol || opts.Auth.Username != chUser || opts.Auth.Password != chPass {
			t.Errorf("%s: db %q protocol %v user %q password %q", tc.dsn, db, opts.Protocol, opts.Auth.Username, opts.Auth.Password)
		}
		if (opts.TLS != nil) != tc.tls || (tc.ca && (opts.TLS.RootCAs == nil || opts.TLS.InsecureSkipVerify)) || (!tc.ca && opts.TLS != nil && opts.TLS.RootCAs != nil) {
			t.Errorf("%s: TLS %+v", tc.dsn, opts.TLS)
		}
		if len(opts.Settings) != 0 {
			t.Errorf("%s: settings sent to the server: %v", tc.dsn, opts.Settings)
		}
	}
	notPEM := filepath.Join(t.TempDir(), "ca.txt")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ dsn, err string }{
		{"http://" + chUser + ":" + chPassURL + "@ch:8123/belvo?ca_file=" + ca, "CLICKHOUSE_DSN: ca_file needs TLS"},
		{"clickhouse://" + chUser + ":" + chPassURL + "@ch:9000/belvo?ca_file=" + ca, "CLICKHOUSE_DSN: ca_file needs TLS"},
		{"https://" + chUser + ":" + chPassURL + "@ch:8443/belvo?ca_file=/no/such/ca.pem", "CLICKHOUSE_DSN: ca_file: open /no/such/ca.pem"},
		{"https://" + chUser + ":" + chPassURL + "@ch:8443/belvo?ca_file=" + notPEM, "holds no PEM certificate"},
		{"https://" + chUser + ":" + chPassURL + "@ch:8443/belvo?secure=false", "https without TLS"},
		{"http://" + chUser + ":" + chPassURL + "@ch:8123/belvo?secure=true", "http with TLS"},
	} {
		_, _, err := ParseDSN(tc.dsn)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: error %v, want %q", tc.dsn, err, tc.err)
			continue
		}
		if strings.Contains(err.Error(), "w0rd") {
			t.Errorf("%s: error shows the password: %v", tc.dsn, err)
		}
	}
}

// The local engine (chDB behind ClickHouse's HTTP interface) enforces no
// users and speaks no TLS. chProxy stands in front of it and does what a
// secured ClickHouse does: over TLS it takes the X-ClickHouse-User/-Key
// headers clickhouse-go sends on https, in the clear basic auth, and
// answers anything else as ClickHouse does (HTTP 401, code 516). The
// queries themselves run on the real engine.
type chProxy struct {
	srv              *httptest.Server
	refused, allowed atomic.Int64
}

func newCHProxy(t *testing.T, tlsOn bool) *chProxy {
	t.Helper()
	target, err := url.Parse(testenv.ClickHouse(t))
	if err != nil {
		t.Fatal(err)
	}
	p := &chProxy{}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target.Host})
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass := r.Header.Get("X-ClickHouse-User"), r.Header.Get("X-ClickHouse-Key")
		if r.TLS == nil {
			user, pass, _ = r.BasicAuth()
		}
		if subtle.ConstantTimeCompare([]byte(user), []byte(chUser)) != 1 || subtle.ConstantTimeCompare([]byte(pass), []byte(chPass)) != 1 {
			p.refused.Add(1)
			w.Header().Set("X-ClickHouse-Exception-Code", "516")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, "Code: 516. DB::Exception: "+user+": Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)\n")
			return
		}
		p.allowed.Add(1)
		r.Header.Del("Authorization")
		r.Header.Del("X-ClickHouse-Key")
		rp.ServeHTTP(w, r)
	}))
	p.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	if tlsOn {
		p.srv.StartTLS()
	} else {
		p.srv.Start()
	}
	t.Cleanup(p.srv.Close)
	return p
}

// hostPort is the proxy's address.
func (p *chProxy) hostPort() string {
	return strings.TrimPrefix(strings.TrimPrefix(p.srv.URL, "https://"), "http://")
}

// version opens dsn as the roles do and asks the engine for its version.
func version(dsn string) (string, error) {
	conn, _, err := Open(dsn)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var v string
	err = conn.QueryRow(ctx, "SELECT version()").Scan(&v)
	return v, err
}

func TestHTTPSAndHTTPCredentialsReachTheServer(t *testing.T) {
	secure := newCHProxy(t, true)
	ca := writePEM(t, secure.srv.Certificate())
	plain := newCHProxy(t, false)
	for _, tc := range []struct {
		name string
		p    *chProxy
		dsn  string
	}{
		{"https, user info, ca_file", secure, "https://" + chUser + ":" + chPassURL + "@" + secure.hostPort() + "/belvo?ca_file=" + ca},
		{"https, username and password keys, secure=true", secure, "https://" + secure.hostPort() + "/belvo?secure=true&username=" + chUser + "&password=" + url.QueryEscape(chPass) + "&ca_file=" + ca},
		{"http, user info", plain, "http://" + chUser + ":" + chPassURL + "@" + plain.hostPort() + "/belvo"},
	} {
		before := tc.p.allowed.Load()
		v, err := version(tc.dsn)
		if err != nil || v == "" {
			t.Errorf("%s: version %q, %v", tc.name, v, err)
			continue
		}
		if tc.p.allowed.Load() == before {
			t.Errorf("%s: the proxy let no request through", tc.name)
		}
		t.Logf("%s: engine %s", tc.name, v)
	}

	for _, tc := range []struct {
		name string
		p    *chProxy
		dsn  string
		want string
	}{
		{"https, wrong password", secure, "https://" + chUser + ":wr0ng@" + secure.hostPort() + "/belvo?ca_file=" + ca, "516"},
		{"http, wrong password", plain, "http://" + chUser + ":wr0ng@" + plain.hostPort() + "/belvo", "516"},
		{"https, no CA: system pool", secure, "https://" + chUser + ":" + chPassURL + "@" + secure.hostPort() + "/belvo", "x509"},
	} {
		_, err := version(tc.dsn)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "wr0ng") || strings.Contains(err.Error(), "w0rd") {
			t.Errorf("%s: error shows the password: %v", tc.name, err)
		}
		t.Logf("%s: %v", tc.name, err)
	}
}

// No native ClickHouse server runs here, so the native protocol is proven
// up to its handshake: over TLS trusted through ca_file, clickhouse-go's
// hello carries the DSN's user and password, and the server's
// authentication exception comes back as the caller's error.
func TestNativeHandshakeCarriesCredentialsOverTLS(t *testing.T) {
	hs := httptest.NewUnstartedServer(nil)
	hs.StartTLS() // for a certificate and its key
	cfg := hs.TLS.Clone()
	cfg.NextProtos = nil
	ca := writePEM(t, hs.Certificate())
	hs.Close()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	hellos := make(chan nativeHello, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(30 * time.Second))
				r := bufio.NewReader(c)
				h, err := readHello(r)
				if err != nil {
					return // a refused TLS handshake ends here
				}
				hellos <- h
				_, _ = c.Write(exception(516, "DB::Exception", h.user+": Authentication failed: password is incorrect, or there is no user with such name."))
			}()
		}
	}()
	addr := ln.Addr().String()
	_, err = version("clickhouse://" + chUser + ":" + chPassURL + "@" + addr + "/belvo?secure=true&ca_file=" + ca + "&dial_timeout=10s")
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) || ex.Code != 516 {
		t.Fatalf("open against a server refusing the login: %v, want its exception 516", err)
	}
	// The hello is sent on before the exception is written: it is here.
	for n := 0; ; n++ {
		select {
		case h := <-hellos:
			if h.user != chUser || h.pass != chPass {
				t.Fatalf("hello carried user %q password %q, want %q %q", h.user, h.pass, chUser, chPass)
			}
			continue
		default:
		}
		if n == 0 {
			t.Fatal("no hello reached the server")
		}
		break
	}

	// Without the CA the handshake is refused before any credential leaves.
	_, err = version("clickhouse://" + chUser + ":" + chPassURL + "@" + addr + "/belvo?secure=true&dial_timeout=10s")
	if err == nil || !strings.Contains(err.Error(), "x509") {
		t.Fatalf("without ca_file: %v, want an x509 error", err)
	}
	select {
	case h := <-hellos:
		t.Fatalf("a hello reached the server over an untrusted connection: %+v", h)
	default:
	}
}

// nativeHello is what a ClientHello of the native protocol says about the
// client's login.
type nativeHello struct{ db, user, pass string }

// readHello reads a ClientHello as clickhouse-go writes it.
func readHello(r *bufio.Reader) (nativeHello, error) {
	var h nativeHello
	if p, err := binary.ReadUvarint(r); err != nil || p != 0 { // ClientHello
		return h, io.ErrUnexpectedEOF
	}
	if _, err := readString(r); err != nil { // client name
		return h, err
	}
	for range 3 { // version major, minor, protocol revision
		if _, err := binary.ReadUvarint(r); err != nil {
			return h, err
		}
	}
	var err error
	if h.db, err = readString(r); err != nil {
		return h, err
	}
	if h.user, err = readString(r); err != nil {
		return h, err
	}
	h.pass, err = readString(r)
	return h, err
}

func readString(r *bufio.Reader) (string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil || n > 1<<16 {
		return "", io.ErrUnexpectedEOF
	}
	b := make([]byte, n)
	_, err = io.ReadFull(r, b)
	return string(b), err
}

// exception encodes a ServerException packet of the native protocol.
func exception(code int32, name, msg string) []byte {
	b := binary.AppendUvarint(nil, 2) // ServerException
	b = binary.LittleEndian.AppendUint32(b, uint32(code))
	for _, s := range []string{name, msg, ""} { // name, message, stack trace
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return append(b, 0) // not nested
}
