package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/bulwarksec/bulwark/internal/version"
	"github.com/bulwarksec/bulwark/pkg/core/config"
	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/inputerr"
	"github.com/bulwarksec/bulwark/pkg/core/policy"
	"github.com/bulwarksec/bulwark/pkg/core/vex"
	"github.com/bulwarksec/bulwark/pkg/report"
	"github.com/spf13/cobra"
)

// findingsFlags are the flags of every command that reports findings:
// output format and file, the gate, ignores and the config file. Each
// command adds them with addTo and uses them through its methods, so no
// command copies them field by field.
type findingsFlags struct {
	format     string
	output     string
	failOn     string
	ignore     []string
	ignoreFile string
	configPath string
	vex        []string
	// extra renders formats beyond table, json and sarif that one command
	// offers (scan's cyclonedx), by name.
	extra map[string]func(w io.Writer, r *report.Report) error
}

func (f *findingsFlags) addTo(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "f", "table", "output format: table, json or sarif")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to this file instead of standard output")
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 when a finding at or above this severity remains: critical, high, medium, low or info")
	fl.StringSliceVar(&f.ignore, "ignore", nil, "rule or vulnerability IDs (or aliases such as DL3008) not to report; repeat or separate with commas")
	fl.StringVar(&f.ignoreFile, "ignore-file", "", "ignore file (default: "+policy.IgnoreFileName+" beside the config file, or in the working directory)")
	fl.StringVar(&f.configPath, "config", "", "config file (default: the first .bulwark.yaml found upward from the working directory)")
	fl.StringSliceVar(&f.vex, "vex", nil, "OpenVEX document whose not_affected and fixed statements suppress vulnerabilities; repeat for several")
}

// setup loads the config file and builds the policy from it and the flags.
func (f *findingsFlags) setup(s *Streams) (*config.Config, *policy.Policy, error) {
	_, extra := f.extra[f.format]
	if _, err := report.ParseFormat(f.format); err != nil && !extra {
		return nil, nil, &exitError{code: ExitInput, msg: "--format: " + err.Error()}
	}
	wd := s.WorkDir
	if wd == "" {
		wd, _ = os.Getwd()
	}
	var cfg *config.Config
	var err error
	if f.configPath != "" {
		cfg, err = config.Load(f.configPath)
	} else {
		cfg, err = config.Find(wd)
	}
	if err != nil {
		return nil, nil, inputError(err)
	}
	pol := &policy.Policy{Severity: cfg.Severity, Disabled: cfg.Disable}
	failOn := cfg.FailOn
	if f.failOn != "" {
		failOn = f.failOn
	}
	if failOn != "" {
		sev, err := finding.ParseSeverity(failOn)
		if err != nil || sev == finding.Unknown {
			return nil, nil, &exitError{code: ExitInput, msg: fmt.Sprintf("--fail-on: unknown severity %q (want critical, high, medium, low or info)", failOn)}
		}
		pol.FailOn = sev
	}
	ignorePath, explicit := f.ignoreFile, f.ignoreFile != ""
	switch {
	case explicit:
	case cfg.IgnoreFile != "":
		ignorePath, explicit = filepath.Join(cfg.Dir(), cfg.IgnoreFile), true
	case cfg.Dir() != "":
		ignorePath = filepath.Join(cfg.Dir(), policy.IgnoreFileName)
	default:
		ignorePath = filepath.Join(wd, policy.IgnoreFileName)
	}
	if _, statErr := os.Stat(ignorePath); statErr == nil || explicit {
		ig, err := policy.LoadIgnoreFile(ignorePath)
		if err != nil {
			return nil, nil, inputError(err)
		}
		pol.Ignores = ig
		pol.IgnoreBase, _ = filepath.Abs(filepath.Dir(ignorePath))
	}
	pol.Ignores = append(pol.Ignores, policy.CommandLineIgnores(f.ignore)...)
	for _, v := range f.vex {
		d, err := vex.Load(v)
		if err != nil {
			return nil, nil, inputError(err)
		}
		pol.VEX = append(pol.VEX, d)
	}
	return cfg, pol, nil
}

// inputError turns an error loading the user's files into exit code 2 with
// its one-line message.
func inputError(err error) error {
	var ie *inputerr.Error
	if errors.As(err, &ie) {
		return &exitError{code: ExitInput, msg: ie.Error()}
	}
	return &exitError{code: ExitInput, msg: err.Error()}
}

// finish applies the policy to the findings, writes the report, prints
// warnings and input errors to stderr, and returns the exit status.
func (f *findingsFlags) finish(s *Streams, pol *policy.Policy, r *report.Report, fs []finding.Finding, suppressed int, inputErrs []error) error {
	res := pol.Apply(fs)
	r.SchemaVersion = report.SchemaVersion
	r.Tool = report.Tool{Name: "bulwark", Version: version.String()}
	r.Findings = res.Findings
	r.Suppressed = suppressed + len(res.Suppressed)
	for _, sp := range res.Suppressed {
		r.SuppressedFindings = append(r.SuppressedFindings, report.SuppressedFinding{ID: sp.Finding.ID, Package: sp.Finding.Package, Location: sp.Finding.Location, By: sp.By, Reason: sp.Reason})
	}
	r.Warnings = append(r.Warnings, res.Warnings...)
	for _, e := range inputErrs {
		ie := report.InputError{Message: e.Error()}
		var x *inputerr.Error
		if errors.As(e, &x) {
			ie = report.InputError{File: x.File, Line: x.Line, Message: x.Err.Error()}
		}
		r.Errors = append(r.Errors, ie)
	}
	format, _ := report.ParseFormat(f.format)
	opts := report.Options{Color: f.output == "" && s.IsTerminal != nil && s.IsTerminal() && s.getenv("NO_COLOR") == ""}
	var buf bytes.Buffer
	if render := f.extra[f.format]; render != nil {
		if err := render(&buf, r); err != nil {
			return err
		}
	} else if err := report.Write(&buf, r, format, opts); err != nil {
		return err
	}
	if err := writeOutput(s, f.output, buf.Bytes()); err != nil {
		return err
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(s.Err, "bulwark: warning: %s\n", w)
	}
	for _, e := range inputErrs {
		fmt.Fprintf(s.Err, "bulwark: %s\n", oneLine(e.Error()))
	}
	switch {
	case len(inputErrs) > 0:
		return &exitError{code: ExitInput}
	case pol.Fails(r.Findings):
		return &exitError{code: ExitFindings}
	}
	return nil
}

// oneLine keeps a message to one line, whatever a parser put in it.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// writeFileAtomic writes data to a temporary file beside name and renames
// it into place, so a reader never sees half a report. The temporary file
// is named for the process that writes it: one left by a run that was
// killed part way is removed by the next write beside it.
func writeFileAtomic(name string, data []byte) error {
	dir := filepath.Dir(name)
	prefix := "." + filepath.Base(name) + ".bulwark-tmp-"
	removeStale(dir, prefix)
	tmp, err := os.CreateTemp(dir, prefix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, unwrapPath(err))
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("writing %s: %w", name, unwrapPath(err))
	}
	return nil
}

// removeStale removes temporary files of writeFileAtomic in dir whose
// writing process is gone.
func removeStale(dir, prefix string) {
	stale, _ := filepath.Glob(filepath.Join(dir, prefix+"*"))
	for _, f := range stale {
		pid, _, ok := strings.Cut(strings.TrimPrefix(filepath.Base(f), prefix), "-")
		if n, err := strconv.Atoi(pid); ok && err == nil && n != os.Getpid() && !alive(n) {
			os.Remove(f)
		}
	}
}

// alive reports whether process pid exists (signal 0 checks without
// sending anything).
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
