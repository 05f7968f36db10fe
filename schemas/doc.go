// Package schemas is the one description of the data the pipeline moves: the
// Belvo REST resources (paths, filters, webhook types, typed fields), the Avro
// schemas derived from them, the webhook envelope and the ClickHouse DDL.
//
// Every stage imports this package; it imports none of them.
package schemas
