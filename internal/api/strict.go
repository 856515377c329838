package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"pingan/internal/i18n"
)

// Go's decoder matches a member to a field whatever the case of its name
// ("Title" fills title), although the schema allows only the names it
// lists. exactNames refuses such a member before the body is decoded, as
// an unknown field with the name it should have.

var msgCaseOf = i18n.M("未知字段（应为 %s）", "unknown field (did you mean %s?)")

var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

// jsonNames are the member names of a struct type, as encoding/json reads
// them (embedded structs' members included), each with its field's type.
var jsonNames sync.Map // reflect.Type → map[string]reflect.Type

func namesOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := jsonNames.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	return collectNames(t, map[reflect.Type]bool{})
}

// collectNames is namesOf, through embedded structs not already on the
// way (a struct that embeds a pointer to itself ends there).
func collectNames(t reflect.Type, on map[reflect.Type]bool) map[string]reflect.Type {
	on[t] = true
	defer delete(on, t)
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if on[ft] {
					continue
				}
				for n, nt := range collectNames(ft, on) {
					if _, ok := out[n]; !ok {
						out[n] = nt
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		out[cmp.Or(name, f.Name)] = f.Type
	}
	jsonNames.Store(t, out)
	return out
}

// exactNames checks that every member name in body is spelled as v's type
// names it; members it does not know at all are left to the decoder.
func exactNames(body []byte, v any) error {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return nil // the decoder says what is wrong
	}
	return walkNames(doc, reflect.TypeOf(v), "")
}

func walkNames(doc any, t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || reflect.PointerTo(t).Implements(unmarshaler) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := doc.(map[string]any)
		if !ok {
			return nil
		}
		names := namesOf(t)
		for k, val := range obj {
			ft, ok := names[k]
			if !ok {
				for _, n := range slices.Sorted(maps.Keys(names)) {
					if strings.EqualFold(n, k) {
						return fieldJSON(path+k, msgCaseOf.Fill(path+n))
					}
				}
				continue
			}
			if err := walkNames(val, ft, path+k+"."); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if arr, ok := doc.([]any); ok {
			for _, el := range arr {
				if err := walkNames(el, t.Elem(), path); err != nil {
					return err
				}
			}
		}
	case reflect.Map:
		if obj, ok := doc.(map[string]any); ok {
			for k, val := range obj {
				if err := walkNames(val, t.Elem(), path+k+"."); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// strictJSON decodes one JSON value strictly into v: member names exactly
// as the schema spells them, no unknown member.
func strictJSON(raw []byte, v any) (*json.Decoder, error) {
	if err := exactNames(raw, v); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, badJSON(err)
	}
	return dec, nil
}
