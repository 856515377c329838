package casegen

import (
	"slices"
	"strings"
)

// Topic is one kind of matter citizens report.
type Topic struct {
	Domain   string   // "civic", "police" or "dispute": which catalogue the category is in
	Category []string // category names from the top level down; must exist in that catalogue
	Natures  []string // nature codes the matter takes, most likely first
	Handler  string   // which unit handles it, e.g. "street", "police", "dept:CG", "city:JY", "petition"
	Weight   int      // relative frequency among topics
	Titles   []string // title templates, 8–25 characters
	Bodies   []string // body templates, 40–200 characters: Bodies[i] is what Titles[i] heads
}

// Report is the title and body templates of the topic's report i: a title
// goes with its own body, so that a missing child is not headed as an old
// man lost.
func (tp Topic) Report(i int) (title, body string) {
	return tp.Titles[i], tp.Bodies[i]
}

// NeedsVehicles reports whether the topic's report i speaks of vehicles —
// cars, buses, bicycles, traffic police, a construction site's trucks —
// and so cannot happen in a car-free township (CarFree).
func (tp Topic) NeedsVehicles(i int) bool {
	title, body := tp.Report(i)
	text := strings.ReplaceAll(title+body, "车间", "") // a workshop
	return slices.ContainsFunc(vehicleWords, func(w string) bool { return strings.Contains(text, w) })
}

// vehicleWords are what a report that needs vehicles says: 车 (汽车,
// 电动车, 公交车, 车位, 泵车…), and the words for vehicles and traffic
// without it.
var vehicleWords = []string{"车", "公交", "驾", "交警", "骑手"}

// NeedsVillage reports whether the topic's report i is set in a village —
// its villagers and village committee, homesteads, farmland, hills and
// woods, ancestral houses — and so cannot happen in a township without
// villages (Villages), such as the old town's 中华街道 or 鼓浪屿.
func (tp Topic) NeedsVillage(i int) bool {
	title, body := tp.Report(i)
	return slices.ContainsFunc(villageWords, func(w string) bool { return strings.Contains(title+body, w) })
}

// villageWords are what a report set in a village says: 村 (村民, 村委会,
// 同村, 旧村改造…), and the words for its land and houses without it.
var villageWords = []string{"村", "宅基地", "耕", "山林", "山地", "林地", "农田", "鱼塘", "承包地", "土地承包",
	"田埂", "果树", "大棚", "青苗", "祖厝", "祖屋", "失地农民", "集体土地"}

// NeedsTown reports whether the topic's report i has the town government
// (镇里, 镇政府) act, and so happens in a town (镇), not in a 街道, whose
// street office would.
func (tp Topic) NeedsTown(i int) bool {
	title, body := tp.Report(i)
	return strings.Contains(title+body, "镇里") || strings.Contains(title+body, "镇政府")
}

// CarFree are the townships without vehicles: 鼓浪屿 is a pedestrian
// island (no cars, buses or bicycles; goods go by hand cart), so no
// traffic accident, parking or bus matter is reported there.
var CarFree = map[string]bool{"350203012": true}

// Topics is the catalogue of matters the generator composes reports about.
// Templates use only the placeholders {road} {estate} {landmark} {street}
// {shop} {company} {name} {surname} {time} {days} {n} {amount} {date}.
var Topics = []Topic{
	// ------------------------------------------------------------------
	// 12345 hotline: noise
	{
		Domain:   "civic",
		Category: []string{"环境保护", "环境污染", "噪音污染"},
		Natures:  []string{"complaint", "report"},
		Handler:  "dept:CG",
		Weight:   9,
		Titles: []string{
			"{estate}隔壁工地凌晨打桩扰民",
			"{road}工地半夜还在卸钢筋",
			"投诉{estate}南面楼盘深夜施工",
			"夜间施工严重影响休息，请求查处",
		},
		Bodies: []string{
			"{estate}隔壁的工地最近{days}天每天都干到凌晨一两点，打桩机、混凝土泵车轰轰响，窗户关紧了还是震得睡不着。家里有老人和刚满月的孩子，实在受不了，请相关部门去查一下有没有夜间施工许可。",
			"又是这个工地！{road}靠近{street}那个，晚上十二点还在卸钢筋，哐当哐当的，之前打过两次电话，安静两天又开始了。能不能彻底管一管？",
			"您好，我是{estate}的住户，姓{surname}。小区南面在建的楼盘夜里经常施工到凌晨，噪音很大，孩子马上要中考了，晚上根本没法复习。希望城管部门核实，如果没有夜间施工审批，请依法处理。",
			"{date}夜里十一点多开始，{landmark}附近的道路开挖施工，切割机的声音一直响到凌晨三点多，周边好几栋楼的居民都被吵醒了。请问这种工程晚上施工有没有提前公示？",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"环境保护", "环境污染", "噪音污染"},
		Natures:  []string{"complaint", "report"},
		Handler:  "dept:CG",
		Weight:   6,
		Titles: []string{
			"{road}一家{shop}音响声太大",
			"{road}夜宵店深夜喧哗扰民",
			"投诉{estate}底商营业噪音",
		},
		Bodies: []string{
			"我家楼下新开了一家{shop}，门口放两个大音箱循环播放促销广告，从早上九点一直放到晚上十点多，住在二楼三楼的人窗都不敢开。跟老板说过，他说生意不好做，就是不关。",
			"{road}上那家夜宵店每天营业到凌晨，客人在门口划拳喝酒、大声喧哗，还有人摔酒瓶，我们{estate}靠街这一侧的住户天天被吵，已经持续{n}个多月了，麻烦管一管。",
			"反映一下，{estate}一楼商铺的{shop}把空调外机和排风扇装在我们卧室窗下，机器一开就嗡嗡响，夜里尤其明显。请有关部门上门测一下噪音是否超标。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"环境保护", "环境污染", "噪音污染"},
		Natures:  []string{"complaint", "suggestion"},
		Handler:  "street",
		Weight:   5,
		Titles: []string{
			"{estate}中心广场舞音响太吵",
			"{landmark}旁清早广场舞扰民",
			"建议规范{road}边广场舞时间和音量",
		},
		Bodies: []string{
			"每天晚上七点到九点半，{estate}中心广场有{n}支广场舞队同时跳，音响一个比一个大，互相盖过对方。我家孩子读高三，门窗关着都能听到鼓点，请街道出面协调一下音量和时间。",
			"我不反对老人家跳舞锻炼，但早上六点不到就在{landmark}旁边放音乐，周末也不例外，上夜班的人根本睡不了。能不能规定一下开始的时间？",
			"{road}边上那块空地晚上聚了很多人跳舞，还有人拿麦克风唱歌，一直到十点以后。去沟通过，对方态度很差，说公共场所谁都能用。希望有关部门划定区域、限定音量。",
		},
	},
	// 12345 hotline: parking, shared bikes, street vendors
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "城市建设和市政管理", "城管执法"},
		Natures:  []string{"complaint", "report", "suggestion"},
		Handler:  "dept:CG",
		Weight:   7,
		Titles: []string{
			"{road}人行道长期被车辆占用",
			"{estate}门口车辆乱停堵塞消防通道",
			"{street}菜市场门口乱停车问题严重",
		},
		Bodies: []string{
			"{road}靠近{landmark}这一段，人行道上每天停满了小汽车，行人只能走到机动车道上，推婴儿车的、坐轮椅的根本过不去，很危险。希望城管和交警联合整治一下。",
			"我们{estate}大门口和消防通道晚上被外来车辆停得满满的，上次有老人发病，救护车进不来，在门口耽误了十几分钟。物业说管不了，请政府部门想想办法。",
			"{street}菜市场门口每天早上都有货车、三轮车随意停放卸货，把路口堵死，公交车都过不去，早高峰经常堵上半个多小时。建议划定临时卸货区，安排人员管理。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "城市建设和市政管理", "城市公共设施"},
		Natures:  []string{"complaint", "suggestion"},
		Handler:  "city:JT",
		Weight:   4,
		Titles: []string{
			"{landmark}出口共享单车堆积如山",
			"{road}盲道被共享单车占满",
			"建议增设{estate}周边单车停放点",
		},
		Bodies: []string{
			"{landmark}出口每天早晚高峰共享单车堆得到处都是，有的倒在地上，把人行道和盲道全占了，出站的人只能侧着身子挤过去。请督促运营企业及时清理调度。",
			"{road}这一段的盲道上常年停着几十辆共享单车和电动自行车，我母亲视力不好，前几天被绊倒摔伤了膝盖。希望能划好停放线，违规停放的及时清走。",
			"{estate}附近没有规范的单车停放点，大家都随手停在小区门口和公交站，很乱。建议在{road}路边合适的位置划一块停放区域，方便又整齐。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "城市建设和市政管理", "城管执法"},
		Natures:  []string{"complaint", "report"},
		Handler:  "dept:CG",
		Weight:   4,
		Titles: []string{
			"{road}流动摊贩占道经营",
			"{estate}门口商铺店外经营",
			"{landmark}出口夜市摊位堵塞通道",
		},
		Bodies: []string{
			"每天傍晚开始，{road}靠近{landmark}这一段就摆满了卖水果、卖小吃的流动摊贩，人行道完全被占了，垃圾也乱扔，收摊后满地狼藉。请城管加强管理。",
			"{estate}门口的几家店铺把货架、桌椅都摆到人行道上，有的还在门口杀鱼，污水流到路面。居民出入很不方便，请查处。",
			"{landmark}出口处有人摆摊卖水果，三轮车就停在路边，行人只能从机动车道绕行，晚上人多的时候很危险。希望能规范设置摊点。",
		},
	},
	// 12345 hotline: sanitation and municipal facilities
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "城市建设和市政管理", "环境卫生"},
		Natures:  []string{"complaint", "report"},
		Handler:  "dept:CG",
		Weight:   7,
		Titles: []string{
			"{estate}垃圾桶满溢无人清运",
			"{road}路边建筑垃圾乱倒",
			"{street}垃圾中转站臭气熏天",
			"{estate}保洁不到位楼道垃圾无人收",
		},
		Bodies: []string{
			"{estate}{n}号楼旁边的垃圾分类投放点已经{days}天没人清运了，垃圾袋堆到桶外面，天气热，臭味很大，苍蝇蚊子到处飞。请尽快安排清运并消毒。",
			"有人晚上偷偷在{road}绿化带旁边倒装修垃圾，碎砖、木板、油漆桶一大堆，越堆越多，已经占了半条人行道。希望查一下是谁倒的，并清理掉。",
			"反映个问题：{street}那边的垃圾中转站每天下午清运时污水流得满地都是，经过的人都要捂鼻子，旁边就是幼儿园。能不能改进作业方式，加强冲洗？",
			"我是{estate}的老住户了，最近保洁换了公司，楼道里的垃圾两三天才收一次，电梯里也脏兮兮的。跟物业说了没用，只好打电话反映。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "城市建设和市政管理", "基础设施"},
		Natures:  []string{"report", "complaint"},
		Handler:  "city:SZ",
		Weight:   5,
		Titles: []string{
			"{road}路面塌陷存在安全隐患",
			"{estate}门口道路坑洼不平",
			"{road}人行道地砖松动翘起",
		},
		Bodies: []string{
			"{road}靠近{landmark}的机动车道上出现一个大坑，直径差不多一米，下雨后积满水看不出来，今天早上已经有两辆电动车在那里摔倒了。请尽快修补，先放个警示标志。",
			"{estate}门口这段路修了又挖、挖了又修，现在坑坑洼洼的，下雨天全是积水，老人出门买菜都要绕着走。到底归哪个部门管？能不能一次修好？",
			"{road}人行道上好几块地砖松动，一踩就溅一裤腿泥水，晚上看不清还容易崴脚。希望市政部门来检查更换一下。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "城市建设和市政管理", "城市公共设施"},
		Natures:  []string{"report", "complaint"},
		Handler:  "city:SZ",
		Weight:   4,
		Titles: []string{
			"{road}一段路灯连续多日不亮",
			"{estate}后门小路路灯坏了",
			"{street}附近路灯故障请求维修",
		},
		Bodies: []string{
			"{road}从{landmark}往北大概两百米这一段，路灯已经{days}天没亮了，晚上黑漆漆一片，下班回来走这段路心里发毛。麻烦尽快派人维修。",
			"我们{estate}后门出去那条小路，路灯坏了一大半，晚上很黑，前几天还有人在那里摔了一跤。请问这个归市政管还是物业管？谁来修？",
			"报修：{street}附近的路灯白天亮着、晚上反而不亮，估计是控制开关出了问题，浪费电又不安全，请安排检修。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "城市建设和市政管理", "城市公共设施"},
		Natures:  []string{"report", "help"},
		Handler:  "city:SZ",
		Weight:   3,
		Titles: []string{
			"{road}人行道一处井盖缺失",
			"{estate}门口井盖破损下陷",
			"紧急：{landmark}旁井盖被撬走",
		},
		Bodies: []string{
			"{road}靠近公交站的人行道上有一个井盖不见了，只剩一个黑洞，现在用一个塑料桶临时挡着，晚上很容易掉下去，请尽快派人处理。",
			"{estate}门口车道上的井盖已经碎裂下陷，车一压就哐哐响，小孩上学都从旁边经过，怕出事。希望相关单位尽快更换。",
			"刚才路过{landmark}，发现路边雨水井的盖板被人撬走了，井很深，附近有很多小孩玩耍，我已经拿几块砖头围起来了，麻烦赶紧派人来盖上。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "城市建设和市政管理", "自来水供应"},
		Natures:  []string{"help", "complaint", "consult"},
		Handler:  "city:SZ",
		Weight:   4,
		Titles: []string{
			"{estate}突然停水无任何通知",
			"{street}一带水压太低楼上没水",
			"{estate}自来水发黄浑浊",
		},
		Bodies: []string{
			"{estate}从今天{time}开始突然停水，到现在还没来，事先没有看到任何停水通知。家里老人孩子要做饭洗澡都没办法，请问什么时候能恢复供水？",
			"我们住{n}楼以上的，这{days}天每到晚上用水高峰水龙头就只剩细细一股，热水器都打不着火。物业说是市政水压不够，请供水部门核实处理。",
			"{estate}这几天打开水龙头流出来的水是黄色的，放很久才变清，不知道是不是管道出了问题，不敢给孩子喝。请派人检测一下水质。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "城市建设和市政管理", "电力供应"},
		Natures:  []string{"help", "complaint", "consult"},
		Handler:  "dept:JS",
		Weight:   3,
		Titles: []string{
			"{estate}频繁停电影响生活",
			"{street}片区突然停电请求尽快抢修",
			"询问{estate}计划停电时间",
		},
		Bodies: []string{
			"这个月{estate}已经停了{n}次电了，每次都是突然停，冰箱里的东西都坏了，家里还有老人要用制氧机，很危险。请查一下是什么原因，能不能彻底解决。",
			"{street}这一片从{time}左右开始大面积停电，电梯里还困了人，已经打了物业电话，请供电部门尽快抢修，并告知大概什么时候来电。",
			"您好，听说{estate}近期要进行电力线路改造，想问一下具体哪天停电、停多长时间，我家里开了个小作坊，需要提前安排。",
		},
	},
	// 12345 hotline: property management and housing
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "住房保障与房地产", "物业服务"},
		Natures:  []string{"complaint", "consult", "suggestion"},
		Handler:  "dept:JS",
		Weight:   9,
		Titles: []string{
			"{estate}物业服务差还涨物业费",
			"投诉物业公司{company}不作为",
			"{estate}物业拒不公开公共收益",
			"{estate}门禁坏了物业不修",
		},
		Bodies: []string{
			"我们{estate}的物业是{company}，收费不低，服务却越来越差：楼道灯坏了一个月没人修，地下车库漏水，保安晚上在岗亭睡觉。现在还贴通知要涨物业费，业主都很不满。",
			"小区里的电梯广告、停车位出租每年收入不少，物业{company}从来没有公开过账目。业主多次要求查看，物业都推说要请示总公司。请主管部门督促物业依法公开公共收益。",
			"{estate}大门的门禁系统坏了快{days}天了，外来人员随便进出，前几天{n}号楼还有人家里被盗。找物业，他们说配件还在采购。请问物业有没有责任？",
			"我是{estate}的业主{surname}女士，家里卫生间天花板漏水，查明是公共管道的问题，物业却说要业主自己找人修、自己出钱。公共部分的维修到底该谁负责？",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "住房保障与房地产", "物业服务"},
		Natures:  []string{"complaint", "consult"},
		Handler:  "street",
		Weight:   5,
		Titles: []string{
			"{estate}物业擅自上调停车费",
			"{estate}物业以欠费为由限制业主出入",
			"咨询{estate}成立业委会事宜",
		},
		Bodies: []string{
			"{estate}物业贴出通知，下个月开始地面临时停车费翻倍，月卡也要涨价，事先没有征求业主意见，也没有公示依据。请问物业能不能自己说涨就涨？",
			"因为对物业服务不满意，我有{n}个月没交物业费，结果物业把我家的门禁卡停用了，车也不让进小区。这样做合法吗？希望有关部门来协调。",
			"{estate}交房已经{n}年了，一直没有成立业主委员会，很多事情都是物业说了算。想问问成立业委会需要找哪个部门、走什么程序，街道能不能指导一下？",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"商贸旅游", "质监检验检疫", "特种设备管理"},
		Natures:  []string{"complaint", "report", "help"},
		Handler:  "dept:SC",
		Weight:   3,
		Titles: []string{
			"{estate}电梯频繁故障困人",
			"{estate}{n}号楼电梯异响存隐患",
			"老旧小区电梯停运无人维修",
		},
		Bodies: []string{
			"{estate}{n}号楼的电梯这个月已经坏了三回，上周我邻居{surname}阿姨被困在里面四十多分钟。电梯检验合格证都过期了，物业还一直拖着不修，请市场监管部门来查一查。",
			"我们楼电梯运行的时候有很大的摩擦声，停层也不准，经常要往上跨一步才能出来。家里有坐轮椅的老人，很担心，请尽快安排检测。",
			"我们楼的电梯停了快{days}天了，住户大多是老人，住{n}楼的{surname}伯每天靠邻居扶着爬楼。物业说维修资金申请不下来，请问这种情况该怎么办？",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "城乡规划", "违章建筑"},
		Natures:  []string{"report", "complaint"},
		Handler:  "dept:CG",
		Weight:   5,
		Titles: []string{
			"举报{estate}顶楼违章加盖",
			"{estate}一楼住户圈占公共绿地",
			"{street}有人连夜抢建违章房屋",
		},
		Bodies: []string{
			"{estate}{n}号楼顶层住户最近在楼顶搭钢结构，已经拉了好几车建材上去，看样子是要加盖一层。楼顶是公共区域，还会增加楼板负荷，请城管尽快制止。",
			"{estate}一楼的住户把门前的公共绿地用铁栅栏围起来，铺了水泥当自家院子，还搭了雨棚。其他业主意见很大，物业说管不了，请执法部门处理。",
			"举报：{street}有户人家这几天晚上偷偷施工，在原来的老房子上往上加了两层，还往外扩了好几米。白天停工、晚上干，明显是抢建，请尽快查处。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "住房保障与房地产", "房屋租赁"},
		Natures:  []string{"complaint", "help"},
		Handler:  "street",
		Weight:   4,
		Titles: []string{
			"房东无故扣押租房押金",
			"长租公寓倒闭租户被要求搬离",
			"{estate}群租房存在安全隐患",
		},
		Bodies: []string{
			"我在{estate}租的房子合同到期，按约定提前一个月通知了房东，搬走的时候房东说墙面有污渍、沙发有破损，押金{amount}元一分不退。这些都是正常使用的痕迹，请帮忙协调。",
			"通过{company}租的房子，房租一年一付已经交了，结果公司倒闭了，房东说没收到钱，要我们{n}天内搬走。像我这样的租户还有很多，请政府出面处理。",
			"{estate}{n}号楼有一套房子被二房东隔成了十几个小单间，住了二三十个人，电线乱拉，楼道堆满电动车，一旦着火后果不堪设想。请相关部门检查。",
		},
	},
	// 12345 hotline: market regulation
	{
		Domain:   "civic",
		Category: []string{"卫生计生", "食品药品监管", "食品安全"},
		Natures:  []string{"complaint", "report"},
		Handler:  "dept:SC",
		Weight:   5,
		Titles: []string{
			"{road}一超市出售过期食品",
			"在{landmark}附近餐馆吃出异物",
			"举报{street}无证食品加工作坊",
		},
		Bodies: []string{
			"{date}我在{road}的一家超市买了两盒牛奶，回家一看生产日期，已经过期{n}天了。拿回去找店家，店员只说给我换一盒，态度很敷衍。货架上还有好几盒一样的，请市场监管部门去查一下。",
			"今天中午在{landmark}旁边的一家快餐店吃饭，菜里吃出一截钢丝球的铁丝，差点划伤喉咙。店里后厨很脏，服务员也没戴帽子口罩。要求查处并赔偿。",
			"{street}一条小巷子里有个作坊，每天凌晨做豆干、卤味往菜市场送，地上污水横流，老鼠乱窜，也没看到任何证照。这样的东西大家天天在吃，请相关部门查一下。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"商贸旅游", "市场监管", "物价监督"},
		Natures:  []string{"complaint", "report"},
		Handler:  "dept:SC",
		Weight:   4,
		Titles: []string{
			"{landmark}附近海鲜排档宰客",
			"{road}商家标价与结账金额不符",
			"{street}理发店强行推销高价护理",
		},
		Bodies: []string{
			"我和朋友在{landmark}附近一家海鲜排档吃饭，点菜时问价说是按份算，结账时变成按斤算，一条鱼收了{amount}元，明显是宰客。外地朋友来厦门玩，印象很不好，请查处。",
			"{road}的一家超市货架上写的是打折价，到收银台扫码却按原价收，我当场指出来，收银员说是系统没更新。我看不止我一个人遇到，请市场监管部门核查。",
			"{date}在{street}一家店做头发，开始说一百多，做到一半推销各种护理，最后结账要{amount}元，不付钱不让走。这种情况怎么处理？",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"商贸旅游", "市场监管", "其他"},
		Natures:  []string{"complaint", "help"},
		Handler:  "dept:SC",
		Weight:   3,
		Titles: []string{
			"{road}健身房突然关门卡费无法退",
			"{estate}楼下理发店充值后商家失联",
			"{street}美容养生馆办卡后关门跑路",
		},
		Bodies: []string{
			"我去年在{road}的一家健身房办了两年的会员卡，花了{amount}元，才用了{n}个月，上周去发现门上贴了停业通知，老板电话打不通。像我这样的会员有好几百人，请问该找谁？",
			"在{estate}楼下的理发店充了{amount}元的储值卡，现在店铺转让给别人了，新老板不认旧卡，原老板说没钱退。请有关部门帮忙追回。",
			"本人姓{surname}，今年六十多岁，被店员一直劝着在{street}一家美容养生馆办了卡，前前后后充了{amount}元。现在店关门了，人也找不到，这些是我的养老钱啊，请帮帮我。",
		},
	},
	// 12345 hotline: labour and social insurance
	{
		Domain:   "civic",
		Category: []string{"劳动和社会保障", "工资福利", "工资发放"},
		Natures:  []string{"help", "complaint"},
		Handler:  "dept:RS",
		Weight:   9,
		Titles: []string{
			"{company}拖欠员工工资{n}个月",
			"求助：工厂老板跑路工资未发",
			"{road}一餐厅拖欠服务员工资",
			"离职后{company}迟迟不结清工资",
		},
		Bodies: []string{
			"我在{company}上班，公司从今年开始就没按时发过工资，到现在已经拖欠{n}个月了，我一个人被欠了{amount}元。车间里三十多个工友情况都一样，找老板，老板只说再等等。我们外地来的，房租都交不起了。",
			"我们是在{street}一家电子厂上班的工人，{date}老板突然不见了，厂门也锁了，上个月和这个月的工资都还没发，每人少的几千、多的上万。请劳动部门帮帮我们。",
			"我在{road}的一家餐厅做服务员，上个月辞职，按规定提前一个月说了，老板却说我没干满三个月，扣着{amount}元工资不给。请问我该怎么维权？",
			"您好，我儿子在{company}做了半年多，走的时候公司说月底结清，现在过去{days}天了，打电话不接，去公司保安不让进。我们老两口不懂这些，想问问去哪里投诉。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "建筑市场", "拖欠工程款"},
		Natures:  []string{"help", "complaint"},
		Handler:  "dept:JS",
		Weight:   5,
		Titles: []string{
			"{road}一工地拖欠农民工工资",
			"{company}承建项目分包老板卷款跑路",
			"临近年关工地工资仍未结清",
		},
		Bodies: []string{
			"我们一班人在{road}上的一个工地做木工，包工头说工程款没下来，从去年{n}月份到现在一直只给生活费，全班十几个人合计被欠了{amount}元。总包单位是{company}，请住建部门协调。",
			"{company}承建的{estate}项目已经完工，分包老板把钱拿走了人跑了，我们几十个农民工的工资没着落。马上过年了，大家都等着这笔钱回家。",
			"在{street}做钢筋工的老乡托我打电话：干了{days}天，一分钱没拿到，去问项目部，项目部说钱已经付给劳务公司了，劳务公司又说没收到。到底找谁要？",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"劳动和社会保障", "城镇职工社会保险", "职工养老保险"},
		Natures:  []string{"complaint", "consult"},
		Handler:  "dept:RS",
		Weight:   4,
		Titles: []string{
			"{company}未给员工缴纳社保",
			"咨询社保断缴后如何补缴",
			"单位按最低基数缴纳社保是否合规",
		},
		Bodies: []string{
			"我在{company}上班已经{n}年了，最近查社保记录才发现公司只给我交了前面几个月，后面一直没交，工资条上却一直有扣社保这一项。请社保部门核查。",
			"您好，我之前在厦门工作交了几年社保，中间回老家断了{n}年，现在又回来了，想问一下能不能补缴？需要带什么材料、去哪里办？",
			"公司给所有人都按最低基数交社保，实际工资比基数高很多，以后退休金会少不少。跟人事提过，人事说大家都这样。请问这样合不合规？",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"劳动和社会保障", "城镇居民社会保险", "城镇居民医疗保险"},
		Natures:  []string{"consult", "complaint"},
		Handler:  "dept:RS",
		Weight:   3,
		Titles: []string{
			"咨询城乡居民医保参保缴费",
			"异地就医报销手续太繁琐",
			"老人住院医保报销比例有疑问",
		},
		Bodies: []string{
			"我家孩子刚出生不久，想给他办厦门的城乡居民医保，请问在哪里办理、需要准备哪些材料？今年的缴费截止日期是什么时候？",
			"我父亲上个月在老家住院，花了{amount}元，回厦门办理报销，跑了{n}趟窗口都说材料不齐，每次说的还不一样。能不能一次性告知清楚？",
			"我母亲七十多岁，参加的是居民医保，这次在{landmark}附近的医院住院，出院结算时报销比例比我们预想的低很多，想咨询一下具体是怎么计算的。",
		},
	},
	// 12345 hotline: education and health
	{
		Domain:   "civic",
		Category: []string{"教育文体", "教育体制", "教育资源配置"},
		Natures:  []string{"consult", "complaint", "suggestion"},
		Handler:  "city:JY",
		Weight:   5,
		Titles: []string{
			"{estate}适龄儿童就近入学难",
			"咨询随迁子女入学积分办法",
			"{estate}配套学校迟迟未建成",
		},
		Bodies: []string{
			"我们{estate}有几千户人家，按片区划分要去{n}公里以外的小学上学，附近的学校说学位满了。孩子每天要坐半个多小时公交，请教育部门考虑调整片区划分。",
			"我们夫妻俩都在厦门打工，社保交了{n}年，孩子今年要上一年级。想问一下随迁子女入学的积分是怎么算的？居住证和社保需要满多长时间？",
			"买房的时候开发商宣传有配套小学，交房{n}年了，学校的地块还是一片荒草。请问这所学校到底什么时候开工，今年秋季孩子能不能在家门口上学？",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"教育文体", "教育行政管理", "校外机构管理"},
		Natures:  []string{"complaint", "report"},
		Handler:  "city:JY",
		Weight:   3,
		Titles: []string{
			"{road}一培训机构停课拒不退费",
			"举报{estate}内无资质托管班",
			"培训机构搬迁后家长退费无门",
		},
		Bodies: []string{
			"给孩子在{road}一家培训机构报了一年的课，交了{amount}元，才上了{n}次课机构就说要搬迁，之后一直不开课，也不退钱。很多家长在群里着急，请教育部门介入。",
			"{estate}里有人把两套住宅打通办了托管班，接了三四十个小学生，午饭晚饭都在里面吃，没有消防通道，也不知道有没有资质。出了事谁负责？",
			"我是{name}的家长，孩子报的美术班上周突然贴出通知说换校区，新地址在{street}，离家太远去不了。机构只肯退一半学费，剩下的{amount}元说转成课时，这合理吗？",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"卫生计生", "医政监管", "医疗技术和服务"},
		Natures:  []string{"complaint", "suggestion"},
		Handler:  "city:WJ",
		Weight:   3,
		Titles: []string{
			"{landmark}附近医院急诊排队太久",
			"投诉医生接诊态度恶劣",
			"建议社区卫生服务中心延长服务时间",
		},
		Bodies: []string{
			"带孩子去{landmark}附近的医院看急诊，排队等了{n}个多小时还没轮到，孩子烧到三十九度多，护士只说前面人多。急诊就一个医生在看，能不能增加人手？",
			"{date}我陪母亲去看门诊，医生全程看手机，问了两句就开了一堆检查，母亲问药怎么吃，他很不耐烦地说看说明书。老人家回来很难过，希望医院加强管理。",
			"{street}社区卫生服务中心下午五点就下班，周末也不开，上班族根本没法去开药打针。建议错峰延时服务，方便老百姓。",
		},
	},
	// 12345 hotline: pollution
	{
		Domain:   "civic",
		Category: []string{"环境保护", "环境污染", "大气污染"},
		Natures:  []string{"complaint", "report"},
		Handler:  "dept:CG",
		Weight:   4,
		Titles: []string{
			"{estate}楼下餐馆油烟直排",
			"{road}烧烤摊油烟呛人",
			"餐饮店排烟管道对着住户窗户",
		},
		Bodies: []string{
			"{estate}{n}号楼底下开了一家餐馆，排烟管道直接拉到二楼窗户边排出去，每天中午和晚上油烟滚滚，我家窗户都不敢开，衣服上全是油味。请城管部门处理。",
			"一到晚上，{road}路边就摆出好几个烧烤摊，烟雾飘到旁边小区里，呛得人直咳嗽，地面也油腻腻的，凌晨一两点还有人在喝酒。请查处。",
			"反映：{street}一家餐馆的油烟净化器好像从来没开过，黑烟直接往居民楼里灌，去年投诉过一次，整改了几天又恢复原样了，希望长效管理。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"环境保护", "环境污染", "大气污染"},
		Natures:  []string{"report", "complaint"},
		Handler:  "city:HB",
		Weight:   3,
		Titles: []string{
			"{street}工业区夜间排放刺鼻气味",
			"{road}附近喷漆厂偷排废气",
			"{estate}周边经常闻到化工味",
		},
		Bodies: []string{
			"最近一个月，每天晚上十点以后，{estate}就能闻到一股很刺鼻的塑料烧焦味，早上起来喉咙都疼。怀疑是{street}那边的工厂晚上偷偷排放废气，请环保部门夜间去查一下。",
			"{road}旁边的一家喷漆厂，白天门关着，晚上开足机器干活，油漆味飘得很远，附近住户头晕恶心。不知道他们有没有环评手续。",
			"我家在{estate}，小孩有哮喘，这{days}天空气里总有一股臭鸡蛋一样的味道，风往这边吹的时候特别明显。请相关部门监测一下，查明来源。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"环境保护", "环境污染", "水污染"},
		Natures:  []string{"report", "complaint"},
		Handler:  "city:HB",
		Weight:   3,
		Titles: []string{
			"{street}河道发黑发臭",
			"举报{road}附近企业偷排污水",
			"{landmark}周边水面漂浮大量死鱼",
		},
		Bodies: []string{
			"{street}那条小溪以前还有人钓鱼，现在水是黑的，天一热就发臭，河面上漂着塑料袋和泡沫。旁边有几个排污口一直在往里排水，请查一下是哪里排出来的。",
			"{road}旁边的雨水管每天晚上都流出带颜色的污水，有时候是蓝的有时候是红的，直接排到海里。怀疑是附近的印染企业偷排，请环保部门查处。",
			"今天早上在{landmark}附近看到水面上漂了一大片死鱼，味道很重，附近还有人在钓鱼和游泳。请尽快来取样检测，查明原因。",
		},
	},
	// 12345 hotline: transport
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "城市建设和市政管理", "公共汽车"},
		Natures:  []string{"suggestion", "complaint"},
		Handler:  "city:JT",
		Weight:   3,
		Titles: []string{
			"建议增开{estate}至{landmark}公交线路",
			"{road}公交末班车太早",
			"投诉公交司机到站不停",
		},
		Bodies: []string{
			"{estate}入住的人越来越多，附近只有一条公交线路，早上等车动不动要二十多分钟，挤都挤不上去。建议增开一条到{landmark}的线路，或者高峰期加密班次。",
			"{road}这一站晚上九点以后就基本等不到车了，很多在附近上班的人下夜班只能打车或者走路回家。希望公交集团考虑延长末班车时间。",
			"{date}早上七点多我在{road}站台等车，公交车明明看到有人招手，却没进站直接开走了，害得我上班迟到。希望加强对司机的管理。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"政法", "交通管理", "交通安全管理"},
		Natures:  []string{"suggestion", "complaint"},
		Handler:  "city:JT",
		Weight:   3,
		Titles: []string{
			"{road}路口红绿灯配时不合理",
			"建议在{estate}门口增设人行横道",
			"{landmark}周边上下学高峰拥堵严重",
		},
		Bodies: []string{
			"{road}靠近{street}那个路口的左转绿灯只有十几秒，每次只能过三四辆车，早晚高峰排队排到几百米外，建议交警部门重新调整配时。",
			"{estate}门口是一条双向六车道，没有红绿灯也没有斑马线，老人孩子过马路要在车流里穿来穿去，已经出过好几次事故了。强烈建议增设人行横道和信号灯。",
			"每天接送孩子的时间，{landmark}周边的几条路都堵得水泄不通，家长车辆乱停乱放，也没有人疏导。希望能安排人员在高峰时段维持秩序。",
		},
	},
	// 12345 hotline: civil affairs
	{
		Domain:   "civic",
		Category: []string{"民政", "福利慈善", "福利事业"},
		Natures:  []string{"consult", "help", "suggestion"},
		Handler:  "city:MZ",
		Weight:   3,
		Titles: []string{
			"咨询八十岁以上老人高龄补贴",
			"{estate}独居老人申请居家养老服务",
			"{estate}长者食堂为何停办",
		},
		Bodies: []string{
			"我父亲今年满八十岁了，户口在{street}，听说可以领高龄补贴，想问一下要去哪里申请，需要带什么材料，是每个月发还是一年发一次？",
			"我母亲八十多岁，一个人住在{estate}，子女都在外地工作。想给她申请政府的居家养老服务，比如上门助浴、送餐这些，请问符合什么条件可以申请？",
			"{estate}旁边的长者食堂原来中午花几块钱就能吃一份饭，很多独居老人都去，最近突然停办了，也没有说明原因。老人们吃饭成了问题，希望能恢复。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"民政", "社会救助", "城镇低保"},
		Natures:  []string{"help", "consult"},
		Handler:  "street",
		Weight:   2,
		Titles: []string{
			"家庭困难申请低保求助",
			"咨询低保申请审核进度",
			"{street}残疾人家庭生活困难请求救助",
		},
		Bodies: []string{
			"我叫{name}，住在{estate}，丈夫去年生病去世，我自己腰椎不好干不了重活，还要供两个孩子读书，家里实在困难。想申请低保，不知道要准备哪些材料。",
			"我在{date}就把低保申请材料交到社区了，到现在{days}天了还没有任何消息，打电话问社区说在街道审核，街道又说还没收到。请帮忙查一下进度。",
			"{surname}大爷一家三口，儿子智力残疾，老伴长期卧床，全靠老人捡废品过日子，住在{street}一间漏雨的老房子里。我是邻居，看着心里难受，请政府来看看能不能给点帮助。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "城市建设和市政管理", "其他"},
		Natures:  []string{"complaint", "report"},
		Handler:  "police",
		Weight:   2,
		Titles: []string{
			"{estate}有人遛狗不牵绳",
			"{street}流浪狗成群伤人",
			"邻居饲养大型犬日夜狂叫",
		},
		Bodies: []string{
			"{estate}有几户人家晚上遛狗不拴绳，大狗在小区里到处跑，小孩子吓得直哭，狗粪便也不清理。跟他们说了还嫌我们多管闲事，请有关部门处理。",
			"{street}菜市场附近聚了七八条流浪狗，前两天有个小学生被咬伤了腿，去打了狂犬疫苗。请尽快组织收容，避免再有人受伤。",
			"我家隔壁养了一条很大的狼狗，天天关在阳台上，白天晚上一有动静就狂叫，已经持续好几个月了。不知道有没有办犬证，请有关部门管一管。",
		},
	},
	// 12345 hotline and petitions: land, housing, demolition, judgments
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "集体土地上房屋拆迁与补偿", "安置补偿"},
		Natures:  []string{"petition_claim", "petition_accusation", "complaint"},
		Handler:  "petition",
		Weight:   3,
		Titles: []string{
			"关于{street}拆迁补偿标准的信访事项",
			"关于{estate}旧村改造安置补偿不公的反映",
			"请求依法核定{street}祖屋拆迁补偿面积",
		},
		Bodies: []string{
			"本人{name}，系{street}村民。村里启动旧村改造，我家三层祖屋被认定为部分违建，补偿面积比实际少了一百多平方米，而同村条件相同的房屋却全额补偿。请求上级部门依法重新核定。",
			"我们是{estate}片区的被拆迁户，签协议时承诺两年内回迁，现在已经过去四年多，临时安置费从去年起也停发了。多次找指挥部无果，特来信访，请求落实补偿和回迁时间。",
			"反映{street}拆迁工作人员在评估过程中优亲厚友，有的人家新搭的铁皮房也按正式房屋补偿，而我们老实签约的反而吃亏。请求调查处理，公开评估结果。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"国土资源", "土地征收", "失地农民保障"},
		Natures:  []string{"petition_claim", "petition_suggestion"},
		Handler:  "petition",
		Weight:   2,
		Titles: []string{
			"关于{street}失地农民社保落实的信访事项",
			"关于{street}征地补偿款分配问题的请求",
			"请求公开{street}土地征收批复文件",
		},
		Bodies: []string{
			"我们{street}的耕地多年前被征收建工业区，当时承诺给失地农民办理养老保险，至今仍有不少户没有落实，其中很多人已经年过六十，没有任何收入来源。恳请有关部门核实处理。",
			"村里的土地被征收后，补偿款一直由村委会统一管理，到底收了多少钱、怎么分的，从来没有公开过。村民多次要求公开未果，特此信访，请求上级督促村务公开。",
			"本人{name}，{street}村民。{date}起施工队开始在我家承包的地里施工，我们至今没有见到征地批复文件，也没有签过任何补偿协议。请求依法公开征收批复并给予补偿。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "国有土地上房屋征收与补偿", "回迁房"},
		Natures:  []string{"petition_claim", "complaint", "consult"},
		Handler:  "dept:JS",
		Weight:   2,
		Titles: []string{
			"关于{estate}回迁安置房延期交付的信访事项",
			"{estate}安置房质量问题请求处理",
			"咨询{estate}回迁房选房时间",
		},
		Bodies: []string{
			"我们是原{street}片区的被征收户，按照协议，{estate}安置房应在前年年底交付，至今工地时停时建。很多老人已经在外租房四五年，有的没等到回迁就过世了，请求政府督促加快进度。",
			"{estate}安置房去年交房，入住不到一年，外墙渗水、墙体开裂、地下室积水，找代建单位{company}反映多次都没有解决。请求有关部门组织检测并督促维修。",
			"您好，我家是{estate}的回迁户，签约到现在已经{n}年，听说今年要选房了，但一直没有看到正式通知，想问一下选房顺序是怎么定的，什么时候开始？",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "住房保障与房地产", "房产证登记、办理"},
		Natures:  []string{"complaint", "consult", "petition_claim"},
		Handler:  "city:ZR",
		Weight:   3,
		Titles: []string{
			"{estate}交房多年仍办不了房产证",
			"关于{estate}业主不动产证办理的请求",
			"咨询老房子过户需要哪些材料",
		},
		Bodies: []string{
			"{estate}是{company}开发的，业主入住已经{n}年多了，因为开发商欠缴土地出让金，到现在都办不了不动产权证，孩子上学、落户都受影响。请求有关部门督促解决。",
			"我们{estate}共有几百户业主，房款早已付清，开发商一直以各种理由拖延办证。业主多次到售楼处反映无果，现联名请求政府协调，尽快为业主办理不动产登记。",
			"您好，我父母名下有一套{estate}的老房子，想过户到我名下，请问是走赠与还是买卖比较合适？需要带哪些材料到不动产登记中心办理？",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"城乡建设", "住房保障与房地产", "保障性住房"},
		Natures:  []string{"consult", "complaint", "suggestion"},
		Handler:  "dept:JS",
		Weight:   2,
		Titles: []string{
			"咨询保障性租赁住房申请条件",
			"{estate}保障房被违规转租",
			"公租房轮候时间过长",
		},
		Bodies: []string{
			"我是刚毕业的大学生，在{landmark}附近上班，租房压力很大，想问一下保障性租赁住房的申请条件、租金标准，以及去哪里提交申请。",
			"{estate}是保障性住房小区，但我们楼里好几户明显是转租给别人住的，中介还在网上挂房源出租。这对真正需要的人不公平，请主管部门核查。",
			"我们家{date}就通过了公租房资格审核，到现在快{n}年了还在轮候，一家四口挤在一间出租屋里。想问问轮候顺序是怎么排的，大概还要等多久。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"政法", "仲裁与调解", "生效法律文书执行"},
		Natures:  []string{"petition_claim", "petition_accusation"},
		Handler:  "court",
		Weight:   2,
		Titles: []string{
			"请求法院加快执行{company}欠款案件",
			"关于民事判决长期未执行的信访事项",
			"反映执行案件久拖不办的问题",
		},
		Bodies: []string{
			"本人{name}，与{company}买卖合同纠纷一案，法院判决对方支付货款{amount}元，判决生效后对方一直拒不履行。我申请强制执行已一年多，至今一分钱未到账，恳请督促执行。",
			"我借给同乡{amount}元，起诉后法院判决他还款，可他名下的房子早就转到亲戚名下了，执行法官说查不到财产，终结了本次执行。我认为对方恶意转移财产，请求依法追究。",
			"我的劳动报酬案件在{date}申请执行，执行法官至今没有采取任何措施，打电话经常不接，去法院也见不到人。请求上级部门监督，依法及时执行。",
		},
	},
	{
		Domain:   "civic",
		Category: []string{"国土资源", "土地资源管理", "土地权属纠纷"},
		Natures:  []string{"petition_claim", "petition_accusation", "consult"},
		Handler:  "petition",
		Weight:   2,
		Titles: []string{
			"关于{street}宅基地被他人侵占的信访",
			"请求确认{street}集体山地使用权",
			"关于村干部违规出租集体土地的反映",
		},
		Bodies: []string{
			"本人{name}，{street}村民，祖上留下的宅基地有土地证为凭，近年被同村一户人家强行占用建房。多次找村委会调解未果，现请求政府依法确权，排除妨害。",
			"我们小组和隔壁小组之间有一块山地，历来由我们小组耕种管理，现在因为要征收，对方也说是他们的，双方争执不下。请求政府根据历史资料依法确认权属。",
			"反映{street}村干部未经村民代表大会讨论，私自把村集体的{n}亩土地低价租给外地老板建厂房，租金去向不明。请求有关部门调查处理。",
		},
	},

	// ------------------------------------------------------------------
	// 110 police incidents
	{
		Domain:   "police",
		Category: []string{"刑事案件", "盗窃"},
		Natures:  []string{"police_criminal"},
		Handler:  "police",
		Weight:   6,
		Titles: []string{
			"{estate}车棚电动车被偷",
			"{road}一电动车被盗",
			"{landmark}附近电动车电瓶被盗",
		},
		Bodies: []string{
			"报警人称其停放在{estate}{n}号楼车棚的电动自行车被盗，车辆为白色，去年购买，价值约{amount}元，昨天下午六点停放，今早七点发现不见，车棚有监控。",
			"我今天{time}把电动车停在{road}边上的{shop}门口，进去买了个东西，出来不到十分钟车就不见了，车上还有一个头盔。请警察帮我查一下附近的监控。",
			"报警称停在{landmark}附近非机动车停放区的电动车电瓶被人撬走，同一排还有{n}辆车的电瓶也被偷了，请求民警到场处理。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"刑事案件", "盗窃"},
		Natures:  []string{"police_criminal"},
		Handler:  "police",
		Weight:   4,
		Titles: []string{
			"{landmark}一女子手机被扒",
			"在{road}公交车上钱包被偷",
			"{road}一店内顾客手机被顺走",
		},
		Bodies: []string{
			"报警人称{date}{time}左右在{landmark}人多的地方逛，出来后发现背包拉链被拉开，里面的手机和钱包都不见了，钱包里有身份证、银行卡和现金{amount}元。",
			"我刚在{road}坐公交车，下车时发现裤子口袋里的手机没了，车上特别挤，怀疑被人偷了。手机已经打不通了，上面绑了银行卡和支付，请帮忙处理。",
			"{road}一家{shop}的老板报警，称刚才有一名男子假装买东西，趁顾客不注意拿走了放在桌上的手机，店内监控拍到了人，请民警过来看看。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"刑事案件", "盗窃"},
		Natures:  []string{"police_criminal"},
		Handler:  "police",
		Weight:   2,
		Titles: []string{
			"{estate}一住户家中被盗",
			"{street}出租屋夜间被入室盗窃",
			"{estate}多户门锁被撬",
		},
		Bodies: []string{
			"报警人称全家外出{days}天，今天回来发现家门锁被撬，屋里翻得乱七八糟，卧室抽屉里的金项链、手镯和现金约{amount}元不见了，已保护现场，请民警勘查。",
			"我住在{street}的出租屋，昨晚睡觉时窗户没关，早上起来发现放在桌上的笔记本电脑和两部手机不见了，窗台上有脚印。",
			"{estate}{n}号楼今天早上发现好几户人家的门锁都有被撬的痕迹，其中一户被偷了东西，住户很恐慌，请求派出所来处理并加强巡逻。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"刑事案件", "电信网络诈骗"},
		Natures:  []string{"police_criminal"},
		Handler:  "police",
		Weight:   6,
		Titles: []string{
			"一女子网络刷单被骗{amount}元",
			"冒充购物平台客服退款诈骗",
			"{estate}老人接到理赔电话被骗",
		},
		Bodies: []string{
			"报警人{name}称，在网上看到兼职刷单广告，加了对方的聊天软件，前两单返了佣金，后面对方说要连做几单才能提现，先后转账{n}次共计{amount}元，现在已被对方拉黑。",
			"我今天接到一个电话，说是购物平台的客服，说我买的衣服有质量问题要给我退款，让我下载了一个会议软件共享屏幕，按他说的操作后，银行卡被转走了{amount}元。",
			"报警称其母亲在{estate}家中接到自称快递理赔的电话，对方诱导老人开通贷款并转账，共被骗{amount}元，发现后已联系银行冻结，请求立案。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"刑事案件", "电信网络诈骗"},
		Natures:  []string{"police_criminal"},
		Handler:  "police",
		Weight:   3,
		Titles: []string{
			"冒充公检法诈骗一老人被骗",
			"网络投资理财平台无法提现",
			"{road}一男子疑遭交友投资诈骗",
		},
		Bodies: []string{
			"报警人称{date}接到自称外地公安局的电话，说其涉嫌洗钱案件，要求配合调查，并将存款转到所谓安全账户，先后转了{amount}元，后来跟女儿说起才知道被骗。",
			"我在网上认识一个人，带我在一个投资平台炒外汇，一开始小赚了一点，后来陆续投了{amount}元，现在平台提示账户异常不能提现，要交保证金，客服也联系不上了。",
			"{surname}先生报警称，通过交友软件认识一名女子，聊了{n}个月，对方引导其在一个网站充值，说有内部漏洞稳赚不赔，已累计投入{amount}元无法取出。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"刑事案件", "其他诈骗"},
		Natures:  []string{"police_criminal"},
		Handler:  "police",
		Weight:   2,
		Titles: []string{
			"{landmark}附近一老人遭遇街头诈骗",
			"以招工为名收取押金诈骗",
			"{street}出现假冒保健品推销诈骗",
		},
		Bodies: []string{
			"报警人称其父亲在{landmark}附近被两个陌生人搭讪，对方说捡到一包金子要分给他，让他先拿{amount}元现金做押金，老人回家打开一看是假的。",
			"我在{road}上看到一个招工广告，说是进厂包吃住，到了中介那里交了{amount}元体检费和押金，说等通知上班，现在过去{days}天了，中介的门面已经关了。",
			"{street}有人租了个店面，每天给老人免费发鸡蛋、讲健康课，然后高价推销所谓的理疗床垫，我家老人花了{amount}元买了一床，后来发现是三无产品，现在店里的人都跑了。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"刑事案件", "抢劫抢夺"},
		Natures:  []string{"police_criminal"},
		Handler:  "police",
		Weight:   1,
		Titles: []string{
			"{road}一女子项链被抢",
			"{estate}门口老人手提包被抢",
			"{landmark}附近发生飞车抢夺",
		},
		Bodies: []string{
			"报警人称{time}左右在{road}人行道上走，一辆摩托车从后面开过来，后座的人一把扯走了她脖子上的金项链，随后往{landmark}方向逃走，两名嫌疑人都戴着头盔。",
			"我妈妈在{estate}门口等人，一个年轻男子冲过来抢走她手里的包，包里有手机、钥匙和{amount}元现金，老人被拽倒摔伤了手，人往小巷子里跑了。",
			"报警称刚才在{landmark}附近一名男子抢了路人的手机后骑电动车逃跑，往{road}方向去了，穿黑色短袖，请求民警赶紧过来。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"刑事案件", "涉毒"},
		Natures:  []string{"police_criminal"},
		Handler:  "police",
		Weight:   1,
		Titles: []string{
			"举报{street}出租屋疑似有人吸毒",
			"{estate}一出租房常有异味疑似涉毒",
			"举报{road}附近有人贩卖毒品",
		},
		Bodies: []string{
			"举报人称{street}一间出租屋经常深夜有人进出，房间里有一股烧塑料的怪味，垃圾里发现过锡纸和吸管，怀疑有人在里面吸毒，请警方核查并为举报人保密。",
			"我们{estate}{n}号楼有一户租客，白天拉着窗帘不出门，晚上很多陌生人来找，楼道里有时候能闻到奇怪的味道，邻居们都很担心，请派出所来查一下。",
			"有人在{road}附近一家网吧门口偷偷卖一种小包装的东西，说是能提神的，好几个年轻人去买，我怀疑是毒品，请警察来查。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"治安案件", "打架斗殴"},
		Natures:  []string{"police_public_order"},
		Handler:  "police",
		Weight:   5,
		Titles: []string{
			"{road}一夜宵摊多人斗殴",
			"{estate}两名业主因车位发生肢体冲突",
			"{landmark}附近有人持械打架",
		},
		Bodies: []string{
			"报警称{road}上一家夜宵摊有两桌客人喝多了发生口角，现在已经打起来了，有人拿酒瓶砸人，有一人头部出血，请尽快出警。",
			"我在{estate}地下车库，因为车位的事跟一个业主吵了几句，对方直接动手打了我两拳，我眼睛现在肿了，他人还在车库里，请警察过来处理。",
			"{landmark}门口有五六个人在互相推搡殴打，手里好像拿着棍子，旁边围了很多人，还有小孩在附近，挺危险的，请派人过来。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"治安案件", "噪声扰民"},
		Natures:  []string{"police_public_order"},
		Handler:  "police",
		Weight:   6,
		Titles: []string{
			"{estate}一住户深夜聚会喧哗",
			"{road}一酒吧凌晨音乐声扰民",
			"楼上邻居半夜敲击地板",
		},
		Bodies: []string{
			"报警人称住在{estate}{n}号楼，楼上住户从晚上十点开始在家里聚会，唱歌、喝酒、大声喧哗，现在已经凌晨一点多了还没停，上去敲门也不开，请民警过来处理。",
			"{road}上一家酒吧后门对着我们住宅楼，每天凌晨两三点还在放很大声的音乐，客人出来还在门口大吵大闹。已经报过几次警了，能不能彻底解决？",
			"楼上住户最近每天半夜十二点以后就在家里拖椅子、敲地板，咚咚咚响到两点多，我怀疑是故意的。我家老人心脏不好，被吵得整晚睡不着。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"治安案件", "寻衅滋事"},
		Natures:  []string{"police_public_order"},
		Handler:  "police",
		Weight:   2,
		Titles: []string{
			"{road}一醉酒男子拦车滋事",
			"{landmark}附近停车场多辆车被砸",
			"{road}一餐馆内顾客酒后闹事",
		},
		Bodies: []string{
			"报警称{road}上有一个喝醉的男子在路中间拦车，拍打过往车辆的车窗，还对路人骂骂咧咧，已经影响交通，请尽快出警。",
			"我的车停在{landmark}附近的停车场，刚才回来发现车窗被砸了，旁边几辆车也被划了，有人看见是几个年轻人干的，往{road}方向走了。",
			"{road}一家餐馆的员工报警，称有几名客人喝多了在店里摔东西、辱骂员工，拒绝结账还威胁要砸店，请民警到场。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"治安案件", "赌博"},
		Natures:  []string{"police_public_order"},
		Handler:  "police",
		Weight:   2,
		Titles: []string{
			"举报{street}一民房聚众赌博",
			"{road}一茶室疑似开设赌场",
			"{estate}地下室夜间有人赌钱",
		},
		Bodies: []string{
			"举报人称{street}一栋民房三楼每天晚上都有十几个人进出，在里面打牌赌钱，一局输赢好几百，门口还有人放风，要求警方查处，并为举报人保密。",
			"{road}上有一家茶室，白天关着门，晚上很多人开车过来，里面摆了好几张麻将桌，听说赌得很大，还有人放高利贷。请派出所核查。",
			"我们{estate}地下室有个储物间被人改成了牌室，每天半夜都有人在里面打牌，吵吵闹闹，输了钱还打架。请警察来查一查。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"治安案件", "侵犯隐私"},
		Natures:  []string{"police_public_order"},
		Handler:  "police",
		Weight:   1,
		Titles: []string{
			"{landmark}一男子在扶梯上偷拍",
			"{estate}独居女子发现有人偷窥",
			"民宿房间内发现隐藏摄像头",
		},
		Bodies: []string{
			"报警人称在{landmark}乘坐扶梯时，发现身后一名男子拿手机对着她的裙底拍照，她当场抓住了对方的手，现在人已被保安控制，请民警到场。",
			"我住在{estate}一楼，最近几个晚上发现有人趴在卫生间窗户外面往里看，我喊了一声人就跑了。我一个人住，很害怕，请警察帮忙。",
			"我在网上订了{street}附近的一间民宿，入住后在电视机旁边的插座里发现一个小摄像头，正对着床，我已经拍照留证，请求警方处理。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"交通警情", "交通事故"},
		Natures:  []string{"police_traffic"},
		Handler:  "police",
		Weight:   6,
		Titles: []string{
			"{road}发生两车追尾事故",
			"{road}一电动车与小车相撞有人受伤",
			"{landmark}附近路口发生交通事故",
		},
		Bodies: []string{
			"报警称在{road}往{landmark}方向发生两车追尾事故，后车追尾前车，无人受伤，双方对责任有争议，车辆占用一条车道，请交警到场处理。",
			"{road}靠近{street}的路口，一辆电动自行车和一辆小轿车相撞，骑车人倒地，腿部流血，已经打了急救电话，请交警尽快过来。",
			"我刚在{landmark}附近的路口右转的时候，一个行人突然从车后面冲出来，我的车蹭到了他，人看起来没大事，但是他说腿疼，请交警来处理一下。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"交通警情", "违法停车"},
		Natures:  []string{"police_traffic"},
		Handler:  "police",
		Weight:   5,
		Titles: []string{
			"{estate}车位被他人车辆堵住",
			"{road}一车辆挡住店门无法营业",
			"{estate}消防通道被车堵死",
		},
		Bodies: []string{
			"报警人称其车辆停在{estate}地面车位，现在被一辆小车横着挡住了，无法开出去，车上没有留电话，要赶去上班，请求帮忙联系车主挪车。",
			"我在{road}开了一家店，一辆车从早上停在我门口到现在，把整个店门堵死了，顾客进不来，车上没有留电话，请帮忙处理。",
			"{estate}的消防通道被两辆私家车长期占用，刚才有住户家里冒烟，消防车差点进不来。请交警过来处理，也希望以后多来巡查。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"交通警情", "交通拥堵"},
		Natures:  []string{"police_traffic"},
		Handler:  "police",
		Weight:   2,
		Titles: []string{
			"{road}严重拥堵请求疏导",
			"{landmark}周边车辆排起长龙",
			"{road}信号灯故障导致拥堵",
		},
		Bodies: []string{
			"报警称{road}往{landmark}方向车辆排起长队，已经堵了半个多小时一动不动，前面好像有车抛锚，请交警过来疏导。",
			"{landmark}这边活动刚散场，周边几个路口车辆和行人混在一起，网约车乱停接客，已经完全堵死了，需要警力疏导。",
			"{road}靠近{street}那个路口的红绿灯坏了，四个方向都是黄灯闪烁，车辆互不相让，路口已经堵住了，请尽快派人。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"交通警情", "酒驾醉驾"},
		Natures:  []string{"police_traffic"},
		Handler:  "police",
		Weight:   1,
		Titles: []string{
			"举报{road}有人疑似酒后驾车",
			"{landmark}停车场一司机醉酒开车",
			"{estate}地库一男子酒后挪车剐蹭",
		},
		Bodies: []string{
			"报警称刚才在{road}一家餐馆门口，看见一名男子喝得站都站不稳，自己上了驾驶座把车开走了，车往{landmark}方向开去，是一辆白色越野车。",
			"我在{landmark}停车场，看到一个司机明显喝醉了，倒车的时候撞了旁边的柱子还想继续开，我把他拦下来了，他现在在车里，请警察赶紧过来。",
			"{estate}地下车库里一名男子满身酒气，挪车时剐蹭了我的车，还说自己没喝多，要私了，我不同意，请交警来处理。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"纠纷警情", "家庭纠纷"},
		Natures:  []string{"police_dispute"},
		Handler:  "police",
		Weight:   3,
		Titles: []string{
			"{estate}一对夫妻争吵动手",
			"儿子酒后与父母发生冲突",
			"{street}一户婆媳纠纷请求调解",
		},
		Bodies: []string{
			"报警人称在{estate}家中与丈夫因为孩子上学的事情争吵，丈夫情绪激动动手打了她，脸上有伤，现在她躲在邻居家，请求民警过来处理。",
			"报警称其儿子喝醉酒回家，向父母要钱，不给就摔东西，还推了父亲一把，父亲七十多岁了，现在坐在地上起不来，请民警到场。",
			"{street}一户人家婆婆和儿媳因为带孩子的事吵了一下午，声音很大，邻居担心出事报警，请求派人过去调解一下。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"纠纷警情", "邻里纠纷"},
		Natures:  []string{"police_dispute"},
		Handler:  "police",
		Weight:   3,
		Titles: []string{
			"{estate}邻居因漏水发生争执",
			"{street}两户村民因围墙起冲突",
			"楼上楼下因噪音互相辱骂",
		},
		Bodies: []string{
			"报警人称住在{estate}，楼上邻居家里漏水，把他家天花板泡坏了，上去理论时对方不承认，还推了他一把，现在双方在楼道里对峙，请民警到场。",
			"{street}两户人家因为一段围墙的位置吵起来了，一家要拆另一家不让，双方亲戚都来了十几个人，情绪很激动，怕打起来。",
			"我家楼上天天很吵，我上去提意见，对方骂我神经病，还在我家门口贴纸条侮辱我，已经好几次了，请警察来调解。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"纠纷警情", "劳资纠纷"},
		Natures:  []string{"police_dispute"},
		Handler:  "police",
		Weight:   2,
		Titles: []string{
			"{company}门口工人聚集讨薪",
			"{road}工地民工堵门讨要工资",
			"{road}一员工与老板因结算工资争执",
		},
		Bodies: []string{
			"报警称{company}门口聚集了二十多名工人，说公司拖欠工资，情绪比较激动，把厂门堵住了，请民警到现场维持秩序。",
			"{road}一处工地有十几名工人堵在项目部门口要工资，包工头不露面，双方发生推搡，请派出所派人过去协调。",
			"我在{road}一家餐馆打工，今天辞职要结工资，老板说我打碎了东西要扣钱，只给一半，我不同意，他就让人把我推出门外。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"纠纷警情", "经济纠纷"},
		Natures:  []string{"police_dispute"},
		Handler:  "police",
		Weight:   2,
		Titles: []string{
			"{road}一顾客与店家因退货争执",
			"网约车乘客与司机因车费起纠纷",
			"{street}欠款纠纷双方发生争吵",
		},
		Bodies: []string{
			"报警人称在{road}一家店买的手机用了三天就坏了，要求退货，店家只肯维修不肯退，双方争执不下，店员态度很凶，请民警到场处理。",
			"我坐网约车从{landmark}到{estate}，司机中途绕路，到了要多收{amount}元，我不给他就锁着车门不让下车，请警察帮忙。",
			"报警称其朋友欠他{amount}元一直不还，今天去{street}找对方要钱，对方不认账，双方吵起来了，请民警过来调解。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"求助警情", "走失寻人"},
		Natures:  []string{"police_help"},
		Handler:  "police",
		Weight:   3,
		Titles: []string{
			"{estate}一名老人走失",
			"{landmark}一儿童与家人走散",
			"家属离家未归请求协助寻找",
		},
		Bodies: []string{
			"报警人称其父亲{name}，七十八岁，有老年痴呆，今天上午九点左右从{estate}家里出门后一直没回来，穿灰色外套、黑裤子，身上没带手机，请求帮忙寻找。",
			"我带孩子在{landmark}玩，一转身孩子就不见了，男孩，五岁，穿红色上衣、蓝色短裤，已经找了二十分钟，请赶紧帮忙！",
			"我姐姐有抑郁症，{date}晚上跟家里吵架后离家出走，到现在{n}天了手机一直关机，最后出现的地方是{road}附近，家里人很着急，请求协助查找。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"求助警情", "开锁求助"},
		Natures:  []string{"police_help"},
		Handler:  "police",
		Weight:   2,
		Titles: []string{
			"{estate}一住户被锁门外",
			"{estate}独居老人敲门无回应",
			"幼儿被反锁在家中请求开锁",
		},
		Bodies: []string{
			"报警人称住在{estate}，出门倒垃圾时风把门关上了，钥匙和手机都在屋里，锅里还烧着水，请求帮忙联系开锁。",
			"我妈一个人住在{estate}，从早上到现在打电话都不接，敲门也没反应，我在外地赶不回去，很担心她出事，请民警帮忙上门看看。",
			"我出门买菜，三岁的孩子在家里把门反锁了，怎么都打不开，孩子在里面一直哭，我们住在{estate}，请求帮忙开锁。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"求助警情", "急病救助"},
		Natures:  []string{"police_help"},
		Handler:  "police",
		Weight:   1,
		Titles: []string{
			"{road}一老人晕倒在路边",
			"{landmark}有人突发疾病倒地",
			"公交车上一乘客突发抽搐",
		},
		Bodies: []string{
			"报警称{road}人行道上有一位老人突然晕倒，叫不醒，旁边没有家属，已经打了急救电话，请民警协助联系家人。",
			"{landmark}门口一名中年男子突然倒地，脸色发白，呼吸很急促，路人正在给他做心肺复苏，请警察和救护车赶快过来。",
			"我在公交车上，车快到{road}站的时候，一名乘客突然全身抽搐，口吐白沫，司机已经停车，请求救助。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"灾害事故", "火灾"},
		Natures:  []string{"police_other", "police_help"},
		Handler:  "police",
		Weight:   1,
		Titles: []string{
			"{estate}一住户家中起火",
			"{road}一店铺冒出浓烟",
			"{street}电动车充电时起火",
		},
		Bodies: []string{
			"报警称{estate}{n}号楼有一户人家窗户往外冒黑烟，能看到明火，楼里住户正在往下跑，不确定里面还有没有人，请尽快处置。",
			"{road}有一家店铺卷帘门里面冒出很浓的烟，店里好像没人，旁边就是住户，请赶紧派人来。",
			"{street}一栋出租屋楼下充电的电动车突然着火，火势蔓延到旁边几辆车，楼上有人被困在楼梯口下不来。",
		},
	},
	{
		Domain:   "police",
		Category: []string{"灾害事故", "溺水"},
		Natures:  []string{"police_help", "police_other"},
		Handler:  "police",
		Weight:   1,
		Titles: []string{
			"{landmark}附近有人落水",
			"{street}水库有人游泳未上岸",
			"海边一游客被浪卷走",
		},
		Bodies: []string{
			"报警称{landmark}附近水边有一个人掉下去了，在水里挣扎，旁边有人扔了救生圈，但是够不着，请赶快派人救援。",
			"{street}的水库有两个年轻人下去游泳，其中一个游到中间就不见了，已经过去十几分钟了还没浮上来。",
			"我们在海边玩，有个游客下海游泳被浪卷到了外面，现在只能看到他在很远的地方挥手，请立即救援！",
		},
	},

	// ------------------------------------------------------------------
	// 矛盾纠纷 disputes
	{
		Domain:   "dispute",
		Category: []string{"矛盾纠纷", "邻里纠纷"},
		Natures:  []string{"dispute_mediation", "dispute_litigation"},
		Handler:  "mediation",
		Weight:   5,
		Titles: []string{
			"{estate}楼上漏水致楼下受损纠纷",
			"{street}邻里因通道和采光产生纠纷",
			"{estate}邻居装修噪音引发矛盾",
		},
		Bodies: []string{
			"申请人{name}住{estate}，楼上住户卫生间防水层老化，近{n}个月持续渗水，导致申请人家天花板发霉、木地板起拱，估计损失{amount}元。双方多次协商，对方只同意修防水，不同意赔偿，申请调解。",
			"{street}两户相邻村民因一方在通道上堆放杂物、搭建棚子，影响另一方通行和采光，双方多次争吵，差点动手，村调委会介入后同意坐下来协商。",
			"{estate}一业主装修持续三个多月，周末和中午也施工，楼下住户多次交涉未果，双方在业主群里互相指责，矛盾升级，物业申请人民调解委员会介入。",
		},
	},
	{
		Domain:   "dispute",
		Category: []string{"矛盾纠纷", "婚姻家庭纠纷"},
		Natures:  []string{"dispute_mediation", "dispute_litigation"},
		Handler:  "mediation",
		Weight:   3,
		Titles: []string{
			"{street}老人赡养费分摊纠纷",
			"夫妻离婚财产分割纠纷",
			"兄妹因父母遗留房产产生纠纷",
		},
		Bodies: []string{
			"{street}一位八十多岁的老人有三个子女，因为谁来照顾、赡养费怎么分摊，子女之间互相推诿，老人现在一个人住，生活无人照料，村委会请求调解。",
			"{surname}女士与丈夫分居已{n}年，双方同意离婚，但对婚后在{estate}购买的房产和共同债务如何分割意见不一，女方希望先通过调解达成协议。",
			"父母去世后留下{estate}的一套老房子，兄妹四人对继承份额有争议，大哥一直住在里面不肯搬出，其他人要求卖房分钱，关系闹得很僵。",
		},
	},
	{
		Domain:   "dispute",
		Category: []string{"矛盾纠纷", "房屋宅基地纠纷"},
		Natures:  []string{"dispute_mediation", "dispute_admin_ruling", "dispute_litigation"},
		Handler:  "justice",
		Weight:   2,
		Titles: []string{
			"{street}村民宅基地界址纠纷",
			"{street}翻建房屋越界引发纠纷",
			"{street}祖厝产权归属争议",
		},
		Bodies: []string{
			"{street}村民{name}与邻居因宅基地边界产生纠纷，双方各执一份不同年代的用地证明，一方准备翻建新房，另一方认为占用了自家一米多宽的地块，阻止施工。",
			"{street}一户村民翻建房屋时，墙基比原来向外扩了半米，滴水檐伸到了隔壁院子里，隔壁要求拆除，双方争执不下，申请司法所调解。",
			"{street}一座老祖厝由几房后人共有，其中一房想拆了重建，其他几房不同意，也有人主张按房头分割，多年来矛盾不断。",
		},
	},
	{
		Domain:   "dispute",
		Category: []string{"矛盾纠纷", "合同纠纷"},
		Natures:  []string{"dispute_mediation", "dispute_litigation"},
		Handler:  "mediation",
		Weight:   3,
		Titles: []string{
			"业主与{company}装修合同纠纷",
			"{estate}业主装修工程质量纠纷",
			"商户之间货款结算纠纷",
		},
		Bodies: []string{
			"{estate}业主{name}与{company}签订装修合同，总价{amount}元，已付七成。工程拖延两个多月仍未完工，且瓷砖空鼓、墙面开裂，业主要求返工并赔偿，公司要求先付尾款，双方僵持。",
			"{estate}一业主委托装修队翻新房子，完工后卫生间漏水到楼下，装修队说是原来的管道问题，不愿负责维修和赔偿，业主要求扣除部分工程款，双方发生纠纷。",
			"两家小商户之间有货款往来，一方称已付清{amount}元货款，另一方说还有一批货没结算，双方对账单有出入，生意伙伴闹翻，申请调解。",
		},
	},
	{
		Domain:   "dispute",
		Category: []string{"矛盾纠纷", "合同纠纷"},
		Natures:  []string{"dispute_mediation", "dispute_litigation"},
		Handler:  "mediation",
		Weight:   2,
		Titles: []string{
			"{estate}房屋租赁押金纠纷",
			"{road}店面租赁提前解约纠纷",
			"房东与租客因转租和房屋损坏纠纷",
		},
		Bodies: []string{
			"租客在{estate}租房一年，到期退租时房东以墙面脏污、家具损坏为由扣下全部押金{amount}元，租客认为属于正常损耗，双方到社区申请调解。",
			"{road}一家店面的租客因生意不好要提前解约，房东要求按合同赔偿三个月租金，租客认为房东一直没有办下消防手续，也有违约在先。",
			"房东发现租客把房子转租给别人当民宿，屋内设施损坏严重，要求解除合同并赔偿损失，租客认为合同里没有禁止转租，双方申请调解。",
		},
	},
	{
		Domain:   "dispute",
		Category: []string{"矛盾纠纷", "劳动争议"},
		Natures:  []string{"dispute_arbitration", "dispute_mediation", "dispute_litigation"},
		Handler:  "dept:RS",
		Weight:   4,
		Titles: []string{
			"员工与{company}解除劳动合同补偿争议",
			"工伤认定及赔偿劳动争议",
			"{company}未签劳动合同双倍工资争议",
		},
		Bodies: []string{
			"申请人在{company}工作{n}年，公司以业务调整为由口头通知其离职，只愿意补偿一个月工资。申请人认为属于违法解除，要求支付赔偿金，双方协商不成，拟申请劳动仲裁。",
			"工人{name}在{street}一家工厂操作机器时压伤左手，公司只垫付了部分医药费，既不申报工伤也不支付停工期间工资，工人要求按工伤标准赔偿。",
			"申请人入职{company}八个多月，公司一直没有签书面劳动合同，离职时申请人要求支付未签合同的双倍工资差额，公司不同意，申请人申请劳动仲裁。",
		},
	},
	{
		Domain:   "dispute",
		Category: []string{"矛盾纠纷", "物业纠纷"},
		Natures:  []string{"dispute_mediation", "dispute_litigation"},
		Handler:  "mediation",
		Weight:   3,
		Titles: []string{
			"{estate}业主与物业欠费纠纷",
			"{estate}车辆在小区受损赔偿纠纷",
			"业委会与原物业{company}交接纠纷",
		},
		Bodies: []string{
			"{estate}部分业主以服务不到位为由拒交物业费，最长的欠了三年多，物业公司准备起诉，街道建议先由人民调解委员会组织双方协商。",
			"业主的车停在{estate}地下车库，被楼上掉落的水泥块砸坏挡风玻璃，维修花了{amount}元。业主认为物业管理有疏漏要求赔偿，物业认为应找施工的住户，三方各执一词。",
			"{estate}业委会决定更换物业公司，原物业{company}拒不退场，也不移交相关资料和公共收益，新旧物业在小区门口多次对峙，业主分成两派。",
		},
	},
	{
		Domain:   "dispute",
		Category: []string{"矛盾纠纷", "医疗纠纷"},
		Natures:  []string{"dispute_mediation", "dispute_litigation"},
		Handler:  "mediation",
		Weight:   1,
		Titles: []string{
			"患者术后并发症医疗纠纷",
			"{street}诊所误诊延误治疗纠纷",
			"产妇分娩后出血引发医患纠纷",
		},
		Bodies: []string{
			"患者{name}在医院做了阑尾手术，术后出现感染又做了二次手术，多花了{amount}元。家属认为是医院处置不当，要求赔偿，医院认为属于正常并发症，双方申请医疗纠纷人民调解。",
			"{street}一家诊所把一名小孩的肺炎当成普通感冒治疗了{n}天，后来转到大医院住院，家长要求诊所承担医疗费用，诊所只愿意退还诊疗费。",
			"产妇在医院分娩后出现大出血，经抢救脱离危险，家属认为医院观察不及时，在病房内情绪激动，医院报请调解委员会介入，避免矛盾激化。",
		},
	},
	{
		Domain:   "dispute",
		Category: []string{"矛盾纠纷", "道路交通事故纠纷"},
		Natures:  []string{"dispute_mediation", "dispute_litigation"},
		Handler:  "mediation",
		Weight:   2,
		Titles: []string{
			"{road}交通事故赔偿纠纷",
			"外卖骑手撞伤老人赔偿纠纷",
			"交通事故车辆维修费争议",
		},
		Bodies: []string{
			"{date}在{road}发生一起小车与电动车碰撞事故，交警认定小车负主要责任。电动车驾驶人住院{days}天，要求赔偿医疗费、误工费共{amount}元，小车车主认为金额过高，申请调解。",
			"一名外卖骑手在{road}路口撞倒了一位过马路的老人，老人骨折住院，骑手无力全额赔偿，配送站点互相推诿，老人家属要求平台一起承担。",
			"双方车辆在{landmark}附近剐蹭，交警认定为同等责任，但对修车费用和车辆贬值损失谈不拢，一方已经准备起诉。",
		},
	},
	{
		Domain:   "dispute",
		Category: []string{"矛盾纠纷", "征地拆迁纠纷"},
		Natures:  []string{"dispute_mediation", "dispute_petition", "dispute_admin_ruling"},
		Handler:  "street",
		Weight:   2,
		Titles: []string{
			"{street}被征收户与征收部门补偿纠纷",
			"拆迁安置房分配家庭内部纠纷",
			"{street}征地青苗补偿纠纷",
		},
		Bodies: []string{
			"{street}片区房屋征收中，被征收户{name}认为其房屋评估价格偏低，且一楼临街店面未按商业用房补偿，拒绝签约，多次到指挥部反映，街道组织调解。",
			"老人名下的房屋被拆迁，补偿了两套安置房和一笔现金，几个子女为怎么分吵得不可开交，有人还到拆迁指挥部闹，要求把安置房登记在自己名下。",
			"{street}村民承包的土地被征用修路，地上种的果树和大棚的补偿标准村民不认可，施工队进场时被村民阻拦，镇里组织双方协商。",
		},
	},
	{
		Domain:   "dispute",
		Category: []string{"矛盾纠纷", "山林土地纠纷"},
		Natures:  []string{"dispute_admin_ruling", "dispute_mediation", "dispute_reconsideration"},
		Handler:  "street",
		Weight:   1,
		Titles: []string{
			"{street}两村山林界址纠纷",
			"{street}村民承包地边界纠纷",
			"林地承包合同到期引发争议",
		},
		Bodies: []string{
			"{street}两个相邻的村之间有一片山林，双方都说是自己的，近期一方雇人砍树种果树，另一方村民上山阻拦，双方差点发生冲突，镇政府组织调处。",
			"{street}两户村民的承包地相邻，一户把田埂往对方地里挪了一截，对方发现后要求恢复原状，双方都拿出了不同版本的承包合同。",
			"村集体的一片林地二十年前承包给了个人，合同到期后承包人不愿退还，说自己投入很大，村民要求收回重新发包，申请镇里处理。",
		},
	},
	{
		Domain:   "dispute",
		Category: []string{"矛盾纠纷", "损害赔偿纠纷"},
		Natures:  []string{"dispute_mediation", "dispute_litigation"},
		Handler:  "mediation",
		Weight:   2,
		Titles: []string{
			"{estate}犬只咬伤儿童赔偿纠纷",
			"{estate}高空坠物砸坏车辆纠纷",
			"{road}一店铺门前顾客摔伤纠纷",
		},
		Bodies: []string{
			"{estate}一住户饲养的狗在小区里咬伤了一名小孩的腿，家长带孩子打疫苗、缝针花了{amount}元，要求狗主人赔偿医药费和精神损失，狗主人只愿意出医药费。",
			"{estate}{n}号楼有住户阳台花盆被风吹落，砸坏了楼下停放的汽车，车主要求赔偿维修费，但楼上几户都不承认是自家的花盆。",
			"顾客在{road}一家{shop}门口摔倒，造成手腕骨折，顾客认为店家刚拖完地没有放警示牌，要求赔偿，店家认为是顾客自己不小心。",
		},
	},
	{
		Domain:   "dispute",
		Category: []string{"矛盾纠纷", "消费纠纷"},
		Natures:  []string{"dispute_mediation", "dispute_litigation"},
		Handler:  "dept:SC",
		Weight:   2,
		Titles: []string{
			"消费者与{shop}退款纠纷",
			"二手车交易隐瞒事故纠纷",
			"{street}婚纱摄影服务纠纷",
		},
		Bodies: []string{
			"消费者在{road}一家{shop}消费后发现质量有问题，要求退款，商家以已经使用为由拒绝，消费者向市场监管所投诉后，双方同意调解。",
			"{name}在一家二手车行花{amount}元买了一辆车，开了不到一个月去保养，发现车辆出过重大事故，车行当初说是无事故车，现要求退车赔偿。",
			"一对新人在{street}一家婚纱摄影店拍婚纱照，说好的外景地点被临时更改，成片质量也差，要求退部分费用，店家拒绝，双方发生纠纷。",
		},
	},
	{
		Domain:   "dispute",
		Category: []string{"矛盾纠纷", "其他纠纷"},
		Natures:  []string{"dispute_mediation", "dispute_litigation"},
		Handler:  "justice",
		Weight:   2,
		Titles: []string{
			"亲戚之间民间借贷纠纷",
			"{street}合伙经营散伙分账纠纷",
			"{street}婚宴酒席费用结算纠纷",
		},
		Bodies: []string{
			"{name}借给表弟{amount}元做生意，当时只写了一张简单的借条，现在表弟说生意亏了，只愿意分期还本金，不认利息，两家亲戚关系闹僵，申请司法所调解。",
			"三个老乡在{street}合伙开了一家小饭馆，经营{n}年后散伙，对店里设备和押金怎么分、之前的欠账谁来还意见不一，多次争吵。",
			"一户人家在{street}的酒楼办婚宴，结账时发现酒水和菜品数量对不上，酒楼要求按单付清，主家只同意付实际消费部分，双方当场争执。",
		},
	},
}
