package dedup

import (
	"testing"

	"pingan/internal/placename"
)

func TestPlacesDiffer(t *testing.T) {
	for _, tc := range []struct {
		title, text string
		want        bool
	}{
		// Two families in two neighbouring communities.
		{"吕厝社区残疾人家庭生活困难请求救助", "蔡塘社区残疾人家庭生活困难请求救助", true},
		{"院前村垃圾长期无人清运", "东坪山村垃圾长期无人清运，臭气熏天", true},
		{"瑞景新村电梯停运", "莲花五村电梯停运", true},
		{"恒通劳务公司拖欠农民工工资", "鑫达建设有限公司拖欠农民工工资", false}, // 公司 and 有限公司 are other kinds
		{"恒通劳务公司拖欠农民工工资", "鑫达劳务公司拖欠农民工工资", true},
		// The same place, named again or among others.
		{"吕厝社区残疾人家庭生活困难请求救助", "吕厝社区一户残疾人家庭生活困难，请社区帮帮忙", false},
		{"金尚小区电梯停运无人维修", "康乐新村旁边的金尚小区电梯停了，楼上老人下不了楼", false},
		{"金鸡亭社区路灯不亮", "金鸡亭社区和槟榔社区交界处路灯不亮", false},
		// Places spoken of but not named.
		{"金尚小区电梯停运无人维修", "我们小区的电梯又坏了，已经停了三天", false},
		{"金尚小区电梯停运无人维修", "隔壁小区的电梯也坏了，这边一直没人修", false},
		{"吕厝社区低保申请无回音", "材料交到社区了，打电话问社区说在街道审核", false},
		// The title names no place, or the text a place of another kind.
		{"路灯不亮", "吕厝社区路灯不亮", false},
		{"吕厝社区低保申请无回音", "金尚小区低保申请无回音", false},
	} {
		if got := placesDiffer(tc.title, tc.text, placename.Names(tc.text)); got != tc.want {
			t.Errorf("placesDiffer(%q, %q) = %v, want %v", tc.title, tc.text, got, tc.want)
		}
	}
}
