package imagefs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ReadDir reads a root filesystem directory as if it were one layer. It
// never follows symlinks (they are recorded, and resolved inside the view
// like an image's), so a link out of the directory reads nothing outside.
func ReadDir(ctx context.Context, root string, opts Options) (*LayerResult, error) {
	w := newWalker("", opts)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			rel, _ := filepath.Rel(root, p)
			w.fail(filepath.ToSlash(rel), err.Error())
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if err := w.opts.countEntries(1); err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			w.fail(rel, err.Error())
			return nil
		}
		e := Entry{Path: rel, Mode: info.Mode(), Size: info.Size()}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			e.UID, e.GID = int(st.Uid), int(st.Gid)
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			if e.Link, err = os.Readlink(p); err != nil {
				w.fail(rel, err.Error())
			}
		}
		ferr := w.file(e, info.Mode().IsRegular(), func([]byte) ([]byte, error) {
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			b, err := io.ReadAll(io.LimitReader(f, e.Size+1))
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", rel, err)
			}
			if int64(len(b)) > e.Size {
				return nil, errors.New(rel + " grew while being read")
			}
			return b, nil
		}, nil)
		if ferr != nil {
			w.fail(rel, ferr.Error()) // one unreadable file does not stop the walk
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return w.res, nil
}
