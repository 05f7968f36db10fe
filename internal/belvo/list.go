package belvo

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
)

// Page is one page of a list: Belvo's envelope with each record kept as the
// exact bytes Belvo sent, so nothing is lost before the raw JSON is stored.
// Records share the memory of the response body: they must not be written
// to.
type Page struct {
	Number  int               // 1-based position of the page in this listing
	Count   int               // Belvo's total count for the query
	Next    string            // URL of the next page, "" on the last
	Records []json.RawMessage // the results, byte for byte

	body []byte // what Records alias
}

// Release hands the page's body back to the client, to read a later page
// into. Records (and anything still aliasing them) must not be used after
// it. Releasing is optional: a page never released is garbage collected.
func (p Page) Release() {
	if cap(p.body) >= minPooledBody {
		bodies.Put(&p.body)
	}
}

// Pages lists path (e.g. "/api/transactions/") with q, one page at a time,
// following next links. Only one page is held at once, so a link's whole
// history never sits in memory. The sequence ends after the first error;
// a next URL off the configured scheme and host yields a
// *ForeignNextError and is never requested.
func (c *Client) Pages(ctx context.Context, path string, q Query) iter.Seq2[Page, error] {
	return func(yield func(Page, error) bool) {
		if q.PageSize == 0 {
			q.PageSize = c.cfg.PageSize
		}
		q.PageSize = min(q.PageSize, MaxPageSize)
		number := max(q.Page, 1)
		target := c.resolve(path, q.Values())
		// Pages of a listing are alike in size (full ones, then a last
		// one): the previous one's, with room for longer records, is the
		// best guess for the body buffer.
		sizeHint := 0
		for target != "" {
			resp, err := c.do(ctx, http.MethodGet, target, nil, nil, sizeHint)
			if err != nil {
				yield(Page{}, fmt.Errorf("list %s page %d: %w", path, number, err))
				return
			}
			sizeHint = len(resp.body) + len(resp.body)/8
			env, err := splitPage(resp.body)
			if err != nil {
				yield(Page{}, fmt.Errorf("list %s page %d: decode envelope: %w", path, number, err))
				return
			}
			p := Page{Number: number, Count: env.count, Next: env.next, Records: env.records, body: resp.body}
			if p.Next != "" && !c.sameOrigin(p.Next) {
				err := &ForeignNextError{Next: p.Next, Want: c.base.Scheme + "://" + c.base.Host}
				// The page itself is good: hand it out, then stop.
				if yield(p, nil) {
					yield(Page{}, fmt.Errorf("list %s page %d: %w", path, number+1, err))
				}
				return
			}
			if !yield(p, nil) {
				return
			}
			target = p.Next
			number++
		}
	}
}

// Listed is one step of a prefetched listing: a page, or the error that
// ended the listing before its last page, which is the last step.
type Listed struct {
	Page
	Err error
}

// Prefetch lists path with q, in order, in a goroutine of its own that
// reads ahead while the caller works on the pages it took: each page's
// request (rate limiter, retries, reading the body) overlaps the caller's
// work on the page before, which is where one link's throughput comes
// from. At most ahead pages (at least one) are read and not yet taken, so
// a listing holds that many bodies besides the caller's, whatever the size
// of a link's history.
//
// The channel is closed after the last page or after an error step (the
// listing's, or ctx's when ctx ends first). A caller that stops early
// cancels ctx and reads the channel to its close, releasing what it reads:
// the goroutine ends then, and no step is lost to a reader that is still
// reading when ctx ends.
func (c *Client) Prefetch(ctx context.Context, path string, q Query, ahead int) <-chan Listed {
	// The goroutine holds one page while it waits to hand it over; the
	// channel holds the rest.
	ch := make(chan Listed, max(ahead, 1)-1)
	go func() {
		defer close(ch)
		for p, err := range c.Pages(ctx, path, q) {
			if err != nil {
				ch <- Listed{Err: err}
				return
			}
			select {
			case ch <- Listed{Page: p}:
			case <-ctx.Done():
				p.Release()
				ch <- Listed{Err: ctx.Err()}
				return
			}
		}
	}()
	return ch
}

// List calls fn with every page of path filtered by q, in order. An error
// from fn stops the listing and is returned as is.
func (c *Client) List(ctx context.Context, path string, q Query, fn func(Page) error) error {
	for p, err := range c.Pages(ctx, path, q) {
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}
