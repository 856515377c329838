package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/casework"
	"pingan/internal/i18n"
	"pingan/internal/org"
	"pingan/internal/score"
	"pingan/internal/supervision"
)

// The audit log stores codes ("case.dispatch", "supervision_order", "ok"):
// they are what the hash chain covers and what the API returns. The audit
// page names them in the reader's language, and keeps the code beside the
// name for whoever has to match it elsewhere.

// auditNouns name what a record is about: an object type, or the part of
// an action's code before its first dot.
var auditNouns = map[string]i18n.Message{
	"case":              i18n.M("案件", "Case"),
	"report":            i18n.M("来件", "Report"),
	"attachment":        i18n.M("附件", "Attachment"),
	"personal":          i18n.M("个人信息", "Personal data"),
	"supervision":       i18n.M("督办", "Supervision"),
	"supervision_order": i18n.M("督办单", "Supervision order"),
	"petition":          i18n.M("信访", "Petition"),
	"user":              i18n.M("用户", "User"),
	"unit":              i18n.M("单位", "Unit"),
	"org":               i18n.M("组织机构", "Organisation"),
	"token":             i18n.M("接口令牌", "API token"),
	"login":             i18n.M("登录", "Sign-in"),
	"logout":            i18n.M("退出登录", "Sign-out"),
	"password":          i18n.M("密码", "Password"),
	"totp":              i18n.M("两步验证", "Two-step verification"),
	"credential_reset":  i18n.M("凭据重置申请", "Credential reset"),
	"category":          i18n.M("分类", "Category"),
	"catalog":           i18n.M("分类目录", "Catalogue"),
	"nature":            i18n.M("性质", "Nature"),
	"routing_rule":      i18n.M("派遣规则", "Routing rule"),
	"deadline_policy":   i18n.M("期限规则", "Deadline policy"),
	"calendar":          i18n.M("工作日历", "Work calendar"),
	"model":             i18n.M("分类模型", "Classifier model"),
	"score":             i18n.M("考核", "Scorecard"),
	"score_board":       i18n.M("考核排名", "Scoreboard"),
	"score_weights":     i18n.M("考核权重", "Scorecard weights"),
	"scores":            i18n.M("考核数据", "Scorecards"),
	"scorecard":         i18n.M("考核数据", "Scorecards"),
	"search":            i18n.M("全文索引", "Search index"),
	"webhook":           i18n.M("Webhook", "Webhook"),
	"webhook_delivery":  i18n.M("Webhook 投递", "Webhook delivery"),
	"audit":             i18n.M("审计日志", "Audit log"),
	"audit_log":         i18n.M("审计日志", "Audit log"),
	"database":          i18n.M("数据库", "Database"),
	"housekeeping":      i18n.M("系统维护", "Housekeeping"),
}

// auditVerbs name the parts of an action's code after its first dot.
var auditVerbs = map[string]i18n.Message{
	"create":    i18n.M("新建", "created"),
	"update":    i18n.M("修改", "changed"),
	"retire":    i18n.M("停用", "retired"),
	"restore":   i18n.M("恢复", "restored"),
	"delete":    i18n.M("删除", "deleted"),
	"seed":      i18n.M("初始化", "set up"),
	"import":    i18n.M("导入", "imported"),
	"translate": i18n.M("翻译", "translated"),
	"enable":    i18n.M("启用", "enabled"),
	"disable":   i18n.M("停用", "disabled"),
	"unlock":    i18n.M("解除锁定", "unlocked"),
	"roles":     i18n.M("角色变更", "roles changed"),
	"issue":     i18n.M("签发", "issued"),
	"revoke":    i18n.M("吊销", "revoked"),
	"rotate":    i18n.M("轮换", "rotated"),
	"rebuild":   i18n.M("重建", "rebuilt"),
	"read":      i18n.M("查阅", "read"),
	"verify":    i18n.M("校验", "verified"),
	"list":      i18n.M("查看列表", "listed"),
	"request":   i18n.M("申请", "requested"),
	"approve":   i18n.M("批准", "approved"),
	"deny":      i18n.M("驳回", "denied"),
	"expire":    i18n.M("过期", "expired"),
	"reset":     i18n.M("重置", "reset"),
	"change":    i18n.M("修改", "changed"),
	"activate":  i18n.M("启用", "activated"),
	"add":       i18n.M("添加", "added"),
	"replay":    i18n.M("重新投递", "redelivered"),
	"sweep":     i18n.M("清理", "swept"),
	"lockout":   i18n.M("锁定", "locked out"),
	"totp":      i18n.M("两步验证", "second factor"),
	"weights":   i18n.M("权重调整", "weights changed"),
	"export":    i18n.M("导出", "exported"),
	"reveal":    i18n.M("查看", "revealed"),
}

// auditActionNames name the actions whose words do not compose from the
// nouns and verbs, or that are not a case's lifecycle action.
var auditActionNames = map[string]i18n.Message{
	"login":                      i18n.M("登录", "Signed in"),
	"logout":                     i18n.M("退出登录", "Signed out"),
	"login.lockout":              i18n.M("登录失败次数过多，账号锁定", "Locked out after failed sign-ins"),
	"login.totp":                 i18n.M("两步验证登录", "Second factor checked at sign-in"),
	"personal.reveal":            i18n.M("查看个人信息（电话、身份证号）", "Personal data revealed (phone, ID number)"),
	"attachment.read":            i18n.M("查看附件", "Attachment opened"),
	"report.create":              i18n.M("受理来件", "Report taken in"),
	"supervision.issue":          i18n.M("发出督办", "Supervision issued"),
	"supervision.reply":          i18n.M("回复督办", "Supervision answered"),
	"supervision.escalate":       i18n.M("督办升级", "Supervision escalated"),
	"supervision.breach":         i18n.M("督办逾期未回复", "Supervision not answered in time"),
	"case.route":                 i18n.M("案件 · 自动分派", "Case · routed"),
	"case.export":                i18n.M("案件 · 导出", "Case · exported"),
	"case.bulk_load":             i18n.M("案件 · 批量生成", "Case · bulk-loaded"),
	"case.escalate_jurisdiction": i18n.M("案件 · 提级管辖", "Case · jurisdiction escalated (提级管辖)"),
	"category.escalation":        i18n.M("分类 · 提级管辖规则修改", "Category · escalation rule changed"),
	"petition.request_review":    i18n.M("信访 · 申请复查", "Petition · review requested"),
	"petition.conclude_review":   i18n.M("信访 · 复查结论", "Petition · review concluded"),
	"petition.no_longer_accept":  i18n.M("信访 · 不再受理", "Petition · no longer accepted"),
	"score.export":               i18n.M("考核 · 导出", "Scorecard · exported"),
}

// auditCasePast are a case's actions in English as the log says them,
// done: casework.ActionNames are what a button says ("Dispatch"). The
// Chinese is casework's, which reads as either.
var auditCasePast = map[casework.Action]string{
	casework.Receive:          "received",
	casework.Register:         "registered",
	casework.Reject:           "rejected",
	casework.Dispatch:         "dispatched",
	casework.Sign:             "signed for",
	casework.Return:           "returned",
	casework.Handle:           "progress recorded",
	casework.ReportBack:       "reported back",
	casework.Verify:           "verified",
	casework.Rework:           "sent back for rework",
	casework.CallBack:         "callback recorded",
	casework.Rehandle:         "sent back to be handled again",
	casework.CloseCase:        "closed",
	casework.Transfer:         "transferred",
	casework.RequestExtension: "extension requested",
	casework.ApproveExtension: "extension approved",
	casework.DenyExtension:    "extension denied",
	casework.Suspend:          "suspended",
	casework.Resume:           "resumed",
	casework.Reopen:           "reopened",
	casework.Reclassify:       "reclassified",
	casework.AddReport:        "report added",
	casework.Merge:            "merged into another case",
	casework.Unmerge:          "merge undone",
	casework.LinkCases:        "linked to a case",
	casework.UnlinkCases:      "unlinked from a case",
	casework.Warn:             "due-soon warning sent",
	casework.Supervise:        "supervision order issued",
	casework.SuperviseReply:   "supervision answered",
	casework.Escalate:         "supervision escalated",
	casework.MergedIn:         "repeat merged in",
	casework.MergedOut:        "merged repeat taken out",
	casework.Attach:           "attachments added",
	casework.RepeatPetition:   "repeat petition recorded",
	casework.RequestReview:    "review requested",
	casework.ConcludeReview:   "review concluded",
	casework.NoLongerAccept:   "no longer accepted",
}

// auditActionCodes are the actions the filter offers, in the order of
// their nouns; a code not listed can still be given in the address.
var auditActionCodes = func() []string {
	codes := []string{
		"login", "login.totp", "login.lockout", "logout", "password.change", "password.reset", "password.reset.request",
		"password.reset.approve", "password.reset.deny", "totp.enable", "totp.disable", "totp.disable.request",
		"totp.disable.approve", "totp.disable.deny", "totp.disable.expire", "credential_reset.list",
		"credential_reset.approve", "credential_reset.deny",
		"personal.reveal", "attachment.read", "report.create",
		"case.warn", "case.route", "case.export", "case.bulk_load", "case.escalate_jurisdiction",
		"supervision.issue", "supervision.reply", "supervision.escalate", "supervision.breach",
		"petition.request_review", "petition.conclude_review", "petition.no_longer_accept", "petition.rebuild",
		"user.create", "user.update", "user.disable", "user.enable", "user.unlock", "user.roles", "user.roles.request",
		"user.roles.approve", "user.roles.deny", "user.roles.expire", "token.issue", "token.revoke", "token.rotate",
		"unit.create", "unit.update", "unit.retire", "unit.restore", "org.seed",
		"catalog.seed", "catalog.translate", "category.create", "category.update", "category.retire",
		"category.restore", "category.delete", "category.escalation",
		"nature.create", "nature.update", "nature.retire", "nature.restore",
		"routing_rule.seed", "routing_rule.create", "routing_rule.update", "routing_rule.retire", "routing_rule.restore",
		"deadline_policy.seed", "deadline_policy.create", "deadline_policy.update", "deadline_policy.retire",
		"deadline_policy.restore", "calendar.seed", "calendar.import", "model.add", "model.activate",
		"score.weights", "score.export", "scores.rebuild", "webhook.create", "webhook.retire", "webhook.restore",
		"webhook.replay", "audit.read", "audit.verify", "search.rebuild", "housekeeping.sweep",
	}
	var cases []string
	for a := range casework.ActionNames {
		if c := "case." + string(a); !slices.Contains(codes, c) {
			cases = append(cases, c)
		}
	}
	slices.Sort(cases)
	codes = append(codes, cases...)
	// Grouped by noun, the nouns in the order they first appear.
	first := map[string]int{}
	for i, c := range codes {
		if _, ok := first[auditNoun(c)]; !ok {
			first[auditNoun(c)] = i
		}
	}
	slices.SortStableFunc(codes, func(a, b string) int { return first[auditNoun(a)] - first[auditNoun(b)] })
	return codes
}()

// auditNoun is the part of an action's code before its first dot.
func auditNoun(code string) string {
	noun, _, _ := strings.Cut(code, ".")
	return noun
}

// auditActionName names an action's code in lang: its own name, a case's
// lifecycle action, or its noun and verbs; the code itself when a part has
// no name.
func auditActionName(code string, lang i18n.Lang) string {
	if m, ok := auditActionNames[code]; ok {
		return m.Format(lang)
	}
	noun, rest, _ := strings.Cut(code, ".")
	n, ok := auditNouns[noun]
	if !ok {
		return code
	}
	if rest == "" {
		return n.Format(lang)
	}
	if noun == "case" {
		if m, ok := casework.ActionNames[casework.Action(rest)]; ok {
			if past, ok := auditCasePast[casework.Action(rest)]; ok {
				m.EN = past
			}
			return n.Format(lang) + " · " + m.Format(lang)
		}
	}
	parts := []string{n.Format(lang)}
	for _, v := range strings.Split(rest, ".") {
		m, ok := auditVerbs[v]
		if !ok {
			return code
		}
		parts = append(parts, m.Format(lang))
	}
	return strings.Join(parts, " · ")
}

// auditActionCode is the code of an action given by its code or by its
// name in either language (as the filter's list shows it); "" when it is
// neither.
func auditActionCode(s string) string {
	s = strings.TrimSpace(s)
	for _, c := range auditActionCodes {
		if s == c || s == auditActionName(c, i18n.ZH) || strings.EqualFold(s, auditActionName(c, i18n.EN)) {
			return c
		}
	}
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r == '.' || r == '_') }) < 0 {
		return s // a code the list does not offer
	}
	return ""
}

// auditObjectTypes are the object types the filter offers.
var auditObjectTypes = []string{"case", "report", "supervision_order", "user", "credential_reset", "unit", "category",
	"nature", "routing_rule", "deadline_policy", "calendar", "model", "score_weights", "score_board", "webhook",
	"webhook_delivery", "audit_log", "database"}

// auditObjectName names an object type in lang (the code when it has no
// name).
func auditObjectName(code string, lang i18n.Lang) string {
	if m, ok := auditNouns[code]; ok {
		return m.Format(lang)
	}
	return code
}

var (
	msgAuditOK     = i18n.M("成功", "done")
	msgAuditDenied = i18n.M("被拒绝", "refused")
)

// auditOutcomeName names an outcome in lang.
func auditOutcomeName(outcome string, lang i18n.Lang) string {
	switch outcome {
	case audit.OK:
		return msgAuditOK.Format(lang)
	case audit.Denied:
		return msgAuditDenied.Format(lang)
	}
	return outcome
}

// auditKeys name the keys of records' details. Every key the code writes
// has a name (TestAuditDetailKeysNamed reads them from the source); a name
// stays when the code stops writing its key, for the records that have it.
var auditKeys = map[string]i18n.Message{
	// Who, what, where.
	"case":              i18n.M("案件", "Case"),
	"other":             i18n.M("关联案件", "Other case"),
	"into":              i18n.M("并入案件", "Merged into"),
	"first":             i18n.M("首个案件", "First case"),
	"last":              i18n.M("末个案件", "Last case"),
	"report_id":         i18n.M("来件编号", "Report"),
	"review_case":       i18n.M("复查/复核案件", "Review case"),
	"rereview_case":     i18n.M("复核案件", "Re-review case"),
	"order":             i18n.M("督办单", "Supervision order"),
	"escalated_to":      i18n.M("升级后的督办单", "Escalated to"),
	"told_unit_id":      i18n.M("已告知单位", "Unit told"),
	"attachment":        i18n.M("附件编号", "Attachment"),
	"timeline_id":       i18n.M("时间线记录编号", "Timeline entry"),
	"token_id":          i18n.M("令牌编号", "Token"),
	"revoked_token_id":  i18n.M("吊销的令牌编号", "Token revoked"),
	"request":           i18n.M("申请编号", "Request"),
	"unit_id":           i18n.M("单位", "Unit"),
	"from_unit_id":      i18n.M("原单位", "From unit"),
	"to_unit_id":        i18n.M("目标单位", "To unit"),
	"suggested_unit_id": i18n.M("建议单位", "Unit suggested"),
	"parent_id":         i18n.M("上级", "Parent"),
	"username":          i18n.M("用户名", "User name"),
	"roles":             i18n.M("角色", "Roles"),
	"requested_by":      i18n.M("申请人", "Requested by"),
	"approved_by":       i18n.M("批准人", "Approved by"),
	"notified":          i18n.M("已通知", "Notified"),
	"actor_id":          i18n.M("操作人", "Who"),
	"action":            i18n.M("操作", "Action"),
	"object_type":       i18n.M("对象类型", "Object type"),
	"object_id":         i18n.M("对象编号", "Object id"),
	"field":             i18n.M("查看的字段", "Field"),
	"channel":           i18n.M("来源渠道", "Channel"),
	"area":              i18n.M("属地区划", "Area"),
	"division_code":     i18n.M("行政区划", "Division"),
	"url":               i18n.M("接收地址", "URL"),
	"events":            i18n.M("事件类型", "Events"),
	"source":            i18n.M("数据来源", "Source"),
	"query":             i18n.M("查询条件", "Query"),

	// A change: what it was, what it became.
	"before":      i18n.M("修改前", "Before"),
	"after":       i18n.M("修改后", "After"),
	"from":        i18n.M("原状态", "From"),
	"to":          i18n.M("新状态", "To"),
	"state":       i18n.M("状态", "State"),
	"stage":       i18n.M("阶段", "Stage"),
	"conclusion":  i18n.M("结论", "Conclusion"),
	"reason":      i18n.M("原因", "Reason"),
	"automatic":   i18n.M("自动发出", "Automatic"),
	"triage":      i18n.M("待人工分派", "Left to an operator"),
	"intact":      i18n.M("完整无篡改", "Intact"),
	"broken_at":   i18n.M("问题记录号", "Broken at record"),
	"was":         i18n.M("原启用版本", "Previously active"),
	"name":        i18n.M("名称", "Name"),
	"name_before": i18n.M("原名称", "Name before"),
	"name_en":     i18n.M("英文名称", "English name"),
	"code":        i18n.M("编码", "Code"),
	"kind":        i18n.M("类型", "Kind"),
	"level":       i18n.M("层级", "Level"),
	"family":      i18n.M("性质类别", "Family"),
	"sort":        i18n.M("排序", "Sort order"),
	"note":        i18n.M("说明", "Note"),

	// Classifying and routing a case.
	"nature":              i18n.M("性质", "Nature"),
	"category_id":         i18n.M("分类", "Category"),
	"category_code":       i18n.M("分类", "Category"),
	"priority":            i18n.M("紧急程度", "Priority"),
	"chosen_category":     i18n.M("选定分类", "Category chosen"),
	"chosen_nature":       i18n.M("选定性质", "Nature chosen"),
	"suggested_category":  i18n.M("建议分类", "Category suggested"),
	"suggested_nature":    i18n.M("建议性质", "Nature suggested"),
	"category_followed":   i18n.M("采纳分类建议", "Category suggestion followed"),
	"nature_followed":     i18n.M("采纳性质建议", "Nature suggestion followed"),
	"followed_suggestion": i18n.M("采纳分派建议", "Routing suggestion followed"),
	"model":               i18n.M("分类模型版本", "Classifier model"),
	"unit_kind":           i18n.M("单位类型", "Unit kind"),
	"unit_level":          i18n.M("单位层级", "Unit level"),
	"policy_id":           i18n.M("期限规则", "Deadline policy"),

	// Times and limits.
	"deadline_at":    i18n.M("期限", "Deadline"),
	"due_at":         i18n.M("办理期限", "Due"),
	"requested_at":   i18n.M("申请时间", "Requested"),
	"expires_at":     i18n.M("失效时间", "Expires"),
	"accept":         i18n.M("立案时限", "Time to register"),
	"sign":           i18n.M("签收时限", "Time to sign for"),
	"handle":         i18n.M("办理时限", "Time to handle"),
	"handle_from":    i18n.M("办理时限起算", "Handling time counts from"),
	"reply":          i18n.M("督办回复时限", "Time to answer supervision"),
	"review":         i18n.M("复查时限", "Time for review"),
	"rereview":       i18n.M("复核时限", "Time for re-review"),
	"extension":      i18n.M("单次延期上限", "Longest extension"),
	"max_extensions": i18n.M("最多延期次数", "Most extensions"),
	"warn_ratio":     i18n.M("临期提醒比例", "Warning at (share of the time)"),
	"minutes":        i18n.M("锁定时长（分钟）", "Locked for (minutes)"),
	"days":           i18n.M("时间窗口（天）", "Window (days)"),
	"rule":           i18n.M("提级规则", "Rule"),

	// Counts.
	"sessions_ended":   i18n.M("结束的会话数", "Sessions ended"),
	"tokens_revoked":   i18n.M("吊销的令牌数", "Tokens revoked"),
	"failures":         i18n.M("连续失败次数", "Failures in a row"),
	"reports":          i18n.M("反映次数", "Reports"),
	"recent_reports":   i18n.M("时间窗口内反映次数", "Reports in the window"),
	"files":            i18n.M("文件数", "Files"),
	"affected":         i18n.M("涉及分类数", "Categories affected"),
	"cases":            i18n.M("案件数", "Cases"),
	"timeline_entries": i18n.M("时间线记录数", "Timeline entries"),
	"petitions":        i18n.M("信访事项数", "Petitions"),
	"marked_overdue":   i18n.M("新标记逾期的案件数", "Newly marked overdue"),
	"units":            i18n.M("单位数", "Units"),
	"categories":       i18n.M("分类数", "Categories"),
	"natures":          i18n.M("性质数", "Natures"),
	"rules":            i18n.M("分派规则数", "Routing rules"),
	"policies":         i18n.M("期限规则数", "Deadline policies"),
	"years":            i18n.M("年份数", "Years"),
	"holidays":         i18n.M("放假天数", "Days off"),
	"makeup_workdays":  i18n.M("调休上班天数", "Make-up working days"),
	"papers":           i18n.M("放假通知", "Notices"),
	"records":          i18n.M("记录数", "Records"),
	"rows":             i18n.M("行数", "Rows"),
	"deleted":          i18n.M("删除条数", "Rows deleted"),
	"examples":         i18n.M("训练样本数", "Training examples"),
	"weak":             i18n.M("弱标注样本数", "Weakly labelled examples"),
	"bytes":            i18n.M("大小（字节）", "Size (bytes)"),
}

// auditActionKeys name the keys that mean something else in one action's
// records than in the rest.
var auditActionKeys = map[string]map[string]i18n.Message{
	"audit.read": { // the filter the reader gave
		"from":   i18n.M("起始日期", "From"),
		"to":     i18n.M("截止日期", "To"),
		"before": i18n.M("早于记录号", "Before record"),
	},
	"audit.verify":   {"kind": i18n.M("问题类型", "Problem")},
	"scores.rebuild": {"events": i18n.M("考核事件数", "Scoring events")},
	"user.update": { // a person's name, not a thing's
		"name":        i18n.M("姓名", "Name"),
		"name_before": i18n.M("原姓名", "Name before"),
	},
	// Every action on a routing rule: a rule's priority decides between
	// rules, it is no case's urgency.
	"routing_rule": {"priority": i18n.M("优先级", "Priority")},
}

var msgWeight = i18n.M("%s权重", "%s weight")

// auditKeyName names a key of action's detail in lang; "" when it has no
// name.
func auditKeyName(action, key string, lang i18n.Lang) string {
	noun, _, _ := strings.Cut(action, ".")
	if m, ok := auditActionKeys[action][key]; ok {
		return m.Format(lang)
	}
	if m, ok := auditActionKeys[noun][key]; ok {
		return m.Format(lang)
	}
	if m, ok := auditKeys[key]; ok {
		return m.Format(lang)
	}
	if ind, ok := score.IndicatorByKey(key); ok && action == "score.weights" {
		return msgWeight.Format(lang, ind.Name.Format(lang))
	}
	return ""
}

// detailItem is one member of a record's detail.
type detailItem struct {
	Key   string       // "" for a detail that is not an object
	Name  string       // the key in the reader's language ("" when it has none)
	Value string       // the value as text, a list's items joined; a code named
	Code  string       // the code Value names
	Note  string       // what the id in Value stands for: a unit, a person
	At    time.Time    // the value is a time
	Items []detailItem // the members of an object
	// Changed marks a member of a change's before or after object whose
	// value the other side has not: what the change changed.
	Changed bool

	raw    string   // the value as stored (compacted JSON)
	list   []string // the items of a list of plain values
	isBool bool
}

// auditDetail lists a record's detail (a JSON object) member by member, in
// the order stored, and an object in it likewise; the JSON as it is when
// it is not an object.
func auditDetail(detail string) []detailItem {
	if items, ok := detailMembers([]byte(detail)); ok {
		return items
	}
	if strings.TrimSpace(detail) == "" || detail == "null" {
		return nil
	}
	return []detailItem{{Value: detail}}
}

// detailMembers lists the members of the JSON object raw; false when raw
// is not one.
func detailMembers(raw []byte) ([]detailItem, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	out := []detailItem{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, detailMember(key, v))
	}
	// A change reads before, then after (JSON objects are stored with
	// their keys in alphabetical order).
	a := slices.IndexFunc(out, func(it detailItem) bool { return it.Key == "after" })
	if b := slices.IndexFunc(out, func(it detailItem) bool { return it.Key == "before" }); a >= 0 && b > a {
		before := out[b]
		out = slices.Insert(slices.Delete(out, b, b+1), a, before)
		markChanged(out[a].Items, out[a+1].Items)
	}
	return out, true
}

// markChanged marks the members of a change's before and after objects
// whose values differ, or that one side lacks.
func markChanged(before, after []detailItem) {
	if before == nil || after == nil {
		return
	}
	values := func(items []detailItem) map[string]string {
		m := make(map[string]string, len(items))
		for _, it := range items {
			m[it.Key] = it.raw
		}
		return m
	}
	b, a := values(before), values(after)
	for i, it := range before {
		v, ok := a[it.Key]
		before[i].Changed = !ok || v != it.raw
	}
	for i, it := range after {
		v, ok := b[it.Key]
		after[i].Changed = !ok || v != it.raw
	}
}

// detailMember reads one member's value: an object, a list of plain
// values, a time (a key ending in _at, or audit.read's from and to: in µs
// as stored, or RFC 3339), or a plain value as text.
func detailMember(key string, raw json.RawMessage) detailItem {
	it := memberValue(key, raw)
	var b bytes.Buffer
	if json.Compact(&b, raw) == nil {
		it.raw = b.String()
	} else {
		it.raw = string(raw)
	}
	return it
}

// memberValue is detailMember but for the value as stored.
func memberValue(key string, raw json.RawMessage) detailItem {
	it := detailItem{Key: key}
	if items, ok := detailMembers(raw); ok {
		it.Items = items
		return it
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return detailItem{Key: key, Value: string(raw)}
	}
	switch v := v.(type) {
	case nil:
	case bool:
		it.Value, it.isBool = strconv.FormatBool(v), true
	case []any:
		for _, x := range v {
			switch x.(type) {
			case string, json.Number:
				it.list = append(it.list, fmt.Sprint(x))
			default: // a list of lists or objects: as it is
				var b bytes.Buffer
				if json.Compact(&b, raw) != nil {
					return detailItem{Key: key, Value: string(raw)}
				}
				return detailItem{Key: key, Value: b.String()}
			}
		}
		it.Value = strings.Join(it.list, ", ")
	default:
		it.Value = fmt.Sprint(v)
	}
	if strings.HasSuffix(key, "_at") || key == "from" || key == "to" {
		if us, err := strconv.ParseInt(it.Value, 10, 64); err == nil && us > 1e15 {
			it.At = time.UnixMicro(us)
		} else if t, err := time.Parse(time.RFC3339, it.Value); err == nil && strings.HasSuffix(key, "_at") {
			it.At = t
		}
	}
	return it
}

var (
	msgYes = i18n.M("是", "yes")
	msgNo  = i18n.M("否", "no")
)

// detailCodes name the values of the keys whose values are codes the page
// knows.
var detailCodes = func() map[string]func(*view, string) string {
	state := func(v *view, s string) string { return v.StateName(casework.State(s)) }
	nature := (*view).NatureName
	role := func(v *view, s string) string {
		if _, ok := access.Info(access.Role(s)); ok {
			return v.RoleName(access.Role(s))
		}
		return s
	}
	kind := func(v *view, s string) string {
		if n := v.KindName(org.Kind(s)); n != s {
			return n
		}
		return v.OrderKind(supervision.Kind(s))
	}
	level := func(v *view, s string) string { return v.LevelName(org.Level(s)) }
	division := (*view).DivisionName
	label := (*view).LabelPath
	return map[string]func(*view, string) string{
		"state": state, "from": state, "to": state,
		"nature": nature, "chosen_nature": nature, "suggested_nature": nature,
		"chosen_category": label, "suggested_category": label,
		"category_code": (*view).CategoryCodePath,
		"roles":         role, "before": role, "after": role, // a user's roles
		"kind": kind, "unit_kind": kind, "level": level, "unit_level": level,
		"division_code": division, "area": division,
		"channel":    func(v *view, s string) string { return v.ChannelName(casework.Channel(s)) },
		"priority":   func(v *view, s string) string { return v.PriorityName(s) }, // a rule's number stays itself
		"family":     (*view).FamilyName,
		"conclusion": (*view).ConclusionName,
		"stage": func(v *view, s string) string {
			if m, ok := casework.StageNames[casework.Stage(s)]; ok {
				return m.Format(v.Lang)
			}
			return s
		},
		"handle_from": func(v *view, s string) string {
			if m, ok := messages["policy.from_"+s]; ok {
				return m.Format(v.Lang)
			}
			return s
		},
		"action":      func(v *view, s string) string { return auditActionName(s, v.Lang) },
		"object_type": func(v *view, s string) string { return auditObjectName(s, v.Lang) },
	}
}()

// detailIDs name what the ids of a key's values stand for; parent_id is a
// unit's only in a unit's records.
var detailIDs = map[string]func(v *view, id int64) string{
	"requested_by": (*view).UserName, "approved_by": (*view).UserName, "notified": (*view).UserName, "actor_id": (*view).UserName,
	"category_id": (*view).CategoryPath, "policy_id": (*view).PolicyName,
}

// nameDetail names the keys of the detail of a record of action on an
// object of objType, and the values the page knows.
func (v *view) nameDetail(items []detailItem, action, objType string) {
	for i := range items {
		it := &items[i]
		it.Name = auditKeyName(action, it.Key, v.Lang)
		switch {
		case it.Items != nil:
			v.nameDetail(it.Items, action, objType)
		case !it.At.IsZero():
		case it.isBool:
			yes := it.Value == "true"
			it.Value = msgNo.Format(v.Lang)
			if yes {
				it.Value = msgYes.Format(v.Lang)
			}
		case action == "score.weights" && len(it.list) == 2: // an indicator's weight, before and after
			it.Value = it.list[0] + " → " + it.list[1]
		default:
			v.nameValue(it, objType)
		}
	}
}

// nameValue names a plain value or list: a code by its name, the code
// kept beside it; an id with what it stands for.
func (v *view) nameValue(it *detailItem, objType string) {
	values := it.list
	if values == nil {
		values = []string{it.Value}
	}
	sep := i18n.Series.Format(v.Lang)
	byID := detailIDs[it.Key]
	if strings.HasSuffix(it.Key, "unit_id") || it.Key == "parent_id" && objType == "unit" {
		byID = func(v *view, id int64) string { return v.names().UnitName(id) }
	}
	if byID != nil {
		if it.Value == "0" { // none: no unit, no policy
			it.Value = "—"
			return
		}
		var names []string
		for _, s := range values {
			if id, _ := strconv.ParseInt(s, 10, 64); id != 0 {
				if n := byID(v, id); n != "" {
					names = append(names, n)
				}
			}
		}
		it.Note = strings.Join(names, sep)
		return
	}
	name := detailCodes[it.Key]
	if name == nil || it.Value == "" {
		return
	}
	names := make([]string, len(values))
	for i, s := range values {
		names[i] = name(v, s)
	}
	// The code beside the name, unless it says the same (a classifier's
	// label is a category's path: 环境保护/环境污染/噪音污染).
	if named := strings.Join(names, sep); strings.ReplaceAll(named, " ", "") != strings.ReplaceAll(it.Value, " ", "") {
		it.Value, it.Code = named, it.Value
	} else {
		it.Value = named
	}
}

// AuditAction names an action's code on the audit page.
func (v *view) AuditAction(code string) string { return auditActionName(code, v.Lang) }

// AuditObject names an object type on the audit page.
func (v *view) AuditObject(code string) string { return auditObjectName(code, v.Lang) }

// AuditOutcome names an outcome on the audit page.
func (v *view) AuditOutcome(outcome string) string { return auditOutcomeName(outcome, v.Lang) }

// AuditDetail lists a record's detail on the audit page, named.
func (v *view) AuditDetail(r audit.Record) []detailItem {
	items := auditDetail(r.Detail)
	v.nameDetail(items, r.Action, r.ObjectType)
	return items
}

// AuditActions are the filter's actions, grouped by what they are about;
// a code the list does not offer, given in the address, is offered too, so
// that filtering again keeps it.
func (v *view) AuditActions() []optgroup {
	var out []optgroup
	if c := v.Field("action"); c != "" && !slices.Contains(auditActionCodes, c) {
		out = append(out, optgroup{Label: auditObjectName(auditNoun(c), v.Lang), Options: []option{{Value: c, Label: c}}})
	}
	for _, c := range auditActionCodes {
		noun := auditObjectName(auditNoun(c), v.Lang)
		if len(out) == 0 || out[len(out)-1].Label != noun {
			out = append(out, optgroup{Label: noun})
		}
		g := &out[len(out)-1]
		g.Options = append(g.Options, option{Value: c, Label: auditActionName(c, v.Lang)})
	}
	return out
}

// AuditObjectTypes are the filter's object types.
func (v *view) AuditObjectTypes() []option {
	out := make([]option, len(auditObjectTypes))
	for i, t := range auditObjectTypes {
		out[i] = option{Value: t, Label: auditObjectName(t, v.Lang)}
	}
	return out
}

// UserNameText names the user whose id an audit record's object is.
func (v *view) UserNameText(id string) string {
	n, _ := strconv.ParseInt(id, 10, 64)
	return v.names().Users[n]
}

// UnitNameText names the unit whose id an audit record's object is.
func (v *view) UnitNameText(id string) string {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n == 0 {
		return ""
	}
	return v.names().UnitName(n)
}
