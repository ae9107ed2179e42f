// composecheck loads Compose files the way `docker compose config` does, with compose-go (the
// Compose Specification's reference loader, which the Docker Compose CLI runs): it validates
// them against the specification's JSON schema, interpolates, normalises, and prints the
// resulting model as YAML, or the loader's error with exit status 1. Offline: no Docker
// engine, no network. Built by `python -m tools.deploy_check` (make deploy-check) into the
// newsstream cache.
//
//	composecheck docker-compose.yml [override.yml ...]
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: composecheck COMPOSE_FILE [COMPOSE_FILE ...]")
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions(os.Args[1:], cli.WithOsEnv, cli.WithDotEnv)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := project.MarshalYAML()
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
