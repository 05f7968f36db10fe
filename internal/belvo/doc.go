// Package belvo is the production client of Belvo's REST API: HTTP Basic
// with the secret key pair, paginated lists streamed page by page with each
// record kept as Belvo's raw JSON, typed filters, Belvo's error bodies as
// typed errors, one retry policy, and a request-rate limiter shared by every
// worker of a process. It also starts Belvo's asynchronous work: async POSTs,
// historical refreshes and link deletions, whose results arrive as webhooks.
//
// It owns nothing about what to fetch: the fetcher plans calls from
// schemas.Catalogue and hands them to this client.
package belvo
