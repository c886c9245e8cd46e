package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/bulwarksec/bulwark/pkg/vuln/dbartifact"
	"github.com/bulwarksec/bulwark/pkg/vuln/dbbuild"
	"github.com/bulwarksec/bulwark/pkg/vuln/dbupdate"
	"github.com/bulwarksec/bulwark/pkg/vuln/vulndb"
	"github.com/spf13/cobra"
)

// maxDBAge is how old a database may be before commands warn.
const maxDBAge = 48 * time.Hour

// dbFlags locate the database.
type dbFlags struct {
	path string
}

func (f *dbFlags) addTo(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.path, "db", "", "vulnerability database file (default: bulwark/db/bulwark.db in the user cache directory)")
}

func (f *dbFlags) resolve() (string, error) {
	if f.path != "" {
		return f.path, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory for the database (use --db): %w", err)
	}
	return filepath.Join(d, "bulwark", "db", "bulwark.db"), nil
}

func newDBCommand(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Build, update and inspect the vulnerability database",
		Long: `The vulnerability database is one local file built from public feeds: OSV's
per-ecosystem exports, Alpine's secdb, CVE JSON 5 records (CVSS) and CISA's KEV
catalog. "db update" downloads what changed and rebuilds; "db build --from DIR"
builds from feeds already on disk, laid out as their publishers serve them
(osv/<Ecosystem>/all.zip, alpine-secdb/<branch>/<repo>.json, cve5/*.zip,
kev/known_exploited_vulnerabilities.json). A new database replaces the old one
only once complete.`,
		Example: `  bulwark db update
  bulwark db build --from /mirror/feeds
  bulwark db status`,
	}
	cmd.AddCommand(newDBBuildCommand(s), newDBUpdateCommand(s), newDBStatusCommand(s), newDBPushCommand(s))
	return cmd
}

func newDBBuildCommand(s *Streams) *cobra.Command {
	var (
		df   dbFlags
		from string
	)
	cmd := &cobra.Command{
		Use:     "build --from DIR",
		Short:   "Build the database from feeds on disk (air-gapped mirrors)",
		Example: "  bulwark db build --from ./feeds --db ./bulwark.db",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" {
				return &exitError{code: ExitInput, msg: "db build: --from DIR is required"}
			}
			out, err := df.resolve()
			if err != nil {
				return inputError(err)
			}
			start := time.Now()
			meta, err := dbbuild.Build(cmd.Context(), from, out, dbbuild.Options{Warn: warnTo(s)})
			if err != nil {
				return inputError(err)
			}
			fmt.Fprintf(s.Out, "built %s from %s in %s: %d advisories\n", out, from, time.Since(start).Round(time.Millisecond), meta.Vulns)
			return nil
		},
	}
	df.addTo(cmd)
	cmd.Flags().StringVar(&from, "from", "", "directory of feeds, laid out as their publishers serve them")
	return cmd
}

func newDBUpdateCommand(s *Streams) *cobra.Command {
	var (
		df       dbFlags
		mirror   string
		feeds    feedFlags
		registry string
		insecure bool
	)
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the feeds that changed and rebuild the database",
		Long: `Download each feed (only what changed since the last update, by ETag and
Last-Modified) into a local mirror, verify it, rebuild the database into a
temporary file and swap it in. A failed or interrupted update leaves the
previous database as it was.`,
		Example: `  bulwark db update
  bulwark db update --osv-url https://mirror.example/osv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := df.resolve()
			if err != nil {
				return inputError(err)
			}
			if registry != "" {
				d, err := dbartifact.Pull(cmd.Context(), registry, out, dbartifact.WithInsecure(insecure))
				if err != nil {
					return &exitError{code: ExitInput, msg: "db update: " + oneLine(err.Error()) + " (the previous database is unchanged)"}
				}
				fmt.Fprintf(s.Out, "updated %s from %s@%s\n", out, registry, d)
				return nil
			}
			if mirror == "" {
				mirror = filepath.Join(filepath.Dir(out), "feeds")
			}
			opts := dbupdate.Options{Sources: feeds.sources()}
			if s.IsTerminal != nil && s.IsTerminal() {
				opts.Progress = s.progress
			}
			got, err := dbupdate.Fetch(cmd.Context(), mirror, opts)
			if err != nil {
				return &exitError{code: ExitInput, msg: "db update: " + oneLine(err.Error()) + " (the previous database is unchanged)"}
			}
			meta, err := dbbuild.Build(cmd.Context(), mirror, out, dbbuild.Options{Warn: warnTo(s)})
			if err != nil {
				return &exitError{code: ExitInput, msg: "db update: " + oneLine(err.Error()) + " (the previous database is unchanged)"}
			}
			fmt.Fprintf(s.Out, "updated %s: %d feeds downloaded, %d unchanged; %d advisories\n", out, got.Downloaded, got.Unchanged, meta.Vulns)
			return nil
		},
	}
	df.addTo(cmd)
	cmd.Flags().StringVar(&mirror, "mirror", "", "where downloaded feeds are kept (default: beside the database)")
	cmd.Flags().StringVar(&registry, "from-registry", "", "pull a database pushed with 'bulwark db push' from this reference instead of the feeds")
	cmd.Flags().BoolVar(&insecure, "insecure", false, "allow a plain-HTTP registry for --from-registry")
	feeds.addTo(cmd)
	return cmd
}

// feedFlags override where `db update` downloads from (a mirror, a proxy).
type feedFlags struct {
	osv, secdb, kev string
	cve5            []string
	ecosystems      []string
}

func (f *feedFlags) addTo(cmd *cobra.Command) {
	d := dbupdate.DefaultSources()
	fl := cmd.Flags()
	fl.StringVar(&f.osv, "osv-url", d.OSVBase, "base URL serving OSV exports as <Ecosystem>/all.zip")
	fl.StringSliceVar(&f.ecosystems, "osv-ecosystems", d.OSVEcosystems, "OSV ecosystems to download")
	fl.StringVar(&f.secdb, "secdb-url", d.SecdbBase, "base URL serving Alpine's secdb as <branch>/<repo>.json")
	fl.StringSliceVar(&f.cve5, "cve5-url", d.CVE5, "zip archives of CVE JSON 5 records (for CVSS)")
	fl.StringVar(&f.kev, "kev-url", d.KEV, "CISA KEV catalog JSON")
}

func (f *feedFlags) sources() dbupdate.Sources {
	s := dbupdate.DefaultSources()
	s.OSVBase, s.OSVEcosystems, s.SecdbBase, s.CVE5, s.KEV = f.osv, f.ecosystems, f.secdb, f.cve5, f.kev
	return s
}

func newDBStatusCommand(s *Streams) *cobra.Command {
	var df dbFlags
	cmd := &cobra.Command{
		Use:     "status",
		Short:   "Show the database's sources, record counts, build time and age",
		Example: "  bulwark db status",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := df.resolve()
			if err != nil {
				return inputError(err)
			}
			db, err := vulndb.Open(p)
			if err != nil {
				if errors.Is(err, os.ErrNotExist) {
					return &exitError{code: ExitInput, msg: fmt.Sprintf("%s: no database; run 'bulwark db update' (or 'bulwark db build --from DIR' offline)", p)}
				}
				return inputError(err)
			}
			defer db.Close()
			m := db.Meta
			age := time.Since(m.Built)
			fmt.Fprintf(s.Out, "database  %s\nschema    %d\nbuilt     %s (%s ago)\nadvisories %d\n\n", p, m.SchemaVersion, m.Built.Format(time.RFC3339), age.Round(time.Minute), m.Vulns)
			fmt.Fprintln(s.Out, "sources")
			for _, src := range m.Sources {
				extra := ""
				if src.Version != "" {
					extra = " version " + src.Version
				}
				if src.Bad > 0 {
					extra += fmt.Sprintf(", %d unreadable", src.Bad)
				}
				fmt.Fprintf(s.Out, "  %-32s %7d records  %s%s\n", src.Name, src.Records, src.Where, extra)
			}
			fmt.Fprintln(s.Out, "\nadvisories per ecosystem")
			ecos := make([]string, 0, len(m.Ecosystems))
			for e := range m.Ecosystems {
				ecos = append(ecos, e)
			}
			sort.Strings(ecos)
			for _, e := range ecos {
				fmt.Fprintf(s.Out, "  %-20s %7d\n", e, m.Ecosystems[e])
			}
			if age > maxDBAge {
				fmt.Fprintf(s.Err, "bulwark: warning: the database is %s old; run 'bulwark db update'\n", strings.TrimSuffix(age.Round(time.Hour).String(), "0m0s"))
			}
			return nil
		},
	}
	df.addTo(cmd)
	return cmd
}

func newDBPushCommand(s *Streams) *cobra.Command {
	var (
		df       dbFlags
		insecure bool
	)
	cmd := &cobra.Command{
		Use:   "push REF",
		Short: "Push the database to a registry as an OCI artifact, for 'db update --from-registry'",
		Example: `  bulwark db push registry.example/security/bulwark-db:latest
  bulwark db update --from-registry registry.example/security/bulwark-db:latest   # on each machine`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := df.resolve()
			if err != nil {
				return inputError(err)
			}
			d, err := dbartifact.Push(cmd.Context(), p, args[0], dbartifact.WithInsecure(insecure))
			if err != nil {
				return &exitError{code: ExitInput, msg: "db push: " + oneLine(err.Error())}
			}
			fmt.Fprintf(s.Out, "pushed %s to %s@%s\n", p, args[0], d)
			return nil
		},
	}
	df.addTo(cmd)
	cmd.Flags().BoolVar(&insecure, "insecure", false, "allow a plain-HTTP registry")
	return cmd
}

// warnTo prints feed records that could not be read, one line each.
func warnTo(s *Streams) func(file, msg string) {
	return func(file, msg string) {
		fmt.Fprintf(s.Err, "bulwark: warning: %s: %s (left out)\n", file, oneLine(msg))
	}
}
