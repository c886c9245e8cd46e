// Package eol knows when distributions and language runtimes stop getting
// security fixes. The dates live in one data file, eol.yaml, with their
// source named; the base-image rules of every family read them from here.
package eol

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed eol.yaml
var data []byte

// Cycle is one release cycle of a product.
type Cycle struct {
	Product string
	// Version is the cycle as the publisher names it ("3.18", "12", "20").
	Version string
	EOL     time.Time
	// Source is the page the date was taken from.
	Source string
}

// Ended reports whether the cycle's support has ended at now.
func (c Cycle) Ended(now time.Time) bool { return !now.Before(c.EOL) }

type file struct {
	Source   string `yaml:"source"`
	Updated  string `yaml:"updated"`
	Products map[string]struct {
		URL    string            `yaml:"url"`
		Cycles map[string]string `yaml:"cycles"`
	} `yaml:"products"`
}

var (
	loadOnce sync.Once
	cycles   map[string][]Cycle // by product, longest version first
	loadErr  error
)

func load() {
	var f file
	if loadErr = yaml.Unmarshal(data, &f); loadErr != nil {
		return
	}
	cycles = map[string][]Cycle{}
	for name, p := range f.Products {
		for v, d := range p.Cycles {
			t, err := time.Parse(time.DateOnly, d)
			if err != nil {
				loadErr = fmt.Errorf("eol.yaml: %s %s: %w", name, v, err)
				return
			}
			cycles[name] = append(cycles[name], Cycle{Product: name, Version: v, EOL: t, Source: p.URL})
		}
		cs := cycles[name]
		sort.Slice(cs, func(i, j int) bool { return len(cs[i].Version) > len(cs[j].Version) })
	}
}

// Lookup returns the cycle of product that version belongs to: "3.18.9"
// belongs to alpine's "3.18", "18.19.0" to node's "18". It returns false
// when the product or the cycle is not known.
func Lookup(product, version string) (Cycle, bool) {
	loadOnce.Do(load)
	for _, c := range cycles[product] {
		if version == c.Version || strings.HasPrefix(version, c.Version+".") {
			return c, true
		}
	}
	return Cycle{}, false
}

// Err reports a problem in the embedded data file; tests assert it is nil.
func Err() error {
	loadOnce.Do(load)
	return loadErr
}

// Products lists the products with known cycles.
func Products() []string {
	loadOnce.Do(load)
	var out []string
	for p := range cycles {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
