// Package importer takes in reports in bulk from other systems' exports
// (要素资源导入): a CSV or XLSX file, one report per row, a header row
// naming the columns in Chinese or English. A dry run checks every row and
// names each bad one by its row number and reason; an import then either
// stores all the rows or none (all-or-nothing), or stores the valid rows
// and reports the others. Rows carry the source system's id, scoped by the
// source system's name (two systems may both number a report "1"), so
// importing the same file twice adds nothing. Coordinates are WGS-84 unless
// the file or a row says gcj02 (高德, 腾讯 exports).
package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"pingan/internal/access"
	"pingan/internal/casework"
	"pingan/internal/catalog"
	"pingan/internal/db"
	"pingan/internal/division"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/xlsx"
)

// MaxRows bounds one file.
const MaxRows = 50_000

// Column is one column an import understands.
type Column struct {
	Key      string
	Names    []string // header names that mean it
	Required bool
}

// Columns are the columns of an import file; the header may use any of
// the names, in any order; other columns are ignored.
var Columns = []Column{
	{"source_id", []string{"source_id", "来源编号", "编号", "工单编号"}, true},
	{"source_system", []string{"source_system", "来源系统"}, false},
	{"body", []string{"body", "内容", "诉求内容", "描述"}, true},
	{"title", []string{"title", "标题"}, false},
	{"channel", []string{"channel", "渠道", "来源渠道"}, false},
	{"received_at", []string{"received_at", "occurred_at", "时间", "发生时间", "受理时间"}, false},
	{"reporter_name", []string{"reporter_name", "姓名", "诉求人"}, false},
	{"reporter_phone", []string{"reporter_phone", "电话", "联系电话"}, false},
	{"reporter_id", []string{"reporter_id", "身份证号"}, false},
	{"address", []string{"address", "地址"}, false},
	{"lat", []string{"lat", "纬度"}, false},
	{"lon", []string{"lon", "经度"}, false},
	{"crs", []string{"crs", "坐标系"}, false},
	{"nature", []string{"nature", "性质"}, false},
	{"category", []string{"category", "分类", "分类编码"}, false},
	{"priority", []string{"priority", "紧急程度"}, false},
}

// Mode is how an import stores rows.
type Mode string

const (
	DryRun       Mode = "dry-run"        // check only
	AllOrNothing Mode = "all-or-nothing" // every row, or none if any is bad
	ValidRows    Mode = "valid-rows"     // the good rows; the bad ones reported
)

// Row is one row's outcome.
type Row struct {
	Line       int    // the row number in the file (the header is 1)
	SourceID   string // the source system's id
	Status     string // ok (would import), imported, duplicate (imported before), invalid, skipped
	CaseNumber string
	Problems   []string
}

// Result is an import's outcome.
type Result struct {
	Mode                                   Mode
	Rows                                   []Row
	Valid, Invalid, Duplicates, Imported   int
	Stored                                 bool // anything was written
	MissingColumns, UnknownHeader, Ignored []string
}

// Importer runs imports.
type Importer struct {
	Cases   *casework.Service
	Catalog *catalog.Service
	DB      *db.DB
	Loc     *time.Location
	Lang    i18n.Lang
	// Source names the system the file comes from (a row's 来源系统
	// column, if any, names its own). Source ids are unique within a
	// system, so the system scopes them: one is required.
	Source string
	// CRS is the datum of the file's coordinates (a row's 坐标系 column,
	// if any, names its own): wgs84 (the default) or gcj02.
	CRS string
}

// MaxSource bounds a source system's name.
const MaxSource = 40

var (
	msgEmpty    = i18n.M("文件是空的", "the file is empty")
	msgColumns  = i18n.M("缺少必需的列：%s", "required columns are missing: %s")
	msgTooMany  = i18n.M("一次最多导入 %d 行", "at most %d rows per import")
	msgFormat   = i18n.M("无法读取文件：须为 UTF-8 编码的 CSV 或 Excel（.xlsx）", "the file could not be read: it must be UTF-8 CSV or Excel (.xlsx)")
	msgTime     = i18n.M("时间格式应为 2026-11-26 09:30", "write times as 2026-11-26 09:30")
	msgNumber   = i18n.M("应为数字", "must be a number")
	msgCategory = i18n.M("没有这个分类编码：%s", "no such category code: %s")
	msgDupRow   = i18n.M("与第 %d 行来源编号相同", "the same source id as row %d")
	msgNoSource = i18n.M("须指定来源系统（命令行 --source、导入页的“来源系统”，或文件中的“来源系统”列）：不同系统的编号可能相同",
		"name the source system (--source, the upload page's source system, or a source_system column): different systems may use the same ids")
	msgSource = i18n.M("来源系统名称须为 1 到 %d 个字符，不含冒号", "a source system's name is 1 to %d characters, without a colon")
	msgCRS    = i18n.M("坐标系应为 wgs84 或 gcj02（高德、腾讯）：%s", "the datum must be wgs84 or gcj02 (Amap, Tencent Maps): %s")
)

// sourceKey is a row's id as pingan keeps it: the system's name and its
// id, so that system B's "1" is not system A's.
func sourceKey(system, id string) string { return system + ":" + id }

// checkSource reports whether a source system's name is usable.
func checkSource(name string) bool {
	return name != "" && utf8.RuneCountInString(name) <= MaxSource && !strings.ContainsAny(name, ":：")
}

// Parse reads a CSV (UTF-8, with or without a byte-order mark) or XLSX
// file into rows of text.
func Parse(raw []byte) ([][]string, error) {
	if bytes.HasPrefix(raw, []byte("PK")) {
		rows, err := xlsx.Read(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			return nil, fault.New(fault.Invalid, "bad-file", msgFormat)
		}
		return rows, nil
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(raw) {
		return nil, fault.New(fault.Invalid, "bad-file", msgFormat)
	}
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord = -1
	var out [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fault.New(fault.Invalid, "bad-file", msgFormat)
		}
		out = append(out, rec)
	}
	return out, nil
}

// Run checks the rows and, unless it is a dry run, stores them.
func (im *Importer) Run(ctx context.Context, actor access.Actor, rows [][]string, mode Mode) (Result, error) {
	res := Result{Mode: mode}
	if len(rows) == 0 {
		return res, fault.New(fault.Invalid, "empty", msgEmpty)
	}
	if len(rows)-1 > MaxRows {
		return res, fault.New(fault.Invalid, "too-many", msgTooMany, MaxRows)
	}
	cols := map[string]int{}
	header := map[string]string{} // column key → the header as the file writes it
	for i, h := range rows[0] {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		known := false
		for _, c := range Columns {
			for _, n := range c.Names {
				if strings.EqualFold(h, n) {
					if _, seen := cols[c.Key]; !seen {
						cols[c.Key], header[c.Key] = i, h
					}
					known = true
				}
			}
		}
		if !known && h != "" {
			res.Ignored = append(res.Ignored, h)
		}
	}
	for _, c := range Columns {
		if _, ok := cols[c.Key]; c.Required && !ok {
			res.MissingColumns = append(res.MissingColumns, c.Names[0]+"（"+c.Names[1]+"）")
		}
	}
	if len(res.MissingColumns) > 0 {
		return res, fault.New(fault.Invalid, "missing-columns", msgColumns, strings.Join(res.MissingColumns, "、"))
	}
	im.Source = strings.TrimSpace(im.Source)
	if _, perRow := cols["source_system"]; im.Source == "" && !perRow {
		return res, fault.InvalidField("source", msgNoSource)
	}
	if im.Source != "" && !checkSource(im.Source) {
		return res, fault.InvalidField("source", msgSource, MaxSource)
	}
	if _, _, ok := division.ToWGS84(im.CRS, 0, 0); !ok {
		return res, fault.InvalidField("crs", msgCRS, im.CRS)
	}

	// name is how a row's problem names its column: as the file's header
	// does, whatever the field is called inside pingan.
	name := func(field string) string {
		key := map[string]string{"reporter.phone": "reporter_phone", "reporter.id_number": "reporter_id",
			"occurred_at": "received_at", "location": "lat", "category_id": "category", "source_ref": "source_id"}[field]
		if key == "" {
			key = field
		}
		if h, ok := header[key]; ok {
			return h
		}
		return field
	}
	known, err := im.codes(ctx)
	if err != nil {
		return res, err
	}
	var inputs []casework.ReportInput
	var lines []int
	seen := map[string]int{}
	for i, rec := range rows[1:] {
		line := i + 2
		get := func(k string) string {
			if j, ok := cols[k]; ok && j < len(rec) {
				return strings.TrimSpace(rec[j])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue // a blank row
		}
		row := Row{Line: line, SourceID: get("source_id")}
		in, problems := im.input(ctx, get, name, known)
		if prev, dup := seen[in.SourceRef]; dup && row.SourceID != "" {
			problems = append(problems, msgDupRow.Format(im.Lang, prev))
		}
		seen[in.SourceRef] = line
		if len(problems) == 0 {
			number, err := im.Cases.CheckReport(ctx, actor, in)
			switch {
			case err == nil && number != "":
				row.Status, row.CaseNumber = "duplicate", number
			case err == nil:
				row.Status = "ok"
			default:
				fe, ok := fault.As(err)
				if !ok {
					return res, err
				}
				if fe.Kind == fault.Forbidden {
					return res, err
				}
				problems = append(problems, describe(fe, im.Lang, name)...)
			}
		}
		if len(problems) > 0 {
			row.Status, row.Problems = "invalid", problems
			res.Invalid++
		} else if row.Status == "duplicate" {
			res.Duplicates++
		} else {
			res.Valid++
			inputs = append(inputs, in)
			lines = append(lines, len(res.Rows))
		}
		res.Rows = append(res.Rows, row)
	}
	if mode == DryRun || len(inputs) == 0 || mode == AllOrNothing && res.Invalid > 0 {
		if mode == AllOrNothing && res.Invalid > 0 {
			for i := range res.Rows {
				if res.Rows[i].Status == "ok" {
					res.Rows[i].Status = "skipped"
				}
			}
		}
		return res, nil
	}
	// One transaction: every valid row is stored, or (on a failure) none.
	results, err := im.Cases.IntakeBatch(ctx, actor, inputs)
	if err != nil {
		return res, err
	}
	for k, r := range results {
		row := &res.Rows[lines[k]]
		row.CaseNumber = r.Case.Number
		if r.Replayed {
			row.Status = "duplicate"
			res.Duplicates++
			res.Valid--
			continue
		}
		row.Status = "imported"
		res.Imported++
	}
	res.Stored = res.Imported > 0
	return res, nil
}

// codes maps what a file may write in a coded column — the code, or its
// name in Chinese or English (投诉, 12345热线, 紧急) — to the code: column →
// written, lower-cased → code.
type codes map[string]map[string]string

func (im *Importer) codes(ctx context.Context) (codes, error) {
	c := codes{"channel": {}, "priority": {}, "nature": {}}
	add := func(col, code string, names ...string) {
		for _, n := range append(names, code) {
			c[col][strings.ToLower(n)] = code
		}
	}
	for _, ch := range casework.Channels {
		add("channel", string(ch.Channel), ch.Name.ZH, ch.Name.EN)
	}
	for _, p := range casework.Priorities {
		add("priority", string(p.Priority), p.Name.ZH, p.Name.EN)
	}
	natures, err := im.Catalog.Natures(ctx)
	if err != nil {
		return nil, err
	}
	for _, n := range natures {
		add("nature", n.Code, n.Name, n.NameEN)
	}
	return c, nil
}

// of is the code v names in col; v itself when it names none (intake
// refuses it, naming the value).
func (c codes) of(col, v string) string {
	if code, ok := c[col][strings.ToLower(v)]; ok {
		return code
	}
	return v
}

// input builds a report from a row, with the problems of its own fields.
func (im *Importer) input(ctx context.Context, get, name func(string) string, known codes) (casework.ReportInput, []string) {
	var problems []string
	bad := func(col string, msg i18n.Message, args ...any) {
		problems = append(problems, name(col)+i18n.Colon.Format(im.Lang)+msg.Format(im.Lang, args...))
	}
	in := casework.ReportInput{Channel: casework.Channel(known.of("channel", get("channel"))), SourceRef: get("source_id"),
		Title: get("title"), Body: get("body"), ReporterName: get("reporter_name"), ReporterPhone: get("reporter_phone"),
		ReporterIDNumber: get("reporter_id"), Address: get("address"), Nature: known.of("nature", get("nature")),
		Priority: casework.Priority(known.of("priority", get("priority")))}
	if in.Channel == "" {
		in.Channel = "import"
	}
	if in.SourceRef == "" {
		bad("source_id", fault.Required)
	}
	system := get("source_system")
	if system == "" {
		system = im.Source
	}
	if !checkSource(system) {
		bad("source_system", msgSource, MaxSource)
	} else if in.SourceRef != "" {
		in.SourceRef = sourceKey(system, in.SourceRef)
	}
	if s := get("received_at"); s != "" {
		t, err := parseTime(s, im.Loc)
		if err != nil {
			bad("received_at", msgTime)
		}
		in.OccurredAt = t
	}
	if la, lo := get("lat"), get("lon"); la != "" || lo != "" {
		lat, err1 := strconv.ParseFloat(la, 64)
		lon, err2 := strconv.ParseFloat(lo, 64)
		crs := get("crs")
		if crs == "" {
			crs = im.CRS
		}
		if err1 != nil || err2 != nil {
			bad("lat/lon", msgNumber)
		} else if lat, lon, ok := division.ToWGS84(crs, lat, lon); !ok {
			bad("crs", msgCRS, crs)
		} else {
			in.Location = &casework.Point{Lat: lat, Lon: lon}
		}
	}
	if code := get("category"); code != "" {
		cat, err := im.Catalog.CategoryByCode(ctx, im.DB, code)
		if err != nil {
			bad("category", msgCategory, code)
		} else {
			in.CategoryID = cat.ID
		}
	}
	return in, problems
}

// parseTime reads the usual ways systems write a time, or an Excel serial
// day number.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04", "2006-01-02", "2006/1/2"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	if days, err := strconv.ParseFloat(s, 64); err == nil && days > 20000 && days < 80000 {
		base := time.Date(1899, 12, 30, 0, 0, 0, 0, loc)
		return base.Add(time.Duration(days * 24 * float64(time.Hour))).Round(time.Second), nil
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}

// describe turns a refusal into the problems of a row.
func describe(fe *fault.Error, lang i18n.Lang, name func(string) string) []string {
	if len(fe.Fields) == 0 {
		return []string{fe.Msg.Format(lang, fe.Args...)}
	}
	var out []string
	for _, f := range fe.Fields {
		out = append(out, name(f.Field)+i18n.Colon.Format(lang)+f.Msg.Format(lang, f.Args...))
	}
	return out
}
