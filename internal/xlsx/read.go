package xlsx

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// maxCells bounds what Read takes in, against a workbook that unzips to
// far more than it seems.
const maxCells = 5_000_000

// ErrNotWorkbook is returned for a file that is not an XLSX workbook.
var ErrNotWorkbook = errors.New("not an xlsx workbook")

// Read returns the first sheet of a workbook as rows of text, each cell as
// Excel shows it: shared and inline strings, numbers and booleans as
// written (dates stay the serial numbers Excel stores). Missing cells are
// empty strings; trailing empty cells are dropped.
func Read(r io.ReaderAt, size int64) ([][]string, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, ErrNotWorkbook
	}
	files := map[string]*zip.File{}
	for _, f := range z.File {
		files[f.Name] = f
	}
	sheet, err := firstSheet(files)
	if err != nil {
		return nil, err
	}
	var shared []string
	if f, ok := files["xl/sharedStrings.xml"]; ok {
		var sst struct {
			Items []struct {
				T    string `xml:"t"`
				Runs []struct {
					T string `xml:"t"`
				} `xml:"r"`
			} `xml:"si"`
		}
		if err := decode(f, &sst); err != nil {
			return nil, err
		}
		for _, it := range sst.Items {
			s := it.T
			for _, r := range it.Runs {
				s += r.T
			}
			shared = append(shared, s)
		}
	}
	var ws struct {
		Rows []struct {
			R     int `xml:"r,attr"`
			Cells []struct {
				R  string `xml:"r,attr"`
				T  string `xml:"t,attr"`
				V  string `xml:"v"`
				IS struct {
					T    string `xml:"t"`
					Runs []struct {
						T string `xml:"t"`
					} `xml:"r"`
				} `xml:"is"`
			} `xml:"c"`
		} `xml:"sheetData>row"`
	}
	if err := decode(sheet, &ws); err != nil {
		return nil, err
	}
	var out [][]string
	cells := 0
	for _, row := range ws.Rows {
		n := row.R
		if n <= 0 {
			n = len(out) + 1
		}
		for len(out) < n {
			out = append(out, nil)
		}
		var vals []string
		for i, c := range row.Cells {
			col := i
			if c.R != "" {
				if col, err = columnIndex(c.R); err != nil {
					return nil, err
				}
			}
			for len(vals) <= col {
				vals = append(vals, "")
			}
			switch c.T {
			case "s":
				k, err := strconv.Atoi(c.V)
				if err != nil || k < 0 || k >= len(shared) {
					return nil, fmt.Errorf("xlsx: cell %s: bad shared string %q", c.R, c.V)
				}
				vals[col] = shared[k]
			case "inlineStr":
				s := c.IS.T
				for _, r := range c.IS.Runs {
					s += r.T
				}
				vals[col] = s
			case "b":
				vals[col] = map[string]string{"1": "TRUE", "0": "FALSE"}[c.V]
			default:
				vals[col] = c.V
			}
			if cells++; cells > maxCells {
				return nil, fmt.Errorf("xlsx: more than %d cells", maxCells)
			}
		}
		for len(vals) > 0 && vals[len(vals)-1] == "" {
			vals = vals[:len(vals)-1]
		}
		out[n-1] = vals
	}
	return out, nil
}

// firstSheet finds the workbook's first sheet through its relationships.
func firstSheet(files map[string]*zip.File) (*zip.File, error) {
	wbf, ok := files["xl/workbook.xml"]
	if !ok {
		return nil, ErrNotWorkbook
	}
	var wb struct {
		Sheets []struct {
			RID string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := decode(wbf, &wb); err != nil || len(wb.Sheets) == 0 {
		return nil, ErrNotWorkbook
	}
	target := "worksheets/sheet1.xml"
	if rf, ok := files["xl/_rels/workbook.xml.rels"]; ok {
		var rels struct {
			Rels []struct {
				ID     string `xml:"Id,attr"`
				Target string `xml:"Target,attr"`
			} `xml:"Relationship"`
		}
		if err := decode(rf, &rels); err != nil {
			return nil, err
		}
		for _, r := range rels.Rels {
			if r.ID == wb.Sheets[0].RID {
				target = r.Target
			}
		}
	}
	name := strings.TrimPrefix(target, "/")
	if !strings.HasPrefix(name, "xl/") {
		name = path.Join("xl", target)
	}
	f, ok := files[name]
	if !ok {
		return nil, fmt.Errorf("xlsx: sheet %s missing", name)
	}
	return f, nil
}

func decode(f *zip.File, v any) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(io.LimitReader(rc, 512<<20)).Decode(v); err != nil {
		return fmt.Errorf("xlsx: %s: %w", f.Name, err)
	}
	return nil
}

// columnIndex reads the column of a cell reference: A1 → 0, AB7 → 27.
func columnIndex(ref string) (int, error) {
	n := 0
	i := 0
	for ; i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z'; i++ {
		n = n*26 + int(ref[i]-'A'+1)
	}
	if i == 0 || n > 16384 {
		return 0, fmt.Errorf("xlsx: bad cell reference %q", ref)
	}
	return n - 1, nil
}
