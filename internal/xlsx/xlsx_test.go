package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"
)

// readSheet reads the cells of the written sheet back: reference → text
// and whether it was written as a number.
func readSheet(t *testing.T, raw []byte) (map[string]string, map[string]bool, string) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var sheet, wb []byte
	names := map[string]bool{}
	for _, f := range z.File {
		names[f.Name] = true
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		switch f.Name {
		case "xl/worksheets/sheet1.xml":
			sheet = b
		case "xl/workbook.xml":
			wb = b
		}
		// Every part is well-formed XML.
		d := xml.NewDecoder(bytes.NewReader(b))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
	}
	for _, n := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"} {
		if !names[n] {
			t.Fatalf("no %s", n)
		}
	}
	var ws struct {
		Rows []struct {
			Cells []struct {
				R  string `xml:"r,attr"`
				T  string `xml:"t,attr"`
				S  string `xml:"s,attr"`
				V  string `xml:"v"`
				IS struct {
					T string `xml:"t"`
				} `xml:"is"`
			} `xml:"c"`
		} `xml:"sheetData>row"`
	}
	if err := xml.Unmarshal(sheet, &ws); err != nil {
		t.Fatal(err)
	}
	cells, numbers := map[string]string{}, map[string]bool{}
	for _, r := range ws.Rows {
		for _, c := range r.Cells {
			if c.T == "inlineStr" {
				cells[c.R] = c.IS.T
			} else {
				cells[c.R], numbers[c.R] = c.V, true
			}
			if strings.HasSuffix(c.R, "1") && len(c.R) <= 3 && c.S != "1" && strings.TrimLeft(c.R, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "1" {
				t.Errorf("header cell %s is not bold", c.R)
			}
		}
	}
	return cells, numbers, string(wb)
}

func TestWrite(t *testing.T) {
	var buf bytes.Buffer
	header := []string{"案件编号", "标题", "件数", "比率"}
	rows := [][]any{
		{"XM-2026-000001", "噪音扰民 <夜间> & \"施工\"\x01", 3, 0.875},
		{"XM-2026-000002", "多行\n文本", int64(12), math.NaN()},
		{"XM-2026-000003", nil, 0, 1.5e-7},
	}
	if err := Write(&buf, "考评/2026:11", header, rows); err != nil {
		t.Fatal(err)
	}
	cells, numbers, wb := readSheet(t, buf.Bytes())
	want := map[string]string{"A1": "案件编号", "D1": "比率", "A2": "XM-2026-000001", "B2": "噪音扰民 <夜间> & \"施工\"",
		"C2": "3", "D2": "0.875", "B3": "多行\n文本", "C3": "12", "C4": "0", "D4": "1.5e-07"}
	for ref, v := range want {
		if cells[ref] != v {
			t.Errorf("%s = %q, want %q", ref, cells[ref], v)
		}
	}
	for _, ref := range []string{"C2", "D2", "C3", "C4", "D4"} {
		if !numbers[ref] {
			t.Errorf("%s was not written as a number", ref)
		}
	}
	if _, ok := cells["D3"]; ok {
		t.Error("NaN was written")
	}
	if _, ok := cells["B4"]; ok {
		t.Error("nil was written")
	}
	if !strings.Contains(wb, `name="考评_2026_11"`) {
		t.Errorf("sheet name: %s", wb)
	}
}

func TestColumn(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := column(i); got != want {
			t.Errorf("column(%d) = %s, want %s", i, got, want)
		}
	}
}

// What Write writes, Read reads back.
func TestReadBack(t *testing.T) {
	var buf bytes.Buffer
	rows := [][]any{{"XM-1", "噪音 <夜间> & 施工", 3}, {"XM-2", nil, 1.5}, {"", "", ""}, {"XM-4", "last"}}
	if err := Write(&buf, "s", []string{"编号", "标题", "数"}, rows); err != nil {
		t.Fatal(err)
	}
	got, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"编号", "标题", "数"}, {"XM-1", "噪音 <夜间> & 施工", "3"}, {"XM-2", "", "1.5"}, nil, {"XM-4", "last"}}
	if len(got) != len(want) {
		t.Fatalf("%d rows: %q", len(got), got)
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d: %q, want %q", i+1, got[i], want[i])
		}
	}
	if _, err := Read(bytes.NewReader([]byte("a,b\n1,2\n")), 8); err != ErrNotWorkbook {
		t.Errorf("a CSV file: %v", err)
	}
}
