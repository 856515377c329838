package org

import (
	"context"
	"fmt"

	"pingan/internal/access"
	"pingan/internal/db"
	"pingan/internal/division"
)

// cityDepartments are the line departments seeded at city level: code
// suffix and name.
var cityDepartments = []struct{ code, name string }{
	{"CG", "厦门市城市管理行政执法局"},
	{"SC", "厦门市市场监督管理局"},
	{"RS", "厦门市人力资源和社会保障局"},
	{"JS", "厦门市建设局"},
	{"JT", "厦门市交通运输局"},
	{"WJ", "厦门市卫生健康委员会"},
	{"JY", "厦门市教育局"},
	{"HB", "厦门市生态环境局"},
	{"ZR", "厦门市自然资源和规划局"},
	{"MZ", "厦门市民政局"},
	{"SZ", "厦门市市政园林局"},
	{"YJ", "厦门市应急管理局"},
}

// districtDepartments are seeded in every district: code suffix and the name
// after the district's own name.
var districtDepartments = []struct{ code, name string }{
	{"CG", "城市管理局"},
	{"SC", "市场监督管理局"},
	{"RS", "人力资源和社会保障局"},
	{"JS", "建设与交通局"},
}

// Seeded unit codes that other code refers to.
const (
	CodeCityCommittee = "PLC-350200"
	CodeHotline       = "HOTLINE-350200"
	CodeCityPolice    = "PSB-350200"
)

// SeedXiamen creates Xiamen's default organisation when there are no units
// yet: the city, its 6 districts and 54 township-level areas from the
// embedded division codes, and the political-legal units beside them — 政法委
// at city and district level, the 12345 centre, 信访局, 市公安局 → 分局 →
// 派出所, 中级法院 → 区法院 → 人民法庭, 检察院, 司法局 → 司法所 → 人民调解委员会
// — and the main line departments. One 派出所, 司法所 and mediation committee
// per township follows the common pattern; administrators adjust the tree to
// the real one. It returns the number of units created (0 if the
// organisation already existed).
func (s *Service) SeedXiamen(ctx context.Context) (int, error) {
	var created int
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		created = 0
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM units").Scan(&n); err != nil {
			return fmt.Errorf("seed organisation: %w", err)
		}
		if n > 0 {
			return nil
		}
		add := func(parent int64, code, name string, kind Kind, level Level, div string) (int64, error) {
			u, err := s.insertUnit(ctx, tx, UnitInput{ParentID: parent, Code: code, Name: name, Kind: kind, Level: level, DivisionCode: div})
			if err != nil {
				return 0, fmt.Errorf("seed unit %s %s: %w", code, name, err)
			}
			created++
			return u.ID, nil
		}
		city, ok := division.ByCode(division.XiamenCode)
		if !ok {
			return fmt.Errorf("seed organisation: division %s missing", division.XiamenCode)
		}
		root, err := add(0, city.Code, city.Name, Government, City, city.Code)
		if err != nil {
			return err
		}
		cc := city.Code
		ids := map[string]int64{}
		for _, u := range []struct {
			key, code, name string
			kind            Kind
		}{
			{"plc", CodeCityCommittee, "中共厦门市委政法委员会", Committee},
			{"hotline", CodeHotline, "厦门市12345政务服务便民热线中心", Hotline},
			{"petition", "PETITION-" + cc, "厦门市信访局", Petition},
			{"police", CodeCityPolice, "厦门市公安局", Police},
			{"proc", "PROC-" + cc, "厦门市人民检察院", Procuratorate},
			{"court", "COURT-" + cc, "厦门市中级人民法院", Court},
			{"justice", "JUS-" + cc, "厦门市司法局", Justice},
		} {
			if ids[u.key], err = add(root, u.code, u.name, u.kind, City, cc); err != nil {
				return err
			}
		}
		for _, d := range cityDepartments {
			if _, err := add(root, "DEPT-"+d.code+"-"+cc, d.name, Department, City, cc); err != nil {
				return err
			}
		}
		for _, dist := range division.Children(cc) {
			dc, short := dist.Code, dist.ShortName()
			gov, err := add(root, dc, dist.Name, Government, District, dc)
			if err != nil {
				return err
			}
			if _, err := add(gov, "PLC-"+dc, "中共"+dist.Name+"委政法委员会", Committee, District, dc); err != nil {
				return err
			}
			if _, err := add(gov, "PETITION-"+dc, dist.Name+"信访局", Petition, District, dc); err != nil {
				return err
			}
			for _, dep := range districtDepartments {
				if _, err := add(gov, "DEPT-"+dep.code+"-"+dc, dist.Name+dep.name, Department, District, dc); err != nil {
					return err
				}
			}
			police, err := add(ids["police"], "PSB-"+dc, "厦门市公安局"+short+"分局", Police, District, dc)
			if err != nil {
				return err
			}
			court, err := add(ids["court"], "COURT-"+dc, dist.Name+"人民法院", Court, District, dc)
			if err != nil {
				return err
			}
			if _, err := add(ids["proc"], "PROC-"+dc, dist.Name+"人民检察院", Procuratorate, District, dc); err != nil {
				return err
			}
			justice, err := add(ids["justice"], "JUS-"+dc, dist.Name+"司法局", Justice, District, dc)
			if err != nil {
				return err
			}
			for _, st := range division.Children(dc) {
				sc, sshort := st.Code, st.ShortName()
				if _, err := add(gov, sc, st.Name, Government, Street, sc); err != nil {
					return err
				}
				if st.Statistical() {
					continue // farms and zones have no police station or justice office of their own
				}
				if _, err := add(police, "PSB-"+sc, sshort+"派出所", Police, Street, sc); err != nil {
					return err
				}
				office, err := add(justice, "JUS-"+sc, sshort+"司法所", Justice, Street, sc)
				if err != nil {
					return err
				}
				if _, err := add(office, "MED-"+sc, st.Name+"人民调解委员会", Mediation, Street, sc); err != nil {
					return err
				}
				if len(st.Name) > 3 && st.Name[len(st.Name)-3:] == "镇" {
					if _, err := add(court, "COURT-"+sc, sshort+"人民法庭", Court, Street, sc); err != nil {
						return err
					}
				}
			}
		}
		return s.audit.Append(ctx, tx, auditEntry(access.System("seed"), "org.seed", "unit", root,
			map[string]any{"units": created, "source": "division codes 2023 (国家统计局)"}))
	})
	if err != nil {
		return 0, err
	}
	return created, nil
}
