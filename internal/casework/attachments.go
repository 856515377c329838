package casework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// Attach is the timeline action of adding files to a case.
const Attach Action = "attach"

func init() { ActionNames[Attach] = i18n.M("上传附件", "Add attachments") }

var (
	msgNoFiles     = i18n.M("请选择文件", "choose at least one file")
	msgCannotAdd   = i18n.M("您的角色不能为案件添加附件", "your role may not add attachments to cases")
	msgFilesClosed = i18n.M("案件 %s 状态为“%s”，不能再添加附件；如有新材料，请先重新打开案件", "case %s is “%s”: files can no longer be added; reopen it first if new material has come")
	msgNoContent   = i18n.M("附件内容不存在", "the attachment has no stored content")
	msgEmptyBlob   = i18n.M("文件为空", "the file is empty")
	msgHashChange  = i18n.M("文件摘要与内容不符", "the file's digest does not match its content")
)

// PutBlob stores attachment content under its SHA-256 (once, however often
// it is uploaded) and returns the digest. Nothing a user names reaches the
// file system: the content lives in the database.
func (s *Service) PutBlob(ctx context.Context, content []byte) (string, error) {
	if len(content) == 0 {
		return "", fault.InvalidField("file", msgEmptyBlob)
	}
	if len(content) > MaxAttachment {
		return "", fault.InvalidField("file", msgTooLarge, MaxAttachment>>20)
	}
	sum := sha256.Sum256(content)
	digest := hex.EncodeToString(sum[:])
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		// Uploaded again, the content is fresh again: housekeeping counts
		// its day of grace from the latest upload.
		_, err := tx.ExecContext(ctx, `INSERT INTO attachment_blobs (sha256, content, size, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (sha256) DO UPDATE SET created_at = excluded.created_at`, digest, content, len(content), s.now().UnixMicro())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store attachment: %w", err)
	}
	return digest, nil
}

// AttachUploads adds the files sent as one field of a multipart form to
// the case numbered number. It checks first that actor may (canAttach, the
// refusal audited) and only then calls read for the files, so that a
// request someone may not make is neither read nor stored; then it checks
// and stores the files (StoreUploads) and adds them (addAttachments). The
// pages and the API take files onto a case through it alike.
func (s *Service) AttachUploads(ctx context.Context, actor access.Actor, number, field string, read func() ([]*multipart.FileHeader, error)) ([]Attachment, error) {
	if err := s.canAttach(ctx, actor, number); err != nil {
		return nil, err
	}
	files, err := read()
	if err != nil {
		return nil, err
	}
	in, err := s.StoreUploads(ctx, field, files)
	if err != nil {
		return nil, err
	}
	return s.addAttachments(ctx, actor, number, in)
}

// canAttach says whether actor may add files to the case numbered number:
// the case in scope (else it is not found), a role that adds files and a
// case still open (attachable).
func (s *Service) canAttach(ctx context.Context, actor access.Actor, number string) error {
	c, _, err := s.loadVisible(ctx, s.db, actor, number)
	if err == nil {
		err = attachable(actor, c)
	}
	if err != nil && denied(err) {
		err = s.recordDenied(ctx, actor, "case.attach", "case", number, err)
	}
	return err
}

// attachable says whether actor may add files to c, which they see: a role
// that adds files, and a case still being worked on. A closed case's
// record is what was decided on; material that comes later reopens it.
func attachable(actor access.Actor, c Case) error {
	if !actor.System && !actor.HasAny(access.Intake, access.Dispatcher, access.Handler, access.Verifier, access.Callback, access.Supervisor) {
		return fault.New(fault.Forbidden, "forbidden", msgCannotAdd)
	}
	if !c.State.Open() {
		return fault.New(fault.Conflict, "case-not-open", msgFilesClosed, c.Number, stateName(c.State)).With("state", c.State)
	}
	return nil
}

// addAttachments adds files (stored with PutBlob) to a case in the actor's
// scope, with a timeline entry and an audit record, and returns them as
// added; its caller has checked the actor's role (canAttach), and it checks
// again in its write that the case is open (attachable).
func (s *Service) addAttachments(ctx context.Context, actor access.Actor, number string, files []AttachmentInput) ([]Attachment, error) {
	var v fault.Validation
	if len(files) == 0 {
		v.Add("files", msgNoFiles)
	}
	validateAttachments(&v, "files", files)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var added []Attachment
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c, _, err := s.loadVisible(ctx, tx, actor, number)
		if err == nil {
			err = attachable(actor, c)
		}
		if err != nil {
			return err
		}
		var names []string
		for _, f := range files {
			names = append(names, f.Name)
		}
		now := s.now()
		id, err := appendEntry(ctx, tx, Entry{CaseID: c.ID, At: now, ActorID: actor.UserID, UnitID: actor.UnitID, Action: Attach,
			FromState: c.State, ToState: c.State, Note: i18n.Plain(fmt.Sprint(names))})
		if err != nil {
			return err
		}
		if added, err = insertAttachments(ctx, tx, c.ID, 0, id, actor.UserID, now, files); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, entry(actor, "case.attach", "case", c.Number, audit.OK, map[string]any{"files": len(files)}))
	})
	if err != nil && denied(err) {
		err = s.recordDenied(ctx, actor, "case.attach", "case", number, err)
	}
	if err != nil {
		return nil, err
	}
	return added, nil
}

// AttachmentContent returns an attachment and its content to an actor who
// can see its case; the read is audited.
func (s *Service) AttachmentContent(ctx context.Context, actor access.Actor, id int64) (Attachment, []byte, error) {
	notFound := fault.NotFoundf(i18n.M("附件", "attachment"), id)
	var caseID int64
	if err := s.db.QueryRowContext(ctx, "SELECT case_id FROM attachments WHERE id = $1", id).Scan(&caseID); err != nil {
		if db.IsNotFound(err) {
			return Attachment{}, nil, notFound
		}
		return Attachment{}, nil, err
	}
	c, err := caseByID(ctx, s.db, caseID)
	if err != nil {
		return Attachment{}, nil, err
	}
	if _, _, err := s.loadVisible(ctx, s.db, actor, c.Number); err != nil {
		return Attachment{}, nil, notFound
	}
	as, err := attachmentsOf(ctx, s.db, "id = $1", id)
	if err != nil {
		return Attachment{}, nil, err
	}
	var a Attachment
	if len(as) == 1 {
		a = as[0]
	}
	if !a.Stored {
		return a, nil, fault.New(fault.NotFound, "no-content", msgNoContent)
	}
	var content []byte
	if err := s.db.QueryRowContext(ctx, "SELECT content FROM attachment_blobs WHERE sha256 = $1", a.SHA256).Scan(&content); err != nil {
		return a, nil, fmt.Errorf("read attachment %d: %w", id, err)
	}
	sum := sha256.Sum256(content)
	if hex.EncodeToString(sum[:]) != a.SHA256 {
		return a, nil, fmt.Errorf("attachment %d: %w", id, fault.New(fault.Internal, "corrupt", msgHashChange))
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		return s.audit.Append(ctx, tx, entry(actor, "attachment.read", "case", c.Number, audit.OK, map[string]any{"attachment": id}))
	})
	return a, content, err
}
