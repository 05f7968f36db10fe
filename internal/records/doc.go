// Package records is the one Avro codec of the pipeline's records: it
// turns one Belvo record (its raw JSON and where it came from) into its
// resource's Avro record, and an Avro record back into a ClickHouse row,
// for every table of schemas.Tables(). goavro is the reference it is held
// to, byte for byte and value for value, by tests and fuzz targets in both
// directions.
//
// How each schemas.Kind is read from JSON, encoded, decoded and loaded is
// one row of one table (kinds.go); what the kind is in Avro and ClickHouse
// is the same Kind's schemas.KindType.
//
// It owns the conversion rules the schemas package only names: how each
// Kind is read from Belvo JSON, when a value is unfit rather than rounded,
// and how a record without an id gets one. The fetcher calls Encode and
// EncodeDeletion, which write the Avro binary encoding straight from the
// record and return its Kafka key, and EncodeValues for the facts it makes
// of Go values it holds (no JSON written and scanned back); Native,
// Deletion and NativeValues give the same values as goavro natives, for
// goavro to encode (and for tests to hold the encoders to). The sink
// decodes with a RowDecoder compiled per writer schema, into the cells of
// a ClickHouse block (CellsIn) or, where it needs Go values, a row (Row,
// the cells' values), and with goavro and Row for what it does not serve. Both hold one Converter per
// resource, built once: the per-field plans are computed in New so the hot
// path only walks maps.
//
// A record must be one JSON object in UTF-8 (RFC 8259); member names match
// exactly. It is read in one pass by a scanner that materializes only the
// planned paths (see scan.go for why not encoding/json); tests hold it to
// encoding/json's verdicts and values.
//
// Reading rules, per kind (a JSON null, a missing member, a null parent
// object, and "" for any kind but String and Enum, are null). A value the
// rules refuse, and every field below a scalar or array where its path
// needs an object, is unfit: the field is null and named in the record's
// unfit_fields, the record is kept, and raw holds the exact value. Nothing
// is rounded or guessed.
//   - String, Enum: a JSON string as is; a number or bool keeps its JSON
//     text (1.50 stays "1.50"); an object or array is refused.
//   - Decimal: a JSON number, or a string holding one, exactly. More than 10
//     decimal places (0.30000000000000004, a float64 sum Belvo's "format:
//     float" may send), or more than 28 integer digits (Decimal(38,10)), is
//     refused: never rounded.
//   - Int: an integral number (2018 or 2018.0), or a string holding one.
//   - Float: a number, or a string holding one.
//   - Bool: true or false only.
//   - Date: "YYYY-MM-DD", or a timestamp whose first ten characters are
//     one; the date is taken as written, in the timestamp's own offset (so
//     2024-03-15T00:30:00+02:00 is 2024-03-15, Belvo's calendar day, not the
//     UTC one), and built at UTC midnight so Avro's day count is exact.
//   - Timestamp: RFC 3339 with any offset, converted to UTC; without an
//     offset it is read as UTC; a bare date is its UTC midnight. Digits
//     below the microsecond are dropped (Avro and ClickHouse keep micros).
//
// Dates and timestamps outside 1900-01-01..2299-12-31 are refused: ClickHouse
// Date32 and DateTime64 would clamp them silently. The sink applies the
// same column limits to what it decodes (a record written by another
// producer), adding the fields it finds unfit to the record's own.
//
// A record is refused (a *FieldError, dead-lettered by its stage) only
// when it cannot be identified or traced: it is not one JSON object in
// UTF-8, it has no id and no Key, or its lineage lacks a link or a time.
package records
