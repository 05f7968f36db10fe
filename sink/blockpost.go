package sink

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/finflow/belvo-pipeline/internal/chblock"
)

// blockPoster inserts a batch over HTTP as one Native block (chblock),
// with the same statement, settings and refusals as clickhouse-go's
// PrepareBatch over HTTP, its blocks kept from batch to batch.
//
// A batch's rows are appended to its block as they are read (consume's
// goroutine), while the previous batch's block is sent (the flush's): the
// blocks are pooled per table, and a flush that succeeded returns its own.
type blockPoster struct {
	client  *http.Client
	url     string // scheme://host[:port]/path, no query
	user    string
	pass    string
	headers map[string]string
	body    []byte // the flush's: one at a time

	mu   sync.Mutex
	free map[*table][]*chblock.Block
}

// newBlockPoster returns nil when the DSN needs clickhouse-go itself: the
// native protocol, compression, several hosts, a proxy, a custom dialer or
// transport, or JWT auth.
func newBlockPoster(o *clickhouse.Options) *blockPoster {
	if o.Protocol != clickhouse.HTTP || len(o.Addr) != 1 || o.HTTPProxyURL != nil || o.DialContext != nil ||
		o.TransportFunc != nil || o.GetJWT != nil ||
		o.Compression != nil && o.Compression.Method != clickhouse.CompressionNone {
		return nil
	}
	scheme := "http"
	if o.TLS != nil {
		scheme = "https"
	}
	// As clickhouse-go's transport: its timeouts (and defaults), the
	// proxy the environment names, bodies as the engine sends them.
	dial, read := o.DialTimeout, o.ReadTimeout
	if dial <= 0 {
		dial = 30 * time.Second
	}
	if read <= 0 {
		read = 5 * time.Minute
	}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dial}).DialContext,
		TLSClientConfig:       o.TLS,
		ResponseHeaderTimeout: read,
		DisableCompression:    true,
		MaxIdleConnsPerHost:   2, // one flush at a time; a second for its retry
		IdleConnTimeout:       time.Minute,
	}
	u := url.URL{Scheme: scheme, Host: o.Addr[0], Path: "/" + strings.TrimPrefix(o.HttpUrlPath, "/")}
	return &blockPoster{
		client:  &http.Client{Transport: transport},
		url:     u.String(),
		user:    o.Auth.Username,
		pass:    o.Auth.Password,
		headers: o.HttpHeaders,
		free:    map[*table][]*chblock.Block{},
	}
}

// get returns an empty block of t's columns; nil when t's column types are
// unknown (the insert then uses clickhouse-go, which asks the engine).
func (p *blockPoster) get(t *table) *chblock.Block {
	if t.types == nil {
		return nil
	}
	p.mu.Lock()
	free := p.free[t]
	if n := len(free); n > 0 {
		b := free[n-1]
		p.free[t] = free[:n-1]
		p.mu.Unlock()
		b.Reset()
		return b
	}
	p.mu.Unlock()
	cols := make([]chblock.Column, len(t.types))
	for i, c := range t.types {
		cols[i] = chblock.Column{Name: c.Name, Type: c.Type}
	}
	b, err := chblock.New(cols)
	if err != nil {
		// The types are the schemas' own: a test covers every table.
		panic(fmt.Sprintf("table %s: %v", t.name, err))
	}
	return b
}

// put returns a block no batch refers to any more.
func (p *blockPoster) put(t *table, b *chblock.Block) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free[t] = append(p.free[t], b)
}

// post sends b's rows as `INSERT INTO t (columns) FORMAT Native` with
// settings, and turns the engine's refusal into a *clickhouse.Exception, as
// clickhouse-go does, so refusal() reads both alike.
func (p *blockPoster) post(ctx context.Context, t *table, b *chblock.Block, settings map[string]string) error {
	var err error
	if p.body, err = b.Encode(p.body[:0]); err != nil {
		return fmt.Errorf("encode block of %s: %w", t.name, err)
	}
	q := url.Values{"query": {t.insert + " FORMAT Native"}}
	for k, v := range settings {
		q.Set(k, v)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"?"+q.Encode(), bytes.NewReader(p.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	if p.user != "" {
		req.Header.Set("X-ClickHouse-User", p.user)
	}
	if p.pass != "" {
		req.Header.Set("X-ClickHouse-Key", p.pass)
	}
	for k, v := range p.headers {
		req.Header.Set(k, v)
	}
	res, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	// A 200 is not yet success: an exception after the headers went out
	// comes in the body.
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("read the answer to an insert into %s: %w", t.name, err)
	}
	if res.StatusCode == http.StatusOK && !bytes.Contains(body, []byte("Exception")) {
		return nil
	}
	return httpException(res, body)
}

var exceptionCode = regexp.MustCompile(`Code: (\d+)\.`)

// httpException is the engine's exception: its code from the
// X-ClickHouse-Exception-Code header, else from the "Code: N." of the body.
func httpException(res *http.Response, body []byte) error {
	msg := strings.TrimSpace(string(body))
	code := res.Header.Get("X-ClickHouse-Exception-Code")
	if code == "" {
		if m := exceptionCode.FindSubmatch(body); m != nil {
			code = string(m[1])
		}
	}
	n, err := strconv.ParseInt(code, 10, 32)
	if err != nil {
		return fmt.Errorf("ClickHouse answered %s: %s", res.Status, msg)
	}
	return fmt.Errorf("ClickHouse answered %s: %w", res.Status, &clickhouse.Exception{Code: int32(n), Message: msg})
}
