package prune

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func dg(i int) string { return fmt.Sprintf("sha256:%064x", i) }

func TestDecide(t *testing.T) {
	ms := map[string]*Manifest{}
	var tags []Tag
	add := func(tag string, i int, age time.Duration) {
		ms[dg(i)] = &Manifest{Digest: dg(i), Created: now.Add(-age)}
		tags = append(tags, Tag{Name: tag, Digest: dg(i), Order: len(tags)})
	}
	add("v1.0.0", 1, 400*24*time.Hour)
	add("latest", 2, 1*time.Hour)
	add("old-a", 3, 100*24*time.Hour)
	add("old-b", 4, 90*24*time.Hour)
	add("new-a", 5, 2*time.Hour)
	add("deployed", 6, 300*24*time.Hour)
	tags = append(tags, Tag{Name: "alias-of-v1", Digest: dg(1), Order: len(tags)}) // same digest as v1.0.0
	// An index with two platform images, tagged, old.
	ms[dg(7)] = &Manifest{Digest: dg(7), Index: true, Children: []string{dg(8), dg(9)}, Created: now.Add(-200 * 24 * time.Hour)}
	tags = append(tags, Tag{Name: "multi", Digest: dg(7), Order: len(tags)})
	// Signatures of old-a (deleted) and of latest (kept).
	tags = append(tags, Tag{Name: "sha256-" + fmt.Sprintf("%064x", 3) + ".sig", Digest: dg(100)}, Tag{Name: "sha256-" + fmt.Sprintf("%064x", 2) + ".sig", Digest: dg(101)})
	plan := Decide("r/app", tags, ms, Policy{
		KeepLast: 2, KeepTags: []*regexp.Regexp{regexp.MustCompile(`^v\d+\.\d+\.\d+$`)}, KeepYoungerThan: 24 * time.Hour,
		InUse: []string{"r/app:deployed", "other/repo:old-b"}, DeleteUntagged: true, Now: now,
	})
	kept := map[string]string{}
	for _, d := range plan.Tags {
		if d.Keep {
			kept[d.Tag] = d.Rule
		}
	}
	want := map[string]string{
		"v1.0.0": "keep-tag", "latest": "keep-last", "new-a": "keep-last", "deployed": "in use",
		"alias-of-v1": "same digest as a kept tag",
		"sha256-" + fmt.Sprintf("%064x", 2) + ".sig": "attached to kept image",
	}
	for tag, rule := range want {
		if !strings.HasPrefix(kept[tag], rule) {
			t.Errorf("%s: kept by %q, want %q", tag, kept[tag], rule)
		}
	}
	if len(kept) != len(want) {
		t.Errorf("kept %v", kept)
	}
	var deleted []string
	for _, d := range plan.Delete {
		deleted = append(deleted, d.Digest)
	}
	sort.Strings(deleted)
	wantDel := []string{dg(3), dg(4), dg(7), dg(8), dg(9), dg(100)}
	if !slices.Equal(deleted, wantDel) {
		t.Errorf("delete %v\nwant   %v", deleted, wantDel)
	}
}

func TestApplyStopsAtFirstFailure(t *testing.T) {
	plan := &Plan{}
	for i := range 20 {
		plan.Delete = append(plan.Delete, Deletion{Digest: dg(i)})
	}
	var done int
	err := Apply(context.Background(), plan, 1, func(_ context.Context, d Deletion) error {
		if d.Digest == dg(5) {
			return fmt.Errorf("503")
		}
		return nil
	}, func(Deletion, error) { done++ })
	if err == nil || !strings.Contains(err.Error(), "503") || done > 7 {
		t.Errorf("err %v after %d deletions", err, done)
	}
}

// TestDecideDangling: a tag naming a manifest the registry no longer has
// is deleted by name, unless a keep rule names it; it does not count
// towards keep-last.
func TestDecideDangling(t *testing.T) {
	ms := map[string]*Manifest{dg(1): {Digest: dg(1), Created: now.Add(-time.Hour)}}
	tags := []Tag{{Name: "live", Digest: dg(1)}, {Name: "gone", Order: 1}, {Name: "v2.0.0", Order: 2}, {Name: "deployed", Order: 3}}
	plan := Decide("r/app", tags, ms, Policy{KeepLast: 1, KeepTags: []*regexp.Regexp{regexp.MustCompile(`^v`)}, InUse: []string{"r/app:deployed"}, Now: now})
	got := map[string]string{}
	for _, d := range plan.Tags {
		got[d.Tag] = fmt.Sprint(d.Keep, " ", d.Rule)
	}
	want := map[string]string{
		"live":     "true keep-last 1",
		"gone":     "false " + danglingRule,
		"v2.0.0":   "true keep-tag ^v (dangling: its manifest is gone)",
		"deployed": "true in use (dangling: its manifest is gone)",
	}
	if !maps.Equal(got, want) {
		t.Errorf("decisions %v\nwant      %v", got, want)
	}
	if len(plan.Delete) != 1 || plan.Delete[0].Digest != "" || !slices.Equal(plan.Delete[0].Tags, []string{"gone"}) {
		t.Errorf("delete %+v", plan.Delete)
	}
}

// TestApplyGoesOnWhenTagDeletesAreRefused: a registry without tag
// deletion leaves dangling tags; the rest of the plan still runs.
func TestApplyGoesOnWhenTagDeletesAreRefused(t *testing.T) {
	plan := &Plan{Delete: []Deletion{{Tags: []string{"gone"}, Rule: danglingRule}, {Digest: dg(1)}, {Digest: dg(2)}}}
	var done []string
	err := Apply(context.Background(), plan, 1, func(_ context.Context, d Deletion) error {
		if d.Digest == "" {
			return fmt.Errorf("tag gone: %w", ErrUnsupported)
		}
		return nil
	}, func(d Deletion, err error) {
		if err == nil {
			done = append(done, d.Digest)
		}
	})
	if err != nil || len(done) != 2 {
		t.Errorf("err %v, deleted %v", err, done)
	}
}

// TestAddReferrers: referrers of deleted images, and theirs, go; one a
// kept tag names stays, with what refers to it.
func TestAddReferrers(t *testing.T) {
	plan := &Plan{
		Tags:   []Decision{{Tag: "old", Digest: dg(1)}, {Tag: "sbom-kept", Digest: dg(12), Keep: true, Rule: "keep-tag ^sbom"}},
		Delete: []Deletion{{Digest: dg(1), Tags: []string{"old"}, Rule: "no keep rule matches"}},
	}
	plan.AddReferrers(map[string][]string{dg(1): {dg(11), dg(12)}, dg(11): {dg(111)}, dg(12): {dg(121)}})
	var got []string
	for _, d := range plan.Delete {
		got = append(got, d.Digest+" "+d.Rule)
	}
	want := []string{dg(1) + " no keep rule matches", dg(11) + " attached to deleted image " + short(dg(1)) + " (referrer)", dg(111) + " attached to deleted image " + short(dg(1)) + " (referrer)"}
	if !slices.Equal(got, want) {
		t.Errorf("delete\n%q\nwant\n%q", got, want)
	}
}
