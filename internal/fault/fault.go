// Package fault defines the typed errors domain code returns. Transports
// answer with the Kind's HTTP status (Kind.Status) and render the bilingual
// message; domain code never deals in HTTP.
package fault

import (
	"errors"
	"fmt"

	"pingan/internal/i18n"
)

// Kind classifies an error for transport.
type Kind int

const (
	Internal     Kind = iota // unexpected; details are logged, not shown
	Invalid                  // bad input: 400/422
	NotFound                 // absent or outside the caller's scope: 404
	Conflict                 // the state of the world forbids it: 409
	Forbidden                // the caller may not do this: 403
	Unauthorized             // no valid credentials: 401
	Unavailable              // temporarily unable: 503
	TooLarge                 // the request is larger than allowed: 413
)

// Status is the HTTP status a transport answers an error of kind k with
// (the API's problem documents and the workbench's error pages alike;
// Open311 keeps its own, narrower set).
func (k Kind) Status() int {
	switch k {
	case Invalid:
		return 400
	case NotFound:
		return 404
	case Conflict:
		return 409
	case Forbidden:
		return 403
	case Unauthorized:
		return 401
	case Unavailable:
		return 503
	case TooLarge:
		return 413
	}
	return 500
}

// FieldError names one invalid input field.
type FieldError struct {
	Field string
	Msg   i18n.Message
	Args  []any
}

// Error is a domain error with a stable code, a bilingual message and
// optional structured extras (for example the current state and the allowed
// actions of a refused transition).
type Error struct {
	Kind   Kind
	Code   string // stable, machine-readable: "invalid-input", "transition-not-allowed"
	Msg    i18n.Message
	Args   []any
	Fields []FieldError
	Extra  map[string]any
	Err    error // cause, for logs
}

func (e *Error) Error() string {
	s := e.Msg.Format(i18n.EN, e.Args...)
	if len(e.Fields) > 0 {
		s = "invalid input: "
		for i, f := range e.Fields {
			if i > 0 {
				s += "; "
			}
			s += fmt.Sprintf("%s %s", f.Field, f.Msg.Format(i18n.EN, f.Args...))
		}
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ProblemCode returns the stable code, for records of the refusal.
func (e *Error) ProblemCode() string { return e.Code }

// New returns an error of kind with code and message.
func New(kind Kind, code string, msg i18n.Message, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Msg: msg, Args: args}
}

// With returns e with an extension member added to its problem document.
func (e *Error) With(key string, v any) *Error {
	if e.Extra == nil {
		e.Extra = map[string]any{}
	}
	e.Extra[key] = v
	return e
}

var (
	msgInvalid  = i18n.M("输入有误，请检查标出的字段", "the input is invalid; see the fields listed")
	msgNotFound = i18n.M("%s %v 不存在或无权查看", "%s %v does not exist or is not visible to you")
)

// NotFoundf reports that the thing named what (案件, 单位…) with this id
// (a case number, a unit id…) does not exist or is outside the caller's
// scope; the two are deliberately indistinguishable.
func NotFoundf(what i18n.Message, id any) *Error {
	return New(NotFound, "not-found", msgNotFound, what, id)
}

// Validation collects field errors; Err returns nil when there are none.
type Validation struct{ fields []FieldError }

// Add records that field is invalid.
func (v *Validation) Add(field string, msg i18n.Message, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Msg: msg, Args: args})
}

// Has reports whether field already has an error.
func (v *Validation) Has(field string) bool {
	for _, f := range v.fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns the collected errors as one Invalid error, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Code: "invalid-input", Msg: msgInvalid, Fields: v.fields}
}

// InvalidField is a shortcut for a single invalid field.
func InvalidField(field string, msg i18n.Message, args ...any) error {
	var v Validation
	v.Add(field, msg, args...)
	return v.Err()
}

// Common field messages, shared so that every surface words them alike.
var (
	Required  = i18n.M("为必填项", "is required")
	TooLong   = i18n.M("不能超过 %d 个字符", "must be at most %d characters")
	BadValue  = i18n.M("取值无效：%s", "has an invalid value: %s")
	BadFormat = i18n.M("格式不正确：%s", "is badly formed: %s")
)

// KindOf returns the Kind of err, Internal when err is not a *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns err as a *Error if it is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
