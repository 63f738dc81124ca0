//! Chinese place and school names, as a bureau's lists would show them.
//!
//! Names are drawn from word lists and made unique within a county by the
//! suffixes real lists use (二期, 东区, 分校), because a published catchment
//! list where two compounds have the same name is useless to parents.

use std::collections::HashSet;

use super::rng::{Rng, mix};

const COUNTY_FIRST: [&str; 60] = [
    "安", "宁", "平", "和", "泰", "丰", "清", "明", "永", "长", "新", "东", "临", "高", "广", "德",
    "建", "嘉", "庆", "宣", "怀", "桐", "潜", "太", "望", "宿", "灵", "凤", "定", "全", "来", "天",
    "舒", "庐", "繁", "郎", "金", "玉", "石", "青", "白", "黄", "云", "龙", "荣", "兴", "瑞", "福",
    "寿", "昌", "阜", "颍", "霍", "歙", "祁", "黟", "泾", "旌", "绩", "岳",
];
const COUNTY_SECOND: [&str; 40] = [
    "阳", "山", "城", "江", "河", "川", "溪", "源", "远", "化", "陵", "州", "湖", "水", "泉", "乐",
    "康", "林", "谷", "原", "丘", "门", "津", "岗", "亭", "峰", "口", "田", "塘", "湾", "泽", "滨",
    "岭", "台", "坪", "洲", "海", "关", "浦", "桥",
];
const COUNTY_SUFFIX: [&str; 2] = ["县", "市"];

const TOWN_FIRST: [&str; 40] = [
    "高", "新", "石", "柳", "双", "三", "马", "龙", "白", "黄", "青", "杨", "桃", "花", "金", "古",
    "大", "小", "长", "沙", "铁", "枫", "梅", "竹", "松", "官", "土", "牛", "鹤", "凤", "西", "东",
    "南", "北", "河", "湖", "清", "乌", "赤", "茅",
];
const TOWN_SECOND: [&str; 30] = [
    "桥", "河", "门", "店", "集", "岗", "坝", "埠", "铺", "口", "湾", "溪", "圩", "庙", "山", "坪",
    "冲", "塘", "滩", "林", "渡", "港", "关", "寺", "墩", "镇", "岭", "洲", "田", "陂",
];

const COMPOUND_FIRST: [&str; 64] = [
    "阳光", "锦绣", "翠湖", "金色", "碧水", "幸福", "和平", "东方", "世纪", "海棠", "桂花", "紫荆",
    "凤凰", "香樟", "梧桐", "滨江", "湖畔", "银河", "明珠", "春华", "秋实", "书香", "丽景", "御景",
    "盛世", "康乐", "福泽", "瑞祥", "嘉禾", "百合", "玉兰", "牡丹", "芙蓉", "青松", "翠竹", "兰亭",
    "清风", "朝阳", "晨曦", "星河", "润园", "怡景", "雅园", "颐和", "金桥", "银杏", "枫林", "荷塘",
    "龙湖", "馨园", "状元", "文昌", "新华", "人民", "建设", "红旗", "工人", "幸运", "华府", "富康",
    "万福", "天鹅", "绿洲", "水岸",
];
const COMPOUND_SECOND: [&str; 24] = [
    "花园", "家园", "小区", "苑", "新村", "公寓", "华庭", "名邸", "府", "雅居", "新城", "佳苑",
    "丽都", "嘉园", "山庄", "里", "公馆", "雅苑", "尚城", "湾", "庭院", "社区", "一品", "小镇",
];
const URBAN_EMPTY: [&str; 8] = [
    "公园",
    "工业园",
    "商业广场",
    "新城（在建）",
    "物流园",
    "湿地公园",
    "体育中心",
    "科技园",
];
const TOWN_STREETS: [&str; 8] = [
    "东街", "西街", "南街", "北街", "老街", "新街", "中街", "河街",
];

const SURNAMES: [&str; 72] = [
    "张", "李", "王", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹",
    "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛",
    "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪", "田", "任", "姜", "范", "方", "石", "姚",
    "谭", "廖", "邹", "熊", "金", "陆", "郝", "孔",
];
const VILLAGE_SUFFIX: [&str; 14] = [
    "家村", "庄", "村", "湾", "岗", "圩", "洼", "营", "寨", "家坝", "店", "楼", "集", "家冲",
];
const VILLAGE_PREFIX: [&str; 11] = ["", "", "", "", "大", "小", "前", "后", "东", "西", "上"];
const NATURE: [&str; 16] = [
    "石", "柳", "杨", "枣", "梨", "桃", "松", "竹", "柏", "桑", "槐", "杏", "荷", "芦", "茶", "梅",
];
const NATURE_SUFFIX: [&str; 8] = ["林村", "园村", "岭村", "坡", "沟", "河村", "溪村", "塘村"];
const RURAL_EMPTY: [&str; 6] = ["林场", "水库", "农场", "茶场", "山", "湿地"];

const PRIVATE: [&str; 7] = [
    "外国语学校",
    "育才学校",
    "博文学校",
    "英才学校",
    "启明学校",
    "文华学校",
    "育英学校",
];
const URBAN_NINE_YEAR: [&str; 6] = ["城东", "城西", "城南", "城北", "城中", "开发区"];
const DIRECTIONS: [&str; 5] = ["东", "西", "南", "北", "中"];

/// A Chinese numeral for 1..=99 (第一, 第十二, 第二十); larger numbers as
/// digits, which real lists also do.
pub fn numeral(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => DIGITS[n].to_string(),
        10 => "十".to_string(),
        11..=19 => format!("十{}", DIGITS[n - 10]),
        20..=99 if n.is_multiple_of(10) => format!("{}十", DIGITS[n / 10]),
        20..=99 => format!("{}十{}", DIGITS[n / 10], DIGITS[n % 10]),
        _ => n.to_string(),
    }
}

/// The names of `count` counties, all different: a seeded affine
/// permutation walks the two-character names, so no list is kept.
pub fn county_names(seed: u64, count: usize) -> Vec<String> {
    let m = COUNTY_FIRST.len() * COUNTY_SECOND.len() * COUNTY_SUFFIX.len();
    let mut a = (mix(seed ^ 0xC0_0E7F) as usize % m) | 1;
    while gcd(a, m) != 1 {
        a += 2;
    }
    let b = mix(seed ^ 0xB0_0B) as usize % m;
    (0..count)
        .map(|k| {
            let i = (a * (k % m) + b) % m;
            let first = COUNTY_FIRST[i % COUNTY_FIRST.len()];
            let rest = i / COUNTY_FIRST.len();
            let second = COUNTY_SECOND[rest % COUNTY_SECOND.len()];
            let suffix = COUNTY_SUFFIX[rest / COUNTY_SECOND.len()];
            format!("{first}{second}{suffix}{}", lap(k, m))
        })
        .collect()
}

/// Past the list's end a county name takes a number, the rare case of more
/// than 4,800 counties.
fn lap(k: usize, m: usize) -> String {
    if k < m {
        String::new()
    } else {
        (k / m + 1).to_string()
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The county name without its 县/市, as private schools use it.
pub fn short(county: &str) -> &str {
    county
        .strip_suffix('县')
        .or_else(|| county.strip_suffix('市'))
        .unwrap_or(county)
}

/// Names of one county's places and schools, unique within the county.
#[derive(Default)]
pub struct Namer {
    places: HashSet<String>,
    schools: HashSet<String>,
    towns: HashSet<String>,
}

impl Namer {
    pub fn new() -> Namer {
        Namer::default()
    }

    /// A town (镇) name, different from the county's other towns.
    pub fn town(&mut self, rng: &mut Rng) -> String {
        for _ in 0..50 {
            let name = format!("{}{}镇", rng.pick(&TOWN_FIRST), rng.pick(&TOWN_SECOND));
            if self.towns.insert(name.clone()) {
                return name;
            }
        }
        let name = format!("{}{}乡", rng.pick(&TOWN_FIRST), rng.pick(&TOWN_SECOND));
        self.towns.insert(name.clone());
        name
    }

    /// A residential compound of the county seat; `empty` zones are parks,
    /// business parks and estates still being built.
    pub fn compound(&mut self, rng: &mut Rng, empty: bool) -> String {
        let base = if empty {
            format!("{}{}", rng.pick(&COMPOUND_FIRST), rng.pick(&URBAN_EMPTY))
        } else {
            format!(
                "{}{}",
                rng.pick(&COMPOUND_FIRST),
                rng.pick(&COMPOUND_SECOND)
            )
        };
        self.place(base, Phases::Estate)
    }

    /// A block of a town: a street community or a small compound.
    pub fn town_block(&mut self, rng: &mut Rng, town: &str, empty: bool) -> String {
        let base = if empty {
            format!(
                "{town}{}",
                rng.pick(&["工业集中区", "农贸市场", "汽车站", "文化广场"])
            )
        } else if rng.chance(0.35) {
            format!("{town}{}社区", rng.pick(&TOWN_STREETS))
        } else {
            format!(
                "{town}{}{}",
                rng.pick(&COMPOUND_FIRST),
                rng.pick(&["小区", "新村", "家园", "花园"])
            )
        };
        self.place(base, Phases::Estate)
    }

    /// A village (X家村, X庄, 石岭村) or, when `empty`, the forest, reservoir
    /// or farm that takes its land.
    pub fn village(&mut self, rng: &mut Rng, empty: bool) -> String {
        let base = if empty {
            format!("{}{}", rng.pick(&NATURE), rng.pick(&RURAL_EMPTY))
        } else if rng.chance(0.8) {
            format!(
                "{}{}{}",
                rng.pick(&VILLAGE_PREFIX),
                rng.pick(&SURNAMES),
                rng.pick(&VILLAGE_SUFFIX)
            )
        } else {
            format!("{}{}", rng.pick(&NATURE), rng.pick(&NATURE_SUFFIX))
        };
        self.place(base, Phases::Village)
    }

    fn place(&mut self, base: String, phases: Phases) -> String {
        if self.places.insert(base.clone()) {
            return base;
        }
        let variants: &[&str] = match phases {
            Phases::Estate => &[
                "二期", "三期", "四期", "五期", "东区", "西区", "南区", "北区",
            ],
            Phases::Village => &["一组", "二组", "三组", "四组", "五组", "六组"],
        };
        for v in variants {
            let name = format!("{base}{v}");
            if self.places.insert(name.clone()) {
                return name;
            }
        }
        // Duplicates past that point are left as they are: real lists have
        // them too, and the id tells the zones apart.
        base
    }

    /// Makes a school name unique: a second school of the same name is a
    /// branch campus (分校) named after its direction or its compound.
    pub fn school(&mut self, name: String, host: &str) -> String {
        if self.schools.insert(name.clone()) {
            return name;
        }
        let stem = name
            .strip_suffix("学校")
            .map(|s| (s, "学校"))
            .or_else(|| name.strip_suffix("小学").map(|s| (s, "小学")))
            .or_else(|| name.strip_suffix("中学").map(|s| (s, "中学")));
        for d in DIRECTIONS {
            let candidate = format!("{name}{d}校区");
            if self.schools.insert(candidate.clone()) {
                return candidate;
            }
        }
        let candidate = match stem {
            Some((stem, kind)) => format!("{stem}{kind}{host}分校"),
            None => format!("{name}{host}分校"),
        };
        self.schools.insert(candidate.clone());
        candidate
    }
}

enum Phases {
    Estate,
    Village,
}

/// What a school is, for naming it.
#[derive(Clone, Copy)]
pub enum Teaches {
    Primary,
    Junior,
    NineYear,
}

/// Where a school stands, for naming it.
pub enum Place<'a> {
    /// In the county seat, the n-th school of its kind there (from 0).
    Seat(usize),
    /// In a town, the n-th of its kind in that town.
    Town(&'a str, usize),
    /// In a village (its zone name).
    Village(&'a str),
}

/// A public school's name before uniqueness: 实验小学 and numbered schools
/// in the county seat, 中心小学 in towns, village schools by the village.
pub fn public_school(county: &str, teaches: Teaches, place: Place) -> String {
    match (teaches, place) {
        (Teaches::Primary, Place::Seat(0)) => format!("{county}实验小学"),
        (Teaches::Primary, Place::Seat(n)) => format!("{county}第{}小学", numeral(n)),
        (Teaches::Primary, Place::Town(town, 0)) => format!("{town}中心小学"),
        (Teaches::Primary, Place::Town(town, n)) => {
            format!("{town}{}小学", DIRECTIONS[(n - 1) % DIRECTIONS.len()])
        }
        (Teaches::Primary, Place::Village(v)) => format!("{v}小学"),
        (Teaches::Junior, Place::Seat(n)) => format!("{county}第{}中学", numeral(n + 1)),
        (Teaches::Junior, Place::Town(town, 0)) => format!("{town}中学"),
        (Teaches::Junior, Place::Town(town, n)) => format!("{town}第{}中学", numeral(n + 1)),
        (Teaches::Junior, Place::Village(v)) => format!("{v}初级中学"),
        (Teaches::NineYear, Place::Seat(n)) if n < URBAN_NINE_YEAR.len() => {
            format!("{county}{}学校", URBAN_NINE_YEAR[n])
        }
        (Teaches::NineYear, Place::Seat(n)) => {
            format!("{county}第{}九年一贯制学校", numeral(n + 1))
        }
        (Teaches::NineYear, Place::Town(town, 0)) => format!("{town}九年一贯制学校"),
        (Teaches::NineYear, Place::Town(town, n)) => {
            format!("{town}第{}九年一贯制学校", numeral(n + 1))
        }
        (Teaches::NineYear, Place::Village(v)) => format!("{v}九年一贯制学校"),
    }
}

/// A private (民办) school's name: the county's short name and a
/// 外国语/育才-style name.
pub fn private_school(rng: &mut Rng, county: &str) -> String {
    format!("{}{}", short(county), rng.pick(&PRIVATE))
}

/// Whether a name reads as Chinese: mostly CJK characters, no Latin letters.
#[cfg(test)]
pub fn is_chinese(name: &str) -> bool {
    let cjk = name
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .count();
    !name.chars().any(|c| c.is_ascii_alphabetic()) && cjk * 2 > name.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals() {
        assert_eq!(numeral(1), "一");
        assert_eq!(numeral(10), "十");
        assert_eq!(numeral(12), "十二");
        assert_eq!(numeral(20), "二十");
        assert_eq!(numeral(47), "四十七");
        assert_eq!(numeral(120), "120");
    }

    #[test]
    fn county_names_are_unique_and_chinese() {
        let names = county_names(1, 2800);
        let set: HashSet<&String> = names.iter().collect();
        assert_eq!(set.len(), 2800);
        assert!(names.iter().all(|n| is_chinese(n)));
        assert_ne!(county_names(1, 5), county_names(2, 5));
        let many = county_names(3, 10_000);
        assert_eq!(many.iter().collect::<HashSet<_>>().len(), 10_000);
    }

    #[test]
    fn schools_get_unique_names() {
        let mut namer = Namer::new();
        let a = namer.school("安阳县实验小学".into(), "锦绣花园");
        let b = namer.school("安阳县实验小学".into(), "锦绣花园");
        assert_eq!(a, "安阳县实验小学");
        assert_eq!(b, "安阳县实验小学东校区");
        assert_eq!(short("安阳县"), "安阳");
        assert_eq!(
            public_school("安阳县", Teaches::Junior, Place::Seat(1)),
            "安阳县第二中学"
        );
    }
}
