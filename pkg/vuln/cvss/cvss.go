// Package cvss turns CVSS vectors into base scores and severities, with
// github.com/pandatix/go-cvss doing the arithmetic of each specification
// (v2.0, v3.0, v3.1, v4.0).
package cvss

import (
	"fmt"
	"math"
	"strings"

	cvss20 "github.com/pandatix/go-cvss/20"
	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
	cvss40 "github.com/pandatix/go-cvss/40"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
)

// Score computes the base score of a vector and names its version.
func Score(vector string) (score float64, version string, err error) {
	// The library is careful, but a vector comes from a feed: a panic on a
	// hostile one must be that record's error.
	defer func() {
		if r := recover(); r != nil {
			score, version, err = 0, "", fmt.Errorf("not a CVSS vector: %q", vector)
		}
	}()
	v := strings.TrimSpace(vector)
	switch {
	case strings.HasPrefix(v, "CVSS:4.0/"):
		c, err := cvss40.ParseVector(v)
		if err != nil {
			return 0, "", err
		}
		return round1(c.Score()), "4.0", nil
	case strings.HasPrefix(v, "CVSS:3.1/"):
		c, err := cvss31.ParseVector(v)
		if err != nil {
			return 0, "", err
		}
		return c.BaseScore(), "3.1", nil
	case strings.HasPrefix(v, "CVSS:3.0/"):
		c, err := cvss30.ParseVector(v)
		if err != nil {
			return 0, "", err
		}
		return c.BaseScore(), "3.0", nil
	case strings.HasPrefix(strings.TrimPrefix(v, "("), "AV:"):
		c, err := cvss20.ParseVector(strings.TrimSuffix(strings.TrimPrefix(v, "("), ")"))
		if err != nil {
			return 0, "", err
		}
		return c.BaseScore(), "2.0", nil
	}
	return 0, "", fmt.Errorf("not a CVSS vector: %q", vector)
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// Severity maps a score to the qualitative rating every CVSS version since
// 3.0 defines (0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10 critical);
// 0 is none, reported as info.
func Severity(score float64) finding.Severity {
	switch {
	case score >= 9.0:
		return finding.Critical
	case score >= 7.0:
		return finding.High
	case score >= 4.0:
		return finding.Medium
	case score > 0:
		return finding.Low
	}
	return finding.Info
}
