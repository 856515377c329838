package casework

import (
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

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
	msgTooManyFiles = i18n.M("最多 %d 个文件", "at most %d files")
	msgFileType     = i18n.M("不支持的文件类型：%s（可上传图片、PDF、文本、Word、Excel）", "file type not accepted: %s (photos, PDF, text, Word, Excel)")
	msgFileLie      = i18n.M("文件内容与扩展名不符：%s", "the file's content does not match its extension: %s")
	msgFileLarge    = i18n.M("文件过大：%s（上限 %d MB）", "file too large: %s (limit %d MB)")
	msgFileName     = i18n.M("文件名无效", "invalid file name")
)

// StoreUploads checks the files sent as one field of a multipart form — at
// most MaxAttachments, each a photo, PDF, text or office document whose
// content is what its extension says, of at most MaxAttachment bytes —
// stores their content (PutBlob) and returns their metadata, for intake,
// a report-back's evidence or addAttachments. The name a user gives is
// kept for display only; the content is stored under its digest. The
// pages and the API take files through it alike.
func (s *Service) StoreUploads(ctx context.Context, field string, files []*multipart.FileHeader) ([]AttachmentInput, error) {
	if len(files) > MaxAttachments {
		return nil, fault.InvalidField(field, msgTooManyFiles, MaxAttachments)
	}
	var out []AttachmentInput
	for _, fh := range files {
		in, err := s.storeUpload(ctx, field, fh)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

func (s *Service) storeUpload(ctx context.Context, field string, fh *multipart.FileHeader) (AttachmentInput, error) {
	name := path.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
	if name == "" || name == "." || name == "/" || utf8.RuneCountInString(name) > 200 || strings.ContainsRune(name, 0) {
		return AttachmentInput{}, fault.InvalidField(field, msgFileName)
	}
	kind, ok := allowedTypes[strings.ToLower(path.Ext(name))]
	if !ok {
		return AttachmentInput{}, fault.InvalidField(field, msgFileType, name)
	}
	if fh.Size > MaxAttachment {
		return AttachmentInput{}, fault.InvalidField(field, msgFileLarge, name, MaxAttachment>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return AttachmentInput{}, err
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, MaxAttachment+1))
	if err != nil {
		return AttachmentInput{}, err
	}
	if len(content) > MaxAttachment {
		return AttachmentInput{}, fault.InvalidField(field, msgFileLarge, name, MaxAttachment>>20)
	}
	sniffed := http.DetectContentType(content)
	if !strings.HasPrefix(sniffed, kind.sniff) {
		return AttachmentInput{}, fault.InvalidField(field, msgFileLie, name)
	}
	digest, err := s.PutBlob(ctx, content)
	if err != nil {
		return AttachmentInput{}, err
	}
	return AttachmentInput{Name: name, ContentType: kind.contentType, Size: int64(len(content)), SHA256: digest}, nil
}

// ServeAttachment writes an attachment's content (AttachmentContent) as an
// HTTP response, for the pages and the API alike: images and PDFs inline,
// everything else (and any type pingan does not take files as) as a
// download, under the name it was given, never
// sniffed, in a sandbox, never cached.
func ServeAttachment(w http.ResponseWriter, a Attachment, content []byte) error {
	h := w.Header()
	// Only a type pingan takes files as is served as that type: metadata
	// sent with a stored file's digest (intake's attachments) may name any.
	ct := "application/octet-stream"
	for _, k := range allowedTypes {
		if a.ContentType == k.contentType {
			ct = a.ContentType
		}
	}
	a.ContentType = ct
	h.Set("Content-Type", a.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'")
	h.Set("Cache-Control", "private, no-store")
	disposition := "attachment"
	if strings.HasPrefix(a.ContentType, "image/") || a.ContentType == "application/pdf" {
		disposition = "inline"
	}
	h.Set("Content-Disposition", disposition+"; filename*=UTF-8''"+url.PathEscape(a.Name))
	h.Set("Content-Length", strconv.Itoa(len(content)))
	_, err := w.Write(content)
	return err
}
