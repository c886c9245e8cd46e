// Package prune plans and applies a registry retention policy: which tags
// of a repository to keep (the last N by creation time, tags matching a
// pattern, those younger than an age, those deployed) and which manifests
// to delete, never deleting a digest a kept tag or kept index still needs;
// signatures and attestations follow the image they are about.
package prune

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
)

// Policy says what to keep. A tag is kept when any rule keeps it.
type Policy struct {
	// KeepLast keeps the tags of the N newest images.
	KeepLast        int
	KeepTags        []*regexp.Regexp
	KeepYoungerThan time.Duration
	// InUse are image references deployed somewhere: kept by tag or digest.
	InUse []string
	// DeleteUntagged also deletes manifests that only a deleted index
	// referenced (its platform images).
	DeleteUntagged bool
	// Now is when ages are measured; zero means time.Now().
	Now time.Time
}

// Manifest is what the plan knows of one digest in the repository.
type Manifest struct {
	Digest  string
	Created time.Time
	// Index is true for an image index; Children are its manifests.
	Index    bool
	Children []string
	// Subject is, for a signature or attestation, the digest it is about.
	Subject string
	Size    int64
}

// Tag is a tag and the digest it names.
type Tag struct {
	Name string
	// Digest is empty for a dangling tag: listed, but naming a manifest
	// the registry no longer has (what a registry that died between
	// deleting a manifest and untagging it leaves behind).
	Digest string
	// Order is the tag's place in the registry's list, for tags without a
	// creation time.
	Order int
}

// Decision is the plan for one tag or digest.
type Decision struct {
	Tag     string    `json:"tag,omitempty"`
	Digest  string    `json:"digest"`
	Created time.Time `json:"created,omitzero"`
	Keep    bool      `json:"keep"`
	// Rule is why: the keep rule that kept it, or why it goes.
	Rule string `json:"rule"`
}

// Plan is what a run keeps and deletes.
type Plan struct {
	Repository string     `json:"repository"`
	Tags       []Decision `json:"tags"`
	// Delete are the digests to delete, each with the tags it takes along.
	Delete []Deletion `json:"delete"`
}

// Deletion is one manifest to delete, or, without a digest, one dangling
// tag to delete by name.
type Deletion struct {
	Digest string   `json:"digest,omitempty"`
	Tags   []string `json:"tags,omitempty"`
	Rule   string   `json:"rule"`
}

// ErrUnsupported is what a deleter returns when the registry refuses to
// delete a tag by name (the OCI distribution spec makes it optional);
// Apply logs it and goes on.
var ErrUnsupported = errors.New("the registry does not support deleting tags")

// danglingRule is why a dangling tag goes.
const danglingRule = "dangling: names a manifest the registry no longer has"

// attachedTag reports whether a tag is cosign's (sha256-<hex>.sig, .att,
// .sbom, or the bare fallback tag of Sigstore bundles and referrers) and
// returns the digest of the image it is about.
func attachedTag(tag string) (string, bool) {
	if !strings.HasPrefix(tag, "sha256-") {
		return "", false
	}
	rest := strings.TrimPrefix(tag, "sha256-")
	hex, suffix, _ := strings.Cut(rest, ".")
	if len(hex) != 64 || strings.Trim(hex, "0123456789abcdef") != "" {
		return "", false
	}
	switch suffix {
	case "", "sig", "att", "sbom":
		return "sha256:" + hex, true
	}
	return "", false
}

// Decide makes the plan from the tags and manifests of a repository.
func Decide(repo string, tags []Tag, manifests map[string]*Manifest, p Policy) *Plan {
	if p.Now.IsZero() {
		p.Now = time.Now()
	}
	plan := &Plan{Repository: repo}
	inUseTags, inUseDigests := inUse(repo, p.InUse)
	var ordinary []Tag
	var decisions []Decision
	attached := map[string][]string{} // subject digest -> attached tags
	for _, t := range tags {
		if t.Digest == "" {
			// Nothing to rank or keep alive; a keep rule naming the tag
			// still wins, since a person may mean to push it again.
			d := Decision{Tag: t.Name, Rule: danglingRule}
			if inUseTags[t.Name] {
				d.Keep, d.Rule = true, "in use (dangling: its manifest is gone)"
			} else if re := matchAny(p.KeepTags, t.Name); re != "" {
				d.Keep, d.Rule = true, "keep-tag "+re+" (dangling: its manifest is gone)"
			} else {
				plan.Delete = append(plan.Delete, Deletion{Tags: []string{t.Name}, Rule: danglingRule})
			}
			decisions = append(decisions, d)
			continue
		}
		if subj, ok := attachedTag(t.Name); ok {
			attached[subj] = append(attached[subj], t.Name)
			continue
		}
		ordinary = append(ordinary, t)
	}
	created := func(t Tag) time.Time {
		if m := manifests[t.Digest]; m != nil {
			return m.Created
		}
		return time.Time{}
	}
	// Newest first: by creation time, then by the registry's order (later
	// in the list counts as newer when times are missing or equal).
	sort.SliceStable(ordinary, func(i, j int) bool {
		ci, cj := created(ordinary[i]), created(ordinary[j])
		if !ci.Equal(cj) {
			return ci.After(cj)
		}
		return ordinary[i].Order > ordinary[j].Order
	})
	// keep-last counts images, not tags: latest and v1.4 on one digest
	// are one of the N.
	rank := map[string]int{}
	for _, t := range ordinary {
		if _, ok := rank[t.Digest]; !ok {
			rank[t.Digest] = len(rank)
		}
	}
	keptDigest := map[string]string{}
	for _, t := range ordinary {
		d := Decision{Tag: t.Name, Digest: t.Digest, Created: created(t)}
		switch {
		case inUseTags[t.Name] || inUseDigests[t.Digest]:
			d.Keep, d.Rule = true, "in use"
		case matchAny(p.KeepTags, t.Name) != "":
			d.Keep, d.Rule = true, "keep-tag "+matchAny(p.KeepTags, t.Name)
		case rank[t.Digest] < p.KeepLast:
			d.Keep, d.Rule = true, fmt.Sprintf("keep-last %d", p.KeepLast)
		case p.KeepYoungerThan > 0 && !d.Created.IsZero() && p.Now.Sub(d.Created) < p.KeepYoungerThan:
			d.Keep, d.Rule = true, "keep-younger-than "+p.KeepYoungerThan.String()
		default:
			d.Rule = "no keep rule matches"
		}
		if d.Keep {
			keptDigest[t.Digest] = d.Rule
		}
		decisions = append(decisions, d)
	}
	// A kept index keeps its children; a digest deployed by digest stays.
	for dg := range inUseDigests {
		if manifests[dg] != nil {
			keptDigest[dg] = "in use"
		}
	}
	for dg := range keptDigest {
		if m := manifests[dg]; m != nil && m.Index {
			for _, c := range m.Children {
				if _, ok := keptDigest[c]; !ok {
					keptDigest[c] = "child of kept index " + short(dg)
				}
			}
		}
	}
	// A tag whose digest another kept tag needs is not deleted either:
	// deleting by digest would take the kept tag along.
	for i := range decisions {
		if d := &decisions[i]; !d.Keep {
			if why, ok := keptDigest[d.Digest]; ok {
				d.Keep, d.Rule = true, "same digest as a kept tag ("+why+")"
			}
		}
	}
	sort.Slice(decisions, func(i, j int) bool { return decisions[i].Tag < decisions[j].Tag })
	byDigest := map[string][]string{}
	for _, d := range decisions {
		if !d.Keep && d.Digest != "" {
			byDigest[d.Digest] = append(byDigest[d.Digest], d.Tag)
		}
	}
	for dg, ts := range byDigest {
		sort.Strings(ts)
		plan.Delete = append(plan.Delete, Deletion{Digest: dg, Tags: ts, Rule: "no keep rule matches"})
		if m := manifests[dg]; p.DeleteUntagged && m != nil && m.Index {
			for _, c := range m.Children {
				if _, kept := keptDigest[c]; !kept && !tagged(c, decisions) {
					plan.Delete = append(plan.Delete, Deletion{Digest: c, Rule: "delete-untagged: platform image of deleted index " + short(dg)})
				}
			}
		}
	}
	// Signatures and attestations follow their image.
	deleted := map[string]bool{}
	for _, del := range plan.Delete {
		deleted[del.Digest] = true
	}
	exists := map[string]bool{}
	for dg, m := range manifests {
		exists[dg] = true
		for _, c := range m.Children {
			exists[c] = true
		}
	}
	for subj, ts := range attached {
		sort.Strings(ts)
		for _, t := range ts {
			var dg string
			for _, x := range tags {
				if x.Name == t {
					dg = x.Digest
				}
			}
			d := Decision{Tag: t, Digest: dg, Keep: !deleted[subj] && exists[subj]}
			switch {
			case d.Keep:
				d.Rule = "attached to kept image " + short(subj)
			case !exists[subj]:
				d.Rule = "attached to image " + short(subj) + ", which is no longer in the repository"
			default:
				d.Rule = "attached to deleted image " + short(subj)
			}
			if !d.Keep && !deleted[dg] {
				plan.Delete = append(plan.Delete, Deletion{Digest: dg, Tags: []string{t}, Rule: d.Rule})
				deleted[dg] = true
				// A fallback tag's index lists the referrers (bundles): they go too.
				if m := manifests[dg]; m != nil && m.Index {
					for _, c := range m.Children {
						if !deleted[c] {
							plan.Delete = append(plan.Delete, Deletion{Digest: c, Rule: d.Rule + " (referrer)"})
							deleted[c] = true
						}
					}
				}
			}
			decisions = append(decisions, d)
		}
	}
	sortDeletions(plan.Delete)
	plan.Tags = decisions
	return plan
}

// DeletedImages are the digests the plan deletes as images or indexes
// (not what is attached to them), whose referrers must go too.
func (p *Plan) DeletedImages() []string {
	var out []string
	for _, d := range p.Delete {
		if d.Digest != "" && !strings.HasPrefix(d.Rule, "attached") {
			out = append(out, d.Digest)
		}
	}
	return out
}

// AddReferrers deletes, with each deleted image, the manifests that refer
// to it through the Referrers API (ReferrersOf), and theirs in turn.
func (p *Plan) AddReferrers(refs map[string][]string) {
	settled := map[string]bool{} // deleted already, or kept by a tag
	for _, d := range p.Delete {
		settled[d.Digest] = true
	}
	// A referrer a kept tag names stays (and so do its own referrers).
	for _, t := range p.Tags {
		if t.Keep && t.Digest != "" {
			settled[t.Digest] = true
		}
	}
	var walk func(subject, image string)
	walk = func(subject, image string) {
		for _, r := range refs[subject] {
			if settled[r] {
				continue
			}
			settled[r] = true
			p.Delete = append(p.Delete, Deletion{Digest: r, Rule: "attached to deleted image " + short(image) + " (referrer)"})
			walk(r, image)
		}
	}
	for _, img := range p.DeletedImages() {
		walk(img, img)
	}
	sortDeletions(p.Delete)
}

// sortDeletions orders deletions by digest, then tags: plans are stable.
func sortDeletions(ds []Deletion) {
	sort.Slice(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Digest != b.Digest {
			return a.Digest < b.Digest
		}
		return strings.Join(a.Tags, ",") < strings.Join(b.Tags, ",")
	})
}

func tagged(digest string, ds []Decision) bool {
	for _, d := range ds {
		if d.Digest == digest {
			return true
		}
	}
	return false
}

func matchAny(res []*regexp.Regexp, s string) string {
	for _, re := range res {
		if re.MatchString(s) {
			return re.String()
		}
	}
	return ""
}

// inUse splits deployed references to repo into tags and digests.
func inUse(repo string, refs []string) (map[string]bool, map[string]bool) {
	tags, digests := map[string]bool{}, map[string]bool{}
	for _, r := range refs {
		ref, err := name.ParseReference(r, name.WeakValidation)
		if err != nil || ref.Context().Name() != repo {
			// Compare without the default registry's normalisation too.
			if err != nil {
				continue
			}
			if strings.TrimPrefix(ref.Context().Name(), "index.docker.io/") != strings.TrimPrefix(repo, "index.docker.io/") {
				continue
			}
		}
		switch x := ref.(type) {
		case name.Digest:
			digests[x.DigestStr()] = true
			// image:tag@digest names both.
			if i := strings.LastIndex(r, ":"); i > 0 && strings.Contains(r, "@") {
				before, _, _ := strings.Cut(r, "@")
				if j := strings.LastIndex(before, ":"); j > strings.LastIndex(before, "/") {
					tags[before[j+1:]] = true
				}
			}
		case name.Tag:
			tags[x.TagStr()] = true
		}
	}
	return tags, digests
}

func short(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}

// Apply deletes the plan's manifests (and dangling tags) with del, at most
// workers at a time, calling logf after each deletion; the first failure
// stops the run (what is done stays done: a second run plans from what is
// left).
func Apply(ctx context.Context, plan *Plan, workers int, del func(context.Context, Deletion) error, logf func(Deletion, error)) error {
	if workers < 1 {
		workers = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan Deletion)
	errs := make(chan error, len(plan.Delete))
	done := make(chan struct{})
	for range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for d := range jobs {
				err := del(ctx, d)
				logf(d, err)
				if err != nil && !errors.Is(err, ErrUnsupported) {
					errs <- fmt.Errorf("deleting %s: %w", d.Digest, err)
					cancel()
				}
			}
		}()
	}
	// Images first, then what is attached to them: a run cut short leaves
	// at worst a signature of a deleted image, which the next run deletes.
	order := append([]Deletion(nil), plan.Delete...)
	sort.SliceStable(order, func(i, j int) bool {
		return !strings.HasPrefix(order[i].Rule, "attached") && strings.HasPrefix(order[j].Rule, "attached")
	})
feed:
	for _, d := range order {
		select {
		case <-ctx.Done():
			break feed
		case jobs <- d:
		}
	}
	close(jobs)
	for range workers {
		<-done
	}
	close(errs)
	if err, ok := <-errs; ok {
		return err
	}
	return ctx.Err()
}
