package web

import (
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"

	"pingan/internal/casework"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// allowedTypes are the files pingan takes, by extension, with what the
// content must sniff as: photos, PDFs, plain text and office documents.
var allowedTypes = map[string]struct{ contentType, sniff string }{
	".jpg":  {"image/jpeg", "image/jpeg"},
	".jpeg": {"image/jpeg", "image/jpeg"},
	".png":  {"image/png", "image/png"},
	".gif":  {"image/gif", "image/gif"},
	".webp": {"image/webp", "image/webp"},
	".pdf":  {"application/pdf", "application/pdf"},
	".txt":  {"text/plain; charset=utf-8", "text/plain"},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
	".doc":  {"application/msword", "application/octet-stream"},
	".xls":  {"application/vnd.ms-excel", "application/octet-stream"},
}

var (
	msgFileType  = i18n.M("不支持的文件类型：%s（可上传图片、PDF、文本、Word、Excel）", "file type not accepted: %s (photos, PDF, text, Word, Excel)")
	msgFileLie   = i18n.M("文件内容与扩展名不符：%s", "the file's content does not match its extension: %s")
	msgFileLarge = i18n.M("文件过大：%s（上限 %d MB）", "file too large: %s (limit %d MB)")
	msgFileName  = i18n.M("文件名无效", "invalid file name")
)

// readUploads stores the files of a form field and returns their metadata.
// The name a user gives is kept for display only; the content is stored
// under its digest.
func (w *Web) readUploads(r *http.Request, field string) ([]casework.AttachmentInput, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	if len(r.MultipartForm.File[field]) > casework.MaxAttachments {
		return nil, fault.InvalidField(field, i18n.M("最多 %d 个文件", "at most %d files"), casework.MaxAttachments)
	}
	var out []casework.AttachmentInput
	for _, fh := range r.MultipartForm.File[field] {
		in, err := w.storeUpload(r, fh)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

func (w *Web) storeUpload(r *http.Request, fh *multipart.FileHeader) (casework.AttachmentInput, error) {
	name := path.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
	if name == "" || name == "." || name == "/" || utf8.RuneCountInString(name) > 200 || strings.ContainsRune(name, 0) {
		return casework.AttachmentInput{}, fault.InvalidField("file", msgFileName)
	}
	kind, ok := allowedTypes[strings.ToLower(path.Ext(name))]
	if !ok {
		return casework.AttachmentInput{}, fault.InvalidField("file", msgFileType, name)
	}
	if fh.Size > casework.MaxAttachment {
		return casework.AttachmentInput{}, fault.InvalidField("file", msgFileLarge, name, casework.MaxAttachment>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return casework.AttachmentInput{}, err
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, casework.MaxAttachment+1))
	if err != nil {
		return casework.AttachmentInput{}, err
	}
	if len(content) > casework.MaxAttachment {
		return casework.AttachmentInput{}, fault.InvalidField("file", msgFileLarge, name, casework.MaxAttachment>>20)
	}
	sniffed := http.DetectContentType(content)
	if !strings.HasPrefix(sniffed, kind.sniff) {
		return casework.AttachmentInput{}, fault.InvalidField("file", msgFileLie, name)
	}
	digest, err := w.app.Cases.PutBlob(r.Context(), content)
	if err != nil {
		return casework.AttachmentInput{}, err
	}
	return casework.AttachmentInput{Name: name, ContentType: kind.contentType, Size: int64(len(content)), SHA256: digest}, nil
}
