// Package emulator is a faithful stand-in for Belvo: its REST API (every
// list endpoint of schemas.Resources, links, async POSTs, historical
// refreshes, link deletion), its faults (429/500/503, slow answers, the
// 403 HTML burst limit, a foreign next link) and its webhook delivery (five
// retries with linear backoff, same webhook_id). Records are copies of
// Belvo's own example records (templates/) whose identifying and analytic
// fields vary deterministically with the seed, so every run with the same
// seed serves the same data, and every event sent agrees with the data
// served afterwards.
//
// Endpoints (HTTP Basic with the configured key pair, except /_emulator/):
//
//	GET    <path of every schemas.Resources row>   Belvo's paginated list, filters applied; 400 required link on schemas.LinkRequired
//	POST   <path of AsyncPost rows>                body checked as schemas.AsyncBodies says (400 naming the member);
//	                                               async: 202 {request_id}, then a webhook describing the requested range; else 201
//	GET    /api/links/, /api/links/{id}/           the emulated links, Belvo's link shape
//	POST   /api/links/{id}/refresh/                202 {request_id} then historical_update webhooks (fetch_resources: those only);
//	                                               409 link_refreshed in the cooldown
//	DELETE /api/links/{id}/                        async: 202, then link_deleted (data null); else 204
//	GET    /_emulator/requests, /_emulator/events, /_emulator/links   what tests read
//
// Any other method on these paths is answered 405 method_not_allowed, with
// Belvo's error array and an Allow header; any other path 404.
//
// It is used by the tests of other stages, by `belvo-pipeline emulator`
// (make run) and by users' staging environments.
package emulator
