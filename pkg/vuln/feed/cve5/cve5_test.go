package cve5

import "testing"

func TestParse(t *testing.T) {
	r, err := Parse([]byte(`{"cveMetadata": {"cveId": "CVE-2024-9143", "datePublished": "2024-10-16"},
		"containers": {"cna": {"metrics": [{"cvssV4_0": {"vectorString": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "baseScore": 9.3}}]},
		"adp": [{"metrics": [{"cvssV3_1": {"vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N", "baseScore": 6.5}}, {"other": {}}]}]}}`))
	if err != nil || r.ID != "CVE-2024-9143" || len(r.Metrics) != 2 || r.Metrics[0].Source != "cna" || r.Metrics[1].Version != "3.1" {
		t.Errorf("%+v %v", r, err)
	}
	if _, err := Parse([]byte(`{"cveMetadata": {}}`)); err == nil {
		t.Error("no ID: no error")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"cveMetadata": {"cveId": "CVE-1"}, "containers": {"cna": {"metrics": [{"cvssV3_1": {"vectorString": "x"}}]}}}`))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = Parse(b) })
}
