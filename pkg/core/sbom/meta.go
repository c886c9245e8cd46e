package sbom

import (
	"crypto/rand"
	"fmt"
	"time"
)

// Meta describes a document about an inventory: what it is of, and who
// made it when. The CycloneDX and SPDX writers take it.
type Meta struct {
	// Name is the target as the user gave it.
	Name string
	// Digest is the image's manifest digest, if any.
	Digest string
	// Kind is "image" or "directory".
	Kind        string
	ToolName    string
	ToolVersion string
	// Created is when the document was made; zero means now.
	Created time.Time
	// ID makes the document's serial number or namespace unique; empty
	// means a random one (tests set it for stable output).
	ID string
}

// Time returns Created, or now.
func (m Meta) Time() time.Time {
	if m.Created.IsZero() {
		return time.Now().UTC()
	}
	return m.Created.UTC()
}

// UUID returns ID, or a random version 4 UUID.
func (m Meta) UUID() string {
	if m.ID != "" {
		return m.ID
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
