package cvss

import (
	"testing"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
)

func TestScore(t *testing.T) {
	for v, want := range map[string]float64{
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H":                    9.8,
		"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H":                    9.8,
		"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N":                    3.7,
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N": 9.3,
		"AV:N/AC:L/Au:N/C:P/I:P/A:P":                                      7.5,
	} {
		got, _, err := Score(v)
		if err != nil || got != want {
			t.Errorf("Score(%s) = %v, %v; want %v", v, got, err, want)
		}
	}
	for _, bad := range []string{"", "CVSS:3.1/AV:X", "nonsense"} {
		if _, _, err := Score(bad); err == nil {
			t.Errorf("Score(%q): no error", bad)
		}
	}
	if Severity(9.8) != finding.Critical || Severity(7.0) != finding.High || Severity(4.0) != finding.Medium || Severity(0.1) != finding.Low || Severity(0) != finding.Info {
		t.Error("Severity")
	}
}

func FuzzScore(f *testing.F) {
	f.Add("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	f.Add("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
	f.Add("AV:N/AC:L/Au:N/C:P/I:P/A:P")
	f.Fuzz(func(t *testing.T, v string) { _, _, _ = Score(v) })
}
