package api

import (
	"net/http"
	"time"

	"pingan/internal/access"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
	routing "pingan/internal/route"
)

// RoutingRule is a rule of jurisdiction routing: the reports it matches and
// the unit they go to.
type RoutingRule struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	NameEN       string     `json:"name_en" doc:"empty when it has none: the Chinese name is shown"`
	Family       string     `json:"family,omitempty" doc:"nature family it matches: hotline, petition, police, dispute"`
	Nature       string     `json:"nature,omitempty"`
	CategoryCode string     `json:"category_code,omitempty" doc:"this category and those under it"`
	DivisionCode string     `json:"division_code,omitempty" doc:"this area and those in it"`
	UnitID       int64      `json:"unit_id,omitempty" doc:"a fixed unit; or unit_kind and unit_level: that kind of unit at that level of the report's area"`
	UnitKind     string     `json:"unit_kind,omitempty"`
	UnitLevel    string     `json:"unit_level,omitempty"`
	Priority     int        `json:"priority" doc:"higher wins among rules equally specific"`
	PolicyID     int64      `json:"policy_id,omitempty" doc:"the deadline policy of the cases it routes"`
	UpdatedAt    time.Time  `json:"updated_at"`
	RetiredAt    *time.Time `json:"retired_at,omitempty"`
}

// RoutingRuleRequest creates a rule or, in full, replaces one's fields.
type RoutingRuleRequest struct {
	Name         string `json:"name"`
	NameEN       string `json:"name_en,omitempty"`
	Family       string `json:"family,omitempty"`
	Nature       string `json:"nature,omitempty"`
	CategoryCode string `json:"category_code,omitempty"`
	DivisionCode string `json:"division_code,omitempty"`
	UnitID       int64  `json:"unit_id,omitempty"`
	UnitKind     string `json:"unit_kind,omitempty"`
	UnitLevel    string `json:"unit_level,omitempty"`
	Priority     int    `json:"priority,omitempty"`
	PolicyID     int64  `json:"policy_id,omitempty"`
}

var msgRulesAdminOnly = i18n.M("分派规则由系统管理员管理", "routing rules are managed by the system administrator")

func (a *API) ruleOut(r routing.Rule) RoutingRule {
	out := RoutingRule{ID: r.ID, Name: r.Name, NameEN: r.NameEN, Family: r.Family, Nature: r.Nature, CategoryCode: r.CategoryCode,
		DivisionCode: r.DivisionCode, UnitID: r.UnitID, UnitKind: string(r.UnitKind), UnitLevel: string(r.UnitLevel),
		Priority: r.Priority, PolicyID: r.PolicyID, UpdatedAt: r.UpdatedAt.In(a.loc)}
	if !r.RetiredAt.IsZero() {
		at := r.RetiredAt.In(a.loc)
		out.RetiredAt = &at
	}
	return out
}

func (a *API) routingRules(w http.ResponseWriter, r *http.Request) error {
	if actor := actorOf(r); !actor.System && !actor.Has(access.SysAdmin) {
		return fault.New(fault.Forbidden, "forbidden", msgRulesAdminOnly)
	}
	rules, err := a.route.Rules(r.Context())
	if err != nil {
		return err
	}
	out := RoutingRuleList{Rules: make([]RoutingRule, 0, len(rules))}
	for _, x := range rules {
		out.Rules = append(out.Rules, a.ruleOut(x))
	}
	return writeJSON(w, http.StatusOK, out)
}

// RoutingRuleList is every routing rule, as every list is an object.
type RoutingRuleList struct {
	Rules []RoutingRule `json:"rules"`
}

func (req RoutingRuleRequest) rule() routing.Rule {
	return routing.Rule{Name: req.Name, NameEN: req.NameEN, Family: req.Family, Nature: req.Nature,
		CategoryCode: req.CategoryCode, DivisionCode: req.DivisionCode, UnitID: req.UnitID, UnitKind: org.Kind(req.UnitKind),
		UnitLevel: org.Level(req.UnitLevel), Priority: req.Priority, PolicyID: req.PolicyID}
}

func (a *API) createRoutingRule(w http.ResponseWriter, r *http.Request) error {
	var req RoutingRuleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	rule, err := a.route.Create(r.Context(), actorOf(r), req.rule())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, a.ruleOut(rule))
}

// updateRoutingRule replaces a rule's fields: the body is the whole rule,
// as for creating one.
func (a *API) updateRoutingRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req RoutingRuleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	rule, err := a.route.Update(r.Context(), actorOf(r), id, req.rule())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.ruleOut(rule))
}

func (a *API) retireRoutingRule(retired bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := a.route.SetRetired(r.Context(), actorOf(r), id, retired); err != nil {
			return err
		}
		rule, err := a.route.Rule(r.Context(), id)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, a.ruleOut(rule))
	}
}
