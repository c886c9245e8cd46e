// Package cli is Bulwark's command line: one file per verb, each turning
// flags into a library call and rendering the result. It holds no logic of
// its own beyond that, and no global state.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/bulwarksec/bulwark/pkg/core/printable"
	"github.com/bulwarksec/bulwark/pkg/core/regtransport"
	"github.com/docker/go-units"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spf13/cobra"
)

// Exit codes, the contract scripts rely on.
const (
	ExitOK = 0
	// ExitFindings: a finding at or above --fail-on remains.
	ExitFindings = 1
	// ExitInput: bad usage, or input that could not be read.
	ExitInput = 2
)

// exitError carries an exit code up to Run, with a message already
// printed (or none to print).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// Streams are the standard streams a command uses; tests supply buffers.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
	// Getenv reads the environment (NO_COLOR ...); nil means os.Getenv.
	Getenv func(string) string
	// IsTerminal reports whether Out is a terminal; nil means never.
	IsTerminal func() bool
	// WorkDir is where the config search starts; "" means the process's.
	WorkDir string
	// ReadPassword prompts on the terminal without echo; nil, or
	// ErrNoTerminal, when there is none.
	ReadPassword func(prompt string) ([]byte, error)
	// LookupEnv reads the environment telling unset from empty; nil means
	// os.LookupEnv.
	LookupEnv func(string) (string, bool)

	// progress is Err before Run made it printable: download progress
	// lines, which are Bulwark's own and need their carriage returns.
	progress io.Writer
	// deadline is the command's context under --timeout, and cancel ends it.
	deadline context.Context
	cancel   context.CancelFunc
	timeout  time.Duration
}

// printableWriter escapes what a terminal would obey in text written to
// stderr (escape sequences, carriage returns): every message may name
// files, images and packages an attacker made. Each write is one message
// or line; newlines and tabs between them stay.
type printableWriter struct{ w io.Writer }

func (p printableWriter) Write(b []byte) (int, error) {
	parts := strings.Split(string(b), "\n")
	for i, s := range parts {
		parts[i] = printable.Escape(strings.ReplaceAll(s, "\t", " "))
	}
	if _, err := io.WriteString(p.w, strings.Join(parts, "\n")); err != nil {
		return 0, err
	}
	return len(b), nil
}

// ErrNoTerminal says a password was needed and there is no terminal to
// ask on.
var ErrNoTerminal = errors.New("no terminal to ask for the password on")

func (s *Streams) lookupEnv(k string) (string, bool) {
	if s.LookupEnv != nil {
		return s.LookupEnv(k)
	}
	return os.LookupEnv(k)
}

func (s *Streams) getenv(k string) string {
	if s.Getenv != nil {
		return s.Getenv(k)
	}
	return os.Getenv(k)
}

// NewRoot builds the bulwark command tree.
func NewRoot(s *Streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "bulwark",
		Short: "Harden containers from Dockerfile to registry",
		Long: `Bulwark checks what goes into a container image and how it runs: Dockerfiles,
image contents and layers, known vulnerabilities, Kubernetes and Compose settings,
and registry signing and retention, in one report with one severity gate.`,
		Example: `  # Lint every Dockerfile under the current directory
  bulwark lint .

  # Fail a CI job on high or critical findings, with SARIF for code scanning
  bulwark lint --fail-on high --format sarif --output bulwark.sarif .

  # Lint from standard input
  cat Dockerfile | bulwark lint -`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	var realms []string
	var timeout time.Duration
	maxMemory := "1GB"
	root.PersistentFlags().StringVar(&maxMemory, "max-memory", maxMemory, "the memory the command aims to stay under (Go's memory limit; file contents held at once are bounded separately); 0 for none")
	root.PersistentFlags().DurationVar(&timeout, "timeout", 10*time.Minute, "stop the command after this long (0 for no limit): no server can hold it forever")
	root.PersistentFlags().StringSliceVar(&realms, "allow-token-realm", nil, "a token service host (host or host:port) that may receive registry credentials although it is not a registry this command reaches (also BULWARK_ALLOW_TOKEN_REALM, comma-separated)")
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if env, ok := s.lookupEnv("BULWARK_ALLOW_TOKEN_REALM"); ok && env != "" {
			realms = append(realms, strings.Split(env, ",")...)
		}
		// The one process-wide setting: go-containerregistry's default
		// transport, which every registry request of every command uses.
		remote.DefaultTransport = regtransport.New(realms...)
		if maxMemory != "0" {
			n, err := units.RAMInBytes(maxMemory)
			if err != nil || n <= 0 {
				return &exitError{code: ExitInput, msg: fmt.Sprintf("--max-memory: %q is not a size such as 1GB", maxMemory)}
			}
			// A soft limit: the collector works harder near it. The hard
			// bounds are the readers' own (content budget, size caps).
			// Go's limit covers what Go allocates; a tenth is left for
			// what it does not (the database's mapped pages, thread
			// stacks), so the process as a whole stays under n.
			debug.SetMemoryLimit(n - n/10)
		}
		if timeout < 0 {
			return &exitError{code: ExitInput, msg: fmt.Sprintf("--timeout %s is negative", timeout)}
		}
		if timeout > 0 {
			s.deadline, s.cancel = context.WithTimeout(c.Context(), timeout)
			s.timeout = timeout
			c.SetContext(s.deadline)
		}
		return nil
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: ExitInput, msg: fmt.Sprintf("%v (see '%s --help')", err, c.CommandPath())}
	})
	root.AddCommand(newLintCommand(s), newSBOMCommand(s), newScanCommand(s), newBaseCommand(s), newAuditCommand(s), newHardenCommand(s), newKeyCommand(s), newSignCommand(s), newAttestCommand(s), newVerifyCommand(s), newPinCommand(s), newPruneCommand(s), newRegistryCommand(s), newPushCommand(s), newOutdatedCommand(s), newDBCommand(s), newVersionCommand(s))
	return root
}

// Run executes the command line args and returns the exit code. Errors are
// printed as one line on s.Err.
func Run(ctx context.Context, args []string, s *Streams) int {
	if _, ok := s.Err.(printableWriter); !ok && s.Err != nil {
		s.progress = s.Err
		s.Err = printableWriter{s.Err}
	}
	root := NewRoot(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if s.cancel != nil {
		defer s.cancel()
	}
	if err == nil {
		return ExitOK
	}
	if s.deadline != nil && errors.Is(s.deadline.Err(), context.DeadlineExceeded) {
		fmt.Fprintf(s.Err, "bulwark: stopped after --timeout %s (raise it, or 0 for no limit): %s\n", s.timeout, oneLine(err.Error()))
		return ExitInput
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(s.Err, "bulwark: %s\n", ee.msg)
		}
		return ee.code
	}
	msg := err.Error()
	// cobra's suggestions come on extra lines; the contract is one line.
	if i := strings.Index(msg, "\n\nDid you mean this?\n"); i >= 0 {
		sugg := strings.Fields(msg[i+len("\n\nDid you mean this?\n"):])
		msg = msg[:i] + "; did you mean " + strings.Join(sugg, " or ") + "?"
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if strings.HasPrefix(msg, "unknown command") || strings.Contains(msg, "accepts") || strings.Contains(msg, "arg(s)") {
		msg += " (see 'bulwark --help')"
	}
	fmt.Fprintf(s.Err, "bulwark: %s\n", msg)
	return ExitInput
}
