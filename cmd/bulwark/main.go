// Command bulwark hardens containers from Dockerfile to registry. All of
// its logic lives in the library packages; see internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/bulwarksec/bulwark/internal/cli"
	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], &cli.Streams{
		In:         os.Stdin,
		Out:        os.Stdout,
		Err:        os.Stderr,
		IsTerminal: func() bool { return term.IsTerminal(int(os.Stdout.Fd())) },
		ReadPassword: func(prompt string) ([]byte, error) {
			fd := int(os.Stdin.Fd())
			if !term.IsTerminal(fd) {
				return nil, cli.ErrNoTerminal
			}
			os.Stderr.WriteString(prompt)
			defer os.Stderr.WriteString("\n")
			return term.ReadPassword(fd)
		},
	})
	stop()
	os.Exit(code)
}
