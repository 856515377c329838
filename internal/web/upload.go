package web

import (
	"net/http"

	"pingan/internal/casework"
)

// readUploads checks and stores the files of a form field and returns their
// metadata (casework.StoreUploads); none when the form carries no files.
func (w *Web) readUploads(r *http.Request, field string) ([]casework.AttachmentInput, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	return w.app.Cases.StoreUploads(r.Context(), field, r.MultipartForm.File[field])
}
