package report

import (
	"reflect"

	"github.com/bulwarksec/bulwark/pkg/core/printable"
	"github.com/bulwarksec/bulwark/pkg/core/secret"
)

// Printable returns s safe to print to a terminal (printable.Escape):
// names, versions, paths, history and labels come from images and files
// an attacker may have written.
func Printable(s string) string { return printable.Escape(s) }

// printableCopy returns a copy of r with every string in it made Printable,
// for the human-readable writers; r itself is left as it is (JSON and
// SARIF escape on their own).
func printableCopy(r *Report) *Report {
	return mapStrings(reflect.ValueOf(r), Printable).Interface().(*Report)
}

// redacted returns a copy of r with every secret in its findings, layers,
// warnings and errors masked (secret.Redact), for every writer: build
// history and messages quote what an image holds. Package lists are names
// and versions, and keep their own fields.
func redacted(r *Report) *Report {
	pkgs, rules := r.Packages, r.Rules
	c := *r
	c.Packages, c.Rules = nil, nil
	out := mapStrings(reflect.ValueOf(&c), secret.Redact).Interface().(*Report)
	out.Packages, out.Rules = pkgs, rules
	return out
}

// mapStrings deep-copies v, applying fn to every string.
func mapStrings(v reflect.Value, fn func(string) string) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		out := reflect.New(v.Type()).Elem()
		out.SetString(fn(v.String()))
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(mapStrings(v.Elem(), fn))
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := range v.NumField() {
			if out.Field(i).CanSet() {
				out.Field(i).Set(mapStrings(v.Field(i), fn))
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(mapStrings(v.Index(i), fn))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(mapStrings(it.Key(), fn), mapStrings(it.Value(), fn))
		}
		return out
	}
	return v
}
