package eol

import (
	"testing"
	"time"
)

func TestData(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	if len(Products()) < 8 {
		t.Errorf("products = %v", Products())
	}
}

func TestLookup(t *testing.T) {
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		product, version, cycle string
		ended                   bool
	}{
		{"alpine", "3.18.9", "3.18", true},
		{"alpine", "3.1", "", false}, // unknown cycle, not 3.10..3.19
		{"alpine", "3.22", "3.22", false},
		{"node", "18.19.0", "18", true},
		{"node", "22", "22", false},
		{"python", "3.10.4", "3.10", true},
		{"python", "3.1", "", false},
		{"debian", "12", "12", false},
		{"debian", "10", "10", true},
		{"golang", "1.25.3", "1.25", true},
	} {
		cy, ok := Lookup(c.product, c.version)
		if cy.Version != c.cycle || ok != (c.cycle != "") || (ok && cy.Ended(now) != c.ended) {
			t.Errorf("Lookup(%s, %s) = %+v, %v", c.product, c.version, cy, ok)
		}
	}
}
