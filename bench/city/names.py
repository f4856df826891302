"""Pools of plausible Chinese names and mobile numbers, shared by the roster benchmark and the
city generator, and the pure functions that turn a person number into a name and a mobile.

A person's name and mobile are functions of (person number, seed), not draws from a stage's
random.Random, so every stage can recompute them: the household's roster owner and the user
who signs up with that mobile always agree, whichever stages a resumed run skips.
"""

ESTATE_PREFIXES = [
    "阳光",
    "翠湖",
    "金桂",
    "锦绣",
    "丽景",
    "和平",
    "幸福",
    "康乐",
    "紫荆",
    "梧桐",
    "青松",
    "碧水",
    "春晖",
    "明珠",
    "盛世",
]
ESTATE_SUFFIXES = ["花园", "家园", "苑", "小区", "新村", "雅居", "公寓", "华庭", "名邸", "嘉园"]
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏宇浩然婷雪梅琳丹云飞欣怡子轩梓涵晨阳佳"
)
MOBILE_PREFIXES = [
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "158",
    "159",
    "186",
    "187",
    "188",
    "189",
]
# Staff who do not live in the city get numbers from a range no resident has.
STAFF_MOBILE_PREFIX = "199"

# Place names of the upper tree: district 区, subdistrict 街道, community 社区.
DISTRICT_NAMES = ["江岸区", "江汉区", "硚口区", "汉阳区", "武昌区", "青山区", "洪山区", "东西湖区"]
PLACE_WORDS = [
    *("和平", "民主", "友谊", "建设", "光明", "新华", "长青", "红旗", "胜利", "团结"),
    *("东风", "中山", "解放", "复兴", "振兴", "兴业", "永安", "福寿", "安居", "乐业"),
    *("丰收", "朝阳", "育才", "春华", "花桥", "柳荫", "枫林", "松竹", "梅园", "桃源"),
    *("杏林", "银河", "星光", "彩虹", "翠微", "锦江", "汉水", "龙王", "百步", "四新"),
]
COMMUNITY_SUFFIXES = ["", "路", "里", "村", "桥", "湖", "园", "坊", "街"]

_MASK = (1 << 64) - 1


def mix(n: int, salt: int = 0) -> int:
    """A 64-bit integer hash (splitmix64's finaliser): cheap, well spread, the same in every run."""
    x = (n * 0x9E3779B97F4A7C15 + salt * 0xD1B54A32D192ED03 + 0x632BE59BD9B4E019) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def person_name(person: int, seed: int) -> str:
    """Surname plus one given character (a quarter of people) or two."""
    x = mix(person, seed)
    surname = SURNAMES[x % len(SURNAMES)]
    x //= len(SURNAMES)
    if x & 3 == 0:
        return surname + GIVEN[(x >> 2) % len(GIVEN)]
    x >>= 2
    return surname + GIVEN[x % len(GIVEN)] + GIVEN[(x // len(GIVEN)) % len(GIVEN)]


def person_mobile(person: int, seed: int) -> str:
    """11 digits; distinct for distinct persons below 10⁸ (7919 is prime to 10⁸)."""
    suffix = (person * 7919 + 12345 + seed * 104729) % 10**8
    return f"{MOBILE_PREFIXES[person % len(MOBILE_PREFIXES)]}{suffix:08d}"


def staff_mobile(index: int, seed: int) -> str:
    return f"{STAFF_MOBILE_PREFIX}{(index * 7919 + 54321 + seed * 104729) % 10**8:08d}"
