package web

import (
	"net/http"

	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/importer"
)

type importData struct {
	Result  *importer.Result
	Mode    string
	Columns []importer.Column
}

var msgNoFile = i18n.M("请选择要导入的文件", "choose a file to import")

func (w *Web) importPage(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := w.mayIntake(v); err != nil {
		return err
	}
	d, ok := v.Data.(importData)
	if !ok {
		d = importData{Mode: string(importer.DryRun)}
	}
	d.Columns = importer.Columns
	v.Title, v.Active, v.Data = v.T("import.title"), "intake", d
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return w.render(rw, r, v, "import", status)
}

// importFile checks or imports an uploaded file.
func (w *Web) importFile(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := w.mayIntake(v); err != nil {
		return err
	}
	mode := importer.Mode(r.PostFormValue("mode"))
	if mode != importer.AllOrNothing && mode != importer.ValidRows {
		mode = importer.DryRun
	}
	v.Form = r.PostForm
	raw, err := formFile(r, "file", maxUpload)
	if err != nil {
		return w.formFailed(rw, r, v, err, w.importPage)
	}
	if len(raw) == 0 {
		return w.formFailed(rw, r, v, fault.InvalidField("file", msgNoFile), w.importPage)
	}
	rows, err := importer.Parse(raw)
	var res importer.Result
	if err == nil {
		im := &importer.Importer{Cases: w.app.Cases, Catalog: w.app.Catalog, DB: w.app.DB, Loc: w.loc, Lang: v.Lang,
			Source: r.PostFormValue("source"), CRS: r.PostFormValue("crs")}
		res, err = im.Run(r.Context(), v.Actor, rows, mode)
	}
	if err != nil {
		return w.formFailed(rw, r, v, err, w.importPage)
	}
	v.Data = importData{Result: &res, Mode: string(mode)}
	return w.importPage(rw, r, v)
}
