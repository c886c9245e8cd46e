package imgrule

import (
	"fmt"
	"strings"

	"github.com/bulwarksec/bulwark/pkg/core/finding"
	"github.com/bulwarksec/bulwark/pkg/core/rule"
	"github.com/bulwarksec/bulwark/pkg/image/layerview"
)

var img021 = &Rule{Rule: rule.Rule{
	ID: "IMG021", Severity: finding.Low, Kind: finding.KindMisconfiguration,
	Title: "Space wasted by files overwritten or deleted in later layers",
	Why: `A file written in one layer and overwritten or deleted in a later one is still in the earlier layer:
every pull downloads it, every node stores it, and deleting it only hides it. The efficiency score
is computed as Dive computes it (needed bytes over stored bytes); ` + "`--min-efficiency 0.95`" + ` fails
the gate below it, like ` + "`dive --ci`" + `.`,
	Fix:         "Create and delete temporary files in the same RUN; clean caches where they are made; do not chmod or chown files in a later layer (that copies them); use a multi-stage build.",
	ExampleLang: "dockerfile",
	Bad:         "RUN curl -o /tmp/big.tgz https://example.com/big.tgz\nRUN tar -xzf /tmp/big.tgz -C /opt\nRUN rm /tmp/big.tgz",
	Good:        "RUN curl -o /tmp/big.tgz https://example.com/big.tgz && tar -xzf /tmp/big.tgz -C /opt && rm /tmp/big.tgz",
}, check: func(p *pass) {
	var e layerview.Efficiency
	if p.in.Efficiency != nil {
		e = *p.in.Efficiency
	} else {
		e = layerview.ComputeEfficiency(p.in.View.Layers)
	}
	if e.WastedBytes == 0 {
		return
	}
	var worst []string
	for i, w := range e.Worst {
		if i == 3 {
			break
		}
		worst = append(worst, fmt.Sprintf("%s (%s in %d layers)", w.Path, layerview.HumanBytes(w.Bytes), w.Copies))
	}
	p.add(finding.Location{}, fmt.Sprintf("%s wasted by files overwritten or deleted in later layers; efficiency %.1f%%; worst: %s",
		layerview.HumanBytes(e.WastedBytes), e.Score*100, strings.Join(worst, ", ")))
}}
