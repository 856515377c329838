package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"pingan/internal/xlsx"
)

// table is a list to export: a header and rows of strings and numbers.
type table struct {
	Sheet  string
	Header []string
	Rows   [][]any
}

// writeTable sends a table as CSV (UTF-8 with a BOM, so that spreadsheet
// programs read the Chinese) or as an XLSX workbook, by the extension of
// the request's path. Text that a spreadsheet would take for a formula is
// prefixed with an apostrophe in both.
func writeTable(rw http.ResponseWriter, r *http.Request, name string, t table) error {
	safe := make([][]any, len(t.Rows))
	for i, row := range t.Rows {
		safe[i] = make([]any, len(row))
		for j, c := range row {
			if s, ok := c.(string); ok {
				c = formulaSafe(s)
			}
			safe[i][j] = c
		}
	}
	h := rw.Header()
	if strings.HasSuffix(r.URL.Path, ".xlsx") {
		var buf bytes.Buffer
		if err := xlsx.Write(&buf, t.Sheet, t.Header, safe); err != nil {
			return err
		}
		h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		h.Set("Content-Disposition", attachment(name+".xlsx"))
		_, err := rw.Write(buf.Bytes())
		return err
	}
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", attachment(name+".csv"))
	_, _ = rw.Write([]byte("\xef\xbb\xbf"))
	cw := csv.NewWriter(rw)
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	rec := make([]string, 0, len(t.Header))
	for _, row := range safe {
		rec = rec[:0]
		for _, c := range row {
			if c == nil {
				rec = append(rec, "")
				continue
			}
			rec = append(rec, fmt.Sprint(c))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// attachment is a Content-Disposition for a download, with the name in
// UTF-8 for browsers and in ASCII for the rest.
func attachment(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}

// formulaSafe stops a cell from being read as a spreadsheet formula.
func formulaSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
