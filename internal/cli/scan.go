package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/bulwarksec/bulwark/internal/version"
	"github.com/bulwarksec/bulwark/pkg/core/policy"
	"github.com/bulwarksec/bulwark/pkg/core/sbom"
	"github.com/bulwarksec/bulwark/pkg/image/source"
	"github.com/bulwarksec/bulwark/pkg/imagecheck/imgrule"
	"github.com/bulwarksec/bulwark/pkg/imagecheck/scan"
	"github.com/bulwarksec/bulwark/pkg/report"
	"github.com/bulwarksec/bulwark/pkg/report/cyclonedx"
	"github.com/bulwarksec/bulwark/pkg/vuln/dbbuild"
	"github.com/bulwarksec/bulwark/pkg/vuln/dbupdate"
	"github.com/bulwarksec/bulwark/pkg/vuln/vulndb"
	units "github.com/docker/go-units"
	"github.com/spf13/cobra"
)

func newScanCommand(s *Streams) *cobra.Command {
	var (
		ff            findingsFlags
		sf            sourceFlags
		df            dbFlags
		ignoreUnfixed bool
		includeDev    bool
		priority      string
		failOnKEV     bool
		skipUpdate    bool
		offline       bool
		grace         string
		base          string
		failOnBase    bool
		scanners      []string
		minEfficiency float64
		maxLayer      string
	)
	cmd := &cobra.Command{
		Use:   "scan TARGET",
		Short: "Check an image or directory: known vulnerabilities, image checks, secrets; with a CI gate",
		Long: `Scan TARGET (an image or a directory, as for 'bulwark sbom') in one pass over
its layers: known vulnerabilities (its packages matched against the local
database with each ecosystem's own version rules), the image checks (IMG
rules: user, setuid files, caches, wasted space, libc mismatch, entrypoint,
end of life ...) and secrets; --scanners chooses. The report shows every
finding and the layers; --fail-on, --fail-on-kev, --ignore-unfixed and
--min-efficiency decide the exit code. Without a database the other checks
run and the report says vulnerabilities were not checked.

The database is updated first when it is missing or older than two days,
unless --skip-db-update or --offline is given.`,
		Example: `  bulwark scan alpine:3.20
  bulwark scan --fail-on high --ignore-unfixed docker-archive:app.tar
  bulwark scan --format sarif -o scan.sarif oci-dir:./layout
  bulwark scan --offline --db ./bulwark.db dir:./rootfs`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, pol, err := ff.setup(s)
			if err != nil {
				return err
			}
			pol.IgnoreUnfixed, pol.FailOnKEV = ignoreUnfixed, failOnKEV
			if grace != "" {
				if pol.GracePeriod, err = policy.ParseDuration(grace); err != nil {
					return &exitError{code: ExitInput, msg: "--grace-period: " + err.Error()}
				}
			}
			opts := scan.Options{Cache: sf.cache(s), IncludeDev: includeDev}
			switch priority {
			case "precise":
			case "comprehensive":
				opts.IncludeUnpinned = true
			default:
				return &exitError{code: ExitInput, msg: fmt.Sprintf("--detection-priority: %q is not precise or comprehensive", priority)}
			}
			if opts.Scanners, err = scan.ParseScanners(scanners); err != nil {
				return &exitError{code: ExitInput, msg: "--scanners: " + err.Error()}
			}
			if minEfficiency < 0 || minEfficiency > 1 {
				return &exitError{code: ExitInput, msg: fmt.Sprintf("--min-efficiency: %v is not between 0 and 1", minEfficiency)}
			}
			if maxLayer != "" {
				if opts.Rules.MaxLayerSize, err = units.RAMInBytes(maxLayer); err != nil || opts.Rules.MaxLayerSize <= 0 {
					return &exitError{code: ExitInput, msg: fmt.Sprintf("--max-layer-size: %q is not a size such as 500MB", maxLayer)}
				}
			}
			var warnings []string
			if opts.Has(scan.Vuln) {
				db, why, err := openScanDB(cmd, s, df, skipUpdate || offline)
				if err != nil {
					return err
				}
				if db == nil && len(opts.Scanners) == 1 {
					return &exitError{code: ExitInput, msg: why + "; run 'bulwark db update' (or 'bulwark db build --from DIR' offline)"}
				}
				if db != nil {
					defer db.Close()
					opts.DB = db
					if age := time.Since(db.Meta.Built); age > maxDBAge {
						warnings = append(warnings, fmt.Sprintf("the vulnerability database is %s old; run 'bulwark db update'", age.Round(time.Hour)))
					}
				} else {
					opts.NoDB = why
					warnings = append(warnings, "vulnerabilities were NOT checked: "+why+"; run 'bulwark db update'")
				}
			}
			t, err := source.Open(cmd.Context(), args[0], sf.options()...)
			if err != nil {
				return inputError(err)
			}
			defer t.Close()
			res, err := scan.Run(cmd.Context(), t, opts)
			if err != nil {
				return inputError(err)
			}
			baseName := base
			if baseName == "" && res.Config != nil && !offline {
				baseName = baseAnnotation(t)
			}
			var baseInfo *report.BaseImage
			if baseName != "" {
				n, err := baseLayers(cmd, baseName, res.Layers, sf)
				if err != nil {
					if base != "" {
						return inputError(err)
					}
					warnings = append(warnings, fmt.Sprintf("base image %s (from the image's annotation) could not be read: %v", baseName, err))
				} else {
					baseInfo = &report.BaseImage{Name: baseName, Layers: n, Findings: res.MarkBase(n)}
				}
			}
			pol.GateSkipsBase = !failOnBase
			if minEfficiency > 0 && res.Efficiency.Score < minEfficiency {
				// Like dive --ci: below the floor fails whatever --fail-on
				// says, unless IMG021 is ignored.
				pol.AlwaysFail = append(pol.AlwaysFail, "IMG021")
				warnings = append(warnings, fmt.Sprintf("image efficiency %.1f%% is below --min-efficiency %.1f%%", res.Efficiency.Score*100, minEfficiency*100))
			}
			var inGrace []string
			for _, f := range res.Findings {
				if pol.InGrace(f) {
					inGrace = append(inGrace, f.ID)
				}
			}
			if len(inGrace) > 0 {
				warnings = append(warnings, fmt.Sprintf("%d vulnerabilities published within the %s grace period do not fail the gate: %s", len(inGrace), grace, strings.Join(inGrace, ", ")))
			}
			for _, u := range res.Unmatchable {
				warnings = append(warnings, fmt.Sprintf("%s %s (%s) could not be matched: %v", u.Package.Name, u.Package.Version, u.Package.Ecosystem, u.Err))
			}
			r := &report.Report{
				Target:   report.Target{Name: args[0], Kind: targetKind(t), OS: res.Inventory.OS, Base: baseInfo},
				Packages: res.Inventory.Packages,
				Warnings: append(warnings, res.Warnings...),
				Rules:    imgrule.Rules(),
			}
			for _, c := range res.Checks {
				r.Checks = append(r.Checks, report.Check{Name: string(c.Scanner), Ran: c.Ran, Reason: c.Reason})
			}
			if res.Config != nil {
				r.Layers = res.LayerView
				eff := res.Efficiency
				r.Efficiency = &eff
			}
			pol.Target = args[0]
			if t.Digest.Hex != "" {
				r.Target.Digest = t.Digest.String()
				pol.Target = args[0] + "@" + r.Target.Digest
			}
			ff.extra = map[string]func(io.Writer, *report.Report) error{
				"cyclonedx": func(w io.Writer, r *report.Report) error {
					meta := sbom.Meta{Name: args[0], Digest: r.Target.Digest, Kind: r.Target.Kind, ToolName: "bulwark", ToolVersion: version.String()}
					return cyclonedx.WriteWithVulnerabilities(w, res.Inventory, meta, r.Findings)
				},
			}
			return ff.finish(s, pol, r, res.Findings, 0, nil)
		},
	}
	ff.addTo(cmd)
	ff.extra = map[string]func(io.Writer, *report.Report) error{"cyclonedx": nil} // set once the target is read
	cmd.Flag("format").Usage = "output format: table, json, sarif or cyclonedx (CycloneDX 1.6 with vulnerabilities)"
	sf.addTo(cmd)
	df.addTo(cmd)
	cmd.Flags().StringVar(&priority, "detection-priority", "precise", "precise: match only versions known to be installed; comprehensive: also match the lowest version a range allows (requirements.txt >=, ~=, ==1.*), as Trivy's flag of the same name")
	cmd.Flags().BoolVar(&includeDev, "include-dev", false, "match development dependencies too (npm/pnpm dev, Pipfile develop, composer packages-dev); they are always listed")
	cmd.Flags().BoolVar(&ignoreUnfixed, "ignore-unfixed", false, "leave vulnerabilities without a fixed version out of the gate (still reported)")
	cmd.Flags().BoolVar(&failOnKEV, "fail-on-kev", false, "fail on any vulnerability in CISA's Known Exploited Vulnerabilities catalog, whatever its severity")
	cmd.Flags().StringVar(&grace, "grace-period", "", "vulnerabilities published less than this long ago (\"7d\", \"36h\") warn but do not fail the gate")
	cmd.Flags().StringVar(&base, "base", "", "the image's base image (any TARGET form); its layers' findings are marked fromBase (default: the org.opencontainers.image.base.name annotation, when the image has one)")
	cmd.Flags().BoolVar(&failOnBase, "fail-on-base", true, "let findings that only the base image's layers carry fail the gate (--fail-on-base=false: only the application's own layers can)")
	cmd.Flags().StringSliceVar(&scanners, "scanners", []string{"vuln", "image", "secret"}, "check families to run: vuln (known vulnerabilities), image (IMG rules on configuration, files and layers), secret (secrets in files, ENV and history)")
	cmd.Flags().Float64Var(&minEfficiency, "min-efficiency", 0, "fail when the image's layer efficiency (as Dive computes it, 0-1) is below this, like dive --ci's lowestEfficiency")
	cmd.Flags().StringVar(&maxLayer, "max-layer-size", "", "IMG022's threshold: report a layer larger than this (\"200MB\", \"1GB\"; default 500MB)")
	cmd.Flags().BoolVar(&skipUpdate, "skip-db-update", false, "do not update the database, even when it is old")
	cmd.Flags().BoolVar(&offline, "offline", false, "no network at all (implies --skip-db-update)")
	return cmd
}

// baseAnnotation returns the base image an image names in its manifest
// annotations (BuildKit and docker buildx write them), or "".
func baseAnnotation(t *source.Target) string {
	a := t.Annotations()
	name := a["org.opencontainers.image.base.name"]
	if d := a["org.opencontainers.image.base.digest"]; name != "" && d != "" && !strings.Contains(name, "@") {
		name += "@" + d
	}
	return name
}

// baseLayers opens the base image and counts the image's layers that are
// its.
func baseLayers(cmd *cobra.Command, base string, layers []source.Layer, sf sourceFlags) (int, error) {
	bt, err := source.Open(cmd.Context(), base, sf.options()...)
	if err != nil {
		return 0, err
	}
	defer bt.Close()
	return scan.BaseLayers(layers, bt)
}

// openScanDB refreshes (unless told not to) and opens the database. A
// missing database is not an error: it returns nil and why, and the scan
// runs its other checks. A fresh database is opened once.
func openScanDB(cmd *cobra.Command, s *Streams, df dbFlags, noUpdate bool) (*vulndb.DB, string, error) {
	dbPath, err := df.resolve()
	if err != nil {
		return nil, "", inputError(err)
	}
	if !noUpdate {
		db, err := vulndb.Open(dbPath)
		switch {
		case err == nil && time.Since(db.Meta.Built) < maxDBAge:
			return db, "", nil
		case err == nil:
			db.Close()
			refreshDB(cmd, s, dbPath)
		case errors.Is(err, os.ErrNotExist) || errors.Is(err, vulndb.ErrSchema):
			refreshDB(cmd, s, dbPath)
		}
		// Unreadable for another reason: the Open below reports it.
	}
	db, err := vulndb.Open(dbPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, "no vulnerability database at " + dbPath, nil
		}
		return nil, "", inputError(err)
	}
	return db, "", nil
}

// refreshDB updates a missing, old or other-schema database (never
// misread: rebuilt); on failure it warns and the scan goes on with what
// there is.
func refreshDB(cmd *cobra.Command, s *Streams, dbPath string) {
	mirror := dbPath + ".feeds"
	opts := dbupdate.Options{}
	if s.IsTerminal != nil && s.IsTerminal() {
		opts.Progress = s.progress
	}
	if _, err := dbupdate.Fetch(cmd.Context(), mirror, opts); err != nil {
		fmt.Fprintf(s.Err, "bulwark: warning: database update failed: %s\n", oneLine(err.Error()))
		return
	}
	if _, err := dbbuild.Build(cmd.Context(), mirror, dbPath, dbbuild.Options{Warn: warnTo(s)}); err != nil {
		fmt.Fprintf(s.Err, "bulwark: warning: database build failed: %s\n", oneLine(err.Error()))
	}
}
