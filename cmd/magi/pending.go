package main

import (
	"context"
	"errors"
)

// These commands are not built yet; they say so rather than pretend.
var errNotBuilt = errors.New("this command is not built yet in this version of magi")

func cmdKeys(ctx context.Context, env *environment, args []string) error  { return errNotBuilt }
