package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/casework"
	"pingan/internal/catalog"
	"pingan/internal/org"
)

// The OpenAPI document is generated from Routes() and the Go types of their
// bodies, so it cannot drift from what the server does.

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) error {
	doc, err := a.openAPIDoc()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = w.Write(doc)
	return err
}

// enumValues lists the values of the domain's enumerated string types.
func enumValues() map[reflect.Type][]string {
	m := map[reflect.Type][]string{}
	add := func(t reflect.Type, vs ...string) { m[t] = append(m[t], vs...) }
	for _, s := range casework.States {
		add(reflect.TypeFor[casework.State](), string(s.State))
	}
	// The table's actions, then those a timeline also records (receive,
	// warn, supervise, merged_in…).
	actions := casework.TableActions()
	for _, act := range slices.Sorted(maps.Keys(casework.ActionNames)) {
		if !slices.Contains(actions, act) {
			actions = append(actions, act)
		}
	}
	for _, act := range actions {
		add(reflect.TypeFor[casework.Action](), string(act))
	}
	fields := []casework.Field{casework.FNote}
	for _, t := range casework.Table {
		for _, f := range slices.Concat(t.Required, t.Optional) {
			if !slices.Contains(fields, f) {
				fields = append(fields, f)
			}
		}
	}
	for _, f := range fields {
		add(reflect.TypeFor[casework.Field](), string(f))
	}
	for _, g := range casework.Guards[1:] {
		add(reflect.TypeFor[casework.GuardName](), string(g))
	}
	for _, r := range access.Roles {
		add(reflect.TypeFor[access.Role](), string(r.Role))
	}
	for _, k := range org.Kinds {
		add(reflect.TypeFor[org.Kind](), string(k.Kind))
	}
	for _, l := range org.Levels {
		add(reflect.TypeFor[org.Level](), string(l.Level))
	}
	for _, f := range catalog.Families {
		add(reflect.TypeFor[catalog.Family](), string(f.Family))
	}
	add(reflect.TypeFor[catalog.Domain](), string(catalog.Civic), string(catalog.PoliceDomain), string(catalog.DisputeDomain))
	return m
}

type schemaGen struct {
	comps map[string]any
	enums map[reflect.Type][]string
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{"type": "object", "description": "free-form JSON object"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := g.schema(t.Elem())
		return map[string]any{"anyOf": []any{inner, map[string]any{"type": "null"}}}
	case reflect.String:
		s := map[string]any{"type": "string"}
		if vs, ok := g.enums[t]; ok {
			s["enum"] = vs
		}
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem()), "minItems": t.Len(), "maxItems": t.Len()}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := t.Name()
		if _, done := g.comps[name]; !done {
			g.comps[name] = nil // reserve: recursive types refer to it
			g.comps[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// object describes a struct's JSON form, flattening embedded structs.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = f.Name
			}
			s := g.schema(f.Type)
			if doc := f.Tag.Get("doc"); doc != "" {
				s = withDescription(s, doc)
			}
			if e := f.Tag.Get("enum"); e != "" {
				s["enum"] = strings.Split(e, ",")
			}
			props[name] = s
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	obj := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		obj["required"] = required
	}
	return obj
}

func withDescription(s map[string]any, doc string) map[string]any {
	if _, isRef := s["$ref"]; isRef {
		return map[string]any{"allOf": []any{s}, "description": doc}
	}
	out := map[string]any{"description": doc}
	for k, v := range s {
		out[k] = v
	}
	return out
}

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// OpenAPI returns the OpenAPI 3.1 document of Routes().
func (a *API) OpenAPI() map[string]any {
	g := &schemaGen{comps: map[string]any{}, enums: enumValues()}
	problem := g.object(reflect.TypeFor[Problem]())
	problem["additionalProperties"] = true
	problem["description"] = "RFC 9457 problem details; refused lifecycle actions add state, allowed_actions and version"
	// The members some problems add (fault.Error.With).
	props, _ := problem["properties"].(map[string]any)
	actions := map[string]any{"type": "array", "items": g.schema(reflect.TypeFor[casework.Action]())}
	for name, schema := range map[string]any{
		"state":           g.schema(reflect.TypeFor[casework.State]()),
		"allowed_actions": actions,
		"actions":         actions,
		"version":         map[string]any{"type": "integer", "description": "the case's version now"},
		"review_case":     map[string]any{"type": "string", "description": "the 复查/复核 case already open on the matter"},
		"rereview_case":   map[string]any{"type": "string", "description": "the 复核 case that concluded the matter"},
	} {
		if props != nil {
			props[name] = schema
		}
	}
	g.comps["Problem"] = problem
	problemResp := map[string]any{
		"description": "problem",
		"content":     map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}},
	}
	paths := map[string]any{}
	for _, rt := range a.Routes() {
		op := map[string]any{
			"summary":     rt.Summary,
			"tags":        []string{rt.Tag},
			"operationId": operationID(rt),
		}
		var params []any
		for _, m := range pathParamRE.FindAllStringSubmatch(rt.Path, -1) {
			s := map[string]any{"type": "string"}
			switch m[1] {
			case "id":
				s = map[string]any{"type": "integer", "minimum": 1}
			case "action":
				s = g.schema(reflect.TypeFor[casework.Action]())
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": s})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Doc,
				"required": slices.Contains(rt.Needs, q.Name), "schema": map[string]any{"type": q.Type}})
		}
		if strings.Contains(rt.Path, "/actions/") || rt.Path == "/reports" {
			h := "Idempotency-Key"
			desc := "retrying with the same key (for 7 days) returns the first result and creates nothing new"
			if rt.Path != "/reports" {
				h, desc = "If-Match", "the case version (ETag) the action expects; another answers 412 (version in the body: 409)"
			}
			params = append(params, map[string]any{"name": h, "in": "header", "description": desc, "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		switch {
		case rt.Body != nil:
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.Body))}}}
		case rt.Files != "":
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object", "required": []string{rt.Files},
					"properties": map[string]any{rt.Files: map[string]any{"type": "array",
						"items": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}}}}}
		}
		ok := map[string]any{"description": http.StatusText(rt.Status)}
		switch {
		case rt.File:
			ok["content"] = map[string]any{"*/*": map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}
		case rt.Resp != nil:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.Resp))}}
		case rt.Status != http.StatusNoContent:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
		}
		responses := map[string]any{strconv.Itoa(rt.Status): ok, "default": problemResp}
		for _, st := range rt.Also {
			also := maps.Clone(ok)
			also["description"] = http.StatusText(st)
			responses[strconv.Itoa(st)] = also
		}
		op["responses"] = responses
		if !rt.Public {
			op["security"] = []any{map[string]any{"bearer": []string{}}}
		}
		full := Prefix + rt.Path
		item, _ := paths[full].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[full] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "pingan (平安) API",
			"version":     "1",
			"description": "The city's political-legal case platform: intake, the case lifecycle, organisation, catalogue and audit. Errors are RFC 9457 problem JSON; Accept-Language (zh-CN or en) picks their language.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.comps,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "a personal API token, pa_…"},
			},
		},
	}
}

func operationID(rt Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, part := range strings.Split(rt.Path, "/") {
		part = strings.Trim(part, "{}")
		for _, w := range strings.Split(part, "_") {
			if w != "" {
				b.WriteString(strings.ToUpper(w[:1]) + w[1:])
			}
		}
	}
	return strings.ReplaceAll(b.String(), ".", "")
}
