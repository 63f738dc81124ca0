//! Pupils by grade: what a school holds this year, grade by grade, for the
//! projection (cohorts move up a grade each year) and for closures (pupils
//! move to the replacement school).
//!
//! A school file gives either `enrolled_<stage>` (pupils of the other
//! grades who stay next year: this year's grades except the top one) or
//! `enrolled_by_grade` (this year's pupils of every grade the school
//! teaches: `[g1, …, g6]`, `[g7, g8, g9]` or `[g1, …, g9]` for a nine-year
//! school). Without grades, the staying pupils are spread evenly over the
//! staying grades and the top grade (who leave) is unknown.

use serde_json::Value;

use crate::model::{School, SchoolKind, Stage};

/// Grades of each stage: primary 1-6, junior 7-9.
pub const GRADES: [usize; 2] = [6, 3];

/// The school property holding this year's pupils by grade.
pub const BY_GRADE: &str = "enrolled_by_grade";

/// The first grade number of a stage (1 or 7), for tables.
pub fn first_grade(stage: Stage) -> usize {
    match stage {
        Stage::Primary => 1,
        Stage::Junior => 7,
    }
}

/// This year's pupils of one stage of a school.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct StageGrades {
    /// Grades that stay next year (all but the top grade), lowest first.
    pub staying: Vec<u32>,
    /// The top grade, who leave at the end of this year; None when only
    /// the staying total is known.
    pub top: Option<u32>,
}

impl StageGrades {
    pub fn staying_total(&self) -> u32 {
        self.staying.iter().sum()
    }

    /// The top grade, or its estimate from the staying grades (their mean)
    /// when the school gave no grades.
    pub fn top_or_mean(&self) -> f64 {
        match self.top {
            Some(t) => t as f64,
            None if self.staying.is_empty() => 0.0,
            None => self.staying_total() as f64 / self.staying.len() as f64,
        }
    }
}

/// Spreads `total` evenly over `n` grades; the remainder goes to the lowest
/// grades, one pupil each, so that the split is the same on every run.
pub fn spread(total: u32, n: usize) -> Vec<u32> {
    if n == 0 {
        return Vec::new();
    }
    let base = total / n as u32;
    let extra = (total % n as u32) as usize;
    (0..n).map(|i| base + u32::from(i < extra)).collect()
}

/// How many grades the `enrolled_by_grade` of a school of this kind has.
pub fn by_grade_len(kind: SchoolKind) -> usize {
    match kind {
        SchoolKind::Primary => GRADES[0],
        SchoolKind::Junior => GRADES[1],
        SchoolKind::NineYear => GRADES[0] + GRADES[1],
    }
}

/// The `enrolled_by_grade` property of a school, checked: None when absent,
/// else one whole number per grade the school teaches.
pub fn read_by_grade(school: &School) -> Result<Option<Vec<u32>>, String> {
    let n = by_grade_len(school.kind);
    let expected = || {
        format!(
            "an array of {n} whole numbers >= 0, this year's pupils of each grade a {} school teaches",
            school.kind.key()
        )
    };
    let Some(value) = school.properties.get(BY_GRADE) else {
        return Ok(None);
    };
    if value.is_null() {
        return Ok(None);
    }
    let Value::Array(items) = value else {
        return Err(format!("is {value}; expected {}", expected()));
    };
    if items.len() != n {
        return Err(format!(
            "has {} values; expected {}",
            items.len(),
            expected()
        ));
    }
    items
        .iter()
        .map(|v| {
            v.as_u64()
                .and_then(|x| u32::try_from(x).ok())
                .ok_or_else(|| format!("holds {v}; expected {}", expected()))
        })
        .collect::<Result<Vec<u32>, String>>()
        .map(Some)
}

/// This year's pupils of each stage the school teaches (empty for the
/// others), from `enrolled_by_grade` where given, else `enrolled_*` spread
/// evenly. A school giving both must agree with itself: `enrolled_<stage>`
/// is then the grades that stay (all but the top one).
pub fn of_school(school: &School) -> Result<[StageGrades; 2], String> {
    let by_grade = read_by_grade(school)?;
    let mut out: [StageGrades; 2] = Default::default();
    let mut offset = 0;
    for stage in Stage::ALL {
        if !school.kind.teaches(stage) {
            continue;
        }
        let n = GRADES[stage.index()];
        let enrolled = school.enrolled[stage.index()];
        out[stage.index()] = match &by_grade {
            Some(all) => {
                let grades = &all[offset..offset + n];
                offset += n;
                let staying: u32 = grades[..n - 1].iter().sum();
                if enrolled != 0 && enrolled != staying {
                    return Err(format!(
                        "gives {} pupils in grades {}-{} who stay next year, but enrolled_{} is {enrolled}; expected the two to agree (enrolled_{} = every grade but the top one)",
                        staying,
                        first_grade(stage),
                        first_grade(stage) + n - 2,
                        stage.key(),
                        stage.key()
                    ));
                }
                StageGrades {
                    staying: grades[..n - 1].to_vec(),
                    top: Some(grades[n - 1]),
                }
            }
            None => StageGrades {
                staying: spread(enrolled, n - 1),
                top: None,
            },
        };
    }
    Ok(out)
}

/// Writes grades back as `enrolled_by_grade` (all stages the school
/// teaches, each top grade estimated where unknown) and sets `enrolled_*`
/// to the staying pupils.
pub fn store(school: &mut School, grades: &[StageGrades; 2]) {
    let mut all: Vec<Value> = Vec::new();
    for stage in Stage::ALL {
        if !school.kind.teaches(stage) {
            continue;
        }
        let g = &grades[stage.index()];
        school.enrolled[stage.index()] = g.staying_total();
        all.extend(g.staying.iter().map(|&x| Value::from(x)));
        all.push(Value::from(g.top.unwrap_or(g.top_or_mean().round() as u32)));
    }
    school.properties.insert(BY_GRADE.into(), Value::Array(all));
}

#[cfg(test)]
mod tests {
    use super::*;

    use geo::Point;

    fn school(kind: SchoolKind, enrolled: [u32; 2]) -> School {
        School {
            enrolled,
            ..School::public("s", kind, Point::new(0.0, 0.0))
        }
    }

    #[test]
    fn spread_gives_the_remainder_to_the_lowest_grades() {
        assert_eq!(spread(949, 5), vec![190, 190, 190, 190, 189]);
        assert_eq!(spread(0, 2), vec![0, 0]);
        assert_eq!(spread(5, 0), Vec::<u32>::new());
    }

    #[test]
    fn by_grade_splits_a_nine_year_school_and_checks_enrolled() {
        let mut s = school(SchoolKind::NineYear, [0, 0]);
        s.properties.insert(
            BY_GRADE.into(),
            serde_json::json!([10, 11, 12, 13, 14, 15, 20, 21, 22]),
        );
        let g = of_school(&s).unwrap();
        assert_eq!(g[0].staying, vec![10, 11, 12, 13, 14]);
        assert_eq!(g[0].top, Some(15));
        assert_eq!(g[1].staying, vec![20, 21]);
        assert_eq!(g[1].top, Some(22));
        s.enrolled = [61, 0];
        assert!(of_school(&s).unwrap_err().contains("enrolled_primary"));
        s.properties
            .insert(BY_GRADE.into(), serde_json::json!([1, 2, 3]));
        assert!(of_school(&s).unwrap_err().contains("9 whole numbers"));
    }

    #[test]
    fn without_grades_the_staying_pupils_are_spread() {
        let s = school(SchoolKind::Junior, [0, 101]);
        let g = of_school(&s).unwrap();
        assert!(g[0].staying.is_empty());
        assert_eq!(g[1].staying, vec![51, 50]);
        assert_eq!(g[1].top, None);
        assert_eq!(g[1].top_or_mean(), 50.5);
    }
}
