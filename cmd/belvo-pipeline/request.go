package main

import (
	"context"
	"fmt"

	"github.com/finflow/belvo-pipeline/fetcher"
	"github.com/finflow/belvo-pipeline/internal/config"
)

// requestKinds maps the request subcommand's verbs to the kinds recorded
// in the requests fact.
var requestKinds = map[string]string{
	"async-post":  fetcher.KindAsyncPost,
	"refresh":     fetcher.KindRefresh,
	"delete-link": fetcher.KindDeleteLink,
}

// runRequest is `belvo-pipeline request async-post|refresh|delete-link
// --link L [...]`: it prints Belvo's request_id once the request is sent
// and recorded.
func runRequest(ctx context.Context, env *runEnv, args []string) error {
	if len(args) == 0 || requestKinds[args[0]] == "" {
		fmt.Fprintln(env.stdout, "usage: belvo-pipeline request async-post --link L --resource R [--date-from D --date-to D] [--type T] | refresh --link L [--fetch-resources T,...] | delete-link --link L")
		return fmt.Errorf("request: want a kind: async-post, refresh or delete-link")
	}
	cfg := fetcher.RequestConfig{Kind: requestKinds[args[0]]}
	set := config.New("request " + args[0])
	cfg.Bind(set)
	if _, err := parseOrUsage(set, args[1:], env); err != nil {
		return err
	}
	r, err := fetcher.NewRequester(cfg, env.log)
	if err != nil {
		return err
	}
	id, err := r.Run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, id)
	return nil
}
