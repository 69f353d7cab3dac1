"""Service themes of the portal (办事主题), as Chinese government service
portals arrange them: life events for persons (个人办事) and the stages of an
enterprise (法人办事). A theme gathers matters by words of their names and
situations; an enterprise stage also by the kind of situation (新办, 变更 …),
so every matter the catalogue adds later falls under its theme by itself."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Theme:
    slug: str
    title: str
    icon: str  # a Lucide icon name (core/templatetags/icons.py)
    audience: str  # "person" 个人办事 or "organisation" 法人办事
    intro: str
    words: tuple = ()  # matched against matter and situation names
    situation_kinds: tuple = ()  # catalog.Situation.Kind values
    policy_query: str = ""  # what the policy zone is asked for this theme
    bundle_words: tuple = field(default=())  # 一件事 whose names contain these


PERSON = [
    Theme(
        "birth",
        "出生",
        "baby",
        "person",
        "新生儿出生医学证明、落户、医保参保等。",
        words=("出生", "母婴", "户口", "户籍"),
        bundle_words=("出生",),
    ),
    Theme(
        "school",
        "上学",
        "graduation-cap",
        "person",
        "学历学位、培训考试和高校毕业生相关事项。",
        words=("学历", "学生", "教育", "培训", "毕业", "考试"),
        bundle_words=("入学", "上学"),
    ),
    Theme(
        "work",
        "就业",
        "briefcase",
        "person",
        "就业创业证、职业资格和执业注册、失业保险等。",
        words=("就业", "失业", "从业资格", "职业资格", "执业注册", "执业许可"),
        policy_query="就业创业补贴",
        bundle_words=("就业", "创业"),
    ),
    Theme(
        "family",
        "婚育",
        "heart-handshake",
        "person",
        "婚姻登记、生育服务和母婴保健等。",
        words=("婚", "生育", "母婴", "出生"),
        bundle_words=("出生", "婚"),
    ),
    Theme(
        "retire",
        "退休",
        "armchair",
        "person",
        "养老保险关系转移接续、待遇申领等。",
        words=("养老", "退休", "医疗保险"),
        bundle_words=("退休",),
    ),
    Theme(
        "travel",
        "出行",
        "car",
        "person",
        "居民身份证、护照、驾驶证和从业资格。",
        words=("身份证", "护照", "驾驶"),
        bundle_words=(),
    ),
]

ORGANISATION = [
    Theme(
        "start",
        "开办",
        "store",
        "organisation",
        "企业和机构设立、首次取得许可和资质。",
        words=("设立",),
        situation_kinds=("new",),
        policy_query="新办企业 开办 补贴",
        bundle_words=("开办", "餐饮"),
    ),
    Theme(
        "operate",
        "经营",
        "factory",
        "organisation",
        "许可延续、年度备案、生产经营和惠企政策。",
        words=("经营", "生产", "备案"),
        situation_kinds=("renew",),
        policy_query="企业经营 奖励 补助",
        bundle_words=("信用修复",),
    ),
    Theme(
        "change",
        "变更",
        "refresh-cw",
        "organisation",
        "名称、地址、经营范围、资质信息等变更和迁移。",
        words=("变更", "迁移"),
        situation_kinds=("change",),
        bundle_words=("迁移",),
    ),
    Theme(
        "close",
        "注销",
        "circle-x",
        "organisation",
        "许可和资质注销、企业注销与破产。",
        words=("注销", "破产"),
        situation_kinds=("cancel",),
        bundle_words=("破产", "注销"),
    ),
]

THEMES = {theme.slug: theme for theme in PERSON + ORGANISATION}
