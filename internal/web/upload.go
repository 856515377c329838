package web

import (
	"mime/multipart"
	"net/http"

	"pingan/internal/casework"
)

// formFiles are the files a form sent as field; none when it is not a
// multipart form.
func formFiles(r *http.Request, field string) []*multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	return r.MultipartForm.File[field]
}

// readUploads checks and stores the files of a form field and returns their
// metadata (casework.StoreUploads); none when the form carries no files.
func (w *Web) readUploads(r *http.Request, field string) ([]casework.AttachmentInput, error) {
	return w.app.Cases.StoreUploads(r.Context(), field, formFiles(r, field))
}
