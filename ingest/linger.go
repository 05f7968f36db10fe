package ingest

import (
	"io"
	"net"
	"sync/atomic"
	"time"
)

// Bounds of a lingering close: long enough for a client to read a refusal
// sent while it was still writing its body, short enough that a client that
// keeps writing cannot hold the goroutine.
const (
	lingerTime  = 2 * time.Second
	lingerBytes = 64 << 20
)

// lingerListener hands out connections that can close the way an HTTP server
// must after refusing a request whose body is still arriving (RFC 9112,
// section 9.6): closing a socket with unread data makes the kernel answer the
// client with a reset, and a reset can discard our answer from the client's
// buffers before it reads it.
type lingerListener struct{ net.Listener }

func (l lingerListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &lingerConn{Conn: c}, nil
}

type lingerConn struct {
	net.Conn
	linger atomic.Bool
	closed atomic.Bool
}

// lingerOnClose makes Close send what was written, stop writing, and read
// and discard what the client still sends before closing.
func (c *lingerConn) lingerOnClose() { c.linger.Store(true) }

func (c *lingerConn) Close() error {
	if !c.linger.Load() {
		return c.Conn.Close()
	}
	if c.closed.Swap(true) {
		return nil
	}
	go func() {
		if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		_ = c.Conn.SetReadDeadline(time.Now().Add(lingerTime))
		_, _ = io.CopyN(io.Discard, c.Conn, lingerBytes)
		_ = c.Conn.Close()
	}()
	return nil
}
