package vulndb

import (
	"encoding/json"

	bolt "go.etcd.io/bbolt"
)

// writeWithSchema writes a database and then stamps another schema version
// into it, as an older or newer bulwark would have.
func writeWithSchema(p string, c *Contents, schema int) error {
	if err := Write(p, c); err != nil {
		return err
	}
	b, err := bolt.Open(p, 0o644, nil)
	if err != nil {
		return err
	}
	defer b.Close()
	return b.Update(func(tx *bolt.Tx) error {
		m := c.Meta
		m.SchemaVersion = schema
		raw, _ := json.Marshal(m)
		return tx.Bucket(bucketMeta).Put(keyMeta, raw)
	})
}
