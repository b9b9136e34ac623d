//! "Did you mean ...?" hints for names that do not resolve.

use model::{MissionModel, QualifiedName};

/// Largest edit distance between local names still offered as a suggestion.
const DISTANCE_MAX: usize = 2;

/// The defined name closest to `missing`: the same local name elsewhere in the tree first,
/// else the nearest local name by edit distance (at most `DISTANCE_MAX`).
pub fn closest(model: &MissionModel, missing: &QualifiedName) -> Option<QualifiedName> {
    let names = model
        .parameters
        .keys()
        .chain(model.parameter_types.keys())
        .chain(model.argument_types.keys())
        .chain(model.containers.keys())
        .chain(model.commands.keys());
    let wanted = missing.local().to_ascii_lowercase();
    names
        .filter(|name| *name != missing)
        .map(|name| (distance(&name.local().to_ascii_lowercase(), &wanted), name))
        .filter(|(distance, _)| *distance <= DISTANCE_MAX)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, name)| name.clone())
}

/// Levenshtein distance over chars.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("uint8", "uint8"), 0);
    }

    #[test]
    fn suggests_same_local_name_or_near_miss() {
        let mut model = MissionModel::default();
        let name = |p: &str| QualifiedName::parse(p).unwrap();
        model.parameter_types.insert(
            name("/dt/uint8"),
            model::DataType::new(model::TypeKind::Boolean { one: "1".into(), zero: "0".into() }),
        );
        assert_eq!(closest(&model, &name("/pus/uint8")), Some(name("/dt/uint8")));
        assert_eq!(closest(&model, &name("/dt/float64")), None);
        assert_eq!(closest(&model, &name("/dt/unit8")), Some(name("/dt/uint8")));
    }
}
