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
	"time"

	chbuf "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	chproto "github.com/ClickHouse/clickhouse-go/v2/lib/proto"
)

// blockPoster inserts a batch over HTTP as one Native block it encodes
// itself, keeping each table's block (its columns and their buffers) from
// batch to batch. clickhouse-go's PrepareBatch builds a new block for every
// insert, whose columns then grow from empty, copying each batch's values
// several times over; here they grow once. The values go through
// clickhouse-go's own column types (lib/column), so what a row may hold,
// and the errors naming a value a column refuses, are the same as with
// PrepareBatch; only the block's lifetime and the request differ.
//
// Only the flush goroutine inserts (one flush at a time), so the blocks
// need no lock.
type blockPoster struct {
	client  *http.Client
	url     string // scheme://host[:port]/path, no query
	user    string
	pass    string
	headers map[string]string
	blocks  map[*table]*chproto.Block
	body    chbuf.Buffer
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
	dial := o.DialTimeout
	if dial <= 0 {
		dial = 30 * time.Second
	}
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: dial}).DialContext,
		TLSClientConfig:     o.TLS,
		MaxIdleConnsPerHost: 2, // one flush at a time; a second for its retry
		IdleConnTimeout:     time.Minute,
	}
	u := url.URL{Scheme: scheme, Host: o.Addr[0], Path: "/" + strings.TrimPrefix(o.HttpUrlPath, "/")}
	return &blockPoster{
		client:  &http.Client{Transport: transport},
		url:     u.String(),
		user:    o.Auth.Username,
		pass:    o.Auth.Password,
		headers: o.HttpHeaders,
		blocks:  map[*table]*chproto.Block{},
	}
}

// block returns t's block, emptied; nil when t's column types are unknown
// (the caller then uses clickhouse-go, which asks the engine).
func (p *blockPoster) block(t *table) (*chproto.Block, error) {
	if t.types == nil {
		return nil, nil
	}
	b := p.blocks[t]
	if b == nil {
		b = chproto.NewBlock()
		for _, c := range t.types {
			if err := b.AddColumn(c.Name, column.Type(c.Type)); err != nil {
				return nil, fmt.Errorf("column %s of %s: %w", c.Name, t.name, err)
			}
		}
		p.blocks[t] = b
	}
	b.Reset()
	return b, nil
}

// post sends b's rows as `INSERT INTO t (columns) FORMAT Native` with
// settings, and turns the engine's refusal into a *clickhouse.Exception, as
// clickhouse-go does, so refusal() reads both alike.
func (p *blockPoster) post(ctx context.Context, t *table, b *chproto.Block, settings map[string]string) error {
	p.body.Reset()
	// Revision 0: over HTTP the engine reads Native without the protocol's
	// block info (clickhouse-go does the same).
	if err := b.Encode(&p.body, 0); err != nil {
		return fmt.Errorf("encode block of %s: %w", t.name, err)
	}
	q := url.Values{"query": {t.insert + " FORMAT Native"}}
	for k, v := range settings {
		q.Set(k, v)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"?"+q.Encode(), bytes.NewReader(p.body.Buf))
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
