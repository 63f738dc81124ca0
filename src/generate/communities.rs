//! The residents' committees and villages (社区/村) a county's zones belong
//! to, as the zone property `community`: neighbouring compounds of the
//! county seat and of each town share a 社区 of about half a dozen, and
//! every village is its own 村 (a forest or reservoir joins the nearest).
//!
//! Drawn without the county's random stream, from the zones already made,
//! so that adding communities changes nothing else in a generated county.

use std::collections::HashMap;

use super::land::{Kind, P};

/// Compounds per 社区 in the county seat and in a town.
const URBAN_PER_COMMUNITY: usize = 6;
const TOWN_PER_COMMUNITY: usize = 5;

/// What a zone's community is decided from.
pub struct Place<'a> {
    pub kind: Kind,
    pub centroid: P,
    pub name: &'a str,
    /// Whether people live there (parks and fields join a neighbour's).
    pub inhabited: bool,
}

/// The community of every zone, in zone order. `towns` are the county's
/// town names, by `Kind::Town` index.
pub fn communities(places: &[Place], towns: &[String]) -> Vec<String> {
    let mut names: HashMap<usize, String> = HashMap::new();
    let mut taken: HashMap<String, usize> = HashMap::new();
    let mut of = vec![usize::MAX; places.len()];
    // Seeds: every n-th inhabited zone of a settlement, in zone order (the
    // zones lie in no spatial order, so seeds spread over the settlement).
    let mut seen: HashMap<Kind, usize> = HashMap::new();
    let mut seeds: Vec<usize> = Vec::new();
    for (z, p) in places.iter().enumerate() {
        let per = match p.kind {
            Kind::Urban => URBAN_PER_COMMUNITY,
            Kind::Town(_) => TOWN_PER_COMMUNITY,
            Kind::Village => 1,
        };
        if !p.inhabited {
            continue;
        }
        let n = seen.entry(p.kind).or_default();
        if (*n).is_multiple_of(per) {
            seeds.push(z);
            let name = unique(&mut taken, community_name(p, towns));
            names.insert(z, name);
        }
        *n += 1;
    }
    for (z, p) in places.iter().enumerate() {
        if names.contains_key(&z) {
            of[z] = z;
            continue;
        }
        // The nearest seed of the same settlement; a zone of a settlement
        // without one (all empty) takes the nearest seed of any kind.
        let nearest = |same: bool| {
            seeds
                .iter()
                .copied()
                .filter(|&s| !same || places[s].kind == p.kind)
                .min_by(|&a, &b| {
                    let d = |s: usize| distance2(places[s].centroid, p.centroid);
                    d(a).total_cmp(&d(b)).then(a.cmp(&b))
                })
        };
        if let Some(s) = nearest(p.kind != Kind::Village).or_else(|| nearest(false)) {
            of[z] = s;
        }
    }
    of.iter()
        .map(|&s| names.get(&s).cloned().unwrap_or_default())
        .collect()
}

fn distance2(a: P, b: P) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

/// A community named after the zone it grew from: 锦绣社区 from 锦绣家园,
/// 清河镇东街社区 from a block of 清河镇, 张家村 from the village 张家村二组.
fn community_name(p: &Place, towns: &[String]) -> String {
    let two = |s: &str| s.chars().take(2).collect::<String>();
    match p.kind {
        Kind::Urban => format!("{}社区", two(p.name)),
        Kind::Town(t) => {
            let town = towns.get(t as usize).map_or("", String::as_str);
            let rest = p.name.strip_prefix(town).unwrap_or(p.name);
            format!("{town}{}社区", two(rest))
        }
        Kind::Village => {
            let base = p
                .name
                .trim_end_matches(['一', '二', '三', '四', '五', '六', '组']);
            if base.ends_with('村') {
                base.to_string()
            } else {
                format!("{base}村")
            }
        }
    }
}

/// The name, or with 第二, 第三, … before its last two characters
/// (锦绣第二社区, 张家第二村) when another community has it.
fn unique(taken: &mut HashMap<String, usize>, name: String) -> String {
    let n = taken.entry(name.clone()).or_insert(0);
    *n += 1;
    if *n == 1 {
        return name;
    }
    let chars: Vec<char> = name.chars().collect();
    let suffix = if name.ends_with("社区") { 2 } else { 1 };
    let (stem, tail): (String, String) = (
        chars[..chars.len() - suffix].iter().collect(),
        chars[chars.len() - suffix..].iter().collect(),
    );
    format!("{stem}第{}{tail}", super::names::numeral(*n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(kind: Kind, x: f64, name: &str) -> Place<'_> {
        Place {
            kind,
            centroid: [x, 0.0],
            name,
            inhabited: !name.ends_with("公园"),
        }
    }

    #[test]
    fn compounds_group_by_settlement_and_villages_stand_alone() {
        let towns = vec!["清河镇".to_string()];
        let mut places: Vec<Place> = (0..12)
            .map(|i| place(Kind::Urban, i as f64 * 0.2, "锦绣家园"))
            .collect();
        places.push(place(Kind::Urban, 0.1, "滨江公园"));
        places.push(place(Kind::Town(0), 10.0, "清河镇东街社区"));
        places.push(place(Kind::Town(0), 10.3, "清河镇阳光小区"));
        places.push(place(Kind::Village, 20.0, "张家村二组"));
        places.push(place(Kind::Village, 22.0, "柳坡"));
        places.push(place(Kind::Village, 22.5, "石林场公园"));
        let c = communities(&places, &towns);
        // Two 社区 of six compounds in the seat, the park with its neighbours.
        assert_eq!(c[0], "锦绣社区");
        assert_eq!(c[11], "锦绣第二社区");
        assert_eq!(c[12], "锦绣社区");
        let seat: std::collections::HashSet<&String> = c[..13].iter().collect();
        assert_eq!(seat.len(), 2);
        assert_eq!(c[13], "清河镇东街社区");
        assert_eq!(c[14], "清河镇东街社区");
        assert_eq!(c[15], "张家村");
        assert_eq!(c[16], "柳坡村");
        assert_eq!(c[17], "柳坡村");
    }
}
