package api

import (
	"net/http"
	"strconv"

	"pingan/internal/audit"
	"pingan/internal/catalog"
	"pingan/internal/org"
)

// UnitRequest adds or changes a unit.
type UnitRequest struct {
	ParentID     int64  `json:"parent_id"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	Kind         string `json:"kind" doc:"government, committee, hotline, petition, police, procuratorate, court, justice, mediation, department"`
	Level        string `json:"level" doc:"city, district, street, community"`
	DivisionCode string `json:"division_code,omitempty"`
}

// NatureRequest adds or changes a nature (code and family only when adding).
type NatureRequest struct {
	Code   string `json:"code,omitempty"`
	Family string `json:"family,omitempty" doc:"hotline, petition, police, dispute"`
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
	Sort   int    `json:"sort,omitempty"`
}

// CategoryRequest adds or changes a category (parent and domain only when
// adding).
type CategoryRequest struct {
	ParentID int64  `json:"parent_id,omitempty"`
	Domain   string `json:"domain,omitempty" doc:"civic, police, dispute: for a new top-level category"`
	Name     string `json:"name"`
	NameEN   string `json:"name_en,omitempty"`
	Sort     int    `json:"sort,omitempty"`
}

func (req UnitRequest) input() org.UnitInput {
	return org.UnitInput{ParentID: req.ParentID, Code: req.Code, Name: req.Name, Kind: org.Kind(req.Kind),
		Level: org.Level(req.Level), DivisionCode: req.DivisionCode}
}

func (a *API) listUnits(w http.ResponseWriter, r *http.Request) error {
	units, err := a.org.Units(r.Context())
	if err != nil {
		return err
	}
	out := UnitList{Units: []Unit{}}
	for _, u := range units {
		out.Units = append(out.Units, unitView(u, a.loc))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) getUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := a.org.Unit(r.Context(), a.db, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, unitView(u, a.loc))
}

func (a *API) createUnit(w http.ResponseWriter, r *http.Request) error {
	var req UnitRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, err := a.org.CreateUnit(r.Context(), actorOf(r), req.input())
	if err != nil {
		return err
	}
	a.dir.Flush()
	w.Header().Set("Location", Prefix+"/units/"+strconv.FormatInt(u.ID, 10))
	return writeJSON(w, http.StatusCreated, unitView(u, a.loc))
}

func (a *API) updateUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req UnitRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, err := a.org.UpdateUnit(r.Context(), actorOf(r), id, req.input())
	if err != nil {
		return err
	}
	a.dir.Flush()
	return writeJSON(w, http.StatusOK, unitView(u, a.loc))
}

func (a *API) retireUnit(retired bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		u, err := a.org.SetUnitRetired(r.Context(), actorOf(r), id, retired)
		if err != nil {
			return err
		}
		a.dir.Flush()
		return writeJSON(w, http.StatusOK, unitView(u, a.loc))
	}
}

func (a *API) listNatures(w http.ResponseWriter, r *http.Request) error {
	ns, err := a.cat.Natures(r.Context())
	if err != nil {
		return err
	}
	out := NatureList{Natures: []Nature{}}
	for _, n := range ns {
		out.Natures = append(out.Natures, natureView(n, a.loc))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (req NatureRequest) input() catalog.NatureInput {
	return catalog.NatureInput{Code: req.Code, Family: catalog.Family(req.Family), Name: req.Name, NameEN: req.NameEN, Sort: req.Sort}
}

func (a *API) createNature(w http.ResponseWriter, r *http.Request) error {
	var req NatureRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	n, err := a.cat.CreateNature(r.Context(), actorOf(r), req.input())
	if err != nil {
		return err
	}
	a.dir.Flush()
	return writeJSON(w, http.StatusCreated, natureView(n, a.loc))
}

func (a *API) updateNature(w http.ResponseWriter, r *http.Request) error {
	var req NatureRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	n, err := a.cat.UpdateNature(r.Context(), actorOf(r), r.PathValue("code"), req.input())
	if err != nil {
		return err
	}
	a.dir.Flush()
	return writeJSON(w, http.StatusOK, natureView(n, a.loc))
}

func (a *API) retireNature(retired bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		n, err := a.cat.SetNatureRetired(r.Context(), actorOf(r), r.PathValue("code"), retired)
		if err != nil {
			return err
		}
		a.dir.Flush()
		return writeJSON(w, http.StatusOK, natureView(n, a.loc))
	}
}

func (a *API) listCategories(w http.ResponseWriter, r *http.Request) error {
	incl, _ := strconv.ParseBool(r.URL.Query().Get("include_retired"))
	cs, err := a.cat.Categories(r.Context(), incl)
	if err != nil {
		return err
	}
	n, err := a.dir.Get(r.Context())
	if err != nil {
		return err
	}
	out := CategoryList{Categories: []Category{}}
	for _, c := range cs {
		out.Categories = append(out.Categories, categoryView(n, c, langOf(r), a.loc))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) writeCategory(w http.ResponseWriter, r *http.Request, c catalog.Category, status int) error {
	a.dir.Flush()
	n, err := a.dir.Get(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, status, categoryView(n, c, langOf(r), a.loc))
}

func (a *API) getCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := a.cat.Category(r.Context(), a.db, id)
	if err != nil {
		return err
	}
	n, err := a.dir.Get(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, categoryView(n, c, langOf(r), a.loc))
}

func (req CategoryRequest) input() catalog.CategoryInput {
	return catalog.CategoryInput{ParentID: req.ParentID, Domain: catalog.Domain(req.Domain), Name: req.Name, NameEN: req.NameEN, Sort: req.Sort}
}

func (a *API) createCategory(w http.ResponseWriter, r *http.Request) error {
	var req CategoryRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := a.cat.CreateCategory(r.Context(), actorOf(r), req.input())
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/categories/"+strconv.FormatInt(c.ID, 10))
	return a.writeCategory(w, r, c, http.StatusCreated)
}

func (a *API) updateCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req CategoryRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := a.cat.UpdateCategory(r.Context(), actorOf(r), id, req.input())
	if err != nil {
		return err
	}
	return a.writeCategory(w, r, c, http.StatusOK)
}

// EscalationRequest sets a category's rule of 提级管辖.
type EscalationRequest struct {
	Inherit bool `json:"inherit,omitempty" doc:"drop the category's own rule: inherit the parent's"`
	Reports int  `json:"reports" doc:"this many reports of one matter within days raise it one level; 0 never"`
	Days    int  `json:"days" doc:"the window, 1–365 days"`
}

func (a *API) setEscalation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req EscalationRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	var rule *catalog.Escalation
	if !req.Inherit {
		rule = &catalog.Escalation{Reports: req.Reports, Days: req.Days}
	}
	c, err := a.cat.SetEscalation(r.Context(), actorOf(r), id, rule)
	if err != nil {
		return err
	}
	return a.writeCategory(w, r, c, http.StatusOK)
}

func (a *API) retireCategory(retired bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		c, err := a.cat.SetCategoryRetired(r.Context(), actorOf(r), id, retired)
		if err != nil {
			return err
		}
		return a.writeCategory(w, r, c, http.StatusOK)
	}
}

func (a *API) deleteCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.cat.DeleteCategory(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	a.dir.Flush()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	if err := a.audit.CheckReader(r.Context(), a.db, actor, "audit.read"); err != nil {
		return err
	}
	q := r.URL.Query()
	var f audit.Filter
	var err error
	if f.ActorID, err = queryInt(q.Get("actor_id"), "actor_id"); err != nil {
		return err
	}
	if f.BeforeID, err = queryInt(q.Get("before"), "before"); err != nil {
		return err
	}
	if f.Limit, err = queryLimit(q, 500); err != nil {
		return err
	}
	f.ObjectType, f.ObjectID, f.Action = q.Get("object_type"), q.Get("object_id"), q.Get("action")
	if f.From, err = a.queryTime(q.Get("from"), "from", false); err != nil {
		return err
	}
	if f.To, err = a.queryTime(q.Get("to"), "to", true); err != nil {
		return err
	}
	recs, err := a.audit.ReadAs(r.Context(), a.db, actor, f)
	if err != nil {
		return err
	}
	out := AuditList{Records: []AuditRecord{}}
	for _, rec := range recs {
		out.Records = append(out.Records, auditView(rec, a.loc))
	}
	want := f.Limit
	if want == 0 {
		want = 100
	}
	if len(recs) == want {
		out.NextBefore = recs[len(recs)-1].ID
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	res, err := a.audit.VerifyAs(r.Context(), a.db, actorOf(r))
	if err != nil {
		return err
	}
	out := AuditVerification{Intact: res.Problem == nil, Records: res.Records, Chains: []AuditHead{}, Broken: res.Problems}
	for _, h := range res.Chains {
		out.Chains = append(out.Chains, AuditHead{Chain: h.Chain, Seq: h.Seq, Hash: h.Hash})
	}
	if p := res.Problem; p != nil {
		out.Problem, out.BrokenAt, out.Kind = p.String(), p.ID, p.Kind
	}
	return writeJSON(w, http.StatusOK, out)
}
