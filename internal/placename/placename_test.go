package placename

import (
	"bufio"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"testing"

	"pingan/internal/sharedtest"
)

// A place word keeps only the name in front of it.
func TestTrimPlace(t *testing.T) {
	for in, want := range map[string]string{
		"反映丽发新城": "丽发新城", "靠近菽庄花园": "菽庄花园", "表示恒通公司": "恒通公司", "投诉金山小区": "金山小区", "伊景园滨河苑": "伊景园滨河苑",
		"建议增开文屏社区": "文屏社区", "不让业主进小区": "", "搬出小区": "", "前进村": "前进村", "要求开通开元小区": "开元小区", "开元小区": "开元小区",
	} {
		if got := trimPlace(in); got != want {
			t.Errorf("trimPlace(%q) = %q, want %q", in, got, want)
		}
	}
}

// A place word needs a proper name before it: generic words (劳务公司,
// 配套小学, 总公司) are no place, a name in front of them (恒通劳务公司) is.
func TestTrimPlaceGenericNames(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"付给劳务公司", ""},
		{"劳务公司", ""},
		{"物业公司", ""},
		{"一家物业公司", ""},
		{"原物业公司", ""},
		{"宣传有配套小学", ""},
		{"周边配套小学", ""},
		{"问该公司", ""},
		{"表示总公司", ""},
		{"跟菜市场", ""},
		{"建设有限公司", ""},
		{"咨询贵公司", ""}, // a company name has two characters at least
		{"恒通劳务公司", "恒通劳务公司"},
		{"长城物业公司", "长城物业公司"},
		{"恒通建设有限公司", "恒通建设有限公司"}, // not 限公司: 有限公司 is one word
		{"反映丽发新城", "丽发新城"},
		{"建议增开文屏社区", "文屏社区"},
		{"厦门大学", "厦门大学"},
		{"金山社区", "金山社区"},
		{"合丰安置小区", "合丰安置小区"},
		// A clause begun without a comma: no name before the place word.
		{"处理结果公司", ""},
		{"目前公司", ""},
		{"但是小区", ""},
		{"结果恒通公司", "恒通公司"},
	} {
		if got := trimPlace(c.in); got != c.want {
			t.Errorf("trimPlace(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A place word that begins another word (村民, 大学生, 广场舞, 市场监管) is
// no place; what comes before it still may be.
func TestNames(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"曾厝垵两户相邻村民因一方在通道上堆放杂物", nil},
		{"洞井村村民反映村道坑洼", []string{"洞井村"}},
		{"高岭村委会不作为", []string{"高岭村"}},
		{"厦门大学生在校外租房被骗", nil},
		{"厦门大学学生在校外租房被骗", []string{"厦门大学"}},
		{"附近的中小学生放学时段拥堵", nil},
		{"金山小区广场舞噪音扰民", []string{"金山小区"}},
		{"万达广场停车难", []string{"万达广场"}},
		{"向莲花市场监管所反映", nil},
		{"违背房地产市场价格", nil},
		{"金山小区物业公司乱收费", []string{"金山小区"}},
		{"金山小区恒通有限公司欠薪", []string{"恒通有限公司", "金山小区"}},
		{"投诉恒通实业发展有限公司欠薪", []string{"恒通实业发展有限公司"}},
		{"恒通劳务公司拖欠工资", []string{"恒通劳务公司"}},
		{"金山社区居民反映", []string{"金山社区"}},
		{"材料交到社区了，打电话问社区说在街道审核", nil}, // 问 and 说 end no name
		{"村里启动旧村改造，补偿不公", nil},        // 旧村改造 is a programme, not a village
		{"黎安社区旧村改造安置补偿不公", []string{"黎安社区"}},
		{"今天去白沙仑社区找对方要钱", []string{"白沙仑社区"}}, // 去 goes to a place, is no part of its name
		{"官田洋一里长者食堂为何停办", []string{"官田洋一里"}}, // Xiamen's 里 estates
		{"湖滨四里12号楼外墙脱落", []string{"湖滨四里"}},
		{"屿后北里小区停车难", []string{"屿后北里小区"}},
		{"步行一里路才到公交站", nil}, // a distance
		{"往前走一里就是", nil},
		{"县城东里有人卖假药", nil},
		{"家里这里哪里都漏水", nil},
		{"湖滨一里路口积水严重", []string{"湖滨一里"}},
		{"湖滨一里地下车库漏水", []string{"湖滨一里"}},
		{"湖滨四里外墙脱落", []string{"湖滨四里"}},
		{"不让业主进小区", nil},
		{"车辆进出小区收费", nil},
		{"前进村道路破损", []string{"前进村"}},
		{"跃进社区居民反映", []string{"跃进社区"}},
		{"日出花园停车难", []string{"日出花园"}},
		{"福住小区停水", []string{"福住小区"}},
		// Words before a place that are no part of its name, seen in
		// hot issues' labels (黄辉住万寿北社区, 时候公司, 规范海沧社区).
		{"申请人黄辉住万寿北社区，楼上漏水", []string{"万寿北社区"}},
		{"我父母名下有一套朝元社区的老房子", []string{"朝元社区"}},
		{"住宅小区停车难", nil},
		{"走的时候公司说月底结清", nil},
		{"查社保记录才发现公司只交了几个月", nil},
		{"建议规范海沧社区一带广场舞时间", []string{"海沧社区"}},
		{"请求上级督促村务公开", nil},
		{"业委会决定更换物业公司", nil},
		{"多次找村委会调解未果", nil},
		{"而同村条件相同的房子", []string{"同村"}}, // not 而同村 (two characters label nothing)
		{"万寿北社区是保障性住房小区", []string{"万寿北社区"}},
		{"后坑社区中心广场有广场舞", []string{"后坑社区"}},
		{"康乐新村中心广场有广场舞", []string{"康乐新村中心广场"}},
		{"A市中心医院", []string{"中心医院"}}, // a city's: one hospital
		{"市头社区老人赡养费分摊纠纷", []string{"市头社区"}},
		{"请求确认欧厝社区集体山地使用权", []string{"欧厝社区"}},
		{"建议增设沧湖东一里周边单车停放点", []string{"沧湖东一里"}},
		{"父母去世后留下凤山社区的一套老房子", []string{"凤山社区"}},
	} {
		if got := Names(c.text); !slices.Equal(got, c.want) {
			t.Errorf("Names(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// reference is the regular expression placeMatches stands for.
var reference = regexp.MustCompile(`[\p{Han}A-Za-z0-9]{2,6}(?:小区|花园|家园|新城|之城|苑|广场|学院|大学|中学|小学|幼儿园|医院|有限(?:责任)?公司|公司|集团|市场|村|社区|大厦|公寓|搅拌站|车贷|地铁\d+号线|高铁站|工业园|[一二三四五六七八九东西南北中]里)`)

// TestMatchesAreTheReferences: on every message of the shared corpora,
// whole and in the parts Names looks at again, placeMatches finds what the
// regular expression finds.
func TestMatchesAreTheReferences(t *testing.T) {
	texts := []string{"地铁3号线车站", "地铁号线", "A1区金山小区地铁12号线恒通有限责任公司", "abcdef小区", "金山社区居民"}
	for _, name := range []string{"teddy_hot_messages.jsonl", "teddy_messages_train.jsonl", "teddy_messages_weak.jsonl"} {
		f, err := os.Open(sharedtest.Path(t, name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m struct{ Subject, Body string }
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			texts = append(texts, m.Subject+"。"+m.Body)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if len(texts) < 7000 {
		t.Fatalf("%d texts", len(texts))
	}
	compared := 0
	var compare func(text string, from, to int)
	compare = func(text string, from, to int) {
		var want [][2]int
		for _, loc := range reference.FindAllStringIndex(text[from:to], -1) {
			want = append(want, [2]int{from + loc[0], from + loc[1]})
		}
		got := placeMatches(text, from, to)
		compared++
		if !slices.Equal(got, want) {
			t.Fatalf("%q [%d:%d]: %v, the expression finds %v", text, from, to, got, want)
		}
		for _, m := range got {
			if m[1]-m[0] > 6 { // the part before its last two characters, as Names looks again
				compare(text, m[0], m[1]-6)
			}
		}
	}
	for _, text := range texts {
		compare(text, 0, len(text))
	}
	t.Logf("%d texts, %d ranges compared", len(texts), compared)
}
