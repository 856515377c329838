// Package xlsx writes a table as an Office Open XML workbook (.xlsx) with
// one sheet: the format every office in China opens. It writes only what
// an export needs — text and numbers, a bold header row, frozen — with the
// standard library (archive/zip and XML), so that the binary stays free of
// dependencies.
package xlsx

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxRows is the most rows a sheet holds (the format's limit).
const MaxRows = 1048576

// Write writes a workbook with one sheet: the header in bold, frozen, then
// the rows. A cell is a string, an integer or a float (NaN and infinities are
// written empty); anything else is written with fmt.Sprint.
func Write(w io.Writer, sheet string, header []string, rows [][]any) error {
	if len(rows)+1 > MaxRows {
		return fmt.Errorf("xlsx: %d rows is more than a sheet holds", len(rows))
	}
	z := zip.NewWriter(w)
	files := []struct {
		name string
		body func(io.Writer) error
	}{
		{"[Content_Types].xml", static(contentTypes)},
		{"_rels/.rels", static(rootRels)},
		{"xl/workbook.xml", static(fmt.Sprintf(workbook, escape(sheetName(sheet))))},
		{"xl/_rels/workbook.xml.rels", static(workbookRels)},
		{"xl/styles.xml", static(styles)},
		{"xl/worksheets/sheet1.xml", func(w io.Writer) error { return writeSheet(w, header, rows) }},
	}
	for _, f := range files {
		fw, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate})
		if err != nil {
			return err
		}
		if err := f.body(fw); err != nil {
			return err
		}
	}
	return z.Close()
}

func static(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// sheetName makes a valid sheet name: at most 31 characters, none of : \ / ? * [ ].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, s)
	if s == "" {
		s = "Sheet1"
	}
	if utf8.RuneCountInString(s) > 31 {
		s = string([]rune(s)[:31])
	}
	return s
}

func writeSheet(w io.Writer, header []string, rows [][]any) error {
	b := bufio.NewWriter(w)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	b.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	b.WriteString(`<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`)
	b.WriteString(`<sheetData>`)
	row := func(n int, cells []any, style string) {
		fmt.Fprintf(b, `<row r="%d">`, n)
		for i, v := range cells {
			ref := column(i) + strconv.Itoa(n)
			switch x := v.(type) {
			case nil:
			case int:
				fmt.Fprintf(b, `<c r="%s"%s><v>%d</v></c>`, ref, style, x)
			case int64:
				fmt.Fprintf(b, `<c r="%s"%s><v>%d</v></c>`, ref, style, x)
			case float64:
				if math.IsNaN(x) || math.IsInf(x, 0) {
					continue
				}
				fmt.Fprintf(b, `<c r="%s"%s><v>%s</v></c>`, ref, style, strconv.FormatFloat(x, 'g', -1, 64))
			default:
				s, ok := v.(string)
				if !ok {
					s = fmt.Sprint(v)
				}
				fmt.Fprintf(b, `<c r="%s" t="inlineStr"%s><is><t xml:space="preserve">%s</t></is></c>`, ref, style, escape(s))
			}
		}
		b.WriteString(`</row>`)
	}
	h := make([]any, len(header))
	for i, s := range header {
		h[i] = s
	}
	row(1, h, ` s="1"`)
	for i, r := range rows {
		row(i+2, r, "")
	}
	b.WriteString(`</sheetData></worksheet>`)
	return b.Flush()
}

// column names the i-th column (0: A, 25: Z, 26: AA).
func column(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// escape writes text for XML, dropping characters XML cannot hold.
func escape(s string) string {
	var sb strings.Builder
	clean := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF {
			return r
		}
		return -1
	}, s)
	_ = xml.EscapeText(&sb, []byte(clean))
	return sb.String()
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>`

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>`

const workbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="%s" sheetId="1" r:id="rId1"/></sheets>
</workbook>`

const workbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>`

const styles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>`
