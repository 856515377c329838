package web

import (
	"net/http"

	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// Handler is the whole workbench: every page in one place.
func (w *Web) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", w.static)

	mux.HandleFunc("GET /favicon.ico", func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
	for _, rt := range w.routes() {
		mux.Handle(rt.Pattern, w.wrap(rt.gate, rt.h))
	}
	mux.Handle("/", w.wrap(public, func(http.ResponseWriter, *http.Request, *view) error {
		return errNoPage()
	}))
	return mux
}

var msgNoPage = i18n.M("没有这个页面，请检查地址", "there is no such page: check the address")

// errNoPage answers an address that names nothing: an unknown path, or a
// known one with an id or an operation that is not there.
func errNoPage() error { return fault.New(fault.NotFound, "not-found", msgNoPage) }

// route is one page or form of the workbench.
type route struct {
	Pattern string // "METHOD /path/{param}"
	gate    gate
	h       handler
}

// Routes lists the workbench's pages and forms, for tests that walk them all.
func (w *Web) Routes() []string {
	var out []string
	for _, rt := range w.routes() {
		out = append(out, rt.Pattern)
	}
	return out
}

// routes is every page and form in one table.
func (w *Web) routes() []route {
	return []route{
		{"GET /login", public, w.loginPage},
		{"POST /login", public, w.login},
		{"GET /login/totp", partial, w.totpPage},
		{"POST /login/totp", partial, w.totp},
		{"GET /login/enroll", partial, w.enrollPage("/login/enroll")},
		{"POST /login/enroll", partial, w.enroll},
		{"POST /logout", partial, w.logout},
		{"POST /lang", public, w.setLang},

		{"GET /{$}", signedIn, w.home},
		{"GET /intake", signedIn, w.intakePage},
		{"POST /intake", withFiles, w.intake},
		{"GET /intake/repeats", signedIn, w.repeats},
		{"GET /intake/suggest", signedIn, w.suggest},
		{"POST /intake/petitioner", signedIn, w.petitioner},
		{"GET /intake/import", signedIn, w.importPage},
		{"POST /intake/import", withFiles, w.importFile},
		{"GET /queue", signedIn, w.queue},
		{"POST /queue/sign", signedIn, w.bulkSign},
		{"GET /cases/{number}", signedIn, w.casePage},
		{"POST /cases/{number}/actions/{action}", withFiles, w.caseAction},
		{"POST /cases/{number}/reveal", signedIn, w.reveal},
		{"GET /cases/{number}/reports", signedIn, w.caseReports},
		{"GET /cases/{number}/timeline", signedIn, w.caseTimeline},
		{"GET /cases/{number}/attachments", signedIn, w.caseAttachments},
		{"POST /cases/{number}/attachments", withFiles, w.upload},
		{"POST /cases/{number}/supervision", signedIn, w.issueOrder},
		{"POST /cases/{number}/links", signedIn, w.link},
		{"POST /cases/{number}/review", signedIn, w.requestReview},
		{"POST /cases/{number}/review/conclusion", signedIn, w.concludeReview},
		{"POST /cases/{number}/no-longer-accepted", signedIn, w.declineBarred},
		{"GET /attachments/{id}", signedIn, w.download},
		{"GET /search", signedIn, w.search},
		{"GET /search.csv", signedIn, w.exportCases},
		{"GET /search.xlsx", signedIn, w.exportCases},
		{"GET /supervise", signedIn, w.supervise},
		{"GET /hot", signedIn, w.hotIssues},
		{"GET /petitions/backlog", signedIn, w.backlog},
		{"GET /petitions/backlog/cases", signedIn, w.backlogCases},
		{"GET /dashboard", signedIn, w.dashboardPage},
		{"GET /dashboard.json", signedIn, w.dashboardJSON},
		{"GET /dashboard/districts.geojson", signedIn, w.districtsGeoJSON},
		{"GET /scores", signedIn, w.scores},
		{"GET /scores.csv", signedIn, w.scoresExport},
		{"GET /scores.xlsx", signedIn, w.scoresExport},
		{"GET /scores/report", signedIn, w.monthlyReport},
		{"GET /scores/{unit}", signedIn, w.unitScore},
		{"GET /scores/{unit}/cases", signedIn, w.scoreCases},
		{"GET /scores/{unit}/cases.csv", signedIn, w.scoreCasesExport},
		{"GET /scores/{unit}/cases.xlsx", signedIn, w.scoreCasesExport},
		{"GET /supervision", signedIn, w.ledger},
		{"POST /supervision/{order}/reply", signedIn, w.replyOrder},
		{"GET /inbox", signedIn, w.inbox},
		{"POST /inbox/read", signedIn, w.markRead},

		{"GET /settings", signedIn, w.settingsPage},
		{"POST /settings/password", signedIn, w.changePassword},
		{"GET /settings/totp", signedIn, w.enrollPage("/settings/totp")},
		{"POST /settings/totp", signedIn, w.enroll},
		{"POST /settings/totp/off", signedIn, w.disableTOTP},

		{"GET /admin", signedIn, w.adminHome},
		{"GET /admin/units", signedIn, w.adminUnits},
		{"POST /admin/units", signedIn, w.adminCreateUnit},
		{"GET /admin/units/{id}", signedIn, w.adminUnit},
		{"POST /admin/units/{id}", signedIn, w.adminUpdateUnit},
		{"GET /admin/users", signedIn, w.adminUsers},
		{"POST /admin/users", signedIn, w.adminCreateUser},
		{"GET /admin/users/{id}", signedIn, w.adminUser},
		{"POST /admin/users/{id}/{op}", signedIn, w.adminUserOp},
		{"POST /admin/resets/{id}/{op}", signedIn, w.adminResetOp},
		{"GET /admin/categories", signedIn, w.adminCategories},
		{"POST /admin/categories", signedIn, w.adminCreateCategory},
		{"GET /admin/categories/{id}", signedIn, w.adminCategory},
		{"POST /admin/categories/{id}/{op}", signedIn, w.adminCategoryOp},
		{"GET /admin/deadlines", signedIn, w.adminDeadlines},
		{"POST /admin/policies", signedIn, w.adminCreatePolicy},
		{"GET /admin/policies/{id}", signedIn, w.adminPolicy},
		{"POST /admin/policies/{id}/{op}", signedIn, w.adminPolicyOp},
		{"POST /admin/calendar", withFiles, w.adminImportCalendar},
		{"GET /admin/routing", signedIn, w.adminRouting},
		{"POST /admin/routing", signedIn, w.adminCreateRule},
		{"POST /admin/routing/{id}/{op}", signedIn, w.adminRuleOp},
		{"GET /admin/weights", signedIn, w.adminWeights},
		{"POST /admin/weights", signedIn, w.adminSetWeights},
		{"GET /admin/webhooks", signedIn, w.adminWebhooks},
		{"POST /admin/webhooks", signedIn, w.adminCreateWebhook},
		{"POST /admin/webhooks/{id}/{op}", signedIn, w.adminWebhookOp},
		{"GET /admin/webhooks/deliveries", signedIn, w.adminDeliveries},
		{"GET /admin/webhooks/deliveries/{id}", signedIn, w.adminDelivery},
		{"POST /admin/webhooks/deliveries/{id}/replay", signedIn, w.adminReplay},
		{"GET /admin/audit", signedIn, w.adminAudit},
		{"POST /admin/audit/verify", signedIn, w.adminVerifyAudit},
	}
}
