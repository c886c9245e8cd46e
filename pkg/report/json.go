package report

import (
	"encoding/json"
	"io"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
)

func writeJSON(w io.Writer, r *Report) error {
	out := *r
	out.SchemaVersion = SchemaVersion
	if out.Findings == nil {
		out.Findings = []finding.Finding{} // scripts read "findings": [], never null
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&out)
}
