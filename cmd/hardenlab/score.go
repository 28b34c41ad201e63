package main

import "context"

// cmdScore is being written; until then it says so and fails.
func cmdScore(ctx context.Context, args []string, io stdio) int {
	errorf(io, "score: not implemented yet")
	return exitError
}
