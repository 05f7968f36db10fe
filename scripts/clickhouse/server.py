#!/usr/bin/env python3
"""ClickHouse's HTTP interface served by the real ClickHouse engine (chDB).

Why this exists: tests and the local demo must drive the production sink code
(clickhouse-go/v2 over HTTP) against the real engine, and the only modern
engine we can install is the embedded one shipped on PyPI as chDB. This process
is a translator only: every statement, setting, merge, FINAL, deduplication and
type conversion is executed by the engine. What it does itself is HTTP framing:

* request: URL parameters -> engine settings (SET on a per-request
  connection), `database` -> USE, `param_*` -> query parameters, body
  decoding (chunked, gzip/deflate/br), and INSERT data in the body (Native
  from clickhouse-go) handed to the engine as `INSERT ... FROM INFILE
  <spooled body> FORMAT <the statement's format>`;
* response: the engine's output bytes, X-ClickHouse-* headers, and exceptions
  in the `Code: N. DB::Exception: ...` shape clickhouse-go parses;
* Native output for clients that send `client_protocol_version` (every
  clickhouse-go request does): chDB can only write the protocol-less Native
  layout, the client decodes the revisioned one (BlockInfo before each block,
  one custom-serialization flag byte after each column type). The bytes of
  each column are left as the engine wrote them; the server only walks the
  column layout to find where to put those framing bytes (see reframe_native).

Run it through scripts/clickhouse.sh; `--help` lists the flags.
"""

from __future__ import annotations

import argparse
import fcntl
import gzip
import json
import os
import re
import shutil
import signal
import struct
import sys
import tempfile
import threading
import time
import traceback
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

try:  # clickhouse-go's compress=br sends brotli bodies; optional so the server still starts without it.
    import brotli  # type: ignore
except ImportError:  # pragma: no cover
    brotli = None


# ---------------------------------------------------------------------------
# Errors


class CHError(Exception):
    """An exception as the ClickHouse server reports it over HTTP."""

    def __init__(self, code: int, name: str, message: str):
        super().__init__(message)
        self.code = code
        self.name = name
        self.message = message


# Codes for errors this server raises itself; the engine's errors keep their own.
NOT_IMPLEMENTED = (48, "NOT_IMPLEMENTED")
BAD_ARGUMENTS = (36, "BAD_ARGUMENTS")
SESSION_NOT_FOUND = (372, "SESSION_NOT_FOUND")
STD_EXCEPTION = (1001, "STD_EXCEPTION")

_CODE_RE = re.compile(r"Code:\s*(\d+)\.\s*(?:(DB::\w+):\s*)?", re.S)
_NAME_RE = re.compile(r"\(([A-Z][A-Z0-9_]+)\)")


def engine_error(exc: BaseException) -> CHError:
    """Keeps the engine's code and text; chDB wraps them in Python exceptions."""
    text = str(exc)
    # search, not match: chDB may put its own context before the engine's text.
    m = _CODE_RE.search(text)
    if not m:
        return CHError(STD_EXCEPTION[0], STD_EXCEPTION[1], text)
    message = text[m.end():].strip()
    # Errors from FROM INFILE arrive wrapped twice in the same prefix.
    while (again := _CODE_RE.match(message)) and again.group(1) == m.group(1):
        message = message[again.end():].strip()
    names = _NAME_RE.findall(message)
    return CHError(int(m.group(1)), names[-1] if names else "", message)


# ClickHouse's HTTPHandler maps some codes to 4xx statuses; clients only care
# that it is not 200, but keeping the same status keeps curl sessions honest.
_STATUS_BY_NAME = {
    **dict.fromkeys(
        "BAD_ARGUMENTS CANNOT_COMPILE_REGEXP CANNOT_PARSE_TEXT CANNOT_PARSE_ESCAPE_SEQUENCE "
        "CANNOT_PARSE_QUOTED_STRING CANNOT_PARSE_DATE CANNOT_PARSE_DATETIME CANNOT_PARSE_NUMBER "
        "CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING CANNOT_PARSE_IPV4 CANNOT_PARSE_IPV6 "
        "CANNOT_PARSE_INPUT_ASSERTION_FAILED CANNOT_PARSE_UUID DUPLICATE_COLUMN ILLEGAL_COLUMN "
        "UNKNOWN_ELEMENT_IN_AST UNKNOWN_TYPE_OF_AST_NODE TOO_DEEP_AST TOO_BIG_AST "
        "UNEXPECTED_AST_STRUCTURE SYNTAX_ERROR INCORRECT_DATA TYPE_MISMATCH "
        "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE".split(),
        400,
    ),
    **dict.fromkeys(
        "UNKNOWN_TABLE UNKNOWN_FUNCTION UNKNOWN_IDENTIFIER UNKNOWN_TYPE UNKNOWN_STORAGE "
        "UNKNOWN_DATABASE UNKNOWN_SETTING UNKNOWN_DIRECTION_OF_SORTING UNKNOWN_AGGREGATE_FUNCTION "
        "UNKNOWN_FORMAT UNKNOWN_DATABASE_ENGINE UNKNOWN_TYPE_OF_QUERY UNKNOWN_ROLE".split(),
        404,
    ),
    "QUERY_IS_TOO_LARGE": 413,
    "NOT_IMPLEMENTED": 501,
    "TIMEOUT_EXCEEDED": 408,
}


# ---------------------------------------------------------------------------
# Native reframing


class ReframeError(Exception):
    pass


# Bytes per value of every fixed-width type, as the engine serializes them.
_FIXED = {
    **dict.fromkeys(["UInt8", "Int8", "Bool", "Enum8"], 1),
    **dict.fromkeys(["UInt16", "Int16", "Date", "Enum16", "BFloat16"], 2),
    **dict.fromkeys(["UInt32", "Int32", "Float32", "Date32", "DateTime", "IPv4", "Time", "Decimal32"], 4),
    **dict.fromkeys(["UInt64", "Int64", "Float64", "DateTime64", "Time64", "Decimal64"], 8),
    **dict.fromkeys(["UInt128", "Int128", "UUID", "IPv6", "Decimal128"], 16),
    **dict.fromkeys(["UInt256", "Int256", "Decimal256"], 32),
    # SerializationNothing writes one '0' byte per row (e.g. the data of SELECT NULL).
    "Nothing": 1,
}
_GEO = {
    "Point": "Tuple(Float64, Float64)",
    "Ring": "Array(Point)",
    "LineString": "Array(Point)",
    "Polygon": "Array(Ring)",
    "MultiLineString": "Array(LineString)",
    "MultiPolygon": "Array(Polygon)",
}
# BlockInfo as TCPHandler writes it for an ordinary block: field 1 is_overflows=false,
# field 2 bucket_num=-1, end marker 0.
_BLOCK_INFO = b"\x01\x00\x02\xff\xff\xff\xff\x00"
_LC_HAS_ADDITIONAL_KEYS = 1 << 9
_LC_NEED_GLOBAL_DICTIONARY = 1 << 8
_LC_INDEX_SIZES = (1, 2, 4, 8)
_U64 = struct.Struct("<Q")


def _split_args(s: str) -> list[str]:
    """Splits the top-level, comma-separated arguments of a type name."""
    out, depth, quote, start, i = [], 0, None, 0, 0
    while i < len(s):
        ch = s[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'`\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(s[start:i].strip())
            start = i + 1
        i += 1
    tail = s[start:].strip()
    if tail:
        out.append(tail)
    return out


def _parse_type(t: str) -> tuple[str, list[str]]:
    t = t.strip()
    p = t.find("(")
    if p < 0:
        return t, []
    if not t.endswith(")"):
        raise ReframeError(f"cannot parse type {t!r}")
    return t[:p].strip(), _split_args(t[p + 1 : -1])


_TUPLE_ELEMENT_NAME = re.compile(r"^(?:`(?:[^`\\]|\\.)*`|\"(?:[^\"\\]|\\.)*\"|[A-Za-z_][A-Za-z0-9_]*)\s+(?=\S)")


def _tuple_element_type(arg: str) -> str:
    # Named tuples print as "name Type"; a bare type never has whitespace right after its first word.
    m = _TUPLE_ELEMENT_NAME.match(arg)
    return arg[m.end():] if m else arg


def _uvarint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def _skip_strings(buf: bytes, pos: int, n: int) -> int:
    for _ in range(n):
        b = buf[pos]
        if b < 0x80:
            pos += 1 + b
        else:
            ln, pos = _uvarint(buf, pos)
            pos += ln
    return pos


class _Layout:
    """How one column type lays out in Native: a state prefix, then the data."""

    __slots__ = ("prefix", "data")

    def __init__(self, prefix, data):
        self.prefix = prefix  # (buf, pos) -> pos
        self.data = data  # (buf, pos, rows) -> pos


def _no_prefix(buf, pos):
    return pos


_layout_cache: dict[str, _Layout] = {}
_layout_lock = threading.Lock()


def layout(t: str) -> _Layout:
    with _layout_lock:
        cached = _layout_cache.get(t)
    if cached is None:
        cached = _compile(t)
        with _layout_lock:
            _layout_cache[t] = cached
    return cached


def _compile(t: str) -> _Layout:
    name, args = _parse_type(t)
    if name in _GEO and not args:
        return _compile(_GEO[name])
    if name in _FIXED or name.startswith("Interval"):
        size = _FIXED.get(name, 8)  # Interval* are Int64
        return _Layout(_no_prefix, lambda buf, pos, n: pos + n * size)
    if name == "Decimal":
        precision = int(args[0])
        size = 4 if precision <= 9 else 8 if precision <= 18 else 16 if precision <= 38 else 32
        return _Layout(_no_prefix, lambda buf, pos, n: pos + n * size)
    if name == "FixedString":
        size = int(args[0])
        return _Layout(_no_prefix, lambda buf, pos, n: pos + n * size)
    if name in ("String", "JSONString"):
        return _Layout(_no_prefix, _skip_strings)
    if name == "SimpleAggregateFunction":
        return _compile(args[-1])
    if name == "Nullable":
        inner = _compile(args[0])
        return _Layout(inner.prefix, lambda buf, pos, n: inner.data(buf, pos + n, n))
    if name == "Array":
        inner = _compile(args[0])

        def array_data(buf, pos, n):
            total = _U64.unpack_from(buf, pos + 8 * (n - 1))[0] if n else 0
            return inner.data(buf, pos + 8 * n, total)

        return _Layout(inner.prefix, array_data)
    if name == "Map":
        key, value = _compile(args[0]), _compile(args[1])

        def map_prefix(buf, pos):
            return value.prefix(buf, key.prefix(buf, pos))

        def map_data(buf, pos, n):
            total = _U64.unpack_from(buf, pos + 8 * (n - 1))[0] if n else 0
            return value.data(buf, key.data(buf, pos + 8 * n, total), total)

        return _Layout(map_prefix, map_data)
    if name == "Tuple":
        elements = [_compile(_tuple_element_type(a)) for a in args]

        def tuple_prefix(buf, pos):
            for e in elements:
                pos = e.prefix(buf, pos)
            return pos

        def tuple_data(buf, pos, n):
            for e in elements:
                pos = e.data(buf, pos, n)
            return pos

        return _Layout(tuple_prefix, tuple_data)
    if name == "LowCardinality":
        # The dictionary of LowCardinality(Nullable(T)) is serialized as plain T.
        dict_name, dict_args = _parse_type(args[0])
        keys = _compile(dict_args[0] if dict_name == "Nullable" else args[0])

        def lc_prefix(buf, pos):
            version = _U64.unpack_from(buf, pos)[0]
            if version != 1:
                raise ReframeError(f"unexpected LowCardinality key version {version}")
            return pos + 8

        def lc_data(buf, pos, n):
            done = 0
            while done < n:
                flags = _U64.unpack_from(buf, pos)[0]
                pos += 8
                if flags & _LC_NEED_GLOBAL_DICTIONARY:
                    raise ReframeError("LowCardinality with a global dictionary")
                if flags & _LC_HAS_ADDITIONAL_KEYS:
                    num_keys = _U64.unpack_from(buf, pos)[0]
                    pos = keys.data(buf, pos + 8, num_keys)
                num_indexes = _U64.unpack_from(buf, pos)[0]
                pos += 8 + num_indexes * _LC_INDEX_SIZES[flags & 0xFF]
                done += num_indexes
                if num_indexes == 0:
                    raise ReframeError("empty LowCardinality granule")
            return pos

        return _Layout(lc_prefix, lc_data)
    raise ReframeError(f"type {t} is not supported by the Native reframer")


def reframe_native(data: bytes) -> list:
    """Turns protocol-less Native blocks into the revisioned layout clickhouse-go decodes.

    Returns slices to write in order; column bytes are never copied or changed.
    """
    view = memoryview(data)
    out: list = []
    pos, end = 0, len(data)
    try:
        while pos < end:
            out.append(_BLOCK_INFO)
            start = pos
            ncols, pos = _uvarint(data, pos)
            nrows, pos = _uvarint(data, pos)
            for _ in range(ncols):
                ln, pos = _uvarint(data, pos)  # name
                pos += ln
                ln, pos = _uvarint(data, pos)  # type
                type_name = bytes(view[pos : pos + ln]).decode()
                pos += ln
                out.append(view[start:pos])
                out.append(b"\x00")  # no custom (sparse) serialization: the engine wrote full columns
                start = pos
                if nrows:
                    col = layout(type_name)
                    pos = col.data(data, col.prefix(data, pos), nrows)
                if pos > end:
                    raise ReframeError(f"column of type {type_name} runs past the end of the result")
            out.append(view[start:pos])
    except (IndexError, struct.error) as exc:
        raise ReframeError(f"truncated Native result: {exc}") from None
    return out


# ---------------------------------------------------------------------------
# Engine


# Parameters the HTTP interface itself consumes; ClickHouse does not treat them as settings.
_HTTP_PARAMS = {
    "query", "database", "default_format", "query_id", "session_id", "session_timeout",
    "session_check", "close_session", "client_protocol_version", "compress", "decompress",
    "user", "password", "quota_key", "stacktrace", "role", "buffer_size", "wait_end_of_query",
}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COMMENTS = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|#[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.S)
_INSERT = re.compile(r"INSERT\b", re.I)
_INSERT_FORMAT = re.compile(r"\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*\Z", re.I)
_OUTPUT_FORMAT = re.compile(r"\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)(?:\s+SETTINGS\b.*?)?\s*;?\s*\Z", re.I | re.S)
_LOG_CUT = re.compile(r"\b(?:VALUES|FORMAT)\b", re.I)


def sql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def sql_ident(name: str) -> str:
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def split_settings(stmt: str) -> tuple[str, str]:
    """Splits "INSERT INTO t (a) SETTINGS k=v" at its top-level SETTINGS keyword.

    FROM INFILE must come before the SETTINGS clause, while clickhouse-go puts
    a caller's SETTINGS right after the column list.
    """
    depth, quote, i, found = 0, None, 0, -1
    while i < len(stmt):
        ch = stmt[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'`\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and stmt[i : i + 8].upper() == "SETTINGS" and (i == 0 or not (stmt[i - 1].isalnum() or stmt[i - 1] == "_")):
            after = stmt[i + 8 : i + 9]
            if not after or not (after.isalnum() or after == "_"):
                found = i
        i += 1
    if found < 0:
        return stmt.strip(), ""
    return stmt[:found].strip(), stmt[found + 8 :].strip()


class Result:
    __slots__ = ("body", "fmt", "result_rows", "read_rows", "read_bytes", "written_rows", "written_bytes")

    def __init__(self):
        self.body = b""
        self.fmt = None
        self.result_rows = self.read_rows = self.read_bytes = self.written_rows = self.written_bytes = 0


class Session:
    __slots__ = ("conn", "timeout", "expires")

    def __init__(self, conn, timeout):
        self.conn, self.timeout = conn, timeout
        self.expires = time.monotonic() + timeout


class Engine:
    """One chDB engine per process; every statement runs under one lock."""

    def __init__(self, path: str):
        import chdb.state  # imported late: TZ must be set before the engine starts

        self._state = chdb.state
        self.path = path
        self.lock = threading.Lock()
        # A connection that lives as long as the process keeps the engine (and
        # its background merges) running between requests.
        self._holder = chdb.state.connect(path)
        row = bytes(self._holder.query("SELECT version(), displayName(), timezone()", "TabSeparated").bytes())
        self.version, self.display_name, self.timezone = row.decode().rstrip("\n").split("\t")
        self.sessions: dict[str, Session] = {}
        self.closed = False

    def bootstrap(self, databases: list[str]) -> None:
        with self.lock:
            for db in databases:
                self._holder.query(f"CREATE DATABASE IF NOT EXISTS {sql_ident(db)}", "TabSeparated")

    def close(self) -> None:
        with self.lock:
            for s in self.sessions.values():
                s.conn.close()
            self.sessions.clear()
            self._holder.close()
            self.closed = True

    # -- per-request execution -------------------------------------------------

    def execute(self, req: "Request") -> Result:
        with self.lock:
            if self.closed:
                raise CHError(210, "NETWORK_ERROR", "server is shutting down")
            self._expire_sessions()
            session = self._session(req)
            conn = session.conn if session else self._state.connect(self.path)
            restore: list[str] = []
            try:
                if session:
                    restore = self._snapshot(conn, req)
                if req.database:
                    self._run(conn, f"USE {sql_ident(req.database)}")
                if req.settings:
                    self._run(conn, "SET " + ", ".join(f"{k} = {sql_string(v)}" for k, v in req.settings.items()))
                return self._statement(conn, req)
            finally:
                if session:
                    for stmt in restore:
                        try:
                            self._run(conn, stmt)
                        except CHError:
                            pass
                    session.expires = time.monotonic() + session.timeout
                    if req.close_session:
                        self.sessions.pop(req.session_id, None)
                        conn.close()
                else:
                    conn.close()

    def _statement(self, conn, req: "Request") -> Result:
        res = Result()
        if req.insert_file is not None:
            # FROM INFILE, not chDB's send_insert: send_insert reports success for
            # rows the table rejects (a violated CHECK constraint, for one), and
            # this is an ordinary INSERT with data, so deduplication tokens and
            # block splitting behave as for a server-side HTTP insert.
            sql = f"{req.insert_head} FROM INFILE {sql_string(req.insert_file)}"
            if req.insert_settings:
                sql += f" SETTINGS {req.insert_settings}"
            try:
                done = conn.query(f"{sql} FORMAT {req.insert_format}", "TabSeparated", params=req.query_params)
            except Exception as exc:
                raise engine_error(exc) from None
            res.written_rows, res.written_bytes = done.rows_written(), done.bytes_written()
            return res
        try:
            out = conn.query(req.sql, req.fmt, params=req.query_params)
        except Exception as exc:
            raise engine_error(exc) from None
        res.body = out.bytes()
        res.fmt = req.fmt
        res.result_rows = out.rows_read()
        res.read_rows, res.read_bytes = out.storage_rows_read(), out.storage_bytes_read()
        res.written_rows, res.written_bytes = out.rows_written(), out.bytes_written()
        return res

    def _run(self, conn, sql: str) -> bytes:
        try:
            return conn.query(sql, "TabSeparated").bytes()
        except Exception as exc:
            raise engine_error(exc) from None

    # -- sessions ----------------------------------------------------------------

    def _session(self, req: "Request"):
        if not req.session_id:
            return None
        s = self.sessions.get(req.session_id)
        if s is None:
            if req.session_check:
                raise CHError(*SESSION_NOT_FOUND, f"Session {req.session_id} not found")
            s = Session(self._state.connect(self.path), req.session_timeout)
            self.sessions[req.session_id] = s
        elif req.session_timeout_given:
            s.timeout = req.session_timeout
        return s

    def _expire_sessions(self) -> None:
        now = time.monotonic()
        for sid in [sid for sid, s in self.sessions.items() if s.expires < now]:
            self.sessions.pop(sid).conn.close()

    def _snapshot(self, conn, req: "Request") -> list[str]:
        """Statements that undo this request's URL settings and database.

        In ClickHouse they apply to the query only; a session keeps just what
        its own SET/USE statements changed.
        """
        restore = []
        if req.database:
            current = self._run(conn, "SELECT currentDatabase()").decode().rstrip("\n")
            restore.append(f"USE {sql_ident(current)}")
        if req.settings:
            names = ", ".join(sql_string(k) for k in req.settings)
            rows = json.loads(
                conn.query(f"SELECT name, value, changed FROM system.settings WHERE name IN ({names})", "JSONCompact").bytes()
            )["data"]
            for name, value, changed in rows:
                restore.append(f"SET {name} = {sql_string(value)}" if int(changed) else f"SET {name} = DEFAULT")
        return restore


class Request:
    """What one HTTP request asks of the engine, decided before the engine lock is taken."""

    def __init__(self, method: str, params: dict[str, str]):
        self.query_id = params.get("query_id") or str(uuid.uuid4())
        self.database = params.get("database") or ""
        self.session_id = params.get("session_id") or ""
        self.session_check = params.get("session_check", "0") in ("1", "true")
        self.session_timeout_given = "session_timeout" in params
        try:
            self.session_timeout = min(max(int(params.get("session_timeout") or 60), 1), 3600)
        except ValueError:
            raise CHError(*BAD_ARGUMENTS, "Invalid session timeout: " + params["session_timeout"]) from None
        self.close_session = params.get("close_session", "0") in ("1", "true")
        try:
            self.protocol_version = int(params.get("client_protocol_version") or 0)
        except ValueError:
            raise CHError(*BAD_ARGUMENTS, "client_protocol_version must be an integer") from None
        if params.get("compress", "0") not in ("0", "false") or params.get("decompress", "0") not in ("0", "false"):
            raise CHError(
                *NOT_IMPLEMENTED,
                "ClickHouse native (LZ4/ZSTD) HTTP compression is not implemented by this server; "
                "use no compression or gzip/deflate/br",
            )
        self.query_params = {k[6:]: v for k, v in params.items() if k.startswith("param_")}
        self.settings = {
            k: v for k, v in params.items() if k not in _HTTP_PARAMS and not k.startswith("param_")
        }
        for k in self.settings:
            if not _IDENT.match(k):
                raise CHError(*BAD_ARGUMENTS, f"Invalid setting name {k!r}")
        if method in ("GET", "HEAD") and not self.session_id and self.settings.get("readonly", "0") in ("0", ""):
            # ClickHouse runs GET queries read-only: a URL typed in a browser must
            # not change data. Not in sessions: the engine refuses to lift
            # readonly again, so it would stick to the session.
            self.settings["readonly"] = "2"

        self.default_format = params.get("default_format") or "TabSeparated"
        self.query = params.get("query", "")
        head = self.query[_COMMENTS.match(self.query).end():]
        m = _INSERT_FORMAT.search(self.query) if _INSERT.match(head) else None
        self.insert_head = self.insert_settings = self.insert_format = self.insert_file = None
        self.sql = ""
        self.fmt = self.default_format
        self.log_text = self.query
        if m:
            # The body is data: the engine parses it in the named format (Native for clickhouse-go).
            self.insert_head, self.insert_settings = split_settings(self.query[: m.start()])
            self.insert_format = m.group(1)

    def set_body_text(self, body: bytes) -> None:
        """The body continues the query, as ClickHouse reads `query` + newline + body."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise CHError(*BAD_ARGUMENTS, "query body is not UTF-8 text and the query names no INSERT format") from None
        self.sql = self.query + "\n" + text if self.query and text else self.query or text
        if not self.sql.strip():
            raise CHError(*BAD_ARGUMENTS, "Empty query")
        head = self.sql[_COMMENTS.match(self.sql).end():]
        cut = _LOG_CUT.search(head) if _INSERT.match(head) else None
        self.log_text = head[: cut.end()] + " ..." if cut else head  # inline rows stay out of the log
        out = _OUTPUT_FORMAT.search(self.sql)
        if out:
            self.fmt = out.group(1)


# ---------------------------------------------------------------------------
# HTTP


_CONTENT_TYPES = {
    "tabseparated": "text/tab-separated-values; charset=UTF-8",
    "tsv": "text/tab-separated-values; charset=UTF-8",
    "csv": "text/csv; charset=UTF-8; header=absent",
    "json": "application/json; charset=UTF-8",
    "jsoncompact": "application/json; charset=UTF-8",
    "jsoneachrow": "application/x-ndjson; charset=UTF-8",
}


def log(msg: str) -> None:
    sys.stderr.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {msg}\n")
    sys.stderr.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ClickHouse-chDB"
    # Keep-alive connections stay open: Go does not replay a POST whose pooled
    # connection the server closed, so an idle timeout here would surface as
    # spurious EOFs in clients.
    timeout = 3600
    engine: Engine = None  # type: ignore[assignment]
    spool_dir: str = ""
    tracker: "Tracker" = None  # type: ignore[assignment]

    def log_message(self, fmt, *args):  # the per-query line below replaces http.server's access log
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        with self.tracker:
            try:
                self._handle(method)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    def _handle(self, method: str) -> None:
        # One reader per request, so an error halfway through the body can still
        # drain the rest and keep the connection usable.
        self._raw = self._raw_body()
        self._body_pending = True
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        if url.path in ("/ping", "/replicas_status") or (url.path == "/" and method != "POST" and "query" not in params):
            self._drain_body()
            self._reply(200, [b"Ok.\n"], {"Content-Type": "text/html; charset=UTF-8"}, method)
            return
        if url.path != "/":
            self._drain_body()
            self._reply(404, [b"There is no handle " + url.path.encode() + b"\n"], {"Content-Type": "text/plain"}, method)
            return

        started = time.monotonic()
        query_id = params.get("query_id") or ""
        log_text, fmt_name = params.get("query", "")[:200], ""
        bytes_in = 0
        spooled = None
        try:
            if "multipart/form-data" in self.headers.get("Content-Type", ""):
                raise CHError(*NOT_IMPLEMENTED, "external tables (multipart/form-data) are not implemented by this server")
            req = Request(method, params)
            query_id, log_text = req.query_id, req.log_text
            if req.insert_format:
                # Streamed to a file before the engine lock is taken: memory stays
                # flat for large batches, and a slow client does not hold up others.
                fd, spooled = tempfile.mkstemp(prefix="insert-", suffix=".data", dir=self.spool_dir)
                req.insert_file = spooled
                with os.fdopen(fd, "wb") as f:
                    for chunk in self._body():
                        f.write(chunk)
                        bytes_in += len(chunk)
            else:
                body = b"".join(self._body())
                bytes_in = len(body)
                req.set_body_text(body)
                log_text = req.log_text
            fmt_name = req.fmt
            res = self.engine.execute(req)
            chunks = [res.body] if res.body else []
            if chunks and req.protocol_version > 0 and res.fmt.lower() == "native":
                try:
                    chunks = reframe_native(res.body)
                except ReframeError as exc:
                    raise CHError(*NOT_IMPLEMENTED, f"cannot send this result as Native to a protocol client: {exc}") from None
            headers = {
                "Content-Type": "application/octet-stream"
                if res.fmt and res.fmt.lower() in ("native", "rowbinary", "rowbinarywithnamesandtypes")
                else _CONTENT_TYPES.get((res.fmt or "").lower(), "text/plain; charset=UTF-8"),
                "X-ClickHouse-Query-Id": req.query_id,
                "X-ClickHouse-Format": res.fmt or req.fmt,
                "X-ClickHouse-Timezone": self.engine.timezone,
                "X-ClickHouse-Summary": json.dumps(
                    {
                        "read_rows": str(res.read_rows),
                        "read_bytes": str(res.read_bytes),
                        "written_rows": str(res.written_rows),
                        "written_bytes": str(res.written_bytes),
                        "total_rows_to_read": "0",
                        "result_rows": str(res.result_rows),
                        "result_bytes": str(sum(len(c) for c in chunks)),
                        "elapsed_ns": str(int((time.monotonic() - started) * 1e9)),
                    },
                    separators=(",", ":"),
                ),
            }
            if req.session_id:
                headers["X-ClickHouse-Session-Id"] = req.session_id
            chunks = self._maybe_compress(chunks, params, headers)
            size = sum(len(c) for c in chunks)
            self._reply(200, chunks, headers, method)
            log(
                f"qid={query_id} status=200 fmt={fmt_name} rows_out={res.result_rows} rows_in={res.written_rows} "
                f"bytes_in={bytes_in} bytes_out={size} ms={(time.monotonic() - started) * 1000:.1f} "
                f"query={_one_line(log_text)}"
            )
        except Exception as exc:
            if isinstance(exc, (BrokenPipeError, ConnectionResetError)):
                raise
            if not isinstance(exc, CHError):
                log(f"qid={query_id} internal error: {exc!r}\n{traceback.format_exc()}")
                exc = CHError(*STD_EXCEPTION, f"{type(exc).__name__}: {exc}")
            self._drain_body()
            status = _STATUS_BY_NAME.get(exc.name, 500)
            text = exc.message
            if exc.name and f"({exc.name})" not in text:
                text += f" ({exc.name})"
            if "(version " not in text:
                text += f" (version {self.engine.version})"
            payload = f"Code: {exc.code}. DB::Exception: {text}\n".encode()
            headers = {
                "Content-Type": "text/plain; charset=UTF-8",
                "X-ClickHouse-Exception-Code": str(exc.code),
                "X-ClickHouse-Server-Display-Name": self.engine.display_name,
            }
            if query_id:
                headers["X-ClickHouse-Query-Id"] = query_id
            self._reply(status, [payload], headers, method)
            log(
                f"qid={query_id} status={status} code={exc.code} ms={(time.monotonic() - started) * 1000:.1f} "
                f"query={_one_line(log_text)} error={_one_line(exc.message)[:300]}"
            )
        finally:
            if spooled:
                os.unlink(spooled)

    # -- body handling -------------------------------------------------------

    def _raw_body(self):
        """Yields the request body as sent, chunked (Go streams batches so) or sized."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionResetError("client closed the connection mid-body")
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                while size:
                    part = self.rfile.read(min(size, 1 << 20))
                    if not part:
                        raise ConnectionResetError("client closed the connection mid-body")
                    size -= len(part)
                    yield part
                self.rfile.readline(3)
        else:
            left = int(self.headers.get("Content-Length") or 0)
            while left > 0:
                part = self.rfile.read(min(left, 1 << 20))
                if not part:
                    raise ConnectionResetError("client closed the connection mid-body")
                left -= len(part)
                yield part
        self._body_pending = False

    def _body(self):
        """Yields the request body with its Content-Encoding undone."""
        enc = self.headers.get("Content-Encoding", "").strip().lower()
        if enc in ("", "identity", "none"):
            yield from self._raw
            return
        if enc in ("gzip", "x-gzip"):
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            step, flush = d.decompress, d.flush
        elif enc == "deflate":  # clickhouse-go (like ClickHouse) means zlib-wrapped deflate
            d = zlib.decompressobj()
            step, flush = d.decompress, d.flush
        elif enc == "br" and brotli is not None:
            d = brotli.Decompressor()
            step, flush = d.process, (lambda: b"")
        else:
            raise CHError(*NOT_IMPLEMENTED, f"Content-Encoding {enc} is not implemented by this server")
        try:
            for part in self._raw:
                out = step(part)
                if out:
                    yield out
            out = flush()
            if out:
                yield out
        except (zlib.error, getattr(brotli, "error", zlib.error)) as exc:
            raise CHError(*BAD_ARGUMENTS, f"cannot decompress request body ({enc}): {exc}") from None

    def _drain_body(self, limit: int = 1 << 30) -> None:
        """Reads what is left of the body, so the response is not mistaken for a broken pipe."""
        if not self._body_pending:
            return
        try:
            for part in self._raw:
                limit -= len(part)
                if limit < 0:
                    break
        except (ValueError, OSError):
            pass
        if self._body_pending:
            self.close_connection = True

    def _maybe_compress(self, chunks: list, params: dict, headers: dict) -> list:
        # Like ClickHouse, compress responses only when the client opted in with enable_http_compression.
        if not chunks or params.get("enable_http_compression", "0") in ("0", "false", ""):
            return chunks
        accepted = [a.split(";")[0].strip().lower() for a in self.headers.get("Accept-Encoding", "").split(",")]
        body = b"".join(chunks)
        if "gzip" in accepted:
            headers["Content-Encoding"] = "gzip"
            return [gzip.compress(body, compresslevel=3)]
        if "deflate" in accepted:
            headers["Content-Encoding"] = "deflate"
            return [zlib.compress(body, 3)]
        if "br" in accepted and brotli is not None:
            headers["Content-Encoding"] = "br"
            return [brotli.compress(body, quality=3)]
        return chunks

    def _reply(self, status: int, chunks: list, headers: dict, method: str) -> None:
        self.send_response(status)
        headers.setdefault("X-ClickHouse-Server-Display-Name", self.engine.display_name)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(sum(len(c) for c in chunks)))
        if self.tracker.stopping or self.close_connection:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Connection", "Keep-Alive")
        self.end_headers()
        if method != "HEAD":
            for c in chunks:
                self.wfile.write(c)
        self.wfile.flush()


def _one_line(s: str) -> str:
    s = " ".join(s.split())
    return s if len(s) <= 300 else s[:300] + "..."


class Tracker:
    """Counts requests in flight so SIGTERM can let them finish."""

    def __init__(self):
        self.cond = threading.Condition()
        self.active = 0
        self.stopping = False

    def __enter__(self):
        with self.cond:
            self.active += 1

    def __exit__(self, *exc):
        with self.cond:
            self.active -= 1
            self.cond.notify_all()

    def wait_idle(self, deadline: float) -> bool:
        with self.cond:
            while self.active and time.monotonic() < deadline:
                self.cond.wait(deadline - time.monotonic())
            return self.active == 0


class Server(ThreadingHTTPServer):
    daemon_threads = True  # idle keep-alive connections must not hold up shutdown
    allow_reuse_address = True


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, default=8123, help="TCP port on 127.0.0.1 (default 8123)")
    p.add_argument(
        "--data",
        default=".local/clickhouse/data",
        help="engine data directory (default .local/clickhouse/data); INSERT bodies are spooled in spool/ beside it",
    )
    p.add_argument("--database", action="append", default=None, help="database created at start if missing (default belvo; repeatable)")
    p.add_argument("--timezone", default="UTC", help="server time zone, as a production server's <timezone> (default UTC)")
    p.add_argument("--shutdown-grace", type=float, default=20.0, help="seconds SIGTERM waits for queries in flight")
    args = p.parse_args(argv)

    # The engine reads TZ when it starts; pin it so results do not depend on the host.
    os.environ["TZ"] = args.timezone
    time.tzset()
    data = os.path.abspath(args.data)
    os.makedirs(data, exist_ok=True)
    # Two engines on one directory would corrupt each other's parts.
    lock_file = open(os.path.join(data, ".server.lock"), "w")
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        log(f"another server is using {data}")
        return 1

    try:
        server = Server(("127.0.0.1", args.port), Handler)
    except OSError as exc:
        log(f"cannot listen on 127.0.0.1:{args.port}: {exc}")
        return 1

    # INSERT bodies are handed to the engine as files (see Engine._statement);
    # leftovers of a killed server are garbage.
    spool = os.path.join(os.path.dirname(data), "spool")
    shutil.rmtree(spool, ignore_errors=True)
    os.makedirs(spool)
    Handler.spool_dir = spool

    engine = Engine(data)
    engine.bootstrap(args.database or ["belvo"])
    Handler.engine = engine
    Handler.tracker = tracker = Tracker()

    def on_signal(signum, _frame):
        if not tracker.stopping:
            tracker.stopping = True
            log(f"received {signal.Signals(signum).name}, shutting down")
            # shutdown() waits for serve_forever, which runs on this (main) thread.
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log(
        f"listening on http://127.0.0.1:{args.port} engine={engine.version} chdb={_chdb_version()} "
        f"data={data} tz={engine.timezone} pid={os.getpid()}"
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if not tracker.wait_idle(time.monotonic() + args.shutdown_grace):
            log(f"{tracker.active} request(s) still running after {args.shutdown_grace}s")
        engine.close()
        log("stopped")
    return 0


def _chdb_version() -> str:
    try:
        from importlib.metadata import version

        return version("chdb")
    except Exception:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
